package analytics_test

import (
	"bytes"
	"context"
	"reflect"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestLiveVisitsNextToPosts: the live visits that started in the period (Beijing
// days) are listed with their figures and added up by hand; a visit just outside the
// period, or of another institution, is not; the posts' totals do not change; the
// report has a table of them.
func TestLiveVisitsNextToPosts(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, "petitpalais")
		w.load(t)
		before, _, err := w.svc.InstitutionSummary(ctx, w.owner, w.inst.ID, november(t))
		if err != nil {
			t.Fatal(err)
		}
		if len(before.Live) != 0 || before.LiveTotals != (analytics.LiveTotals{}) {
			t.Fatalf("no visit yet: %+v %+v", before.Live, before.LiveTotals)
		}
		other := &passerelle.Institution{OrgID: w.org.ID, Name: "Carnavalet"}
		if err := db.CreateInstitution(ctx, other); err != nil {
			t.Fatal(err)
		}
		for _, e := range []*passerelle.LiveEvent{
			// Second live visit of the Petit Palais: 70,000 viewers.
			{InstitutionID: w.inst.ID, Platform: passerelle.Weibo, StartsAt: at(2026, 11, 20, 19, 0), TitleZH: "小皇宫第二次直播",
				PeakViewers: n(9000), TotalViewers: n(70000), Likes: n(5000), Comments: n(800), NewFollowers: n(1200)},
			{InstitutionID: w.inst.ID, Platform: passerelle.Weibo, StartsAt: at(2026, 11, 3, 19, 0), TitleZH: "小皇宫直播",
				PeakViewers: n(6000), TotalViewers: n(40000), Likes: n(2000), Comments: n(300), NewFollowers: n(700)},
			// Planned, no figures yet.
			{InstitutionID: w.inst.ID, Platform: passerelle.Channels, StartsAt: at(2026, 11, 30, 23, 59), Title: "Nocturne"},
			// 1 December 00:10 in Beijing: next period.
			{InstitutionID: w.inst.ID, Platform: passerelle.Weibo, StartsAt: at(2026, 12, 1, 0, 10), TitleZH: "十二月", TotalViewers: n(1)},
			// Another institution.
			{InstitutionID: other.ID, Platform: passerelle.Weibo, StartsAt: at(2026, 11, 10, 19, 0), TitleZH: "卡纳瓦莱", TotalViewers: n(5)},
		} {
			if err := db.CreateLiveEvent(ctx, w.org.ID, e); err != nil {
				t.Fatal(err)
			}
		}
		s, _, err := w.svc.InstitutionSummary(ctx, w.owner, w.inst.ID, november(t))
		if err != nil {
			t.Fatal(err)
		}
		var titles []string
		for _, v := range s.Live {
			titles = append(titles, v.Title)
		}
		if strings.Join(titles, "|") != "小皇宫直播|小皇宫第二次直播|Nocturne" {
			t.Errorf("visits %v", titles)
		}
		want := analytics.LiveTotals{Visits: 3, WithFigures: 2, TotalViewers: 110000, PeakViewers: 9000, Likes: 7000, Comments: 1100, NewFollowers: 1900}
		if s.LiveTotals != want {
			t.Errorf("totals %+v, want %+v", s.LiveTotals, want)
		}
		if !reflect.DeepEqual(s.Totals, before.Totals) {
			t.Errorf("the posts' totals changed: %+v → %+v", before.Totals, s.Totals)
		}
		org, err := w.svc.OrganizationSummary(ctx, w.owner, november(t))
		if err != nil {
			t.Fatal(err)
		}
		if org.LiveTotals.Visits != 4 || org.LiveTotals.TotalViewers != 110005 {
			t.Errorf("organization's live totals %+v", org.LiveTotals)
		}

		var buf bytes.Buffer
		if _, err := (&analytics.Report{Title: "Petit Palais", Summary: s}).Render(&buf, "csv"); err != nil {
			t.Fatal(err)
		}
		for _, sub := range []string{"analytics.live.title", "小皇宫第二次直播,weibo,2026-11-20 19:00,9000,70000,5000,800,1200", "analytics.live.total,,,9000,110000,7000,1100,1900"} {
			if !strings.Contains(buf.String(), sub) {
				t.Errorf("report lacks %q:\n%s", sub, buf.String())
			}
		}
		buf.Reset()
		if _, err := (&analytics.Report{Title: "Petit Palais", Summary: before}).Render(&buf, "csv"); err != nil || strings.Contains(buf.String(), "analytics.live.title") {
			t.Errorf("a period without visits has a live table (%v)", err)
		}
	})
}
