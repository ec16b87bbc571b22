package store

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/passerelle-oss/passerelle"
)

// AudiencePost is a post already published, with its publications and their readings:
// what the scale-data generator (`passerelle demo generate`) and tests load.
type AudiencePost struct {
	InstitutionID int64
	Title, Theme  string
	PublishedAt   time.Time
	Publications  []AudiencePublication
}

// AudiencePublication is one published publication of an AudiencePost.
type AudiencePublication struct {
	AccountID      int64
	Format         string
	PlatformPostID string
	URL            string
	Snapshots      []*PublicationSnapshot
}

// AudienceLoad is one batch of history.
type AudienceLoad struct {
	Posts     []AudiencePost
	Followers []AccountSnapshot
	Days      []FollowerDay
}

// LoadAudience writes a batch of published history in one transaction, bypassing the
// editorial workflow (the posts are in the past). The ids of the accounts must be of
// the organization.
//
// It is a bulk load: the ids of the new posts and publications are reserved at once,
// the rows go in as multi-row INSERTs on SQLite and COPY on PostgreSQL, and each new
// publication's newest figures are worked out here (by the rule of
// RecordPublicationSnapshots) instead of being upserted reading by reading. Writing
// the same readings or followers twice in a batch keeps the last.
func (db *DB) LoadAudience(ctx context.Context, orgID int64, b AudienceLoad) error {
	now := db.nowUTC()
	accounts := map[int64]bool{}
	nPubs := 0
	for _, p := range b.Posts {
		if !ValidInstant(p.PublishedAt) {
			return ErrInstantRange
		}
		for _, pub := range p.Publications {
			nPubs++
			accounts[pub.AccountID] = true
			for _, s := range pub.Snapshots {
				s.TakenAt = s.TakenAt.UTC().Truncate(time.Microsecond)
				if err := s.Validate(now); err != nil {
					return err
				}
			}
		}
	}
	for _, f := range b.Followers {
		if !ValidInstant(f.TakenAt) {
			return ErrInstantRange
		}
		accounts[f.AccountID] = true
	}
	for _, d := range b.Days {
		if _, err := time.Parse(time.DateOnly, d.Day); err != nil || d.New < 0 || d.Lost < 0 {
			return passerelle.Errorf(passerelle.EINVALID, "A follower day is invalid.")
		}
		accounts[d.AccountID] = true
	}
	load := func(ctx context.Context, bt bulkTx) error {
		if len(accounts) > 0 {
			ids := make([]int64, 0, len(accounts))
			for id := range accounts {
				ids = append(ids, id)
			}
			slices.Sort(ids)
			w := where{}
			w.add("i.org_id = ?", orgID)
			w.in("a.id", ids)
			n, err := bt.count(ctx, `SELECT COUNT(*) FROM accounts a JOIN institutions i ON i.id = a.institution_id`+w.sql(), w.args...)
			if err != nil {
				return err
			}
			if n != len(ids) {
				return passerelle.ErrNotFound
			}
		}
		postIDs, err := bt.reserveIDs(ctx, "posts", len(b.Posts))
		if err != nil {
			return err
		}
		pubIDs, err := bt.reserveIDs(ctx, "publications", nPubs)
		if err != nil {
			return err
		}
		posts := make([][]any, 0, len(b.Posts))
		pubs := make([][]any, 0, nPubs)
		var snaps, figures [][]any
		k := 0
		for i, p := range b.Posts {
			at := p.PublishedAt.UTC().Truncate(time.Microsecond)
			posts = append(posts, []any{postIDs[i], p.InstitutionID, p.Title, p.Theme, "zh", string(passerelle.StatusPublished), 1, at, at})
			for pos, pub := range p.Publications {
				id := pubIDs[k]
				k++
				var ppid any
				if pub.PlatformPostID != "" {
					ppid = pub.PlatformPostID
				}
				pubs = append(pubs, []any{id, postIDs[i], pub.AccountID, pos, pub.Format, "assisted", at, at, at, string(passerelle.DeliveryPublished), at, at, ppid, pub.URL})
				last := map[snapKey]int{}
				for j, s := range pub.Snapshots {
					s.PublicationID = id
					last[snapKey{s.TakenAt, s.Source}] = j
				}
				kept := make([]*PublicationSnapshot, 0, len(pub.Snapshots))
				for j, s := range pub.Snapshots {
					if last[snapKey{s.TakenAt, s.Source}] == j {
						kept = append(kept, s)
						snaps = append(snaps, []any{id, s.TakenAt, s.Source, s.Views, s.Likes, s.Comments, s.Reposts, s.LowerBound, now})
					}
				}
				for _, f := range newestFigures(kept) {
					figures = append(figures, []any{f.pub, f.views, f.viewsAt, f.lower, f.likes, f.likesAt, f.comments, f.commentsAt, f.reposts, f.repostsAt, f.apiAt})
				}
			}
		}
		if err := bt.copy(ctx, "posts", []string{"id", "institution_id", "title", "theme", "source_lang", "status", "version", "created_at", "updated_at"}, posts); err != nil {
			return err
		}
		if err := bt.copy(ctx, "publications", []string{"id", "post_id", "account_id", "position", "format", "mode", "scheduled_at", "created_at", "updated_at", "state", "state_at", "published_at", "platform_post_id", "url"}, pubs); err != nil {
			return err
		}
		if err := bt.copy(ctx, "publication_snapshots", []string{"publication_id", "taken_at", "source", "views", "likes", "comments", "reposts", "lower_bound", "created_at"}, snaps); err != nil {
			return err
		}
		if err := bt.copy(ctx, "publication_figures", []string{"publication_id", "views", "views_at", "views_lower_bound", "likes", "likes_at", "comments", "comments_at", "reposts", "reposts_at", "last_api_at"}, figures); err != nil {
			return err
		}
		var followers, days [][]any
		seenF := map[[2]any]int{}
		for _, f := range b.Followers {
			at := f.TakenAt.UTC().Truncate(time.Microsecond)
			row := []any{f.AccountID, at, f.Followers, "api", "", now}
			if i, ok := seenF[[2]any{f.AccountID, at}]; ok {
				followers[i] = row
				continue
			}
			seenF[[2]any{f.AccountID, at}] = len(followers)
			followers = append(followers, row)
		}
		seenD := map[[2]any]int{}
		for _, d := range b.Days {
			row := []any{d.AccountID, d.Day, d.New, d.Lost, d.Source}
			if i, ok := seenD[[2]any{d.AccountID, d.Day}]; ok {
				days[i] = row
				continue
			}
			seenD[[2]any{d.AccountID, d.Day}] = len(days)
			days = append(days, row)
		}
		if err := bt.upsert(ctx, "account_snapshots", []string{"account_id", "taken_at", "followers", "source", "note", "created_at"}, followers,
			"ON CONFLICT (account_id, taken_at, source) DO UPDATE SET followers = excluded.followers"); err != nil {
			return err
		}
		return bt.upsert(ctx, "follower_days", []string{"account_id", "day", "new_followers", "lost_followers", "source"}, days,
			"ON CONFLICT (account_id, day) DO UPDATE SET new_followers = excluded.new_followers, lost_followers = excluded.lost_followers")
	}
	if db.dialect == Postgres {
		return db.inPgxTx(ctx, func(tx pgx.Tx) error { return load(ctx, pgBulk{db: db, tx: tx}) })
	}
	return db.inTx(ctx, func(tx *Tx) error {
		// A batch touches pages all over the publications' indexes, far more than
		// SQLite's default page cache (2 MB) holds: give the write connection room
		// for the transaction, and its size back after.
		var was int64
		if err := tx.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&was); err != nil {
			return db.mapErr(err)
		}
		if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -65536`); err != nil {
			return db.mapErr(err)
		}
		defer tx.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = `+strconv.FormatInt(was, 10))
		return load(ctx, sqliteBulk{tx: tx})
	})
}

type snapKey struct {
	at     time.Time
	source string
}

// bulkTx is what LoadAudience needs of a transaction on either engine.
type bulkTx interface {
	count(ctx context.Context, query string, args ...any) (int, error)
	// reserveIDs returns n new ids of the table, which the caller inserts explicitly.
	reserveIDs(ctx context.Context, table string, n int) ([]int64, error)
	// copy inserts rows that conflict with nothing.
	copy(ctx context.Context, table string, cols []string, rows [][]any) error
	// upsert inserts rows with an ON CONFLICT clause (no two rows with the same key).
	upsert(ctx context.Context, table string, cols []string, rows [][]any, conflict string) error
}

type sqliteBulk struct{ tx *Tx }

func (b sqliteBulk) count(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := b.tx.q().row(ctx, query, args...).Scan(&n)
	return n, b.tx.db.mapErr(err)
}

// reserveIDs: the write transaction is BEGIN IMMEDIATE, so nobody else inserts until
// it ends.
func (b sqliteBulk) reserveIDs(ctx context.Context, table string, n int) ([]int64, error) {
	var last int64
	if err := b.tx.q().row(ctx, `SELECT COALESCE(MAX(id), 0) FROM `+table).Scan(&last); err != nil {
		return nil, b.tx.db.mapErr(err)
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = last + 1 + int64(i)
	}
	return ids, nil
}

func (b sqliteBulk) copy(ctx context.Context, table string, cols []string, rows [][]any) error {
	return b.upsert(ctx, table, cols, rows, "")
}

// sqliteBatchRows keeps a statement's parameters well under SQLite's limit (32,766).
const sqliteBatchRows = 256

func (b sqliteBulk) upsert(ctx context.Context, table string, cols []string, rows [][]any, conflict string) error {
	row := "(" + strings.Repeat("?, ", len(cols)-1) + "?)"
	var full string
	for len(rows) > 0 {
		n := min(len(rows), sqliteBatchRows)
		query := full
		if n < sqliteBatchRows || query == "" {
			query = "INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES " + strings.Repeat(row+", ", n-1) + row + " " + conflict
			if n == sqliteBatchRows {
				full = query
			}
		}
		args := make([]any, 0, n*len(cols))
		for _, r := range rows[:n] {
			args = append(args, r...)
		}
		if _, err := b.tx.q().exec(ctx, query, args...); err != nil {
			return err
		}
		rows = rows[n:]
	}
	return nil
}

type pgBulk struct {
	db *DB
	tx pgx.Tx
}

func (b pgBulk) count(ctx context.Context, query string, args ...any) (int, error) {
	var n int
	err := b.tx.QueryRow(ctx, b.db.rebind(query), args...).Scan(&n)
	return n, b.db.mapErr(err)
}

func (b pgBulk) reserveIDs(ctx context.Context, table string, n int) ([]int64, error) {
	if n == 0 {
		return nil, nil
	}
	rows, err := b.tx.Query(ctx, `SELECT nextval(pg_get_serial_sequence($1, 'id')) FROM generate_series(1, $2)`, table, n)
	if err != nil {
		return nil, b.db.mapErr(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return nil, b.db.mapErr(err)
	}
	slices.Sort(ids)
	return ids, nil
}

func (b pgBulk) copy(ctx context.Context, table string, cols []string, rows [][]any) error {
	if len(rows) == 0 {
		return nil
	}
	n, err := b.tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromRows(rows))
	if err != nil {
		return b.db.mapErr(err)
	}
	if n != int64(len(rows)) {
		return fmt.Errorf("store: copied %d rows of %d into %s", n, len(rows), table)
	}
	return nil
}

// pgBatchRows keeps a statement's parameters under PostgreSQL's limit (65,535).
const pgBatchRows = 1000

func (b pgBulk) upsert(ctx context.Context, table string, cols []string, rows [][]any, conflict string) error {
	for len(rows) > 0 {
		n := min(len(rows), pgBatchRows)
		var q strings.Builder
		q.WriteString("INSERT INTO " + table + " (" + strings.Join(cols, ", ") + ") VALUES ")
		args := make([]any, 0, n*len(cols))
		for i, r := range rows[:n] {
			if i > 0 {
				q.WriteString(", ")
			}
			q.WriteByte('(')
			for j := range r {
				if j > 0 {
					q.WriteString(", ")
				}
				fmt.Fprintf(&q, "$%d", len(args)+j+1)
			}
			q.WriteByte(')')
			args = append(args, r...)
		}
		q.WriteString(" " + conflict)
		if _, err := b.tx.Exec(ctx, q.String(), args...); err != nil {
			return b.db.mapErr(err)
		}
		rows = rows[n:]
	}
	return nil
}

// inPgxTx runs fn in a transaction on one of the pool's connections as pgx sees it
// (for COPY), committing when fn returns nil.
func (db *DB) inPgxTx(ctx context.Context, fn func(pgx.Tx) error) error {
	conn, err := db.write.Conn(ctx)
	if err != nil {
		return db.mapErr(err)
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		sc, ok := dc.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("store: not a pgx connection: %T", dc)
		}
		tx, err := sc.Conn().Begin(ctx)
		if err != nil {
			return db.mapErr(err)
		}
		defer tx.Rollback(ctx)
		if err := fn(tx); err != nil {
			return err
		}
		return db.mapErr(tx.Commit(ctx))
	})
}

// AnalyzeAfterLoad vacuums and analyzes the loaded tables on PostgreSQL after a bulk
// load, as autovacuum would in time: the planner otherwise guesses one row per range,
// and index-only scans visit the heap until the visibility map is set. SQLite keeps no
// statistics unless asked, so nothing is done there.
//
// The sums that triggers keep (analytics_days and the others below) are rewritten
// compactly (VACUUM FULL): a bulk load updates each of their rows thousands of times
// within minutes, far faster than any vacuum reclaims, and left them 2 to 25 times
// their size (analytics_months: 371 MB for 16 MB of rows on the scale dataset), which
// every read of them then walked through. A live installation's updates are spread over
// years, under autovacuum.
func (db *DB) AnalyzeAfterLoad(ctx context.Context) error {
	if db.dialect != Postgres {
		return nil
	}
	sums := map[string]bool{"publication_figures": true, "analytics_days": true, "analytics_months": true, "analytics_org_days": true, "analytics_org_followers": true, "follower_months": true}
	for _, t := range []string{"organizations", "institutions", "accounts", "posts", "publications", "publication_snapshots", "publication_figures", "analytics_days", "analytics_months", "analytics_org_days", "account_snapshots", "follower_days", "analytics_org_followers", "follower_months"} {
		vacuum := `VACUUM (ANALYZE) `
		if sums[t] {
			vacuum = `VACUUM (FULL, ANALYZE) `
		}
		if _, err := db.write.ExecContext(ctx, vacuum+t); err != nil {
			return db.mapErr(err)
		}
	}
	return nil
}
