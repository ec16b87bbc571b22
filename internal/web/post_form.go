package web

import (
	"cmp"
	"context"
	"encoding/base64"
	"encoding/json"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// The post editor: one page to write a post and its publications, see the checks
// beside the texts, move it through the workflow, comment, and share a review link.

// postBodyLimit bounds the editor's form: a WeChat article body may reach 2 MB.
const postBodyLimit = 4 << 20

type postPage struct {
	// Post is nil on the new-post page.
	Post        *passerelle.Post
	Institution *passerelle.Institution
	Display     string
	// Choices are the institutions a new post can belong to (when not yet chosen).
	Choices  []*passerelle.Institution
	Themes   []string
	Accounts []*passerelle.Account
	Media    []*store.MediaAsset
	Form     *form
	// Findings are by form input; AllFindings in the checks' order.
	Findings    map[string][]finding
	AllFindings []finding
	Blocking    int
	Removed     []editorial.Removal
	Moves       []moveButton
	CanWrite    bool
	CanSchedule bool
	// ReadOnly says, by publication id, why it may not be scheduled (an archived
	// institution or account, a watched account).
	ReadOnly map[int64]string
	// CanLink: the user may make guest review links; LinksApprove: their links may
	// approve (the user may approve).
	CanLink, LinksApprove bool
	Comments              []*commentNode
	GuestLinks            []*store.GuestLink
	// NewLink is the review link just made, shown once.
	NewLink  string
	Previews []preview
	// Schedule is each publication's time in the institution's zone, for the
	// datetime-local inputs; Shanghai the same instants in Beijing time.
	Schedule map[int64]string
	Shanghai map[int64]string
	Now      time.Time
	Platform map[int64]passerelle.Platform
	// AccountNames name the targets by id.
	AccountNames map[int64]string
	Formats      map[passerelle.Platform][]string
	Modes        map[passerelle.Platform][]string
	Statuses     []passerelle.Status
	// Delivery is each publication's delivery (publishing.go).
	Delivery *deliveryPanel
	// Rights warns of images whose rights end before a publication that uses them;
	// Credits is each WeChat article's credit line, by account (rights.go).
	Rights  []string
	Credits map[int64]string
	// MassQuota is each WeChat account's mass-send quota at the publication's time
	// (mass_send.go).
	MassQuota map[int64]massQuotaView
	// Featured are the member institutions a post on a network account can feature
	// (network_post.go); nil when none.
	Featured *featuredPanel
	// CoAuthors are the partners the post may name as co-authors and those it names
	// (coauthor14.go); nil when the directory is empty.
	CoAuthors *coAuthorPanel
}

// commentNode is a comment with its answers, or a review decision (Decision set)
// shown in the thread with its comment.
type commentNode struct {
	*passerelle.Comment
	Replies  []*commentNode
	Decision passerelle.Status
}

// withDecisions adds review decisions to a thread, in order of time.
func withDecisions(nodes []*commentNode, trs []*passerelle.Transition) []*commentNode {
	for _, t := range trs {
		nodes = append(nodes, &commentNode{Comment: &passerelle.Comment{PostID: t.PostID, UserID: t.UserID, GuestLinkID: t.GuestLinkID,
			AuthorName: t.ActorName, Body: t.Comment, CreatedAt: t.CreatedAt}, Decision: t.To})
	}
	slices.SortStableFunc(nodes, func(a, b *commentNode) int { return a.CreatedAt.Compare(b.CreatedAt) })
	return nodes
}

// thread orders comments as conversations: each answer under the comment it
// answers, an answer to a missing comment at the top level.
func thread(cs []*passerelle.Comment) []*commentNode {
	nodes := map[int64]*commentNode{}
	for _, c := range cs {
		nodes[c.ID] = &commentNode{Comment: c}
	}
	var roots []*commentNode
	for _, c := range cs {
		n := nodes[c.ID]
		if p := nodes[c.ParentID]; c.ParentID != 0 && p != nil && p != n {
			p.Replies = append(p.Replies, n)
			continue
		}
		roots = append(roots, n)
	}
	return roots
}

// postValues fills the editor from a stored post.
func postValues(p *passerelle.Post) url.Values {
	v := url.Values{}
	v.Set("institution_id", strconv.FormatInt(p.InstitutionID, 10))
	v.Set("title", p.Title)
	v.Set("theme", p.Theme)
	v.Set("source_lang", p.SourceLang)
	v.Set("source_text", p.SourceText)
	v.Set("text_zh", p.TextZH)
	v.Set("text_zh_hant", p.TextZHHant)
	v.Set("notes", p.Notes)
	v.Set("links", strings.Join(p.Links, "\n"))
	v.Set("version", strconv.Itoa(p.Version))
	for _, id := range p.MediaIDs {
		v.Add("media_ids", strconv.FormatInt(id, 10))
	}
	for _, b := range p.Publications {
		pre := "pub_" + strconv.FormatInt(b.AccountID, 10)
		v.Set(pre, "on")
		pre += "."
		v.Set(pre+"format", b.Format)
		v.Set(pre+"mode", b.Mode)
		if b.ModeAuto {
			v.Set(pre+"mode", passerelle.ModeAuto)
		}
		v.Set(pre+"text_zh", b.TextZH)
		v.Set(pre+"topics", strings.Join(b.Topics, "\n"))
		v.Set(pre+"repost_url", b.RepostURL)
		for _, id := range b.MediaIDs {
			v.Add(pre+"media_ids", strconv.FormatInt(id, 10))
		}
		if a := b.WeChat; a != nil {
			v.Set(pre+"wechat_title", a.Title)
			v.Set(pre+"wechat_author", a.Author)
			v.Set(pre+"wechat_digest", a.Digest)
			v.Set(pre+"wechat_body_html", a.BodyHTML)
			if a.CoverMediaID > 0 {
				v.Set(pre+"wechat_cover_media_id", strconv.FormatInt(a.CoverMediaID, 10))
			}
			v.Set(pre+"wechat_crop_235_x", fraction(a.Crop235.X))
			v.Set(pre+"wechat_crop_235_y", fraction(a.Crop235.Y))
			v.Set(pre+"wechat_crop_11_x", fraction(a.Crop11.X))
			v.Set(pre+"wechat_crop_11_y", fraction(a.Crop11.Y))
			v.Set(pre+"wechat_source_url", a.SourceURL)
			if a.CommentsOpen {
				v.Set(pre+"wechat_comments_open", "on")
			}
			if a.FansOnlyReply {
				v.Set(pre+"wechat_fans_only_reply", "on")
			}
		}
		if b.MassSend {
			v.Set(pre+"mass_send", "on")
		}
	}
	return v
}

func fraction(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// newPostValues are the defaults of a new post: every target ticked, WeChat comments
// open, crops centred.
func newPostValues(institutionID int64, themes []string, accounts []*passerelle.Account, title string) url.Values {
	v := url.Values{}
	v.Set("institution_id", strconv.FormatInt(institutionID, 10))
	v.Set("source_lang", "fr")
	v.Set("title", title)
	if len(themes) > 0 {
		v.Set("theme", themes[0])
	}
	for _, a := range accounts {
		pre := "pub_" + strconv.FormatInt(a.ID, 10)
		v.Set(pre, "on")
		pre += "."
		v.Set(pre+"format", passerelle.Formats[a.Platform][0])
		v.Set(pre+"mode", passerelle.ModeAuto)
		if a.Platform == passerelle.WeChat {
			v.Set(pre+"wechat_comments_open", "on")
			for _, c := range []string{"crop_235_x", "crop_235_y", "crop_11_x", "crop_11_y"} {
				v.Set(pre+"wechat_"+c, "0.5")
			}
		}
	}
	return v
}

// splitTopics reads topics written one a line, separated by commas, or as #话题#.
func splitTopics(s string) []string {
	var out []string
	for _, t := range strings.FieldsFunc(s, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == '，' || r == '#' || r == '＃'
	}) {
		if t = strings.TrimSpace(t); t != "" {
			out = append(out, t)
		}
	}
	return out
}

func splitLines(s string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}

// postInput reads the editor's form: the post's fields, and a publication for each
// ticked account of accounts, in their order. It returns the account of each
// publication (so that the service's errors, which name publications by index, are
// shown beside the right fieldset) and the errors of values that are not even
// well-formed (an id that is not a number, a crop outside 0–1). It decides nothing
// else: the service validates.
func postInput(v url.Values, accounts []*passerelle.Account) (*editorial.PostInput, []int64, passerelle.FieldErrors) {
	fe := passerelle.FieldErrors{}
	str := func(name string) *string { s := v.Get(name); return &s }
	in := &editorial.PostInput{
		Title: str("title"), Theme: str("theme"), SourceLang: str("source_lang"), SourceText: str("source_text"),
		TextZH: str("text_zh"), TextZHHant: str("text_zh_hant"), Notes: str("notes"),
		GenerateHant: v.Get("generate_hant") != "",
	}
	links := splitLines(v.Get("links"))
	in.Links = &links
	ids, ok := idList(v["media_ids"])
	if !ok {
		fe.Add("media_ids", "Unknown media.")
	}
	in.MediaIDs = &ids
	if s := v.Get("version"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			fe.Add("version", "Reload the page.")
		}
		in.Version = &n
	}
	pubs := []editorial.PublicationInput{}
	var order []int64
	for _, a := range accounts {
		pre := "pub_" + strconv.FormatInt(a.ID, 10)
		if v.Get(pre) == "" {
			continue
		}
		pre += "."
		pi := editorial.PublicationInput{AccountID: a.ID, Format: v.Get(pre + "format"), Mode: v.Get(pre + "mode"),
			TextZH: v.Get(pre + "text_zh"), Topics: splitTopics(v.Get(pre + "topics"))}
		if pi.Format == passerelle.FormatRepost {
			pi.RepostURL = v.Get(pre + "repost_url")
		}
		m, ok := idList(v[pre+"media_ids"])
		if !ok {
			fe.Add(pre+"media_ids", "Unknown media.")
		}
		pi.MediaIDs = m
		if a.Platform == passerelle.WeChat {
			pi.Topics, pi.MediaIDs = nil, nil
			open := v.Get(pre+"wechat_comments_open") != ""
			art := &editorial.ArticleInput{Title: v.Get(pre + "wechat_title"), Author: v.Get(pre + "wechat_author"), Digest: v.Get(pre + "wechat_digest"),
				BodyHTML: v.Get(pre + "wechat_body_html"), SourceURL: v.Get(pre + "wechat_source_url"), CommentsOpen: &open,
				FansOnly: v.Get(pre+"wechat_fans_only_reply") != ""}
			if s := strings.TrimSpace(v.Get(pre + "wechat_cover_media_id")); s != "" {
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil || n <= 0 {
					fe.Add(pre+"wechat_cover_media_id", "Unknown media.")
				}
				art.CoverMediaID = n
			}
			art.Crop235 = focusOf(v, pre+"wechat_crop_235", fe)
			art.Crop11 = focusOf(v, pre+"wechat_crop_11", fe)
			pi.WeChat = art
			mass := v.Get(pre+"mass_send") != ""
			pi.MassSend = &mass
		}
		pubs = append(pubs, pi)
		order = append(order, a.ID)
	}
	in.Publications = &pubs
	return in, order, fe
}

// focusOf reads a crop focus from its .x and .y inputs; empty is the centre.
func focusOf(v url.Values, name string, fe passerelle.FieldErrors) *passerelle.Focus {
	f := passerelle.CenterFocus
	for _, c := range []struct {
		suffix string
		dst    *float64
	}{{"_x", &f.X}, {"_y", &f.Y}} {
		s := strings.TrimSpace(strings.ReplaceAll(v.Get(name+c.suffix), ",", "."))
		if s == "" {
			continue
		}
		n, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(n) || n < 0 || n > 1 {
			fe.Add(name, "Use fractions from 0 to 1.")
			continue
		}
		*c.dst = n
	}
	return &f
}

// writableInstitutions are the institutions where the user may write posts.
func (h *handler) writableInstitutions(r *http.Request) ([]*passerelle.Institution, error) {
	u := server.User(r.Context())
	insts, err := h.Tenancy.Institutions(r.Context(), u, false, tenancy.Page{})
	if err != nil {
		return nil, err
	}
	out := insts[:0:0]
	for _, i := range insts {
		if u.Can(i.ID, passerelle.PermWrite) {
			out = append(out, i)
		}
	}
	return out, nil
}

// fill loads what the editor shows around the form: the institution, its targets,
// themes and library and, for a stored post, the checks, moves, comments and links.
func (h *handler) fill(r *http.Request, p *postPage, instID int64) error {
	ctx := r.Context()
	u := server.User(ctx)
	inst, err := h.Tenancy.Institution(ctx, u, instID)
	if err != nil {
		return err
	}
	p.Institution, p.Display = inst, instName(inst, h.localizer(r).Lang)
	if p.Accounts, err = h.managedTargets(ctx, u.OrgID, instID); err != nil {
		return err
	}
	if p.Themes, err = h.Editorial.Themes(ctx, u); err != nil {
		return err
	}
	if p.Media, err = h.Editorial.Media(ctx, u, editorial.MediaQuery{InstitutionID: instID, Limit: 200}); err != nil {
		return err
	}
	p.AccountNames = map[int64]string{}
	for _, a := range p.Accounts {
		p.AccountNames[a.ID] = cmp.Or(a.DisplayName, a.Handle)
	}
	p.Formats, p.Modes, p.Statuses = passerelle.Formats, modeChoices(), passerelle.Statuses[:5]
	p.CanWrite = u.Can(instID, passerelle.PermWrite)
	p.CanSchedule = u.Can(instID, passerelle.PermSchedule)
	p.LinksApprove = u.Can(instID, passerelle.PermReview)
	p.CanLink = p.CanWrite || p.LinksApprove
	p.Now = h.Now()
	if err := h.fillFeatured(r, p); err != nil {
		return err
	}
	if err := h.fillCoAuthors(r, p); err != nil {
		return err
	}
	if p.Post != nil {
		if err := h.fillPost(ctx, r, p); err != nil {
			return err
		}
	}
	p.MassQuota = h.massQuotas(ctx, p)
	return nil
}

func (h *handler) fillPost(ctx context.Context, r *http.Request, p *postPage) error {
	u := server.User(ctx)
	post := p.Post
	fs, err := h.Editorial.Check(ctx, u, post.ID, h.localizer(r).Lang)
	if err != nil {
		return err
	}
	p.Rights, fs = splitRights(fs)
	p.Findings = findingsByField(post, fs)
	accounts := make([]int64, len(post.Publications))
	platforms := map[int64]passerelle.Platform{}
	for i, b := range post.Publications {
		accounts[i], platforms[b.AccountID] = b.AccountID, b.Platform
	}
	l := h.localizer(r)
	seen := map[[2]string]bool{}
	for _, f := range fs {
		if f.Blocking() {
			p.Blocking++
		}
		// One line per finding and field, naming where it is.
		if k := [2]string{f.Field, f.Message}; seen[k] {
			continue
		} else {
			seen[k] = true
		}
		x := finding{Finding: f, Blocking: f.Blocking()}
		locate(l, &x, accounts, p.AccountNames, platforms)
		p.AllFindings = append(p.AllFindings, x)
	}
	if p.Moves, err = h.moves(ctx, u, post); err != nil {
		return err
	}
	p.ReadOnly = map[int64]string{}
	for _, b := range post.Publications {
		if h.Publish == nil {
			break
		}
		if err := h.Publish.ReadOnlyAccount(ctx, u.OrgID, b.AccountID); err != nil {
			if passerelle.ErrorCode(err) != passerelle.EINVALID {
				return err
			}
			p.ReadOnly[b.ID] = server.Message(err)
		}
	}
	if len(p.ReadOnly) > 0 {
		// A post with a read-only publication is not scheduled: no button for it.
		p.Moves = slices.DeleteFunc(p.Moves, func(m moveButton) bool { return m.To == passerelle.StatusScheduled })
	}
	cs, err := h.Editorial.Comments(ctx, u, post.ID)
	if err != nil {
		return err
	}
	trs, err := h.Editorial.Decisions(ctx, u, post.ID)
	if err != nil {
		return err
	}
	p.Comments = withDecisions(thread(cs), trs)
	if p.CanLink {
		if p.GuestLinks, err = h.Editorial.GuestLinks(ctx, u, post.ID); err != nil {
			return err
		}
	}
	if p.Delivery, err = h.publishingPanel(ctx, u, post, p.Institution); err != nil {
		return err
	}
	p.Previews = previews(post, p.Accounts, "/media/", "/posts/"+strconv.FormatInt(post.ID, 10)+"/article?pub=")
	assets, err := h.postAssets(ctx, u.OrgID, post)
	if err != nil {
		return err
	}
	p.Credits = map[int64]string{}
	for _, b := range post.Publications {
		if b.WeChat != nil {
			p.Credits[b.AccountID] = creditLine(post, b, assets)
		}
	}
	loc, sh := loadZone(p.Institution.TimeZone), loadZone(editorial.ShanghaiZone)
	p.Schedule, p.Shanghai, p.Platform = map[int64]string{}, map[int64]string{}, map[int64]passerelle.Platform{}
	for _, b := range post.Publications {
		p.Platform[b.AccountID] = b.Platform
		if b.ScheduledAt != nil {
			p.Schedule[b.ID] = b.ScheduledAt.In(loc).Format("2006-01-02T15:04")
			p.Shanghai[b.ID] = b.ScheduledAt.In(sh).Format("2006-01-02 15:04")
		}
	}
	return nil
}

func (h *handler) renderPost(w http.ResponseWriter, r *http.Request, p *postPage, status int) {
	title := "post.new"
	if p.Post != nil {
		title = "post.edit"
	}
	h.render(w, r, view{name: "post_form", title: title, nav: "posts", status: status}, p)
}

func (h *handler) postNew(w http.ResponseWriter, r *http.Request) {
	insts, err := h.writableInstitutions(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	instID := queryID(r, "institution_id")
	if instID == 0 && len(insts) == 1 {
		instID = insts[0].ID
	}
	if instID == 0 {
		if len(insts) == 0 {
			h.fail(w, r, passerelle.Errorf(passerelle.EFORBIDDEN, "Your role does not allow this."))
			return
		}
		h.renderPost(w, r, &postPage{Choices: insts, Form: &form{Values: url.Values{}, Errors: map[string]string{}}}, http.StatusOK)
		return
	}
	u := server.User(r.Context())
	if !u.Can(instID, passerelle.PermView) {
		h.notFound(w, r)
		return
	}
	if !u.Can(instID, passerelle.PermWrite) {
		h.fail(w, r, passerelle.Errorf(passerelle.EFORBIDDEN, "Your role does not allow this."))
		return
	}
	p := &postPage{}
	if err := h.fill(r, p, instID); err != nil {
		h.fail(w, r, err)
		return
	}
	title := strings.TrimSpace(r.URL.Query().Get("title"))
	if len([]rune(title)) > 200 {
		title = ""
	}
	p.Form = &form{Values: newPostValues(instID, p.Themes, p.Accounts, title), Errors: map[string]string{}}
	h.renderPost(w, r, p, http.StatusOK)
}

func (h *handler) postCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	instID, err := strconv.ParseInt(r.PostForm.Get("institution_id"), 10, 64)
	if err != nil || instID <= 0 || !u.Can(instID, passerelle.PermView) {
		h.notFound(w, r)
		return
	}
	p := &postPage{}
	if err := h.fill(r, p, instID); err != nil {
		h.fail(w, r, err)
		return
	}
	p.Form = newForm(r)
	in, order, fe := postInput(r.PostForm, p.Accounts)
	featuredInput(r.PostForm, in, fe)
	coAuthorInput(r.PostForm, in, fe)
	if err := fe.Err(); err != nil {
		p.Form.setError(err)
		h.renderPost(w, r, p, http.StatusUnprocessableEntity)
		return
	}
	in.InstitutionID = &instID
	if err := h.checkFeatured(r, in); err != nil {
		h.postFormError(w, r, p, order, err)
		return
	}
	if err := h.checkCoAuthors(r, in, nil); err != nil {
		h.postFormError(w, r, p, order, err)
		return
	}
	saved, err := h.Editorial.CreatePost(r.Context(), h.localUser(r), in)
	if err != nil {
		h.postFormError(w, r, p, order, err)
		return
	}
	err = h.setFeatured(r, saved.Post.ID, in)
	if err == nil {
		err = h.setCoAuthors(r, saved.Post.ID, in)
	}
	if err != nil {
		// Nothing of a refused request stays: the post just made goes.
		h.Editorial.DeletePost(r.Context(), u, saved.Post.ID)
		h.fail(w, r, err)
		return
	}
	h.afterSave(w, r, saved, "flash.post_created")
}

// postFormError shows the service's refusal beside the fields it names.
func (h *handler) postFormError(w http.ResponseWriter, r *http.Request, p *postPage, order []int64, err error) {
	if !p.Form.setError(err) {
		h.fail(w, r, err)
		return
	}
	errs := map[string]string{}
	for k, v := range p.Form.Errors {
		errs[formField(k, order)] = v
	}
	p.Form.Errors = errs
	h.renderPost(w, r, p, server.Status(err))
}

// afterSave goes back to the editor (Post/Redirect/Get); when the sanitiser removed
// parts of an article body, the list goes along in a short-lived cookie and is shown
// once on the editor.
func (h *handler) afterSave(w http.ResponseWriter, r *http.Request, saved *editorial.Saved, flashKey string) {
	to := "/posts/" + strconv.FormatInt(saved.Post.ID, 10)
	if len(saved.Removed) > 0 {
		var msgs []string
		size := 0
		for _, rm := range saved.Removed {
			if size += len(rm.Message); size > 2500 {
				break
			}
			msgs = append(msgs, rm.Message)
		}
		b, _ := json.Marshal(msgs)
		http.SetCookie(w, &http.Cookie{Name: removedCookie, Value: base64.RawURLEncoding.EncodeToString(b), Path: to, MaxAge: 60,
			HttpOnly: true, Secure: h.srv.IsSecure(r), SameSite: http.SameSiteLaxMode})
	}
	h.redirect(w, r, to, flashKey)
}

// removedCookie carries what the sanitiser removed across the redirect after a save.
const removedCookie = "passerelle_removed"

// takeRemoved reads and clears the list of removals; anything malformed is dropped.
func (h *handler) takeRemoved(w http.ResponseWriter, r *http.Request) []editorial.Removal {
	c, err := r.Cookie(removedCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: removedCookie, Value: "", Path: r.URL.Path, MaxAge: -1, HttpOnly: true, Secure: h.srv.IsSecure(r), SameSite: http.SameSiteLaxMode})
	b, err := base64.RawURLEncoding.DecodeString(c.Value)
	if err != nil || len(b) > 4000 {
		return nil
	}
	var msgs []string
	if json.Unmarshal(b, &msgs) != nil || len(msgs) > 50 {
		return nil
	}
	out := make([]editorial.Removal, 0, len(msgs))
	for _, m := range msgs {
		out = append(out, editorial.Removal{Message: m})
	}
	return out
}

// loadPost reads the {id} post, not found when the user does not see it.
func (h *handler) loadPost(r *http.Request) (*passerelle.Post, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, err
	}
	return h.Editorial.Post(r.Context(), server.User(r.Context()), id)
}

func (h *handler) postEdit(w http.ResponseWriter, r *http.Request) {
	post, err := h.loadPost(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !server.User(r.Context()).Can(post.InstitutionID, passerelle.PermView) {
		// Seen only as a reviewer of a member institution the post features.
		h.memberReview(w, r, post)
		return
	}
	p := &postPage{Post: post, Removed: h.takeRemoved(w, r), NewLink: h.takeNewLink(w, r)}
	if err := h.fill(r, p, post.InstitutionID); err != nil {
		h.fail(w, r, err)
		return
	}
	p.Form = &form{Values: postValues(post), Errors: map[string]string{}}
	featuredValues(p)
	coAuthorValues(p)
	h.renderPost(w, r, p, http.StatusOK)
}

func (h *handler) postUpdate(w http.ResponseWriter, r *http.Request) {
	post, err := h.loadPost(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	p := &postPage{Post: post}
	if err := h.fill(r, p, post.InstitutionID); err != nil {
		h.fail(w, r, err)
		return
	}
	p.Form = newForm(r)
	in, order, fe := postInput(r.PostForm, p.Accounts)
	featuredInput(r.PostForm, in, fe)
	coAuthorInput(r.PostForm, in, fe)
	if err := fe.Err(); err != nil {
		p.Form.setError(err)
		h.renderPost(w, r, p, http.StatusUnprocessableEntity)
		return
	}
	if err := h.checkFeatured(r, in); err != nil {
		h.postFormError(w, r, p, order, err)
		return
	}
	if err := h.checkCoAuthors(r, in, post); err != nil {
		h.postFormError(w, r, p, order, err)
		return
	}
	saved, err := h.Editorial.UpdatePost(r.Context(), h.localUser(r), post.ID, in)
	if err != nil {
		h.postFormError(w, r, p, order, err)
		return
	}
	if err := h.setFeatured(r, saved.Post.ID, in); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.setCoAuthors(r, saved.Post.ID, in); err != nil {
		h.fail(w, r, err)
		return
	}
	key := "flash.post_saved"
	if post.Status.Locked() && saved.Post.Status == passerelle.StatusReview {
		key = "flash.post_reopened"
	}
	h.afterSave(w, r, saved, key)
}

// preview is one publication as the phone shows it.
type preview struct {
	editorial.Preview
	Account *passerelle.Account
	// Segments split a Weibo status into text and #topics#, which Weibo shows as links.
	Segments []segment
	// Media is the URL prefix of the images ("/media/" or a review link's).
	Media string
	// Article is the URL of the WeChat body's own framed document.
	Article string
}

type segment struct {
	Text  string
	Topic bool
}

// previews renders a post's publications, the Weibo texts cut into segments.
// articlePrefix + the publication id is the address of a WeChat body's frame.
func previews(p *passerelle.Post, accounts []*passerelle.Account, mediaPrefix, articlePrefix string) []preview {
	byID := map[int64]*passerelle.Account{}
	for _, a := range accounts {
		byID[a.ID] = a
	}
	var out []preview
	for i, pv := range editorial.Previews(p) {
		acc := byID[p.Publications[i].AccountID]
		if acc == nil {
			acc = &passerelle.Account{ID: p.Publications[i].AccountID, Platform: pv.Platform}
		}
		out = append(out, preview{Preview: pv, Account: acc, Segments: topicSegments(pv.Text), Media: mediaPrefix, Article: articlePrefix + strconv.FormatInt(pv.PublicationID, 10)})
	}
	return out
}

// topicSegments cuts text at its #topics# (a # opens a topic that a later # on the
// same line closes).
func topicSegments(text string) []segment {
	var out []segment
	for text != "" {
		i := strings.IndexByte(text, '#')
		if i < 0 {
			break
		}
		j := strings.IndexByte(text[i+1:], '#')
		if j < 0 || strings.ContainsRune(text[i+1:i+1+j], '\n') || j == 0 {
			out = append(out, segment{Text: text[:i+1]})
			text = text[i+1:]
			continue
		}
		if i > 0 {
			out = append(out, segment{Text: text[:i]})
		}
		out = append(out, segment{Text: text[i : i+j+2], Topic: true})
		text = text[i+j+2:]
	}
	if text != "" {
		out = append(out, segment{Text: text})
	}
	return out
}
