package analytics_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestDailyByHand checks the days of November of the hand-computed dataset: the
// followers at each day's end (carried forward per account, summed over the accounts
// read by then) and the figures of the posts published each day in Beijing.
func TestDailyByHand(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		w := newWorld(t, db, "orsay")
		w.load(t)
		s, _, err := w.svc.InstitutionSummary(context.Background(), w.owner, w.inst.ID, november(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Daily) != 30 || s.Daily[0].Day != "2026-11-01" || s.Daily[29].Day != "2026-11-30" {
			t.Fatalf("days: %d, %+v … %+v", len(s.Daily), s.Daily[0], s.Daily[len(s.Daily)-1])
		}
		// Weibo: 1000 from the 1st, 1100 from the 15th, 1200 on the 30th at 23:00.
		// WeChat: 500 from the 10th, 450 from the 29th.
		followers := map[int]int64{1: 1000, 9: 1000, 10: 1500, 14: 1500, 15: 1600, 28: 1600, 29: 1550, 30: 1650}
		for day, want := range followers {
			got := s.Daily[day-1].Followers
			if got == nil || *got != want {
				t.Errorf("followers on the %d: %v, want %d", day, got, want)
			}
		}
		if *s.Daily[29].Followers != *s.Followers.End {
			t.Errorf("the last day's followers %d are not the period's end %d", *s.Daily[29].Followers, *s.Followers.End)
		}
		type fig struct {
			posts        int
			views, inter int64
		}
		want := map[int]fig{2: {1, 1000, 26}, 4: {1, 0, 6}, 6: {1, 100000, 500}, 30: {1, 0, 1}}
		var posts int
		var inter, views int64
		for i, d := range s.Daily {
			f := want[i+1]
			if d.Posts != f.posts || d.Views != f.views || d.Interactions != f.inter {
				t.Errorf("%s: %d posts, %d views, %d interactions; want %+v", d.Day, d.Posts, d.Views, d.Interactions, f)
			}
			posts, views, inter = posts+d.Posts, views+d.Views, inter+d.Interactions
		}
		if posts != s.Posts || views != s.Views || inter != s.Interactions {
			t.Errorf("days add up to %d posts, %d views, %d interactions; the totals are %d, %d, %d", posts, views, inter, s.Posts, s.Views, s.Interactions)
		}
		// From the 16th, each account starts from its reading before the period.
		late, err := analytics.ParsePeriod("2026-11-16", "2026-11-30")
		if err != nil {
			t.Fatal(err)
		}
		ls, _, err := w.svc.InstitutionSummary(context.Background(), w.owner, w.inst.ID, late)
		if err != nil {
			t.Fatal(err)
		}
		if len(ls.Daily) != 15 || *ls.Daily[0].Followers != 1600 || *ls.Daily[12].Followers != 1600 || *ls.Daily[13].Followers != 1550 || *ls.Daily[14].Followers != 1650 {
			t.Errorf("from the 16th: %d days, %v %v %v %v", len(ls.Daily), *ls.Daily[0].Followers, *ls.Daily[12].Followers, *ls.Daily[13].Followers, *ls.Daily[14].Followers)
		}
		// An institution's summary has no portfolio.
		if s.Institutions != nil {
			t.Errorf("institution summary with a portfolio: %+v", s.Institutions)
		}
	})
}

// TestPortfolioByHand: the organization's summary lists each institution with its
// totals against the previous period, and they add up to the organization's.
func TestPortfolioByHand(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, "orsay")
		w.load(t)
		annexe := &passerelle.Institution{OrgID: w.org.ID, Name: "Annexe"}
		if err := db.CreateInstitution(ctx, annexe); err != nil {
			t.Fatal(err)
		}
		acct := &passerelle.Account{InstitutionID: annexe.ID, Platform: passerelle.Weibo, Handle: "annexe_wb"}
		if err := db.CreateAccount(ctx, w.org.ID, acct); err != nil {
			t.Fatal(err)
		}
		load := store.AudienceLoad{Posts: []store.AudiencePost{{InstitutionID: annexe.ID, Title: "Annexe", Theme: "collection", PublishedAt: at(2026, 11, 10, 9, 0),
			Publications: []store.AudiencePublication{{AccountID: acct.ID, Format: passerelle.FormatPhotoText, PlatformPostID: "7001", URL: "https://example.com/7001",
				Snapshots: []*store.PublicationSnapshot{{TakenAt: at(2026, 11, 11, 9, 0), Source: store.PubSourceAPI, Views: n(40), Likes: n(9)}}}}}}}
		if err := db.LoadAudience(ctx, w.org.ID, load); err != nil {
			t.Fatal(err)
		}
		s, err := w.svc.OrganizationSummary(ctx, w.owner, november(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(s.Institutions) != 2 {
			t.Fatalf("portfolio: %+v", s.Institutions)
		}
		by := map[int64]analytics.InstitutionFigures{}
		var inter, prevInter int64
		var posts int
		for _, in := range s.Institutions {
			by[in.InstitutionID] = in
			inter, prevInter, posts = inter+in.Interactions, prevInter+in.Previous.Interactions, posts+in.Posts
		}
		o, a := by[w.inst.ID], by[annexe.ID]
		if o.Name != w.inst.Name || o.Posts != 4 || o.Interactions != 533 || o.Views != 101000 || !o.ViewsLowerBound || o.Previous.Interactions != 7 || o.Previous.Posts != 1 ||
			o.Followers.End == nil || *o.Followers.End != 1650 || *o.Followers.Net != 150 || o.CadenceMin != 25 {
			t.Errorf("orsay: %+v", o)
		}
		if a.Name != "Annexe" || a.Posts != 1 || a.Interactions != 9 || a.Views != 40 || a.Previous.Posts != 0 || a.Followers.End != nil || *a.EngagementRate != 0.225 {
			t.Errorf("annexe: %+v", a)
		}
		if inter != s.Interactions || prevInter != s.Previous.Interactions || posts != s.Posts {
			t.Errorf("institutions add up to %d/%d/%d, the organization has %d/%d/%d", inter, prevInter, posts, s.Interactions, s.Previous.Interactions, s.Posts)
		}
		// The organization's report carries the portfolio as a section of its own.
		rep := &analytics.Report{Title: "Portfolio", Summary: s, Lang: "en"}
		var buf bytes.Buffer
		if _, err := rep.Render(&buf, "csv"); err != nil {
			t.Fatal(err)
		}
		if out := buf.String(); !strings.Contains(out, "charts11.portfolio") || !strings.Contains(out, "Annexe,,,,1,21,30,40,0,9,0,0.2250,") || !strings.Contains(out, w.inst.Name+",1650,150,,4,25,34,101000+,0,533,7,0.0052,") {
			t.Errorf("report CSV lacks the portfolio:\n%s", buf.String())
		}
	})
}
