package barometer_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/barometer"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

var today = time.Date(2026, 11, 26, 10, 0, 0, 0, time.UTC)

type fixture struct {
	db  *store.DB
	svc *barometer.Service
	org int64
	acc map[string]int64 // "A/weibo" → account id
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	ctx := context.Background()
	org, err := db.CreateOrganization(ctx, "Agence")
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{db: db, svc: &barometer.Service{DB: db, Now: func() time.Time { return today }}, org: org.ID, acc: map[string]int64{}}
	for _, in := range []struct{ name, country, kind string }{{"A", "FR", "museum"}, {"B", "US", "museum"}, {"C", "CN", "monument"}, {"D", "GB", "museum"}, {"E", "IT", "museum"}} {
		i := &passerelle.Institution{OrgID: org.ID, Name: in.name, Country: in.country, Kind: in.kind}
		if err := db.CreateInstitution(ctx, i); err != nil {
			t.Fatal(err)
		}
		platforms := []passerelle.Platform{passerelle.Weibo}
		if in.name == "A" {
			platforms = append(platforms, passerelle.WeChat)
		}
		for _, p := range platforms {
			a := &passerelle.Account{InstitutionID: i.ID, Platform: p, Kind: passerelle.AccountWatched, DisplayName: in.name}
			if err := db.CreateAccount(ctx, org.ID, a); err != nil {
				t.Fatal(err)
			}
			f.acc[in.name+"/"+string(p)] = a.ID
		}
	}
	return f
}

func n(v int64) *int64 { return &v }

func date(t *testing.T, s string) time.Time {
	t.Helper()
	d, err := barometer.ParseDate(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// record writes the hand-made data set the ranking tests compute by hand.
func (f *fixture) record(t *testing.T) {
	t.Helper()
	r := func(key, day string, followers int64, views *int64) barometer.Reading {
		return barometer.Reading{AccountID: f.acc[key], Date: date(t, day), Followers: n(followers), Views: views}
	}
	_, err := f.svc.Record(context.Background(), f.org, []barometer.Reading{
		r("A/weibo", "2026-06-20", 1000, n(10_000)),
		r("A/weibo", "2026-09-15", 1500, n(101_000)),
		r("B/weibo", "2026-08-01", 1500, nil),
		r("C/weibo", "2026-07-01", 600, nil),
		r("C/weibo", "2026-09-30", 700, nil),
		r("D/weibo", "2026-05-01", 3000, nil),
		r("E/weibo", "2026-10-05", 900, nil),
		r("A/wechat", "2026-06-30", 400, nil),
		r("A/wechat", "2026-09-01", 500, nil),
	})
	if err != nil {
		t.Fatal(err)
	}
}

type want struct {
	name      string
	rank      *int
	followers *int64
	share     *float64
	growth    *int64
	growthPct *float64
	index     *float64
	prevRank  *int
	movement  *int
}

func i(v int) *int          { return &v }
func fl(v float64) *float64 { return &v }
func jsonOf(v any) string   { b, _ := json.Marshal(v); return string(b) }

func check(t *testing.T, tab *barometer.Table, total int64, rows []want) {
	t.Helper()
	if tab.TotalFollowers != total {
		t.Errorf("total_followers = %d, want %d", tab.TotalFollowers, total)
	}
	if len(tab.Rows) != len(rows) {
		t.Fatalf("%d rows, want %d: %s", len(tab.Rows), len(rows), jsonOf(tab.Rows))
	}
	for k, w := range rows {
		g := tab.Rows[k]
		if g.Institution != w.name {
			t.Errorf("row %d is %s, want %s", k, g.Institution, w.name)
			continue
		}
		for _, c := range []struct {
			field     string
			got, want any
		}{
			{"rank", g.Rank, w.rank}, {"followers", g.Followers, w.followers}, {"share", g.Share, w.share},
			{"growth", g.Growth, w.growth}, {"growth_pct", g.GrowthPct, w.growthPct}, {"index", g.Index, w.index},
			{"previous_rank", g.PreviousRank, w.prevRank}, {"movement", g.Movement, w.movement},
		} {
			if jsonOf(c.got) != jsonOf(c.want) {
				t.Errorf("%s.%s = %s, want %s", w.name, c.field, jsonOf(c.got), jsonOf(c.want))
			}
		}
	}
}

func TestRankingHandComputed(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.record(t)
		ctx := context.Background()
		q3, _ := barometer.ParseQuarter("2026Q3")
		tests := []struct {
			name     string
			platform string
			filter   barometer.Filter
			total    int64
			rows     []want
		}{
			{
				// A and B tie at 1,500 and share rank 1; C is third (not second). D's only
				// reading is before the quarter and E's after: no data, no rank.
				// A: 10·(0.5·ln 1501 + 0.3·ln(1 + 91000/92)) / 0.8 = 71.6; B: 10·ln 1501 = 73.1.
				name: "weibo", platform: "weibo", total: 3700,
				rows: []want{
					{name: "A", rank: i(1), followers: n(1500), share: fl(40.54), growth: n(500), growthPct: fl(50), index: fl(71.6), prevRank: i(2), movement: i(1)},
					{name: "B", rank: i(1), followers: n(1500), share: fl(40.54), index: fl(73.1)},
					{name: "C", rank: i(3), followers: n(700), share: fl(18.92), growth: n(100), growthPct: fl(16.67), index: fl(65.5)},
					{name: "D", prevRank: i(1)},
					{name: "E"},
				},
			},
			{
				name: "non-Chinese institutions", platform: "weibo", filter: barometer.Filter{ExcludeCountries: []string{"CN"}}, total: 3000,
				rows: []want{
					{name: "A", rank: i(1), followers: n(1500), share: fl(50), growth: n(500), growthPct: fl(50), index: fl(71.6), prevRank: i(2), movement: i(1)},
					{name: "B", rank: i(1), followers: n(1500), share: fl(50), index: fl(73.1)},
					{name: "D", prevRank: i(1)},
					{name: "E"},
				},
			},
			{
				name: "monuments only", platform: "weibo", filter: barometer.Filter{Kinds: []string{"monument"}}, total: 700,
				rows: []want{{name: "C", rank: i(1), followers: n(700), share: fl(100), growth: n(100), growthPct: fl(16.67), index: fl(65.5)}},
			},
			{
				// Combined: A sums Weibo and WeChat (1,500 + 500); growth (1,500 − 1,000) +
				// (500 − 400) over a start of 1,400. Views are unknown on WeChat, so A's
				// combined index rests on followers alone: 10·ln 2001 = 76.0.
				name: "combined", platform: "", total: 4200,
				rows: []want{
					{name: "A", rank: i(1), followers: n(2000), share: fl(47.62), growth: n(600), growthPct: fl(42.86), index: fl(76), prevRank: i(2), movement: i(1)},
					{name: "B", rank: i(2), followers: n(1500), share: fl(35.71), index: fl(73.1)},
					{name: "C", rank: i(3), followers: n(700), share: fl(16.67), growth: n(100), growthPct: fl(16.67), index: fl(65.5)},
					{name: "D", prevRank: i(1)},
					{name: "E"},
				},
			},
		}
		for _, tc := range tests {
			t.Run(tc.name, func(t *testing.T) {
				tab, err := f.svc.Compute(ctx, f.org, q3, tc.platform, tc.filter)
				if err != nil {
					t.Fatal(err)
				}
				check(t, tab, tc.total, tc.rows)
			})
		}
	})
}

func TestRankCompetitionTies(t *testing.T) {
	t.Parallel()
	rows := []barometer.Row{
		{Institution: "w", Followers: n(10)},
		{Institution: "x", Followers: n(30)},
		{Institution: "y"},
		{Institution: "z", Followers: n(30)},
		{Institution: "v", Followers: n(20)},
		{Institution: "u", Followers: n(0)},
	}
	total := barometer.Rank(rows)
	if total != 90 {
		t.Fatalf("total %d", total)
	}
	var got []string
	for _, r := range rows {
		got = append(got, r.Institution+":"+jsonOf(r.Rank))
	}
	if want := "x:1 z:1 v:3 w:4 u:5 y:null"; strings.Join(got, " ") != want {
		t.Errorf("ranks %q, want %q", strings.Join(got, " "), want)
	}
	if rows[4].Share == nil || *rows[4].Share != 0 {
		t.Errorf("a zero count is data with a zero share: %s", jsonOf(rows[4]))
	}
}

func TestEditionsAreImmutable(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.record(t)
		ctx := context.Background()
		eds, err := f.svc.SnapshotQuarter(ctx, f.org, "2026Q3")
		if err != nil {
			t.Fatal(err)
		}
		if len(eds) != 3 { // all, weibo, wechat
			t.Fatalf("editions %s", jsonOf(eds))
		}
		var weibo barometer.Edition
		for _, e := range eds {
			if e.Platform == "weibo" {
				weibo = e
			}
		}
		before, err := f.svc.EditionTable(ctx, f.org, weibo.ID, barometer.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		// A correction after publication: C had 5,000 followers, not 700.
		if _, err := f.svc.Record(ctx, f.org, []barometer.Reading{{AccountID: f.acc["C/weibo"], Date: date(t, "2026-09-30"), Followers: n(5000)}}); err != nil {
			t.Fatal(err)
		}
		q3, _ := barometer.ParseQuarter("2026Q3")
		live, err := f.svc.Compute(ctx, f.org, q3, "weibo", barometer.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if live.Rows[0].Institution != "C" || *live.Rows[0].Followers != 5000 {
			t.Fatalf("the live table should follow the correction: %s", jsonOf(live.Rows[0]))
		}
		// Publishing the quarter again returns the editions as they were.
		again, err := f.svc.SnapshotQuarter(ctx, f.org, "2026Q3")
		if err != nil {
			t.Fatal(err)
		}
		if jsonOf(again) != jsonOf(eds) {
			t.Errorf("second snapshot %s, want %s", jsonOf(again), jsonOf(eds))
		}
		after, err := f.svc.EditionTable(ctx, f.org, weibo.ID, barometer.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if jsonOf(after) != jsonOf(before) || after.TotalFollowers != 3700 {
			t.Errorf("the published edition changed:\nbefore %s\nafter  %s", jsonOf(before), jsonOf(after))
		}
		cmp, err := f.svc.Compare(ctx, f.org, weibo.ID, weibo.ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(cmp.Rows) != 5 || *cmp.Rows[0].Change != 0 || *cmp.Rows[0].RankChange != 0 {
			t.Errorf("comparison of an edition with itself: %s", jsonOf(cmp))
		}
	})
}

func TestImportAllOrNothing(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, _ := db.CreateOrganization(ctx, "Agence")
		svc := &barometer.Service{DB: db, Now: func() time.Time { return today }}
		bad := "date,institution,country,platform,followers\n2016-08-28,Musée du Louvre,FR,weibo,59046\n2016-08-28,Rijksmuseum,NL,tiktok,8253\n"
		_, err := svc.Import(ctx, org.ID, strings.NewReader(bad))
		var le barometer.LineErrors
		if !errors.As(err, &le) || len(le) != 1 || le[0].Line != 3 {
			t.Fatalf("error %v, want one error on line 3", err)
		}
		insts, _ := db.Institutions(ctx, store.InstitutionFilter{OrgID: org.ID})
		if len(insts) != 0 {
			t.Fatalf("a failed import created %d institutions", len(insts))
		}
		file, err := os.ReadFile("testdata/barometer-weibo-2016.csv")
		if err != nil {
			t.Fatal(err)
		}
		res, err := svc.Import(ctx, org.ID, strings.NewReader(string(file)))
		if err != nil {
			t.Fatal(err)
		}
		if res.Lines != 14 || res.InstitutionsCreated != 10 || res.AccountsCreated != 11 || res.Inserted != 14 {
			t.Errorf("first import %+v", res)
		}
		// The header in capitals and the same readings: nothing new.
		header, body, _ := strings.Cut(string(file), "\n")
		res, err = svc.Import(ctx, org.ID, strings.NewReader(strings.ToUpper(header)+"\n"+body))
		if err != nil {
			t.Fatal(err)
		}
		if res.InstitutionsCreated != 0 || res.AccountsCreated != 0 || res.Inserted != 0 || res.Updated != 14 {
			t.Errorf("re-import should change nothing: %+v", res)
		}
		accs, _ := db.Accounts(ctx, store.AccountFilter{OrgID: org.ID})
		for _, a := range accs {
			if a.DisplayName == "Musée du Louvre" && a.Platform == passerelle.Weibo && (a.Followers == nil || *a.Followers != 261000) {
				t.Errorf("the Louvre's Weibo account should carry its latest reading: %s", jsonOf(a))
			}
		}
		q3, _ := barometer.ParseQuarter("2016Q3")
		tab, err := svc.Compute(ctx, org.ID, q3, "weibo", barometer.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if tab.Rows[0].Institution != "Musée du Louvre" || *tab.Rows[0].Followers != 59519 || tab.Rows[0].Growth != nil || tab.TotalFollowers != 59519+37355+31129+30024+29136+8253+6577+5510+4337+4059 {
			t.Errorf("2016Q3 on Weibo: %s total %d", jsonOf(tab.Rows[0]), tab.TotalFollowers)
		}
		// Growth needs a reading on or before the first day: from 2016-08-28 on, the
		// Louvre gained 473 followers by 2016-09-12.
		p, _ := barometer.NewPeriod(date(t, "2016-08-28"), date(t, "2016-09-30"))
		tab, err = svc.Compute(ctx, org.ID, p, "weibo", barometer.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		if g := tab.Rows[0].Growth; g == nil || *g != 473 || *tab.Rows[0].GrowthPct != 0.8 {
			t.Errorf("Louvre growth %s", jsonOf(tab.Rows[0]))
		}
	})
}
