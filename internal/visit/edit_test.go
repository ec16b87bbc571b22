package visit_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestEditingAndCounts: on both engines, stops are renumbered and deleted under the
// tour's rules, the anonymous beacon's counts add up per stop and per exhibition, a
// stop number finds the newest published tour that has it, and deleting a tour or an
// exhibition takes its counts with it.
func TestEditingAndCounts(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		ctx := context.Background()
		orgID := b.org
		owner := &passerelle.User{ID: 1, OrgID: orgID, Owner: true}
		svc := b.svc

		tour := &passerelle.Tour{InstitutionID: b.institution, TitleZH: "镇馆之宝"}
		if err := svc.CreateTour(ctx, owner, tour); err != nil {
			t.Fatal(err)
		}
		s1 := &passerelle.Stop{TourID: tour.ID, Number: 1, TitleZH: "一"}
		s2 := &passerelle.Stop{TourID: tour.ID, Number: 2, TitleZH: "二"}
		for _, s := range []*passerelle.Stop{s1, s2} {
			if err := svc.AddStop(ctx, owner, s); err != nil {
				t.Fatal(err)
			}
		}
		s1.Number = 2
		if err := svc.UpdateStop(ctx, owner, s1); passerelle.ErrorCode(err) != passerelle.EINVALID || passerelle.ErrorFields(err)["number"] == "" {
			t.Fatalf("renumbering onto another stop: %v", err)
		}
		s1.Number, s1.TitleFR = 3, "Un"
		if err := svc.UpdateStop(ctx, owner, s1); err != nil {
			t.Fatal(err)
		}
		if _, ok, _ := svc.StopNumberURL(ctx, b.institution, 3); ok {
			t.Fatal("an unpublished tour answers a stop number")
		}
		_, tourURL, err := svc.PublishTour(ctx, owner, tour.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		if u, ok, err := svc.StopNumberURL(ctx, b.institution, 3); err != nil || !ok || u != tourURL+"/3" {
			t.Fatalf("stop number 3: %q %v %v", u, ok, err)
		}
		if _, ok, _ := svc.StopNumberURL(ctx, b.institution, 1); ok {
			t.Fatal("stop 1 no longer exists")
		}

		token := tourURL[strings.LastIndex(tourURL, "/")+1:]
		beacon := func(v url.Values) int {
			res, err := http.PostForm(b.url+"/v/b", v)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res.StatusCode
		}
		for _, e := range []string{"start", "start", "start", "start", "end"} {
			if st := beacon(url.Values{"k": {"t"}, "t": {token}, "n": {"3"}, "e": {e}}); st != http.StatusNoContent {
				t.Fatalf("beacon: %d", st)
			}
		}
		beacon(url.Values{"k": {"t"}, "t": {token}, "n": {"2"}, "e": {"start"}})
		beacon(url.Values{"k": {"t"}, "t": {token}, "n": {"9"}, "e": {"start"}}) // no such stop
		stats, total, err := svc.StopStats(ctx, owner, tour.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got := stats[s1.ID]; got.Starts != 4 || got.Completes != 1 || got.Rate != 25 {
			t.Fatalf("stop 3: %+v", got)
		}
		if total.Starts != 5 || total.Completes != 1 {
			t.Fatalf("total: %+v", total)
		}
		// Twice more: the counts add up in the database.
		beacon(url.Values{"k": {"t"}, "t": {token}, "n": {"3"}, "e": {"end"}})
		if stats, _, _ = svc.StopStats(ctx, owner, tour.ID); stats[s1.ID].Completes != 2 {
			t.Fatalf("after a second flush: %+v", stats[s1.ID])
		}
		if _, err := svc.DeleteStop(ctx, owner, s2.ID); err != nil {
			t.Fatal(err)
		}
		if res, _ := http.Get(tourURL + "/2"); res.StatusCode != http.StatusNotFound {
			t.Fatalf("deleted stop's page: %d", res.StatusCode)
		}

		ex := &passerelle.Exhibition{InstitutionID: b.institution, TitleZH: "印象派"}
		if err := svc.CreateExhibition(ctx, owner, ex); err != nil {
			t.Fatal(err)
		}
		ex.Rooms = []passerelle.Room{{TitleZH: "第一展厅", Works: []passerelle.Work{{TitleZH: "睡莲"}}}}
		if err := svc.UpdateExhibition(ctx, owner, ex); err != nil {
			t.Fatal(err)
		}
		ex.Rooms[0].Works[0].ImageMediaID = 999999
		if err := svc.UpdateExhibition(ctx, owner, ex); passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Fatalf("a medium of nowhere: %v", err)
		}
		_, exURL, err := svc.PublishExhibition(ctx, owner, ex.ID, true)
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.Get(exURL)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		etoken := exURL[strings.LastIndex(exURL, "/")+1:]
		beacon(url.Values{"k": {"e"}, "t": {etoken}, "e": {"view"}})
		beacon(url.Values{"k": {"e"}, "t": {etoken}, "e": {"view"}})
		beacon(url.Values{"k": {"e"}, "t": {etoken}, "e": {"end"}})
		if st, err := svc.ExhibitionStats(ctx, owner, ex.ID); err != nil || st.Starts != 2 || st.Rate != 50 {
			t.Fatalf("exhibition stats: %+v %v", st, err)
		}
		if _, err := svc.DeleteExhibition(ctx, owner, ex.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := svc.DeleteTour(ctx, owner, tour.ID); err != nil {
			t.Fatal(err)
		}
		if res, _ := http.Get(tourURL); res.StatusCode != http.StatusNotFound {
			t.Fatalf("deleted tour's page: %d", res.StatusCode)
		}
		// A viewer of another organization finds nothing.
		stranger := &passerelle.User{ID: 99, OrgID: orgID + 1000, Owner: true}
		if _, err := svc.Tours(ctx, stranger, b.institution); err == nil {
			if ts, _ := svc.Tours(ctx, stranger, b.institution); len(ts) != 0 {
				t.Fatal("another organization lists the tours")
			}
		}
	})
}
