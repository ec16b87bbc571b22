package partners_test

import (
	"context"
	"slices"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// A member institution's reviewers review the network account's posts that feature
// it, and nothing else: not the posts featuring another member, not as an editor.
func TestMemberReview(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		network := b.accountOn(b.inst, passerelle.Weibo)
		cj, vh := b.institution(b.org, "Cognacq-Jay"), b.institution(b.org, "Maison de Victor Hugo")
		if _, err := b.svc.SetMembers(ctx, b.owner, network, []int64{cj, vh}); err != nil {
			t.Fatal(err)
		}
		featuring := func(ids ...int64) *passerelle.Post {
			p := b.newPost(b.inst, network)
			if err := b.svc.SetFeatured(ctx, b.owner, p.ID, ids); err != nil {
				t.Fatal(err)
			}
			if _, err := b.edit.Transition(ctx, b.owner, p.ID, passerelle.StatusReview, ""); err != nil {
				t.Fatal(err)
			}
			return p
		}
		mine, theirs, both := featuring(cj), featuring(vh), featuring(cj, vh)
		reviewer := b.user(b.org, false, passerelle.Membership{InstitutionID: cj, Role: passerelle.RoleReviewer})
		viewer := b.user(b.org, false, passerelle.Membership{InstitutionID: cj, Role: passerelle.RoleViewer})
		admin := b.user(b.org, false, passerelle.Membership{InstitutionID: cj, Role: passerelle.RoleAdmin})

		// The review queue: the posts featuring Cognacq-Jay, not the others.
		queue, err := b.edit.Posts(ctx, reviewer, editorial.PostQuery{Statuses: []passerelle.Status{passerelle.StatusReview}})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for _, p := range queue {
			ids = append(ids, p.ID)
		}
		slices.Sort(ids)
		if want := []int64{mine.ID, both.ID}; !slices.Equal(ids, want) {
			t.Fatalf("reviewer's queue %v, want %v", ids, want)
		}
		if q, err := b.edit.Posts(ctx, viewer, editorial.PostQuery{}); err != nil || len(q) != 0 {
			t.Fatalf("a viewer of a member sees %d network posts (%v)", len(q), err)
		}
		// Another member's post, and any post for a viewer, is not found.
		_, err = b.edit.Post(ctx, reviewer, theirs.ID)
		code(t, err, passerelle.ENOTFOUND)
		_, err = b.edit.Transition(ctx, reviewer, theirs.ID, passerelle.StatusApproved, "")
		code(t, err, passerelle.ENOTFOUND)
		_, err = b.edit.Transition(ctx, viewer, mine.ID, passerelle.StatusApproved, "")
		code(t, err, passerelle.ENOTFOUND)
		// A member's admin reviews, but as a reviewer: no withdrawal to draft without a comment, no edit.
		_, err = b.edit.Transition(ctx, admin, mine.ID, passerelle.StatusDraft, "")
		code(t, err, passerelle.EINVALID)
		title := "Changé"
		_, err = b.edit.UpdatePost(ctx, admin, mine.ID, &editorial.PostInput{Title: &title})
		code(t, err, passerelle.ENOTFOUND)
		if id, err := b.edit.ReviewsAsMember(ctx, reviewer, mine); err != nil || id != cj {
			t.Fatalf("ReviewsAsMember = %v, %v", id, err)
		}
		if id, _ := b.edit.ReviewsAsMember(ctx, b.owner, mine); id != 0 {
			t.Fatal("the owner reviews through their own role, not as a member")
		}

		// The reviewer rejects one with a comment and approves the other.
		if _, err := b.edit.Transition(ctx, reviewer, mine.ID, passerelle.StatusDraft, ""); passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Fatalf("a rejection without a comment: %v", err)
		}
		p, err := b.edit.Transition(ctx, reviewer, mine.ID, passerelle.StatusDraft, "Le nom du musée est mal traduit.")
		if err != nil || p.Status != passerelle.StatusDraft {
			t.Fatalf("rejection: %v %v", p, err)
		}
		p, err = b.edit.Transition(ctx, reviewer, both.ID, passerelle.StatusApproved, "")
		if err != nil || p.Status != passerelle.StatusApproved {
			t.Fatalf("approval: %v %v", p, err)
		}
		hist, err := b.edit.History(ctx, reviewer, both.ID)
		if err != nil {
			t.Fatal(err)
		}
		last := hist.Transitions[len(hist.Transitions)-1]
		if last.UserID != reviewer.ID || last.To != passerelle.StatusApproved {
			t.Fatalf("history's last transition %+v", last)
		}
		// The reviewer's rights stop at review: scheduling is not theirs.
		_, err = b.edit.Transition(ctx, reviewer, both.ID, passerelle.StatusScheduled, "")
		code(t, err, passerelle.EFORBIDDEN)
		// Once no longer featured, the post is out of reach.
		if err := b.svc.SetFeatured(ctx, b.owner, both.ID, []int64{vh}); err != nil {
			t.Fatal(err)
		}
		_, err = b.edit.Post(ctx, reviewer, both.ID)
		code(t, err, passerelle.ENOTFOUND)
		// Another organization's user sees nothing.
		_, err = b.edit.Post(ctx, b.foreign, mine.ID)
		code(t, err, passerelle.ENOTFOUND)
	})
}
