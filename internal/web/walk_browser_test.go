package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/visit"
)

// Found walking through the screens on a phone: a published tour's page and its stop's
// page scrolled sideways (the public addresses did not wrap and the phone preview kept
// its 410 px). They fit 390 px now in the three languages, and so do the analytics
// page, the audit log and the partner directory, whose tables fold into cards.
func TestBrowserWalkPhonePages(t *testing.T) {
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	ctx := context.Background()
	vis := visit.New(a.DB, a.Ed.MediaStore(), a.URL, nil)
	tour := &passerelle.Tour{InstitutionID: n.inst.ID, TitleZH: "镇馆之宝", TitleFR: "Chefs-d'œuvre"}
	if err := vis.CreateTour(ctx, n.owner, tour); err != nil {
		t.Fatal(err)
	}
	stop := &passerelle.Stop{TourID: tour.ID, Number: 1, TitleZH: "蒙娜丽莎", TitleFR: "La Joconde", TranscriptZH: "达·芬奇的作品。"}
	if err := vis.AddStop(ctx, n.owner, stop); err != nil {
		t.Fatal(err)
	}
	if _, _, err := vis.PublishTour(ctx, n.owner, tour.ID, true); err != nil {
		t.Fatal(err)
	}
	inst := itoa(n.inst.ID)
	// The printable report's stylesheet is served by the binary (cmd/passerelle), not by
	// this test's server: its viewport is checked in TestWalkAnalyticsLinksKeepThePeriod.
	pages := []string{"/tours/" + itoa(tour.ID), "/stops/" + itoa(stop.ID) + "/edit", "/institutions/" + inst + "/analytics", "/audit", "/partners"}

	b := browser(t, 300*time.Second)
	if err := chromedp.Do(b, append(signIn(a, n.owner.Email, pw), chromedp.Navigate(a.URL+"/tours/"+itoa(tour.ID)), chromedp.WaitVisible(chromedp.CSS(`#public-url`)))...); err != nil {
		t.Fatal(err)
	}
	for _, lang := range layoutLangs {
		err := chromedp.Do(b, viewport(1280, 800, false), chromedp.Navigate(a.URL+"/settings"), chromedp.WaitVisible(chromedp.CSS(`.langswitch select`)),
			setSelect(`.langswitch select`, lang), chromedp.WaitVisible(chromedp.CSS(`html[lang="`+lang+`"] .mainnav`)))
		if err != nil {
			t.Fatal(err)
		}
		for _, path := range pages {
			if err := chromedp.Do(b, viewport(390, 844, true), chromedp.Navigate(a.URL+path), chromedp.WaitReady(chromedp.CSS(`body`))); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			l := measure(t, b, path)
			if l.Scroll > l.Width || len(l.Wide) > 0 || l.Width > 390 {
				t.Errorf("%s at 390 px in %s: laid out %d px wide, scrolls to %d px: %s", path, lang, l.Width, l.Scroll, strings.Join(l.Wide, ", "))
			}
			if path == "/audit" && len(l.Scrollers) > 0 {
				t.Errorf("the audit log at 390 px in %s: its table scrolls sideways instead of folding: %s", lang, strings.Join(l.Scrollers, ", "))
			}
		}
	}
}
