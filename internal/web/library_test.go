package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// TestLibraryRightsAndSearch: an editor gives an image tags and rights in the library;
// the library finds it by tag, photographer or credit and shows every rendition's
// thumbnail; a malformed end date is refused and changes nothing. A post whose
// publication uses the image after its rights end warns on its page and in the live
// checks, and its WeChat article is offered the credit line.
func TestLibraryRightsAndSearch(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	ctx := context.Background()
	ed := a.signedIn("editor@example.org")
	lib := "/institutions/" + itoa(n.inst.ID) + "/media"
	m, _, err := a.Ed.Upload(ctx, n.editor, n.inst.ID, "nympheas.png", strings.NewReader(string(pngFile(t, 900, 600))))
	if err != nil {
		t.Fatal(err)
	}
	other, _, err := a.Ed.Upload(ctx, n.editor, n.inst.ID, "danseuses.png", strings.NewReader(string(pngFile(t, 300, 300))))
	if err != nil {
		t.Fatal(err)
	}
	until := time.Now().AddDate(0, 1, 0).Format(time.DateOnly)
	form := url.Values{"alt_zh": {"睡莲"}, "credit": {"Musée d'Orsay"}, "tags": {"Monet, 印象派"}, "photographer": {"Patrice Schmidt"},
		"rights_holder": {"RMN"}, "licence": {"Tous droits réservés"}, "rights_until": {until}}
	if r := ed.post("/media/"+itoa(m.ID), form); r.Status != http.StatusSeeOther {
		t.Fatalf("save rights: %d %s", r.Status, excerpt(r.Body))
	}
	bad := url.Values{"alt_zh": {"x"}, "credit": {"x"}, "rights_until": {"31/01/2030"}}
	if r := ed.post("/media/"+itoa(m.ID), bad); r.Status != http.StatusSeeOther || !strings.Contains(ed.follow(r).Body, "flash-error") {
		t.Errorf("a malformed date: %d", r.Status)
	}
	saved, _ := a.Ed.MediaAsset(ctx, n.editor, m.ID)
	if saved.RightsUntil != until || saved.AltZH != "睡莲" || len(saved.Tags) != 2 {
		t.Errorf("after the refused change: %+v", saved)
	}
	for _, q := range []string{"monet", "印象派", "schmidt", "orsay", "rmn"} {
		body := ed.get(lib + "?q=" + url.QueryEscape(q)).Body
		if !strings.Contains(body, `id="media-`+itoa(m.ID)+`"`) || strings.Contains(body, `id="media-`+itoa(other.ID)+`"`) {
			t.Errorf("search %q does not find just the tagged image", q)
		}
	}
	body := ed.get(lib).Body
	wantContains(t, body, "Patrice Schmidt", "© RMN", until, `src="/media/`+itoa(m.ID)+`/wechat_cover_235"`, `src="/media/`+itoa(m.ID)+`/weibo"`, `multiple`)
	wantContains(t, ed.get(lib+"?q=absent").Body, "No file matches")

	// A post using it after the end of its rights.
	open := true
	pubs := []editorial.PublicationInput{
		{AccountID: n.weibo.ID, Format: passerelle.FormatPhotoText, MediaIDs: []int64{m.ID}},
		{AccountID: n.wechat.ID, WeChat: &editorial.ArticleInput{Title: "睡莲", BodyHTML: "<p>花园</p>", CoverMediaID: m.ID, CommentsOpen: &open}},
	}
	s, err := a.Ed.CreatePost(ctx, n.editor, &editorial.PostInput{InstitutionID: &n.inst.ID, Title: ptr("Nymphéas"), Theme: ptr("exhibition"), SourceLang: ptr("fr"),
		TextZH: ptr("睡莲"), Publications: &pubs})
	if err != nil {
		t.Fatal(err)
	}
	at := time.Now().AddDate(0, 2, 0).Truncate(time.Hour)
	if _, err := a.Ed.Schedule(ctx, n.owner, s.Post.Publications[0].ID, &at); err != nil {
		t.Fatal(err)
	}
	page := ed.get("/posts/" + itoa(s.Post.ID)).Body
	wantContains(t, page, `id="rights-warnings"`, "The rights of nympheas.png end on "+until+", before its publication on the",
		`id="credit-pub_`+itoa(n.wechat.ID)+`"`, "图片来源：摄影：Patrice Schmidt © RMN")
	if strings.Count(page, "The rights of nympheas.png") != 1 {
		t.Error("the warning is not given once, for the scheduled publication only")
	}
	// The live checks say the same for the draft as typed; without the image, nothing.
	ed.header.Set("Accept", "application/json")
	wb := "pub_" + itoa(n.weibo.ID)
	live := url.Values{"title": {"Nymphéas"}, "theme": {"exhibition"}, "source_lang": {"fr"}, "text_zh": {"睡莲"}, wb: {"on"}, wb + ".format": {"photo_text"}, wb + ".media_ids": {itoa(m.ID)}}
	if r := ed.post("/posts/"+itoa(s.Post.ID)+"/check", live); !strings.Contains(r.Body, "The rights of nympheas.png end on "+until) {
		t.Errorf("live rights: %s", r.Body)
	}
	live.Del(wb + ".media_ids")
	if r := ed.post("/posts/"+itoa(s.Post.ID)+"/check", live); !strings.Contains(r.Body, `"rights":[]`) {
		t.Errorf("live rights without the image: %s", r.Body)
	}
}
