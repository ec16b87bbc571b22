package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestSnapshotSQLiteCommitsBetweenSteps copies a database of many steps while the
// server's writer commits between every two steps (inserts, and updates of rows spread
// over the whole file): the copy completes without restarting, passes integrity_check
// and holds the database exactly as it was when the copy started.
func TestSnapshotSQLiteCommitsBetweenSteps(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.SQLite(t)
	if _, err := db.SQL().ExecContext(ctx, `CREATE TABLE snap_probe (n INTEGER PRIMARY KEY, body TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	const rows = 6000 // ~1 KB each: several SnapshotPages steps
	body := strings.Repeat("a", 1000)
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	for n := 1; n <= rows; n++ {
		if _, err := tx.ExecContext(ctx, `INSERT INTO snap_probe (n, body) VALUES (?, ?)`, n, body); err != nil {
			t.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		t.Fatal(err)
	}
	var pages, pageSize int64
	if err := db.SQL().QueryRowContext(ctx, `PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if err := db.SQL().QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	if pages < 4*store.SnapshotPages {
		t.Fatalf("%d pages: too few for several steps", pages)
	}

	want := (pages + store.SnapshotPages - 1) / store.SnapshotPages
	var steps, copied int64
	path := filepath.Join(t.TempDir(), "copy.db")
	copyCtx, stop := context.WithCancel(ctx)
	defer stop()
	err = db.SnapshotSQLite(copyCtx, path, func(n int64) {
		steps++
		copied += n
		if steps > 2*want {
			stop() // a copy restarted by each commit would never end
		}
		// A commit by another connection between two steps: an insert, and an update
		// of a row at each end of the table.
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO snap_probe (n, body) VALUES (?, 'new')`, rows+steps); err != nil {
			t.Error(err)
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE snap_probe SET body = 'changed' WHERE n IN (1, ?)`, rows-steps); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatalf("after %d steps (%d expected): %v", steps, want, err)
	}
	// Restarted copies would report more steps than the database has.
	if steps != want || copied != pages*pageSize {
		t.Errorf("%d steps, %d bytes reported; want %d steps for %d pages", steps, copied, want, pages)
	}

	raw, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var check string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	var count, maxN, changed int64
	if err := raw.QueryRow(`SELECT COUNT(*), MAX(n), COUNT(*) FILTER (WHERE body <> ?) FROM snap_probe`, body).Scan(&count, &maxN, &changed); err != nil {
		t.Fatal(err)
	}
	if count != rows || maxN != rows || changed != 0 {
		t.Errorf("copy holds %d rows up to %d, %d changed; want the %d rows as they were at the start", count, maxN, changed, rows)
	}
	// The live database did take the commits.
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM snap_probe`).Scan(&count); err != nil || count != rows+steps {
		t.Errorf("live database: %d rows, %v; want %d", count, err, rows+steps)
	}
	if err := db.SnapshotSQLite(ctx, path, nil); err == nil {
		t.Error("snapshot over an existing file: no error")
	}
}

// TestSnapshotSQLiteCanceled stops at a canceled context and leaves no file.
func TestSnapshotSQLiteCanceled(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	ctx, cancel := context.WithCancel(context.Background())
	if _, err := db.SQL().ExecContext(ctx, `CREATE TABLE snap_probe (n INTEGER PRIMARY KEY, body BLOB NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, `WITH RECURSIVE s(n) AS (SELECT 1 UNION ALL SELECT n+1 FROM s WHERE n < 2000) INSERT INTO snap_probe SELECT n, zeroblob(1000) FROM s`); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "copy.db")
	err := db.SnapshotSQLite(ctx, path, func(int64) { cancel() })
	if err == nil {
		t.Fatal("canceled snapshot: no error")
	}
	if m, _ := filepath.Glob(path + "*"); len(m) != 0 {
		t.Errorf("canceled snapshot left %v", m)
	}
}

// TestCopyMediaRefs reads a copy's media as MediaRefs reads the database's, and writes
// nothing beside the copy (no WAL, no shared memory file, no journal).
func TestCopyMediaRefs(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.SQLite(t)
	org, inst, _, _ := setupInstitution(t, db)
	for i, key := range []string{"kb", "ka", "kc"} {
		m := &store.MediaAsset{InstitutionID: inst.ID, StorageKey: key, MIME: "image/png", Width: 10, Height: 10, Bytes: int64(100 + i), Filename: key + ".png"}
		if _, err := db.AddMediaAsset(ctx, org.ID, m); err != nil {
			t.Fatal(err)
		}
	}
	want, err := db.MediaRefs(ctx)
	if err != nil || len(want) != 3 {
		t.Fatalf("MediaRefs: %v %v", want, err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "copy.db")
	if err := db.SnapshotSQLite(ctx, path, nil); err != nil {
		t.Fatal(err)
	}
	got, err := store.CopyMediaRefs(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, want) {
		t.Errorf("CopyMediaRefs: %v, want %v", got, want)
	}
	if files, _ := filepath.Glob(filepath.Join(dir, "*")); len(files) != 1 {
		t.Errorf("files beside the copy: %v", files)
	}
	if _, err := store.CopyMediaRefs(ctx, filepath.Join(dir, "missing.db")); err == nil {
		t.Error("CopyMediaRefs of a missing file: no error")
	}
}
