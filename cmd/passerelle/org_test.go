package main

import (
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"strings"
	"testing"
)

// TestCLIOrganizations: one installation hosts several agencies. `org create` makes an
// organization and prints its setup link, which creates that organization's first
// owner once; the first organization's owner is not affected.
func TestCLIOrganizations(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, out, errOut := run(t, "correct horse battery\n", nil, "user", "create", "--data", dir, "--email", "first@example.org", "--org", "Agence Pont"); code != 0 {
		t.Fatalf("first owner: %d %q %q", code, out, errOut)
	}
	tests := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"no name", []string{"org", "create", "--data", dir}, 2, ""},
		{"blank name", []string{"org", "create", "--data", dir, "--name", "  "}, 2, ""},
		{"name too long", []string{"org", "create", "--data", dir, "--name", strings.Repeat("é", 201)}, 1, ""},
		{"unknown subcommand", []string{"org", "delete", "--data", dir}, 2, ""},
		{"no subcommand", []string{"org"}, 2, ""},
		{"link for an organization with users", []string{"org", "setup-link", "--data", dir, "--org-id", "1"}, 1, ""},
		{"link for no organization", []string{"org", "setup-link", "--data", dir, "--org-id", "99"}, 1, ""},
		{"link without id", []string{"org", "setup-link", "--data", dir}, 2, ""},
		{"list", []string{"org", "list", "--data", dir}, 0, "Agence Pont"},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, "", nil, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) {
			t.Errorf("%s: exit %d, want %d; stdout %q; stderr %q", tt.name, code, tt.code, out, errOut)
		}
	}

	code, out, errOut := run(t, "", nil, "org", "create", "--data", dir, "--name", "Agence Lumière", "--base-url", "https://passerelle.example.org")
	if code != 0 || !strings.Contains(out, `created organization 2 "Agence Lumière"`) {
		t.Fatalf("org create: %d %q %q", code, out, errOut)
	}
	link := strings.TrimSpace(lastLine(out))
	const prefix = "https://passerelle.example.org/setup?token="
	if !strings.HasPrefix(link, prefix) {
		t.Fatalf("setup link %q", link)
	}
	token := strings.TrimPrefix(link, prefix)
	if code, out, _ := run(t, "", nil, "org", "list", "--data", dir); code != 0 || !strings.Contains(out, "Agence Pont") || !strings.Contains(out, "Agence Lumière") {
		t.Fatalf("org list: %d %q", code, out)
	}

	// The link works on a server over the same data, although users exist.
	m := bootOn(t, dir)
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	get := func(path string) (int, string) {
		t.Helper()
		resp, err := c.Get(m.URL() + path)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	status, body := get("/setup?token=" + url.QueryEscape(token))
	if status != 200 || !strings.Contains(body, `value="Agence Lumière"`) {
		t.Fatalf("setup page: %d, organization name shown: %v", status, strings.Contains(body, "Agence Lumière"))
	}
	post := func(token string) int {
		t.Helper()
		form := url.Values{"token": {token}, "organization": {"Agence Lumière"}, "email": {"claire@example.org"}, "name": {"Claire"}, "password": {"lumiere-password"}, "password_confirm": {"lumiere-password"}}
		req, _ := http.NewRequest("POST", m.URL()+"/setup", strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", m.URL())
		resp, err := c.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := post(token); got != http.StatusSeeOther {
		t.Fatalf("setup: %d", got)
	}
	if got := post(token); got != http.StatusForbidden {
		t.Errorf("setup link used twice: %d", got)
	}
	if code, out, _ := run(t, "", nil, "user", "list", "--data", dir); code != 0 || !strings.Contains(out, "claire@example.org") {
		t.Fatalf("user list: %q", out)
	}
	u, _, err := m.DB.UserByEmail(t.Context(), "claire@example.org")
	if err != nil || u.OrgID != 2 || !u.Owner {
		t.Fatalf("Claire: %+v, %v; want an owner of organization 2", u, err)
	}
	// Now that it has an owner, the organization gets no new setup link.
	if code, _, _ := run(t, "", nil, "org", "setup-link", "--data", dir, "--org-id", "2"); code != 1 {
		t.Errorf("setup-link for an organization with an owner: exit %d", code)
	}
	if code, out, _ := run(t, "", nil, "org", "create", "--data", dir, "--name", "Agence Trois"); code != 0 {
		t.Fatalf("third org: %d", code)
	} else if code, out2, _ := run(t, "", nil, "org", "setup-link", "--data", dir, "--org-id", "3"); code != 0 || !strings.Contains(out2, "/setup?token=") || lastLine(out2) == lastLine(out) {
		t.Errorf("new setup link: %d %q", code, out2)
	}
}
