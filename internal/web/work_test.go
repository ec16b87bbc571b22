package web_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// section returns the part of a page inside the element with the given id (up to the
// next </section>).
func section(body, id string) string {
	i := strings.Index(body, `id="`+id+`"`)
	if i < 0 {
		return ""
	}
	j := strings.Index(body[i:], "</section>")
	if j < 0 {
		return body[i:]
	}
	return body[i : i+j]
}

// TestMyWorkQueues: each person's dashboard lists the posts waiting on them by role —
// a translator those in translation, a reviewer those in review, an editor those
// approved but not scheduled and the publications whose time has passed without
// going out; a viewer has no queue; another organization's posts never appear.
func TestMyWorkQueues(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	ctx := context.Background()
	a.user(n.owner.OrgID, "translator@example.org", pw, false, passerelle.Membership{InstitutionID: n.inst.ID, Role: passerelle.RoleTranslator})
	move := func(p *passerelle.Post, to ...passerelle.Status) {
		for _, s := range to {
			if _, err := a.Ed.Transition(ctx, n.owner, p.ID, s, ""); err != nil {
				t.Fatalf("%s → %s: %v", p.Title, s, err)
			}
		}
	}
	inTranslation := n.post(t, a, "À traduire", "Claude Monet.", "")
	move(inTranslation, passerelle.StatusTranslation)
	inReview := n.post(t, a, "À relire", "Claude Monet.", "莫奈。")
	move(inReview, passerelle.StatusReview)
	approved := n.post(t, a, "Validée", "Claude Monet.", "莫奈。")
	move(approved, passerelle.StatusReview, passerelle.StatusApproved)
	late := n.post(t, a, "En retard", "Claude Monet.", "莫奈。")
	move(late, passerelle.StatusReview, passerelle.StatusApproved)
	// Its time passed without it going out (the service refuses a past time: the
	// row is set as a worker that never ran would leave it).
	at := time.Now().Add(-2 * time.Hour).UTC().Format("2006-01-02T15:04:05.000000Z")
	if _, err := a.DB.SQL().ExecContext(ctx, `UPDATE publications SET scheduled_at = ? WHERE id = ?`, at, late.Publications[0].ID); err != nil {
		t.Fatal(err)
	}

	for _, c := range []struct {
		email string
		has   map[string][]string // queue → the posts it lists
	}{
		{"translator@example.org", map[string][]string{"work-translation": {"À traduire"}}},
		{"reviewer@example.org", map[string][]string{"work-review": {"À relire"}}},
		// The late post is approved (not in the schedule) and its time has passed.
		{"editor@example.org", map[string][]string{"work-approved": {"Validée", "En retard"}, "work-overdue": {"En retard"}}},
		{"owner@example.org", map[string][]string{"work-translation": {"À traduire"}, "work-review": {"À relire"}, "work-approved": {"Validée", "En retard"}, "work-overdue": {"En retard"}}},
	} {
		body := a.signedIn(c.email).get("/").Body
		if !strings.Contains(body, `id="my-work"`) {
			t.Errorf("%s: no My work panel", c.email)
			continue
		}
		for _, q := range []string{"work-translation", "work-review", "work-approved", "work-overdue"} {
			s := section(body, q)
			for _, title := range []string{"À traduire", "À relire", "Validée", "En retard"} {
				if got := strings.Contains(s, title); got != slices.Contains(c.has[q], title) {
					t.Errorf("%s: queue %s lists %q: %v", c.email, q, title, got)
				}
			}
		}
	}
	overdue := section(a.signedIn("editor@example.org").get("/").Body, "work-overdue")
	if !strings.Contains(overdue, "was due") {
		t.Errorf("the overdue item does not say when it was due: %s", overdue)
	}
	if body := a.signedIn("viewer@example.org").get("/").Body; strings.Contains(body, `id="my-work"`) {
		t.Error("a viewer has a My work panel")
	}
	if body := a.signedIn("other@example.org").get("/").Body; strings.Contains(body, "À relire") || strings.Contains(body, "En retard") {
		t.Error("another organization sees the posts")
	}
}
