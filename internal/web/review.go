package web

import (
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// The guest review page: what a museum person without an account sees through a
// signed, expiring, revocable link — the post as the phone will show it, with
// buttons to approve or reject with a comment. It has no navigation: the link opens
// this post and nothing else.

type reviewPage struct {
	*editorial.GuestView
	Token    string
	Display  string
	Previews []preview
	Comments []*commentNode
	// Decided is the last decision taken through this link.
	Decided *passerelle.Transition
}

// noReferrer keeps the token out of the Referer header of links the article holds.
func noReferrer(w http.ResponseWriter) { w.Header().Set("Referrer-Policy", "no-referrer") }

func reviewPath(token string) string { return "/review/" + token }

func (h *handler) reviewPage(w http.ResponseWriter, r *http.Request) {
	noReferrer(w)
	token := r.PathValue("token")
	v, err := h.Editorial.OpenGuest(r.Context(), token)
	if err != nil {
		h.failView(w, r, err, true)
		return
	}
	accounts := make([]*passerelle.Account, 0, len(v.Accounts))
	for _, a := range v.Accounts {
		accounts = append(accounts, a)
	}
	p := &reviewPage{GuestView: v, Token: token, Display: instName(v.Institution, h.localizer(r).Lang),
		Previews: previews(v.Post, accounts, reviewPath(token)+"/media/", reviewPath(token)+"/article?pub="), Comments: withDecisions(thread(v.Comments), v.Decisions)}
	for _, t := range v.Decisions {
		if t.GuestLinkID == v.Link.ID && t.From == passerelle.StatusReview {
			p.Decided = t
		}
	}
	title := "review.title"
	if !v.CanDecide {
		title = "review.title_decided"
	}
	h.render(w, r, view{name: "review", title: title, bare: true}, p)
}

func (h *handler) reviewDecision(w http.ResponseWriter, r *http.Request) {
	noReferrer(w)
	token := r.PathValue("token")
	if err := parseForm(r); err != nil {
		h.failView(w, r, err, true)
		return
	}
	to := passerelle.Status(r.PostForm.Get("to"))
	p, err := h.Editorial.GuestDecision(r.Context(), token, to, r.PostForm.Get("comment"), r.PostForm.Get("name"), h.localizer(r).Lang)
	if err != nil {
		h.guestRefusal(w, r, token, err)
		return
	}
	key := "flash.review_rejected"
	switch {
	case r.PostForm.Get("coauthor") != "" && to == passerelle.StatusApproved:
		key = "coauthor14.flash_approved"
	case r.PostForm.Get("coauthor") != "":
		key = "coauthor14.flash_changes"
	case p.Status == passerelle.StatusApproved:
		key = "flash.review_approved"
	case to == passerelle.StatusApproved:
		key = "flash.post_first_approval"
	}
	h.redirect(w, r, reviewPath(token), key)
}

// guestRefusal shows a refused decision or comment on the review page; a link that
// is not valid (any more) shows its error page.
func (h *handler) guestRefusal(w http.ResponseWriter, r *http.Request, token string, err error) {
	switch passerelle.ErrorCode(err) {
	case passerelle.EINVALID, passerelle.ECONFLICT:
		msg := err
		for _, v := range passerelle.ErrorFields(err) {
			msg = &passerelle.Error{Code: passerelle.ErrorCode(err), Message: v}
		}
		h.redirectError(w, r, reviewPath(token), msg)
	default:
		h.failView(w, r, err, true)
	}
}

func (h *handler) reviewComment(w http.ResponseWriter, r *http.Request) {
	noReferrer(w)
	token := r.PathValue("token")
	if err := parseForm(r); err != nil {
		h.failView(w, r, err, true)
		return
	}
	parent, _ := strconv.ParseInt(r.PostForm.Get("parent_id"), 10, 64)
	c := &passerelle.Comment{ParentID: max(parent, 0), Body: r.PostForm.Get("body")}
	if err := h.Editorial.GuestComment(r.Context(), token, c, r.PostForm.Get("name")); err != nil {
		h.guestRefusal(w, r, token, err)
		return
	}
	h.redirect(w, r, reviewPath(token)+"#comments", "flash.comment_added")
}

func (h *handler) reviewMedia(w http.ResponseWriter, r *http.Request) {
	noReferrer(w)
	id, err := strconv.ParseInt(r.PathValue("media"), 10, 64)
	if err != nil || id <= 0 {
		h.failView(w, r, passerelle.ErrNotFound, true)
		return
	}
	rend, rc, err := h.Editorial.GuestMedia(r.Context(), r.PathValue("token"), id, r.PathValue("spec"))
	if err != nil {
		h.failView(w, r, err, true)
		return
	}
	defer rc.Close()
	serveImage(w, rend.MIME, rend.Bytes, rc)
}

// reviewArticle is the framed WeChat body of the guest review page.
func (h *handler) reviewArticle(w http.ResponseWriter, r *http.Request) {
	noReferrer(w)
	v, err := h.Editorial.OpenGuest(r.Context(), r.PathValue("token"))
	if err != nil {
		h.failView(w, r, err, true)
		return
	}
	h.writeArticle(w, r, v.Post, true)
}
