package web_test

import (
	"archive/zip"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
)

// TestAuditPage: an owner's page lists sign-ins and token changes, filters them, and
// downloads them as CSV; others may not see it.
func TestAuditPage(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	owner := a.org("Agence", "owner@agence.example", "owner-password-1")
	c := a.client()
	c.login("owner@agence.example", "owner-password-1")
	c.post("/tokens", url.Values{"name": {"=cmd|' /C calc'!A0"}})
	list, err := a.DB.APITokens(t.Context(), owner.ID)
	if err != nil || len(list) != 1 {
		t.Fatalf("tokens: %v %v", list, err)
	}
	if r := c.post("/tokens/"+itoa(list[0].ID)+"/revoke", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.Status)
	}
	r := c.get("/audit")
	if r.Status != 200 {
		t.Fatalf("/audit: %d", r.Status)
	}
	wantContains(t, r.Body, "sign_in", "token.create", "token.revoke", "owner@agence.example", `href="/audit.csv"`)
	r = c.get("/audit?action=token.revoke&from=" + time.Now().UTC().Format("2006-01-02"))
	if strings.Contains(r.Body, `data-action="sign_in"`) || !strings.Contains(r.Body, `data-action="token.revoke"`) {
		t.Errorf("action filter:\n%s", excerpt(r.Body))
	}
	csv := c.get("/audit.csv")
	if csv.Status != 200 || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(csv.Body, "at,actor,action,object,object_id,detail\n") {
		t.Fatalf("csv: %d %q %q", csv.Status, csv.Header.Get("Content-Type"), csv.Body)
	}
	if !strings.Contains(csv.Body, "token.revoke") || strings.Contains(csv.Body, ",=cmd") {
		t.Errorf("csv body (a formula must be neutralised):\n%s", csv.Body)
	}
	if r := c.get("/audit?from=someday"); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("bad date: %d", r.Status)
	}
	inst := a.institution(owner, "Musée")
	a.user(owner.OrgID, "admin@agence.example", "admin-password-1", false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleAdmin})
	other := a.client()
	other.login("admin@agence.example", "admin-password-1")
	for _, p := range []string{"/audit", "/audit.csv"} {
		if r := other.get(p); r.Status != http.StatusForbidden {
			t.Errorf("admin GET %s: %d", p, r.Status)
		}
	}
}

// TestBrowserAuditLog: an owner opens the audit log from the users page and filters it
// by action, as a person does.
func TestBrowserAuditLog(t *testing.T) {
	a := newApp(t, false)
	a.org("Agence", "owner@agence.example", "owner-password-1")
	ctx := browser(t, 45*time.Second)
	var rows string
	err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "owner@agence.example"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "owner-password-1"),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.stats`)),
		chromedp.Navigate(a.URL+"/users"),
		chromedp.Click(chromedp.CSS(`a[href="/audit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#audit-table`)),
		setSelect(`select[name=action]`, "sign_in"),
		chromedp.Click(chromedp.CSS(`form.filters button[type=submit]`)),
		chromedp.WaitReady(chromedp.CSS(`option[value="sign_in"][selected]`)),
		chromedp.WaitVisible(chromedp.CSS(`#audit-table`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if rows, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#audit-table tbody`))); err != nil {
		t.Fatal(err)
	}
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`a[href^="/audit.csv"]`), "href"))
	if err != nil {
		t.Fatal(err)
	}
	csvHref := href.Value
	// The table names the action in words ("Signed in"), the CSV keeps its code.
	if !strings.Contains(rows, "Signed in") || !strings.Contains(csvHref, "action=sign_in") {
		t.Errorf("filtered table %q, CSV link %q", rows, csvHref)
	}
}

// TestOrgExportDownload: the owners' button downloads the organization's export as a
// zip holding the manifest and one document per kind of entity; others may not.
func TestOrgExportDownload(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	owner := a.org("Agence", "owner@agence.example", "owner-password-1")
	inst := a.institution(owner, "Musée d'Orsay")
	c := a.client()
	c.login("owner@agence.example", "owner-password-1")
	if r := c.get("/users"); !strings.Contains(r.Body, `href="/organization/export.zip"`) {
		t.Fatal("no export button on the users page")
	}
	r := c.get("/organization/export.zip")
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/zip" {
		t.Fatalf("export: %d %q", r.Status, r.Header.Get("Content-Type"))
	}
	zr, err := zip.NewReader(strings.NewReader(r.Body), int64(len(r.Body)))
	if err != nil {
		t.Fatal(err)
	}
	names := map[string]bool{}
	for _, f := range zr.File {
		names[f.Name] = true
	}
	for _, want := range []string{"manifest.json", "institutions.json", "users.json", "posts.json", "README.md"} {
		if !names[want] {
			t.Errorf("zip lacks %s: %v", want, names)
		}
	}
	f, _ := zr.Open("institutions.json")
	b, _ := io.ReadAll(f)
	if !strings.Contains(string(b), "Musée d'Orsay") || strings.Contains(r.Body, "$argon2id$") {
		t.Errorf("institutions.json: %s", b)
	}
	a.user(owner.OrgID, "admin@agence.example", "admin-password-1", false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleAdmin})
	other := a.client()
	other.login("admin@agence.example", "admin-password-1")
	if r := other.get("/organization/export.zip"); r.Status != http.StatusForbidden {
		t.Errorf("admin export: %d", r.Status)
	}
}
