package web_test

import (
	"context"
	"net/http"
	"net/url"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// TestGlossaryTermEdit: a writer corrects a term from the glossary page; a reader may
// not; another organization does not see it; invalid input is shown on the form and
// changes nothing.
func TestGlossaryTermEdit(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	owner := a.org("Agence", "owner@example.org", "correct horse battery")
	inst := a.institution(owner, "Musée d'Orsay")
	a.user(owner.OrgID, "viewer@example.org", "correct horse battery", false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleViewer})
	a.org("Autre", "other@example.org", "correct horse battery")
	term := &store.GlossaryTerm{Source: "Gustave Caillebotte", ZH: "卡耶博特", Kind: "artist"}
	if err := a.Ed.CreateTerm(context.Background(), owner, term); err != nil {
		t.Fatal(err)
	}
	path := "/glossary/" + itoa(term.ID)
	c := a.client()
	c.header.Set("Accept-Language", "en")
	c.login("owner@example.org", "correct horse battery")
	wantContains(t, c.get("/glossary").Body, `href="`+path+`/edit"`)
	wantContains(t, c.get(path+"/edit").Body, `value="Gustave Caillebotte"`, `value="卡耶博特"`)

	bad := c.post(path, url.Values{"source": {"Gustave Caillebotte"}, "zh": {""}})
	if bad.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid edit: %d", bad.Status)
	}
	ok := c.post(path, url.Values{"source": {"Gustave Caillebotte"}, "zh": {"古斯塔夫·卡耶博特"}, "accepted": {"卡耶博特"}, "kind": {"artist"}, "birth_date": {"1848-08-19"}})
	if ok.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", ok.Status, excerpt(ok.Body))
	}
	got, err := a.DB.GlossaryTermByID(context.Background(), owner.OrgID, term.ID)
	if err != nil || got.ZH != "古斯塔夫·卡耶博特" || len(got.Accepted) != 1 || got.BirthDate != "1848-08-19" {
		t.Fatalf("stored term = %+v, %v", got, err)
	}
	for email, want := range map[string]int{"viewer@example.org": http.StatusForbidden, "other@example.org": http.StatusNotFound} {
		o := a.client()
		o.login(email, "correct horse battery")
		if r := o.get(path + "/edit"); r.Status != want {
			t.Errorf("%s GET: %d, want %d", email, r.Status, want)
		}
		if r := o.post(path, url.Values{"source": {"x"}, "zh": {"x"}}); r.Status != want {
			t.Errorf("%s POST: %d, want %d", email, r.Status, want)
		}
	}
	if again, _ := a.DB.GlossaryTermByID(context.Background(), owner.OrgID, term.ID); again.ZH != "古斯塔夫·卡耶博特" {
		t.Fatalf("a refused edit changed the term: %+v", again)
	}
}
