package web

import (
	"cmp"
	"net/http"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// The member review page: a reviewer of a member institution opens a network
// account's post that features their institution (internal/editorial's member
// review). They see its texts, the review decisions and comments, and approve or
// send it back with a comment through the post's ordinary transition and comment
// routes; nothing of the network's institution beyond the post.

type memberReviewPage struct {
	Post *passerelle.Post
	// Member is the user's institution the post features; Accounts the names of the
	// post's accounts, by id.
	Member   *passerelle.Institution
	Display  string
	Accounts map[int64]string
	Moves    []moveButton
	Comments []*commentNode
}

func (h *handler) memberReview(w http.ResponseWriter, r *http.Request, post *passerelle.Post) {
	ctx := r.Context()
	u := server.User(ctx)
	memberID, err := h.Editorial.ReviewsAsMember(ctx, u, post)
	if err == nil && memberID == 0 {
		err = passerelle.ErrNotFound
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &memberReviewPage{Post: post, Accounts: map[int64]string{}}
	if p.Member, err = h.Tenancy.Institution(ctx, u, memberID); err != nil {
		h.fail(w, r, err)
		return
	}
	p.Display = instName(p.Member, h.localizer(r).Lang)
	for _, b := range post.Publications {
		a, err := h.DB.Account(ctx, u.OrgID, b.AccountID)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		p.Accounts[a.ID] = cmp.Or(a.DisplayName, a.Handle)
	}
	if p.Moves, err = h.moves(ctx, u, post); err != nil {
		h.fail(w, r, err)
		return
	}
	cs, err := h.Editorial.Comments(ctx, u, post.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	trs, err := h.Editorial.Decisions(ctx, u, post.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Comments = withDecisions(thread(cs), trs)
	h.render(w, r, view{name: "member_review", title: "member_review.title", nav: "posts"}, p)
}
