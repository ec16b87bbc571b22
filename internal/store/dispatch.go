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
}

// DueDeliveries lists the scheduled publications whose instant is in (after, until],
// soonest first, up to limit (the publications_state index on state and instant).
func (db *DB) DueDeliveries(ctx context.Context, after, until time.Time, limit int) ([]DueDelivery, error) {
	return queryAll(ctx, db, db.r(), `SELECT id, generation, scheduled_at FROM publications
		WHERE state = 'scheduled' AND scheduled_at > ? AND scheduled_at <= ? ORDER BY scheduled_at LIMIT ?`,
		[]any{after.UTC(), until.UTC(), limit}, func(s interface{ Scan(...any) error }) (DueDelivery, error) {
			var d DueDelivery
			var at nullTime
			err := s.Scan(&d.PublicationID, &d.Generation, &at)
			d.ScheduledAt = at.T
			return d, err
		})
}
