package store

import (
	"context"

	"github.com/passerelle-oss/passerelle"
)

// QuietHours returns each institution's quiet hours (Beijing time), the default for
// an institution that never set them.
func (db *DB) QuietHours(ctx context.Context, orgID int64, institutionIDs []int64) (map[int64]passerelle.QuietHours, error) {
	out := make(map[int64]passerelle.QuietHours, len(institutionIDs))
	for _, id := range institutionIDs {
		out[id] = passerelle.DefaultQuietHours
	}
	if len(institutionIDs) == 0 {
		return out, nil
	}
	w := where{}
	w.add("org_id = ?", orgID)
	w.in("institution_id", institutionIDs)
	type row struct {
		id int64
		q  passerelle.QuietHours
	}
	rows, err := queryAll(ctx, db, db.r(), `SELECT institution_id, quiet_start, quiet_end FROM editorial_settings`+w.sql(), w.args,
		func(s interface{ Scan(...any) error }) (row, error) {
			var r row
			return r, s.Scan(&r.id, &r.q.Start, &r.q.End)
		})
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.id] = r.q
	}
	return out, nil
}

// SetQuietHours stores an institution's quiet hours.
func (db *DB) SetQuietHours(ctx context.Context, orgID, institutionID int64, q passerelle.QuietHours) error {
	if !q.Valid() {
		return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"quiet_start": "Give a time of day such as 23:00."}}
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := checkInstitution(ctx, tx, orgID, institutionID); err != nil {
			return err
		}
		_, err := tx.q().exec(ctx, `INSERT INTO editorial_settings (org_id, institution_id, quiet_start, quiet_end, updated_at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (org_id, institution_id) DO UPDATE SET quiet_start = excluded.quiet_start, quiet_end = excluded.quiet_end, updated_at = excluded.updated_at`,
			orgID, institutionID, q.Start, q.End, db.nowUTC())
		return err
	})
}
