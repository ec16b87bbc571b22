package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// TestNetworkPostFeatured: the post editor lets the editor choose, for a post on a
// network account, the member institutions it features; they are saved through
// internal/partners (as the API), shown on the post, and counted with the post's
// newest views on the network page. An institution that is not a member, or a post
// not on the network account, is refused with the form (422) and changes nothing.
func TestNetworkPostFeatured(t *testing.T) {
	t.Parallel()
	a, ps := newPartnersApp(t)
	ctx := context.Background()
	owner := a.org("Paris Musées", "owner@example.org", "correct-horse-battery")
	hub := a.institution(owner, "Paris Musées")
	cognacq := a.institution(owner, "Musée Cognacq-Jay")
	balzac := a.institution(owner, "Maison de Balzac")
	outsider := a.institution(owner, "Hors réseau")
	network := &passerelle.Account{InstitutionID: hub.ID, Platform: passerelle.Weibo, Kind: passerelle.AccountManaged, Handle: "parismusees"}
	plain := &passerelle.Account{InstitutionID: hub.ID, Platform: passerelle.Weibo, Kind: passerelle.AccountManaged, Handle: "autre"}
	for _, acc := range []*passerelle.Account{network, plain} {
		if err := a.DB.CreateAccount(ctx, owner.OrgID, acc); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ps.SetMembers(ctx, owner, network.ID, []int64{cognacq.ID, balzac.ID}); err != nil {
		t.Fatal(err)
	}
	c := a.client()
	c.login("owner@example.org", "correct-horse-battery")

	r := c.get("/posts/new?institution_id=" + itoa(hub.ID))
	wantContains(t, r.Body, `id="featured"`, `name="featured_institution_id" value="`+itoa(cognacq.ID)+`"`, `name="featured_institution_id" value="`+itoa(balzac.ID)+`"`)
	if strings.Contains(r.Body, `value="`+itoa(outsider.ID)+`"> <span>Hors`) {
		t.Errorf("a non-member is offered")
	}
	form := func(account int64, featured ...int64) url.Values {
		pre := "pub_" + itoa(account)
		v := url.Values{"institution_id": {itoa(hub.ID)}, "title": {"Cognacq-Jay"}, "theme": {"collection"}, "source_lang": {"fr"},
			"source_text": {"Le musée Cognacq-Jay."}, "text_zh": {"科涅克-杰博物馆。"}, pre: {"on"}, pre + ".format": {"text"}, pre + ".mode": {"assisted"},
			"featured_shown": {"1"}}
		for _, id := range featured {
			v.Add("featured_institution_id", itoa(id))
		}
		return v
	}
	// Refusals: a non-member; a member on a post not on the network account.
	for _, v := range []url.Values{form(network.ID, outsider.ID), form(plain.ID, cognacq.ID)} {
		if r := c.post("/posts", v); r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="featured-error"`) {
			t.Fatalf("refused featured: %d %s", r.Status, excerpt(r.Body))
		}
	}
	if r := c.post("/posts", form(network.ID, 99999)); r.Status != http.StatusNotFound {
		t.Errorf("unknown institution: %d", r.Status)
	}
	if posts, _ := a.DB.PostsFeaturing(ctx, owner.OrgID, cognacq.ID, 10); len(posts) != 0 {
		t.Fatalf("a refused post was saved: %v", posts)
	}
	r = c.post("/posts", form(network.ID, cognacq.ID))
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.Status, excerpt(r.Body))
	}
	postID := strings.TrimPrefix(r.Location, "/posts/")
	page := c.follow(r)
	wantContains(t, page.Body, `id="featured-saved"`, `<span class="featured-name">Musée Cognacq-Jay</span>`,
		`value="`+itoa(cognacq.ID)+`" checked`)
	id, err := strconv.ParseInt(postID, 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	post, err := a.Ed.Post(ctx, owner, id)
	if err != nil {
		t.Fatal(err)
	}
	if ids, _ := ps.Featured(ctx, owner, post.ID); fmt.Sprint(ids) != fmt.Sprint([]int64{cognacq.ID}) {
		t.Fatalf("featured saved: %v", ids)
	}
	// Editing: the form with both members; then a refused edit changes nothing.
	edit := form(network.ID, cognacq.ID, balzac.ID)
	edit.Set("version", itoa(int64(post.Version)))
	if r := c.post("/posts/"+postID, edit); r.Status != http.StatusSeeOther {
		t.Fatalf("update: %d %s", r.Status, excerpt(r.Body))
	}
	if ids, _ := ps.Featured(ctx, owner, post.ID); len(ids) != 2 {
		t.Fatalf("featured after edit: %v", ids)
	}
	bad := form(network.ID, outsider.ID)
	post, _ = a.Ed.Post(ctx, owner, post.ID)
	bad.Set("version", itoa(int64(post.Version)))
	if r := c.post("/posts/"+postID, bad); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("refused update: %d", r.Status)
	}
	if ids, _ := ps.Featured(ctx, owner, post.ID); len(ids) != 2 {
		t.Fatalf("a refused edit changed the featured: %v", ids)
	}

	// The network page counts the post's newest views for both members.
	at := time.Now().UTC().Add(-48 * time.Hour).Truncate(time.Second)
	pub := post.Publications[0].ID
	// Written as the store writes instants (SQLite's are text: the analytics sums'
	// triggers read their day from it), not as the driver would print a time.Time.
	var atArg any = at
	if a.DB.Dialect() == store.SQLite {
		atArg = at.Format("2006-01-02T15:04:05.000000Z")
	}
	if _, err := a.DB.SQL().ExecContext(ctx, `UPDATE publications SET state = 'published', published_at = ? WHERE id = ?`, atArg, pub); err != nil {
		t.Fatal(err)
	}
	older, newest := int64(90_000), int64(410_000)
	if _, err := a.DB.RecordPublicationSnapshots(ctx, owner.OrgID, []*store.PublicationSnapshot{
		{PublicationID: pub, TakenAt: at.Add(time.Hour), Source: store.PubSourceManual, Views: &older},
		{PublicationID: pub, TakenAt: at.Add(2 * time.Hour), Source: store.PubSourceManual, Views: &newest},
	}); err != nil {
		t.Fatal(err)
	}
	r = c.get("/accounts/" + itoa(network.ID) + "/network")
	for _, m := range []int64{cognacq.ID, balzac.ID} {
		row := regexp.MustCompile(`(?s)<tr data-member="` + itoa(m) + `">.*?</tr>`).FindString(r.Body)
		if !strings.Contains(row, `<td class="member-views" data-label="Views">410,000</td>`) {
			t.Errorf("member %d row: %q", m, row)
		}
	}
}
