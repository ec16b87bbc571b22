package storetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// Rebind writes a query's ? placeholders as the engine expects them ($1, $2… on
// PostgreSQL), for tests that write rows behind the store's back.
func Rebind(db *store.DB, query string) string {
	if db.Dialect() == store.Postgres {
		for i := 1; strings.Contains(query, "?"); i++ {
			query = strings.Replace(query, "?", fmt.Sprintf("$%d", i), 1)
		}
	}
	return query
}

// Exec runs a raw statement (Rebind's placeholders) and fails the test on error; an
// instant is written as the store writes it on SQLite (text).
func Exec(t testing.TB, db *store.DB, query string, args ...any) {
	t.Helper()
	for i, a := range args {
		if at, ok := a.(time.Time); ok && db.Dialect() == store.SQLite {
			args[i] = at.UTC().Format("2006-01-02T15:04:05.000000Z")
		}
	}
	if _, err := db.SQL().ExecContext(context.Background(), Rebind(db, query), args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}
