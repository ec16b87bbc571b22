package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Found walking through the screens as a newcomer: the analytics pages' report and
// portfolio links carry the period chosen on the page (they used to carry it escaped
// into one meaningless parameter, so the report fell back to the last 30 days).
func TestWalkAnalyticsLinksKeepThePeriod(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	owner := a.signedIn("owner@example.org")
	const period = "from=2026-09-01&amp;to=2026-09-30"

	org := owner.get("/analytics?from=2026-09-01&to=2026-09-30")
	if org.Status != http.StatusOK {
		t.Fatalf("organization analytics: %d", org.Status)
	}
	wantContains(t, org.Body, `href="/analytics/report?format=html&amp;`+period+`"`, `href="/analytics/report?format=xlsx&amp;`+period+`"`,
		`href="/analytics/chart.csv?chart=institutions&amp;`+period+`"`, `href="/institutions/`+itoa(n.inst.ID)+`/analytics?`+period+`"`)
	inst := owner.get("/institutions/" + itoa(n.inst.ID) + "/analytics?from=2026-09-01&to=2026-09-30")
	wantContains(t, inst.Body, `href="/institutions/`+itoa(n.inst.ID)+`/analytics/report?format=html&amp;`+period+`"`,
		`href="/institutions/`+itoa(n.inst.ID)+`/analytics/report?format=csv&amp;`+period+`"`)
	for name, body := range map[string]string{"organization": org.Body, "institution": inst.Body} {
		if strings.Contains(body, "%3d") || strings.Contains(body, "%26") {
			t.Errorf("%s page: a link carries an escaped query", name)
		}
	}
	// The printable report follows the period of the link and fits a phone's screen.
	rep := owner.get("/institutions/" + itoa(n.inst.ID) + "/analytics/report?format=html&from=2026-09-01&to=2026-09-30")
	wantContains(t, rep.Body, "2026-09-01 – 2026-09-30", `<meta name="viewport" content="width=device-width, initial-scale=1">`)
}

// The audit log names its actions in the reader's language; the stored code stays
// in a title for whoever matches it with the CSV.
func TestWalkAuditActionsInWords(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	seedNewsroom(t, a)
	owner := a.signedIn("owner@example.org")
	owner.header.Set("Accept-Language", "zh-CN")
	r := owner.get("/audit")
	if r.Status != http.StatusOK {
		t.Fatalf("audit: %d", r.Status)
	}
	wantContains(t, r.Body, `<span title="sign_in" data-action="sign_in">登录</span>`, `<option value="settings.update">修改设置</option>`, `data-label="对象">用户 #`)
	if strings.Contains(r.Body, "<code>sign_in</code>") {
		t.Error("the audit log still shows the action's code")
	}
}

// The service desk and the partner directory speak the reader's language: no English
// placeholder on a Chinese page, platform names instead of their codes.
func TestWalkDeskAndPartnersTranslated(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	owner := a.signedIn("owner@example.org")
	owner.header.Set("Accept-Language", "zh-CN")
	desk := owner.get("/accounts/" + itoa(n.wechat.ID) + "/desk")
	if desk.Status != http.StatusOK {
		t.Fatalf("desk: %d", desk.Status)
	}
	wantContains(t, desk.Body, `placeholder="入口大厅"`)
	if strings.Contains(desk.Body, "Entrance hall") {
		t.Error("the desk shows an English placeholder in Chinese")
	}
	r := owner.post("/partners", url.Values{"name": {"Shanghai Museum"}, "name_zh": {"上海博物馆"}, "kind": {"museum"}, "platform": {"weibo"}, "handle": {"shanghaimuseum"}, "followers": {"2500000"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("add a partner: %d %s", r.Status, excerpt(r.Body))
	}
	list := owner.get("/partners")
	wantContains(t, list.Body, `<span class="tag">微博 · shanghaimuseum`, `<option value="wechat">微信</option>`)
}

// An owner looking for backups or an export in the settings finds what the server
// does and the way to the organization's export and the audit log (they were only
// reachable from the users page); an editor, who may use neither, sees no such panel.
func TestWalkSettingsLeadToTheOrganizationsData(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	seedNewsroom(t, a)
	owner := a.signedIn("owner@example.org")
	owner.header.Set("Accept-Language", "fr")
	r := owner.get("/settings")
	wantContains(t, r.Body, `id="org-data"`, "Les données de l’organisation", `href="/organization/export.zip"`, `href="/audit"`, "passerelle restore")
	if e := a.signedIn("editor@example.org").get("/settings"); e.Status != http.StatusOK || strings.Contains(e.Body, `id="org-data"`) {
		t.Errorf("editor's settings: %d, data panel shown %v", e.Status, strings.Contains(e.Body, `id="org-data"`))
	}
}
