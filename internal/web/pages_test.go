package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
)

// Everything of another organization, or of an institution the user has no role on,
// answers the same HTML 404 page as something that does not exist.
func TestForeignResourcesAreNotFound(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	ctx := context.Background()
	owner := a.org("Agence A", "a@example.org", "owner-a-password")
	mine := a.institution(owner, "Musée A")
	hidden := a.institution(owner, "Musée caché")
	other := a.org("Agence B", "b@example.org", "owner-b-password")
	foreign := a.institution(other, "Musée B")
	acc := &passerelle.Account{InstitutionID: foreign.ID, Platform: passerelle.Weibo, Handle: "b"}
	if err := a.Ten.CreateAccount(ctx, other, acc); err != nil {
		t.Fatal(err)
	}
	hiddenAcc := &passerelle.Account{InstitutionID: hidden.ID, Platform: passerelle.WeChat, Handle: "h"}
	if err := a.Ten.CreateAccount(ctx, owner, hiddenAcc); err != nil {
		t.Fatal(err)
	}
	viewer := a.user(owner.OrgID, "v@example.org", "viewer-password", false, passerelle.Membership{InstitutionID: mine.ID, Role: passerelle.RoleViewer})
	_ = viewer

	for _, who := range []struct{ email, pw string }{{"a@example.org", "owner-a-password"}, {"v@example.org", "viewer-password"}} {
		c := a.client()
		c.header.Set("Accept-Language", "en")
		c.login(who.email, who.pw)
		paths := []string{
			"/institutions/" + itoa(foreign.ID), "/institutions/" + itoa(foreign.ID) + "/edit", "/institutions/" + itoa(foreign.ID) + "/accounts/new",
			"/accounts/" + itoa(acc.ID) + "/edit", "/accounts/" + itoa(acc.ID) + "/credentials",
			"/institutions/999999", "/institutions/abc", "/no/such/page",
		}
		if who.email == "v@example.org" {
			paths = append(paths, "/institutions/"+itoa(hidden.ID), "/accounts/"+itoa(hiddenAcc.ID)+"/edit")
		}
		for _, p := range paths {
			r := c.get(p)
			if r.Status != http.StatusNotFound {
				t.Errorf("%s GET %s: %d, want 404", who.email, p, r.Status)
				continue
			}
			wantContains(t, r.Body, "Page not found", "This page does not exist, or you do not have access to it.")
			if strings.Contains(r.Body, "Musée B") || strings.Contains(r.Body, "Musée caché") {
				t.Errorf("%s GET %s reveals the name", who.email, p)
			}
		}
		for _, p := range []string{"/institutions/" + itoa(foreign.ID), "/institutions/" + itoa(foreign.ID) + "/archive", "/accounts/" + itoa(acc.ID), "/accounts/" + itoa(acc.ID) + "/archive", "/accounts/" + itoa(acc.ID) + "/credentials", "/institutions/" + itoa(foreign.ID) + "/accounts"} {
			if r := c.post(p, url.Values{"name": {"x"}, "handle": {"x"}, "platform": {"weibo"}, "app_key": {"k"}}); r.Status != http.StatusNotFound {
				t.Errorf("%s POST %s: %d, want 404", who.email, p, r.Status)
			}
		}
	}
	got, err := a.Ten.Institution(ctx, other, foreign.ID)
	if err != nil || got.Name != "Musée B" || got.ArchivedAt != nil {
		t.Fatalf("foreign institution changed: %+v %v", got, err)
	}
}

func TestViewerSeesNoManageButtons(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	owner := a.org("Agence", "o@example.org", "owner-password")
	inst := a.institution(owner, "Musée")
	a.user(owner.OrgID, "v@example.org", "viewer-password", false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleViewer})
	c := a.client()
	c.login("v@example.org", "viewer-password")
	r := c.get("/institutions/" + itoa(inst.ID))
	if r.Status != http.StatusOK {
		t.Fatal(r.Status)
	}
	for _, s := range []string{"/edit", "/archive", "/accounts/new", `href="/users"`} {
		if strings.Contains(r.Body, s) {
			t.Errorf("viewer sees %q", s)
		}
	}
	if r := c.post("/institutions/"+itoa(inst.ID), url.Values{"name": {"Renamed"}}); r.Status != http.StatusForbidden {
		t.Errorf("viewer edits: %d", r.Status)
	}
	if r := c.get("/users"); r.Status != http.StatusForbidden {
		t.Errorf("viewer lists users: %d", r.Status)
	}
	if r := c.post("/users", url.Values{"email": {"x@example.org"}, "password": {"long-enough-pw"}, "password_confirm": {"long-enough-pw"}, "owner": {"1"}}); r.Status != http.StatusForbidden {
		t.Errorf("viewer creates a user: %d", r.Status)
	}
}

func TestInstitutionAndAccountForms(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	owner := a.org("Agence", "o@example.org", "owner-password")
	c := a.client()
	c.header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	c.login("o@example.org", "owner-password")

	// Invalid: field errors beside the inputs, values kept.
	r := c.post("/institutions", url.Values{"name": {""}, "name_zh": {"卢浮宫"}, "country": {"France"}, "website": {"louvre.fr"}, "time_zone": {"Mars/Olympus"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid institution: %d", r.Status)
	}
	wantContains(t, r.Body, "Un nom est requis.", "Utilisez un code pays ISO 3166", "Fuseau horaire inconnu", `value="卢浮宫"`, `aria-describedby="f-website-error"`, `id="f-name-error"`)

	r = c.post("/institutions", url.Values{"name": {"Musée du Louvre"}, "name_zh": {"卢浮宫"}, "country": {"fr"}, "city": {"Paris"}, "kind": {"museum"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.Status, excerpt(r.Body))
	}
	page := c.follow(r)
	wantContains(t, page.Body, "L’institution est créée.", "Musée du Louvre", "卢浮宫", "Europe/Paris")
	id := strings.TrimPrefix(r.Location, "/institutions/")

	// The flash is shown once.
	if again := c.get(r.Location); strings.Contains(again.Body, "L’institution est créée.") {
		t.Error("flash shown twice")
	}

	r = c.post("/institutions/"+id+"/accounts", url.Values{"platform": {"weibo"}, "kind": {"managed"}, "handle": {"louvre"}, "display_name": {"卢浮宫博物馆"}, "followers": {"1 284 300"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("account: %d %s", r.Status, excerpt(r.Body))
	}
	page = c.follow(r)
	wantContains(t, page.Body, "卢浮宫博物馆", "Weibo", "Pas d’identifiants")

	r = c.post("/institutions/"+id+"/accounts", url.Values{"platform": {"myspace"}, "followers": {"many"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid account: %d", r.Status)
	}
	wantContains(t, r.Body, "Saisissez un nombre entier.")

	accounts, err := a.Ten.AllAccounts(context.Background(), owner)
	if err != nil || len(accounts) != 1 || *accounts[0].Followers != 1284300 {
		t.Fatalf("accounts: %v %v", accounts, err)
	}
	accID := itoa(accounts[0].ID)

	// Credentials: blank keeps, values never shown in full.
	r = c.post("/accounts/"+accID+"/credentials", url.Values{"app_key": {"2754019384"}, "app_secret": {"very-secret-value"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("credentials: %d %s", r.Status, excerpt(r.Body))
	}
	form := c.get("/accounts/" + accID + "/credentials")
	wantContains(t, form.Body, "2754019384", "••••••")
	if strings.Contains(form.Body, "very-secret-value") {
		t.Fatal("secret shown")
	}
	if r := c.post("/accounts/"+accID+"/credentials", url.Values{"app_key": {""}}); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "Aucun identifiant saisi.") {
		t.Errorf("empty credentials: %d", r.Status)
	}
	hints, err := a.Ten.CredentialHints(context.Background(), owner, accounts[0].ID)
	if err != nil || len(hints) != 2 {
		t.Fatalf("hints after blank post: %v %v", hints, err)
	}

	// Edit, archive, restore.
	if r := c.post("/accounts/"+accID, url.Values{"kind": {"watched"}, "handle": {"louvre"}, "followers": {"1300000"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("edit account: %d %s", r.Status, excerpt(r.Body))
	}
	if r := c.post("/accounts/"+accID+"/archive", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("archive account: %d", r.Status)
	}
	if r := c.post("/institutions/"+id, url.Values{"name": {"Louvre"}, "time_zone": {"Asia/Shanghai"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("edit institution: %d %s", r.Status, excerpt(r.Body))
	}
	if r := c.post("/institutions/"+id+"/archive", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("archive institution: %d", r.Status)
	}
	list := c.get("/institutions")
	if strings.Contains(list.Body, "Louvre") {
		t.Error("archived institution listed")
	}
	if list := c.get("/institutions?archived=1"); !strings.Contains(list.Body, "Louvre") || !strings.Contains(list.Body, "Archivé") {
		t.Error("archived institution not shown with archived=1")
	}
}

func TestUsersAndTokens(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	owner := a.org("Agence", "o@example.org", "owner-password")
	inst := a.institution(owner, "Musée")
	c := a.client()
	c.header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	c.login("o@example.org", "owner-password")

	role := "role_" + itoa(inst.ID)
	r := c.post("/users", url.Values{"email": {"o@example.org"}, "password": {"long-enough-pw"}, "password_confirm": {"long-enough-pw"}, role: {"editor"}})
	if r.Status != http.StatusConflict {
		t.Fatalf("duplicate e-mail: %d", r.Status)
	}
	wantContains(t, r.Body, "该邮箱已被其他用户使用。", `selected>编辑`)
	r = c.post("/users", url.Values{"email": {"Li.Wei@example.org"}, "name": {"李伟"}, "password": {"long-enough-pw"}, "password_confirm": {"long-enough-pw"}, role: {"translator"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create user: %d %s", r.Status, excerpt(r.Body))
	}
	list := c.follow(r)
	wantContains(t, list.Body, "用户已创建。", "李伟", "li.wei@example.org", "Musée · 译者")

	li := a.client()
	li.login("li.wei@example.org", "long-enough-pw")
	if r := li.get("/institutions/" + itoa(inst.ID)); r.Status != http.StatusOK {
		t.Errorf("translator cannot see the institution: %d", r.Status)
	}

	// Tokens: the secret is in the creation response only.
	r = c.post("/tokens", url.Values{"name": {"Reporting"}, "expires": {"2099-12-31"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("create token: %d %s", r.Status, excerpt(r.Body))
	}
	i := strings.Index(r.Body, `value="psl_`)
	if i < 0 {
		t.Fatalf("no secret shown:\n%s", excerpt(r.Body))
	}
	secret := r.Body[i+len(`value="`):]
	secret = secret[:strings.IndexByte(secret, '"')]
	if r.Header.Get("Cache-Control") != "no-store" {
		t.Error("token page may be cached")
	}
	tok, u, err := a.Auth.Token(context.Background(), secret)
	if err != nil || u.ID != owner.ID || tok.Name != "Reporting" {
		t.Fatalf("the shown token does not work: %v", err)
	}
	page := c.get("/tokens")
	if strings.Contains(page.Body, secret) {
		t.Error("secret shown again")
	}
	wantContains(t, page.Body, "Reporting", tok.Prefix, "最近使用") // used just above
	if r := c.post("/tokens", url.Values{"expires": {"31/12/2099"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("bad expiry: %d", r.Status)
	}
	if r := c.post("/tokens/"+itoa(tok.ID)+"/revoke", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.Status)
	}
	if _, _, err := a.Auth.Token(context.Background(), secret); err == nil {
		t.Error("revoked token works")
	}
	// Someone else's token is not found.
	if r := li.post("/tokens/"+itoa(tok.ID)+"/revoke", nil); r.Status != http.StatusNotFound {
		t.Errorf("revoke another user's token: %d", r.Status)
	}
}
