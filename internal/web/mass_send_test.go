package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// TestPostFormMassSend: the WeChat publication of the post form has a mass-send
// checkbox with the account's quota left, in each language; ticked, the publication
// asks for a mass send, and the saved post's form shows it ticked.
func TestPostFormMassSend(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	ed := a.signedIn("editor@example.org")
	wx := "pub_" + itoa(n.wechat.ID)
	for lang, want := range map[string]string{
		"en":      "Mass sends left that day: 1",
		"fr":      "Envois groupés restants ce jour-là : 1",
		"zh-Hans": "当天剩余群发次数：1",
	} {
		ed.header.Set("Accept-Language", lang)
		page := ed.get("/posts/new?institution_id=" + itoa(n.inst.ID))
		wantContains(t, page.Body, `name="`+wx+`.mass_send"`, want)
	}
	ed.header.Set("Accept-Language", "en")
	form := url.Values{"institution_id": {itoa(n.inst.ID)}, "title": {"Nymphéas"}, "theme": {"exhibition"}, "source_lang": {"fr"},
		"text_zh": {"莫奈的睡莲"}, wx: {"on"}, wx + ".format": {"article"}, wx + ".mode": {"auto"}, wx + ".wechat_title": {"莫奈的睡莲"},
		wx + ".mass_send": {"on"}}
	r := ed.post("/posts", form)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.Status, excerpt(r.Body))
	}
	posts, err := a.Ed.Posts(context.Background(), n.editor, editorial.PostQuery{InstitutionID: n.inst.ID})
	if err != nil || len(posts) != 1 {
		t.Fatalf("%d posts, %v", len(posts), err)
	}
	p, err := a.Ed.Post(context.Background(), n.editor, posts[0].ID)
	if err != nil || len(p.Publications) != 1 || !p.Publications[0].MassSend || p.Publications[0].Platform != passerelle.WeChat {
		t.Fatalf("saved %+v %v", p.Publications, err)
	}
	page := ed.follow(r)
	wantContains(t, page.Body, `name="`+wx+`.mass_send" value="on" checked`)
}
