package web_test

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// TestSaveWithCleanedBodyRedirects: saving a post whose WeChat body lost a script
// answers with a redirect to the post (Post/Redirect/Get), so reloading the page does
// not create a second post; the list of what was removed is shown once after it.
func TestSaveWithCleanedBodyRedirects(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	c := a.signedIn("editor@example.org")
	form := n.postForm("Les Nymphéas", "Claude Monet peint les Nymphéas.", "莫奈画睡莲。")
	pre := "pub_" + itoa(n.wechat.ID) + "."
	form.Set("pub_"+itoa(n.wechat.ID), "on")
	form.Set(pre+"mode", "wechat_draft")
	form.Set(pre+"wechat_title", "莫奈的睡莲")
	form.Set(pre+"wechat_body_html", `<p>睡莲</p><script>alert(1)</script>`)
	res := c.post("/posts", form)
	if res.Status != http.StatusSeeOther || !regexp.MustCompile(`^/posts/\d+$`).MatchString(res.Location) {
		t.Fatalf("save answers %d %q, want a redirect to the post:\n%s", res.Status, res.Location, excerpt(res.Body))
	}
	page := c.follow(res)
	wantContains(t, page.Body, `id="removed-title"`, "script")
	if again := c.get(res.Location); strings.Contains(again.Body, `id="removed-title"`) {
		t.Error("the removal notice is shown again on reload")
	}
}

// TestArticleFrame: the framed WeChat body keeps its inline styles under a policy of
// its own that runs nothing, and only the post's readers get it.
func TestArticleFrame(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	post, token := wechatPost(t, a, n, `<p style="color:#c00">红</p><script>alert(1)</script>`)
	var wx int64
	for _, b := range post.Publications {
		if b.Platform == "wechat" {
			wx = b.ID
		}
	}
	c := a.signedIn("editor@example.org")
	for _, path := range []string{"/posts/" + itoa(post.ID) + "/article?pub=" + itoa(wx), "/review/" + token + "/article?pub=" + itoa(wx)} {
		res := c.get(path)
		csp := res.Header.Get("Content-Security-Policy")
		if res.Status != 200 || !strings.Contains(res.Body, `color:#c00`) && !strings.Contains(res.Body, `color: #c00`) || strings.Contains(res.Body, "<script") ||
			!strings.Contains(csp, "sandbox") || !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "script-src") {
			t.Errorf("%s: %d %q\n%s", path, res.Status, csp, excerpt(res.Body))
		}
	}
	if res := c.get("/posts/" + itoa(post.ID) + "/article?pub=" + itoa(post.Publications[0].ID+100)); res.Status != http.StatusNotFound {
		t.Errorf("unknown publication: %d", res.Status)
	}
	if res := a.signedIn("other@example.org").get("/posts/" + itoa(post.ID) + "/article?pub=" + itoa(wx)); res.Status != http.StatusNotFound {
		t.Errorf("another organization: %d", res.Status)
	}
}

// TestGlossaryFindingPerPublication: a WeChat article that misspells a name the
// Weibo text renders right gets its own finding, beside its body, in the editor.
func TestGlossaryFindingPerPublication(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	post, _ := wechatPost(t, a, n, `<p>戴加斯的舞者</p>`)
	_ = post
	c := a.signedIn("editor@example.org")
	page := c.get("/posts/" + itoa(post.ID))
	body := page.Body
	i := strings.Index(body, `name="pub_`+itoa(n.wechat.ID)+`.wechat_body_html"`)
	if i < 0 {
		t.Fatalf("no WeChat body field:\n%s", excerpt(body))
	}
	if j := strings.LastIndex(body[:i], "<label"); !strings.Contains(body[j:], "this WeChat article (title, digest and body) does not use the approved rendering 德加") {
		t.Errorf("no glossary finding beside the WeChat body:\n%s", body[i:min(len(body), i+3000)])
	}
}

// TestHistoryInFrench: the first change reads "Créé en Brouillon", a guest's name is
// marked in French, and a version that changed only the WeChat title shows that
// change.
func TestHistoryInFrench(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	post, token := wechatPost(t, a, n, `<p>德加的舞者</p>`)
	ctx := context.Background()
	if _, err := a.Ed.GuestDecision(ctx, token, passerelle.StatusDraft, "Le titre, svp.", "Anne", "fr"); err != nil {
		t.Fatal(err)
	}
	cur, err := a.Ed.Post(ctx, n.editor, post.ID)
	if err != nil {
		t.Fatal(err)
	}
	pubs := []editorial.PublicationInput{}
	for _, b := range cur.Publications {
		in := editorial.PublicationInput{AccountID: b.AccountID, Format: b.Format, Topics: b.Topics}
		if b.WeChat != nil {
			in.WeChat = &editorial.ArticleInput{Title: "德加：芭蕾舞者", Digest: b.WeChat.Digest, BodyHTML: b.WeChat.BodyHTML}
		}
		pubs = append(pubs, in)
	}
	if _, err := a.Ed.UpdatePost(ctx, n.editor, post.ID, &editorial.PostInput{Publications: &pubs}); err != nil {
		t.Fatal(err)
	}
	c := a.client()
	c.header.Set("Accept-Language", "fr")
	c.login("editor@example.org", pw)
	page := c.get("/posts/" + itoa(post.ID) + "/history").Body
	wantContains(t, page, "Créé en", "Anne (lien invité", "Titre WeChat", "芭蕾舞者")
	for _, bad := range []string{"poststatus.", "(guest link)"} {
		if strings.Contains(page, bad) {
			t.Errorf("the history shows %q", bad)
		}
	}
	if strings.Count(page, "Aucun changement dans les textes") > 0 {
		t.Errorf("a version reads as unchanged")
	}
}

// TestGuestDecisionInThread: a guest's approval comment shows in the comment thread
// of the post and of the guest page, which then says what was decided.
func TestGuestDecisionInThread(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	post, token := wechatPost(t, a, n, `<p>德加的舞者</p>`)
	for _, b := range post.Publications {
		if b.WeChat != nil {
			// The WeChat article needs a cover to pass the checks; without one, go
			// for Weibo only.
			pubs := []editorial.PublicationInput{{AccountID: n.weibo.ID, Format: passerelle.FormatText, Topics: []string{"奥赛博物馆"}}}
			if _, err := a.Ed.UpdatePost(context.Background(), n.editor, post.ID, &editorial.PostInput{Publications: &pubs}); err != nil {
				t.Fatal(err)
			}
		}
	}
	g := a.client()
	g.header.Set("Accept-Language", "fr")
	res := g.post("/review/"+token+"/decision", url.Values{"to": {"approved"}, "name": {"Anne"}, "comment": {"Parfait, bon pour publication."}})
	if res.Status != http.StatusSeeOther {
		t.Fatalf("decision: %d %s", res.Status, excerpt(res.Body))
	}
	page := g.follow(res).Body
	decided := page[strings.Index(page, `id="decided"`):]
	wantContains(t, decided, "Anne (lien invité", "a approuvé cette publication", "Parfait, bon pour publication.")
	comments := page[strings.Index(page, `id="comments"`):]
	wantContains(t, comments, "Parfait, bon pour publication.")
	if strings.Contains(comments, "Aucun commentaire") {
		t.Error("the guest page's thread says there is no comment")
	}
	editor := a.signedIn("editor@example.org").get("/posts/" + itoa(post.ID)).Body
	wantContains(t, editor[strings.Index(editor, `id="comments"`):], "Anne (guest link", "Parfait, bon pour publication.", "status-approved")
}

// TestPostPageDetails: a viewer's form is marked read-only, a scheduled post's button
// says it unschedules, the side list of findings names publication and field once,
// and the French menu and page agree on "Posts".
func TestPostPageDetails(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	post, _ := wechatPost(t, a, n, `<p>戴加斯</p>`)
	c := a.client()
	c.header.Set("Accept-Language", "fr")
	c.login("viewer@example.org", pw)
	page := c.get("/posts/" + itoa(post.ID)).Body
	wantContains(t, page, `class="editor-grid editor-readonly"`, `<fieldset disabled`)
	side := page[strings.Index(page, `id="checks"`):]
	side = side[:strings.Index(side, "</section>")]
	wantContains(t, side, `href="#f-pub_`+itoa(n.wechat.ID)+`.wechat_body_html"`, "WeChat 奥赛博物馆 · ")
	nav := page[strings.Index(page, `class="mainnav"`):]
	wantContains(t, nav[:400], ">Posts<")
}
