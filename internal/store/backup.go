package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"modernc.org/sqlite"
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

// CopyMediaRefs lists the media files that the SQLite database copy at path refers to
// (MediaRefs of a copy SnapshotSQLite made). The copy is opened read-only and
// immutable: nothing is written to it or beside it, not even a lock or a WAL.
func CopyMediaRefs(ctx context.Context, path string) ([]MediaRef, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	raw, err := sql.Open("sqlite", fileURI(abs, "mode=ro&immutable=1"))
	if err != nil {
		return nil, err
	}
	cp := &DB{dialect: SQLite, read: raw, write: raw, now: time.Now, logger: slog.New(slog.DiscardHandler), path: abs}
	defer cp.Close()
	refs, err := cp.MediaRefs(ctx)
	if err != nil {
		return nil, fmt.Errorf("store: read the copy: %w", err)
	}
	return refs, nil
}

// fileURI is the SQLite URI of the file at the absolute path abs, with query.
func fileURI(abs, query string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // file:///C:/...
	}
	return (&url.URL{Scheme: "file", Path: p, RawQuery: query}).String()
}

func scanMediaRef(s interface{ Scan(...any) error }) (MediaRef, error) {
	var m MediaRef
	return m, s.Scan(&m.Key, &m.Bytes)
}

// SnapshotPages is how many database pages SnapshotSQLite copies between two calls of
// its progress function (256 KB with SQLite's default 4 KB pages).
const SnapshotPages = 64

// SnapshotSQLite writes a consistent copy of the SQLite database to path with SQLite's
// online backup API: it copies the database's pages as they are (no b-tree is rebuilt,
// unlike VACUUM INTO), inside one read transaction on a connection of its own, so the
// server's writer keeps committing while the copy is made and the copy is the database
// as of the transaction's start. path must not exist.
//
// progress, if not nil, is called after every step of SnapshotPages pages with the bytes
// that step copied: it may sleep to pace the copy. The copy is not made durable (no fsync):
// it is a work file, read back at once.
func (db *DB) SnapshotSQLite(ctx context.Context, path string, progress func(bytes int64)) error {
	if db.dialect != SQLite {
		return errors.New("store: snapshot: not a SQLite database")
	}
	if _, err := os.Stat(path); err == nil {
		return fmt.Errorf("store: snapshot: %s already exists", path)
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("store: snapshot: %w", err)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	src, err := sql.Open("sqlite", "file:"+db.path+"?"+q.Encode())
	if err != nil {
		return err
	}
	defer src.Close()
	err = snapshotSQLite(ctx, src, abs, progress)
	if err != nil {
		os.Remove(abs)
		os.Remove(abs + "-journal")
		return fmt.Errorf("store: snapshot: %w", db.mapErr(err))
	}
	return nil
}

// sqliteBackuper is the part of modernc's driver connection that starts a backup.
type sqliteBackuper interface {
	NewBackup(dstURI string) (*sqlite.Backup, error)
}

func snapshotSQLite(ctx context.Context, src *sql.DB, dst string, progress func(int64)) error {
	conn, err := src.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	// The read transaction the whole copy is made in: its snapshot is taken by the
	// first read. sqlite3_backup_step uses a read transaction open on its source
	// connection and does not end it between steps, so a commit by another connection
	// meanwhile neither enters the copy nor restarts it.
	if _, err := conn.ExecContext(ctx, `BEGIN`); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), `ROLLBACK`)
	var pageSize int64
	if err := conn.QueryRowContext(ctx, `PRAGMA page_size`).Scan(&pageSize); err != nil {
		return err
	}
	if err := conn.QueryRowContext(ctx, `SELECT COUNT(*) FROM sqlite_schema`).Scan(new(int64)); err != nil {
		return err
	}
	// The destination is a work file: no rollback journal, no fsync.
	dstURI := fileURI(dst, "_pragma=journal_mode(OFF)&_pragma=synchronous(OFF)")
	return conn.Raw(func(dc any) error {
		b, ok := dc.(sqliteBackuper)
		if !ok {
			return fmt.Errorf("driver connection %T has no backup API", dc)
		}
		bk, err := b.NewBackup(dstURI)
		if err != nil {
			return err
		}
		var done int64
		for {
			more, err := bk.Step(SnapshotPages)
			if err != nil {
				bk.Finish()
				return err
			}
			now := int64(bk.PageCount())
			if more {
				now -= int64(bk.Remaining())
			}
			if progress != nil && now > done {
				progress((now - done) * pageSize)
			}
			done = now
			if !more {
				break
			}
			if err := ctx.Err(); err != nil {
				bk.Finish()
				return err
			}
		}
		return bk.Finish()
	})
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
