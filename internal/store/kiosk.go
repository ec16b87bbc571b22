package store

import (
	"context"

	"github.com/passerelle-oss/passerelle"
)

// kioskTable is the table of a kind of visitor page: "t" tours, "e" exhibitions.
func kioskTable(kind string) string {
	if kind == "e" {
		return "exhibitions"
	}
	return "tours"
}

// Kiosk returns the kiosk settings of a tour ("t") or exhibition ("e") of the
// organization; not_found for another's.
func (db *DB) Kiosk(ctx context.Context, orgID int64, kind string, id int64) (passerelle.Kiosk, error) {
	var k passerelle.Kiosk
	err := db.r().row(ctx, `SELECT x.kiosk_pace, x.kiosk_idle FROM `+kioskTable(kind)+` x JOIN institutions i ON i.id = x.institution_id WHERE x.id = ? AND i.org_id = ?`, id, orgID).
		Scan(&k.PaceSeconds, &k.IdleSeconds)
	return k, db.mapErr(err)
}

// PublishedKiosk returns the kiosk settings of a published tour or exhibition by its
// public token; not_found when there is none.
func (db *DB) PublishedKiosk(ctx context.Context, kind, token string) (passerelle.Kiosk, error) {
	var k passerelle.Kiosk
	err := db.r().row(ctx, `SELECT kiosk_pace, kiosk_idle FROM `+kioskTable(kind)+` WHERE public_token = ? AND published_at IS NOT NULL`, token).
		Scan(&k.PaceSeconds, &k.IdleSeconds)
	return k, db.mapErr(err)
}

// SetKiosk saves the kiosk settings of a tour or exhibition of the organization.
func (db *DB) SetKiosk(ctx context.Context, orgID int64, kind string, id int64, k passerelle.Kiosk) error {
	if err := k.Validate(); err != nil {
		return err
	}
	if _, err := db.Kiosk(ctx, orgID, kind, id); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `UPDATE `+kioskTable(kind)+` SET kiosk_pace = ?, kiosk_idle = ?, updated_at = ? WHERE id = ?`, k.PaceSeconds, k.IdleSeconds, db.nowUTC(), id)
		return err
	})
}
