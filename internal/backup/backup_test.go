package backup_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
	_ "modernc.org/sqlite"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/backup"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/media/mediatest"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// fixture is a migrated SQLite data directory with one institution and media files.
type fixture struct {
	dir  string
	db   *store.DB
	inst *passerelle.Institution
	keys []string
}

func newFixture(t *testing.T, db *store.DB, dir string) *fixture {
	t.Helper()
	ctx := context.Background()
	org, err := db.CreateOrganization(ctx, "Agence")
	if err != nil {
		t.Fatal(err)
	}
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Musée", TimeZone: "Europe/Paris", Kind: "museum"}
	if err := db.CreateInstitution(ctx, inst); err != nil {
		t.Fatal(err)
	}
	f := &fixture{dir: dir, db: db, inst: inst}
	if err := os.WriteFile(filepath.Join(dir, "secret.key"), []byte("1:test-key-not-a-real-one\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	ms := &media.DiskStore{Root: filepath.Join(dir, "media")}
	for i := range 3 {
		content := bytes.Repeat([]byte(fmt.Sprintf("image %d ", i)), 1000+i)
		key, err := ms.Put(ctx, bytes.NewReader(content))
		if err != nil {
			t.Fatal(err)
		}
		a := &store.MediaAsset{InstitutionID: inst.ID, StorageKey: key, MIME: "image/png", Width: 1, Height: 1, Bytes: int64(len(content)), Filename: fmt.Sprintf("f%d.png", i)}
		if _, err := db.AddMediaAsset(ctx, org.ID, a); err != nil {
			t.Fatal(err)
		}
		f.keys = append(f.keys, key)
	}
	// A file in the store that no row refers to is not backed up.
	if _, err := ms.Put(ctx, bytes.NewReader([]byte("orphan"))); err != nil {
		t.Fatal(err)
	}
	return f
}

func openSQLite(t *testing.T, dir string) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{DataDir: dir, Keys: storetest.Keyring(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestBackupUnderWriteLoad backs up while a writer commits continuously: the restored
// copy passes integrity_check and holds a prefix of the writes with no gap.
func TestBackupUnderWriteLoad(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db := openSQLite(t, dir)
	f := newFixture(t, db, dir)
	if _, err := db.SQL().ExecContext(ctx, `CREATE TABLE load_probe (n INTEGER PRIMARY KEY, at TEXT NOT NULL)`); err != nil {
		t.Fatal(err)
	}
	var written atomic.Int64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for n := int64(1); ; n++ {
			select {
			case <-stop:
				return
			default:
			}
			tx, err := db.SQL().BeginTx(ctx, nil)
			if err != nil {
				t.Error(err)
				return
			}
			tx.ExecContext(ctx, `INSERT INTO load_probe (n, at) VALUES (?, ?)`, n, time.Now().String())
			if err := tx.Commit(); err != nil {
				t.Error(err)
				return
			}
			written.Store(n)
		}
	}()
	for written.Load() < 50 {
		time.Sleep(5 * time.Millisecond)
	}
	archive := filepath.Join(t.TempDir(), "b.tar")
	m, err := backup.WriteFile(ctx, archive, backup.Options{DB: db, DataDir: dir, Version: "test"})
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatal(err)
	}
	if n, files := m.MediaBytes(); files != len(f.keys) || n == 0 {
		t.Errorf("media in manifest: %d files, %d bytes; want %d files", files, n, len(f.keys))
	}
	if m.SchemaVersion == 0 || m.Engine != "sqlite" {
		t.Errorf("manifest: %+v", m)
	}

	restored := filepath.Join(t.TempDir(), "restored")
	if _, err := backup.Restore(ctx, archive, backup.RestoreOptions{DataDir: restored}); err != nil {
		t.Fatal(err)
	}
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(restored, "passerelle.db")+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	var check string
	if err := raw.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check: %q %v", check, err)
	}
	var count, maxN int64
	if err := raw.QueryRow(`SELECT COUNT(*), COALESCE(MAX(n), 0) FROM load_probe`).Scan(&count, &maxN); err != nil {
		t.Fatal(err)
	}
	if count == 0 || count != maxN || maxN > written.Load() {
		t.Errorf("restored %d rows up to n=%d (writer reached %d): not a prefix", count, maxN, written.Load())
	}
	t.Logf("restored a prefix of %d of %d writes", maxN, written.Load())
	for _, key := range f.keys {
		rc, err := (&media.DiskStore{Root: filepath.Join(restored, "media")}).Open(ctx, key)
		if err != nil {
			t.Errorf("media %s not restored: %v", key, err)
			continue
		}
		rc.Close()
	}
	if _, err := os.Stat(filepath.Join(restored, "secret.key")); err != nil {
		t.Errorf("key file not restored: %v", err)
	}
}

// TestRestoreRefusesDamage flips each of many single bytes of an archive: restore
// refuses every one and writes nothing.
func TestRestoreRefusesDamage(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db := openSQLite(t, dir)
	newFixture(t, db, dir)
	archive := filepath.Join(t.TempDir(), "b.tar")
	if _, err := backup.WriteFile(ctx, archive, backup.Options{DB: db, DataDir: dir}); err != nil {
		t.Fatal(err)
	}
	good, err := os.ReadFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backup.Verify(archive); err != nil {
		t.Fatalf("intact archive refused: %v", err)
	}
	parent := t.TempDir()
	bad := filepath.Join(t.TempDir(), "bad.tar")
	// Every 997th byte plus the first and last few: headers, data, padding, trailer.
	var offsets []int
	for i := 0; i < len(good); i += 997 {
		offsets = append(offsets, i)
	}
	offsets = append(offsets, 1, 156, 512+100, len(good)-1, len(good)-2, len(good)-40, len(good)-1100)
	for _, off := range offsets {
		b := bytes.Clone(good)
		b[off] ^= 0x01
		if err := os.WriteFile(bad, b, 0o600); err != nil {
			t.Fatal(err)
		}
		target := filepath.Join(parent, "new")
		_, err := backup.Restore(ctx, bad, backup.RestoreOptions{DataDir: target})
		if err == nil {
			t.Fatalf("byte %d changed: restore accepted it", off)
		}
		if entries, _ := os.ReadDir(parent); len(entries) != 0 {
			t.Fatalf("byte %d changed: restore wrote %v", off, entries[0].Name())
		}
	}
	// Truncated archives are refused too.
	for _, n := range []int{0, 10, len(good) / 2, len(good) - 1} {
		os.WriteFile(bad, good[:n], 0o600)
		if _, err := backup.Restore(ctx, bad, backup.RestoreOptions{DataDir: filepath.Join(parent, "new")}); err == nil {
			t.Fatalf("truncated to %d bytes: accepted", n)
		}
	}
	// A non-empty target is refused.
	busy := t.TempDir()
	os.WriteFile(filepath.Join(busy, "x"), []byte("x"), 0o600)
	if _, err := backup.Restore(ctx, archive, backup.RestoreOptions{DataDir: busy}); err == nil {
		t.Fatal("restore into a non-empty directory accepted")
	}
}

func TestRotate(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	base := time.Date(2026, 1, 1, 3, 0, 0, 0, time.UTC)
	for i := range 5 {
		os.WriteFile(filepath.Join(dir, backup.FileName(base.AddDate(0, 0, i), "scheduled")), nil, 0o600)
	}
	os.WriteFile(filepath.Join(dir, "notes.txt"), nil, 0o600)
	os.WriteFile(filepath.Join(dir, backup.FileName(base.AddDate(-1, 0, 0), "before-schema-31")), nil, 0o600)
	removed, err := backup.Rotate(dir, 2, "scheduled")
	if err != nil || len(removed) != 3 || removed[0] != backup.FileName(base, "scheduled") {
		t.Fatalf("removed %v, %v", removed, err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 4 {
		t.Fatalf("left %d entries", len(entries))
	}
}

// TestBackupPostgres drives pg_dump and pg_restore on a schema of its own.
func TestBackupPostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	u := storetest.PostgresURL(t)
	db, err := store.Open(ctx, store.Options{URL: u, Keys: storetest.Keyring(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	f := newFixture(t, db, dir)
	archive := filepath.Join(t.TempDir(), "pg.tar")
	_, err = backup.WriteFile(ctx, archive, backup.Options{DB: db, DataDir: dir})
	if errors.Is(err, backup.ErrNoPGDump) {
		t.Skip(err)
	}
	if err != nil {
		t.Fatal(err)
	}
	// A change after the backup disappears on restore.
	if err := db.CreateInstitution(ctx, &passerelle.Institution{OrgID: f.inst.OrgID, Name: "Après", TimeZone: "Europe/Paris", Kind: "museum"}); err != nil {
		t.Fatal(err)
	}
	m, err := backup.Restore(ctx, archive, backup.RestoreOptions{DataDir: filepath.Join(t.TempDir(), "r"), DatabaseURL: u})
	if err != nil {
		t.Fatal(err)
	}
	if m.Engine != "postgres" {
		t.Fatalf("engine %q", m.Engine)
	}
	list, err := db.Institutions(ctx, store.InstitutionFilter{OrgID: f.inst.OrgID})
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 1 || list[0].Name != "Musée" {
		t.Fatalf("after restore: %d institutions", len(list))
	}
}

// TestScheduledBackup: the worker writes a backup once an interval has passed since
// the schema was created or the last backup, and keeps the newest Keep.
func TestScheduledBackup(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	db := openSQLite(t, dir)
	newFixture(t, db, dir)
	now := time.Now()
	out := filepath.Join(dir, "backups")
	w := &backup.Worker{Options: backup.Options{DB: db, DataDir: dir, Now: func() time.Time { return now }}, Dir: out, Interval: 24 * time.Hour, Keep: 2}
	count := func() int {
		entries, _ := os.ReadDir(out)
		return len(entries)
	}
	steps := []struct {
		advance time.Duration
		want    int
	}{{0, 0}, {25 * time.Hour, 1}, {time.Hour, 1}, {24 * time.Hour, 2}, {24 * time.Hour, 2}}
	for i, s := range steps {
		now = now.Add(s.advance)
		if err := w.Work(ctx, &river.Job[backup.JobArgs]{}); err != nil {
			t.Fatal(err)
		}
		if got := count(); got != s.want {
			t.Fatalf("step %d: %d backups, want %d", i, got, s.want)
		}
	}
}

// TestScheduledBackupToBucket: with a Remote, the scheduled backups go to the bucket
// (nothing stays on the disk), are rotated there, and one restores from a download
// with its media put back into a bucket store.
func TestScheduledBackupToBucket(t *testing.T) {
	t.Parallel()
	opts := mediatest.S3Options(t)
	ctx := context.Background()
	dir := t.TempDir()
	db := openSQLite(t, dir)
	f := newFixture(t, db, dir)
	remote, err := backup.NewRemote(ctx, opts, opts.Bucket, opts.Prefix+"/backups")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := backup.NewRemote(ctx, opts, "no-such-bucket-"+strings.ToLower(opts.Prefix), ""); err == nil {
		t.Fatal("a missing bucket was accepted")
	}
	now := time.Now()
	local := filepath.Join(dir, "backups")
	w := &backup.Worker{Options: backup.Options{DB: db, DataDir: dir, Now: func() time.Time { return now }}, Dir: local, Interval: 24 * time.Hour, Keep: 2, Remote: remote}
	for i, s := range []struct {
		advance time.Duration
		want    int
	}{{0, 0}, {25 * time.Hour, 1}, {time.Hour, 1}, {24 * time.Hour, 2}, {24 * time.Hour, 2}} {
		now = now.Add(s.advance)
		if err := w.Work(ctx, &river.Job[backup.JobArgs]{}); err != nil {
			t.Fatal(err)
		}
		names, err := remote.Names(ctx, backup.ScheduledLabel)
		if err != nil || len(names) != s.want {
			t.Fatalf("step %d: %v %v, want %d backups in the bucket", i, names, err, s.want)
		}
		if entries, _ := os.ReadDir(local); len(entries) != 0 {
			t.Fatalf("step %d: %s left on the disk", i, entries[0].Name())
		}
	}
	names, _ := remote.Names(ctx, backup.ScheduledLabel)
	file := filepath.Join(t.TempDir(), "download.tar")
	if err := remote.Download(ctx, names[len(names)-1], file); err != nil {
		t.Fatal(err)
	}
	if err := remote.Download(ctx, "passerelle-none.tar", filepath.Join(t.TempDir(), "x")); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("missing archive: %v", err)
	}
	opts.Prefix += "/media"
	bucket, err := media.NewS3Store(opts)
	if err != nil {
		t.Fatal(err)
	}
	target := filepath.Join(t.TempDir(), "restored")
	if _, err := backup.Restore(ctx, file, backup.RestoreOptions{DataDir: target, Media: bucket}); err != nil {
		t.Fatal(err)
	}
	for _, key := range f.keys {
		r, err := bucket.Open(ctx, key)
		if err != nil {
			t.Fatalf("media %s not restored into the bucket: %v", key, err)
		}
		r.Close()
	}
	if _, err := os.Stat(filepath.Join(target, "media")); !os.IsNotExist(err) {
		t.Fatalf("media written to the disk too: %v", err)
	}
}

func TestParseS3URL(t *testing.T) {
	for _, c := range []struct {
		in, bucket, key string
		ok              bool
	}{
		{"s3://b/a/x.tar", "b", "a/x.tar", true},
		{"s3://b/a/", "b", "a/", true},
		{"s3://b", "b", "", true},
		{"s3://b/a//x.tar", "", "", false},
		{"s3://b/../x.tar", "", "", false},
		{"s3://k:s@b/x.tar", "", "", false},
		{"s3://b/x.tar?x=1", "", "", false},
		{"https://b/x.tar", "", "", false},
		{"s3:///x.tar", "", "", false},
	} {
		b, k, err := backup.ParseS3URL(c.in)
		if (err == nil) != c.ok || b != c.bucket || k != c.key {
			t.Errorf("%s: %q %q %v", c.in, b, k, err)
		}
	}
}
