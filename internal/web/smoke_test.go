package web_test

import (
	"net/url"
	"testing"
)

func TestSmokePages(t *testing.T) {
	t.Parallel()
	a := newApp(t, true)
	owner := a.org("Agence", "owner@example.org", "owner-password")
	inst := a.institution(owner, "Musée du Louvre")
	c := a.client()
	if r := c.get("/login"); r.Status != 200 {
		t.Fatalf("login %d %s", r.Status, excerpt(r.Body))
	}
	c.login("owner@example.org", "owner-password")
	for _, p := range []string{"/", "/institutions", "/institutions/new", "/institutions/" + itoa(inst.ID), "/institutions/" + itoa(inst.ID) + "/edit", "/institutions/" + itoa(inst.ID) + "/accounts/new", "/users", "/users/new", "/tokens", "/settings", "/nope"} {
		r := c.get(p)
		if r.Status != 200 && p != "/nope" {
			t.Errorf("%s: %d %s", p, r.Status, excerpt(r.Body))
		}
	}
	_ = url.Values{}
}
