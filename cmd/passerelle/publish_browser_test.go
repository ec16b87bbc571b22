package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/demo"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// consoleErrors collects what a page reports as an error: console.error calls,
// uncaught exceptions and browser log errors (a CSP violation, a failed load).
type consoleErrors struct {
	mu   sync.Mutex
	list []string
}

func (c *consoleErrors) add(s string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.list = append(c.list, s)
}

func (c *consoleErrors) check(t *testing.T) {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, e := range c.list {
		t.Errorf("browser console: %s", e)
	}
	c.list = nil
}

// headless starts a headless Chromium that fails the test on any console error. The
// browser is required when PASSERELLE_TEST_BROWSER=1 (as in CI), else the test is
// skipped without one.
func headless(t *testing.T, timeout time.Duration) (context.Context, *consoleErrors) {
	t.Helper()
	path := ""
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		if os.Getenv("PASSERELLE_TEST_BROWSER") == "1" {
			t.Fatal("no Chromium found, and PASSERELLE_TEST_BROWSER=1 requires the browser test")
		}
		t.Skip("no Chromium found; set PASSERELLE_TEST_BROWSER=1 to make this a failure")
	}
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.NoDefaultBrowserCheck, chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true), chromedp.Flag("disable-extensions", true), chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-GB"), chromedp.WindowSize(1280, 800)}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	errs := &consoleErrors{}
	messages := chromedp.Console(ctx)
	go func() {
		for msg, err := range messages {
			if err != nil {
				return
			}
			if msg.Type == chromedp.ConsoleError || msg.IsException() {
				errs.add(msg.String())
			}
		}
	}()
	return ctx, errs
}

// settled waits until the page and its frames have loaded and two animation frames
// have passed, so that the layout no longer moves under the pointer: a click computed
// before a late frame's resize lands on whatever moved there.
// browserStep runs one step of a browser test within two minutes, and on failure
// says where the page was and what it showed.
func browserStep(t *testing.T, ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	defer cancel()
	if err := chromedp.Do(sctx, actions...); err != nil {
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		main, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
		t.Fatalf("%s: %v\n%s\n%s", what, err, loc, main)
	}
}

func settled() chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.Poll[chromedp.Void](`document.readyState === "complete" && Array.from(document.querySelectorAll("iframe")).every(function (f) { return !f.contentDocument || f.contentDocument.readyState === "complete"; })`),
		chromedp.Evaluate[chromedp.Void](`new Promise(function (ok) { requestAnimationFrame(function () { requestAnimationFrame(function () { ok(); }); }); })`, chromedp.EvalAwaitPromise),
	)
}

// TestBrowserPublishing is issue 8's browser test, on the demo: an editor schedules a
// WeChat article on the verified Orsay account from the post page and sees it
// published with its link; then opens the copy-ready kit of a Xiaohongshu note, copies
// its text, is told when the address is not a Xiaohongshu note, and marks it
// published. The outbox, notifications and jobs pages open from the navigation.
func TestBrowserPublishing(t *testing.T) {
	t.Parallel()
	ctx, console := headless(t, 8*time.Minute) // -race on a busy machine: each step has its own bound below
	m := bootDemo(t)
	bg := context.Background()
	owner, _, _ := m.DB.UserByEmail(bg, demo.OwnerEmail)
	wx := demoAccount(t, m, owner, "gh_orsay")
	if res, err := m.Connect.Test(bg, owner, wx.ID, "en"); err != nil || !res.CanPublish {
		t.Fatalf("connection test: %+v %v", res, err)
	}
	edit := editorial.New(editorial.Options{DB: m.DB, DataDir: m.Config.DataDir})
	img := demoImage(t, m, owner, wx)
	article := approvedPost(t, edit, owner, wx, editorial.PublicationInput{WeChat: &editorial.ArticleInput{Title: "莫奈的睡莲", Digest: "奥赛博物馆",
		BodyHTML: "<p>莫奈的睡莲</p>", CoverMediaID: img}}, "莫奈的睡莲")
	wxPub := article.Publications[0]
	xhs := &passerelle.Account{InstitutionID: wx.InstitutionID, Platform: passerelle.Xiaohongshu, Kind: passerelle.AccountManaged, Handle: "orsay_xhs", DisplayName: "奥赛博物馆"}
	if err := m.DB.CreateAccount(bg, owner.OrgID, xhs); err != nil {
		t.Fatal(err)
	}
	note := approvedPost(t, edit, owner, xhs, editorial.PublicationInput{Format: passerelle.FormatPhotoText, Topics: []string{"印象派"}, MediaIDs: []int64{img}},
		"奥赛博物馆的睡莲\n莫奈晚年的杰作，在奥赛博物馆展出。")
	xhsPub := note.Publications[0]
	if xhsPub.Mode != passerelle.ModeAssisted {
		t.Fatalf("Xiaohongshu mode %s", xhsPub.Mode)
	}
	base := m.URL()
	pub := func(id int64) string { return fmt.Sprintf("#publication-%d", id) }
	// click waits for the page to finish loading (its WeChat preview frame resizes
	// itself on load, which moves what is below it), brings an element to the middle
	// of the screen and clicks it, as a person does. The middle, not the edge: the
	// post page's side panel scrolls on its own under the sticky header, and an
	// element scrolled just into view there sits under the header (the click then
	// lands on the user's name).
	click := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(settled(), chromedp.WaitVisible(chromedp.CSS(sel)),
			chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`document.querySelector(%q).scrollIntoView({block: "center", inline: "center"})`, sel)),
			chromedp.Click(chromedp.CSS(sel)))
	}
	// step runs actions with a bound, and shows the page when they fail.
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 3*time.Minute) // generous: -race on a busy machine
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			main, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
			t.Fatalf("%s: %v\n%s\n%s", what, err, loc, main)
		}
	}

	err := chromedp.Do(ctx,
		// A tall window: the post page's side panel is long.
		chromedp.EmulateViewport(1280, 2400),
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), demo.OwnerEmail),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), demo.Password),
		click(`form[action="/login"] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.mainnav`)),
		chromedp.Navigate(fmt.Sprintf("%s/posts/%d", base, article.ID)),
		chromedp.WaitVisible(chromedp.CSS(pub(wxPub.ID)+`[data-state="pending"]`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	reason, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(pub(wxPub.ID)+` .mode-reason`)))
	if err != nil || reason == "" {
		t.Fatalf("no reason for the automatic mode: %q %v", reason, err)
	}

	// Schedule it at the next whole minute (the form takes minutes), in Paris time.
	paris, _ := time.LoadLocation("Europe/Paris")
	due := time.Now().Add(75 * time.Second).Truncate(time.Minute)
	step("schedule",
		chromedp.SetValue(chromedp.CSS(`.sched-form input[name=at]`), due.In(paris).Format("2006-01-02T15:04")),
		click(`.sched-form button`),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
		click(`button[data-move="scheduled"]`),
		chromedp.WaitVisible(chromedp.CSS(`.status-scheduled`)),
		chromedp.WaitVisible(chromedp.CSS(pub(wxPub.ID)+`[data-state="scheduled"]`)),
	)
	// Reload as a person would until it is out.
	deadline := time.Now().Add(time.Until(due) + 45*time.Second)
	for {
		n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll(`+"`"+pub(wxPub.ID)+`[data-state="published"] a.platform-link`+"`"+`).length`))
		if err != nil {
			t.Fatal(err)
		}
		if n == 1 {
			break
		}
		if time.Now().After(deadline) {
			d, _ := m.DB.Delivery(bg, wxPub.ID)
			t.Fatalf("not shown published by %v (due %v): %+v", time.Now(), due, d.Publication)
		}
		if err := chromedp.Do(ctx, chromedp.Sleep(2*time.Second), chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#publishing`))); err != nil {
			t.Fatal(err)
		}
	}
	link, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(pub(wxPub.ID)+` a.platform-link`), "href"))
	if err != nil {
		t.Fatal(err)
	}
	d, _ := m.DB.Delivery(bg, wxPub.ID)
	if !link.Exists || link.Value != d.Publication.URL || d.Publication.PlatformPostID == "" || d.Publication.Attempts != 1 {
		t.Fatalf("link %+v, publication %+v", link, d.Publication)
	}
	console.check(t)

	// The Xiaohongshu note: open its kit from the post page.
	err = chromedp.Do(ctx,
		chromedp.Navigate(fmt.Sprintf("%s/posts/%d", base, note.ID)),
		click(pub(xhsPub.ID)+` a[href$="/kit"]`),
		chromedp.WaitVisible(chromedp.CSS(`#kit-text`)),
		chromedp.WaitVisible(chromedp.CSS(`img.kit-qr`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#kit-text`)))
	if err != nil || !strings.Contains(text, "#印象派") || strings.Contains(text, "#印象派#") {
		t.Fatalf("kit text %q (%v): topics in Xiaohongshu's syntax expected", text, err)
	}
	before, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#copy-text`)))
	qrOK, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.querySelector("img.kit-qr").naturalWidth > 100`))
	if err != nil || !qrOK {
		t.Fatalf("QR code not loaded: %v", err)
	}
	if err := chromedp.Do(ctx, click(`#copy-text`)); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](fmt.Sprintf(`document.querySelector("#copy-text").textContent !== %q`, before))); err != nil {
		t.Fatalf("the copy button did not say it copied: %v", err)
	}
	err = chromedp.Do(ctx,
		// A Weibo address is refused, in the page.
		chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`#mark-url-%d`, xhsPub.ID)), "https://m.weibo.cn/status/4890123456789012"),
		click(`button.mark-published`),
		chromedp.WaitVisible(chromedp.CSS(`.flash-error`)),
		chromedp.WaitVisible(chromedp.CSS(pub(xhsPub.ID)+`[data-state="pending"]`)),
		chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`#mark-url-%d`, xhsPub.ID)), "https://www.xiaohongshu.com/explore/65a1b2c3d4e5f60718293a4b"),
		click(`button.mark-published`),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
		chromedp.WaitVisible(chromedp.CSS(pub(xhsPub.ID)+`[data-state="published"] a.platform-link`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if d, _ := m.DB.Delivery(bg, xhsPub.ID); d.Publication.State != passerelle.DeliveryPublished || d.Publication.PlatformPostID != "65a1b2c3d4e5f60718293a4b" {
		t.Fatalf("marked: %+v", d.Publication)
	}
	console.check(t)

	// The other pages, from the navigation.
	err = chromedp.Do(ctx,
		click(`.mainnav a[href="/outbox"]`),
		chromedp.WaitVisible(chromedp.CSS(`#outbox-attention`)),
		click(`.mainnav a[href="/jobs"]`),
		chromedp.WaitVisible(chromedp.CSS(`table [data-job]`)),
		click(`#bell`),
		chromedp.WaitVisible(chromedp.CSS(`.notifications, .empty`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("PASSERELLE_SCREENSHOTS"); dir != "" {
		for _, p := range []struct{ name, path string }{
			{"post-publishing", fmt.Sprintf("/posts/%d#publishing", article.ID)}, {"kit", fmt.Sprintf("/publications/%d/kit", xhsPub.ID)},
			{"outbox", "/outbox"}, {"jobs", "/jobs"}, {"notifications", "/notifications"},
		} {
			for _, v := range []struct {
				suffix string
				w, h   int64
				mobile bool
			}{{"desktop", 1280, 800, false}, {"phone", 390, 844, true}} {
				vp := chromedp.EmulateViewport(v.w, v.h)
				if v.mobile {
					vp = chromedp.EmulateViewport(v.w, v.h, chromedp.EmulateScale(2), chromedp.EmulateMobile)
				}
				if err := chromedp.Do(ctx, vp, chromedp.Navigate(base+p.path), chromedp.WaitReady(chromedp.CSS(`body`))); err != nil {
					t.Fatal(err)
				}
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, p.name+"-"+v.suffix+".png"), png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	console.check(t)
}
