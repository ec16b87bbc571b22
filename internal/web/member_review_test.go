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
	"github.com/passerelle-oss/passerelle/internal/partners"
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

// TestCampaignTemplatesAndReminders: a saved message is made on the campaigns page and
// used by a campaign; the campaign page changes the reminder delay (a bad one is
// refused with the form), flags a partner due a reminder and sends it, showing the
// new link once.
func TestCampaignTemplatesAndReminders(t *testing.T) {
	t.Parallel()
	a, ps := newPartnersApp(t)
	ctx := context.Background()
	owner := a.org("Agence", "owner@example.org", "correct-horse-battery")
	inst := a.institution(owner, "Petit Palais")
	acc := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Kind: passerelle.AccountManaged, Handle: "petitpalais"}
	if err := a.DB.CreateAccount(ctx, owner.OrgID, acc); err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	s, err := a.Ed.CreatePost(ctx, owner, &editorial.PostInput{InstitutionID: &inst.ID, Title: str("Les Nabis"), Theme: str("collection"), SourceLang: str("fr"),
		TextZH: str("纳比派。"), Publications: &[]editorial.PublicationInput{{AccountID: acc.ID, Mode: passerelle.ModeAssisted}}})
	if err != nil {
		t.Fatal(err)
	}
	pt := &passerelle.Partner{Name: "Shanghai Museum", NameZH: "上海博物馆", Kind: passerelle.PartnerMuseum, Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Weibo, Handle: "shbwg"}}}
	if err := ps.CreatePartner(ctx, owner, pt); err != nil {
		t.Fatal(err)
	}
	c := a.client()
	c.login("owner@example.org", "correct-horse-battery")
	if r := c.post("/campaign-templates", url.Values{"name": {""}, "message_zh": {"x"}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty name: %d", r.Status)
	}
	if r := c.post("/campaign-templates", url.Values{"name": {"Musées"}, "message_zh": {"{partner}您好，《{title}》：{link}"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("template: %d %s", r.Status, excerpt(r.Body))
	}
	tpls, _ := ps.Templates(ctx, owner)
	if len(tpls) != 1 {
		t.Fatalf("templates %v", tpls)
	}
	page := c.get("/campaigns")
	wantContains(t, page.Body, `id="templates"`, `data-template="`+itoa(tpls[0].ID)+`"`, `<option value="`+itoa(tpls[0].ID)+`">Musées</option>`, `name="remind_after_days"`)
	r := c.post("/campaigns", url.Values{"post_id": {itoa(s.Post.ID)}, "partner_id": {itoa(pt.ID)}, "template_id": {itoa(tpls[0].ID)}, "message_zh": {partners.DefaultMessageZH}, "remind_after_days": {"4"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("campaign: %d %s", r.Status, excerpt(r.Body))
	}
	wantContains(t, r.Body, "上海博物馆您好，《Les Nabis》：")
	cs, _ := ps.Campaigns(ctx, owner, partners.CampaignQuery{})
	camp := cs[0]
	if camp.RemindAfterDays != 4 {
		t.Fatalf("delay %d", camp.RemindAfterDays)
	}
	if r := c.post("/campaigns/"+itoa(camp.ID)+"/remind-after", url.Values{"remind_after_days": {"120"}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad delay: %d", r.Status)
	}
	if got, _ := ps.Campaign(ctx, owner, camp.ID); got.RemindAfterDays != 4 {
		t.Fatalf("a refused delay was saved: %d", got.RemindAfterDays)
	}
	// Invited five days ago: due.
	if _, err := a.DB.SQL().ExecContext(ctx, `UPDATE campaign_relays SET invited_at = ? WHERE campaign_id = ?`, time.Now().UTC().AddDate(0, 0, -5).Format("2006-01-02T15:04:05.000000Z"), camp.ID); err != nil {
		t.Fatal(err)
	}
	page = c.get("/campaigns/" + itoa(camp.ID))
	wantContains(t, page.Body, `class="tag tag-warn relay-due"`, `class="btn btn-small relay-remind"`)
	r = c.post("/campaigns/"+itoa(camp.ID)+"/relays/"+itoa(pt.ID)+"/remind", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("remind: %d %s", r.Status, excerpt(r.Body))
	}
	wantContains(t, r.Body, `id="reminded"`, "/relay/", "1 reminder(s) sent")
	if strings.Contains(r.Body, "relay-due") {
		t.Error("still due right after the reminder")
	}
	if r := c.post("/campaign-templates/"+itoa(tpls[0].ID)+"/delete", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("delete: %d", r.Status)
	}
	if tpls, _ := ps.Templates(ctx, owner); len(tpls) != 0 {
		t.Fatal("template not deleted")
	}
}
