package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

func (a *app) managedAccount(u *passerelle.User, inst int64, platform passerelle.Platform, creds map[string]string) int64 {
	a.t.Helper()
	acc := &passerelle.Account{InstitutionID: inst, Platform: platform, Kind: passerelle.AccountManaged, Handle: "h" + string(platform), DisplayName: "奥赛博物馆"}
	if err := a.Ten.CreateAccount(context.Background(), u, acc); err != nil {
		a.t.Fatal(err)
	}
	if creds != nil {
		if err := a.Ten.SetCredentials(context.Background(), u, acc.ID, creds); err != nil {
			a.t.Fatal(err)
		}
	}
	return acc.ID
}

func TestWeChatConnectionPage(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	owner := a.org("Agence", "owner@example.org", "correct horse battery")
	inst := a.institution(owner, "Musée d'Orsay")
	ok := a.managedAccount(owner, inst.ID, passerelle.WeChat, map[string]string{"appid": simWeChatOK, "app_secret": simSecret, "token": "orsaytoken"})
	noIP := a.managedAccount(owner, inst.ID, passerelle.WeChat, map[string]string{"appid": simWeChatNoIP, "app_secret": simSecret})
	c := a.client()
	c.header.Set("Accept-Language", "en")
	c.login("owner@example.org", "correct horse battery")

	page := c.get("/accounts/" + strconv.FormatInt(ok, 10) + "/connection")
	if page.Status != 200 {
		t.Fatalf("connection page: %d", page.Status)
	}
	wantContains(t, page.Body, a.URL+"/wechat/callback/"+strconv.FormatInt(ok, 10), "Never tested", "Test connection")

	res := c.post("/accounts/"+strconv.FormatInt(ok, 10)+"/connection/test", url.Values{})
	if res.Status != 200 {
		t.Fatalf("test: %d %s", res.Status, excerpt(res.Body))
	}
	wantContains(t, res.Body, "Connection works", "The connection works", "Yes")

	res = c.post("/accounts/"+strconv.FormatInt(noIP, 10)+"/connection/test", url.Values{})
	wantContains(t, res.Body, "The connection failed", "whitelist", "127.0.0.1", "Server IP not whitelisted")

	// French diagnosis for a French browser.
	fr := a.client()
	fr.header.Set("Accept-Language", "fr")
	fr.login("owner@example.org", "correct horse battery")
	res = fr.post("/accounts/"+strconv.FormatInt(noIP, 10)+"/connection/test", url.Values{})
	wantContains(t, res.Body, "La connexion a échoué", "liste blanche")
}

func TestConnectionRoles(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	owner := a.org("Agence", "owner@example.org", "correct horse battery")
	inst := a.institution(owner, "Musée Rodin")
	id := a.managedAccount(owner, inst.ID, passerelle.WeChat, map[string]string{"appid": simWeChatOK, "app_secret": simSecret})
	a.user(owner.OrgID, "viewer@example.org", "correct horse battery", false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleViewer})
	other := a.org("Autre agence", "other@example.org", "correct horse battery")
	_ = other
	for _, tt := range []struct {
		email string
		want  int
	}{{"viewer@example.org", http.StatusForbidden}, {"other@example.org", http.StatusNotFound}} {
		c := a.client()
		c.login(tt.email, "correct horse battery")
		for _, r := range []resp{
			c.get("/accounts/" + strconv.FormatInt(id, 10) + "/connection"),
			c.post("/accounts/"+strconv.FormatInt(id, 10)+"/connection/test", url.Values{}),
			c.post("/accounts/"+strconv.FormatInt(id, 10)+"/connection/weibo", url.Values{}),
		} {
			if r.Status != tt.want {
				t.Errorf("%s: %d, want %d", tt.email, r.Status, tt.want)
			}
		}
	}
}

// TestWeiboOAuthFlow follows the whole authorisation through the simulator's consent
// page, as a browser would.
func TestWeiboOAuthFlow(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	owner := a.org("Agence", "owner@example.org", "correct horse battery")
	inst := a.institution(owner, "Musée du Louvre")
	id := a.managedAccount(owner, inst.ID, passerelle.Weibo, map[string]string{"app_key": simWeiboApp, "app_secret": simSecret})
	c := a.client()
	c.header.Set("Accept-Language", "en")
	c.login("owner@example.org", "correct horse battery")
	path := "/accounts/" + strconv.FormatInt(id, 10) + "/connection"
	wantContains(t, c.get(path).Body, a.URL+"/oauth/weibo/callback", "Connect Weibo")

	start := c.post(path+"/weibo", url.Values{})
	if start.Status != http.StatusSeeOther || !strings.HasPrefix(start.Location, a.SimURL+"/oauth2/authorize") {
		t.Fatalf("authorize redirect: %d %q", start.Status, start.Location)
	}
	u, _ := url.Parse(start.Location)
	q := u.Query()
	consent, err := c.hc.PostForm(a.SimURL+"/oauth2/authorize", url.Values{"client_id": {q.Get("client_id")}, "redirect_uri": {q.Get("redirect_uri")}, "state": {q.Get("state")}, "screen_name": {"奥赛博物馆"}})
	if err != nil {
		t.Fatal(err)
	}
	consent.Body.Close()
	back := consent.Header.Get("Location")
	if !strings.HasPrefix(back, a.URL+"/oauth/weibo/callback?") {
		t.Fatalf("consent redirect: %q", back)
	}
	// Another browser cannot complete this authorisation.
	thief := a.client()
	thief.login("owner@example.org", "correct horse battery")
	if r := thief.get(strings.TrimPrefix(back, a.URL)); r.Status != http.StatusForbidden {
		t.Fatalf("callback from another session: %d", r.Status)
	}
	done := c.get(strings.TrimPrefix(back, a.URL))
	if done.Status != http.StatusSeeOther || done.Location != path {
		t.Fatalf("callback: %d %q %s", done.Status, done.Location, excerpt(done.Body))
	}
	page := c.follow(done)
	wantContains(t, page.Body, "The Weibo account is authorised.", "Authorisation valid until", "Renew the Weibo authorisation")
	res := c.post(path+"/test", url.Values{})
	wantContains(t, res.Body, "Connection works")
}

// TestBrowserConnectWeChat connects a WeChat account in a real browser: credentials
// for an account whose server IP is not whitelisted fail the test with that diagnosis;
// the right account's credentials then pass.
func TestBrowserConnectWeChat(t *testing.T) {
	a := newApp(t, false)
	owner := a.org("Agence Passerelle", "marie@agence.example", "marie-password-1")
	inst := a.institution(owner, "Musée d'Orsay")
	id := a.managedAccount(owner, inst.ID, passerelle.WeChat, nil)
	ctx := browser(t, 60*time.Second)
	creds := func(appID string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(a.URL + "/accounts/" + itoa(id) + "/credentials"),
			chromedp.WaitVisible(chromedp.CSS(`#f-appid`)),
			chromedp.SetValue(chromedp.CSS(`#f-appid`), appID),
			chromedp.SetValue(chromedp.CSS(`#f-app_secret`), simSecret),
			chromedp.SetValue(chromedp.CSS(`#f-token`), "orsaytoken"),
			chromedp.SetValue(chromedp.CSS(`#f-encoding_aes_key`), strings.Repeat("k", 43)),
			chromedp.Click(chromedp.CSS(`.form-actions button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
			chromedp.Click(chromedp.CSS(`a[href="/accounts/` + itoa(id) + `/connection"]`)),
			chromedp.WaitVisible(chromedp.CSS(`#callback-url`)),
			chromedp.Click(chromedp.CSS(`#test-connection`)),
			chromedp.WaitVisible(chromedp.CSS(`#test-result`)),
		}
	}
	err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "marie@agence.example"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "marie-password-1"),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.stats`)),
	)
	if err == nil {
		err = chromedp.Do(ctx, creds(simWeChatNoIP)...)
	}
	if err != nil {
		t.Fatal(err)
	}
	failed, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#test-result`)))
	if err != nil {
		t.Fatal(err)
	}
	callback, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#callback-url`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, creds(simWeChatOK)...); err != nil {
		t.Fatal(err)
	}
	passed, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#test-result`)))
	if err != nil {
		t.Fatal(err)
	}
	status, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.kv`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(failed, "failed") || !strings.Contains(failed, "whitelist") || !strings.Contains(failed, "127.0.0.1") {
		t.Errorf("failing test's diagnosis: %q", failed)
	}
	if callback != a.URL+"/wechat/callback/"+itoa(id) {
		t.Errorf("callback URL shown: %q", callback)
	}
	if !strings.Contains(passed, "Connection works") || !strings.Contains(status, "Yes") {
		t.Errorf("passing test: %q / %q", passed, status)
	}
}

// TestExpiringWeiboReminder: an authorisation ending within five days is shown on the
// managers' dashboard with a one-click renewal; viewers do not see it.
func TestExpiringWeiboReminder(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	owner := a.org("Agence", "owner@example.org", "correct horse battery")
	inst := a.institution(owner, "Musée du Louvre")
	id := a.managedAccount(owner, inst.ID, passerelle.Weibo, map[string]string{"app_key": simWeiboApp, "app_secret": simSecret})
	a.user(owner.OrgID, "viewer@example.org", "correct horse battery", false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleViewer})
	soon := time.Now().Add(48 * time.Hour)
	if err := a.DB.SaveConnection(context.Background(), &store.Connection{AccountID: id, Status: "ok", DiagnosisKey: "ok", CanPublish: true, TokenExpiresAt: &soon}); err != nil {
		t.Fatal(err)
	}
	c := a.client()
	c.header.Set("Accept-Language", "en")
	c.login("owner@example.org", "correct horse battery")
	home := c.get("/")
	wantContains(t, home.Body, "Weibo authorisations to renew", `action="/accounts/`+itoa(id)+`/connection/weibo"`)
	if r := c.post("/accounts/"+itoa(id)+"/connection/weibo", url.Values{}); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, a.SimURL+"/oauth2/authorize") {
		t.Fatalf("renew: %d %q", r.Status, r.Location)
	}
	v := a.client()
	v.login("viewer@example.org", "correct horse battery")
	if strings.Contains(v.get("/").Body, "/connection/weibo") {
		t.Fatal("a viewer is offered the renewal")
	}
}

// TestTwoStepApprovalToggle: managers turn two-step approval on from the institution
// page; viewers may not, other organizations do not see the institution.
func TestTwoStepApprovalToggle(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	owner := a.org("Agence", "owner@example.org", "correct horse battery")
	inst := a.institution(owner, "Musée Rodin")
	a.user(owner.OrgID, "viewer@example.org", "correct horse battery", false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleViewer})
	a.org("Autre", "other@example.org", "correct horse battery")
	path := "/institutions/" + itoa(inst.ID)
	c := a.client()
	c.header.Set("Accept-Language", "en")
	c.login("owner@example.org", "correct horse battery")
	wantContains(t, c.get(path).Body, "One step", `action="`+path+`/approval"`)
	if r := c.post(path+"/approval", url.Values{"two_step": {"on"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("toggle: %d", r.Status)
	}
	if on, err := a.DB.TwoStepApproval(context.Background(), owner.OrgID, inst.ID); err != nil || !on {
		t.Fatalf("two-step = %v, %v", on, err)
	}
	wantContains(t, c.get(path).Body, "Two steps: the agency, then the museum")
	for email, want := range map[string]int{"viewer@example.org": http.StatusForbidden, "other@example.org": http.StatusNotFound} {
		o := a.client()
		o.login(email, "correct horse battery")
		if r := o.post(path+"/approval", url.Values{}); r.Status != want {
			t.Errorf("%s: %d, want %d", email, r.Status, want)
		}
	}
	if on, _ := a.DB.TwoStepApproval(context.Background(), owner.OrgID, inst.ID); !on {
		t.Fatal("a refused request changed the setting")
	}
}
