package analytics_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

var bj = analytics.Beijing

func n(v int64) *int64 { return &v }

// world is an organization with one institution and its Weibo and WeChat accounts.
type world struct {
	db            *store.DB
	svc           *analytics.Service
	org           *passerelle.Organization
	inst          *passerelle.Institution
	weibo, wechat *passerelle.Account
	owner         *passerelle.User
}

func newWorld(t *testing.T, db *store.DB, name string) *world {
	t.Helper()
	ctx := context.Background()
	org, err := db.CreateOrganization(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	w := &world{db: db, org: org}
	w.inst = &passerelle.Institution{OrgID: org.ID, Name: "Musée " + name}
	if err := db.CreateInstitution(ctx, w.inst); err != nil {
		t.Fatal(err)
	}
	w.weibo = &passerelle.Account{InstitutionID: w.inst.ID, Platform: passerelle.Weibo, Handle: name + "_wb"}
	w.wechat = &passerelle.Account{InstitutionID: w.inst.ID, Platform: passerelle.WeChat, Handle: name + "_wx"}
	for _, a := range []*passerelle.Account{w.weibo, w.wechat} {
		if err := db.CreateAccount(ctx, org.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	w.owner = &passerelle.User{OrgID: org.ID, Owner: true}
	w.svc = &analytics.Service{DB: db, Tenancy: &tenancy.Service{DB: db}}
	return w
}

func at(y int, m time.Month, d, h, min int) time.Time { return time.Date(y, m, d, h, min, 0, 0, bj) }

// load writes the hand-computed dataset of TestSummaryByHand.
func (w *world) load(t *testing.T) {
	t.Helper()
	post := func(title, theme string, published time.Time, acct *passerelle.Account, format, id string, snaps ...*store.PublicationSnapshot) store.AudiencePost {
		return store.AudiencePost{InstitutionID: w.inst.ID, Title: title, Theme: theme, PublishedAt: published,
			Publications: []store.AudiencePublication{{AccountID: acct.ID, Format: format, PlatformPostID: id, URL: "https://example.com/" + id, Snapshots: snaps}}}
	}
	api := store.PubSourceAPI
	load := store.AudienceLoad{
		Posts: []store.AudiencePost{
			post("Degas", "collection", at(2026, 11, 2, 10, 0), w.weibo, passerelle.FormatPhotoText, "5001",
				&store.PublicationSnapshot{TakenAt: at(2026, 11, 2, 11, 0), Source: api, Likes: n(10), Comments: n(2), Reposts: n(1)},
				&store.PublicationSnapshot{TakenAt: at(2026, 11, 3, 10, 0), Source: api, Likes: n(20), Comments: n(4), Reposts: n(2)},
				&store.PublicationSnapshot{TakenAt: at(2026, 11, 4, 0, 0), Source: store.PubSourceImport, Views: n(1000)}),
			post("Nuit", "exhibition", at(2026, 11, 4, 20, 0), w.weibo, passerelle.FormatVideo, "5002",
				&store.PublicationSnapshot{TakenAt: at(2026, 11, 5, 20, 0), Source: api, Likes: n(5), Comments: n(1), Reposts: n(0)}),
			post("Histoire", "history", at(2026, 11, 6, 8, 0), w.wechat, passerelle.FormatArticle, "2247_1",
				&store.PublicationSnapshot{TakenAt: at(2026, 11, 8, 0, 0), Source: store.PubSourceImport, Views: n(100000), LowerBound: true, Likes: n(300), Comments: n(50), Reposts: n(150)}),
			post("Octobre", "collection", at(2026, 10, 20, 12, 0), w.weibo, passerelle.FormatPhotoText, "4001",
				&store.PublicationSnapshot{TakenAt: at(2026, 10, 21, 12, 0), Source: api, Likes: n(7)}),
			post("Minuit moins", "collection", at(2026, 11, 30, 23, 30), w.weibo, passerelle.FormatText, "5003",
				&store.PublicationSnapshot{TakenAt: at(2026, 12, 1, 0, 30), Source: api, Likes: n(1)}),
			post("Décembre", "collection", at(2026, 12, 1, 0, 10), w.weibo, passerelle.FormatText, "6001",
				&store.PublicationSnapshot{TakenAt: at(2026, 12, 1, 1, 0), Source: api, Likes: n(1000)}),
		},
		Followers: []store.AccountSnapshot{
			{AccountID: w.weibo.ID, TakenAt: at(2026, 11, 1, 0, 0), Followers: n(1000)},
			{AccountID: w.weibo.ID, TakenAt: at(2026, 11, 15, 0, 0), Followers: n(1100)},
			{AccountID: w.weibo.ID, TakenAt: at(2026, 11, 30, 23, 0), Followers: n(1200)},
			{AccountID: w.weibo.ID, TakenAt: at(2026, 12, 1, 0, 0), Followers: n(1300)},
			{AccountID: w.wechat.ID, TakenAt: at(2026, 11, 10, 0, 0), Followers: n(500)},
			{AccountID: w.wechat.ID, TakenAt: at(2026, 11, 29, 0, 0), Followers: n(450)},
		},
		Days: []store.FollowerDay{
			{AccountID: w.wechat.ID, Day: "2026-11-05", New: 10, Lost: 3, Source: "api"},
			{AccountID: w.wechat.ID, Day: "2026-11-20", New: 5, Lost: 60, Source: "api"},
			{AccountID: w.wechat.ID, Day: "2026-12-01", New: 99, Lost: 0, Source: "api"},
		},
	}
	if err := w.db.LoadAudience(context.Background(), w.org.ID, load); err != nil {
		t.Fatal(err)
	}
}

func november(t *testing.T) analytics.Period {
	p, err := analytics.ParsePeriod("2026-11-01", "2026-11-30")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestSummaryByHand checks every number of a summary against figures computed by hand.
func TestSummaryByHand(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "orsay")
		w.load(t)
		s, _, err := w.svc.InstitutionSummary(context.Background(), w.owner, w.inst.ID, november(t))
		if err != nil {
			t.Fatal(err)
		}
		f := s.Followers
		if *f.Start != 1500 || *f.End != 1650 || *f.Net != 150 || *f.New != 15 || *f.Lost != 63 {
			t.Errorf("followers = %+v", f)
		}
		checks := []struct {
			name      string
			got, want any
		}{
			{"from", s.From, "2026-11-01"}, {"to", s.To, "2026-11-30"},
			{"posts", s.Posts, 4}, {"views", s.Views, int64(101000)}, {"views lower bound", s.ViewsLowerBound, true},
			{"likes", s.Likes, int64(326)}, {"comments", s.Comments, int64(55)}, {"reposts", s.Reposts, int64(152)},
			{"interactions", s.Interactions, int64(533)}, {"engagement", *s.EngagementRate, 0.0052},
			{"per 1000", *s.PerThousandFollowers, 323.0303}, {"cadence min", s.CadenceMin, 25}, {"cadence max", s.CadenceMax, 34},
			{"previous posts", s.Previous.Posts, 1}, {"previous interactions", s.Previous.Interactions, int64(7)},
			{"previous from", s.Previous.From, "2026-10-02"}, {"previous to", s.Previous.To, "2026-10-31"},
			{"formats", len(s.ByFormat), 4}, {"top format", s.ByFormat[0], analytics.Group{Key: "article", Posts: 1, Views: 100000, Interactions: 500, Mean: 500}},
			{"second format", s.ByFormat[1], analytics.Group{Key: "photo_text", Posts: 1, Views: 1000, Interactions: 26, Mean: 26}},
			{"platforms", s.ByPlatform, []analytics.Group{{Key: "wechat", Posts: 1, Views: 100000, Interactions: 500, Mean: 500}, {Key: "weibo", Posts: 3, Views: 1000, Interactions: 33, Mean: 11}}},
			{"monday", s.ByWeekday[0], analytics.Group{Key: "Monday", Posts: 2, Views: 1000, Interactions: 27, Mean: 13.5}},
			{"heatmap", s.Heatmap, []analytics.Cell{{0, 10, 1, 26, 26}, {0, 23, 1, 1, 1}, {2, 20, 1, 6, 6}, {4, 8, 1, 500, 500}}},
			{"top", len(s.TopPosts), 4}, {"top first", s.TopPosts[0].Title, "Histoire"}, {"bottom", len(s.BottomPosts), 0},
			{"findings", len(s.Findings), 1}, {"thin", s.Findings[0].Kind, analytics.FindingThin},
		}
		for _, c := range checks {
			a, _ := json.Marshal(c.got)
			b, _ := json.Marshal(c.want)
			if string(a) != string(b) {
				t.Errorf("%s = %s, want %s", c.name, a, b)
			}
		}
	})
}

// TestReadingsNeverDoubleCount records the same readings twice and an older reading
// late: the figures stay those of the newest reading.
func TestReadingsNeverDoubleCount(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, "louvre")
		w.load(t)
		other := newWorld(t, db, "autre")
		other.load(t)
		before, _, err := w.svc.InstitutionSummary(ctx, w.owner, w.inst.ID, november(t))
		if err != nil {
			t.Fatal(err)
		}
		rows, err := db.TrackedPublications(ctx, w.org.ID, w.weibo.ID)
		if err != nil {
			t.Fatal(err)
		}
		pub := rows[0].ID
		old := &store.PublicationSnapshot{PublicationID: pub, TakenAt: at(2026, 11, 2, 12, 0), Source: store.PubSourceAPI, Likes: n(15), Comments: n(3), Reposts: n(1)}
		for range 2 {
			if _, err := db.RecordPublicationSnapshots(ctx, w.org.ID, []*store.PublicationSnapshot{old}); err != nil {
				t.Fatal(err)
			}
		}
		after, _, err := w.svc.InstitutionSummary(ctx, w.owner, w.inst.ID, november(t))
		if err != nil {
			t.Fatal(err)
		}
		if after.Interactions != before.Interactions || after.Likes != before.Likes {
			t.Errorf("an older reading moved the figures: %d → %d", before.Interactions, after.Interactions)
		}
		snaps, err := w.svc.Snapshots(ctx, w.owner, pub)
		if err != nil || len(snaps) != 4 {
			t.Fatalf("snapshots = %d, %v; want 4 (one added, once)", len(snaps), err)
		}
		// Another organization's publication is not found, and nothing is written.
		orows, _ := db.TrackedPublications(ctx, other.org.ID, other.weibo.ID)
		if _, err := db.RecordPublicationSnapshots(ctx, w.org.ID, []*store.PublicationSnapshot{old, {PublicationID: orows[0].ID, TakenAt: at(2026, 11, 9, 0, 0), Source: store.PubSourceManual, Likes: n(1)}}); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Errorf("other org's publication: %v", err)
		}
		if _, err := w.svc.Snapshots(ctx, w.owner, orows[0].ID); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Errorf("other org's snapshots: %v", err)
		}
		if _, _, err := w.svc.InstitutionSummary(ctx, w.owner, other.inst.ID, november(t)); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Errorf("other org's institution: %v", err)
		}
	})
}

func TestParsePeriod(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ from, to, field string }{
		{"2026-11-01", "2026-11-30", ""}, {"2026-11-30", "2026-11-01", "to"}, {"2026/11/01", "2026-11-30", "from"},
		{"2026-11-01", "", "to"}, {"2020-01-01", "2026-01-01", "to"}, {"1900-01-01", "1900-01-02", "from"},
	} {
		_, err := analytics.ParsePeriod(c.from, c.to)
		if c.field == "" {
			if err != nil {
				t.Errorf("%s..%s: %v", c.from, c.to, err)
			}
			continue
		}
		if _, ok := passerelle.ErrorFields(err)[c.field]; !ok {
			t.Errorf("%s..%s: %v, want an error on %s", c.from, c.to, err, c.field)
		}
	}
}
