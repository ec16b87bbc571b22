package main

import (
	"bytes"
	"context"
	"database/sql"
	"flag"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/backup"
	"github.com/passerelle-oss/passerelle/internal/config"

	"github.com/passerelle-oss/passerelle/internal/media/mediatest"
)

// TestCLIBackupRestore is the interface contract: a backup while serve runs on DIR, a
// restore into NEWDIR, and a server on NEWDIR answers the same institutions to the same
// API token; an archive with one byte changed is refused and nothing is written.
func TestCLIBackupRestore(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run(t, "correct horse battery\n", nil, "user", "create", "--data", dir, "--email", "owner@example.org", "--role", "owner")
	_, out, _ := run(t, "", nil, "token", "create", "--data", dir, "--email", "owner@example.org", "--name", "backup")
	token := lastLine(out)
	m := bootOn(t, dir)
	get := func(base, path string) (int, string) {
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(b)
	}
	req, _ := http.NewRequest("POST", m.URL()+"/api/v1/institutions", strings.NewReader(`{"name":"Musée d'Orsay","time_zone":"Europe/Paris","kind":"museum"}`))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 201 {
		t.Fatalf("create institution: %v %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	code, before := get(m.URL(), "/api/v1/institutions")
	if code != 200 || !strings.Contains(before, "Orsay") {
		t.Fatalf("institutions: %d %s", code, before)
	}

	archive := filepath.Join(t.TempDir(), "backup.tar")
	if code, out, errOut := run(t, "", nil, "backup", "--data", dir, "--to", archive); code != 0 || !strings.Contains(out, "backup written") {
		t.Fatalf("backup: %d %q %q", code, out, errOut)
	}
	if code, out, errOut := run(t, "", nil, "restore", "--check", archive); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("restore --check: %d %q %q", code, out, errOut)
	}

	// One byte changed: refused, nothing written.
	b, _ := os.ReadFile(archive)
	b[len(b)/2] ^= 0x20
	damaged := filepath.Join(t.TempDir(), "damaged.tar")
	os.WriteFile(damaged, b, 0o600)
	parent := t.TempDir()
	if code, _, errOut := run(t, "", nil, "restore", "--data", filepath.Join(parent, "new"), damaged); code == 0 || !strings.Contains(errOut, "damaged") {
		t.Fatalf("damaged archive: exit %d %q", code, errOut)
	}
	if entries, _ := os.ReadDir(parent); len(entries) != 0 {
		t.Fatalf("a refused restore wrote %s", entries[0].Name())
	}

	newDir := filepath.Join(parent, "new")
	if code, out, errOut := run(t, "", nil, "restore", "--data", newDir, archive); code != 0 {
		t.Fatalf("restore: %d %q %q", code, out, errOut)
	}
	restored := bootOn(t, newDir)
	code, after := get(restored.URL(), "/api/v1/institutions")
	if code != 200 || after != before {
		t.Fatalf("restored instance: %d\n%s\nwant\n%s", code, after, before)
	}
	// Restoring over existing data is refused.
	if code, _, _ := run(t, "", nil, "restore", "--data", newDir, archive); code == 0 {
		t.Fatal("restore over a data directory accepted")
	}
	if code, _, _ := run(t, "", nil, "backup", "--data", filepath.Join(parent, "nothing"), "--to", archive+"2"); code == 0 {
		t.Fatal("backup of a missing data directory accepted")
	}
	if code, _, errOut := run(t, "", nil, "backup", "--data", dir, "--priority", "high", "--to", archive+"3"); code == 0 || !strings.Contains(errOut, "--priority") {
		t.Fatalf("backup --priority high: exit %d %q", code, errOut)
	}
	if _, err := os.Stat(archive + "3"); err == nil {
		t.Fatal("backup --priority high wrote an archive")
	}
}

// TestUpgradeBacksUpFirst: when migrations are pending on an existing database, a
// backup is written before any is applied; a binary older than the schema refuses to
// start and says why.
func TestUpgradeBacksUpFirst(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, errOut := run(t, "", nil, "migrate", "--data", dir); code != 0 {
		t.Fatalf("migrate: %q", errOut)
	}
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "passerelle.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	// Pretend the newest migration is not applied yet (it re-runs: its statements are
	// idempotent or fail and roll back; either way the backup comes first).
	if _, err := raw.Exec(`DELETE FROM schema_migrations WHERE version = (SELECT MAX(version) FROM schema_migrations)`); err != nil {
		t.Fatal(err)
	}
	run(t, "", nil, "migrate", "--data", dir)
	entries, _ := os.ReadDir(filepath.Join(dir, "backups"))
	if len(entries) != 1 || !strings.Contains(entries[0].Name(), "before-schema") {
		t.Fatalf("backups after an upgrade: %v", entries)
	}
	if code, out, errOut := run(t, "", nil, "restore", "--check", filepath.Join(dir, "backups", entries[0].Name())); code != 0 {
		t.Fatalf("pre-upgrade backup: %q %q", out, errOut)
	}

	if _, err := raw.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (99999, 'future', '2030-01-01T00:00:00.000000Z')`); err != nil {
		t.Fatal(err)
	}
	code, _, errOut := run(t, "", nil, "serve", "--data", dir, "--addr", "127.0.0.1:0")
	if code != 1 || !strings.Contains(errOut, "schema is at version 99999") || !strings.Contains(errOut, "older") {
		t.Fatalf("older binary on a newer schema: exit %d %q", code, errOut)
	}
}

// TestCLIExportImport: the interface contract of the organization export, and its
// import into an empty installation.
func TestCLIExportImport(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	run(t, "correct horse battery\n", nil, "user", "create", "--data", dir, "--email", "owner@example.org", "--role", "owner")
	out := filepath.Join(t.TempDir(), "export")
	if code, stdout, errOut := run(t, "", nil, "export", "org", "--data", dir, "--id", "1", out); code != 0 {
		t.Fatalf("export: %d %q %q", code, stdout, errOut)
	}
	for _, f := range []string{"manifest.json", "institutions.json", "accounts.json", "users.json", "posts.json", "glossary.json", "figures.json", "barometer_editions.json", "README.md"} {
		b, err := os.ReadFile(filepath.Join(out, f))
		if err != nil {
			t.Errorf("missing %s", f)
		}
		if bytes.Contains(b, []byte("$argon2id$")) {
			t.Errorf("%s holds a password hash", f)
		}
	}
	if code, _, _ := run(t, "", nil, "export", "org", "--data", dir, "--id", "99", filepath.Join(t.TempDir(), "x")); code != 1 {
		t.Errorf("export of an unknown organization: %d", code)
	}
	fresh := t.TempDir()
	if code, stdout, errOut := run(t, "", nil, "import", "org", "--data", fresh, out); code != 0 || !strings.Contains(stdout, "imported") {
		t.Fatalf("import: %d %q %q", code, stdout, errOut)
	}
	if code, _, _ := run(t, "", nil, "import", "org", "--data", fresh, out); code != 1 {
		t.Errorf("second import: %d", code)
	}
	if code, out, _ := run(t, "", nil, "user", "list", "--data", fresh); code != 0 || !strings.Contains(out, "owner@example.org") {
		t.Errorf("users after import: %q", out)
	}
}

// TestCLIBackupToBucket: `backup --to s3://BUCKET/PATH/` uploads the archive under its
// default name and leaves nothing on the disk; `restore` from that address gives back
// the same institutions; a wrong address is refused with the reason.
func TestCLIBackupToBucket(t *testing.T) {
	t.Parallel()
	s3 := mediatest.S3Options(t)
	env := map[string]string{"PASSERELLE_S3_ENDPOINT": s3.Endpoint, "PASSERELLE_S3_REGION": s3.Region,
		"PASSERELLE_S3_ACCESS_KEY": s3.AccessKey, "PASSERELLE_S3_SECRET_KEY": s3.SecretKey}
	dir := t.TempDir()
	run(t, "correct horse battery\n", env, "user", "create", "--data", dir, "--email", "owner@example.org", "--role", "owner")
	dest := "s3://" + s3.Bucket + "/" + s3.Prefix + "/"
	code, out, errOut := run(t, "", env, "backup", "--data", dir, "--to", dest)
	if code != 0 || !strings.Contains(out, "backup written to "+dest+"passerelle-") {
		t.Fatalf("backup: %d %q %q", code, out, errOut)
	}
	name := strings.Fields(strings.TrimPrefix(out, "backup written to "+dest))[0]
	if entries, _ := os.ReadDir(filepath.Join(dir, "backups")); len(entries) != 0 {
		t.Fatalf("%s left on the disk", entries[0].Name())
	}
	newDir := filepath.Join(t.TempDir(), "new")
	if code, out, errOut := run(t, "", env, "restore", "--data", newDir, dest+name); code != 0 || !strings.Contains(out, "restored") {
		t.Fatalf("restore: %d %q %q", code, out, errOut)
	}
	db, err := sql.Open("sqlite", filepath.Join(newDir, "passerelle.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var users int
	if err := db.QueryRow(`SELECT COUNT(*) FROM users WHERE email = 'owner@example.org'`).Scan(&users); err != nil || users != 1 {
		t.Fatalf("restored users: %d %v", users, err)
	}
	for _, bad := range []string{"s3://" + s3.Bucket + "/a//b.tar", "s3://no-such-bucket-" + strings.ToLower(s3.Prefix) + "/x.tar"} {
		if code, _, errOut := run(t, "", env, "backup", "--data", dir, "--to", bad); code == 0 || errOut == "" {
			t.Fatalf("backup to %s: exit %d %q", bad, code, errOut)
		}
	}
	if code, _, errOut := run(t, "", env, "restore", "--data", filepath.Join(t.TempDir(), "x"), dest+"passerelle-none.tar"); code == 0 || !strings.Contains(errOut, "does not exist") {
		t.Fatalf("restore of a missing archive: exit %d %q", code, errOut)
	}
}

// TestScheduledBackupInItsOwnProcess: serve writes its scheduled backups by starting
// its own binary's backup command (here the test binary acting as it), with the
// settings it was given; the archive is complete. A backup process that fails is an
// error that says why.
func TestScheduledBackupInItsOwnProcess(t *testing.T) {
	t.Setenv(asBinary, "1") // not parallel: the backup process inherits this environment
	dir := t.TempDir()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	build := config.Flags(fs, func(string) string { return "" })
	if err := fs.Parse([]string{"--addr", "127.0.0.1:0", "--data", dir, "--log-level", "debug", "--backup-interval", "1s"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := build()
	if err != nil {
		t.Fatal(err)
	}
	var logs safeBuffer
	m := &Main{Config: cfg, Logger: slog.New(slog.DiscardHandler), BackupProgram: os.Args[0], BackupStderr: &logs}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	stopped := false
	defer func() {
		if !stopped {
			m.Close()
		}
	}()
	var archive string
	for deadline := time.Now().Add(2 * time.Minute); archive == "" && time.Now().Before(deadline); {
		names, _ := filepath.Glob(filepath.Join(dir, "backups", "*-scheduled.tar"))
		if len(names) > 0 {
			archive = names[0]
		}
		time.Sleep(100 * time.Millisecond)
	}
	if archive == "" {
		t.Fatalf("no scheduled backup in two minutes; the backup process logged %q", logs.String())
	}
	// Stopped before the archive is read: a backup process running then is stopped
	// and waited for.
	stopped = true
	if err := m.Close(); err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := run(t, "", nil, "restore", "--check", archive); code != 0 || !strings.Contains(out, "intact") {
		t.Fatalf("restore --check: %d %q %q", code, out, errOut)
	}
	// The process logged at the level serve was given, to the writer serve gave.
	if !strings.Contains(logs.String(), backup.MsgDatabaseCopied) {
		t.Errorf("the backup process logged %q, not %q", logs.String(), backup.MsgDatabaseCopied)
	}

	missing := filepath.Join(t.TempDir(), "missing")
	a := &backup.Apart{Program: os.Args[0], Env: backupEnv(&config.Config{DataDir: missing}, os.Environ())}
	if _, err := a.WriteFile(context.Background(), filepath.Join(t.TempDir(), "b.tar"), 0); err == nil || !strings.Contains(err.Error(), "no database in "+missing) {
		t.Fatalf("backup of a missing data directory: %v", err)
	}
}

// safeBuffer is a bytes.Buffer that a process's output and a test may use at once.
type safeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *safeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *safeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}
