package main

import (
	"bytes"
	"context"
	"flag"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle/internal/config"
	"github.com/passerelle-oss/passerelle/internal/secret"
)

// run runs the command line as the binary would and returns its exit code and output.
func run(t *testing.T, stdin string, env map[string]string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(stdin), &out, &errOut, func(k string) string { return env[k] })
	return code, out.String(), errOut.String()
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return lines[len(lines)-1]
}

func TestCLIUsersAndTokens(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	tests := []struct {
		name  string
		stdin string
		args  []string
		code  int
		out   string
	}{
		{"create owner", "correct horse battery\n", []string{"user", "create", "--data", dir, "--email", "Marie@Example.org", "--role", "owner"}, 0, "created user 1 <marie@example.org> (owner)"},
		{"duplicate", "correct horse battery\n", []string{"user", "create", "--data", dir, "--email", "marie@example.org", "--role", "owner"}, 1, ""},
		{"short password", "short\n", []string{"user", "create", "--data", dir, "--email", "li@example.org"}, 1, ""},
		{"no password", "", []string{"user", "create", "--data", dir, "--email", "li@example.org"}, 1, ""},
		{"unknown role", "correct horse battery\n", []string{"user", "create", "--data", dir, "--email", "li@example.org", "--role", "boss"}, 1, ""},
		{"role needs an institution", "correct horse battery\n", []string{"user", "create", "--data", dir, "--email", "li@example.org", "--role", "editor"}, 1, ""},
		{"missing email", "", []string{"user", "create", "--data", dir}, 2, ""},
		{"list", "", []string{"user", "list", "--data", dir}, 0, "marie@example.org"},
		{"set password", "another long password\n", []string{"user", "set-password", "--data", dir, "--email", "marie@example.org"}, 0, "password changed"},
		{"unknown subcommand", "", []string{"user", "delete"}, 2, ""},
		{"token for nobody", "", []string{"token", "create", "--data", dir, "--email", "nobody@example.org"}, 1, ""},
		{"migrate", "", []string{"migrate", "--data", dir}, 0, "up to date"},
		{"help", "", []string{"help"}, 0, "serve"},
		{"command help", "", []string{"serve", "-h"}, 0, ""},
		{"unknown command", "", []string{"frobnicate"}, 2, ""},
		{"bad flag", "", []string{"migrate", "--nope"}, 2, ""},
		{"version", "", []string{"version"}, 0, "passerelle"},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, tt.stdin, nil, tt.args...)
		if code != tt.code || !strings.Contains(out, tt.out) {
			t.Errorf("%s: exit %d, want %d; stdout %q; stderr %q", tt.name, code, tt.code, out, errOut)
		}
	}

	// The token is alone on the last line, and works against a server on the same data
	// directory; disabling the user stops it at once.
	code, out, _ := run(t, "", nil, "token", "create", "--data", dir, "--email", "marie@example.org", "--name", "ci")
	token := lastLine(out)
	if code != 0 || !strings.HasPrefix(token, "psl_") || strings.Contains(token, " ") {
		t.Fatalf("token create: %d %q", code, out)
	}
	m := bootOn(t, dir)
	get := func() int {
		req, _ := http.NewRequest("GET", m.URL()+"/api/v1/institutions", nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := get(); got != 200 {
		t.Fatalf("token from the CLI: %d", got)
	}
	if code, out, _ := run(t, "", nil, "token", "list", "--data", dir, "--email", "marie@example.org"); code != 0 || !strings.Contains(out, "ci") {
		t.Fatalf("token list: %d %q", code, out)
	}
	if code, _, errOut := run(t, "", nil, "user", "disable", "--data", dir, "--email", "marie@example.org"); code != 1 || !strings.Contains(errOut, "owner") {
		t.Fatalf("disabling the last owner: %d %q", code, errOut)
	}
	run(t, "another long password\n", nil, "user", "create", "--data", dir, "--email", "second@example.org", "--role", "owner")
	if code, _, errOut := run(t, "", nil, "user", "disable", "--data", dir, "--email", "marie@example.org"); code != 0 {
		t.Fatalf("disable: %d %q", code, errOut)
	}
	if got := get(); got != 401 {
		t.Fatalf("token of a disabled user: %d", got)
	}
	if code, _, _ := run(t, "", nil, "token", "revoke", "--data", dir, "--email", "marie@example.org", "--id", "99"); code != 1 {
		t.Fatalf("revoking an unknown token: %d", code)
	}
}

func TestCLISecretsRotate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run(t, "correct horse battery\n", nil, "user", "create", "--data", dir, "--email", "a@example.org")
	if code, out, errOut := run(t, "", nil, "secrets", "rotate", "--data", dir); code != 0 || !strings.Contains(out, "key version 2") {
		t.Fatalf("rotate: %d %q %q", code, out, errOut)
	}
	b, err := os.ReadFile(filepath.Join(dir, "secret.key"))
	if err != nil {
		t.Fatal(err)
	}
	keys, err := secret.ParseKeys(string(b))
	if err != nil || len(keys) != 2 {
		t.Fatalf("key file after rotation: %d keys, %v", len(keys), err)
	}
	fi, _ := os.Stat(filepath.Join(dir, "secret.key"))
	if fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode %v", fi.Mode())
	}
	// A key from the environment replaces the file.
	env := map[string]string{"PASSERELLE_SECRET_KEY": "not a key"}
	if code, _, _ := run(t, "", env, "migrate", "--data", dir); code != 1 {
		t.Fatalf("bad PASSERELLE_SECRET_KEY accepted: %d", code)
	}
}

// Issue 9, finding 10: /metrics is served on --metrics-addr, not on the main address.
func TestMetricsOwnAddress(t *testing.T) {
	t.Parallel()
	m := &Main{}
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	build := config.Flags(fs, func(string) string { return "" })
	if err := fs.Parse([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--log-level", "error", "--metrics-addr", "127.0.0.1:0"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := build()
	if err != nil {
		t.Fatal(err)
	}
	m.Config = cfg
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	get := func(u string) (int, string) {
		resp, err := http.Get(u)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	if code, _ := get(m.URL() + "/metrics"); code != 404 {
		t.Errorf("main address /metrics: %d, want 404", code)
	}
	if code, body := get(m.MetricsURL()); code != 200 || !strings.Contains(body, "passerelle_http_request_duration_seconds") {
		t.Errorf("metrics address: %d", code)
	}
}
