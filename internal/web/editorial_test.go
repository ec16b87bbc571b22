package web_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// newsroom is an organization with one institution, its managed Weibo and WeChat
// accounts, and a colleague in each role.
type newsroom struct {
	owner          *passerelle.User
	inst           *passerelle.Institution
	weibo, wechat  *passerelle.Account
	other          *passerelle.User // owner of another organization
	otherInst      *passerelle.Institution
	editor, viewer *passerelle.User
}

const pw = "password-1234"

func seedNewsroom(t *testing.T, a *app) *newsroom {
	t.Helper()
	ctx := context.Background()
	n := &newsroom{owner: a.org("Agence", "owner@example.org", pw)}
	n.inst = a.institution(n.owner, "Musée d'Orsay")
	n.weibo = &passerelle.Account{InstitutionID: n.inst.ID, Platform: passerelle.Weibo, Kind: passerelle.AccountManaged, Handle: "orsay", DisplayName: "奥赛博物馆"}
	n.wechat = &passerelle.Account{InstitutionID: n.inst.ID, Platform: passerelle.WeChat, Kind: passerelle.AccountManaged, Handle: "gh_orsay", DisplayName: "奥赛博物馆"}
	for _, acc := range []*passerelle.Account{n.weibo, n.wechat} {
		if err := a.Ten.CreateAccount(ctx, n.owner, acc); err != nil {
			t.Fatal(err)
		}
	}
	n.editor = a.user(n.owner.OrgID, "editor@example.org", pw, false, passerelle.Membership{InstitutionID: n.inst.ID, Role: passerelle.RoleEditor})
	a.user(n.owner.OrgID, "reviewer@example.org", pw, false, passerelle.Membership{InstitutionID: n.inst.ID, Role: passerelle.RoleReviewer})
	n.viewer = a.user(n.owner.OrgID, "viewer@example.org", pw, false, passerelle.Membership{InstitutionID: n.inst.ID, Role: passerelle.RoleViewer})
	n.other = a.org("Autre agence", "other@example.org", pw)
	n.otherInst = a.institution(n.other, "Musée étranger")
	return n
}

// post creates a post through the service, as the editor would.
func (n *newsroom) post(t *testing.T, a *app, title, source, zh string) *passerelle.Post {
	t.Helper()
	in := &editorial.PostInput{InstitutionID: &n.inst.ID, Title: &title, Theme: ptr("exhibition"), SourceLang: ptr("fr"), SourceText: &source, TextZH: &zh,
		Publications: &[]editorial.PublicationInput{{AccountID: n.weibo.ID, Format: passerelle.FormatText, Topics: []string{"奥赛博物馆"}}}}
	s, err := a.Ed.CreatePost(context.Background(), n.editor, in)
	if err != nil {
		t.Fatal(err)
	}
	return s.Post
}

func ptr[T any](v T) *T { return &v }

func (a *app) signedIn(email string) *client {
	c := a.client()
	c.header.Set("Accept-Language", "en")
	c.login(email, pw)
	return c
}

// postForm is the editor's form for a new post on the newsroom's Weibo account.
func (n *newsroom) postForm(title, source, zh string) url.Values {
	pre := "pub_" + itoa(n.weibo.ID)
	return url.Values{"institution_id": {itoa(n.inst.ID)}, "title": {title}, "theme": {"exhibition"}, "source_lang": {"fr"},
		"source_text": {source}, "text_zh": {zh}, pre: {"on"}, pre + ".format": {"text"}, pre + ".mode": {"assisted"}, pre + ".topics": {"#奥赛博物馆#"}}
}

func TestEditorialPagesRender(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	p := n.post(t, a, "Les Nymphéas", "Claude Monet peint les Nymphéas.", "莫内画睡莲。")
	c := a.signedIn("owner@example.org")
	inst := itoa(n.inst.ID)
	for _, path := range []string{
		"/posts", "/posts?status=draft&theme=exhibition&institution_id=" + inst, "/posts/new", "/posts/new?institution_id=" + inst,
		"/posts/" + itoa(p.ID), "/posts/" + itoa(p.ID) + "/history",
		"/calendar", "/calendar?view=week", "/calendar?view=list&date=2026-05-01", "/calendar?institution_id=" + inst + "&platform=weibo&status=draft",
		"/glossary", "/glossary?scope=all", "/glossary?scope=" + inst + "&q=monet", "/lexicon", "/institutions/" + inst + "/media", "/",
	} {
		r := c.get(path)
		if r.Status != http.StatusOK {
			t.Errorf("GET %s: %d %s", path, r.Status, excerpt(r.Body))
		}
	}
	r := c.get("/posts/" + itoa(p.ID))
	wantContains(t, r.Body, "Les Nymphéas", `name="pub_`+itoa(n.weibo.ID)+`.topics"`, "Submit for review", `class="phone weibo-card"`, "#奥赛博物馆#", "Guest review links")
	// The glossary finding is shown beside the Chinese text it concerns, its span
	// highlighted in the source.
	wantContains(t, r.Body, `id="f-source_text-findings"`, "<mark>Claude Monet</mark>", "莫奈")
	if r := c.get("/"); !strings.Contains(r.Body, `id="to-review"`) || !strings.Contains(r.Body, `href="/posts"`) {
		t.Errorf("dashboard lacks the editorial panel or the Posts link:\n%s", excerpt(r.Body))
	}
}

func TestPostFormValidationShown(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	c := a.signedIn("editor@example.org")
	tests := []struct {
		name  string
		edit  func(url.Values)
		field string
		want  string
	}{
		{"no title", func(v url.Values) { v.Set("title", "") }, "title", "A title is required."},
		{"unknown theme", func(v url.Values) { v.Set("theme", "gossip") }, "theme", "Choose one of the organization"},
		{"crop outside the image", func(v url.Values) {
			pre := "pub_" + itoa(n.wechat.ID)
			v.Set(pre, "on")
			v.Set(pre+".wechat_crop_235_x", "1.5")
		}, "pub_" + itoa(n.wechat.ID) + ".wechat_crop_235", "Use fractions from 0 to 1."},
		{"repost without address", func(v url.Values) { v.Set("pub_"+itoa(n.weibo.ID)+".format", "repost") }, "", "Give the address of the partner"},
		{"foreign media", func(v url.Values) { v.Add("media_ids", "999") }, "", "Not in this institution"},
	}
	for _, tt := range tests {
		v := n.postForm("Titre", "Texte", "中文")
		tt.edit(v)
		r := c.post("/posts", v)
		if r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", tt.name, r.Status)
			continue
		}
		wantContains(t, r.Body, tt.want, `role="alert"`)
		if tt.field != "" && !strings.Contains(r.Body, `id="f-`+tt.field+`-error"`) && !strings.Contains(r.Body, "field-error") {
			t.Errorf("%s: no error beside %s", tt.name, tt.field)
		}
	}
	posts, _ := a.Ed.Posts(context.Background(), n.owner, editorial.PostQuery{})
	if len(posts) != 0 {
		t.Fatalf("refused forms created %d posts", len(posts))
	}
	// A good form creates the post and goes to its editor.
	r := c.post("/posts", n.postForm("Titre", "Texte", "中文"))
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/posts/") {
		t.Fatalf("create: %d %s %s", r.Status, r.Location, excerpt(r.Body))
	}
	wantContains(t, c.follow(r).Body, "Post created.", "Titre")
}

// The workflow through the pages: checks block approval until fixed; the reviewer
// approves; the editor schedules; editing approved content reopens it.
func TestPostWorkflowPages(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	p := n.post(t, a, "Monet", "Claude Monet peint.", "莫内画画。")
	path := "/posts/" + itoa(p.ID)
	ed := a.signedIn("editor@example.org")
	rev := a.signedIn("reviewer@example.org")

	// The reviewer sees no move on a draft; the editor submits it.
	if r := rev.get(path); strings.Contains(r.Body, `data-move="review"`) || strings.Contains(r.Body, `id="save-post"`) {
		t.Errorf("a reviewer is offered a writer's buttons")
	}
	r := ed.post(path+"/transition", url.Values{"to": {"review"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d %s", r.Status, excerpt(r.Body))
	}
	// The glossary error blocks approval: the refusal is shown, the status stays.
	r = rev.follow(rev.post(path+"/transition", url.Values{"to": {"approved"}}))
	wantContains(t, r.Body, "flash-error", "error(s)")
	// Rejecting needs a comment.
	r = rev.follow(rev.post(path+"/transition", url.Values{"to": {"draft"}}))
	wantContains(t, r.Body, "flash-error")
	r = rev.follow(rev.post(path+"/transition", url.Values{"to": {"draft"}, "comment": {"Use 莫奈."}}))
	wantContains(t, r.Body, "Status changed.")

	// The editor fixes the text through the form and submits again.
	cur, _ := a.Ed.Post(context.Background(), n.owner, p.ID)
	v := n.postForm("Monet", "Claude Monet peint.", "莫奈画画。")
	v.Set("version", itoa(int64(cur.Version)))
	if r := ed.post(path, v); r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.Status, excerpt(r.Body))
	}
	ed.post(path+"/transition", url.Values{"to": {"review"}})
	r = rev.follow(rev.post(path+"/transition", url.Values{"to": {"approved"}}))
	wantContains(t, r.Body, "Status changed.", "status-approved")

	// Schedule: the time is read in the institution's zone (Paris).
	cur, _ = a.Ed.Post(context.Background(), n.owner, p.ID)
	pub := cur.Publications[0]
	when := time.Now().AddDate(0, 0, 3).In(mustZone(t, "Europe/Paris"))
	local := when.Format("2006-01-02") + "T10:30"
	r = ed.post("/publications/"+itoa(pub.ID)+"/schedule", url.Values{"at": {local}, "next": {"/calendar?view=list"}})
	if r.Status != http.StatusSeeOther || r.Location != "/calendar?view=list" {
		t.Fatalf("schedule: %d %s", r.Status, r.Location)
	}
	cur, _ = a.Ed.Post(context.Background(), n.owner, p.ID)
	if got := cur.Publications[0].ScheduledAt.In(mustZone(t, "Europe/Paris")).Format("2006-01-02T15:04"); got != local {
		t.Fatalf("scheduled at %s, want %s Paris time", got, local)
	}
	r = ed.follow(ed.post(path+"/transition", url.Values{"to": {"scheduled"}}))
	wantContains(t, r.Body, "status-scheduled")
	cal := ed.get("/calendar?view=week&date=" + when.Format("2006-01-02"))
	wantContains(t, cal.Body, "Monet", "10:30", "17:30", `data-schedule="/publications/`+itoa(pub.ID)+`/schedule"`)

	// A time in the past is refused with its reason.
	r = ed.follow(ed.post("/publications/"+itoa(pub.ID)+"/schedule", url.Values{"at": {"2001-01-01T10:00"}}))
	wantContains(t, r.Body, "Choose a time in the future.")

	// Editing approved content sends it back to review and says so.
	v.Set("version", itoa(int64(cur.Version)))
	v.Set("text_zh", "莫奈画睡莲。")
	r = ed.follow(ed.post(path, v))
	wantContains(t, r.Body, "goes back to review", "status-review")

	// Comments thread; the history shows the diff of the Chinese text.
	ed.post(path+"/comments", url.Values{"body": {"Première remarque"}})
	cs, _ := a.Ed.Comments(context.Background(), n.owner, p.ID)
	rev.post(path+"/comments", url.Values{"body": {"Réponse"}, "parent_id": {itoa(cs[0].ID)}})
	r = ed.get(path)
	if !regexp.MustCompile(`(?s)Première remarque.*<ul class="comments">.*Réponse`).MatchString(r.Body) {
		t.Errorf("the answer is not under its comment:\n%s", excerpt(r.Body[strings.Index(r.Body, `id="comments"`):]))
	}
	h := ed.get(path + "/history")
	wantContains(t, h.Body, "<del>", "<ins>", "睡莲", "Use 莫奈.")
}

func mustZone(t *testing.T, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// Posts of another organization, or of an institution the user has no role on, are
// not found; what a role does not allow is forbidden and changes nothing.
func TestPostAccessByRole(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	p := n.post(t, a, "Interne", "Texte", "中文")
	path := "/posts/" + itoa(p.ID)
	pub := itoa(p.Publications[0].ID)

	other := a.signedIn("other@example.org")
	for _, get := range []string{path, path + "/history", "/institutions/" + itoa(n.inst.ID) + "/media", "/posts/new?institution_id=" + itoa(n.inst.ID)} {
		if r := other.get(get); r.Status != http.StatusNotFound || strings.Contains(r.Body, "Interne") {
			t.Errorf("foreign GET %s: %d", get, r.Status)
		}
	}
	for _, post := range []string{path, path + "/transition", path + "/comments", path + "/delete", path + "/guest-links", "/publications/" + pub + "/schedule", "/accounts/" + itoa(n.weibo.ID) + "/cadence"} {
		if r := other.post(post, url.Values{"to": {"review"}, "body": {"x"}, "at": {"2030-01-01T10:00"}, "min": {"1"}, "max": {"2"}, "days": {"7"}}); r.Status != http.StatusNotFound {
			t.Errorf("foreign POST %s: %d", post, r.Status)
		}
	}

	viewer := a.signedIn("viewer@example.org")
	r := viewer.get(path)
	if r.Status != http.StatusOK || strings.Contains(r.Body, `id="save-post"`) || strings.Contains(r.Body, "data-move=") || strings.Contains(r.Body, `id="create-link"`) {
		t.Errorf("viewer: %d, or offered buttons", r.Status)
	}
	v := n.postForm("Changé", "x", "y")
	for _, tt := range []struct {
		path string
		form url.Values
	}{{path, v}, {path + "/transition", url.Values{"to": {"review"}}}, {path + "/delete", nil}, {path + "/guest-links", url.Values{"days": {"7"}}},
		{"/publications/" + pub + "/schedule", url.Values{"at": {"2030-01-01T10:00"}}}, {"/posts/new?institution_id=" + itoa(n.inst.ID), nil}} {
		var r resp
		if strings.Contains(tt.path, "/new") {
			r = viewer.get(tt.path)
		} else {
			r = viewer.post(tt.path, tt.form)
		}
		if r.Status != http.StatusForbidden {
			t.Errorf("viewer %s: %d, want 403", tt.path, r.Status)
		}
	}
	got, _ := a.Ed.Post(context.Background(), n.owner, p.ID)
	if got.Title != "Interne" || got.Status != passerelle.StatusDraft || got.Publications[0].ScheduledAt != nil {
		t.Fatalf("a refused request changed the post: %+v", got)
	}
}

// The guest review page: no navigation, the phone previews, approve or reject with
// a comment; tampered, revoked and expired links are refused.
func TestGuestReviewPage(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	p := n.post(t, a, "Degas", "Degas danse.", "德加的舞者。")
	ctx := context.Background()
	if _, err := a.Ed.Transition(ctx, n.editor, p.ID, passerelle.StatusReview, ""); err != nil {
		t.Fatal(err)
	}
	guest := a.client()
	guest.header.Set("Accept-Language", "fr")
	makeLink := func(c *client) string {
		t.Helper()
		r := c.post("/posts/"+itoa(p.ID)+"/guest-links", url.Values{"label": {"Conservatrice"}, "days": {"3"}})
		if r.Status != http.StatusSeeOther {
			t.Fatalf("create link: %d %s", r.Status, excerpt(r.Body))
		}
		r = c.follow(r) // Post/Redirect/Get: the link is shown once after the redirect
		m := regexp.MustCompile(`value="(http://[^"]+/review/([^"]+))"`).FindStringSubmatch(r.Body)
		if m == nil {
			t.Fatalf("the link is not shown:\n%s", excerpt(r.Body))
		}
		return m[2]
	}
	// The editor's link lets the guest comment, not decide.
	ed := a.signedIn("editor@example.org")
	token := makeLink(ed)
	r := guest.get("/review/" + token)
	wantContains(t, r.Body, `id="comment-only"`)
	if strings.Contains(r.Body, `id="approve"`) {
		t.Errorf("an editor's link offers approval")
	}
	if r := guest.post("/review/"+token+"/decision", url.Values{"to": {"approved"}}); r.Status != http.StatusForbidden {
		t.Errorf("decision through an editor's link: %d, want 403", r.Status)
	}

	token = makeLink(a.signedIn("reviewer@example.org"))
	r = guest.get("/review/" + token)
	if r.Status != http.StatusOK {
		t.Fatalf("review page: %d %s", r.Status, excerpt(r.Body))
	}
	wantContains(t, r.Body, `lang="fr"`, "Degas", "德加的舞者", `class="phone weibo-card"`, "Valider", "Refuser")
	if strings.Contains(r.Body, "mainnav") || strings.Contains(r.Body, "/posts/") {
		t.Errorf("the guest page shows navigation or internal links")
	}
	if got := r.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q", got)
	}
	// A rejection needs a comment; with one, the post goes back to draft.
	r = guest.follow(guest.post("/review/"+token+"/decision", url.Values{"to": {"draft"}}))
	wantContains(t, r.Body, "flash-error")
	r = guest.follow(guest.post("/review/"+token+"/decision", url.Values{"to": {"draft"}, "comment": {"Le titre"}, "name": {"Anne"}}))
	wantContains(t, r.Body, "flash-ok", `id="decided"`)
	got, _ := a.Ed.Post(ctx, n.owner, p.ID)
	if got.Status != passerelle.StatusDraft {
		t.Fatalf("status %s after a guest rejection", got.Status)
	}
	hist, _ := a.Ed.History(ctx, n.owner, p.ID)
	if last := hist.Transitions[len(hist.Transitions)-1]; last.Comment != "Le titre" || last.ActorName != "Anne (guest link from reviewer)" {
		t.Errorf("recorded rejection: %+v", last)
	}
	if r := guest.post("/review/"+token+"/comments", url.Values{"body": {"Merci"}}); r.Status != http.StatusSeeOther {
		t.Errorf("guest comment: %d", r.Status)
	}

	for name, tok := range map[string]string{"tampered": token[:len(token)-2] + "xx", "garbage": "abc", "dots": "a.b"} {
		if r := guest.get("/review/" + tok); r.Status != http.StatusNotFound || strings.Contains(r.Body, "Degas") {
			t.Errorf("%s token: %d", name, r.Status)
		}
		if r := guest.post("/review/"+tok+"/decision", url.Values{"to": {"approved"}}); r.Status != http.StatusNotFound {
			t.Errorf("%s token decision: %d", name, r.Status)
		}
	}
	links, _ := a.Ed.GuestLinks(ctx, n.owner, p.ID)
	if r := ed.post("/posts/"+itoa(p.ID)+"/guest-links/"+itoa(links[0].ID)+"/revoke", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("revoke: %d", r.Status)
	}
	if r := guest.get("/review/" + token); r.Status != http.StatusForbidden {
		t.Errorf("revoked link: %d, want 403", r.Status)
	}
}

func pngFile(t *testing.T, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for x := range w {
		for y := range h {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 120, 255})
		}
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// multipartBody builds a form with a file part and other fields.
func multipartBody(t *testing.T, filename string, data []byte, fields map[string]string) (string, *bytes.Buffer) {
	t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	fw, err := mw.CreateFormFile("file", filename)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	return mw.FormDataContentType(), &b
}

func (c *client) upload(path, filename string, data []byte, fields map[string]string) resp {
	c.t.Helper()
	ct, body := multipartBody(c.t, filename, data, fields)
	req, _ := http.NewRequest("POST", c.base+path, body)
	req.Header.Set("Content-Type", ct)
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	return resp{Status: res.StatusCode, Location: res.Header.Get("Location"), Header: res.Header}
}

func TestMediaLibraryPage(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	ed := a.signedIn("editor@example.org")
	lib := "/institutions/" + itoa(n.inst.ID) + "/media"
	r := ed.upload(lib, "nympheas.png", pngFile(t, 400, 300), nil)
	if r.Status != http.StatusSeeOther {
		t.Fatalf("upload: %d", r.Status)
	}
	page := ed.follow(r)
	wantContains(t, page.Body, "File added to the library.", "nympheas.png", "400×300", "/ui_thumb")
	ms, _ := a.Ed.Media(context.Background(), n.owner, editorial.MediaQuery{InstitutionID: n.inst.ID})
	if len(ms) != 1 {
		t.Fatalf("%d assets", len(ms))
	}
	id := itoa(ms[0].ID)
	img := ed.get("/media/" + id + "/ui_thumb")
	if img.Status != http.StatusOK || !strings.HasPrefix(img.Header.Get("Content-Type"), "image/") {
		t.Fatalf("thumbnail: %d %s", img.Status, img.Header.Get("Content-Type"))
	}
	if r := ed.get("/media/" + id + "/wechat_cover_235?x=0.2&y=0.5"); r.Status != http.StatusOK {
		t.Errorf("cover crop: %d", r.Status)
	}
	if r := ed.get("/media/" + id + "/nope"); r.Status != http.StatusUnprocessableEntity && r.Status != http.StatusBadRequest {
		t.Errorf("unknown rendition: %d", r.Status)
	}
	r = ed.follow(ed.post("/media/"+id, url.Values{"alt_zh": {"莫奈《睡莲》"}, "credit": {"RMN"}}))
	wantContains(t, r.Body, "Media saved.", "莫奈《睡莲》")

	// Not an image: refused with a message, nothing stored.
	r = ed.upload(lib, "notes.txt", []byte("hello"), nil)
	wantContains(t, ed.follow(r).Body, "flash-error")
	if ms, _ := a.Ed.Media(context.Background(), n.owner, editorial.MediaQuery{InstitutionID: n.inst.ID}); len(ms) != 1 {
		t.Errorf("a refused upload was stored")
	}
	// Foreign users and viewers.
	if r := a.signedIn("other@example.org").upload(lib, "x.png", pngFile(t, 10, 10), nil); r.Status != http.StatusNotFound {
		t.Errorf("foreign upload: %d", r.Status)
	}
	if r := a.signedIn("other@example.org").get("/media/" + id + "/ui_thumb"); r.Status != http.StatusNotFound {
		t.Errorf("foreign thumbnail: %d", r.Status)
	}
	if r := a.signedIn("viewer@example.org").upload(lib, "x.png", pngFile(t, 10, 10), nil); r.Status != http.StatusForbidden {
		t.Errorf("viewer upload: %d", r.Status)
	}
}

func TestGlossaryAndLexiconPages(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	owner := a.signedIn("owner@example.org")
	inst := itoa(n.inst.ID)

	r := owner.post("/glossary", url.Values{"scope": {inst}, "source": {"Berthe Morisot"}, "zh": {"莫里索"}, "kind": {"artist"}, "birth_date": {"1841-01-14"}, "death_date": {"1895-03-02"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("add term: %d %s", r.Status, excerpt(r.Body))
	}
	wantContains(t, owner.follow(r).Body, "Term added.", "Berthe Morisot", "莫里索", "1841-01-14")
	r = owner.post("/glossary", url.Values{"scope": {"org"}, "source": {"X"}, "zh": {"x"}, "birth_date": {"14/01/1841"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Errorf("bad date: %d", r.Status)
	}
	wantContains(t, r.Body, "field-error")

	csv := "kind,fr,en,zh_hans,zh_hant,note\nartist,Gustave Caillebotte,Gustave Caillebotte,卡耶博特,卡耶博特,\n"
	r = owner.upload("/glossary/import", "g.csv", []byte(csv), map[string]string{"scope": inst})
	wantContains(t, owner.follow(r).Body, "Import done.", "卡耶博特")
	r = owner.upload("/glossary/import", "g.csv", []byte("not,a\nglossary"), map[string]string{"scope": inst})
	wantContains(t, owner.follow(r).Body, "flash-error")
	exp := owner.get("/glossary/export?scope=" + inst)
	if exp.Status != http.StatusOK || !strings.Contains(exp.Body, "Caillebotte") || !strings.HasPrefix(exp.Header.Get("Content-Type"), "text/csv") {
		t.Errorf("export: %d %q", exp.Status, exp.Body)
	}

	r = owner.post("/lexicon", url.Values{"term": {"敏感"}, "severity": {"block"}})
	wantContains(t, owner.follow(r).Body, "敏感", "Block")
	if r := owner.post("/lexicon", url.Values{"term": {""}, "severity": {"block"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("empty term: %d", r.Status)
	}
	r = owner.upload("/lexicon/import", "l.csv", []byte("term,severity,note\n禁词,warn,\n"), nil)
	wantContains(t, owner.follow(r).Body, "禁词")
	// Writers may not change the vocabulary; they see no form.
	ed := a.signedIn("editor@example.org")
	if r := ed.post("/lexicon", url.Values{"term": {"x"}, "severity": {"warn"}}); r.Status != http.StatusForbidden {
		t.Errorf("editor adds to the vocabulary: %d", r.Status)
	}
	if strings.Contains(ed.get("/lexicon").Body, `action="/lexicon"`) {
		t.Errorf("editor sees the vocabulary form")
	}
}

func TestThemesAndCadence(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	owner := a.signedIn("owner@example.org")
	r := owner.follow(owner.post("/themes", url.Values{"themes": {"collection\nexhibition\nportraits"}}))
	wantContains(t, r.Body, "Themes saved.", "portraits")
	if r := a.signedIn("editor@example.org").post("/themes", url.Values{"themes": {"x"}}); r.Status != http.StatusForbidden {
		t.Errorf("editor sets themes: %d", r.Status)
	}
	r = owner.post("/accounts/"+itoa(n.weibo.ID)+"/cadence", url.Values{"min": {"2"}, "max": {"4"}, "next": {"/calendar?view=week"}})
	if r.Status != http.StatusSeeOther || r.Location != "/calendar?view=week" {
		t.Fatalf("cadence: %d %s", r.Status, r.Location)
	}
	cal := owner.follow(r)
	wantContains(t, cal.Body, "Target saved.", `value="2"`, `value="4"`, "below")
	r = owner.follow(owner.post("/accounts/"+itoa(n.weibo.ID)+"/cadence", url.Values{"min": {"5"}, "max": {"x"}}))
	wantContains(t, r.Body, "flash-error")
}
