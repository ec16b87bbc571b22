package web_test

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
)

// signIn opens the sign-in page and signs in as a person does.
func signIn(a *app, email, password string) []chromedp.Action[chromedp.Void] {
	return []chromedp.Action[chromedp.Void]{
		chromedp.Navigate(a.URL + "/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), email),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.stats`)),
	}
}

// TestBrowserConnectWeibo clicks "Connect Weibo" as a person does: the browser goes on
// to the (simulated) Weibo consent page on another origin, which the page's policy
// must allow. Authorising as another Weibo user than the account is refused and says
// who; authorising as the account connects it and shows its identity.
func TestBrowserConnectWeibo(t *testing.T) {
	a := newApp(t, false)
	owner := a.org("Agence Passerelle", "marie@agence.example", "marie-password-1")
	inst := a.institution(owner, "Musée d'Orsay")
	id := a.managedAccount(owner, inst.ID, passerelle.Weibo, map[string]string{"app_key": simWeiboApp, "app_secret": simSecret})
	ctx := browser(t, 60*time.Second)
	page := a.URL + "/accounts/" + itoa(id) + "/connection"
	consent := func(name string) []chromedp.Action[chromedp.Void] {
		return []chromedp.Action[chromedp.Void]{
			chromedp.Navigate(page),
			chromedp.WaitVisible(chromedp.CSS(`#connect-weibo`)),
			chromedp.Click(chromedp.CSS(`#connect-weibo`)),
			chromedp.WaitVisible(chromedp.CSS(`input[name=screen_name]`)),
			chromedp.SetValue(chromedp.CSS(`input[name=screen_name]`), name),
			chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		}
	}
	steps := append(signIn(a, "marie@agence.example", "marie-password-1"), consent("另一个用户")...)
	steps = append(steps, chromedp.WaitVisible(chromedp.CSS(`.flash-error`)))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	refused, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.flash-error`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(refused, "另一个用户") || !strings.Contains(refused, "奥赛博物馆") {
		t.Errorf("refusal does not name both identities: %q", refused)
	}
	steps = append(consent("奥赛博物馆"), chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	who, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#weibo-identity`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(who, "奥赛博物馆") || !strings.Contains(who, "uid") {
		t.Errorf("identity shown: %q", who)
	}
}
