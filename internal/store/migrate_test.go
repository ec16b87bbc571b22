package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestFailedMigrationChangesNothing: a run of pending migrations whose last one fails
// leaves the schema and the data as they were, on both engines.
func TestFailedMigrationChangesNothing(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		before, err := db.SchemaVersion(ctx)
		if err != nil || before == 0 {
			t.Fatalf("schema version %d, %v", before, err)
		}
		setupOrg(t, db)
		db.AddMigration(9001, "creates", `CREATE TABLE upgrade_probe (x INTEGER); INSERT INTO upgrade_probe VALUES (1); UPDATE organizations SET name = 'changed'`)
		db.AddMigration(9002, "fails", `INSERT INTO no_such_table VALUES (1)`)
		var called [2]int
		err = db.MigrateWith(ctx, store.MigrateOptions{BeforeChange: func(ctx context.Context, from, to int) error {
			called = [2]int{from, to}
			return nil
		}})
		if err == nil || !strings.Contains(err.Error(), "0002_fails") && !strings.Contains(err.Error(), "9002_fails") {
			t.Fatalf("failing migration: %v", err)
		}
		if called != [2]int{before, 9002} {
			t.Errorf("BeforeChange called with %v, want [%d 9002]", called, before)
		}
		if after, _ := db.SchemaVersion(ctx); after != before {
			t.Errorf("schema version %d after a failed migration, want %d", after, before)
		}
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM upgrade_probe`).Scan(&n); err == nil {
			t.Error("the table of the first pending migration survived the failure")
		}
		orgs, err := db.Organizations(ctx)
		if err != nil || len(orgs) != 1 || orgs[0].Name != "Agence Pont" {
			t.Errorf("data changed by a failed migration: %v %v", orgs, err)
		}
		// A BeforeChange error (a backup that failed) stops the upgrade.
		err = db.MigrateWith(ctx, store.MigrateOptions{BeforeChange: func(context.Context, int, int) error { return errors.New("disk full") }})
		if err == nil || !strings.Contains(err.Error(), "disk full") {
			t.Fatalf("BeforeChange error: %v", err)
		}
	})
}

// TestOlderBinaryRefusesNewerSchema: a database migrated by a newer binary is refused
// with a clear message and left untouched.
func TestOlderBinaryRefusesNewerSchema(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := db.SQL().ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (99999, 'future', '2030-01-01T00:00:00.000000Z')`); err != nil {
			t.Fatal(err)
		}
		err := db.Migrate(ctx)
		var tooNew *store.SchemaTooNewError
		if !errors.As(err, &tooNew) || tooNew.Database != 99999 || !strings.Contains(err.Error(), "older than the Passerelle that last ran") {
			t.Fatalf("newer schema: %v", err)
		}
		// Nothing pending: no backup is asked for.
		db2calls := 0
		if err := db.MigrateWith(ctx, store.MigrateOptions{BeforeChange: func(context.Context, int, int) error { db2calls++; return nil }}); err == nil || db2calls != 0 {
			t.Fatalf("second attempt: %v, %d backups", err, db2calls)
		}
	})
}
