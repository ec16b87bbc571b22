package visit_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// A visitor scans a stop's QR code at 390 px: the stop opens, its recording plays,
// "next stop" leads to the next one; nothing is fetched from another origin and the
// console stays clean.
func TestBrowserTourOnAPhone(t *testing.T) {
	path := chromiumPath(t)
	b := setup(t, storetest.SQLite(t))
	audio := id(t, b.want(b.do("POST", fmt.Sprintf("/api/v1/institutions/%d/media?filename=a.mp3", b.institution), b.token, media.SilentMP3(20*time.Second)), 201))
	tour := id(t, b.want(b.do("POST", fmt.Sprintf("/api/v1/institutions/%d/tours", b.institution), b.token, []byte(`{"title_zh": "卢浮宫语音导览"}`)), 201))
	for _, n := range []int{12, 15} {
		b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/stops", tour), b.token, fmt.Appendf(nil, `{"number": %d, "title_zh": "第%d站", "transcript_zh": "文字稿 %d。", "audio_media_id": %d}`, n, n, n, audio)), 201)
	}
	pub := b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/publish", tour), b.token, nil), 200).json(t)
	qr := pub["url"].(string) + "/12" // what the stop's QR code holds

	ctx, consoleErrs := headless(t, path, chromedp.Flag("autoplay-policy", "no-user-gesture-required"))
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		chromedp.Navigate(qr), chromedp.WaitVisible(chromedp.CSS(`audio`))); err != nil {
		t.Fatal(err)
	}
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`h1`)))
	if err != nil || !strings.Contains(h1, "第12站") {
		t.Fatalf("the QR link opened %q (%v)", h1, err)
	}
	// Play, as the visitor's tap on the player does, and wait for the time to move.
	played, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`new Promise((ok, fail) => {
		const a = document.querySelector("audio");
		a.addEventListener("error", () => fail("audio error " + (a.error && a.error.code)));
		a.play().catch(fail);
		const t = setInterval(() => { if (a.currentTime > 0.3) { clearInterval(t); ok(a.currentTime); } }, 50);
	})`, chromedp.EvalAwaitPromise))
	if err != nil || played <= 0 {
		t.Fatalf("the stop did not play: %v %v", played, err)
	}
	wide, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil || wide > 390 {
		t.Errorf("the page is %d px wide on a 390 px screen (%v)", wide, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[rel="next"]`)), chromedp.WaitVisible(chromedp.CSS(`h1`))); err != nil {
		t.Fatal(err)
	}
	h1, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`h1`)))
	if err != nil || !strings.Contains(h1, "第15站") {
		t.Fatalf("next stop is %q (%v)", h1, err)
	}
	// The "type a stop number" form.
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.CSS(`#n`), "12"), chromedp.Click(chromedp.CSS(`form.go button`)), chromedp.WaitVisible(chromedp.CSS(`a[rel="next"]`))); err != nil {
		t.Fatal(err)
	}
	foreign, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`performance.getEntriesByType("resource").map(e => e.name).filter(n => !n.startsWith(location.origin))`))
	if err != nil || len(foreign) > 0 {
		t.Errorf("fetched from other origins: %v (%v)", foreign, err)
	}
	time.Sleep(100 * time.Millisecond)
	for _, e := range consoleErrs() {
		t.Errorf("browser console: %s", e)
	}
}

// chromiumPath returns the Chromium to test with. Without one the test is skipped, or
// fails when PASSERELLE_TEST_BROWSER=1.
func chromiumPath(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (apt-get install -y chromium)"
	if os.Getenv("PASSERELLE_TEST_BROWSER") == "1" {
		t.Fatal(msg + ", and PASSERELLE_TEST_BROWSER=1 requires the browser test")
	}
	t.Skip(msg + "; set PASSERELLE_TEST_BROWSER=1 to make this a failure")
	return ""
}

// headless starts the Chromium at path, with opts besides the usual ones, for at most
// 90 seconds of the test; consoleErrs returns the console's errors and exceptions so far.
func headless(t *testing.T, path string, opts ...chromedp.ExecAllocatorOption) (ctx context.Context, consoleErrs func() []string) {
	t.Helper()
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), append([]chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-dev-shm-usage", true)}, opts...)...)
	ctx, cancel := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	var mu sync.Mutex
	var errs []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				errs = append(errs, m.String())
				mu.Unlock()
			}
		}
	}()
	return ctx, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), errs...)
	}
}
