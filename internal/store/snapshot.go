package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// Snapshot sources: where a reading came from.
const (
	SourceAPI    = "api"
	SourceCSV    = "csv"
	SourceManual = "manual"
	SourcePush   = "push"
)

// SnapshotSources lists the valid sources.
var SnapshotSources = []string{SourceAPI, SourceCSV, SourceManual, SourcePush}

// AccountSnapshot is one reading of an account's public figures at an instant. Every
// figure is a cumulative counter as the platform shows it, nil when the source did not
// give it.
type AccountSnapshot struct {
	ID           int64     `json:"id"`
	AccountID    int64     `json:"account_id"`
	TakenAt      time.Time `json:"taken_at"`
	Followers    *int64    `json:"followers"`
	Posts        *int64    `json:"posts"`
	Views        *int64    `json:"views"`
	Interactions *int64    `json:"interactions"`
	Source       string    `json:"source"`
	Note         string    `json:"note"`
	CreatedAt    time.Time `json:"created_at"`
}

// Validate reports every invalid field. now bounds TakenAt: a reading cannot come from
// the future.
func (s *AccountSnapshot) Validate(now time.Time) error {
	f := passerelle.FieldErrors{}
	if s.TakenAt.IsZero() {
		f.Add("taken_at", "A date is required.")
	} else if s.TakenAt.After(now) {
		f.Add("taken_at", "The date is in the future.")
	}
	for _, m := range []struct {
		name string
		v    *int64
	}{{"followers", s.Followers}, {"posts", s.Posts}, {"views", s.Views}, {"interactions", s.Interactions}} {
		if m.v != nil && *m.v < 0 {
			f.Add(m.name, "Cannot be negative.")
		}
	}
	if s.Followers == nil && s.Posts == nil && s.Views == nil && s.Interactions == nil {
		f.Add("followers", "Give at least one figure.")
	}
	if !slices.Contains(SnapshotSources, s.Source) {
		f.Add("source", "Choose api, csv, manual or push.")
	}
	if len(s.Note) > 500 {
		f.Add("note", "Too long.")
	}
	return f.Err()
}

// SnapshotCounts says what a batch of readings did.
type SnapshotCounts struct {
	Inserted int `json:"inserted"`
	Updated  int `json:"updated"`
}

// upsertSnapshot writes one reading, replacing the figures of an earlier reading with
// the same account, instant and source, and moves accounts.followers forward when the
// reading is the newest known. It reports whether a row was inserted.
func upsertSnapshot(ctx context.Context, tx *Tx, s *AccountSnapshot, now time.Time) (bool, error) {
	var existing int64
	err := tx.q().row(ctx, `SELECT id FROM account_snapshots WHERE account_id = ? AND taken_at = ? AND source = ?`, s.AccountID, s.TakenAt, s.Source).Scan(&existing)
	switch {
	case err == nil:
		if _, err := tx.q().exec(ctx, `UPDATE account_snapshots SET followers = ?, posts = ?, views = ?, interactions = ?, note = ? WHERE id = ?`,
			s.Followers, s.Posts, s.Views, s.Interactions, s.Note, existing); err != nil {
			return false, err
		}
		s.ID = existing
	case passerelle.ErrorCode(tx.db.mapErr(err)) == passerelle.ENOTFOUND:
		id, err := tx.q().insert(ctx, `INSERT INTO account_snapshots (account_id, taken_at, followers, posts, views, interactions, source, note, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.AccountID, s.TakenAt, s.Followers, s.Posts, s.Views, s.Interactions, s.Source, s.Note, now)
		if err != nil {
			return false, err
		}
		s.ID, s.CreatedAt = id, now
	default:
		return false, tx.db.mapErr(err)
	}
	if s.Followers != nil {
		// Only a newer reading moves the account's headline figure; an old file imported
		// late must not roll it back.
		if _, err := tx.q().exec(ctx, `UPDATE accounts SET followers = ?, followers_at = ?, updated_at = ?
			WHERE id = ? AND (followers_at IS NULL OR followers_at <= ?)`,
			s.Followers, s.TakenAt, now, s.AccountID, s.TakenAt); err != nil {
			return false, err
		}
	}
	return existing == 0, nil
}

// RecordSnapshots validates and writes readings of accounts of the organization, all or
// nothing. Readings are keyed by account, instant and source, so recording the same
// batch twice changes nothing.
func (db *DB) RecordSnapshots(ctx context.Context, orgID int64, snaps []*AccountSnapshot) (SnapshotCounts, error) {
	var c SnapshotCounts
	now := db.nowUTC()
	for _, s := range snaps {
		s.TakenAt = s.TakenAt.UTC().Truncate(time.Microsecond)
		s.Note = strings.TrimSpace(s.Note)
		if err := s.Validate(now); err != nil {
			return c, err
		}
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		c = SnapshotCounts{}
		for _, s := range snaps {
			var n int
			if err := tx.q().row(ctx, `SELECT COUNT(*) FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE a.id = ? AND i.org_id = ?`, s.AccountID, orgID).Scan(&n); err != nil {
				return db.mapErr(err)
			}
			if n == 0 {
				return passerelle.ErrNotFound
			}
			inserted, err := upsertSnapshot(ctx, tx, s, now)
			if err != nil {
				return err
			}
			if inserted {
				c.Inserted++
			} else {
				c.Updated++
			}
		}
		return nil
	})
	return c, err
}

// SnapshotFilter selects readings.
type SnapshotFilter struct {
	OrgID     int64
	AccountID int64
	// From and To bound TakenAt (inclusive From, exclusive To) when not zero.
	From, To time.Time
	Limit    int
}

// Snapshots lists readings of an account, newest first.
func (db *DB) Snapshots(ctx context.Context, f SnapshotFilter) ([]*AccountSnapshot, error) {
	w := where{}
	w.add("i.org_id = ?", f.OrgID)
	w.add("s.account_id = ?", f.AccountID)
	if !f.From.IsZero() {
		w.add("s.taken_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		w.add("s.taken_at < ?", f.To)
	}
	query := `SELECT s.id, s.account_id, s.taken_at, s.followers, s.posts, s.views, s.interactions, s.source, s.note, s.created_at
		FROM account_snapshots s JOIN accounts a ON a.id = s.account_id JOIN institutions i ON i.id = a.institution_id` + w.sql() + ` ORDER BY s.taken_at DESC, s.id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		w.args = append(w.args, f.Limit)
	}
	return queryAll(ctx, db, db.r(), query, w.args, func(sc interface{ Scan(...any) error }) (*AccountSnapshot, error) {
		var s AccountSnapshot
		var taken, created nullTime
		err := sc.Scan(&s.ID, &s.AccountID, &taken, &s.Followers, &s.Posts, &s.Views, &s.Interactions, &s.Source, &s.Note, &created)
		s.TakenAt, s.CreatedAt = taken.T, created.T
		return &s, err
	})
}

// LatestReadingAt returns the instant of the organization's latest follower reading on
// the platform ("" for any), and false when there is none.
func (db *DB) LatestReadingAt(ctx context.Context, orgID int64, platform passerelle.Platform) (time.Time, bool, error) {
	w := where{}
	w.add("i.org_id = ?", orgID)
	w.add("s.followers IS NOT NULL")
	if platform != "" {
		w.add("a.platform = ?", platform)
	}
	var at nullTime
	err := db.r().row(ctx, `SELECT MAX(s.taken_at) FROM account_snapshots s JOIN accounts a ON a.id = s.account_id JOIN institutions i ON i.id = a.institution_id`+w.sql(), w.args...).Scan(&at)
	if err != nil {
		return time.Time{}, false, db.mapErr(err)
	}
	return at.T, at.Valid, nil
}
