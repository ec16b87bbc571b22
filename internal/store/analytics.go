package store

import (
	"context"
	"database/sql"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/passerelle-oss/passerelle"
)

// Sources of a publication's readings.
const (
	PubSourceAPI    = "api"
	PubSourceImport = "import"
	PubSourceManual = "manual"
)

// PublicationSnapshot is one reading of a publication's figures at an instant: every
// figure is a cumulative counter as the platform showed it, nil when the source did
// not give it. LowerBound says that Views is "at least" (WeChat's "10万+").
type PublicationSnapshot struct {
	PublicationID int64     `json:"-"`
	TakenAt       time.Time `json:"at"`
	Source        string    `json:"source"`
	Views         *int64    `json:"views"`
	Likes         *int64    `json:"likes"`
	Comments      *int64    `json:"comments"`
	Reposts       *int64    `json:"reposts"`
	LowerBound    bool      `json:"lower_bound"`
}

// maxFigure bounds a figure: more than the population of the planet read no post.
const maxFigure = 10_000_000_000

// Validate reports every invalid field; now bounds TakenAt.
func (s *PublicationSnapshot) Validate(now time.Time) error {
	f := passerelle.FieldErrors{}
	if s.TakenAt.IsZero() {
		f.Add("at", "A date is required.")
	} else if s.TakenAt.After(now.Add(time.Minute)) {
		f.Add("at", "The date is in the future.")
	} else if !ValidInstant(s.TakenAt) {
		f.Add("at", "The date is out of range.")
	}
	n := 0
	for _, m := range []struct {
		name string
		v    *int64
	}{{"views", s.Views}, {"likes", s.Likes}, {"comments", s.Comments}, {"reposts", s.Reposts}} {
		if m.v == nil {
			continue
		}
		n++
		if *m.v < 0 {
			f.Add(m.name, "Cannot be negative.")
		} else if *m.v > maxFigure {
			f.Add(m.name, "Too large to be true.")
		}
	}
	if n == 0 {
		f.Add("views", "Give at least one figure.")
	}
	if s.LowerBound && s.Views == nil {
		f.Add("lower_bound", "Only a number of views can be a lower bound.")
	}
	switch s.Source {
	case PubSourceAPI, PubSourceImport, PubSourceManual:
	default:
		f.Add("source", "Choose api, import or manual.")
	}
	return f.Err()
}

// RecordPublicationSnapshots validates and writes readings of publications of the
// organization, all or nothing. A reading is keyed by publication, instant and
// source: writing the same batch again changes nothing. Each publication's newest
// figure of every kind moves forward only (an old file imported late never rolls a
// figure back), so earlier figures survive any failure of a later collection.
func (db *DB) RecordPublicationSnapshots(ctx context.Context, orgID int64, snaps []*PublicationSnapshot) (int, error) {
	now := db.nowUTC()
	ids := map[int64]bool{}
	for _, s := range snaps {
		s.TakenAt = s.TakenAt.UTC().Truncate(time.Microsecond)
		if err := s.Validate(now); err != nil {
			return 0, err
		}
		ids[s.PublicationID] = true
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := checkPublicationsOfOrg(ctx, tx, orgID, ids); err != nil {
			return err
		}
		w, err := newSnapshotWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		for _, s := range snaps {
			if err := w.write(ctx, s, now); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(snaps), nil
}

func checkPublicationsOfOrg(ctx context.Context, tx *Tx, orgID int64, ids map[int64]bool) error {
	list := make([]int64, 0, len(ids))
	for id := range ids {
		list = append(list, id)
	}
	for len(list) > 0 {
		n := min(len(list), 500)
		w := where{}
		w.add("i.org_id = ?", orgID)
		w.in("p.id", list[:n])
		var found int
		if err := tx.q().row(ctx, `SELECT COUNT(*) FROM publications p JOIN accounts a ON a.id = p.account_id JOIN institutions i ON i.id = a.institution_id`+w.sql(), w.args...).Scan(&found); err != nil {
			return tx.db.mapErr(err)
		}
		if found != n {
			return passerelle.ErrNotFound
		}
		list = list[n:]
	}
	return nil
}

const (
	insertSnapshotSQL = `INSERT INTO publication_snapshots (publication_id, taken_at, source, views, likes, comments, reposts, lower_bound, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (publication_id, taken_at, source) DO UPDATE SET views = excluded.views, likes = excluded.likes,
			comments = excluded.comments, reposts = excluded.reposts, lower_bound = excluded.lower_bound`
	upsertFiguresSQL = `INSERT INTO publication_figures (publication_id, views, views_at, views_lower_bound, likes, likes_at, comments, comments_at, reposts, reposts_at, last_api_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (publication_id) DO UPDATE SET
			views = CASE WHEN ` + newerViews + ` THEN excluded.views ELSE publication_figures.views END,
			views_lower_bound = CASE WHEN ` + newerViews + ` THEN excluded.views_lower_bound ELSE publication_figures.views_lower_bound END,
			views_at = CASE WHEN ` + newerViews + ` THEN excluded.views_at ELSE publication_figures.views_at END,
			likes = CASE WHEN ` + newerLikes + ` THEN excluded.likes ELSE publication_figures.likes END,
			likes_at = CASE WHEN ` + newerLikes + ` THEN excluded.likes_at ELSE publication_figures.likes_at END,
			comments = CASE WHEN ` + newerComments + ` THEN excluded.comments ELSE publication_figures.comments END,
			comments_at = CASE WHEN ` + newerComments + ` THEN excluded.comments_at ELSE publication_figures.comments_at END,
			reposts = CASE WHEN ` + newerReposts + ` THEN excluded.reposts ELSE publication_figures.reposts END,
			reposts_at = CASE WHEN ` + newerReposts + ` THEN excluded.reposts_at ELSE publication_figures.reposts_at END,
			last_api_at = CASE WHEN ` + newerAPI + ` THEN excluded.last_api_at ELSE publication_figures.last_api_at END`
	newerViews    = "excluded.views_at IS NOT NULL AND (publication_figures.views_at IS NULL OR excluded.views_at >= publication_figures.views_at)"
	newerLikes    = "excluded.likes_at IS NOT NULL AND (publication_figures.likes_at IS NULL OR excluded.likes_at >= publication_figures.likes_at)"
	newerComments = "excluded.comments_at IS NOT NULL AND (publication_figures.comments_at IS NULL OR excluded.comments_at >= publication_figures.comments_at)"
	newerReposts  = "excluded.reposts_at IS NOT NULL AND (publication_figures.reposts_at IS NULL OR excluded.reposts_at >= publication_figures.reposts_at)"
	newerAPI      = "excluded.last_api_at IS NOT NULL AND (publication_figures.last_api_at IS NULL OR excluded.last_api_at >= publication_figures.last_api_at)"
)

// snapshotWriter writes readings in a transaction with its two statements prepared
// once: an import writes tens of thousands.
type snapshotWriter struct {
	tx            *Tx
	snap, figures *sql.Stmt
}

func newSnapshotWriter(ctx context.Context, tx *Tx) (*snapshotWriter, error) {
	w := &snapshotWriter{tx: tx}
	var err error
	if w.snap, err = tx.PrepareContext(ctx, tx.db.rebind(insertSnapshotSQL)); err != nil {
		return nil, tx.db.mapErr(err)
	}
	if w.figures, err = tx.PrepareContext(ctx, tx.db.rebind(upsertFiguresSQL)); err != nil {
		w.snap.Close()
		return nil, tx.db.mapErr(err)
	}
	return w, nil
}

func (w *snapshotWriter) close() {
	w.snap.Close()
	w.figures.Close()
}

func (w *snapshotWriter) write(ctx context.Context, s *PublicationSnapshot, now time.Time) error {
	at := func(v *int64) *time.Time {
		if v == nil {
			return nil
		}
		t := s.TakenAt
		return &t
	}
	var apiAt *time.Time
	if s.Source == PubSourceAPI {
		t := s.TakenAt
		apiAt = &t
	}
	db := w.tx.db
	args := []any{s.PublicationID, s.TakenAt, s.Source, s.Views, s.Likes, s.Comments, s.Reposts, s.LowerBound, now}
	if err := checkInstants(args); err != nil {
		return err
	}
	if _, err := w.snap.ExecContext(ctx, db.args(args)...); err != nil {
		return db.mapErr(err)
	}
	_, err := w.figures.ExecContext(ctx, db.args([]any{s.PublicationID, s.Views, at(s.Views), s.LowerBound && s.Views != nil, s.Likes, at(s.Likes), s.Comments, at(s.Comments), s.Reposts, at(s.Reposts), apiAt})...)
	return db.mapErr(err)
}

// PublicationSnapshots lists a publication's readings, oldest first; not_found when
// the publication is not the organization's.
func (db *DB) PublicationSnapshots(ctx context.Context, orgID, publicationID int64) ([]*PublicationSnapshot, error) {
	var n int
	if err := db.r().row(ctx, `SELECT COUNT(*) FROM publications p JOIN accounts a ON a.id = p.account_id JOIN institutions i ON i.id = a.institution_id WHERE p.id = ? AND i.org_id = ?`, publicationID, orgID).Scan(&n); err != nil {
		return nil, db.mapErr(err)
	}
	if n == 0 {
		return nil, passerelle.ErrNotFound
	}
	return queryAll(ctx, db, db.r(), `SELECT publication_id, taken_at, source, views, likes, comments, reposts, lower_bound
		FROM publication_snapshots WHERE publication_id = ? ORDER BY taken_at, source`, []any{publicationID},
		func(sc interface{ Scan(...any) error }) (*PublicationSnapshot, error) {
			var s PublicationSnapshot
			var at nullTime
			err := sc.Scan(&s.PublicationID, &at, &s.Source, &s.Views, &s.Likes, &s.Comments, &s.Reposts, &s.LowerBound)
			s.TakenAt = at.T
			return &s, err
		})
}

// PublicationInstitution returns the institution of a publication of the organization.
func (db *DB) PublicationInstitution(ctx context.Context, orgID, publicationID int64) (int64, error) {
	var id int64
	err := db.r().row(ctx, `SELECT a.institution_id FROM publications p JOIN accounts a ON a.id = p.account_id JOIN institutions i ON i.id = a.institution_id WHERE p.id = ? AND i.org_id = ?`, publicationID, orgID).Scan(&id)
	return id, db.mapErr(err)
}

// AnalyticsRow is one published publication with its newest figures.
type AnalyticsRow struct {
	PublicationID  int64
	PostID         int64
	InstitutionID  int64
	AccountID      int64
	Platform       passerelle.Platform
	Format         string
	Theme          string
	Title          string
	URL            string
	PlatformPostID string
	PublishedAt    time.Time
	Views          *int64
	LowerBound     bool
	Likes          *int64
	Comments       *int64
	Reposts        *int64
}

// AnalyticsRows lists the publications of the institutions (of the organization)
// published in [from, to), with their newest figures.
func (db *DB) AnalyticsRows(ctx context.Context, orgID int64, institutionIDs []int64, from, to time.Time) ([]AnalyticsRow, error) {
	return db.analyticsRows(ctx, orgID, institutionIDs, from, to, "p.published_at, p.id", 0)
}

// AllInstitutions stands for every institution of the organization, as the
// institutionIDs of AnalyticsRanked, AnalyticsRows, AnalyticsCells, AnalyticsDays,
// AnalyticsTotal and AnalyticsInstitutionTotals: a whole organization's figures
// without the list of its institutions, which the planners would otherwise carry
// through the query (a thousand parameters). It is told apart by identity, never by
// value; anywhere else it matches no institution.
func AllInstitutions() []int64 { return allInstitutions }

var allInstitutions = []int64{0}

func everyInstitution(ids []int64) bool { return len(ids) == 1 && &ids[0] == &allInstitutions[0] }

// interactionsSQL is a publication's interactions from its newest figures.
const interactionsSQL = "(COALESCE(f.likes, 0) + COALESCE(f.comments, 0) + COALESCE(f.reposts, 0))"

// AnalyticsRanked lists the n publications of AnalyticsRows with the most
// interactions (ties: the lowest id first), or with desc false the fewest (ties: the
// highest id first): the top and bottom posts.
func (db *DB) AnalyticsRanked(ctx context.Context, orgID int64, institutionIDs []int64, from, to time.Time, desc bool, n int) ([]AnalyticsRow, error) {
	if n <= 0 {
		return nil, nil
	}
	order := interactionsSQL + " DESC, p.id"
	if !desc {
		order = interactionsSQL + ", p.id DESC"
	}
	// A large scope's period on PostgreSQL (a month of a thousand institutions: tens
	// of thousands of publications to rank, 0.3-0.45 s on the scale dataset) is found
	// from each of its days' first entries (dayWalk, about 5 ms for a month), or from
	// the whole database's first entries (rankedWalk: a scope's top posts, and its
	// bottom posts when the period holds enough of the database's least interacted
	// publications), which costs the same whatever the period's length and is tried
	// first for periods longer than a quarter; failing both, in a walk ten times as
	// long (about 0.1 s). SQLite ranks such a month as fast as it walks (about 0.09 s
	// either way): it walks the whole database's first entries only.
	big := db.dialect == Postgres && (everyInstitution(institutionIDs) || len(institutionIDs) >= bigScope)
	byDays := func() ([]AnalyticsRow, bool, error) { return db.dayWalk(ctx, orgID, institutionIDs, from, to, desc, n) }
	walk := func(walkN int) func() ([]AnalyticsRow, bool, error) {
		return func() ([]AnalyticsRow, bool, error) {
			return db.rankedWalk(ctx, orgID, institutionIDs, from, to, desc, n, walkN)
		}
	}
	tries := []func() ([]AnalyticsRow, bool, error){walk(rankWalk)}
	switch {
	case big && to.Sub(from) <= dayWalkLongest:
		tries = []func() ([]AnalyticsRow, bool, error){byDays, walk(rankWalk), walk(10 * rankWalk)}
	case big:
		tries = append(tries, byDays, walk(10*rankWalk))
	}
	for _, try := range tries {
		if rows, ok, err := try(); err != nil || ok {
			return rows, err
		}
	}
	return db.analyticsRows(ctx, orgID, institutionIDs, from, to, order, n)
}

// dayWalkLongest is the longest period AnalyticsRanked first walks day by day: a
// quarter (beyond, the whole database's walk costs less).
const dayWalkLongest = 92 * 24 * time.Hour

// rankWalk is how many entries of the index publication_figures_interactions
// rankedWalk reads first; on PostgreSQL a scope of bigScope institutions or more tries
// ten times as many before ranking the period.
const (
	rankWalk = 2000
	bigScope = 100
)

// rankedWalk is AnalyticsRanked from the first walkN publications of the whole
// database in the ranking's order (the index of migration 0054), when at least n of
// them are in the scope and the period: every publication it did not read ranks
// after those, so the result is exact. A publication without figures has 0
// interactions and is not in the index: the bottom posts take those from the period
// itself (only on the days that have any, unreadDays). It says false when it cannot answer (a small scope or a short period),
// and AnalyticsRanked then ranks the period's publications.
func (db *DB) rankedWalk(ctx context.Context, orgID int64, institutionIDs []int64, from, to time.Time, desc bool, n, walkN int) ([]AnalyticsRow, bool, error) {
	const x = "(COALESCE(likes, 0) + COALESCE(comments, 0) + COALESCE(reposts, 0))"
	walk, order := x+" DESC, publication_id", interactionsSQL+" DESC, p.id"
	if !desc {
		walk, order = x+", publication_id DESC", interactionsSQL+", p.id DESC"
	}
	// The walk is read first, then its publications by their keys: the cost stays
	// bounded by walkN lookups whatever the scope. Each engine is told so its own
	// way (seen with EXPLAIN on the scale datasets): SQLite by a CROSS JOIN (else it
	// reads the period and looks each publication up in the walk), PostgreSQL by
	// arrays (else it joins the walk to the whole period), where the scope's n first
	// are found before their rows are read (as in dayWalk: the walk's thousands of
	// publications are not joined to their posts and figures).
	candidates := "SELECT publication_id FROM publication_figures ORDER BY " + walk + " LIMIT " + strconv.Itoa(walkN)
	w := analyticsWhere(orgID, institutionIDs, from, to)
	var rows []AnalyticsRow
	var err error
	if db.dialect == Postgres {
		wOrder := "w.x DESC, w.publication_id"
		if !desc {
			wOrder = "w.x, w.publication_id DESC"
		}
		rows, err = db.walkedRows(ctx, `w AS MATERIALIZED (SELECT publication_id, `+x+` AS x FROM publication_figures ORDER BY `+walk+` LIMIT `+strconv.Itoa(walkN)+`)`, nil,
			w, wOrder, order, n, "")
	} else {
		tables := strings.Replace(analyticsFrom, " FROM publications p ", " FROM ("+candidates+") c CROSS JOIN publications p ", 1)
		w.add("p.id = c.publication_id")
		rows, err = db.analyticsRowsFrom(ctx, tables, w, order, n)
	}
	if err != nil || len(rows) < n {
		return nil, false, err
	}
	if desc {
		if interactions(rows[n-1]) == 0 {
			// Publications without figures (in no index) rank among those of no
			// interactions.
			return nil, false, nil
		}
		return rows, true, nil
	}
	return db.withUnread(ctx, orgID, institutionIDs, from, to, rows, n)
}

// walkedRows reads the rows of the scope's n first publications of a walk
// (PostgreSQL): ctes define w (publication_id and x, the walk's entries) and whatever
// else extra reads, with their arguments args; the scope's publications among w are
// found first in wOrder (r), then read by their keys and ranked in order. Each step
// looks the publications up by their keys (arrays): else the planner joins the walk to
// the whole period, or the walk's thousands of publications to their posts and
// figures.
func (db *DB) walkedRows(ctx context.Context, ctes string, args []any, w where, wOrder, order string, n int, extra string, into ...any) ([]AnalyticsRow, error) {
	w.add("p.id = ANY(ARRAY(SELECT w.publication_id FROM w))")
	prefix := `WITH ` + ctes + `,
		r AS (SELECT p.id FROM publications p JOIN accounts a ON a.id = p.account_id JOIN institutions i ON i.id = a.institution_id
			JOIN w ON w.publication_id = p.id` + w.sql() + ` ORDER BY ` + wOrder + ` LIMIT ` + strconv.Itoa(n) + `) `
	return db.analyticsRowsQuery(ctx, prefix, extra, analyticsFrom+` WHERE p.id = ANY(ARRAY(SELECT r.id FROM r))`, append(args, w.args...), order, 0, into...)
}

// dayWalk is AnalyticsRanked from each Beijing day's first entries of the index of
// migration 0080 (PostgreSQL only; [from, to) must be whole Beijing days). The n first
// publications of the period are among the n first of each of its days: it reads
// dayWalkN entries of each day, keeps the scope's, and ranks those. The answer is
// exact when the n-th of them ranks before every entry a day's walk left unread,
// which all rank after the last entry that walk read (the threshold); else (a scope
// holding few of its days' first publications) it says false. A publication without
// figures is not in the index: the bottom posts take those from the period itself, as
// rankedWalk does.
func (db *DB) dayWalk(ctx context.Context, orgID int64, institutionIDs []int64, from, to time.Time, desc bool, n int) ([]AnalyticsRow, bool, error) {
	fromDay, toDay, ok := beijingDays(from, to)
	if db.dialect != Postgres || !ok || fromDay >= toDay {
		return nil, false, nil
	}
	lastDay, err := time.Parse(time.DateOnly, toDay)
	if err != nil {
		return nil, false, nil
	}
	const x = "(COALESCE(likes, 0) + COALESCE(comments, 0) + COALESCE(reposts, 0))"
	walkN := strconv.Itoa(dayWalkN(n))
	walk, wOrder, order := x+", publication_id DESC", "w.x, w.publication_id DESC", interactionsSQL+", p.id DESC"
	if desc {
		walk, wOrder, order = x+" DESC, publication_id", "w.x DESC, w.publication_id", interactionsSQL+" DESC, p.id"
	}
	// w: each day's walk, numbered; t: the threshold, the first of the days' last
	// entries among the walks that did not reach their day's end (walkedRows reads
	// the scope's n first of the walks' publications).
	ctes := `w AS MATERIALIZED (SELECT c.publication_id, c.x, c.rn FROM generate_series(?::date, ?::date, interval '1 day') g (d)
		CROSS JOIN LATERAL (SELECT publication_id, ` + x + ` AS x, row_number() OVER (ORDER BY ` + walk + `) AS rn FROM publication_figures
			WHERE day = to_char(g.d, 'YYYY-MM-DD') ORDER BY ` + walk + ` LIMIT ` + walkN + `) c),
		t AS (SELECT w.x, w.publication_id FROM w WHERE w.rn = ` + walkN + ` ORDER BY ` + wOrder + ` LIMIT 1)`
	var tx, tid sql.NullInt64
	rows, err := db.walkedRows(ctx, ctes, []any{fromDay, lastDay.AddDate(0, 0, -1).Format(time.DateOnly)},
		analyticsWhere(orgID, institutionIDs, from, to), wOrder, order, n, `, (SELECT t.x FROM t), (SELECT t.publication_id FROM t)`, &tx, &tid)
	if err != nil {
		return nil, false, err
	}
	switch {
	case len(rows) == 0:
		return nil, false, nil // no row carries the threshold
	case desc && (len(rows) < n || interactions(rows[len(rows)-1]) == 0):
		// The top posts reach publications of no interactions, where those without
		// figures (in no index) rank among them.
		return nil, false, nil
	case !tx.Valid:
		// Every day's walk reached its day's end: every publication with figures of
		// the period was read.
	case len(rows) < n:
		return nil, false, nil
	default:
		last := rows[len(rows)-1]
		li := interactions(last)
		before := li < tx.Int64 || li == tx.Int64 && last.PublicationID >= tid.Int64
		if desc {
			before = li > tx.Int64 || li == tx.Int64 && last.PublicationID <= tid.Int64
		}
		if !before {
			return nil, false, nil
		}
	}
	if desc {
		return rows, true, nil
	}
	return db.withUnread(ctx, orgID, institutionIDs, from, to, rows, n)
}

// dayWalkN is how many entries of each day dayWalk reads for n publications: a few
// more than n, for the other organizations' publications of the day.
func dayWalkN(n int) int { return dayWalkExtra + n }

// dayWalkExtra is how many entries more than n dayWalk reads of each day (a variable for
// the tests, which walk shorter days).
var dayWalkExtra = 10

// interactions is a row's likes, comments and reposts, a missing figure counting as 0.
func interactions(r AnalyticsRow) int64 {
	var sum int64
	for _, v := range []*int64{r.Likes, r.Comments, r.Reposts} {
		if v != nil {
			sum += *v
		}
	}
	return sum
}

// withUnread completes the bottom posts found among the publications with figures
// (rows, in ranking order) with the period's publications without figures, which have
// 0 interactions and are in no index: read only on the days that have any
// (unreadDays), they are ranked with rows and the n first kept.
func (db *DB) withUnread(ctx context.Context, orgID int64, institutionIDs []int64, from, to time.Time, rows []AnalyticsRow, n int) ([]AnalyticsRow, bool, error) {
	unreadFrom, unreadTo, err := db.unreadDays(ctx, orgID, from, to)
	if err != nil {
		return nil, false, err
	}
	var none []AnalyticsRow
	if unreadFrom.Before(unreadTo) {
		w := analyticsWhere(orgID, institutionIDs, unreadFrom, unreadTo)
		w.add("f.publication_id IS NULL")
		if none, err = db.analyticsRowsFrom(ctx, analyticsFrom, w, "p.id DESC", n); err != nil {
			return nil, false, err
		}
	}
	rows = append(rows, none...)
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := interactions(rows[i]), interactions(rows[j])
		if a != b {
			return a < b
		}
		return rows[i].PublicationID > rows[j].PublicationID
	})
	return rows[:min(n, len(rows))], true, nil
}

// unreadDays narrows [from, to) to the Beijing days on which the organization has
// published publications without figures (the unread column of migration 0075): an
// empty range when it has none. Bounds that are not Beijing midnights are returned as
// they are.
func (db *DB) unreadDays(ctx context.Context, orgID int64, from, to time.Time) (time.Time, time.Time, error) {
	fromDay, toDay, ok := beijingDays(from, to)
	if !ok {
		return from, to, nil
	}
	var first, last sql.NullString
	err := db.r().row(ctx, `SELECT MIN(day), MAX(day) FROM analytics_org_days WHERE org_id = ? AND dim = 'platform' AND day >= ? AND day < ? AND unread > 0`,
		orgID, fromDay, toDay).Scan(&first, &last)
	if err != nil {
		return from, to, db.mapErr(err)
	}
	if !first.Valid {
		return from, from, nil
	}
	f, errF := time.ParseInLocation(time.DateOnly, first.String, beijing)
	l, errL := time.ParseInLocation(time.DateOnly, last.String, beijing)
	if errF != nil || errL != nil {
		return from, to, nil
	}
	if f.After(from) {
		from = f
	}
	if l = l.AddDate(0, 0, 1); l.Before(to) {
		to = l
	}
	return from, to, nil
}

// analyticsFrom is the publications of AnalyticsRows: w must be made by analyticsWhere.
const analyticsFrom = ` FROM publications p JOIN accounts a ON a.id = p.account_id JOIN institutions i ON i.id = a.institution_id
		JOIN posts po ON po.id = p.post_id LEFT JOIN publication_figures f ON f.publication_id = p.id`

func analyticsWhere(orgID int64, institutionIDs []int64, from, to time.Time) where {
	w := where{}
	w.add("i.org_id = ?", orgID)
	if !everyInstitution(institutionIDs) {
		w.in("a.institution_id", institutionIDs)
	}
	w.add("p.published_at >= ?", from)
	w.add("p.published_at < ?", to)
	// Written so that no index on the state is used: the planner would otherwise walk
	// every published publication instead of the accounts' ranges of instants.
	w.add("(CASE WHEN p.state = ? THEN 1 ELSE 0 END) = 1", string(passerelle.DeliveryPublished))
	return w
}

func (db *DB) analyticsRows(ctx context.Context, orgID int64, institutionIDs []int64, from, to time.Time, order string, limit int) ([]AnalyticsRow, error) {
	return db.analyticsRowsFrom(ctx, analyticsFrom, analyticsWhere(orgID, institutionIDs, from, to), order, limit)
}

// analyticsRowsFrom is analyticsRows from tables (analyticsFrom, or a variant with the
// same aliases) and w.
func (db *DB) analyticsRowsFrom(ctx context.Context, tables string, w where, order string, limit int) ([]AnalyticsRow, error) {
	return db.analyticsRowsQuery(ctx, "", "", tables+w.sql(), w.args, order, limit)
}

// analyticsRowsQuery is analyticsRowsFrom's statement, preceded by prefix (a WITH
// clause), with the columns extra after a row's own, scanned into into (the last row's
// values remain); from is the tables and the WHERE clause, args all the parameters.
func (db *DB) analyticsRowsQuery(ctx context.Context, prefix, extra, from string, args []any, order string, limit int, into ...any) ([]AnalyticsRow, error) {
	query := prefix + `SELECT p.id, p.post_id, a.institution_id, a.id, a.platform, p.format, po.theme, po.title, p.url, COALESCE(p.platform_post_id, ''), p.published_at,
		f.views, COALESCE(f.views_lower_bound, ` + db.falseLit() + `), f.likes, f.comments, f.reposts` + extra + from + ` ORDER BY ` + order
	if limit > 0 {
		query += " LIMIT " + strconv.Itoa(limit)
	}
	rows, err := db.r().query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []AnalyticsRow
	for rows.Next() {
		var r AnalyticsRow
		var at nullTime
		var platform string
		dest := append([]any{&r.PublicationID, &r.PostID, &r.InstitutionID, &r.AccountID, &platform, &r.Format, &r.Theme, &r.Title, &r.URL, &r.PlatformPostID, &at,
			&r.Views, &r.LowerBound, &r.Likes, &r.Comments, &r.Reposts}, into...)
		if err := rows.Scan(dest...); err != nil {
			return nil, db.mapErr(err)
		}
		r.Platform, r.PublishedAt = passerelle.Platform(platform), at.T
		out = append(out, r)
	}
	return out, db.mapErr(rows.Err())
}

// AnalyticsCell adds up the publications of AnalyticsRows that share a weekday and
// an hour of publication in Beijing time, a platform, a format and a theme. Figures a
// publication does not have count as zero; ViewedInteractions counts only the
// publications whose views are known, and LowerBound says one of their views is "at
// least". InteractionsSquared (a float: it can pass int64) lets a caller work out
// the variance of the interactions per post.
type AnalyticsCell struct {
	InstitutionID       int64 // only from AnalyticsInstitutionTotals
	Weekday             time.Weekday
	Hour                int
	Platform            passerelle.Platform
	Format, Theme       string
	Posts               int
	Views               int64
	LowerBound          bool
	Likes               int64
	Comments            int64
	Reposts             int64
	ViewedInteractions  int64
	InteractionsSquared float64
}

// AnalyticsCells adds up the publications of AnalyticsRows in the database, so that a
// period of an organization of a thousand institutions is read as a few thousand
// cells instead of hundreds of thousands of rows. Beijing time is UTC+8 all year (China
// has had no daylight saving time since 1991).
func (db *DB) AnalyticsCells(ctx context.Context, orgID int64, institutionIDs []int64, from, to time.Time) ([]AnalyticsCell, error) {
	return db.analyticsCells(ctx, orgID, institutionIDs, from, to, cellsGrouped)
}

// AnalyticsTotal is AnalyticsCells added up into one cell (whose weekday, hour,
// platform, format and theme mean nothing, and InteractionsSquared is 0): a previous
// period's totals, read from the daily and monthly sums (analyticsSums).
func (db *DB) AnalyticsTotal(ctx context.Context, orgID int64, institutionIDs []int64, from, to time.Time) (AnalyticsCell, error) {
	if everyInstitution(institutionIDs) {
		// A whole organization: its own daily sums (migration 0075), a row per
		// platform and day.
		if b, ok, err := db.AnalyticsOrgBreakdown(ctx, orgID, from, to); err != nil || ok {
			var c AnalyticsCell
			for i := range b.Platforms {
				c.Add(&b.Platforms[i])
			}
			c.InteractionsSquared = 0 // as from the sums below
			return c, err
		}
	}
	cells, err := db.analyticsSums(ctx, orgID, institutionIDs, from, to, cellsTotal)
	if err != nil || len(cells) != 1 {
		return AnalyticsCell{}, err
	}
	return cells[0], nil
}

// AnalyticsInstitutionTotals is AnalyticsTotal per institution, in one grouped query
// of the daily and monthly sums: the organization portfolio's figures of a period. An institution without a
// publication in the period is absent.
func (db *DB) AnalyticsInstitutionTotals(ctx context.Context, orgID int64, institutionIDs []int64, from, to time.Time) (map[int64]AnalyticsCell, error) {
	cells, err := db.analyticsSums(ctx, orgID, institutionIDs, from, to, cellsByInstitution)
	if err != nil {
		return nil, err
	}
	out := make(map[int64]AnalyticsCell, len(cells))
	for _, c := range cells {
		out[c.InstitutionID] = c
	}
	return out, nil
}

// How analyticsCells groups the publications.
const (
	cellsTotal = iota
	cellsGrouped
	cellsByInstitution
)

// sumSQL is the dialect's sum of an integer expression, zero over no row.
func (db *DB) sumSQL(x string) string {
	if db.dialect == Postgres {
		return "COALESCE(SUM(" + x + "), 0)::BIGINT"
	}
	return "COALESCE(SUM(" + x + "), 0)"
}

func (db *DB) analyticsCells(ctx context.Context, orgID int64, institutionIDs []int64, from, to time.Time, mode int) ([]AnalyticsCell, error) {
	w := analyticsWhere(orgID, institutionIDs, from, to)
	wd, hour := "CAST(strftime('%w', p.published_at, '+8 hours') AS INTEGER)", "CAST(strftime('%H', p.published_at, '+8 hours') AS INTEGER)"
	sum := db.sumSQL
	square := "CAST(" + interactionsSQL + " AS REAL) * " + interactionsSQL
	if db.dialect == Postgres {
		wd, hour = "EXTRACT(DOW FROM p.published_at AT TIME ZONE 'Asia/Shanghai')::INT", "EXTRACT(HOUR FROM p.published_at AT TIME ZONE 'Asia/Shanghai')::INT"
		square = interactionsSQL + "::FLOAT8 * " + interactionsSQL
	}
	keys, tables, group := `0, `+wd+`, `+hour+`, a.platform, p.format, po.theme`, analyticsFrom, ` GROUP BY 2, 3, 4, 5, 6 ORDER BY 2, 3, 4, 5, 6`
	switch mode {
	case cellsTotal:
		keys, group = `0, 0, 0, '', '', ''`, ""
		tables = strings.Replace(tables, "JOIN posts po ON po.id = p.post_id ", "", 1)
	case cellsByInstitution:
		keys, group = `a.institution_id, 0, 0, '', '', ''`, " GROUP BY a.institution_id ORDER BY a.institution_id"
		tables = strings.Replace(tables, "JOIN posts po ON po.id = p.post_id ", "", 1)
	}
	query := `SELECT ` + keys + `, COUNT(*), ` + sum("f.views") + `,
		COALESCE(MAX(CASE WHEN f.views IS NOT NULL AND f.views_lower_bound THEN 1 ELSE 0 END), 0), ` + sum("f.likes") + `, ` + sum("f.comments") + `, ` + sum("f.reposts") + `,
		` + sum("CASE WHEN f.views IS NOT NULL THEN "+interactionsSQL+" ELSE 0 END") + `, COALESCE(SUM(` + square + `), 0)` +
		tables + w.sql() + group
	return queryAll(ctx, db, db.r(), query, w.args, func(sc interface{ Scan(...any) error }) (AnalyticsCell, error) {
		var c AnalyticsCell
		var wd, lower int
		var platform string
		err := sc.Scan(&c.InstitutionID, &wd, &c.Hour, &platform, &c.Format, &c.Theme, &c.Posts, &c.Views, &lower, &c.Likes, &c.Comments, &c.Reposts, &c.ViewedInteractions, &c.InteractionsSquared)
		c.Weekday, c.Platform, c.LowerBound = time.Weekday(wd), passerelle.Platform(platform), lower == 1
		return c, err
	})
}

// beijing is the zone of the analytics' days (UTC+8, no daylight saving since 1991).
var beijing = time.FixedZone("CST", 8*3600)

// beijingDays is [from, to) as Beijing days (YYYY-MM-DD, to excluded), when both are
// Beijing midnights.
func beijingDays(from, to time.Time) (string, string, bool) {
	f, t := from.In(beijing), to.In(beijing)
	midnight := func(x time.Time) bool {
		return x.Hour() == 0 && x.Minute() == 0 && x.Second() == 0 && x.Nanosecond() == 0
	}
	if !midnight(f) || !midnight(t) || t.Before(f) {
		return "", "", false
	}
	return f.Format(time.DateOnly), t.Format(time.DateOnly), true
}

// analyticsSums is analyticsCells in the modes cellsTotal and cellsByInstitution
// (InteractionsSquared left at 0), read from the sums the triggers of migration 0052
// keep: the period's whole calendar months from analytics_months, its other days from
// analytics_days or as their months less the days outside (daySpans). Bounds that are
// not Beijing midnights are added up from the publications.
func (db *DB) analyticsSums(ctx context.Context, orgID int64, institutionIDs []int64, from, to time.Time, mode int) ([]AnalyticsCell, error) {
	_, _, ok := beijingDays(from, to)
	if !ok {
		cells, err := db.analyticsCells(ctx, orgID, institutionIDs, from, to, mode)
		for i := range cells {
			cells[i].InteractionsSquared = 0 // as from the sums, whatever the bounds
		}
		return cells, err
	}
	scope := func(w *where) {
		w.add("i.org_id = ?", orgID)
		if !everyInstitution(institutionIDs) {
			w.in("a.institution_id", institutionIDs)
		}
	}
	const tables = ` s JOIN accounts a ON a.id = s.account_id JOIN institutions i ON i.id = a.institution_id`
	// One range per branch, each read along its primary key (account, day or month):
	// an OR of two ranges would have PostgreSQL scan every day of every account.
	var parts []string
	var args []any
	for _, sp := range daySpans(from, to) {
		table, column := "analytics_days", "day"
		if sp.Months {
			table, column = "analytics_months", "month"
		}
		w := where{}
		scope(&w)
		w.add("s."+column+" >= ?", sp.From)
		w.add("s."+column+" < ?", sp.To)
		cols := `a.institution_id`
		for _, c := range []string{"posts", "views", "lower_bounds", "likes", "comments", "reposts", "viewed_interactions"} {
			cols += `, ` + sp.signed("s."+c, c)
		}
		parts = append(parts, `SELECT `+cols+` FROM `+table+tables+w.sql())
		args = append(args, w.args...)
	}
	if len(parts) == 0 { // no day
		return nil, nil
	}
	keys, group := `0`, ``
	if mode == cellsByInstitution {
		// A month less its days outside the period can leave an institution without a
		// publication in it.
		keys, group = `x.institution_id`, ` GROUP BY x.institution_id HAVING SUM(x.posts) > 0 ORDER BY x.institution_id`
	}
	sum := db.sumSQL
	query := `SELECT ` + keys + `, ` + sum("x.posts") + `, ` + sum("x.views") + `, CASE WHEN SUM(x.lower_bounds) > 0 THEN 1 ELSE 0 END, ` +
		sum("x.likes") + `, ` + sum("x.comments") + `, ` + sum("x.reposts") + `, ` + sum("x.viewed_interactions") +
		` FROM (` + strings.Join(parts, " UNION ALL ") + `) x` + group
	return queryAll(ctx, db, db.r(), query, args, func(sc interface{ Scan(...any) error }) (AnalyticsCell, error) {
		var c AnalyticsCell
		var lower int
		err := sc.Scan(&c.InstitutionID, &c.Posts, &c.Views, &lower, &c.Likes, &c.Comments, &c.Reposts, &c.ViewedInteractions)
		c.LowerBound = lower == 1
		return c, err
	})
}

// AnalyticsDay is the publications of AnalyticsRows published on one Beijing day:
// their number, and the sums of their views and interactions (likes, comments and
// reposts), a figure a publication does not have counting as zero.
type AnalyticsDay struct {
	Day          string // YYYY-MM-DD
	Posts        int
	Views        int64
	Interactions int64
}

// AnalyticsDays adds up the publications of AnalyticsRows per Beijing day of
// publication (UTC+8, as AnalyticsCells), oldest day first; a day without a
// publication is absent.
func (db *DB) AnalyticsDays(ctx context.Context, orgID int64, institutionIDs []int64, from, to time.Time) ([]AnalyticsDay, error) {
	fromDay, toDay, ok := beijingDays(from, to)
	if !ok {
		return db.analyticsDaysRaw(ctx, orgID, institutionIDs, from, to)
	}
	w := where{}
	w.add("i.org_id = ?", orgID)
	if !everyInstitution(institutionIDs) {
		w.in("a.institution_id", institutionIDs)
	}
	w.add("d.day >= ?", fromDay)
	w.add("d.day < ?", toDay)
	query := `SELECT d.day, ` + db.sumSQL("d.posts") + `, ` + db.sumSQL("d.views") + `, ` + db.sumSQL("d.likes + d.comments + d.reposts") +
		` FROM analytics_days d JOIN accounts a ON a.id = d.account_id JOIN institutions i ON i.id = a.institution_id` + w.sql() + ` GROUP BY 1 ORDER BY 1`
	return queryAll(ctx, db, db.r(), query, w.args, func(sc interface{ Scan(...any) error }) (AnalyticsDay, error) {
		var d AnalyticsDay
		err := sc.Scan(&d.Day, &d.Posts, &d.Views, &d.Interactions)
		return d, err
	})
}

// analyticsDaysRaw is AnalyticsDays from the publications themselves: for bounds that
// are not Beijing midnights, and the reference of the tests.
func (db *DB) analyticsDaysRaw(ctx context.Context, orgID int64, institutionIDs []int64, from, to time.Time) ([]AnalyticsDay, error) {
	w := analyticsWhere(orgID, institutionIDs, from, to)
	day := "strftime('%Y-%m-%d', p.published_at, '+8 hours')"
	if db.dialect == Postgres {
		day = "to_char(p.published_at AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')"
	}
	tables := strings.Replace(analyticsFrom, "JOIN posts po ON po.id = p.post_id ", "", 1)
	query := `SELECT ` + day + `, COUNT(*), ` + db.sumSQL("f.views") + `, ` + db.sumSQL(interactionsSQL) + tables + w.sql() + ` GROUP BY 1 ORDER BY 1`
	return queryAll(ctx, db, db.r(), query, w.args, func(sc interface{ Scan(...any) error }) (AnalyticsDay, error) {
		var d AnalyticsDay
		err := sc.Scan(&d.Day, &d.Posts, &d.Views, &d.Interactions)
		return d, err
	})
}

func (db *DB) falseLit() string {
	if db.dialect == Postgres {
		return "FALSE"
	}
	return "0"
}

// FollowersAt returns an account's latest follower reading at or before at, and false
// when there is none.
func (db *DB) FollowersAt(ctx context.Context, accountID int64, at time.Time) (int64, bool, error) {
	var n int64
	err := db.r().row(ctx, `SELECT followers FROM account_snapshots WHERE account_id = ? AND taken_at <= ? AND followers IS NOT NULL ORDER BY taken_at DESC, id DESC LIMIT 1`, accountID, at).Scan(&n)
	if err != nil {
		if passerelle.ErrorCode(db.mapErr(err)) == passerelle.ENOTFOUND {
			return 0, false, nil
		}
		return 0, false, db.mapErr(err)
	}
	return n, true, nil
}

// FollowerDay is one day's follower movements of an account (day in Asia/Shanghai).
type FollowerDay struct {
	AccountID int64
	Day       string // YYYY-MM-DD
	New, Lost int64
	Source    string
}

// RecordFollowerDays writes daily movements, replacing a day's earlier figures.
func (db *DB) RecordFollowerDays(ctx context.Context, days []FollowerDay) error {
	for _, d := range days {
		if _, err := time.Parse(time.DateOnly, d.Day); err != nil || d.New < 0 || d.Lost < 0 {
			return passerelle.Errorf(passerelle.EINVALID, "A follower day is invalid.")
		}
	}
	return db.inTx(ctx, func(tx *Tx) error {
		for _, d := range days {
			if _, err := tx.q().exec(ctx, `INSERT INTO follower_days (account_id, day, new_followers, lost_followers, source) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (account_id, day) DO UPDATE SET new_followers = excluded.new_followers, lost_followers = excluded.lost_followers, source = excluded.source`,
				d.AccountID, d.Day, d.New, d.Lost, d.Source); err != nil {
				return err
			}
		}
		return nil
	})
}

// FollowerMoves sums the new and lost followers of the accounts over days [from, to]
// (YYYY-MM-DD, inclusive) and says whether any day was known.
func (db *DB) FollowerMoves(ctx context.Context, accountIDs []int64, from, to string) (newF, lost int64, known bool, err error) {
	w := where{}
	w.in("account_id", accountIDs)
	w.add("day >= ?", from)
	w.add("day <= ?", to)
	var n int64
	err = db.r().row(ctx, `SELECT COUNT(*), COALESCE(SUM(new_followers), 0), COALESCE(SUM(lost_followers), 0) FROM follower_days`+w.sql(), w.args...).Scan(&n, &newF, &lost)
	return newF, lost, n > 0, db.mapErr(err)
}

// FollowerMove is an account's new and lost followers summed over days.
type FollowerMove struct {
	New, Lost int64
}

// FollowerMovesEach is FollowerMoves per account, in one grouped query: an account
// without a known day is absent. The whole calendar months of [from, to] are read
// from follower_months (migration 0076), the other days from follower_days or as
// their months less the days outside (daySpans).
func (db *DB) FollowerMovesEach(ctx context.Context, accountIDs []int64, from, to string) (map[int64]FollowerMove, error) {
	f, errF := time.ParseInLocation(time.DateOnly, from, beijing)
	t, errT := time.ParseInLocation(time.DateOnly, to, beijing)
	if errF != nil || errT != nil {
		return nil, fmt.Errorf("store: follower moves: days %q and %q are not YYYY-MM-DD", from, to)
	}
	var parts []string
	var args []any
	for _, sp := range daySpans(f, t.AddDate(0, 0, 1)) { // to is included
		table, column, days := "follower_days", "day", "1"
		if sp.Months {
			table, column, days = "follower_months", "month", "days"
		}
		w := where{}
		db.inIDs(&w, "account_id", accountIDs)
		w.add(column+" >= ?", sp.From)
		w.add(column+" < ?", sp.To)
		parts = append(parts, `SELECT account_id, `+sp.signed(days, "days")+`, `+sp.signed("new_followers", "new_followers")+`, `+sp.signed("lost_followers", "lost_followers")+` FROM `+table+w.sql())
		args = append(args, w.args...)
	}
	out := map[int64]FollowerMove{}
	if len(parts) == 0 { // to is before from
		return out, nil
	}
	_, err := queryAll(ctx, db, db.r(), `SELECT account_id, `+db.sumSQL("new_followers")+`, `+db.sumSQL("lost_followers")+` FROM (`+strings.Join(parts, " UNION ALL ")+`) x GROUP BY account_id HAVING SUM(days) > 0`, args,
		func(sc interface{ Scan(...any) error }) (FollowerMove, error) {
			var id int64
			var m FollowerMove
			err := sc.Scan(&id, &m.New, &m.Lost)
			out[id] = m
			return m, err
		})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// TrackedPublication is a published publication as an importer or a collector sees it.
type TrackedPublication struct {
	ID             int64
	AccountID      int64
	PlatformPostID string
	URL            string
	PublishedAt    time.Time
	LastAPIAt      *time.Time
}

// TrackedPublications lists an account's published publications (of the
// organization), for matching imported rows.
func (db *DB) TrackedPublications(ctx context.Context, orgID, accountID int64) ([]TrackedPublication, error) {
	return db.tracked(ctx, `JOIN institutions i ON i.id = a.institution_id WHERE i.org_id = ? AND p.account_id = ?`, orgID, accountID)
}

// CollectablePublications lists the published publications on the platform published
// at or after since, oldest collection first.
func (db *DB) CollectablePublications(ctx context.Context, platform passerelle.Platform, since time.Time) ([]TrackedPublication, error) {
	return db.tracked(ctx, `WHERE a.platform = ? AND p.published_at >= ? AND a.archived_at IS NULL`, string(platform), since)
}

func (db *DB) tracked(ctx context.Context, cond string, args ...any) ([]TrackedPublication, error) {
	query := `SELECT p.id, p.account_id, COALESCE(p.platform_post_id, ''), p.url, p.published_at, f.last_api_at
		FROM publications p JOIN accounts a ON a.id = p.account_id LEFT JOIN publication_figures f ON f.publication_id = p.id ` + cond +
		` AND p.state = 'published' AND p.published_at IS NOT NULL ORDER BY p.account_id, p.id`
	return queryAll(ctx, db, db.r(), query, args, func(sc interface{ Scan(...any) error }) (TrackedPublication, error) {
		var t TrackedPublication
		var pub, api nullTime
		err := sc.Scan(&t.ID, &t.AccountID, &t.PlatformPostID, &t.URL, &pub, &api)
		t.PublishedAt, t.LastAPIAt = pub.T, api.Ptr()
		t.URL = strings.TrimSpace(t.URL)
		return t, err
	})
}

// RecordCollected writes readings taken by a collector (publications already known
// to exist), all or nothing.
func (db *DB) RecordCollected(ctx context.Context, snaps []*PublicationSnapshot) error {
	now := db.nowUTC()
	for _, s := range snaps {
		s.TakenAt = s.TakenAt.UTC().Truncate(time.Microsecond)
		if err := s.Validate(now); err != nil {
			return err
		}
	}
	return db.inTx(ctx, func(tx *Tx) error {
		w, err := newSnapshotWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		for _, s := range snaps {
			if err := w.write(ctx, s, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// TakeCalls reserves up to n calls of an account's hourly budget (limit per clock
// hour) and returns how many it may make now: zero while the account is blocked.
func (db *DB) TakeCalls(ctx context.Context, accountID int64, n, limit int, now time.Time) (int, error) {
	hour := now.UTC().Truncate(time.Hour)
	got := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		var start, blocked nullTime
		var calls int
		err := tx.q().row(ctx, `SELECT hour_start, calls, blocked_until FROM collection_budgets WHERE account_id = ?`, accountID).Scan(&start, &calls, &blocked)
		switch code := passerelle.ErrorCode(db.mapErr(err)); {
		case err == nil:
		case code == passerelle.ENOTFOUND:
			start.T, calls = hour, 0
		default:
			return db.mapErr(err)
		}
		if blocked.Valid && now.Before(blocked.T) {
			return nil
		}
		if !start.T.Equal(hour) {
			calls = 0
		}
		got = max(0, min(n, limit-calls))
		_, err = tx.q().exec(ctx, `INSERT INTO collection_budgets (account_id, hour_start, calls, blocked_until) VALUES (?, ?, ?, NULL)
			ON CONFLICT (account_id) DO UPDATE SET hour_start = excluded.hour_start, calls = excluded.calls, blocked_until = NULL`,
			accountID, hour, calls+got)
		return err
	})
	return got, err
}

// BlockCollection stops collecting an account until the instant, with the reason.
func (db *DB) BlockCollection(ctx context.Context, accountID int64, until time.Time, reason string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `INSERT INTO collection_budgets (account_id, hour_start, calls, blocked_until, last_error) VALUES (?, ?, 0, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET blocked_until = excluded.blocked_until, last_error = excluded.last_error`,
			accountID, until.UTC().Truncate(time.Hour), until, reason)
		return err
	})
}

// FollowerReadings are an account's follower readings for a period (see
// FollowersOver); a nil field is unknown.
type FollowerReadings struct {
	Start, End *int64
}

// FollowersOver returns the accounts' follower readings for the period [from, to):
// the latest at or before from (else the first within the period), and the latest
// before to; in one statement, whatever the number of accounts.
func (db *DB) FollowersOver(ctx context.Context, accountIDs []int64, from, to time.Time) (map[int64]FollowerReadings, error) {
	out := make(map[int64]FollowerReadings, len(accountIDs))
	const reading = `(SELECT s.followers FROM account_snapshots s WHERE s.account_id = a.id AND s.followers IS NOT NULL AND `
	for len(accountIDs) > 0 {
		// SQLite takes the ids as parameters, a thousand at a time; PostgreSQL as one
		// array.
		n := len(accountIDs)
		if db.dialect != Postgres {
			n = min(n, 1000)
		}
		w := where{}
		db.inIDs(&w, "a.id", accountIDs[:n])
		args := append([]any{from, from, to, to}, w.args...)
		_, err := queryAll(ctx, db, db.r(), `SELECT a.id, COALESCE(`+reading+`s.taken_at <= ? ORDER BY s.taken_at DESC, s.id DESC LIMIT 1),
			`+reading+`s.taken_at > ? AND s.taken_at < ? ORDER BY s.taken_at, s.id LIMIT 1)), `+reading+`s.taken_at < ? ORDER BY s.taken_at DESC, s.id DESC LIMIT 1)
			FROM accounts a`+w.sql(), args, func(sc interface{ Scan(...any) error }) (FollowerReadings, error) {
			var id int64
			var r FollowerReadings
			err := sc.Scan(&id, &r.Start, &r.End)
			out[id] = r
			return r, err
		})
		if err != nil {
			return nil, err
		}
		accountIDs = accountIDs[n:]
	}
	return out, nil
}

// FollowersAround is FollowersOver for two periods that meet, [prevFrom, from) and
// [from, to): prev and cur. On PostgreSQL it is one statement making three probes per
// account instead of four (the latest reading at or before from starts cur and, taken
// before from, also ends prev); SQLite, in the process, reads both periods at once.
func (db *DB) FollowersAround(ctx context.Context, accountIDs []int64, prevFrom, from, to time.Time) (prev, cur map[int64]FollowerReadings, err error) {
	if db.dialect != Postgres {
		// Both periods at once, each on a read connection of its own, as before.
		var g errgroup.Group
		g.Go(func() (err error) { prev, err = db.FollowersOver(ctx, accountIDs, prevFrom, from); return err })
		g.Go(func() (err error) { cur, err = db.FollowersOver(ctx, accountIDs, from, to); return err })
		if err := g.Wait(); err != nil {
			return nil, nil, err
		}
		return prev, cur, nil
	}
	prev, cur = make(map[int64]FollowerReadings, len(accountIDs)), make(map[int64]FollowerReadings, len(accountIDs))
	if len(accountIDs) == 0 {
		return prev, cur, nil
	}
	const readings = `FROM account_snapshots s WHERE s.account_id = a.id AND s.followers IS NOT NULL AND `
	const latest = ` ORDER BY s.taken_at DESC, s.id DESC LIMIT 1`
	const first = ` ORDER BY s.taken_at, s.id LIMIT 1`
	// $1 prevFrom, $2 from, $3 to, $4 the accounts.
	query := `SELECT a.id,
		COALESCE(ps.followers, (SELECT s.followers ` + readings + `s.taken_at > $1 AND s.taken_at < $2` + first + `)),
		CASE WHEN b.taken_at IS NULL THEN NULL WHEN b.taken_at < $2 THEN b.followers
			ELSE (SELECT s.followers ` + readings + `s.taken_at < $2` + latest + `) END,
		COALESCE(b.followers, (SELECT s.followers ` + readings + `s.taken_at > $2 AND s.taken_at < $3` + first + `)),
		(SELECT s.followers ` + readings + `s.taken_at < $3` + latest + `)
		FROM accounts a
		LEFT JOIN LATERAL (SELECT s.followers ` + readings + `s.taken_at <= $1` + latest + `) ps ON true
		LEFT JOIN LATERAL (SELECT s.taken_at, s.followers ` + readings + `s.taken_at <= $2` + latest + `) b ON true
		WHERE a.id = ANY($4)`
	_, err = queryAll(ctx, db, db.r(), query, []any{prevFrom, from, to, accountIDs}, func(sc interface{ Scan(...any) error }) (struct{}, error) {
		var id int64
		var p, c FollowerReadings
		err := sc.Scan(&id, &p.Start, &p.End, &c.Start, &c.End)
		prev[id], cur[id] = p, c
		return struct{}{}, err
	})
	if err != nil {
		return nil, nil, err
	}
	return prev, cur, nil
}

// AccountOrg returns the organization of an account.
func (db *DB) AccountOrg(ctx context.Context, accountID int64) (int64, error) {
	var org int64
	err := db.r().row(ctx, `SELECT i.org_id FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE a.id = ?`, accountID).Scan(&org)
	return org, db.mapErr(err)
}

// FollowerCount is one follower count of an account.
type FollowerCount struct {
	AccountID int64
	TakenAt   time.Time
	Followers int64
}

// FollowerReadings lists the accounts' follower readings taken in [from, to), oldest
// first, for the followers-over-time chart.
func (db *DB) FollowerReadings(ctx context.Context, accountIDs []int64, from, to time.Time) ([]FollowerCount, error) {
	w := where{}
	db.inIDs(&w, "account_id", accountIDs)
	w.add("taken_at >= ?", from)
	w.add("taken_at < ?", to)
	w.add("followers IS NOT NULL")
	return queryAll(ctx, db, db.r(), `SELECT account_id, taken_at, followers FROM account_snapshots`+w.sql()+` ORDER BY taken_at, id`, w.args,
		func(sc interface{ Scan(...any) error }) (FollowerCount, error) {
			var f FollowerCount
			var at nullTime
			err := sc.Scan(&f.AccountID, &at, &f.Followers)
			f.TakenAt = at.T
			return f, err
		})
}

// FollowersBefore returns each account's latest follower reading taken before at (the
// accounts without one are absent), in one query.
func (db *DB) FollowersBefore(ctx context.Context, accountIDs []int64, at time.Time) (map[int64]int64, error) {
	w := where{}
	db.inIDs(&w, "a.id", accountIDs)
	args := append([]any{at}, w.args...)
	rows, err := queryAll(ctx, db, db.r(), `SELECT a.id, (SELECT s.followers FROM account_snapshots s WHERE s.account_id = a.id AND s.taken_at < ? AND s.followers IS NOT NULL
		ORDER BY s.taken_at DESC, s.id DESC LIMIT 1) FROM accounts a`+w.sql(), args,
		func(sc interface{ Scan(...any) error }) (FollowerCount, error) {
			var f FollowerCount
			var n *int64
			err := sc.Scan(&f.AccountID, &n)
			if n == nil {
				f.AccountID = 0
			} else {
				f.Followers = *n
			}
			return f, err
		})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]int64, len(rows))
	for _, f := range rows {
		if f.AccountID != 0 {
			out[f.AccountID] = f.Followers
		}
	}
	return out, nil
}
