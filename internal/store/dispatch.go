package store

import (
	"context"
	"time"
)

// DueDelivery is a scheduled publication as the dispatcher sees it.
type DueDelivery struct {
	PublicationID int64
	Generation    int
	ScheduledAt   time.Time
	// LastAttemptAt is when its latest attempt started (zero without one): a
	// publication back on the schedule after an attempt at or after its instant is a
	// retry, due when its job is, not at its instant.
	LastAttemptAt time.Time
}

// DueDeliveries lists the scheduled publications whose instant is in (after, until],
// soonest first, up to limit (the publications_state index on state and instant).
func (db *DB) DueDeliveries(ctx context.Context, after, until time.Time, limit int) ([]DueDelivery, error) {
	return queryAll(ctx, db, db.r(), `SELECT b.id, b.generation, b.scheduled_at,
		(SELECT MAX(t.started_at) FROM publication_attempts t WHERE t.publication_id = b.id) FROM publications b
		WHERE b.state = 'scheduled' AND b.scheduled_at > ? AND b.scheduled_at <= ? ORDER BY b.scheduled_at LIMIT ?`,
		[]any{after.UTC(), until.UTC(), limit}, func(s interface{ Scan(...any) error }) (DueDelivery, error) {
			var d DueDelivery
			var at, last nullTime
			err := s.Scan(&d.PublicationID, &d.Generation, &at, &last)
			d.ScheduledAt, d.LastAttemptAt = at.T, last.T
			return d, err
		})
}
