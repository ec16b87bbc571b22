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
// the imported figures (ECharts on canvas, at 1366 and 390 px), and downloads the XLSX
// report by clicking its link; the file is a workbook whose figures are the page's.
// Then the organization's page, through the menu: the portfolio and its charts. The
// stopped collection of an account is said on the institution and analytics pages.
// Any console error (a CSP refusal among them) fails.
func TestBrowserAnalytics(t *testing.T) {
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	audienceSeed(t, a, n)
	ctx := context.Background()
	// Followers read ten days ago and yesterday, and a WeChat account whose
	// authorisation expired: the page charts the one and says the other.
	for i, at := range []time.Time{time.Now().AddDate(0, 0, -10), time.Now().AddDate(0, 0, -1)} {
		if err := a.DB.RecordAPIFollowers(ctx, n.weibo.ID, at, int64(12000+i*345)); err != nil {
			t.Fatal(err)
		}
	}
	if err := a.DB.MarkCollectionReauth(ctx, n.wechat.ID, "wechat: 40001 invalid credential"); err != nil {
		t.Fatal(err)
	}
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
	// Every chart is drawn by ECharts on a canvas with ink on it, from its series,
	// beside a table with one row per bar or cell.
	if err := waitJSWithin(b, chartsDrawn, 30*time.Second); err != nil {
		diag, _ := chromedp.Run(b, chromedp.Evaluate[string](chartsDiagnosis))
		t.Errorf("charts not drawn with data at 1366 px: %v (%s)", err, diag)
	}
	notice, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#collection-notices`)))
	if !strings.Contains(notice, "the account is not authorised") || !strings.Contains(notice, "WeChat") {
		t.Errorf("the analytics page does not say the WeChat account's collection stopped: %q", notice)
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

	// The organization's page, through the menu: the portfolio row of the institution
	// has its figures, and the charts are drawn.
	err = chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`.mainnav a[href="/analytics"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#portfolio-table`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	row, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#portfolio-table tr[data-institution="`+inst+`"]`)))
	if !strings.Contains(row, "Musée d'Orsay") || !strings.Contains(row, "15,000") || !strings.Contains(row, "358") || !strings.Contains(row, "12,345") {
		t.Errorf("portfolio row: %q", row)
	}
	if err := waitJSWithin(b, chartsDrawn, 30*time.Second); err != nil {
		diag, _ := chromedp.Run(b, chromedp.Evaluate[string](chartsDiagnosis))
		t.Errorf("organization charts not drawn at 1366 px: %v (%s)", err, diag)
	}

	// On a 390 px phone, both pages by the menu and links: every chart is drawn within
	// the screen and the page does not scroll sideways.
	err = chromedp.Do(b,
		viewport(390, 844, true),
		chromedp.Reload(),
		chromedp.WaitVisible(chromedp.CSS(`#portfolio-table`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitJSWithin(b, chartsDrawn, 30*time.Second); err != nil {
		diag, _ := chromedp.Run(b, chromedp.Evaluate[string](chartsDiagnosis))
		t.Errorf("organization charts not drawn at 390 px: %v (%s)", err, diag)
	}
	err = chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`#portfolio-table a[href^="/institutions/`+inst+`/analytics"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#chart-heatmap`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitJSWithin(b, chartsDrawn, 30*time.Second); err != nil {
		diag, _ := chromedp.Run(b, chromedp.Evaluate[string](chartsDiagnosis))
		t.Errorf("institution charts not drawn at 390 px: %v (%s)", err, diag)
	}
	if wide, _ := chromedp.Run(b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); wide > 390 {
		t.Errorf("the analytics page is %d px wide on a 390 px phone", wide)
	}
	// The institution page says it beside the account, with the way out.
	err = chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`.page-actions a[href="/institutions/`+inst+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#collection-stopped-`+itoa(n.wechat.ID))),
	)
	if err != nil {
		t.Fatal(err)
	}
	stopped, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#collection-stopped-`+itoa(n.wechat.ID))))
	// An editor cannot reconnect the account, so no link is offered (managers get one).
	if !strings.Contains(stopped, "the account is not authorised") || strings.Contains(stopped, "Connect it again") {
		t.Errorf("institution page, WeChat account: %q", stopped)
	}
}

// chartsDrawn is true when every chart of the page with data has an ECharts instance
// whose series carry the data, a canvas within the screen with ink on it, and a table
// with one row per bar or heatmap cell.
const chartsDrawn = `(function(){ return chartProblems().length === 0; function chartProblems(){` + chartChecks + `} })()`

// chartsDiagnosis lists what chartsDrawn found wrong.
const chartsDiagnosis = `(function(){ return chartProblems().join("; "); function chartProblems(){` + chartChecks + `} })()`

const chartChecks = `
	var out = [], ids = ["followers", "daily", "format", "platform", "theme", "weekday", "heatmap", "top"];
	if (typeof echarts === "undefined") { return ["echarts not loaded"]; }
	for (var i = 0; i < ids.length; i++) {
		var fig = document.getElementById("chart-" + ids[i]);
		if (!fig) { out.push(ids[i] + ": no figure"); continue; }
		var box = fig.querySelector(".chart-canvas");
		if (!box) { out.push(ids[i] + ": no chart (empty)"); continue; }
		var inst = echarts.getInstanceByDom(box);
		if (!inst) { out.push(ids[i] + ": no ECharts instance"); continue; }
		var series = inst.getOption().series || [];
		var n = series.length ? (series[0].data || []).length : 0;
		if (n === 0) { out.push(ids[i] + ": no data in the series"); continue; }
		var rows = fig.querySelectorAll("table tbody tr").length;
		if (rows !== n) { out.push(ids[i] + ": " + rows + " table rows for " + n + " data"); }
		var cv = box.querySelector("canvas");
		if (!cv) { out.push(ids[i] + ": no canvas"); continue; }
		var r = cv.getBoundingClientRect();
		if (r.width < 200 || r.height < 120 || r.left < 0 || r.right > document.documentElement.clientWidth + 0.5) { out.push(ids[i] + ": canvas at " + r.left + "–" + r.right + " × " + r.height); }
		var px = cv.getContext("2d").getImageData(0, 0, cv.width, cv.height).data, ink = 0;
		for (var k = 3; k < px.length; k += 4 * 5) { if (px[k] > 0) { ink++; } }
		if (ink < 100) { out.push(ids[i] + ": blank canvas"); }
	}
	return out;`
