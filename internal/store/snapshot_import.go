package store

import (
	"cmp"
	"context"
	"database/sql"
	"slices"
	"strconv"
	"strings"
	"time"
)

// importChunk is how many readings one multi-row INSERT writes: 9 parameters each,
// well under both engines' limits on parameters per statement.
const importChunk = 500

// ImportPublicationSnapshots writes an import's readings of publications of the
// organization in ONE transaction: all or nothing. It is RecordPublicationSnapshots
// for files of many thousands of rows: readings are written by multi-row statements
// prepared once, and each publication's newest figures are computed in memory and
// written once per publication instead of once per reading. Readings are keyed as
// RecordPublicationSnapshots keys them (the last of a batch wins), so importing the
// same file again changes nothing. progress, when set, is told how many readings of
// the total are written.
func (db *DB) ImportPublicationSnapshots(ctx context.Context, orgID int64, snaps []*PublicationSnapshot, progress func(done, total int)) (int, error) {
	now := db.nowUTC()
	ids := map[int64]bool{}
	type key struct {
		pub int64
		at  time.Time
		src string
	}
	last := map[key]int{}
	for i, s := range snaps {
		s.TakenAt = s.TakenAt.UTC().Truncate(time.Microsecond)
		if err := s.Validate(now); err != nil {
			return 0, err
		}
		if err := checkInstants([]any{s.TakenAt}); err != nil {
			return 0, err
		}
		ids[s.PublicationID] = true
		last[key{s.PublicationID, s.TakenAt, s.Source}] = i
	}
	// One row per key: a multi-row upsert may not touch a row twice (PostgreSQL).
	rows := make([]*PublicationSnapshot, 0, len(last))
	for i, s := range snaps {
		if last[key{s.PublicationID, s.TakenAt, s.Source}] == i {
			rows = append(rows, s)
		}
	}
	figures := newestFigures(rows)
	// In index order, so that consecutive rows land on the same pages of the unique
	// index (an export lists a day's posts, then the next day's).
	slices.SortStableFunc(rows, func(a, b *PublicationSnapshot) int {
		return cmp.Or(cmp.Compare(a.PublicationID, b.PublicationID), a.TakenAt.Compare(b.TakenAt), strings.Compare(a.Source, b.Source))
	})
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := checkPublicationsOfOrg(ctx, tx, orgID, ids); err != nil {
			return err
		}
		if db.dialect == SQLite && len(rows) > importChunk {
			// A large import in one transaction outgrows SQLite's default page cache
			// (2 MB), which then spills pages to the WAL before the commit: give the
			// write connection room for the transaction, and its size back after.
			var was int64
			if err := tx.QueryRowContext(ctx, `PRAGMA cache_size`).Scan(&was); err != nil {
				return db.mapErr(err)
			}
			if _, err := tx.ExecContext(ctx, `PRAGMA cache_size = -65536`); err != nil {
				return db.mapErr(err)
			}
			defer tx.ExecContext(context.WithoutCancel(ctx), `PRAGMA cache_size = `+strconv.FormatInt(was, 10))
		}
		var full *sql.Stmt
		defer func() {
			if full != nil {
				full.Close()
			}
		}()
		for i := 0; i < len(rows); i += importChunk {
			chunk := rows[i:min(i+importChunk, len(rows))]
			args := make([]any, 0, len(chunk)*9)
			for _, s := range chunk {
				args = append(args, s.PublicationID, s.TakenAt, s.Source, s.Views, s.Likes, s.Comments, s.Reposts, s.LowerBound, now)
			}
			args = db.args(args)
			var err error
			if len(chunk) == importChunk {
				if full == nil {
					if full, err = tx.PrepareContext(ctx, db.rebind(multiInsertSnapshotSQL(importChunk))); err != nil {
						return db.mapErr(err)
					}
				}
				_, err = full.ExecContext(ctx, args...)
			} else {
				_, err = tx.ExecContext(ctx, db.rebind(multiInsertSnapshotSQL(len(chunk))), args...)
			}
			if err != nil {
				return db.mapErr(err)
			}
			if progress != nil {
				progress(i+len(chunk), len(rows))
			}
		}
		w, err := newSnapshotWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		for _, f := range figures {
			if _, err := w.figures.ExecContext(ctx, db.args([]any{f.pub, f.views, f.viewsAt, f.lower, f.likes, f.likesAt, f.comments, f.commentsAt, f.reposts, f.repostsAt, f.apiAt})...); err != nil {
				return db.mapErr(err)
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return len(snaps), nil
}

// multiInsertSnapshotSQL is insertSnapshotSQL for n rows.
func multiInsertSnapshotSQL(n int) string {
	head, tail, _ := strings.Cut(insertSnapshotSQL, "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
	var b strings.Builder
	b.Grow(len(head) + len(tail) + n*30)
	b.WriteString(head)
	b.WriteString("VALUES ")
	for i := range n {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?)")
	}
	b.WriteString(tail)
	return b.String()
}

// pubFigures is a publication's newest figure of each kind in a batch of readings.
type pubFigures struct {
	pub                                     int64
	views, likes, comments, reposts         *int64
	viewsAt, likesAt, commentsAt, repostsAt *time.Time
	lower                                   bool
	apiAt                                   *time.Time
}

// newestFigures folds readings into each publication's newest figures, as writing
// them one by one through upsertFiguresSQL would (a later reading of the same
// instant wins). Publications come out in their first reading's order.
func newestFigures(snaps []*PublicationSnapshot) []*pubFigures {
	byPub := map[int64]*pubFigures{}
	var order []*pubFigures
	newer := func(at time.Time, cur *time.Time) bool { return cur == nil || !at.Before(*cur) }
	for _, s := range snaps {
		f := byPub[s.PublicationID]
		if f == nil {
			f = &pubFigures{pub: s.PublicationID}
			byPub[s.PublicationID] = f
			order = append(order, f)
		}
		at := s.TakenAt
		if s.Views != nil && newer(at, f.viewsAt) {
			f.views, f.viewsAt, f.lower = s.Views, &at, s.LowerBound
		}
		if s.Likes != nil && newer(at, f.likesAt) {
			f.likes, f.likesAt = s.Likes, &at
		}
		if s.Comments != nil && newer(at, f.commentsAt) {
			f.comments, f.commentsAt = s.Comments, &at
		}
		if s.Reposts != nil && newer(at, f.repostsAt) {
			f.reposts, f.repostsAt = s.Reposts, &at
		}
		if s.Source == PubSourceAPI && newer(at, f.apiAt) {
			f.apiAt = &at
		}
	}
	return order
}
