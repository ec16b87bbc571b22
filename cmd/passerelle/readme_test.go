package main

import (
	"os"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/config"
	"github.com/passerelle-oss/passerelle/internal/demo"
)

// TestREADMEDocumentsConfiguration: every setting has its flag and variable in the
// README's configuration reference, and every subcommand is listed.
func TestREADMEDocumentsConfiguration(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	readme := string(b)
	for _, v := range config.Vars {
		if !strings.Contains(readme, "`--"+v.Flag+"`") || !strings.Contains(readme, "`"+v.Env+"`") {
			t.Errorf("README lacks --%s / %s", v.Flag, v.Env)
		}
	}
	for _, c := range commands() {
		if !strings.Contains(readme, "| `"+c.name) {
			t.Errorf("README's command table lacks %s", c.name)
		}
	}
	for _, cmd := range []string{"go run ./cmd/passerelle serve --demo", "go test ./...", "takes a few minutes"} {
		if !strings.Contains(readme, cmd) {
			t.Errorf("README lacks %q", cmd)
		}
	}
	// The demo team the README lists is the one the demo creates, one user per role.
	roles := map[passerelle.Role]bool{}
	for _, u := range demo.Team {
		roles[u.Role] = true
		if !strings.Contains(readme, "`"+u.Email+"`") {
			t.Errorf("README's demo team lacks %s", u.Email)
		}
	}
	for _, r := range append([]passerelle.Role{passerelle.RoleOwner}, passerelle.InstitutionRoles...) {
		if !roles[r] {
			t.Errorf("the demo has no %s", r)
		}
	}
}
