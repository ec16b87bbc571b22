package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/visit"
)

// TestBrowserKiosk: an editor sets a tour's kiosk pace on the tour's screen and opens
// the kiosk by its link; the kiosk moves on by itself, and a tap on its right half
// goes to the next stop. Once its service worker has cached everything, the browser
// goes offline and reloads: the kiosk still shows, with its image and recording, and
// the operator's page (opened offline) says every file is cached. Any console error
// fails.
func TestBrowserKiosk(t *testing.T) {
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	ctx := context.Background()
	mp3, _, err := a.Ed.Upload(ctx, n.owner, n.inst.ID, "joconde.mp3", bytes.NewReader(media.SilentMP3(2*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	img := image.NewRGBA(image.Rect(0, 0, 64, 48))
	for i := range img.Pix {
		img.Pix[i] = uint8(i * 7)
	}
	img.Set(0, 0, color.RGBA{200, 30, 30, 255})
	var pngBytes bytes.Buffer
	png.Encode(&pngBytes, img)
	pic, _, err := a.Ed.Upload(ctx, n.owner, n.inst.ID, "joconde.png", &pngBytes)
	if err != nil {
		t.Fatal(err)
	}
	vis := visit.New(a.DB, a.Ed.MediaStore(), a.URL, nil)
	tour := &passerelle.Tour{InstitutionID: n.inst.ID, TitleZH: "镇馆之宝", TitleFR: "Chefs-d'œuvre"}
	if err := vis.CreateTour(ctx, n.owner, tour); err != nil {
		t.Fatal(err)
	}
	for _, s := range []*passerelle.Stop{
		{TourID: tour.ID, Number: 1, TitleZH: "蒙娜丽莎", TranscriptZH: "达·芬奇的作品。", AudioMediaID: mp3.ID, ImageMediaID: pic.ID},
		{TourID: tour.ID, Number: 2, TitleZH: "胜利女神", TranscriptZH: "胜利女神像。"},
		{TourID: tour.ID, Number: 3, TitleZH: "拿破仑加冕", TranscriptZH: "大卫的作品。"},
	} {
		if err := vis.AddStop(ctx, n.owner, s); err != nil {
			t.Fatal(err)
		}
	}
	if _, _, err := vis.PublishTour(ctx, n.owner, tour.ID, true); err != nil {
		t.Fatal(err)
	}

	b := browser(t, 180*time.Second)
	steps := append(signIn(a, n.owner.Email, pw),
		chromedp.Navigate(a.URL+"/tours/"+itoa(tour.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#kiosk-form`)),
		chromedp.SetValue(chromedp.CSS(`#kiosk-form #f-pace_seconds`), "5"),
		chromedp.SetValue(chromedp.CSS(`#kiosk-form #f-idle_seconds`), "600"),
		// Mark this document, to know when the saved page has replaced it.
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.before = "save"`),
		chromedp.Click(chromedp.CSS(`#kiosk-form button[type=submit]`)),
	)
	if err := chromedp.Do(b, steps...); err != nil {
		t.Fatal(err)
	}
	if err := waitJSWithin(b, `document.readyState === "complete" && !document.body.dataset.before && !!document.querySelector("#kiosk-url") && !!document.querySelector("#kiosk-qr")`, 30*time.Second); err != nil {
		t.Fatalf("the saved page did not come: %v", err)
	}
	if v, _ := chromedp.Run(b, chromedp.Value(chromedp.CSS(`#kiosk-form #f-pace_seconds`))); v != "5" {
		t.Fatalf("the pace was not saved: %q", v)
	}
	// The click navigates: wait on the new document by script, not on a node of the
	// old one (chromedp loses it in between: "Could not find node with given id").
	if err := chromedp.Do(b, chromedp.Click(chromedp.CSS(`#kiosk-url`))); err != nil {
		t.Fatal(err)
	}
	if err := waitJSWithin(b, `location.pathname.startsWith("/v/k/") && !!document.querySelector("#s0.active")`, 30*time.Second); err != nil {
		t.Fatalf("the kiosk did not open: %v", err)
	}
	// It moves on by itself after 5 s.
	if err := waitJSWithin(b, `!!document.querySelector("#s1.active") && document.querySelector(".controls .position").textContent === "2 / 4"`, 15*time.Second); err != nil {
		t.Fatalf("the kiosk did not advance: %v", err)
	}
	// A tap on the right half goes to the next stop.
	err = chromedp.Do(b, chromedp.Evaluate[chromedp.Void](`(function(){var m=document.getElementById("slides"), x=window.innerWidth-50, y=200;
		m.dispatchEvent(new PointerEvent("pointerdown",{clientX:x,clientY:y,bubbles:true}));
		m.dispatchEvent(new PointerEvent("pointerup",{clientX:x,clientY:y,bubbles:true}));})()`))
	if err != nil {
		t.Fatal(err)
	}
	if err := waitJS(b, `!!document.querySelector("#s2.active")`); err != nil {
		t.Fatalf("a tap did not move on: %v", err)
	}
	// The worker controls the page and its cache is complete.
	if err := waitJSWithin(b, `!!navigator.serviceWorker.controller`, 60*time.Second); err != nil {
		t.Fatalf("no service worker: %v", err)
	}
	kioskURL, err := chromedp.Run(b, chromedp.Evaluate[string](`location.origin + location.pathname`))
	if err != nil {
		t.Fatal(err)
	}

	// Offline, then reload.
	goOffline(t, b)
	err = chromedp.Do(b,
		chromedp.Navigate(kioskURL),
		chromedp.WaitVisible(chromedp.CSS(`.slide.active`)),
	)
	if err != nil {
		t.Fatalf("offline reload: %v", err)
	}
	title, _ := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector("#s1 h1").textContent`))
	if !strings.Contains(title, "蒙娜丽莎") {
		t.Fatalf("offline kiosk shows %q", title)
	}
	// The image decodes and the recording loads from the cache.
	if err := waitJSWithin(b, `(function(){var i=document.querySelector("#s1 img"); return !!(i && i.complete && i.naturalWidth>0);})()`, 20*time.Second); err != nil {
		t.Errorf("offline image: %v", err)
	}
	if err := waitJSWithin(b, `(function(){var a=document.querySelector("#s1 audio"); if (a.readyState===0 && a.networkState!==2) a.load(); return a.readyState>=1 && a.duration>1;})()`, 20*time.Second); err != nil {
		t.Errorf("offline recording: %v", err)
	}
	err = chromedp.Do(b,
		chromedp.Navigate(kioskURL+"status"),
		chromedp.WaitVisible(chromedp.CSS(`#summary.ok`)),
	)
	if err != nil {
		summary, _ := chromedp.Run(b, chromedp.Evaluate[string](`(document.getElementById("summary")||{}).textContent || document.body.textContent`))
		t.Fatalf("operator's page offline: %v (%s)", err, summary)
	}
	summary, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#summary`)))
	rows, _ := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll("tr[data-url] td.state.yes").length`))
	all, _ := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll("tr[data-url]").length`))
	if !strings.Contains(summary, "Everything is cached") || rows != all || all < 8 {
		t.Errorf("operator's page: %q, %d of %d rows cached", summary, rows, all)
	}
	audioRow, _ := chromedp.Run(b, chromedp.Evaluate[string](`(function(){var r=[...document.querySelectorAll("tr[data-url]")].find(function(r){return r.dataset.url.indexOf("/v/audio/")===0}); return r ? r.querySelector(".state").textContent : "";})()`))
	if !strings.Contains(audioRow, "cached") {
		t.Errorf("the recording's row says %q", audioRow)
	}
}
