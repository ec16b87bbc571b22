package store

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
)

//go:embed migrations
var migrationFS embed.FS

// migration is one numbered SQL file.
type migration struct {
	version int
	name    string
	sql     string
}

func (db *DB) migrations() ([]migration, error) {
	dir := path.Join("migrations", string(db.dialect))
	entries, err := fs.ReadDir(migrationFS, dir)
	if err != nil {
		return nil, err
	}
	var ms []migration
	for _, e := range entries {
		num, name, ok := strings.Cut(strings.TrimSuffix(e.Name(), ".sql"), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil {
			return nil, fmt.Errorf("store: bad migration file name %s", e.Name())
		}
		body, err := fs.ReadFile(migrationFS, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, migration{version: v, name: name, sql: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].version < ms[j].version })
	return ms, nil
}

// MigrateOptions adjust MigrateWith.
type MigrateOptions struct {
	// BeforeChange is called when migrations are pending on a database that already has
	// a schema, before any is applied, with the current and the target version: the
	// place for a backup. An error stops the upgrade and changes nothing.
	BeforeChange func(ctx context.Context, from, to int) error
}

// SchemaTooNewError is returned when the database was migrated by a newer binary.
type SchemaTooNewError struct {
	Database, Binary int
}

func (e *SchemaTooNewError) Error() string {
	return fmt.Sprintf("the database schema is at version %d but this binary only knows versions up to %d: it is older than the Passerelle that last ran on this database. Run that newer version (or a later one); to go back, restore the backup taken before the upgrade (passerelle restore)", e.Database, e.Binary)
}

// Migrate applies the migrations not yet applied.
func (db *DB) Migrate(ctx context.Context) error { return db.MigrateWith(ctx, MigrateOptions{}) }

// MigrateWith applies the migrations not yet applied, all in one transaction: a failing
// migration leaves the database exactly as it was (both engines have transactional
// DDL). A database whose schema is newer than this binary's is refused untouched.
// Several processes may call it at once: SQLite serialises them with BEGIN IMMEDIATE,
// PostgreSQL with an advisory lock held for the transaction.
func (db *DB) MigrateWith(ctx context.Context, o MigrateOptions) error {
	ms, err := db.migrations()
	if err != nil {
		return err
	}
	ms = append(ms, db.extraMigrations...)
	create := `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`
	if _, err := db.write.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	applied, err := db.appliedVersions(ctx, db.r())
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	known := ms[len(ms)-1].version
	current := 0
	for v := range applied {
		current = max(current, v)
	}
	if current > known {
		return &SchemaTooNewError{Database: current, Binary: known}
	}
	var pending []migration
	for _, m := range ms {
		if !applied[m.version] {
			pending = append(pending, m)
		}
	}
	if len(pending) == 0 {
		return nil
	}
	if len(applied) > 0 && o.BeforeChange != nil {
		if err := o.BeforeChange(ctx, current, known); err != nil {
			return fmt.Errorf("store: migrate: before upgrading from %d to %d: %w", current, known, err)
		}
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		if db.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7201505)`); err != nil {
				return err
			}
		}
		// Another process may have migrated meanwhile.
		applied, err := db.appliedVersions(ctx, tx.q())
		if err != nil {
			return err
		}
		for _, m := range pending {
			if applied[m.version] {
				continue
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %04d_%s: %w (nothing was changed)", m.version, m.name, err)
			}
			if _, err := tx.q().exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, db.nowUTC().Format(timeLayout)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	return nil
}

func (db *DB) appliedVersions(ctx context.Context, x q) (map[int]bool, error) {
	vs, err := queryAll(ctx, db, x, `SELECT version FROM schema_migrations`, nil, func(s interface{ Scan(...any) error }) (int, error) {
		var v int
		return v, s.Scan(&v)
	})
	if err != nil {
		return nil, err
	}
	out := make(map[int]bool, len(vs))
	for _, v := range vs {
		out[v] = true
	}
	return out, nil
}

// MigrationsCurrent reports whether every embedded migration is applied (for /readyz).
func (db *DB) MigrationsCurrent(ctx context.Context) (bool, error) {
	ms, err := db.migrations()
	if err != nil {
		return false, err
	}
	applied, err := queryAll(ctx, db, db.r(), `SELECT version FROM schema_migrations`, nil, func(s interface{ Scan(...any) error }) (int, error) {
		var v int
		return v, s.Scan(&v)
	})
	if err != nil {
		return false, err
	}
	done := map[int]bool{}
	for _, v := range applied {
		done[v] = true
	}
	for _, m := range ms {
		if !done[m.version] {
			return false, nil
		}
	}
	return true, nil
}
