package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"github.com/passerelle-oss/passerelle/internal/analytics"
)

// TestBrowserAnalytics: an editor goes to an institution's analytics through the
// menu and links, uploads an export of the Weibo data centre, reads the preview
// (one refused row, with its line), imports the good rows, sees the charts drawn from
// the imported figures, and downloads the XLSX report by clicking its link; the file
// is a workbook whose figures are the page's. Any console error fails.
func TestBrowserAnalytics(t *testing.T) {
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	audienceSeed(t, a, n)
	dir := t.TempDir()
	day := time.Now().In(analytics.Beijing).AddDate(0, 0, -1).Format(time.DateOnly)
	export := filepath.Join(dir, "weibo-export.csv")
	os.WriteFile(export, []byte("博文ID,日期,阅读数,转发数,评论数,点赞数\n"+
		"4900000000000001,"+day+",1.2万,10,5,300\n"+
		"4999999999999999,"+day+",100,1,1,1\n"+
		"4900000000000002,"+day+",3000,1,2,40\n"), 0o600)
	downloads := t.TempDir()
	inst := itoa(n.inst.ID)

	b := browser(t, 300*time.Second)
	steps := append(signIn(a, "editor@example.org", pw),
		// Through the menu and the links, as a person goes.
		chromedp.Click(chromedp.CSS(`.mainnav a[href="/institutions"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/institutions/`+inst+`"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/institutions/`+inst+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/institutions/`+inst+`/analytics"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/institutions/`+inst+`/analytics"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-form`)),
		// Upload the export: the preview shows the rows before anything is written.
		setSelect(`#import-account`, itoa(n.weibo.ID)),
		chromedp.SetUploadFiles(chromedp.CSS(`#import-file`), []string{export}),
		chromedp.Click(chromedp.CSS(`#import-preview`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-summary`)),
	)
	if err := chromedp.Do(b, steps...); err != nil {
		t.Fatal(err)
	}
	summary, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#import-summary`)))
	errorsText, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#import-errors`)))
	if !strings.Contains(summary, "Weibo data centre export") || !strings.Contains(errorsText, "no published post of this account") || !strings.Contains(errorsText, "3") {
		t.Errorf("preview: %q / %q", summary, errorsText)
	}
	rows, _ := chromedp.Run(b, chromedp.Evaluate[int](`document.querySelectorAll("#import-preview-table tbody tr").length`))
	if rows != 3 {
		t.Errorf("preview lists %d rows, want 3", rows)
	}
	err := chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`#skip-bad`)),
		chromedp.Click(chromedp.CSS(`#import-commit`)),
		chromedp.WaitVisible(chromedp.CSS(`#import-done`)),
		chromedp.Click(chromedp.CSS(`#import-done a.btn-primary`)),
		chromedp.WaitVisible(chromedp.CSS(`#chart-format`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	flash, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`main`)))
	if !strings.Contains(flash, "15,000") {
		t.Errorf("the headline figures lack the imported views (15,000):\n%s", flash)
	}
	// Every chart is drawn, with bars or cells that carry data, beside its table.
	if err := waitJS(b, `(function(){
		var ids = ["format", "theme", "platform", "weekday"];
		for (var i = 0; i < ids.length; i++) {
			var fig = document.getElementById("chart-" + ids[i]);
			var bars = fig.querySelectorAll("svg rect.bar");
			if (bars.length < 1 || fig.querySelectorAll("table tbody tr").length !== bars.length) return false;
			var widest = 0;
			for (var j = 0; j < bars.length; j++) { var r = bars[j].getBoundingClientRect(); if (r.height <= 0) return false; widest = Math.max(widest, r.width); }
			if (widest <= 10) return false;
		}
		var heat = document.querySelectorAll("#chart-heatmap svg rect.heat:not(.heat-0)");
		return heat.length >= 1;
	})()`); err != nil {
		t.Errorf("charts not drawn with data: %v", err)
	}
	format, _ := chromedp.Run(b, chromedp.Evaluate[string](`document.querySelector("#chart-format table").textContent`))
	if !strings.Contains(format, "Photo and text") || !strings.Contains(format, "358") {
		t.Errorf("format table %q", format)
	}

	// Download the XLSX report by clicking its link.
	progress := chromedp.Events(b, cdpbrowser.DownloadProgress)
	err = chromedp.Do(b,
		chromedp.Func(func(ctx context.Context, _ *chromedp.Target) error {
			_, err := chromedp.Call(ctx, cdpbrowser.SetDownloadBehavior, cdpbrowser.SetDownloadBehaviorParams{
				Behavior: cdpbrowser.SetDownloadBehaviorBehaviorAllowAndName, DownloadPath: downloads, EventsEnabled: ptr(true)})
			return err
		}),
		chromedp.Click(chromedp.CSS(`#report-xlsx`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	var file string
	for ev, err := range progress {
		if err != nil {
			t.Fatal(err)
		}
		if ev.State == cdpbrowser.DownloadProgressStateCanceled {
			t.Fatal("the download was cancelled")
		}
		if ev.State == cdpbrowser.DownloadProgressStateCompleted {
			file = filepath.Join(downloads, ev.GUID)
			break
		}
	}
	x, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatalf("the download is no workbook: %v", err)
	}
	defer x.Close()
	sheets := x.GetSheetList()
	found := map[string]bool{}
	for _, s := range sheets {
		cells, err := x.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, row := range cells {
			for _, c := range row {
				found[c] = true
			}
		}
	}
	if len(sheets) < 2 || !(found["15000"] || found["15,000"]) || !found["358"] {
		t.Errorf("workbook: sheets %v, views 15000 %v, interactions 358 %v", sheets, found["15000"] || found["15,000"], found["358"])
	}
}
