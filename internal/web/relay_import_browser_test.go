package web_test

import (
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserRelayFiguresImport: the owner goes to the campaign through the menu,
// uploads the partners' figures (the UTF-8 sample), reads the preview, imports, and
// sees the relays' new figures (the WeChat relay's 10万+ as 100,000+) and where they
// came from, at 1366 and 390 px without the page growing sideways. Any console error
// (a CSP refusal among them) fails.
func TestBrowserRelayFiguresImport(t *testing.T) {
	a, _, campID := relayImportCampaign(t)
	sample, err := filepath.Abs("../partners/testdata/relay_figures_utf8.csv")
	if err != nil {
		t.Fatal(err)
	}
	b := browser(t, 60*time.Second)
	failOnConsoleErrors(t, b)
	camp := `a[href="/campaigns/` + itoa(campID) + `"]`
	steps := append(signIn(a, "owner@example.org", "correct-horse-battery"),
		chromedp.Click(chromedp.CSS(`.mainnav a[href="/partners"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/campaigns"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/campaigns"]`)),
		chromedp.WaitVisible(chromedp.CSS(camp)),
		chromedp.Click(chromedp.CSS(camp)),
		chromedp.WaitVisible(chromedp.CSS(`#ri-file`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#ri-file`), []string{sample}),
		chromedp.Click(chromedp.CSS(`#relay-import-preview`)),
		chromedp.WaitVisible(chromedp.CSS(`#relay-import-rows`)),
	)
	if err := chromedp.Do(b, steps...); err != nil {
		t.Fatal(err)
	}
	rows, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#relay-import-rows tbody`)))
	if !strings.Contains(rows, "12,000") || !strings.Contains(rows, "100,000+") || !strings.Contains(rows, "recorded as relayed") {
		t.Fatalf("preview rows: %q", rows)
	}
	if err := chromedp.Do(b, chromedp.Click(chromedp.CSS(`#relay-import-commit`)), chromedp.WaitVisible(chromedp.CSS(`#relays`))); err != nil {
		t.Fatal(err)
	}
	for _, w := range []int64{1366, 390} {
		if err := chromedp.Do(b, chromedp.EmulateViewport(w, 900), chromedp.Sleep(200*time.Millisecond)); err != nil {
			t.Fatal(err)
		}
		if wide, _ := chromedp.Run(b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); wide > int(w) {
			t.Fatalf("the campaign page is %d px wide at %d px", wide, w)
		}
	}
	table, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#relays`)))
	if !strings.Contains(table, "100,000+") || !strings.Contains(table, "Imported 0 min ago") {
		t.Fatalf("campaign relays after the import: %q", table)
	}
}
