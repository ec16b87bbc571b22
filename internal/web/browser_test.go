package web_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// browserEnv makes a missing browser fail the test instead of skipping it (CI sets it).
const browserEnv = "PASSERELLE_TEST_BROWSER"

// findBrowser returns the path of a Chromium, skipping the test when there is none
// (and failing it when PASSERELLE_TEST_BROWSER=1).
func findBrowser(t *testing.T) string {
	t.Helper()
	for _, name := range []string{"/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	msg := "no Chromium found (install Debian's chromium package: apt-get install -y chromium)"
	if os.Getenv(browserEnv) == "1" {
		t.Fatalf("%s, and %s=1 requires the browser test", msg, browserEnv)
	}
	t.Skipf("%s; set %s=1 to make this a failure", msg, browserEnv)
	return ""
}

// browser starts a fresh headless Chromium with its own profile, talking to nothing
// but the test server.
func browser(t *testing.T, timeout time.Duration) context.Context {
	t.Helper()
	path := findBrowser(t)
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-extensions", true),
		chromedp.Flag("disable-default-apps", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("lang", "en-GB"),
		chromedp.WindowSize(1280, 800),
	}
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, timeout)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	failOnConsoleErrors(t, ctx)
	return ctx
}

// failOnConsoleErrors fails the test when a page writes an error to the console: an
// uncaught exception, a console.error, a resource that failed to load, a request the
// content security policy blocked.
func failOnConsoleErrors(t *testing.T, ctx context.Context) {
	t.Helper()
	var (
		mu   sync.Mutex
		errs []string
	)
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				errs = append(errs, m.String()+" ("+m.URL+")")
				mu.Unlock()
			}
		}
	}()
	// Cleanups run last-in first-out: this one runs before the browser stops.
	t.Cleanup(func() {
		time.Sleep(100 * time.Millisecond) // let the last events arrive
		mu.Lock()
		defer mu.Unlock()
		for _, e := range errs {
			t.Errorf("browser console: %s", e)
		}
	})
}

// setSelect chooses an option and fires change, as a person picking it would.
func setSelect(sel, value string) chromedp.Action[chromedp.Void] {
	return chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(function(){var s=document.querySelector(%q); s.value=%q; s.dispatchEvent(new Event("change",{bubbles:true})); })()`, sel, value))
}

func TestBrowserSignInLanguageInstitutionAccount(t *testing.T) {
	a := newApp(t, false)
	a.org("Agence Passerelle", "marie@agence.example", "marie-password-1")
	ctx := browser(t, 45*time.Second)

	err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "marie@agence.example"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "marie-password-1"),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.stats`)),

		// Switch to Chinese with the header's language menu.
		setSelect(`#lang-home`, "zh-Hans"),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-Hans"] .stats`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	nav, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.mainnav`)))
	if err != nil {
		t.Fatal(err)
	}
	err = chromedp.Do(ctx,

		// Create an institution.
		chromedp.Navigate(a.URL+"/institutions/new"),
		chromedp.WaitVisible(chromedp.CSS(`#f-name`)),
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Musée d'Orsay"),
		chromedp.SendKeys(chromedp.CSS(`#f-name_zh`), "奥赛博物馆"),
		chromedp.SendKeys(chromedp.CSS(`#f-city`), "Paris"),
		chromedp.SendKeys(chromedp.CSS(`#f-country`), "fr"),
		chromedp.Click(chromedp.CSS(`.form-actions button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),

		// Add a Weibo account to it.
		chromedp.Click(chromedp.CSS(`a[href$="/accounts/new"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-handle`)),
		chromedp.SendKeys(chromedp.CSS(`#f-handle`), "museedorsay"),
		chromedp.SendKeys(chromedp.CSS(`#f-display_name`), "奥赛博物馆"),
		chromedp.SendKeys(chromedp.CSS(`#f-followers`), "1 234 567"),
		chromedp.Click(chromedp.CSS(`.form-actions button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.account-rows`)),

		// Both are on the dashboard.
		chromedp.Navigate(a.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`.inst-card`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	home, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(nav, "机构") || !strings.Contains(nav, "首页") {
		t.Errorf("navigation not in Chinese after the switch: %q", nav)
	}
	for _, want := range []string{"奥赛博物馆", "微博", "123.5万"} {
		if !strings.Contains(home, want) {
			t.Errorf("dashboard lacks %q:\n%s", want, home)
		}
	}
}

// TestScreenshots saves a screenshot of every page, desktop and phone, into the
// directory named by PASSERELLE_SCREENSHOTS (for reviewing the look, and for the
// README's picture). It is skipped otherwise.
func TestScreenshots(t *testing.T) {
	dir := os.Getenv("PASSERELLE_SCREENSHOTS")
	if dir == "" {
		t.Skip("set PASSERELLE_SCREENSHOTS=DIR to save screenshots of every page")
	}
	a := newApp(t, true)
	ids := seedMuseums(t, a)
	ctx := browser(t, 120*time.Second)
	lang := os.Getenv("PASSERELLE_SCREENSHOTS_LANG")
	if lang == "" {
		lang = "fr"
	}
	shoot := func(name, path string, width, height int64, mobile bool) {
		t.Helper()
		err := chromedp.Do(ctx,
			viewport(width, height, mobile),
			chromedp.Navigate(a.URL+path),
			chromedp.WaitReady(chromedp.CSS(`body`)),
		)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	pages := []struct{ name, path string }{
		{"login", "/login"},
	}
	for _, p := range pages {
		shoot(p.name+"-desktop", p.path, 1280, 800, false)
		shoot(p.name+"-phone", p.path, 390, 844, true)
	}
	err := chromedp.Do(ctx,
		viewport(1280, 800, false),
		chromedp.Navigate(a.URL+"/login"),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "demo@passerelle.example"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "passerelle-demo"),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.stats`)),
		setSelect(`#lang-home`, lang),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="`+lang+`"] .stats`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	pages = []struct{ name, path string }{
		{"home", "/"},
		{"institutions", "/institutions"},
		{"institution", "/institutions/" + itoa(ids[0])},
		{"institution-new", "/institutions/new"},
		{"account-new", "/institutions/" + itoa(ids[0]) + "/accounts/new"},
		{"credentials", "/accounts/" + itoa(ids[1]) + "/credentials"},
		{"users", "/users"},
		{"user-new", "/users/new"},
		{"tokens", "/tokens"},
		{"settings", "/settings"},
		{"notfound", "/institutions/999999"},
	}
	post, day, token := editorialDemo(t, a, ids[0])
	pages = append(pages, []struct{ name, path string }{
		{"posts", "/posts"},
		{"post", "/posts/" + itoa(post)},
		{"post-new", "/posts/new?institution_id=" + itoa(ids[0])},
		{"history", "/posts/" + itoa(post) + "/history"},
		{"calendar-month", "/calendar?date=" + day},
		{"calendar-week", "/calendar?view=week&date=" + day},
		{"calendar-list", "/calendar?view=list&date=" + day},
		{"media", "/institutions/" + itoa(ids[0]) + "/media"},
		{"glossary", "/glossary"},
		{"lexicon", "/lexicon"},
	}...)
	for _, p := range pages {
		shoot(p.name+"-desktop", p.path, 1280, 800, false)
		shoot(p.name+"-phone", p.path, 390, 844, true)
	}
	// The guest page, as the museum person sees it: signed out.
	if err := chromedp.Do(ctx, chromedp.Navigate(a.URL+"/"), chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)), chromedp.WaitVisible(chromedp.CSS(`#f-email`))); err != nil {
		t.Fatal(err)
	}
	shoot("review-desktop", "/review/"+token, 1280, 800, false)
	shoot("review-phone", "/review/"+token, 390, 844, true)
}

// editorialDemo writes a post on the institution's Weibo and WeChat accounts with an
// image, a comment, a schedule and a review link; it returns the post, its day and
// the link's token.
func editorialDemo(t *testing.T, a *app, instID int64) (int64, string, string) {
	t.Helper()
	ctx := context.Background()
	owner, _, err := a.DB.UserByEmail(ctx, "demo@passerelle.example")
	if err != nil {
		t.Fatal(err)
	}
	accs, err := a.Ten.Accounts(ctx, owner, instID, false, tenancy.Page{})
	if err != nil {
		t.Fatal(err)
	}
	m, _, err := a.Ed.Upload(ctx, owner, instID, "nympheas.png", bytes.NewReader(pngFile(t, 900, 600)))
	if err != nil {
		t.Fatal(err)
	}
	var pubs []editorial.PublicationInput
	for _, ac := range accs {
		switch ac.Platform {
		case passerelle.Weibo:
			pubs = append(pubs, editorial.PublicationInput{AccountID: ac.ID, Format: passerelle.FormatPhotoText, Topics: []string{"卢浮宫", "莫奈"}, MediaIDs: []int64{m.ID}})
		case passerelle.WeChat:
			open := true
			pubs = append(pubs, editorial.PublicationInput{AccountID: ac.ID, WeChat: &editorial.ArticleInput{Title: "莫奈的睡莲：光与水的诗", Author: "卢浮宫",
				Digest: "走进莫奈晚年的花园。", BodyHTML: "<p>1914年起，莫内在吉维尼的花园里画下了巨幅《睡莲》。</p><p><strong>展览时间</strong>：6月1日至9月30日</p><script>x()</script>",
				CoverMediaID: m.ID, CommentsOpen: &open, SourceURL: "https://www.louvre.fr"}})
		}
	}
	in := &editorial.PostInput{InstitutionID: &instID, Title: ptr("Les Nymphéas de Monet"), Theme: ptr("exhibition"), SourceLang: ptr("fr"),
		SourceText: ptr("À partir de 1914, Claude Monet peint les grands Nymphéas dans son jardin de Giverny."),
		TextZH:     ptr("1914年起，莫内在吉维尼的花园里画下了巨幅《睡莲》。"), MediaIDs: &[]int64{m.ID}, Publications: &pubs}
	saved, err := a.Ed.CreatePost(ctx, owner, in)
	if err != nil {
		t.Fatal(err)
	}
	p := saved.Post
	at := time.Now().AddDate(0, 0, 2).Truncate(time.Hour).Add(2 * time.Hour)
	for _, b := range p.Publications {
		if _, err := a.Ed.Schedule(ctx, owner, b.ID, &at); err != nil {
			t.Fatal(err)
		}
		at = at.Add(26 * time.Hour)
	}
	fix := "1914年起，莫奈在吉维尼的花园里画下了巨幅《睡莲》。"
	if _, err := a.Ed.UpdatePost(ctx, owner, p.ID, &editorial.PostInput{TextZH: &fix}); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Ed.Transition(ctx, owner, p.ID, passerelle.StatusReview, ""); err != nil {
		t.Fatal(err)
	}
	if err := a.Ed.AddComment(ctx, owner, &passerelle.Comment{PostID: p.ID, Body: "Pouvez-vous vérifier les dates de l'exposition ?"}); err != nil {
		t.Fatal(err)
	}
	_, token, err := a.Ed.CreateGuestLink(ctx, owner, p.ID, "Conservation", 0)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID, at.In(mustZone(t, passerelle.DefaultTimeZone)).Format("2006-01-02"), token // the calendar's days are Paris's
}

func viewport(width, height int64, mobile bool) chromedp.Action[chromedp.Void] {
	if mobile {
		return chromedp.EmulateViewport(width, height, chromedp.EmulateScale(2), chromedp.EmulateMobile)
	}
	return chromedp.EmulateViewport(width, height)
}

// seedMuseums fills a demo-like organization; it returns the Louvre's id and its
// managed Weibo account's id.
func seedMuseums(t *testing.T, a *app) []int64 {
	t.Helper()
	ctx := context.Background()
	owner := a.org("Agence Passerelle", "demo@passerelle.example", "passerelle-demo")
	owner.Name = "Claire Martin"
	if _, err := a.Ten.UpdateUser(ctx, owner, owner.ID, tenancy.UserChange{Name: &owner.Name}); err != nil {
		t.Fatal(err)
	}
	type acc struct {
		p         passerelle.Platform
		kind      string
		handle    string
		name      string
		followers int64
	}
	var ids []int64
	for _, m := range []struct {
		inst     passerelle.Institution
		accounts []acc
	}{
		{passerelle.Institution{Name: "Musée du Louvre", NameFR: "Musée du Louvre", NameEN: "Louvre Museum", NameZH: "卢浮宫", City: "Paris", Country: "FR", Website: "https://www.louvre.fr"},
			[]acc{{passerelle.Weibo, "managed", "louvremuseum", "卢浮宫博物馆", 1_284_300}, {passerelle.WeChat, "managed", "gh_louvre", "卢浮宫", 356_200}, {passerelle.Xiaohongshu, "watched", "louvre", "卢浮宫", 48_900}}},
		{passerelle.Institution{Name: "Musée d'Orsay", NameFR: "Musée d'Orsay", NameEN: "Musée d'Orsay", NameZH: "奥赛博物馆", City: "Paris", Country: "FR", Website: "https://www.musee-orsay.fr"},
			[]acc{{passerelle.Weibo, "managed", "museedorsay", "奥赛博物馆", 412_800}, {passerelle.WeChat, "managed", "gh_orsay", "奥赛博物馆", 97_450}}},
		{passerelle.Institution{Name: "Château de Versailles", NameFR: "Château de Versailles", NameEN: "Palace of Versailles", NameZH: "凡尔赛宫", City: "Versailles", Country: "FR", Kind: "monument"},
			[]acc{{passerelle.Weibo, "watched", "chateauversailles", "凡尔赛宫", 2_051_000}}},
	} {
		i := m.inst
		i.Normalize()
		if err := a.Ten.CreateInstitution(ctx, owner, &i); err != nil {
			t.Fatal(err)
		}
		if len(ids) == 0 {
			ids = append(ids, i.ID)
		}
		for _, x := range m.accounts {
			f := x.followers
			ac := &passerelle.Account{InstitutionID: i.ID, Platform: x.p, Kind: x.kind, Handle: x.handle, DisplayName: x.name, Followers: &f}
			if err := a.Ten.CreateAccount(ctx, owner, ac); err != nil {
				t.Fatal(err)
			}
			if len(ids) == 1 {
				ids = append(ids, ac.ID)
				if err := a.Ten.SetCredentials(ctx, owner, ac.ID, map[string]string{"app_key": "2754019384", "app_secret": "s3cr3t-value"}); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	a.user(owner.OrgID, "li.wei@agence.example", "li-wei-password", false, passerelle.Membership{InstitutionID: ids[0], Role: passerelle.RoleTranslator})
	if _, _, err := a.Auth.CreateToken(ctx, owner.ID, "Reporting", nil); err != nil {
		t.Fatal(err)
	}
	return ids
}
