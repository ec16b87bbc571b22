package web

import (
	"cmp"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// The list of posts, the workflow's buttons, comments, history, review links and
// scheduling.

type postListPage struct {
	Posts        []*passerelle.Post
	Institutions []*passerelle.Institution
	Names        map[int64]string
	Themes       []string
	Statuses     []passerelle.Status
	// Filters as chosen.
	InstitutionID int64
	Status        string
	Theme         string
	CanWrite      bool
	ThemesForm    *form
}

func (h *handler) postList(w http.ResponseWriter, r *http.Request) {
	h.renderPostList(w, r, nil, http.StatusOK)
}

func (h *handler) renderPostList(w http.ResponseWriter, r *http.Request, themesForm *form, status int) {
	ctx := r.Context()
	u := server.User(ctx)
	q := r.URL.Query()
	p := &postListPage{InstitutionID: queryID(r, "institution_id"), Status: q.Get("status"), Theme: q.Get("theme"), Statuses: passerelle.Statuses, Names: map[int64]string{}}
	var err error
	if p.Institutions, err = h.Tenancy.Institutions(ctx, u, false, tenancy.Page{}); err != nil {
		h.fail(w, r, err)
		return
	}
	lang := h.localizer(r).Lang
	for _, i := range p.Institutions {
		p.Names[i.ID] = instName(i, lang)
		p.CanWrite = p.CanWrite || u.Can(i.ID, passerelle.PermWrite)
	}
	if p.Themes, err = h.Editorial.Themes(ctx, u); err != nil {
		h.fail(w, r, err)
		return
	}
	pq := editorial.PostQuery{InstitutionID: p.InstitutionID, Theme: p.Theme, Limit: 200}
	if st := passerelle.Status(p.Status); st.Valid() {
		pq.Statuses = []passerelle.Status{st}
	} else {
		p.Status = ""
	}
	if p.Posts, err = h.Editorial.Posts(ctx, u, pq); err != nil {
		h.fail(w, r, err)
		return
	}
	if themesForm == nil {
		themesForm = &form{Values: url.Values{"themes": {strings.Join(p.Themes, "\n")}}, Errors: map[string]string{}}
	}
	p.ThemesForm = themesForm
	h.render(w, r, view{name: "post_list", title: "posts.title", nav: "posts", status: status}, p)
}

// themesSave replaces the organization's themes (one a line); owners only.
func (h *handler) themesSave(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	themes := splitLines(r.PostForm.Get("themes"))
	if err := h.Editorial.SetThemes(r.Context(), server.User(r.Context()), themes); err != nil {
		f := newForm(r)
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		if len(f.Errors) == 0 {
			f.Errors["themes"] = f.Message
		}
		h.renderPostList(w, r, f, server.Status(err))
		return
	}
	h.redirect(w, r, "/posts", "flash.themes_saved")
}

func postPath(id int64) string { return "/posts/" + strconv.FormatInt(id, 10) }

func (h *handler) postDelete(w http.ResponseWriter, r *http.Request) {
	post, err := h.loadPost(r)
	if err == nil {
		err = h.Editorial.DeletePost(r.Context(), server.User(r.Context()), post.ID)
	}
	if err != nil {
		h.redirectError(w, r, "/posts", err)
		return
	}
	h.redirect(w, r, "/posts", "flash.post_deleted")
}

func (h *handler) postTransition(w http.ResponseWriter, r *http.Request) {
	post, err := h.loadPost(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	to := passerelle.Status(r.PostForm.Get("to"))
	moved, err := h.Editorial.Transition(r.Context(), h.localUser(r), post.ID, to, r.PostForm.Get("comment"))
	if err != nil {
		h.redirectError(w, r, postPath(post.ID), err)
		return
	}
	key := "flash.post_moved"
	if moved.Status == passerelle.StatusReview && to == passerelle.StatusApproved {
		key = "flash.post_first_approval"
	}
	h.redirect(w, r, postPath(post.ID), key)
}

func (h *handler) postComment(w http.ResponseWriter, r *http.Request) {
	post, err := h.loadPost(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	parent, _ := strconv.ParseInt(r.PostForm.Get("parent_id"), 10, 64)
	c := &passerelle.Comment{PostID: post.ID, ParentID: max(parent, 0), Body: r.PostForm.Get("body")}
	if err := h.Editorial.AddComment(r.Context(), server.User(r.Context()), c); err != nil {
		h.redirectError(w, r, postPath(post.ID)+"#comments", err)
		return
	}
	http.Redirect(w, r, postPath(post.ID)+"#comment-"+strconv.FormatInt(c.ID, 10), http.StatusSeeOther)
}

type historyPage struct {
	Post        *passerelle.Post
	Institution *passerelle.Institution
	History     *editorial.History
	Fields      []string
	// AccountNames name the publications' accounts.
	AccountNames map[int64]string
}

func (h *handler) postHistory(w http.ResponseWriter, r *http.Request) {
	post, err := h.loadPost(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	hist, err := h.Editorial.History(r.Context(), u, post.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	inst, err := h.Tenancy.Institution(r.Context(), u, post.InstitutionID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	// Newest first: what changed last is what a reader looks for.
	slices.Reverse(hist.Transitions)
	slices.Reverse(hist.Revisions)
	accs, err := h.managedTargets(r.Context(), u.OrgID, post.InstitutionID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names := map[int64]string{}
	for _, a := range accs {
		names[a.ID] = cmp.Or(a.DisplayName, a.Handle)
	}
	h.render(w, r, view{name: "post_history", title: "history.title", nav: "posts"}, &historyPage{Post: post, Institution: inst, History: hist,
		Fields: []string{"title", "source_text", "text_zh", "text_zh_hant"}, AccountNames: names})
}

// guestLinkCreate makes a review link and shows it once on the editor.
func (h *handler) guestLinkCreate(w http.ResponseWriter, r *http.Request) {
	post, err := h.loadPost(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	days, err := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("days")))
	if err != nil || days < 1 || days > 90 {
		h.redirectError(w, r, postPath(post.ID)+"#review-links", &passerelle.Error{Code: passerelle.EINVALID, Message: "Choose from 1 to 90 days."})
		return
	}
	ttl := time.Duration(days) * 24 * time.Hour
	var token string
	if v := strings.TrimSpace(r.PostForm.Get("partner_id")); v != "" {
		// A link bound to a co-author (coauthor14.go).
		partner, perr := strconv.ParseInt(v, 10, 64)
		if perr != nil || partner <= 0 {
			h.redirectError(w, r, postPath(post.ID)+"#review-links", &passerelle.Error{Code: passerelle.EINVALID, Message: "This partner is not a co-author of the post."})
			return
		}
		_, token, err = h.Editorial.CreateCoAuthorLink(r.Context(), server.User(r.Context()), post.ID, partner, r.PostForm.Get("label"), ttl)
	} else {
		_, token, err = h.Editorial.CreateGuestLink(r.Context(), server.User(r.Context()), post.ID, r.PostForm.Get("label"), ttl)
	}
	if err != nil {
		h.redirectError(w, r, postPath(post.ID)+"#review-links", err)
		return
	}
	// Post/Redirect/Get: the link is shown once on the editor, carried by a
	// one-minute cookie scoped to the post.
	to := postPath(post.ID)
	http.SetCookie(w, &http.Cookie{Name: newLinkCookie, Value: token, Path: to, MaxAge: 60, HttpOnly: true, Secure: h.srv.IsSecure(r), SameSite: http.SameSiteLaxMode})
	h.redirect(w, r, to+"#new-link", "")
}

// newLinkCookie carries a review link just made to the editor, which shows it once.
const newLinkCookie = "passerelle_new_link"

// takeNewLink reads and clears the review link just made.
func (h *handler) takeNewLink(w http.ResponseWriter, r *http.Request) string {
	c, err := r.Cookie(newLinkCookie)
	if err != nil || c.Value == "" || len(c.Value) > 300 || strings.ContainsAny(c.Value, "/?#%") {
		return ""
	}
	http.SetCookie(w, &http.Cookie{Name: newLinkCookie, Value: "", Path: r.URL.Path, MaxAge: -1, HttpOnly: true, Secure: h.srv.IsSecure(r), SameSite: http.SameSiteLaxMode})
	return strings.TrimRight(h.BaseURL, "/") + "/review/" + c.Value
}

func (h *handler) guestLinkRevoke(w http.ResponseWriter, r *http.Request) {
	post, err := h.loadPost(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	link, err := strconv.ParseInt(r.PathValue("link"), 10, 64)
	if err != nil || link <= 0 {
		h.notFound(w, r)
		return
	}
	if err := h.Editorial.RevokeGuestLink(r.Context(), server.User(r.Context()), post.ID, link); err != nil {
		h.redirectError(w, r, postPath(post.ID)+"#review-links", err)
		return
	}
	h.redirect(w, r, postPath(post.ID)+"#review-links", "flash.link_revoked")
}

// publicationSchedule sets or clears a publication's time, read in the institution's
// zone. The calendar's drag and drop posts here too; both come back to next.
func (h *handler) publicationSchedule(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	u := server.User(ctx)
	postID, err := h.DB.PublicationPost(ctx, u.OrgID, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	post, err := h.Editorial.Post(ctx, u, postID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	next := localPath(r.PostForm.Get("next"))
	if next == "/" {
		next = postPath(post.ID)
	}
	inst, err := h.Tenancy.Institution(ctx, u, post.InstitutionID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var at *time.Time
	if r.PostForm.Get("clear") == "" {
		t, err := parseLocalTime(r.PostForm.Get("at"), loadZone(inst.TimeZone))
		if err != nil {
			h.redirectError(w, r, next, err)
			return
		}
		at = &t
	}
	if _, err := h.Editorial.Schedule(ctx, u, id, at); err != nil {
		h.redirectError(w, r, next, scheduleError(err))
		return
	}
	key := "flash.rescheduled"
	if at == nil {
		key = "flash.unscheduled"
	}
	h.redirect(w, r, next, key)
}

// scheduleError gives a refused time its field's message, which says more than the
// summary ("The time is in the past." rather than "Some parameters are invalid.").
func scheduleError(err error) error {
	if f := passerelle.ErrorFields(err)["scheduled_at"]; f != "" {
		return &passerelle.Error{Code: passerelle.ErrorCode(err), Message: f}
	}
	return err
}
