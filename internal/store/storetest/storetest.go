// Package storetest opens real, migrated, throw-away databases for tests: a SQLite
// file in a temporary directory, and a PostgreSQL schema of its own per test when
// PASSERELLE_TEST_POSTGRES_URL is set.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/secret"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// PostgresEnv names the variable that turns the PostgreSQL suite on.
const PostgresEnv = "PASSERELLE_TEST_POSTGRES_URL"

// Keyring returns a fresh keyring for tests.
func Keyring(t testing.TB) *secret.Keyring {
	t.Helper()
	k, err := secret.NewKeyring(map[int][]byte{1: secret.NewKey()})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// SQLite opens a migrated SQLite store in a temporary directory: a copy of a database
// migrated once per test binary (migrating costs 50 ms, and 2 s under -race, where a
// test suite opens hundreds).
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return SQLiteWith(t, "store", (*store.DB).Migrate)
}

// SQLiteWith is SQLite for a database on which migrate has also run more (the job
// queue's tables): name names what migrate does, the same for every call.
func SQLiteWith(t testing.TB, name string, migrate func(*store.DB, context.Context) error) *store.DB {
	t.Helper()
	dir := t.TempDir()
	if err := CopyMigrated(dir, name, migrate); err != nil {
		t.Fatal(err)
	}
	return open(t, store.Options{DataDir: dir, Keys: Keyring(t)})
}

// migrated holds, per name, a freshly migrated SQLite database file's bytes.
var migrated sync.Map // string → *template

type template struct {
	once  sync.Once
	bytes []byte
	err   error
}

// CopyMigrated writes into dir a SQLite database on which migrate has run: the same
// bytes for every call with that name, made by the first in a directory of its own
// that is then removed. Its write-ahead log is checkpointed, and it holds nothing
// sealed, so any keyring opens it.
func CopyMigrated(dir, name string, migrate func(*store.DB, context.Context) error) error {
	v, _ := migrated.LoadOrStore(name, &template{})
	tpl := v.(*template)
	tpl.once.Do(func() { tpl.bytes, tpl.err = makeMigrated(migrate) })
	if tpl.err != nil {
		return tpl.err
	}
	return os.WriteFile(filepath.Join(dir, store.SQLiteFile), tpl.bytes, 0o600)
}

func makeMigrated(migrate func(*store.DB, context.Context) error) ([]byte, error) {
	dir, err := os.MkdirTemp("", "passerelle-migrated-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	keys, err := secret.NewKeyring(map[int][]byte{1: secret.NewKey()})
	if err != nil {
		return nil, err
	}
	ctx := context.Background()
	db, err := store.Open(ctx, store.Options{DataDir: dir, Keys: keys})
	if err != nil {
		return nil, err
	}
	if err := migrate(db, ctx); err != nil {
		db.Close()
		return nil, err
	}
	// Closing the last connection checkpoints the write-ahead log into the file.
	if err := db.Close(); err != nil {
		return nil, err
	}
	if _, err := os.Stat(filepath.Join(dir, store.SQLiteFile+"-wal")); err == nil {
		return nil, fmt.Errorf("storetest: %s-wal left after closing the template", store.SQLiteFile)
	}
	return os.ReadFile(filepath.Join(dir, store.SQLiteFile))
}

// PostgresURL creates a schema of its own for the test and returns a URL whose
// search_path selects it; the schema is dropped when the test ends. The test is skipped
// when PASSERELLE_TEST_POSTGRES_URL is not set.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv(PostgresEnv)
	if base == "" {
		t.Skipf("PostgreSQL suite off: set %s (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)", PostgresEnv)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	qv := u.Query()
	qv.Set("search_path", schema)
	u.RawQuery = qv.Encode()
	return u.String()
}

// Postgres opens a migrated PostgreSQL store in a schema of its own.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	return open(t, store.Options{URL: PostgresURL(t), Keys: Keyring(t)})
}

func open(t testing.TB, o store.Options) *store.DB {
	t.Helper()
	ctx := context.Background()
	db, err := store.Open(ctx, o)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return db
}

// Engines runs fn once per engine as subtests "sqlite" and "postgres".
func Engines(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) {
		t.Parallel()
		fn(t, SQLite(t))
	})
	t.Run("postgres", func(t *testing.T) {
		t.Parallel()
		fn(t, Postgres(t))
	})
}
