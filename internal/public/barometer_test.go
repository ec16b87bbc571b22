package public_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/barometer"
	"github.com/passerelle-oss/passerelle/internal/public"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// serve boots the public routes over a store holding the 2016 seed and its edition.
func serve(t *testing.T) *httptest.Server {
	t.Helper()
	ctx := context.Background()
	db := storetest.SQLite(t)
	org, err := db.CreateOrganization(ctx, "Agence")
	if err != nil {
		t.Fatal(err)
	}
	if err := barometer.ImportSeed(ctx, db, org.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.PublishBarometer(ctx, org.ID, "agence"); err != nil {
		t.Fatal(err)
	}
	// A second organization, public, with no edition; a third with figures that did
	// not choose to publish.
	other, err := db.CreateOrganization(ctx, "Autre")
	if err != nil {
		t.Fatal(err)
	}
	if err := db.PublishBarometer(ctx, other.ID, "autre"); err != nil {
		t.Fatal(err)
	}
	private, err := db.CreateOrganization(ctx, "Privée")
	if err != nil {
		t.Fatal(err)
	}
	if err := barometer.ImportSeed(ctx, db, private.ID); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Options{DB: db})
	public.RegisterBarometer(srv, db, &barometer.Service{DB: db})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	return ts
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest("GET", url, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	// A bare transport, so that gzip is not undone behind our back.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestPage(t *testing.T) {
	t.Parallel()
	ts := serve(t)
	tests := []struct {
		name, query, accept string
		status              int
		contains            []string
	}{
		{"french", "?lang=fr", "", 200, []string{`lang="fr"`, "Musée du Louvre", "59\u202f519", "27,57\u202f%", "Méthodologie", "2016Q3", "pas de donnée"}},
		{"english from the browser", "", "en-GB,en;q=0.9", 200, []string{`lang="en"`, "59,519", "27.57%", "Methodology", "Weibo"}},
		{"chinese from the browser", "", "zh-CN,zh;q=0.9,en;q=0.5", 200, []string{`lang="zh-Hans"`, "计算方法", "微博", "粉丝数"}},
		{"weibo edition", "?lang=en&platform=weibo", "", 200, []string{"Rijksmuseum", "France Patrimoine Musées"}},
		{"non-French institutions", "?lang=en&country=!FR", "", 200, []string{"Metropolitan Museum of Art"}},
		{"by slug", "?org=agence&lang=en", "", 200, []string{"Musée du Louvre"}},
		{"second organization: nothing published", "?org=autre&lang=en", "", 404, []string{"No barometer is published yet."}},
		{"unknown organization", "?org=nobody", "", 404, nil},
		// Issue 9, finding 8: an organization that did not publish, by id or by any
		// name, is not found, and ids are not accepted at all.
		{"sequential id", "?org=1", "", 404, nil},
		{"unpublished organization's id", "?org=3", "", 404, nil},
		{"unpublished organization's name", "?org=privee", "", 404, nil},
		{"unknown platform", "?platform=myspace", "", 404, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := get(t, ts.URL+"/barometer"+tc.query, map[string]string{"Accept-Language": tc.accept})
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d: %s", resp.StatusCode, tc.status, body)
			}
			for _, s := range tc.contains {
				if !bytes.Contains(body, []byte(s)) {
					t.Errorf("page lacks %q", s)
				}
			}
		})
	}
	_, body := get(t, ts.URL+"/barometer?lang=en&country=!FR", nil)
	if bytes.Contains(body, []byte("Musée du Louvre")) {
		t.Error("the country filter kept a French institution")
	}
}

// TestPageEmbeddableAndSelfContained: the page may be framed by any site, loads nothing
// from anywhere, runs no script, and weighs under 30 KB compressed.
func TestPageEmbeddableAndSelfContained(t *testing.T) {
	t.Parallel()
	ts := serve(t)
	resp, body := get(t, ts.URL+"/barometer", map[string]string{"Accept-Encoding": "gzip"})
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Fatalf("status %d, encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
	if len(body) >= 30<<10 {
		t.Errorf("page is %d bytes gzipped, want < 30 KB", len(body))
	}
	t.Logf("page: %d bytes gzipped", len(body))
	zr, err := gzip.NewReader(bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	html, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	csp := resp.Header.Get("Content-Security-Policy")
	if !strings.Contains(csp, "frame-ancestors *") || strings.Contains(csp, "frame-ancestors 'self'") || !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if xfo := resp.Header.Get("X-Frame-Options"); xfo != "" {
		t.Errorf("X-Frame-Options %q forbids embedding", xfo)
	}
	for _, bad := range []string{"<script", "<link", "<iframe", "@import", "url("} {
		if bytes.Contains(html, []byte(bad)) {
			t.Errorf("page contains %q", bad)
		}
	}
	for _, m := range regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllSubmatch(html, -1) {
		if u := string(m[1]); !strings.HasPrefix(u, "/") || strings.HasPrefix(u, "//") {
			t.Errorf("reference to another origin: %s", u)
		}
	}
	// Ten bars, drawn twice: for wide screens and for phones.
	if n := bytes.Count(html, []byte(`<rect class="bar"`)); n != 20 {
		t.Errorf("chart has %d bars, want 20", n)
	}
}

func TestDownloads(t *testing.T) {
	t.Parallel()
	ts := serve(t)
	resp, body := get(t, ts.URL+"/barometer.csv?platform=weibo", nil)
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	recs, err := csv.NewReader(bytes.NewReader(body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 11 || recs[1][0] != "1" || recs[1][1] != "Musée du Louvre" || recs[1][4] != "59519" {
		t.Errorf("csv %q", recs[:2])
	}
	resp, body = get(t, ts.URL+"/barometer.json", nil)
	var tab barometer.Table
	if err := json.Unmarshal(body, &tab); err != nil || resp.StatusCode != 200 {
		t.Fatalf("json %d: %v", resp.StatusCode, err)
	}
	if tab.Period != "2016Q3" || tab.Platform != "all" || tab.TotalFollowers != 215899 || tab.EditionID == nil {
		t.Errorf("json table %+v", tab)
	}
}

// TestBrowserPage opens the page in a real headless Chromium, checks what a visitor
// sees, and that the browser fetched nothing beyond the page itself.
func TestBrowserPage(t *testing.T) {
	path := ""
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			path = p
			break
		}
	}
	if path == "" {
		msg := "no Chromium found (apt-get install -y chromium)"
		if os.Getenv("PASSERELLE_TEST_BROWSER") == "1" {
			t.Fatal(msg + ", and PASSERELLE_TEST_BROWSER=1 requires the browser test")
		}
		t.Skip(msg + "; set PASSERELLE_TEST_BROWSER=1 to make this a failure")
	}
	ts := serve(t)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.NoFirstRun, chromedp.UserDataDir(t.TempDir()), chromedp.Flag("disable-background-networking", true), chromedp.Flag("disable-dev-shm-usage", true))
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(actx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 45*time.Second)
	defer cancelTimeout()
	if err := chromedp.Do(ctx, chromedp.Navigate(ts.URL+"/barometer?lang=en"), chromedp.WaitVisible(chromedp.CSS(`table`))); err != nil {
		t.Fatal(err)
	}
	first, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`tbody tr`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(first, "Musée du Louvre") || !strings.Contains(first, "59,519") {
		t.Errorf("first row %q", first)
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`Array.from(document.querySelectorAll("svg rect.bar")).filter(r => r.getBoundingClientRect().width > 0).length`))
	if err != nil || bars != 10 {
		t.Errorf("%d bars (%v)", bars, err)
	}
	// Every resource the page loaded came from the page's own origin.
	foreign, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`performance.getEntriesByType("resource").map(e => e.name).filter(n => !n.startsWith(location.origin))`))
	if err != nil || len(foreign) != 0 {
		t.Errorf("foreign resources %v (%v)", foreign, err)
	}
	// The language switch leads to the Chinese page.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a[hreflang="zh-Hans"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-Hans"] table`))); err != nil {
		t.Fatal(err)
	}
	h, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`h1`)))
	if err != nil || !strings.Contains(h, "影响力榜") {
		t.Errorf("Chinese title %q (%v)", h, err)
	}

	// On a phone, in every language: no sideways scrolling, the table fits, the
	// chart's labels are readable and no column header breaks into a column of
	// characters.
	probe := `(function(){var W=document.documentElement.clientWidth, tb=document.querySelector("table").getBoundingClientRect();
	  var label=Array.from(document.querySelectorAll("svg text")).map(e=>e.getBoundingClientRect()).filter(r=>r.height>0)[0];
	  var th=Array.from(document.querySelectorAll("th")).filter(e=>e.getBoundingClientRect().width>0).map(e=>e.getBoundingClientRect().height);
	  return JSON.stringify({w:W, scroll:document.documentElement.scrollWidth, table:Math.round(tb.width), label:label?label.height:0, th:Math.max.apply(null, th)})})()`
	for _, lang := range []string{"fr", "en", "zh-Hans"} {
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile), chromedp.Navigate(ts.URL+"/barometer?lang="+lang), chromedp.WaitVisible(chromedp.CSS(`table`))); err != nil {
			t.Fatal(err)
		}
		js, err := chromedp.Run(ctx, chromedp.Evaluate[string](probe))
		if err != nil {
			t.Fatal(err)
		}
		var m struct {
			W, Scroll, Table int
			Label, Th        float64
		}
		json.Unmarshal([]byte(js), &m)
		if m.Scroll > m.W || m.Table > m.W || m.Label < 10 || m.Th > 40 {
			t.Errorf("phone, %s: %s (want no overflow, labels ≥ 10 px, one-line headers)", lang, js)
		}
	}
}

// TestProvisionalTable: with readings imported and no edition published yet, the page
// and the downloads show the latest quarter's live figures, marked provisional.
func TestProvisionalTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.SQLite(t)
	org, _ := db.CreateOrganization(ctx, "Agence")
	if err := db.PublishBarometer(ctx, org.ID, "agence"); err != nil {
		t.Fatal(err)
	}
	svc := &barometer.Service{DB: db}
	csv := "date,institution,country,platform,followers\n2026-10-05,Musée Rodin,FR,weibo,1200\n2026-10-05,Tate Modern,GB,weibo,3400\n"
	if _, err := svc.Import(ctx, org.ID, strings.NewReader(csv)); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Options{DB: db})
	public.RegisterBarometer(srv, db, svc)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	resp, body := get(t, ts.URL+"/barometer?lang=en", nil)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("provisional figures")) || !bytes.Contains(body, []byte("Tate Modern")) || !bytes.Contains(body, []byte("2026Q4")) {
		t.Fatalf("page: %d %s", resp.StatusCode, body)
	}
	resp, body = get(t, ts.URL+"/barometer.csv", nil)
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte("Musée Rodin")) {
		t.Fatalf("csv: %d %s", resp.StatusCode, body)
	}
	if _, err := svc.SnapshotQuarter(ctx, org.ID, "2026Q4"); err != nil {
		t.Fatal(err)
	}
	if _, body = get(t, ts.URL+"/barometer?lang=en", nil); bytes.Contains(body, []byte("provisional figures")) {
		t.Fatal("a published edition is still marked provisional")
	}
}

// TestPageNamesInChinese: the Chinese page names institutions by their Chinese name
// when they have one.
func TestPageNamesInChinese(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.SQLite(t)
	org, err := db.CreateOrganization(ctx, "Agence")
	if err != nil {
		t.Fatal(err)
	}
	louvre := &passerelle.Institution{OrgID: org.ID, Name: "Musée du Louvre", NameZH: "卢浮宫", Country: "FR"}
	louvre.Normalize()
	if err := db.CreateInstitution(ctx, louvre); err != nil {
		t.Fatal(err)
	}
	if err := barometer.ImportSeed(ctx, db, org.ID); err != nil {
		t.Fatal(err)
	}
	if err := db.PublishBarometer(ctx, org.ID, "agence"); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Options{DB: db})
	public.RegisterBarometer(srv, db, &barometer.Service{DB: db})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	_, zh := get(t, ts.URL+"/barometer?org=agence&lang=zh-Hans", nil)
	if !bytes.Contains(zh, []byte("卢浮宫")) || bytes.Contains(zh, []byte("Musée du Louvre")) {
		t.Errorf("the Chinese page does not name the Louvre 卢浮宫")
	}
	_, fr := get(t, ts.URL+"/barometer?org=agence&lang=fr", nil)
	if !bytes.Contains(fr, []byte("Musée du Louvre")) {
		t.Errorf("the French page lost the Louvre's name")
	}
}
