// Package storetest opens real, migrated, throw-away databases for tests: a SQLite
// file in a temporary directory, and a PostgreSQL schema of its own per test when
// PASSERELLE_TEST_POSTGRES_URL is set.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
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

// SQLite opens a migrated SQLite store in a temporary directory.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	return open(t, store.Options{DataDir: t.TempDir(), Keys: Keyring(t)})
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
