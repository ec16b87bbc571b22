// Package store keeps Passerelle's data in SQL: SQLite (the embedded default) or
// PostgreSQL, with one implementation for both. Queries are plain SQL written with ?
// placeholders and rebound for PostgreSQL; driver errors become domain errors here and
// nowhere else. Each store method owns its transaction.
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
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/secret"
)

// Dialect names the SQL engine.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is the store. It is safe for concurrent use.
type DB struct {
	dialect Dialect
	// write takes every write. On SQLite it holds one connection whose transactions
	// begin IMMEDIATE, so writers queue instead of failing with SQLITE_BUSY.
	write *sql.DB
	// read serves reads; on PostgreSQL it is the same pool as write.
	read   *sql.DB
	keys   *secret.Keyring
	now    func() time.Time
	logger *slog.Logger
	stmts  stmtCache
	// postHook runs at the end of every post write's transaction (SetPostHook).
	postHook PostHook
	// tokenUses holds, per API token id, when this process last recorded its use
	// (APITokenUser).
	tokenUses sync.Map
	// after counts the writes that run after the request that asked for them
	// (background); Close waits for them.
	afterMu     sync.Mutex
	afterClosed bool
	after       sync.WaitGroup
	// path is the SQLite file; empty on PostgreSQL.
	path string
	// url is the PostgreSQL URL; empty on SQLite.
	url string
	// AuditActor names the user acting in ctx (the signed-in user of a request) for audit
	// entries that do not name one; set once at start.
	AuditActor func(ctx context.Context) int64
	// extraMigrations are appended to the embedded ones (tests only).
	extraMigrations []migration
}

// PostHook is called at the end of the transaction of every post update with copies of
// the publications as they were loaded and the post as saved: the publishing engine
// keeps deliveries and their jobs in step with the post in the same transaction.
type PostHook func(ctx context.Context, tx *Tx, before []passerelle.Publication, after *passerelle.Post) error

// SetPostHook installs the hook; call it once while wiring, before serving.
func (db *DB) SetPostHook(h PostHook) { db.postHook = h }

// Options configure Open.
type Options struct {
	// URL is a postgres:// URL, or empty for SQLite in DataDir.
	URL string
	// DataDir holds passerelle.db when URL is empty.
	DataDir string
	Keys    *secret.Keyring
	Logger  *slog.Logger
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Open connects to the database. It does not migrate: call Migrate.
func Open(ctx context.Context, o Options) (*DB, error) {
	db := &DB{keys: o.Keys, now: o.Now, logger: o.Logger}
	if db.now == nil {
		db.now = time.Now
	}
	if db.logger == nil {
		db.logger = slog.New(slog.DiscardHandler)
	}
	var err error
	switch {
	case o.URL == "":
		db.dialect = SQLite
		err = db.openSQLite(o.DataDir)
	case strings.HasPrefix(o.URL, "postgres://"), strings.HasPrefix(o.URL, "postgresql://"):
		db.dialect = Postgres
		err = db.openPostgres(o.URL)
	default:
		return nil, fmt.Errorf("store: unsupported database URL scheme (use postgres://)")
	}
	if err != nil {
		return nil, err
	}
	if err := db.read.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("store: ping: %w", err)
	}
	return db, nil
}

// SQLiteFile is the SQLite database's file name in the data directory.
const SQLiteFile = "passerelle.db"

func (db *DB) openSQLite(dir string) error {
	if dir == "" {
		return errors.New("store: no data directory")
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return fmt.Errorf("store: create data directory: %w", err)
	}
	path := filepath.Join(dir, SQLiteFile)
	q := url.Values{}
	for _, p := range []string{
		"journal_mode(WAL)",
		"busy_timeout(10000)",
		"foreign_keys(ON)",
		// A lost "published" mark means a duplicate post: pay for FULL.
		"synchronous(FULL)",
	} {
		q.Add("_pragma", p)
	}
	common := q.Encode()
	write, err := sql.Open("sqlite", "file:"+path+"?"+common+"&_txlock=immediate")
	if err != nil {
		return err
	}
	write.SetMaxOpenConns(1)
	write.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite", "file:"+path+"?"+common+"&_pragma=query_only(ON)")
	if err != nil {
		write.Close()
		return err
	}
	read.SetMaxOpenConns(8)
	read.SetMaxIdleConns(8)
	db.write, db.read, db.path = write, read, path
	return nil
}

func (db *DB) openPostgres(u string) error {
	cfg, err := pgx.ParseConfig(u)
	if err != nil {
		return err
	}
	// Every statement planned for its own parameters. pgx prepares and caches the
	// statements, and after five executions PostgreSQL may switch a prepared statement
	// to a generic plan, chosen without the parameters: an analytics query whose cost
	// depends on them (an organization's year or an institution's week) then kept a
	// plan made for neither. Seen on the scale dataset: the ranking of an
	// organization's year went from 0.04 s to 2.3 s after the switch. Planning anew
	// costs well under a millisecond. A plan_cache_mode given in the URL is kept.
	if _, ok := cfg.RuntimeParams["plan_cache_mode"]; !ok {
		cfg.RuntimeParams["plan_cache_mode"] = "force_custom_plan"
	}
	// No parallel workers: Passerelle's statements follow indexes and are waited for
	// by a person, and a page makes several at once; a worker is a process started
	// for one statement. On the scale dataset (2 processors), an organization's pages
	// went from p95 182-310 ms with PostgreSQL's default (2 workers per gather) to
	// 124-196 ms without, side by side in the same runs. A value given in the URL is
	// kept.
	if _, ok := cfg.RuntimeParams["max_parallel_workers_per_gather"]; !ok {
		cfg.RuntimeParams["max_parallel_workers_per_gather"] = "0"
	}
	pool := stdlib.OpenDB(*cfg)
	pool.SetMaxOpenConns(20)
	// As many kept as opened: a summary reads a dozen things at once (internal/analytics),
	// and a connection closed after each page was opened again for the next, its
	// prepared statements with it (an institution's page went from 20 to 40 ms).
	pool.SetMaxIdleConns(20)
	// Kept an hour when idle: a PostgreSQL backend's first statements are slow, each
	// page of the shared buffers it touches for the first time being mapped into its
	// process (without huge pages) and its catalog caches filled. On the scale
	// dataset the same organization month took 357, 239, 167 ms on the first three
	// pages served by five new connections, then 60-100 ms: a pool emptied after five
	// idle minutes made every visit of a quiet afternoon a first one.
	pool.SetConnMaxIdleTime(time.Hour)
	db.write, db.read, db.url = pool, pool, u
	return nil
}

// Close closes the connections.
func (db *DB) Close() error {
	db.afterMu.Lock()
	db.afterClosed = true
	db.afterMu.Unlock()
	db.after.Wait()
	db.stmts.close()
	err := db.write.Close()
	if db.read != db.write {
		err = errors.Join(err, db.read.Close())
	}
	return err
}

// background runs write on a goroutine of its own, so that the request that asked for
// it does not wait for it (nor for its fsync, which a disk busy with a backup makes
// take hundreds of milliseconds); Close waits for it. For bookkeeping that a request
// need not wait for: a failure is logged.
func (db *DB) background(what string, write func(ctx context.Context) error) {
	db.afterMu.Lock()
	defer db.afterMu.Unlock()
	if db.afterClosed {
		return
	}
	db.after.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := write(ctx); err != nil {
			db.logger.Warn("store: "+what, slog.Any("err", err))
		}
	})
}

// Dialect reports the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// SQL returns the write pool, for components (the job queue) that need the raw handle.
func (db *DB) SQL() *sql.DB { return db.write }

// ReadSQL returns the read pool.
func (db *DB) ReadSQL() *sql.DB { return db.read }

// Stats reports the pools' statistics for /metrics.
func (db *DB) Stats() (write, read sql.DBStats) { return db.write.Stats(), db.read.Stats() }

// Ping checks that the database answers.
func (db *DB) Ping(ctx context.Context) error { return db.read.PingContext(ctx) }

// Tx is a write transaction with the dialect's rebinding. Tx.Tx is the raw transaction
// for a job insert in the same transaction.
type Tx struct {
	*sql.Tx
	db *DB
	// stmts are the cached statements bound to this transaction, by query (guarded by
	// mu: a sql.Tx may be shared by goroutines).
	mu    sync.Mutex
	stmts map[string]*sql.Stmt
}

// q is what both a Tx and the read pool offer; the methods rebind and convert args.
type q struct {
	db *DB
	// tx is the write transaction run is, nil on a pool.
	tx  *Tx
	run interface {
		ExecContext(context.Context, string, ...any) (sql.Result, error)
		QueryContext(context.Context, string, ...any) (*sql.Rows, error)
		QueryRowContext(context.Context, string, ...any) *sql.Row
	}
}

func (x q) exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := checkInstants(args); err != nil {
		return nil, err
	}
	query, args = x.db.rebind(query), x.db.args(args)
	if st := x.txPrepared(ctx, query); st != nil {
		res, err := st.ExecContext(ctx, args...)
		return res, x.db.mapErr(err)
	}
	res, err := x.run.ExecContext(ctx, query, args...)
	return res, x.db.mapErr(err)
}

func (x q) query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := checkInstants(args); err != nil {
		return nil, err
	}
	query, args = x.db.rebind(query), x.db.args(args)
	if st := x.prepared(ctx, query); st != nil {
		rows, err := st.QueryContext(ctx, args...)
		return rows, x.db.mapErr(err)
	}
	rows, err := x.run.QueryContext(ctx, query, args...)
	return rows, x.db.mapErr(err)
}

// rowResult is a *sql.Row, or the error that kept the query from running.
type rowResult interface {
	Scan(dest ...any) error
	Err() error
}

type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }
func (r errRow) Err() error        { return r.err }

func (x q) row(ctx context.Context, query string, args ...any) rowResult {
	if err := checkInstants(args); err != nil {
		return errRow{err}
	}
	query, args = x.db.rebind(query), x.db.args(args)
	if st := x.txPrepared(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return x.run.QueryRowContext(ctx, query, args...)
}

// insert runs an INSERT … RETURNING id and returns the id.
func (x q) insert(ctx context.Context, query string, args ...any) (int64, error) {
	var id int64
	err := x.row(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, x.db.mapErr(err)
}

func (tx *Tx) q() q { return q{db: tx.db, tx: tx, run: tx.Tx} }

// r is the read side.
func (db *DB) r() q { return q{db: db, run: db.read} }

// inTx runs fn in a write transaction, committing when fn returns nil.
func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return db.mapErr(err)
	}
	tx := &Tx{Tx: sqlTx, db: db}
	defer sqlTx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return db.mapErr(err)
	}
	if db.dialect == SQLite {
		db.stmts.prepareNotedLater(db.write)
	}
	return nil
}

// InTx runs fn in a write transaction; other packages compose store writes with a job
// insert through it.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error { return db.inTx(ctx, fn) }

// rebind turns ? placeholders into $1, $2… for PostgreSQL. Queries never contain a
// literal question mark.
func (db *DB) rebind(query string) string {
	if db.dialect != Postgres || !strings.Contains(query, "?") {
		return query
	}
	var b strings.Builder
	b.Grow(len(query) + 8)
	n := 0
	for i := 0; i < len(query); i++ {
		if query[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(query[i])
	}
	return b.String()
}

// Instants are stored from year 1 to year 9999 on both engines: SQLite's fixed-width
// text holds no more, and PostgreSQL's range differs. A time outside is refused
// before the query runs (EINVALID), so both engines store and read the same instants.
var (
	minInstant = time.Date(1, 1, 1, 0, 0, 0, 0, time.UTC)
	maxInstant = time.Date(9999, 12, 31, 23, 59, 59, 999999999, time.UTC)
)

// ErrInstantRange refuses a time outside what the store keeps.
var ErrInstantRange = passerelle.Errorf(passerelle.EINVALID, "A date is out of range (years 1 to 9999).")

// ValidInstant reports whether t can be stored.
func ValidInstant(t time.Time) bool { return !t.Before(minInstant) && !t.After(maxInstant) }

func checkInstants(args []any) error {
	for _, a := range args {
		switch v := a.(type) {
		case time.Time:
			if !ValidInstant(v) {
				return ErrInstantRange
			}
		case *time.Time:
			if v != nil && !ValidInstant(*v) {
				return ErrInstantRange
			}
		}
	}
	return nil
}

// timeLayout stores instants in SQLite as fixed-width UTC text, so they sort as text.
const timeLayout = "2006-01-02T15:04:05.000000Z"

func (db *DB) args(args []any) []any {
	if db.dialect != SQLite {
		return args
	}
	for i, a := range args {
		switch v := a.(type) {
		case time.Time:
			args[i] = v.UTC().Format(timeLayout)
		case *time.Time:
			if v == nil {
				args[i] = nil
			} else {
				args[i] = v.UTC().Format(timeLayout)
			}
		}
	}
	return args
}

// mapErr turns driver errors into domain errors, once.
func (db *DB) mapErr(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return passerelle.ErrNotFound
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return &passerelle.Error{Code: passerelle.ECONFLICT, Message: "Conflicts with existing data.", Err: err}
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return &passerelle.Error{Code: passerelle.EINVALID, Message: "Refers to something that does not exist.", Err: err}
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return &passerelle.Error{Code: passerelle.EUNAVAILABLE, Message: "The database is busy; try again.", Err: err}
		}
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch pe.Code {
		case "23505":
			return &passerelle.Error{Code: passerelle.ECONFLICT, Message: "Conflicts with existing data.", Err: err}
		case "23503":
			return &passerelle.Error{Code: passerelle.EINVALID, Message: "Refers to something that does not exist.", Err: err}
		case "40001", "40P01":
			return &passerelle.Error{Code: passerelle.EUNAVAILABLE, Message: "The database is busy; try again.", Err: err}
		}
	}
	return err
}

// nullTime scans an instant from either engine (TIMESTAMPTZ or SQLite text).
type nullTime struct {
	T     time.Time
	Valid bool
}

func (n *nullTime) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		n.Valid = false
		return nil
	case time.Time:
		n.T, n.Valid = v.UTC(), true
		return nil
	case string:
		return n.parse(v)
	case []byte:
		return n.parse(string(v))
	}
	return fmt.Errorf("store: cannot scan %T as time", src)
}

func (n *nullTime) parse(s string) error {
	if t, ok := parseUTC(s); ok {
		n.T, n.Valid = t, true
		return nil
	}
	for _, layout := range []string{timeLayout, time.RFC3339Nano, "2006-01-02 15:04:05.999999999-07:00", "2006-01-02 15:04:05"} {
		if t, err := time.Parse(layout, s); err == nil {
			n.T, n.Valid = t.UTC(), true
			return nil
		}
	}
	return fmt.Errorf("store: cannot parse time %q", s)
}

// parseUTC reads timeLayout without time.Parse: every row of every list scans a few
// instants, and this is several times faster.
func parseUTC(s string) (time.Time, bool) {
	// 2006-01-02T15:04:05.000000Z
	if len(s) != 27 || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' || s[16] != ':' || s[19] != '.' || s[26] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	y, ok1 := num(0, 4)
	mo, ok2 := num(5, 7)
	d, ok3 := num(8, 10)
	h, ok4 := num(11, 13)
	mi, ok5 := num(14, 16)
	sec, ok6 := num(17, 19)
	us, ok7 := num(20, 26)
	if !(ok1 && ok2 && ok3 && ok4 && ok5 && ok6 && ok7) || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 59 {
		return time.Time{}, false
	}
	t := time.Date(y, time.Month(mo), d, h, mi, sec, us*1000, time.UTC)
	if t.Day() != d { // 31 February and the like
		return time.Time{}, false
	}
	return t, true
}

// Ptr returns the time or nil.
func (n nullTime) Ptr() *time.Time {
	if !n.Valid {
		return nil
	}
	t := n.T
	return &t
}

func (db *DB) nowUTC() time.Time { return db.now().UTC().Truncate(time.Microsecond) }
