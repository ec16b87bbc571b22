package web_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
)

// TestBrowserDeskMenu fills the desk page's menu form as a person does, saves and
// pushes it, and sees the phone preview show it (invalid menus are in
// TestDeskMenuEditor: a 422 page is a console error for the browser).
func TestBrowserDeskMenu(t *testing.T) {
	a := newApp(t, false)
	owner := a.org("Agence Passerelle", "marie@agence.example", "marie-password-1")
	inst := a.institution(owner, "Musée d'Orsay")
	id := a.managedAccount(owner, inst.ID, passerelle.WeChat, map[string]string{"appid": simWeChatOK, "app_secret": simSecret})
	ctx := browser(t, 90*time.Second)
	in := func(field string) chromedp.CSS { return chromedp.CSS(`#menu-form [name="` + field + `"]`) }
	err := chromedp.Do(ctx, append(signIn(a, "marie@agence.example", "marie-password-1"),
		chromedp.Navigate(a.URL+"/accounts/"+itoa(id)+"/desk"),
		chromedp.WaitVisible(chromedp.CSS(`#menu-form`)),
		chromedp.SendKeys(in("button[0].name"), "开放时间"),
		setSelect(`#menu-form [name="button[0].type"]`, "click"),
		chromedp.SendKeys(in("button[0].key"), "HOURS"),
		chromedp.SendKeys(in("button[1].name"), "参观"),
		chromedp.Click(chromedp.CSS(`[data-slot="button[1]"] summary`)),
		chromedp.SendKeys(in("button[1].sub_button[0].name"), "官网"),
		setSelect(`#menu-form [name="button[1].sub_button[0].type"]`, "view"),
		chromedp.SendKeys(in("button[1].sub_button[0].url"), "https://www.musee-orsay.fr/zh"),
		chromedp.Click(chromedp.CSS(`#menu-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`#menu-preview [data-menu-button="开放时间"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#menu-preview [data-menu-sub="官网"]`)),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("PASSERELLE_SCREENSHOTS"); dir != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "desk-menu.png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
