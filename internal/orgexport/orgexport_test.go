package orgexport_test

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/demo"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/orgexport"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestRoundTrip exports the demo organization, imports it into an empty installation,
// exports that again: every document and media file is the same; no file holds a
// sealed credential or a password hash.
func TestRoundTrip(t *testing.T) {
	t.Parallel()
	for _, engine := range []string{"sqlite", "postgres"} {
		t.Run(engine, func(t *testing.T) {
			t.Parallel()
			open := storetest.SQLite
			if engine == "postgres" {
				open = storetest.Postgres
			}
			roundTrip(t, open(t), open(t))
		})
	}
}

func roundTrip(t *testing.T, src, dst *store.DB) {
	ctx := context.Background()
	a := auth.New(src, nil)
	a.Params = auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1}
	res, err := demo.Seed(ctx, src, a)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := demo.Simulated(ctx, src, res.OrgID, "http://127.0.0.1:1"); err != nil {
		t.Fatal(err)
	}
	srcData := t.TempDir()
	if err := demo.Posts(ctx, src, editorial.New(editorial.Options{DB: src, DataDir: srcData}), res.OrgID, time.Now()); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "export")
	m, err := orgexport.Export(ctx, src, &media.DiskStore{Root: filepath.Join(srcData, "media")}, res.OrgID, "test", orgexport.Dir(out))
	if err != nil {
		t.Fatal(err)
	}
	if m.Counts["posts"] == 0 || m.Counts["publications"] == 0 || m.Counts["post_revisions"] == 0 || m.Counts["institutions"] == 0 || m.Counts["barometer_editions"]+m.Counts["account_snapshots"] == 0 {
		t.Fatalf("export counts: %v", m.Counts)
	}
	for _, f := range []string{"manifest.json", "README.md", "institutions.json", "accounts.json", "posts.json", "glossary.json", "figures.json", "barometer_editions.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing %s", f)
		}
	}

	// No secret: neither the sealed credentials nor password hashes, nor the plain ones.
	var forbidden []string
	rows, err := src.SQL().QueryContext(ctx, `SELECT sealed FROM account_credentials`)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var s string
		rows.Scan(&s)
		forbidden = append(forbidden, s)
	}
	rows.Close()
	if len(forbidden) == 0 {
		t.Fatal("the demo holds no credentials: the test proves nothing")
	}
	forbidden = append(forbidden, "$argon2id$", "password_hash", "sealed")
	filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if d.IsDir() || strings.HasSuffix(p, "README.md") {
			return nil
		}
		b, _ := os.ReadFile(p)
		for _, s := range forbidden {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s holds %q", p, s)
			}
		}
		return nil
	})

	dstData := t.TempDir()
	dstMedia := &media.DiskStore{Root: filepath.Join(dstData, "media")}
	if _, err := orgexport.Import(ctx, dst, dstMedia, out); err != nil {
		t.Fatal(err)
	}
	if _, err := orgexport.Import(ctx, dst, dstMedia, out); err == nil {
		t.Fatal("a second import into a non-empty installation was accepted")
	}
	again := filepath.Join(t.TempDir(), "again")
	if _, err := orgexport.Export(ctx, dst, dstMedia, res.OrgID, "test", orgexport.Dir(again)); err != nil {
		t.Fatal(err)
	}
	for _, k := range orgexport.Kinds {
		a, _ := os.ReadFile(filepath.Join(out, k.File))
		b, _ := os.ReadFile(filepath.Join(again, k.File))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs after the round trip", k.File)
		}
	}
	entries, _ := os.ReadDir(filepath.Join(out, "media"))
	again2, _ := os.ReadDir(filepath.Join(again, "media"))
	if len(entries) == 0 || len(entries) != len(again2) {
		t.Errorf("media: %d exported, %d after the round trip", len(entries), len(again2))
	}
	// The imported installation works: new rows get new ids.
	if _, err := dst.CreateOrganization(ctx, "Another"); err != nil {
		t.Errorf("after import: %v", err)
	}

	// A damaged export is refused before anything is written.
	bad := filepath.Join(t.TempDir(), "bad")
	os.CopyFS(bad, os.DirFS(out))
	os.WriteFile(filepath.Join(bad, "posts.json"), []byte("{}"), 0o640)
	empty := storetest.SQLite(t)
	if _, err := orgexport.Import(ctx, empty, &media.DiskStore{Root: t.TempDir()}, bad); err == nil {
		t.Error("a damaged export was imported")
	}
	if n, _ := empty.OrganizationCount(ctx); n != 0 {
		t.Error("a refused import wrote an organization")
	}
}
