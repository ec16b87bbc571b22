package web_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
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

// wechatPost writes a post for the newsroom's Weibo and WeChat accounts, sends it to
// review and returns it with a guest review link.
func wechatPost(t *testing.T, a *app, n *newsroom, body string) (*passerelle.Post, string) {
	t.Helper()
	ctx := context.Background()
	pubs := []editorial.PublicationInput{
		{AccountID: n.weibo.ID, Format: passerelle.FormatText, Topics: []string{"奥赛博物馆"}},
		{AccountID: n.wechat.ID, WeChat: &editorial.ArticleInput{Title: "莫奈的睡莲", Digest: "走进莫奈的花园。", BodyHTML: body}},
	}
	in := &editorial.PostInput{InstitutionID: &n.inst.ID, Title: ptr("Les Nymphéas"), Theme: ptr("exhibition"), SourceLang: ptr("fr"),
		SourceText: ptr("Claude Monet et Edgar Degas peignent."), TextZH: ptr("莫奈和德加作画。"), Publications: &pubs}
	saved, err := a.Ed.CreatePost(ctx, n.editor, in)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Ed.Transition(ctx, n.editor, saved.Post.ID, passerelle.StatusReview, ""); err != nil {
		t.Fatal(err)
	}
	_, token, err := a.Ed.CreateGuestLink(ctx, n.owner, saved.Post.ID, "Conservation", 0) // a link that may approve
	if err != nil {
		t.Fatal(err)
	}
	return saved.Post, token
}

// TestBrowserWeChatPreviewStyles: the inline styles WeChat renders (and the sanitiser
// keeps) show in the guest's and the editor's preview, without a policy violation.
func TestBrowserWeChatPreviewStyles(t *testing.T) {
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	post, token := wechatPost(t, a, n, `<p style="color:#c00;text-align:center">红色居中</p><p>正文</p>`)
	ctx := browser(t, 45*time.Second)
	style := `(function(){var f=document.querySelector("iframe.wx-body"); var d=f&&f.contentDocument; var p=d&&d.querySelector("p"); if(!p){return ""}; var s=getComputedStyle(p); return s.color+"|"+s.textAlign+"|"+(f.getBoundingClientRect().height>=p.getBoundingClientRect().bottom)})()`
	check := func(path string) {
		t.Helper()
		err := chromedp.Do(ctx, chromedp.Navigate(a.URL+path), chromedp.WaitVisible(chromedp.CSS(`.wechat-article`)),
			chromedp.Poll[chromedp.Void](`(function(){var f=document.querySelector("iframe.wx-body"); return f && f.contentDocument && f.contentDocument.readyState==="complete" && f.contentDocument.querySelector("p")})()`))
		if err != nil {
			t.Fatal(err)
		}
		got, err := chromedp.Run(ctx, chromedp.Evaluate[string](style))
		if err != nil {
			t.Fatal(err)
		}
		if got != "rgb(204, 0, 0)|center|true" {
			t.Errorf("%s: the styled paragraph shows as %q, want red, centred and whole", path, got)
		}
	}
	check("/review/" + token)
	if err := chromedp.Do(ctx, signIn(a, "editor@example.org", pw)...); err != nil {
		t.Fatal(err)
	}
	check("/posts/" + itoa(post.ID))
}

// TestBrowserReviewerPhone: on a phone, a reviewer finds Approve without scrolling
// through the whole (read-only) form.
func TestBrowserReviewerPhone(t *testing.T) {
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	post, _ := wechatPost(t, a, n, `<p>德加的舞者</p>`)
	ctx := browser(t, 45*time.Second)
	steps := append(signIn(a, "reviewer@example.org", pw), viewport(390, 844, true), chromedp.Navigate(a.URL+"/posts/"+itoa(post.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#workflow`)))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	top, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`(function(){var b=document.querySelector('button[data-move="approved"]'); return b ? b.getBoundingClientRect().top + window.scrollY : -1})()`))
	if err != nil {
		t.Fatal(err)
	}
	if top < 0 || top > 1200 {
		t.Errorf("the Approve button is %.0f px down the page", top)
	}
}

// TestBrowserLiveChecks: while the editor types, the Weibo length is counted by the
// server's rule and a glossary finding appears beside the field, without saving.
func TestBrowserLiveChecks(t *testing.T) {
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	post := n.post(t, a, "Les Nymphéas", "Claude Monet peint les Nymphéas.", "莫奈画睡莲。")
	ctx := browser(t, 45*time.Second)
	steps := append(signIn(a, "editor@example.org", pw), chromedp.Navigate(a.URL+"/posts/"+itoa(post.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#live-counts li`)),
		chromedp.SetValue(chromedp.CSS(`#f-text_zh`), "莫内画睡莲。"),
		chromedp.SendKeys(chromedp.CSS(`#f-text_zh`), "好"),
		chromedp.WaitVisible(chromedp.CSS(`#f-source_text-live .finding-error`)),
	)
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	counts, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#live-counts`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(counts, "characters of 2000") {
		t.Errorf("counter %q", counts)
	}
	saved, err := a.Ed.Post(context.Background(), n.editor, post.ID)
	if err != nil || saved.TextZH != "莫奈画睡莲。" {
		t.Errorf("the live check saved the text: %q %v", saved.TextZH, err)
	}
}
