package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"time"
)

// MediaRef is a media file the database refers to: its content key and its size.
type MediaRef struct {
	Key   string
	Bytes int64
}

const mediaRefsQuery = `SELECT storage_key, MAX(bytes) FROM (
	SELECT storage_key, bytes FROM media_assets UNION ALL SELECT storage_key, bytes FROM media_renditions
) k GROUP BY storage_key ORDER BY storage_key`

// MediaRefs lists every media file the database refers to (assets and renditions).
func (db *DB) MediaRefs(ctx context.Context) ([]MediaRef, error) {
	return queryAll(ctx, db, db.r(), mediaRefsQuery, nil, scanMediaRef)
}

func scanMediaRef(s interface{ Scan(...any) error }) (MediaRef, error) {
	var m MediaRef
	return m, s.Scan(&m.Key, &m.Bytes)
}

// SnapshotSQLite writes a consistent copy of the SQLite database to path with VACUUM
// INTO. It reads inside one transaction on a connection of its own, so the server's
// writer keeps committing while the copy is made; path must not exist.
func (db *DB) SnapshotSQLite(ctx context.Context, path string) error {
	if db.dialect != SQLite {
		return errors.New("store: snapshot: not a SQLite database")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: snapshot: %s already exists", path)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	conn, err := sql.Open("sqlite", "file:"+db.path+"?"+q.Encode())
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		os.Remove(path)
		return fmt.Errorf("store: snapshot: %w", db.mapErr(err))
	}
	return nil
}

// SQLitePath is the database file, empty on PostgreSQL.
func (db *DB) SQLitePath() string { return db.path }

// PostgresURL is the connection URL, empty on SQLite.
func (db *DB) PostgresURL() string { return db.url }

// ExportSnapshot opens a read-only REPEATABLE READ transaction on PostgreSQL, exports
// its snapshot and calls fn with the snapshot's id (for pg_dump --snapshot) and the media
// the database refers to in that same snapshot.
func (db *DB) ExportSnapshot(ctx context.Context, fn func(snapshot string, media []MediaRef) error) error {
	if db.dialect != Postgres {
		return errors.New("store: export snapshot: not a PostgreSQL database")
	}
	tx, err := db.write.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		return db.mapErr(err)
	}
	defer tx.Rollback()
	var id string
	if err := tx.QueryRowContext(ctx, `SELECT pg_export_snapshot()`).Scan(&id); err != nil {
		return db.mapErr(err)
	}
	refs, err := queryAll(ctx, db, q{db: db, run: tx}, mediaRefsQuery, nil, scanMediaRef)
	if err != nil {
		return err
	}
	if err := fn(id, refs); err != nil {
		return err
	}
	return tx.Commit()
}

// SchemaVersion is the highest migration applied, 0 on an empty database.
func (db *DB) SchemaVersion(ctx context.Context) (int, error) {
	var v sql.NullInt64
	err := db.r().row(ctx, `SELECT MAX(version) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, db.mapErr(err)
	}
	return int(v.Int64), nil
}

// SchemaCreatedAt is when the first migration was applied.
func (db *DB) SchemaCreatedAt(ctx context.Context) (time.Time, error) {
	var t nullTime
	if err := db.r().row(ctx, `SELECT MIN(applied_at) FROM schema_migrations`).Scan(&t); err != nil {
		return time.Time{}, db.mapErr(err)
	}
	return t.T, nil
}
