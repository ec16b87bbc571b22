package analytics

import (
	"cmp"
	"context"
	"encoding/json"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// TestSummaryEqualsRowByRow checks the database's sums (AnalyticsCells, ranked top and
// bottom posts, AnalyticsDays, AnalyticsInstitutionTotals) against the same analytics worked out in Go from every publication
// (AnalyticsRows), with the two-pass variance, on a generated history of three
// institutions: an institution and the organization, a month, a quarter and a year.
func TestSummaryEqualsRowByRow(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, err := db.CreateOrganization(ctx, "generated")
		if err != nil {
			t.Fatal(err)
		}
		end := time.Date(2026, 11, 15, 12, 0, 0, 0, Beijing)
		res, err := Generate(ctx, db, GenerateOptions{OrgID: org.ID, Institutions: 3, Years: 1.1, Seed: 7, End: end, Workers: 2})
		if err != nil {
			t.Fatal(err)
		}
		if res.Institutions != 3 || res.Publications < 600 || res.Snapshots < 10*res.Publications {
			t.Fatalf("generated %+v: want about 300 publications a year per institution, each read more than ten times", res)
		}
		svc := &Service{DB: db, Tenancy: &tenancy.Service{DB: db}}
		owner := &passerelle.User{OrgID: org.ID, Owner: true}
		insts, err := db.Institutions(ctx, store.InstitutionFilter{OrgID: org.ID})
		if err != nil || len(insts) != 3 {
			t.Fatal(insts, err)
		}
		// Posts at the edges of Beijing days and of the periods, where a wrong time
		// zone would move them to another day (the generated ones are all published
		// in the daytime).
		accts, err := db.Accounts(ctx, store.AccountFilter{OrgID: org.ID, InstitutionID: insts[1].ID})
		if err != nil || len(accts) == 0 {
			t.Fatal(accts, err)
		}
		var edge store.AudienceLoad
		for i, at := range []time.Time{
			time.Date(2026, 10, 1, 0, 0, 0, 0, Beijing), time.Date(2026, 10, 15, 7, 59, 0, 0, Beijing), time.Date(2026, 10, 31, 23, 59, 59, 0, Beijing),
			time.Date(2026, 9, 30, 23, 30, 0, 0, Beijing), time.Date(2026, 7, 1, 0, 10, 0, 0, Beijing), time.Date(2026, 3, 8, 2, 0, 0, 0, Beijing),
		} {
			snap := &store.PublicationSnapshot{TakenAt: at.Add(48 * time.Hour), Source: store.PubSourceImport, Likes: ptr(int64(1000 + i)), Comments: ptr(int64(7 * i))}
			if i%2 == 0 {
				snap.Views = ptr(int64(50000 + i))
			}
			id := "edge-" + strconv.Itoa(i)
			edge.Posts = append(edge.Posts, store.AudiencePost{InstitutionID: insts[1].ID, Title: id, Theme: "edge", PublishedAt: at,
				Publications: []store.AudiencePublication{{AccountID: accts[i%len(accts)].ID, Format: passerelle.FormatPhotoText, PlatformPostID: id,
					URL: "https://example.com/" + id, Snapshots: []*store.PublicationSnapshot{snap}}}})
		}
		if err := db.LoadAudience(ctx, org.ID, edge); err != nil {
			t.Fatal(err)
		}
		m := time.Date(2026, 10, 1, 0, 0, 0, 0, Beijing)
		periods := []Period{{From: m, To: m.AddDate(0, 1, 0)}, {From: m.AddDate(0, -3, 0), To: m}, {From: m.AddDate(-1, 0, 0), To: m}}
		for _, p := range periods {
			for _, scope := range []string{"institution", "organization"} {
				var got *Summary
				var sc Scope
				if scope == "institution" {
					sc, _, err = svc.InstitutionScope(ctx, owner, insts[1].ID)
					if err == nil {
						got, _, err = svc.InstitutionSummary(ctx, owner, insts[1].ID, p)
					}
				} else {
					sc, err = svc.OrganizationScope(ctx, owner)
					if err == nil {
						got, err = svc.OrganizationSummary(ctx, owner, p)
					}
				}
				if err != nil {
					t.Fatal(err)
				}
				rows, err := db.AnalyticsRows(ctx, org.ID, sc.InstitutionIDs, p.From, p.To)
				if err != nil {
					t.Fatal(err)
				}
				prevRows, err := db.AnalyticsRows(ctx, org.ID, sc.InstitutionIDs, p.Previous().From, p.Previous().To)
				if err != nil {
					t.Fatal(err)
				}
				name := scope + " " + p.From.Format(time.DateOnly) + ".." + p.Last().Format(time.DateOnly)
				if len(rows) < 20 {
					t.Fatalf("%s: %d posts, too few to compare", name, len(rows))
				}
				want := refCompute(rows, got.Totals)
				wantPrev := refTotals(prevRows, got.Previous)
				for _, c := range []struct {
					what      string
					got, want any
				}{
					{"totals", got.Totals, want.Totals}, {"previous", got.Previous, wantPrev},
					{"by format", got.ByFormat, want.ByFormat}, {"by theme", got.ByTheme, want.ByTheme}, {"by platform", got.ByPlatform, want.ByPlatform},
					{"by weekday", got.ByWeekday, want.ByWeekday}, {"heatmap", got.Heatmap, want.Heatmap},
					{"top", got.TopPosts, want.TopPosts}, {"bottom", got.BottomPosts, want.BottomPosts},
				} {
					a, _ := json.Marshal(c.got)
					b, _ := json.Marshal(c.want)
					if string(a) != string(b) {
						t.Errorf("%s: %s = %s, want %s", name, c.what, a, b)
					}
				}
				if len(got.Findings) != len(want.Findings) {
					t.Fatalf("%s: findings %+v, want %+v", name, got.Findings, want.Findings)
				}
				for i, f := range got.Findings {
					w := want.Findings[i]
					if f.Kind != w.Kind || f.Subject != w.Subject || f.Baseline != w.Baseline || f.N != w.N || f.NBaseline != w.NBaseline || f.Ratio != w.Ratio ||
						math.Abs(f.T-w.T) > 1e-3*max(1, math.Abs(w.T)) {
						t.Errorf("%s: finding %d = %+v, want %+v", name, i, f, w)
					}
				}
				// The charts' days (AnalyticsDays): posts, views and interactions per
				// Beijing day of publication.
				wantDays := map[string]Day{}
				for i := range rows {
					r := &rows[i]
					k := r.PublishedAt.In(Beijing).Format(time.DateOnly)
					d := wantDays[k]
					d.Posts, d.Views, d.Interactions = d.Posts+1, d.Views+val(r.Views), d.Interactions+interactions(r)
					wantDays[k] = d
				}
				if len(got.Daily) != p.Days() {
					t.Errorf("%s: %d days, want %d", name, len(got.Daily), p.Days())
				}
				for _, d := range got.Daily {
					w := wantDays[d.Day]
					if d.Posts != w.Posts || d.Views != w.Views || d.Interactions != w.Interactions {
						t.Errorf("%s: %s has %d posts, %d views, %d interactions; want %+v", name, d.Day, d.Posts, d.Views, d.Interactions, w)
					}
					delete(wantDays, d.Day)
				}
				if len(wantDays) > 0 {
					t.Errorf("%s: days with posts missing from the series: %+v", name, wantDays)
				}
				// The portfolio (AnalyticsInstitutionTotals): each institution's totals
				// from its own publications, in the period and the one before.
				if scope == "organization" {
					if len(got.Institutions) != len(insts) {
						t.Fatalf("%s: portfolio of %d institutions, want %d", name, len(got.Institutions), len(insts))
					}
					own := func(rs []store.AnalyticsRow, id int64) []store.AnalyticsRow {
						var out []store.AnalyticsRow
						for _, r := range rs {
							if r.InstitutionID == id {
								out = append(out, r)
							}
						}
						return out
					}
					for _, in := range got.Institutions {
						for _, c := range []struct {
							what      string
							got, want Totals
						}{
							{"totals", in.Totals, refTotals(own(rows, in.InstitutionID), in.Totals)},
							{"previous", in.Previous, refTotals(own(prevRows, in.InstitutionID), in.Previous)},
						} {
							a, _ := json.Marshal(c.got)
							b, _ := json.Marshal(c.want)
							if string(a) != string(b) {
								t.Errorf("%s: institution %d's %s = %s, want %s", name, in.InstitutionID, c.what, a, b)
							}
						}
						if in.Posts == 0 {
							t.Errorf("%s: institution %d has no post: the comparison proves little", name, in.InstitutionID)
						}
					}
				}
			}
		}
	})
}

// refTotals adds up rows one by one; followers and cadence are taken from got.
func refTotals(rows []store.AnalyticsRow, got Totals) Totals {
	t := Totals{From: got.From, To: got.To, Followers: got.Followers, CadenceMin: got.CadenceMin, CadenceMax: got.CadenceMax, Posts: len(rows)}
	var viewed, viewedInteractions int64
	for i := range rows {
		r := &rows[i]
		t.Likes += val(r.Likes)
		t.Comments += val(r.Comments)
		t.Reposts += val(r.Reposts)
		if r.Views != nil {
			t.Views += *r.Views
			t.ViewsLowerBound = t.ViewsLowerBound || r.LowerBound
			viewed += *r.Views
			viewedInteractions += interactions(r)
		}
	}
	t.Interactions = t.Likes + t.Comments + t.Reposts
	if viewed > 0 {
		t.EngagementRate = ptr(round4(float64(viewedInteractions) / float64(viewed)))
	}
	if f := got.Followers; f.End != nil && *f.End > 0 {
		t.PerThousandFollowers = ptr(round4(float64(t.Interactions) * 1000 / float64(*f.End)))
	}
	return t
}

// refCompute is the summary worked out from every publication.
func refCompute(rows []store.AnalyticsRow, got Totals) Summary {
	s := Summary{Totals: refTotals(rows, got)}
	s.ByFormat = refGroupBy(rows, func(r *store.AnalyticsRow) string { return r.Format })
	s.ByTheme = refGroupBy(rows, func(r *store.AnalyticsRow) string { return r.Theme })
	s.ByPlatform = refGroupBy(rows, func(r *store.AnalyticsRow) string { return string(r.Platform) })
	s.ByWeekday = make([]Group, 7)
	cells := map[[2]int]*Cell{}
	for i := range rows {
		r := &rows[i]
		bj := r.PublishedAt.In(Beijing)
		wd := (int(bj.Weekday()) + 6) % 7
		g := &s.ByWeekday[wd]
		g.Posts++
		g.Interactions += interactions(r)
		if r.Views != nil {
			g.Views += *r.Views
		}
		k := [2]int{wd, bj.Hour()}
		c := cells[k]
		if c == nil {
			c = &Cell{Weekday: wd, Hour: bj.Hour()}
			cells[k] = c
		}
		c.Posts++
		c.Interactions += interactions(r)
	}
	for i := range s.ByWeekday {
		g := &s.ByWeekday[i]
		g.Key = time.Weekday((i + 1) % 7).String()
		if g.Posts > 0 {
			g.Mean = round4(float64(g.Interactions) / float64(g.Posts))
		}
	}
	s.Heatmap = []Cell{}
	for _, c := range cells {
		c.Mean = round4(float64(c.Interactions) / float64(c.Posts))
		s.Heatmap = append(s.Heatmap, *c)
	}
	slices.SortFunc(s.Heatmap, func(a, b Cell) int { return cmp.Or(cmp.Compare(a.Weekday, b.Weekday), cmp.Compare(a.Hour, b.Hour)) })
	order := make([]int, len(rows))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		return cmp.Or(cmp.Compare(interactions(&rows[b]), interactions(&rows[a])), cmp.Compare(rows[a].PublicationID, rows[b].PublicationID))
	})
	s.TopPosts, s.BottomPosts = []PostFigures{}, []PostFigures{}
	for i := 0; i < len(order) && i < topN; i++ {
		s.TopPosts = append(s.TopPosts, figures(&rows[order[i]]))
	}
	for i := len(order) - 1; i >= len(s.TopPosts) && len(s.BottomPosts) < topN; i-- {
		s.BottomPosts = append(s.BottomPosts, figures(&rows[order[i]]))
	}
	s.Findings = refFindings(rows)
	return s
}

func refGroupBy(rows []store.AnalyticsRow, key func(*store.AnalyticsRow) string) []Group {
	idx := map[string]int{}
	out := []Group{}
	for i := range rows {
		r := &rows[i]
		k := key(r)
		j, ok := idx[k]
		if !ok {
			j = len(out)
			idx[k] = j
			out = append(out, Group{Key: k})
		}
		out[j].Posts++
		out[j].Interactions += interactions(r)
		if r.Views != nil {
			out[j].Views += *r.Views
		}
	}
	for i := range out {
		out[i].Mean = round4(float64(out[i].Interactions) / float64(out[i].Posts))
	}
	slices.SortFunc(out, func(a, b Group) int {
		return cmp.Or(cmp.Compare(b.Interactions, a.Interactions), cmp.Compare(a.Key, b.Key))
	})
	return out
}

// refFindings is findings from the posts' samples, with the two-pass variance.
func refFindings(rows []store.AnalyticsRow) []Finding {
	out := []Finding{}
	if len(rows) < minPosts {
		return append(out, Finding{Kind: FindingThin, N: len(rows)})
	}
	dims := []struct {
		name string
		key  func(*store.AnalyticsRow) string
	}{
		{"format", func(r *store.AnalyticsRow) string { return r.Format }},
		{"theme", func(r *store.AnalyticsRow) string { return r.Theme }},
		{"weekday", func(r *store.AnalyticsRow) string { return r.PublishedAt.In(Beijing).Weekday().String() }},
	}
	mean := func(v []float64) float64 {
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	variance := func(v []float64) float64 {
		if len(v) < 2 {
			return 0
		}
		m, s := mean(v), 0.0
		for _, x := range v {
			s += (x - m) * (x - m)
		}
		return s / float64(len(v)-1)
	}
	for _, d := range dims {
		samples := map[string][]float64{}
		for i := range rows {
			k := d.key(&rows[i])
			samples[k] = append(samples[k], float64(interactions(&rows[i])))
		}
		var keys []string
		for k, v := range samples {
			if len(v) >= minGroup {
				keys = append(keys, k)
			}
		}
		if len(keys) < 2 {
			continue
		}
		slices.SortFunc(keys, func(a, b string) int {
			return cmp.Or(cmp.Compare(mean(samples[b]), mean(samples[a])), cmp.Compare(a, b))
		})
		best, base := keys[0], keys[len(keys)-1]
		bs := samples[base]
		if d.name == "weekday" {
			base, bs = "other days", nil
			for k, v := range samples {
				if k != best {
					bs = append(bs, v...)
				}
			}
		}
		a := samples[best]
		diff := mean(a) - mean(bs)
		tt := diff / math.Sqrt(variance(a)/float64(len(a))+variance(bs)/float64(len(bs)))
		f := Finding{Dimension: d.name, Subject: best, Baseline: base, N: len(a), NBaseline: len(bs), T: round4(tt), Kind: FindingNoDiff}
		if tt >= minT && mean(bs) > 0 {
			f.Kind, f.Ratio = FindingDifference, math.Round(mean(a)/mean(bs)*10)/10
		}
		out = append(out, f)
	}
	return out
}
