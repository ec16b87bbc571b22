package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// TestMemberReviewPage: a reviewer of a member institution finds the network
// account's post featuring it in their work queue, opens it on the member review
// page (not the editor), and approves it through the post's transition route; a
// post featuring another member stays not found.
func TestMemberReviewPage(t *testing.T) {
	t.Parallel()
	a, ps := newPartnersApp(t)
	ctx := context.Background()
	owner := a.org("Paris Musées", "owner@example.org", "correct-horse-battery")
	hub := a.institution(owner, "Paris Musées")
	cognacq := a.institution(owner, "Musée Cognacq-Jay")
	balzac := a.institution(owner, "Maison de Balzac")
	network := &passerelle.Account{InstitutionID: hub.ID, Platform: passerelle.Weibo, Kind: passerelle.AccountManaged, Handle: "parismusees"}
	if err := a.DB.CreateAccount(ctx, owner.OrgID, network); err != nil {
		t.Fatal(err)
	}
	if _, err := ps.SetMembers(ctx, owner, network.ID, []int64{cognacq.ID, balzac.ID}); err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	inReview := func(title string, member int64) *passerelle.Post {
		s, err := a.Ed.CreatePost(ctx, owner, &editorial.PostInput{InstitutionID: &hub.ID, Title: str(title), Theme: str("collection"), SourceLang: str("fr"),
			SourceText: str("Le musée."), TextZH: str("博物馆的藏品。"), Publications: &[]editorial.PublicationInput{{AccountID: network.ID, Mode: passerelle.ModeAssisted}}})
		if err != nil {
			t.Fatal(err)
		}
		if err := ps.SetFeatured(ctx, owner, s.Post.ID, []int64{member}); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Ed.Transition(ctx, owner, s.Post.ID, passerelle.StatusReview, ""); err != nil {
			t.Fatal(err)
		}
		return s.Post
	}
	mine, theirs := inReview("Cognacq-Jay au XVIIIe siècle", cognacq.ID), inReview("Balzac chez lui", balzac.ID)
	a.user(owner.OrgID, "relectrice@example.org", "correct-horse-battery", false, passerelle.Membership{InstitutionID: cognacq.ID, Role: passerelle.RoleReviewer})
	c := a.client()
	c.login("relectrice@example.org", "correct-horse-battery")

	home := c.get("/")
	wantContains(t, home.Body, `id="work-review"`, `<a href="/posts/`+itoa(mine.ID)+`">Cognacq-Jay au XVIIIe siècle</a>`)
	if strings.Contains(home.Body, "Balzac chez lui") {
		t.Error("another member's post is in the queue")
	}
	page := c.get("/posts/" + itoa(mine.ID))
	if page.Status != http.StatusOK {
		t.Fatalf("member review page: %d %s", page.Status, excerpt(page.Body))
	}
	wantContains(t, page.Body, `class="review member-review"`, "Musée Cognacq-Jay", `id="approve"`, `id="reject"`, "博物馆的藏品。", "parismusees")
	if strings.Contains(page.Body, `name="title"`) {
		t.Error("the member review page offers the editor's form")
	}
	if r := c.get("/posts/" + itoa(theirs.ID)); r.Status != http.StatusNotFound {
		t.Errorf("another member's post: %d", r.Status)
	}
	// A rejection needs a comment; then the approval.
	c.post("/posts/"+itoa(mine.ID)+"/transition", url.Values{"to": {"draft"}})
	if p, _ := a.Ed.Post(ctx, owner, mine.ID); p.Status != passerelle.StatusReview {
		t.Fatalf("a rejection without a comment moved the post to %s", p.Status)
	}
	if r := c.post("/posts/"+itoa(mine.ID)+"/transition", url.Values{"to": {"approved"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d %s", r.Status, excerpt(r.Body))
	}
	if p, _ := a.Ed.Post(ctx, owner, mine.ID); p.Status != passerelle.StatusApproved {
		t.Fatalf("after the member's approval: %s", p.Status)
	}
	if r := c.post("/posts/"+itoa(theirs.ID)+"/transition", url.Values{"to": {"approved"}}); r.Status == http.StatusSeeOther {
		if p, _ := a.Ed.Post(ctx, owner, theirs.ID); p.Status == passerelle.StatusApproved {
			t.Fatal("another member's post was approved")
		}
	}
	// Approved: a reviewer may still send it back with a comment, not approve again.
	page = c.get("/posts/" + itoa(mine.ID))
	if strings.Contains(page.Body, `id="approve"`) || !strings.Contains(page.Body, `id="reject"`) {
		t.Errorf("approved post's decisions: %s", excerpt(page.Body))
	}
}
