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

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/visit"
)

// TestBrowserKioskExhibition: an exhibition on a 1920×1080 touch screen in a museum.
// The editor sets the kiosk's pace (6 s) and its return to the start (15 s) on the
// exhibition's screen and opens the kiosk by its link. The kiosk fills the screen,
// a tap asks for full screen and moves on, it moves on by itself at the configured
// pace, a swipe to the left goes forward and one to the right back; a visitor taps
// "English" and walks away: 15 s later the kiosk is back at its start, in Chinese.
// Once its service worker has cached everything, the screen goes offline and reloads:
// the exhibition still shows with its images and recording, and the operator's page,
// opened offline, says everything is cached. Any console error fails.
func TestBrowserKioskExhibition(t *testing.T) {
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	ctx := context.Background()
	mp3, _, err := a.Ed.Upload(ctx, n.owner, n.inst.ID, "nympheas.mp3", bytes.NewReader(media.SilentMP3(2*time.Second)))
	if err != nil {
		t.Fatal(err)
	}
	pics := make([]*store.MediaAsset, 2)
	for i := range pics {
		img := image.NewRGBA(image.Rect(0, 0, 96, 64))
		for j := range img.Pix {
			img.Pix[j] = uint8(j*(i+3) + i)
		}
		img.Set(0, 0, color.RGBA{30, 90, 200, 255})
		var buf bytes.Buffer
		png.Encode(&buf, img)
		if pics[i], _, err = a.Ed.Upload(ctx, n.owner, n.inst.ID, "oeuvre.png", &buf); err != nil {
			t.Fatal(err)
		}
	}
	vis := visit.New(a.DB, a.Ed.MediaStore(), a.URL, nil)
	ex := &passerelle.Exhibition{InstitutionID: n.inst.ID, TitleZH: "印象派之光", TitleFR: "La lumière impressionniste", TitleEN: "Impressionist light",
		DigestZH: "奥赛博物馆的五件作品。", CoverMediaID: pics[0].ID, Rooms: []passerelle.Room{
			{TitleZH: "第一展厅", TitleEN: "Room one", Works: []passerelle.Work{
				{TitleZH: "睡莲", TitleEN: "Water Lilies", Artist: "Claude Monet", StoryZH: "莫奈晚年的作品。", StoryEN: "Monet's late work.", ImageMediaID: pics[1].ID, AudioMediaID: mp3.ID},
				{TitleZH: "煎饼磨坊的舞会", TitleEN: "Bal du moulin de la Galette", Artist: "Auguste Renoir", StoryZH: "蒙马特的星期天。"},
			}},
			{TitleZH: "第二展厅", TitleEN: "Room two", Works: []passerelle.Work{
				{TitleZH: "拾穗者", TitleEN: "The Gleaners", Artist: "Jean-François Millet", StoryZH: "三位农妇。"},
				{TitleZH: "草地上的午餐", TitleEN: "Luncheon on the Grass", Artist: "Édouard Manet", StoryZH: "引起轰动的画。"},
				{TitleZH: "阿尔的房间", TitleEN: "Bedroom in Arles", Artist: "Vincent van Gogh", StoryZH: "梵高的卧室。"},
			}},
		}}
	if err := vis.CreateExhibition(ctx, n.owner, ex); err != nil {
		t.Fatal(err)
	}
	if _, _, err := vis.PublishExhibition(ctx, n.owner, ex.ID, true); err != nil {
		t.Fatal(err)
	}

	b := browser(t, 240*time.Second)
	steps := append([]chromedp.Action[chromedp.Void]{chromedp.EmulateViewport(1920, 1080, chromedp.EmulateTouch)}, signIn(a, n.owner.Email, pw)...)
	steps = append(steps,
		chromedp.Navigate(a.URL+"/exhibitions/"+itoa(ex.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#kiosk-form`)),
		// The editor types the settings, as a person does.
		chromedp.Clear(chromedp.CSS(`#kiosk-form #f-pace_seconds`)),
		chromedp.SendKeys(chromedp.CSS(`#kiosk-form #f-pace_seconds`), "6"),
		chromedp.Clear(chromedp.CSS(`#kiosk-form #f-idle_seconds`)),
		chromedp.SendKeys(chromedp.CSS(`#kiosk-form #f-idle_seconds`), "15"),
		chromedp.Evaluate[chromedp.Void](`document.body.dataset.old = "1"`),
		chromedp.Click(chromedp.CSS(`#kiosk-form button[type=submit]`)),
	)
	if err := chromedp.Do(b, steps...); err != nil {
		t.Fatal(err)
	}
	if err := waitJSWithin(b, `document.readyState === "complete" && !document.body.dataset.old && !!document.querySelector("#kiosk-url")`, 30*time.Second); err != nil {
		t.Fatalf("the saved page did not come: %v", err)
	}
	for field, want := range map[string]string{"pace_seconds": "6", "idle_seconds": "15"} {
		if v, _ := chromedp.Run(b, chromedp.Value(chromedp.CSS(`#kiosk-form #f-`+field))); v != want {
			t.Fatalf("%s was not saved: %q", field, v)
		}
	}
	if err := chromedp.Do(b, chromedp.Evaluate[chromedp.Void](`document.body.dataset.old = "1"`), chromedp.Click(chromedp.CSS(`#kiosk-url`))); err != nil {
		t.Fatal(err)
	}
	if err := waitJSWithin(b, `!document.body.dataset.old && location.pathname.startsWith("/v/k/e/") && !!document.querySelector("#s0.active")`, 30*time.Second); err != nil {
		t.Fatalf("the kiosk did not open: %v", err)
	}
	start, err := chromedp.Run(b, chromedp.Evaluate[string](`location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	// Six slides: the cover and five works. A record of when each slide comes, to
	// measure the pace.
	err = chromedp.Do(b, chromedp.Evaluate[chromedp.Void](`window.shown = [];
		document.querySelectorAll(".slide").forEach(function (s) {
			new MutationObserver(function () { if (s.classList.contains("active")) window.shown.push([s.id, performance.now()]); }).observe(s, {attributes: true, attributeFilter: ["class"]});
		});`))
	if err != nil {
		t.Fatal(err)
	}
	if n, _ := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll(".slide").length`)); n != 6 {
		t.Fatalf("%d slides, want 6", n)
	}

	// The cover fills the 1920×1080 screen; nothing scrolls; the controls are on it.
	fillsScreen(t, b)

	// A tap on the right half, away from the text: full screen, and the next slide.
	if err := chromedp.Do(b, chromedp.TapXY(1800, 60)); err != nil {
		t.Fatal(err)
	}
	if err := waitJS(b, `!!document.querySelector("#s1.active") && document.fullscreenElement === document.documentElement`); err != nil {
		fs, _ := chromedp.Run(b, chromedp.Evaluate[string](`String(document.fullscreenElement && document.fullscreenElement.tagName) + " " + document.querySelector(".slide.active").id`))
		t.Fatalf("a tap: %v (full screen, slide: %s)", err, fs)
	}
	// So does a work with its image and recording.
	fillsScreen(t, b)
	// By itself, at the configured pace: s2 six seconds after s1, then s3.
	if err := waitJSWithin(b, `!!document.querySelector("#s3.active")`, 25*time.Second); err != nil {
		t.Fatalf("the kiosk did not move on by itself: %v", err)
	}
	gaps, err := chromedp.Run(b, chromedp.Evaluate[[]float64](`(function(){var s=window.shown, out=[];
		for (var i=1;i<s.length;i++) if (s[i-1][0]==="s"+(i) && s[i][0]==="s"+(i+1)) out.push((s[i][1]-s[i-1][1])/1000); return out;})()`))
	if err != nil || len(gaps) != 2 {
		shown, _ := chromedp.Run(b, chromedp.Evaluate[string](`JSON.stringify(window.shown)`))
		t.Fatalf("slides shown: %s (%v)", shown, err)
	}
	for _, g := range gaps {
		// 6 s; a loaded machine's timers fire late, never early.
		if g < 5.9 || g > 9 {
			t.Errorf("a slide stayed %.2f s, want 6", g)
		}
	}

	// A swipe to the left goes forward, one to the right goes back.
	now, _ := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector(".slide.active").id`))
	next := map[string]string{"s3": "s4", "s4": "s5", "s5": "s0"}[now]
	if err := chromedp.Do(b, swipe(1500, 300, 60)); err != nil {
		t.Fatal(err)
	}
	if err := waitJS(b, `document.querySelector(".slide.active").id === "`+next+`"`); err != nil {
		t.Fatalf("a swipe to the left from %s: %v", now, err)
	}
	if err := chromedp.Do(b, swipe(300, 1500, 60)); err != nil {
		t.Fatal(err)
	}
	if err := waitJS(b, `document.querySelector(".slide.active").id === "`+now+`"`); err != nil {
		t.Fatalf("a swipe to the right back to %s: %v", now, err)
	}

	// A visitor switches to English and walks away.
	// (A touch on a link, dispatched through the DevTools protocol, reaches it as
	// touch and pointer events but headless Chromium makes no click of it: the link
	// is clicked.)
	if err := chromedp.Do(b, chromedp.Evaluate[chromedp.Void](`document.body.dataset.old = "1"`), chromedp.Click(chromedp.CSS(`.controls .langs a[hreflang=en]`))); err != nil {
		t.Fatal(err)
	}
	left := time.Now()
	if err := waitJS(b, `!document.body.dataset.old && document.documentElement.lang === "en" && !!document.querySelector("#s0.active")`); err != nil {
		where, _ := chromedp.Run(b, chromedp.Evaluate[string](`location.href + " " + document.documentElement.lang`))
		t.Fatalf("the English kiosk did not open: %v (%s)", err, where)
	}
	if title, _ := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector("#s1 h1").textContent`)); !strings.Contains(title, "Water Lilies") {
		t.Fatalf("the English kiosk shows %q", title)
	}
	if err := chromedp.Do(b, chromedp.Evaluate[chromedp.Void](`document.body.dataset.old = "1"`)); err != nil {
		t.Fatal(err)
	}
	if err := waitJSWithin(b, `!document.body.dataset.old && location.pathname === "`+start+`" && document.documentElement.lang === "zh-Hans" && !!document.querySelector("#s0.active")`, 40*time.Second); err != nil {
		t.Fatalf("the kiosk did not come back to its start: %v", err)
	}
	if idle := time.Since(left); idle < 14*time.Second {
		t.Errorf("back at the start after %s, want 15 s without a touch", idle)
	}

	// The worker controls the page and has cached everything: offline, then reload.
	if err := waitJSWithin(b, `!!navigator.serviceWorker.controller`, 60*time.Second); err != nil {
		t.Fatalf("no service worker: %v", err)
	}
	kioskURL, err := chromedp.Run(b, chromedp.Evaluate[string](`location.origin + location.pathname`))
	if err != nil {
		t.Fatal(err)
	}
	goOffline(t, b)
	if err := chromedp.Do(b, chromedp.Navigate(kioskURL), chromedp.WaitVisible(chromedp.CSS(`#s0.active`))); err != nil {
		t.Fatalf("offline reload: %v", err)
	}
	if title, _ := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector("#s1 h1").textContent`)); !strings.Contains(title, "睡莲") {
		t.Fatalf("the offline kiosk shows %q", title)
	}
	for _, sel := range []string{"#s0 img", "#s1 img"} {
		if err := waitJSWithin(b, `(function(){var i=document.querySelector("`+sel+`"); return !!(i && i.complete && i.naturalWidth>0);})()`, 20*time.Second); err != nil {
			t.Errorf("offline image %s: %v", sel, err)
		}
	}
	if err := waitJSWithin(b, `(function(){var a=document.querySelector("#s1 audio"); if (a.readyState===0 && a.networkState!==2) a.load(); return a.readyState>=1 && a.duration>1;})()`, 20*time.Second); err != nil {
		t.Errorf("offline recording: %v", err)
	}
	// Offline, it still moves on at its pace and follows a swipe.
	if err := chromedp.Do(b, swipe(1500, 300, 60)); err != nil {
		t.Fatal(err)
	}
	if err := waitJS(b, `document.querySelector(".slide.active").id === "s1"`); err != nil {
		t.Errorf("offline swipe: %v", err)
	}
	if err := waitJSWithin(b, `document.querySelector(".slide.active").id === "s2"`, 15*time.Second); err != nil {
		t.Errorf("offline pace: %v", err)
	}

	// The operator's page, opened offline, says everything is cached.
	if err := chromedp.Do(b, chromedp.Navigate(kioskURL+"status"), chromedp.WaitVisible(chromedp.CSS(`#summary.ok`))); err != nil {
		summary, _ := chromedp.Run(b, chromedp.Evaluate[string](`(document.getElementById("summary")||{}).textContent || document.body.textContent`))
		t.Fatalf("operator's page offline: %v (%s)", err, summary)
	}
	summary, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#summary`)))
	cached, _ := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll("tr[data-url] td.state.yes").length`))
	all, _ := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll("tr[data-url]").length`))
	kinds, _ := chromedp.Run(b, chromedp.Evaluate[string](`[...document.querySelectorAll("tr[data-url]")].map(function(r){return r.dataset.url.split("/")[2]}).sort().join(" ")`))
	// Three languages, the status page, the manifest, script and style, two images
	// and the recording.
	if !strings.Contains(summary, "Everything is cached") || cached != all || all < 10 || strings.Count(kinds, "img") != 2 || strings.Count(kinds, "audio") != 1 {
		t.Errorf("operator's page: %q, %d of %d rows cached (%s)", summary, cached, all, kinds)
	}
}

// fillsScreen checks that the active slide fills the 1920×1080 screen without
// scrolling, its last line above the controls, which span the bottom of the screen.
func fillsScreen(t *testing.T, b context.Context) {
	t.Helper()
	layout, err := chromedp.Run(b, chromedp.Evaluate[string](`(function(){var s=document.querySelector(".slide.active"), r=s.getBoundingClientRect(), c=document.querySelector(".controls").getBoundingClientRect();
		var last=[...s.querySelectorAll(".text > *")].pop().getBoundingClientRect();
		var ok = innerWidth===1920 && innerHeight===1080 && r.left===0 && r.top===0 && r.width===innerWidth && Math.abs(r.height-innerHeight)<1 &&
			document.documentElement.scrollHeight<=innerHeight && document.documentElement.scrollWidth<=innerWidth && c.bottom===innerHeight && c.width===innerWidth && last.bottom<=c.top;
		return ok ? "" : JSON.stringify({slide:s.id,w:innerWidth,h:innerHeight,rect:r,controls:c,last:last,sh:document.documentElement.scrollHeight,sw:document.documentElement.scrollWidth});})()`))
	if err != nil || layout != "" {
		t.Fatalf("the kiosk does not fill the screen: %v %s", err, layout)
	}
}

// swipe drags one finger from (x0, y) to (x1, y) in a few moves, as on a touch screen.
func swipe(x0, x1, y float64) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		one := 1.0
		zero := 0.0
		point := func(x float64) []*input.TouchPoint {
			return []*input.TouchPoint{{X: x, Y: y, RadiusX: &one, RadiusY: &one, Force: &one, ID: &zero}}
		}
		if _, err := cdp.Call(ctx, t, input.DispatchTouchEvent, input.DispatchTouchEventParams{Type: input.DispatchTouchEventTypeTouchStart, TouchPoints: point(x0)}); err != nil {
			return err
		}
		for i := 1; i <= 6; i++ {
			x := x0 + (x1-x0)*float64(i)/6
			if _, err := cdp.Call(ctx, t, input.DispatchTouchEvent, input.DispatchTouchEventParams{Type: input.DispatchTouchEventTypeTouchMove, TouchPoints: point(x)}); err != nil {
				return err
			}
			time.Sleep(16 * time.Millisecond)
		}
		_, err := cdp.Call(ctx, t, input.DispatchTouchEvent, input.DispatchTouchEventParams{Type: input.DispatchTouchEventTypeTouchEnd, TouchPoints: []*input.TouchPoint{}})
		return err
	})
}

// goOffline cuts the page and its service worker off the network.
func goOffline(t *testing.T, b context.Context) {
	t.Helper()
	err := chromedp.Do(b, chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		if _, err := cdp.Call(ctx, t, network.Enable, network.EnableParams{}); err != nil {
			return err
		}
		yes := true
		if _, err := cdp.Call(ctx, t, network.EmulateNetworkConditionsByRule, network.EmulateNetworkConditionsByRuleParams{
			EmulateOfflineServiceWorker: &yes,
			MatchedNetworkConditions:    []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}},
		}); err != nil {
			return err
		}
		_, err := cdp.Call(ctx, t, network.OverrideNetworkState, network.OverrideNetworkStateParams{Offline: true, DownloadThroughput: -1, UploadThroughput: -1})
		return err
	}))
	if err != nil {
		t.Fatal(err)
	}
	if err := waitJS(b, `navigator.onLine === false`); err != nil {
		t.Fatalf("not offline: %v", err)
	}
}
