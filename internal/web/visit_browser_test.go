package web_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle/internal/media"
)

// TestBrowserVisitTour: the owner goes from the institution's page to its visitor
// pages, creates a tour, uploads a recording from the tour's screen, adds stop 12
// with it, sees it in the phone preview, publishes, and opens the public link: the
// tour names the stop, the stop page has its player and the counting script loads
// under the page's policy. Any console error fails.
func TestBrowserVisitTour(t *testing.T) {
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	dir := t.TempDir()
	mp3 := filepath.Join(dir, "joconde.mp3")
	os.WriteFile(mp3, media.SilentMP3(3*time.Second), 0o600)
	b := browser(t, 150*time.Second)
	steps := append(signIn(a, n.owner.Email, pw),
		chromedp.Navigate(a.URL+"/institutions/"+itoa(n.inst.ID)),
		chromedp.Click(chromedp.CSS(`#visit-pages-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#tour-form`)),
		chromedp.SendKeys(chromedp.CSS(`#tour-form #f-title_zh`), "镇馆之宝"),
		chromedp.SendKeys(chromedp.CSS(`#tour-form #f-title_fr`), "Chefs-d'œuvre"),
		chromedp.Click(chromedp.CSS(`#tour-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#stop-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#library #f-file`), []string{mp3}),
		chromedp.Click(chromedp.CSS(`#library button[type=submit]`)),
	)
	if err := chromedp.Do(b, steps...); err != nil {
		t.Fatal(err)
	}
	if err := waitJS(b, `[...document.querySelectorAll("#f-audio_media_id option")].some(function(o){return o.textContent==="joconde.mp3"})`); err != nil {
		t.Fatalf("upload: %v", err)
	}
	audioID, err := chromedp.Run(b, chromedp.Evaluate[string](`(function(){var o=[...document.querySelectorAll("#f-audio_media_id option")].find(function(o){return o.textContent==="joconde.mp3"}); return o ? o.value : "";})()`))
	if err != nil || audioID == "" {
		t.Fatalf("the recording is not offered: %v", err)
	}
	err = chromedp.Do(b,
		chromedp.SetValue(chromedp.CSS(`#stop-form #f-number`), "12"),
		chromedp.SendKeys(chromedp.CSS(`#stop-form #f-title_zh`), "蒙娜丽莎"),
		chromedp.SendKeys(chromedp.CSS(`#stop-form #f-transcript_zh`), "这幅画是列奥纳多·达·芬奇的作品。"),
		setSelect(`#stop-form #f-audio_media_id`, audioID),
		chromedp.Click(chromedp.CSS(`#stop-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-stop="12"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The phone preview shows the tour with its stop before publication.
	if err := waitJS(b, `(function(){var f=document.querySelector("iframe.phone-frame"); return !!(f && f.contentDocument && f.contentDocument.body && f.contentDocument.body.textContent.indexOf("蒙娜丽莎")>=0);})()`); err != nil {
		t.Fatalf("phone preview: %v", err)
	}
	err = chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`#publish`)),
		chromedp.WaitVisible(chromedp.CSS(`#public-url`)),
		chromedp.WaitVisible(chromedp.CSS(`#tour-qr`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	public, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#public-url`)))
	if err != nil || !strings.HasPrefix(public, a.URL+"/v/t/") {
		t.Fatalf("public URL %q (%v)", public, err)
	}
	err = chromedp.Do(b,
		chromedp.Navigate(public),
		chromedp.WaitVisible(chromedp.CSS(`ol.stops a`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	list, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`ol.stops`)))
	if !strings.Contains(list, "12") || !strings.Contains(list, "蒙娜丽莎") {
		t.Fatalf("the public tour lists %q", list)
	}
	err = chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`ol.stops a`)),
		chromedp.WaitVisible(chromedp.CSS(`audio[data-beacon]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitJS(b, `!!document.querySelector('script[src^="/v/static/visit."]') && performance.getEntriesByType("resource").some(function(e){return e.name.indexOf("/v/static/visit.")>=0 && e.name.endsWith(".js")})`); err != nil {
		t.Errorf("the counting script did not load: %v", err)
	}
}
