package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// assistedAccounts adds a managed Douyin, Xiaohongshu and WeChat Channels account to
// the newsroom's institution, and a watched Xiaohongshu account.
func assistedAccounts(t *testing.T, a *app, n *newsroom) map[passerelle.Platform]*passerelle.Account {
	t.Helper()
	out := map[passerelle.Platform]*passerelle.Account{}
	for _, p := range []passerelle.Platform{passerelle.Douyin, passerelle.Xiaohongshu, passerelle.Channels} {
		acc := &passerelle.Account{InstitutionID: n.inst.ID, Platform: p, Kind: passerelle.AccountManaged, Handle: "orsay_" + string(p), DisplayName: "奥赛" + string(p)}
		if err := a.Ten.CreateAccount(context.Background(), n.owner, acc); err != nil {
			t.Fatal(err)
		}
		out[p] = acc
	}
	watched := &passerelle.Account{InstitutionID: n.inst.ID, Platform: passerelle.Xiaohongshu, Kind: passerelle.AccountWatched, Handle: "rival_xhs", DisplayName: "对手"}
	if err := a.Ten.CreateAccount(context.Background(), n.owner, watched); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestPostFormOffersEveryManagedAccount: the post form offers the institution's
// Douyin, Xiaohongshu and WeChat Channels accounts (assisted) beside Weibo and WeChat,
// not a watched account; a post saved with them has a publication on each, with the
// assisted mode and the text, topics and images the form sent.
func TestPostFormOffersEveryManagedAccount(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	accs := assistedAccounts(t, a, n)
	ed := a.signedIn("editor@example.org")
	page := ed.get("/posts/new?institution_id=" + itoa(n.inst.ID))
	for _, acc := range accs {
		pre := "pub_" + itoa(acc.ID)
		wantContains(t, page.Body, `id="f-`+pre+`"`, `name="`+pre+`.text_zh"`, `name="`+pre+`.topics"`, `data-name="`+pre+`.media_ids"`)
	}
	wantContains(t, page.Body, "Douyin", "Xiaohongshu", "WeChat Channels")
	if strings.Contains(page.Body, "对手") {
		t.Error("a watched account is offered as a target")
	}

	xhs := "pub_" + itoa(accs[passerelle.Xiaohongshu].ID)
	dy := "pub_" + itoa(accs[passerelle.Douyin].ID)
	form := url.Values{"institution_id": {itoa(n.inst.ID)}, "title": {"Nymphéas"}, "theme": {"exhibition"}, "source_lang": {"fr"},
		"text_zh": {"莫奈的睡莲"},
		xhs:       {"on"}, xhs + ".format": {"photo_text"}, xhs + ".mode": {"auto"}, xhs + ".text_zh": {"睡莲笔记\n莫奈晚年的杰作。"}, xhs + ".topics": {"印象派"},
		dy: {"on"}, dy + ".format": {"video"}, dy + ".mode": {"assisted"},
	}
	r := ed.post("/posts", form)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.Status, excerpt(r.Body))
	}
	posts, err := a.Ed.Posts(context.Background(), n.editor, editorial.PostQuery{InstitutionID: n.inst.ID})
	if err != nil || len(posts) != 1 {
		t.Fatalf("%d posts, %v", len(posts), err)
	}
	p, err := a.Ed.Post(context.Background(), n.editor, posts[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Publications) != 2 {
		t.Fatalf("%d publications", len(p.Publications))
	}
	for _, b := range p.Publications {
		if b.Mode != passerelle.ModeAssisted {
			t.Errorf("%s: mode %q", b.Platform, b.Mode)
		}
		if b.Platform == passerelle.Xiaohongshu && (b.TextZH != "睡莲笔记\n莫奈晚年的杰作。" || len(b.Topics) != 1) {
			t.Errorf("Xiaohongshu publication %+v", b)
		}
	}
	// The page of the saved post shows the publications ticked, with their phone.
	page = ed.follow(r)
	wantContains(t, page.Body, `id="f-`+xhs+`" name="`+xhs+`" value="on" checked`, `id="phone-`+xhs+`"`, `id="count-`+xhs+`-title"`)
}

type liveAnswer struct {
	Findings []struct{ Field, Severity, Message string }
	Counts   []struct {
		Target, Account, Label string
		Length, Limit          int
	}
	Terms []struct {
		Start, End int
		Source, ZH string
		Rendered   bool
	}
	Previews []struct {
		Account             int64
		Platform            string
		Text                string
		Fold                int
		Title, Digest, Body string
		Cover               string
		Media               []int64
	}
	Source string
}

// TestLiveComposerAnswer: the check endpoint answers, for the form as typed and
// without saving it, each publication's count beside its field (Weibo by Weibo's rule,
// WeChat title and digest, the Xiaohongshu title and text), the glossary names of the
// source with their renderings and whether the Chinese text has them, and each
// publication as the phone shows it (the Weibo fold after 140 characters, the WeChat
// body cleaned).
func TestLiveComposerAnswer(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	accs := assistedAccounts(t, a, n)
	post := n.post(t, a, "Les Nymphéas", "Claude Monet et Edgar Degas peignent.", "莫奈画睡莲。")
	ed := a.signedIn("editor@example.org")
	wb, wx, xhs := "pub_"+itoa(n.weibo.ID), "pub_"+itoa(n.wechat.ID), "pub_"+itoa(accs[passerelle.Xiaohongshu].ID)
	long := strings.Repeat("睡莲", 80) // 160 characters
	form := url.Values{"institution_id": {itoa(n.inst.ID)}, "title": {"Les Nymphéas"}, "theme": {"exhibition"}, "source_lang": {"fr"},
		"source_text": {"Claude Monet et Edgar Degas peignent."}, "text_zh": {"莫奈画睡莲。"},
		wb: {"on"}, wb + ".format": {"text"}, wb + ".mode": {"auto"}, wb + ".text_zh": {long}, wb + ".topics": {"奥赛博物馆"},
		wx: {"on"}, wx + ".wechat_title": {"莫奈的睡莲"}, wx + ".wechat_digest": {"走进花园"}, wx + ".wechat_body_html": {`<p style="color:#c00">花园</p><script>x()</script>`},
		xhs: {"on"}, xhs + ".format": {"photo_text"}, xhs + ".text_zh": {"睡莲笔记\n正文"},
	}
	ed.header.Set("Accept", "application/json")
	r := ed.post("/posts/"+itoa(post.ID)+"/check", form)
	if r.Status != http.StatusOK {
		t.Fatalf("check: %d %s", r.Status, r.Body)
	}
	var got liveAnswer
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
		t.Fatal(err)
	}
	counts := map[string]string{}
	for _, c := range got.Counts {
		counts[c.Target] = c.Label
	}
	for target, want := range map[string]string{
		"count-" + wb:             "Text: 167 characters of 2000", // 160 + " #奥赛博物馆#" (1 + 6 Chinese characters... counted by Weibo's rule)
		"count-" + wx + "-title":  "Title: 5 characters of 32",
		"count-" + wx + "-digest": "Digest: 4 characters of 128",
		"count-" + xhs + "-title": "Title: 4 characters of 20",
		"count-" + xhs:            "Text: 7 characters of 1000",
	} {
		if counts[target] != want {
			t.Errorf("count %s = %q, want %q", target, counts[target], want)
		}
	}
	if len(got.Terms) != 2 || got.Terms[0].Source != "Claude Monet" || got.Terms[0].ZH != "莫奈" || !got.Terms[0].Rendered ||
		got.Terms[1].Source != "Edgar Degas" || got.Terms[1].Rendered {
		t.Errorf("terms %+v", got.Terms)
	}
	if got.Source != "Claude Monet et Edgar Degas peignent." {
		t.Errorf("source %q", got.Source)
	}
	for _, p := range got.Previews {
		switch p.Platform {
		case "weibo":
			if p.Fold != 140 || !strings.HasSuffix(p.Text, "#奥赛博物馆#") {
				t.Errorf("Weibo preview fold %d text %q", p.Fold, p.Text)
			}
		case "wechat":
			if p.Title != "莫奈的睡莲" || !strings.Contains(p.Body, `style="color: #c00"`) || strings.Contains(p.Body, "script") {
				t.Errorf("WeChat preview %+v", p)
			}
		case "xiaohongshu":
			if p.Title != "睡莲笔记" || p.Fold != -1 {
				t.Errorf("Xiaohongshu preview %+v", p)
			}
		}
	}
	if len(got.Previews) != 3 {
		t.Errorf("%d previews", len(got.Previews))
	}
	// Nothing was saved.
	saved, err := a.Ed.Post(context.Background(), n.editor, post.ID)
	if err != nil || len(saved.Publications) != 1 || saved.TextZH != "莫奈画睡莲。" {
		t.Errorf("the check saved the draft: %+v %v", saved, err)
	}
	// French labels for a French reader.
	ed.header.Set("Accept-Language", "fr")
	r = ed.post("/posts/"+itoa(post.ID)+"/check", form)
	if !strings.Contains(r.Body, "Titre : 5 caractères sur 32") {
		t.Errorf("French labels: %s", r.Body)
	}
	// Another organization does not see the post; a malformed form is refused.
	o := a.signedIn("other@example.org")
	if r := o.post("/posts/"+itoa(post.ID)+"/check", form); r.Status != http.StatusNotFound {
		t.Errorf("other organization: %d", r.Status)
	}
	bad := url.Values{wb: {"on"}, wb + ".media_ids": {"x"}}
	if r := ed.post("/posts/"+itoa(post.ID)+"/check", bad); r.Status != http.StatusUnprocessableEntity && r.Status != http.StatusBadRequest {
		t.Errorf("malformed: %d", r.Status)
	}
}

// TestComposerUpload: the composer uploads a file and gets the asset in JSON; a file
// that is not an image or a video, an empty request and a reader's upload are refused
// with a message and add nothing.
func TestComposerUpload(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	lib := "/institutions/" + itoa(n.inst.ID) + "/media"
	send := func(email, filename string, data []byte) (int, map[string]any) {
		c := a.signedIn(email)
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		if filename != "" {
			fw, _ := mw.CreateFormFile("file", filename)
			fw.Write(data)
		}
		mw.Close()
		req, _ := http.NewRequest("POST", c.base+lib, &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Accept", "application/json")
		res, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		var m map[string]any
		if err := json.NewDecoder(res.Body).Decode(&m); err != nil {
			t.Fatalf("%s: not JSON: %v", filename, err)
		}
		if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("content type %q", ct)
		}
		return res.StatusCode, m
	}
	status, m := send("editor@example.org", "nympheas.png", pngFile(t, 400, 300))
	if status != http.StatusCreated || m["filename"] != "nympheas.png" || m["width"] != float64(400) || m["image"] != true {
		t.Fatalf("upload: %d %v", status, m)
	}
	for _, c := range []struct {
		email, name string
		data        []byte
	}{
		{"editor@example.org", "notes.txt", []byte("hello")},
		{"editor@example.org", "", nil},
		{"viewer@example.org", "other.png", pngFile(t, 20, 20)},
	} {
		status, m := send(c.email, c.name, c.data)
		if status < 400 || status >= 500 || m["error"] == nil || m["error"] == "" {
			t.Errorf("%s %q: %d %v", c.email, c.name, status, m)
		}
	}
	ms, _ := a.Ed.Media(context.Background(), n.owner, editorial.MediaQuery{InstitutionID: n.inst.ID})
	if len(ms) != 1 {
		t.Errorf("%d assets after the refusals", len(ms))
	}
}

// TestLiveArticleFrame: the empty frame of the live WeChat preview carries the article's
// own policy (inline styles, nothing executable) and needs a session.
func TestLiveArticleFrame(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	seedNewsroom(t, a)
	ed := a.signedIn("editor@example.org")
	r := ed.get("/article-frame")
	if r.Status != http.StatusOK || !strings.Contains(r.Header.Get("Content-Security-Policy"), "style-src 'unsafe-inline'") ||
		!strings.Contains(r.Header.Get("Content-Security-Policy"), "sandbox") || strings.Contains(r.Header.Get("Content-Security-Policy"), "script-src") {
		t.Errorf("frame: %d %q", r.Status, r.Header.Get("Content-Security-Policy"))
	}
	if r := a.client().get("/article-frame"); r.Status == http.StatusOK {
		t.Error("the frame answers without a session")
	}
}

// TestLiveComposerNewPost: the composer of a post not saved yet is live too: its form
// links the institution's check, which answers counts, glossary names and previews for
// the draft as typed and saves nothing; only those who may write posts there may ask.
func TestLiveComposerNewPost(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	ed := a.signedIn("editor@example.org")
	check := "/institutions/" + itoa(n.inst.ID) + "/posts/check"
	page := ed.get("/posts/new?institution_id=" + itoa(n.inst.ID))
	if page.Status != http.StatusOK || !strings.Contains(page.Body, `data-check="`+check+`"`) || !strings.Contains(page.Body, `id="live-counts"`) ||
		!strings.Contains(page.Body, `id="phone-pub_`+itoa(n.weibo.ID)+`"`) {
		t.Fatalf("the new post's composer is not live: %d %s", page.Status, page.Body)
	}
	wb := "pub_" + itoa(n.weibo.ID)
	form := url.Values{"institution_id": {itoa(n.inst.ID)}, "title": {"Les Nymphéas"}, "theme": {"exhibition"}, "source_lang": {"fr"},
		"source_text": {"Claude Monet et Edgar Degas peignent."}, "text_zh": {"莫奈画睡莲。"},
		wb: {"on"}, wb + ".format": {"text"}, wb + ".mode": {"auto"}, wb + ".text_zh": {strings.Repeat("睡莲", 80)}}
	ed.header.Set("Accept", "application/json")
	r := ed.post(check, form)
	if r.Status != http.StatusOK {
		t.Fatalf("check: %d %s", r.Status, r.Body)
	}
	var got liveAnswer
	if err := json.Unmarshal([]byte(r.Body), &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Counts) != 1 || got.Counts[0].Label != "Text: 160 characters of 2000" {
		t.Errorf("counts %+v", got.Counts)
	}
	if len(got.Terms) != 2 || got.Terms[0].ZH != "莫奈" || !got.Terms[0].Rendered || got.Terms[1].Rendered {
		t.Errorf("terms %+v", got.Terms)
	}
	if len(got.Previews) != 1 || got.Previews[0].Fold != 140 {
		t.Errorf("previews %+v", got.Previews)
	}
	posts, err := a.Ed.Posts(context.Background(), n.editor, editorial.PostQuery{})
	if err != nil || len(posts) != 0 {
		t.Errorf("the check saved a post: %d %v", len(posts), err)
	}
	// A reviewer may not write posts; another organization does not see the institution.
	if r := a.signedIn("reviewer@example.org").post(check, form); r.Status != http.StatusForbidden {
		t.Errorf("reviewer: %d", r.Status)
	}
	if r := a.signedIn("other@example.org").post(check, form); r.Status != http.StatusNotFound {
		t.Errorf("other organization: %d", r.Status)
	}
}
