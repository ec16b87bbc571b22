package web_test

import (
	"context"
	"encoding/json"
	"html"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/store"
)

var island = regexp.MustCompile(`(?s)<figure class="panel chart-panel chart-(\w+)" id="chart-(\w+)".*?<script type="application/json" class="chart-data">(.*?)</script>`)

// chartIslands reads the JSON data islands of a page's charts by chart id.
func chartIslands(t *testing.T, body string) map[string]map[string]any {
	t.Helper()
	out := map[string]map[string]any{}
	for _, m := range island.FindAllStringSubmatch(body, -1) {
		var d map[string]any
		if err := json.Unmarshal([]byte(m[3]), &d); err != nil {
			t.Fatalf("chart %s: its data is no JSON: %v\n%s", m[2], err, m[3])
		}
		if d["kind"] != m[1] {
			t.Errorf("chart %s: kind %v in a %s figure", m[2], d["kind"], m[1])
		}
		out[m[2]] = d
	}
	return out
}

// The institution's and the organization's analytics pages give every chart its data
// as JSON (no inline script: the island is data), the organization's page lists the
// portfolio, every chart's CSV downloads, and the organization's report carries the
// portfolio. A viewer sees only the institutions they follow.
func TestAnalyticsChartsAndPortfolio(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	pubs := audienceSeed(t, a, n)
	ctx := context.Background()
	if err := a.DB.RecordAPIFollowers(ctx, n.weibo.ID, time.Now().AddDate(0, 0, -3), 4321); err != nil {
		t.Fatal(err)
	}
	svc := &analytics.Service{DB: a.DB, Tenancy: a.Ten}
	for _, p := range pubs {
		if err := svc.RecordManual(ctx, n.owner, p, store.PublicationSnapshot{Views: ptr[int64](120), Likes: ptr[int64](7)}); err != nil {
			t.Fatal(err)
		}
	}
	other := a.institution(n.owner, "Musée Rodin")
	owner := a.signedIn("owner@example.org")

	r := owner.get("/institutions/" + itoa(n.inst.ID) + "/analytics")
	if r.Status != http.StatusOK {
		t.Fatalf("institution analytics: %d", r.Status)
	}
	charts := chartIslands(t, r.Body)
	for _, id := range []string{"followers", "daily", "format", "platform", "theme", "weekday", "heatmap", "top"} {
		if charts[id] == nil {
			t.Errorf("institution page: no data for chart %s", id)
		}
	}
	if f := charts["format"]; f != nil {
		s := f["series"].([]any)[0].(map[string]any)
		if cats := f["categories"].([]any); len(cats) != 1 || cats[0] != "Photo and text" || s["data"].([]any)[0] != 14.0 {
			t.Errorf("format chart: %v", f)
		}
	}
	if h := charts["heatmap"]; h != nil && (len(h["y"].([]any)) != 7 || len(h["x"].([]any)) != 24 || len(h["cells"].([]any)) != 1) {
		t.Errorf("heatmap: %v", h)
	}
	wantContains(t, r.Body, `analytics-charts.`, `vendor-echarts-echarts.min.`)
	if strings.Contains(r.Body, "<svg class=\"chart") {
		t.Error("a chart is still drawn on the server")
	}

	r = owner.get("/analytics?from=" + time.Now().In(analytics.Beijing).AddDate(0, 0, -20).Format(time.DateOnly) + "&to=" + time.Now().In(analytics.Beijing).Format(time.DateOnly))
	if r.Status != http.StatusOK {
		t.Fatalf("organization analytics: %d %s", r.Status, r.Body)
	}
	wantContains(t, r.Body, `<a href="/analytics" aria-current="page">`, `id="portfolio-table"`, `data-institution="`+itoa(n.inst.ID)+`"`, `data-institution="`+itoa(other.ID)+`"`,
		"Musée Rodin", "4,321", "2 (target", "240")
	if got := chartIslands(t, r.Body); len(got) < 7 {
		t.Errorf("organization page: %d charts with data", len(got))
	}
	for _, chart := range []string{"followers", "daily", "format", "platform", "theme", "weekday", "heatmap", "top", "institutions"} {
		c := owner.get("/analytics/chart.csv?chart=" + chart)
		if c.Status != http.StatusOK || !strings.HasPrefix(c.Header.Get("Content-Type"), "text/csv") || strings.Count(c.Body, "\n") < 2 {
			t.Errorf("organization CSV %s: %d %q", chart, c.Status, c.Body)
		}
		if chart == "institutions" {
			continue
		}
		if c := owner.get("/institutions/" + itoa(n.inst.ID) + "/analytics/chart.csv?chart=" + chart); c.Status != http.StatusOK || strings.Count(c.Body, "\n") < 2 {
			t.Errorf("institution CSV %s: %d %q", chart, c.Status, c.Body)
		}
	}
	if c := owner.get("/analytics/chart.csv?chart=institutions"); !strings.Contains(c.Body, itoa(n.inst.ID)+",Musée d'Orsay,4321,") {
		t.Errorf("portfolio CSV: %q", c.Body)
	}
	for _, bad := range []string{"/analytics/chart.csv?chart=nope", "/institutions/" + itoa(n.inst.ID) + "/analytics/chart.csv?chart=institutions", "/analytics?from=2026-13-01&to=x", "/analytics/report?format=pdf"} {
		if c := owner.get(bad); c.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d", bad, c.Status)
		}
	}
	rep := owner.get("/analytics/report?format=csv")
	if rep.Status != http.StatusOK || !strings.Contains(rep.Body, "Institutions") || !strings.Contains(rep.Body, "Musée Rodin") || !strings.Contains(rep.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("organization report: %d %q", rep.Status, rep.Body)
	}
	if x := owner.get("/analytics/report?format=xlsx"); x.Status != http.StatusOK || !strings.Contains(x.Header.Get("Content-Type"), "spreadsheetml") {
		t.Errorf("organization XLSX: %d %s", x.Status, x.Header.Get("Content-Type"))
	}
	// The viewer follows the Musée d'Orsay only.
	v := a.signedIn("viewer@example.org").get("/analytics")
	if v.Status != http.StatusOK || strings.Contains(v.Body, "Musée Rodin") || !strings.Contains(v.Body, html.EscapeString("Musée d'Orsay")) {
		t.Errorf("viewer's portfolio: %d, Rodin shown %v", v.Status, strings.Contains(v.Body, "Musée Rodin"))
	}
}

// When an account's collection stops (authorisation expired, rate-limited until a time,
// the hour's budget used), the institution page says it beside the account, the
// analytics pages list it, and the account's connection page says it; a manager gets
// the way to reconnect, a viewer only the notice.
func TestCollectionStoppedNotices(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	ctx := context.Background()
	owner := a.signedIn("owner@example.org")
	inst := "/institutions/" + itoa(n.inst.ID)
	// Running: nothing said.
	for _, p := range []string{inst, inst + "/analytics", "/analytics", "/accounts/" + itoa(n.wechat.ID) + "/connection"} {
		if r := owner.get(p); r.Status != http.StatusOK || strings.Contains(r.Body, "collection-stopped") || strings.Contains(r.Body, "collection-notices") {
			t.Fatalf("%s: %d, a notice while collection runs", p, r.Status)
		}
	}
	if err := a.DB.MarkCollectionReauth(ctx, n.wechat.ID, "wechat: 40001 invalid credential"); err != nil {
		t.Fatal(err)
	}
	until := time.Now().Add(90 * time.Minute)
	if err := a.DB.BlockCollection(ctx, n.weibo.ID, until, "weibo: 10023 user requests out of rate limit"); err != nil {
		t.Fatal(err)
	}
	r := owner.get(inst)
	wantContains(t, r.Body, `id="collection-stopped-`+itoa(n.wechat.ID)+`"`, "the account is not authorised", `<a href="/accounts/`+itoa(n.wechat.ID)+`/connection">Connect it again</a>`,
		`id="collection-stopped-`+itoa(n.weibo.ID)+`"`, "limited or refused the collection of figures; it resumes on "+until.In(mustZone(t, zoneOr(n.inst.TimeZone))).Format("2 Jan 2006, 15:04"))
	for _, p := range []string{inst + "/analytics", "/analytics"} {
		wantContains(t, owner.get(p).Body, `id="collection-notices"`, "WeChat — 奥赛博物馆: the collection of figures has stopped", "Weibo — 奥赛博物馆: the platform limited", "10023 user requests out of rate limit")
	}
	wantContains(t, owner.get("/accounts/"+itoa(n.wechat.ID)+"/connection").Body, `id="collection-stopped"`, "Connect the account again below")
	// A viewer reads the notice without the link.
	v := a.signedIn("viewer@example.org").get(inst)
	if !strings.Contains(v.Body, "the account is not authorised") || strings.Contains(v.Body, "Connect it again") {
		t.Errorf("viewer's institution page: notice %v, link %v", strings.Contains(v.Body, "the account is not authorised"), strings.Contains(v.Body, "Connect it again"))
	}
	// French and Chinese say it too.
	owner.header.Set("Accept-Language", "zh-Hans")
	wantContains(t, owner.get(inst+"/analytics").Body, "账号未获授权")

	// Reconnected and unblocked, but the hour's budget of Weibo reads is used.
	if _, err := a.DB.ResumeCollection(ctx, n.wechat.ID); err != nil {
		t.Fatal(err)
	}
	if err := a.DB.BlockCollection(ctx, n.weibo.ID, time.Now().Add(-time.Minute), ""); err != nil {
		t.Fatal(err)
	}
	cs, err := a.DB.CollectionSettings(ctx, n.owner.OrgID)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := a.DB.TakeCalls(ctx, n.weibo.ID, cs.WeiboReadsPerHour, cs.WeiboReadsPerHour, time.Now()); err != nil || got != cs.WeiboReadsPerHour {
		t.Fatalf("took %d calls of %d: %v", got, cs.WeiboReadsPerHour, err)
	}
	owner.header.Set("Accept-Language", "en")
	r = owner.get(inst + "/analytics")
	wantContains(t, r.Body, "Weibo — 奥赛博物馆: the "+itoa(int64(cs.WeiboReadsPerHour))+" calls allowed this hour are used")
	if strings.Contains(r.Body, "the account is not authorised") {
		t.Error("the WeChat notice outlived the reconnection")
	}
}

func zoneOr(z string) string {
	if z == "" {
		return passerelle.DefaultTimeZone
	}
	return z
}
