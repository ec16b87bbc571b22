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

// Migrate applies the migrations not yet applied, each in its own transaction. Several
// processes may call it at once: SQLite serialises them with BEGIN IMMEDIATE, PostgreSQL
// with an advisory lock held for the transaction.
func (db *DB) Migrate(ctx context.Context) error {
	ms, err := db.migrations()
	if err != nil {
		return err
	}
	create := `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`
	if _, err := db.write.ExecContext(ctx, create); err != nil {
		return fmt.Errorf("store: migrate: %w", err)
	}
	for _, m := range ms {
		err := db.inTx(ctx, func(tx *Tx) error {
			if db.dialect == Postgres {
				if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(7201505)`); err != nil {
					return err
				}
			}
			var n int
			if err := tx.q().row(ctx, `SELECT COUNT(*) FROM schema_migrations WHERE version = ?`, m.version).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
			if _, err := tx.ExecContext(ctx, m.sql); err != nil {
				return fmt.Errorf("migration %04d_%s: %w", m.version, m.name, err)
			}
			_, err := tx.q().exec(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`, m.version, m.name, db.nowUTC().Format(timeLayout))
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migrate: %w", err)
		}
	}
	return nil
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
