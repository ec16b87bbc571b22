package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// MetricUpload is a file of figures uploaded from the analytics page: kept from the
// preview to the commit, then kept as a fingerprint (Data nil) with what was imported.
type MetricUpload struct {
	ID          int64
	OrgID       int64
	AccountID   int64
	UserID      int64
	Filename    string
	SHA256      string
	Data        []byte
	TakenAt     time.Time // the instant of rows without a date
	CreatedAt   time.Time
	CommittedAt *time.Time
	Imported    int
	Skipped     int
}

// MetricUploadTTL is how long an uncommitted upload waits for its commit.
const MetricUploadTTL = 24 * time.Hour

// CreateMetricUpload keeps an uploaded file for its preview and drops the files of
// uploads abandoned for more than MetricUploadTTL. The account must be the
// organization's (not_found otherwise).
func (db *DB) CreateMetricUpload(ctx context.Context, u *MetricUpload) error {
	now := db.nowUTC()
	sum := sha256.Sum256(u.Data)
	u.SHA256, u.CreatedAt = hex.EncodeToString(sum[:]), now
	u.TakenAt = u.TakenAt.UTC().Truncate(time.Microsecond)
	if len(u.Filename) > 255 {
		u.Filename = u.Filename[:255]
	}
	return db.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.q().row(ctx, `SELECT COUNT(*) FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE a.id = ? AND i.org_id = ?`, u.AccountID, u.OrgID).Scan(&n); err != nil {
			return tx.db.mapErr(err)
		}
		if n == 0 {
			return passerelle.ErrNotFound
		}
		if _, err := tx.q().exec(ctx, `DELETE FROM metric_uploads WHERE committed_at IS NULL AND created_at < ?`, now.Add(-MetricUploadTTL)); err != nil {
			return err
		}
		id, err := tx.q().insert(ctx, `INSERT INTO metric_uploads (org_id, account_id, user_id, filename, sha256, data, taken_at, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, u.OrgID, u.AccountID, u.UserID, u.Filename, u.SHA256, u.Data, u.TakenAt, now)
		u.ID = id
		return err
	})
}

const metricUploadCols = `id, org_id, account_id, user_id, filename, sha256, data, taken_at, created_at, committed_at, imported, skipped`

func scanMetricUpload(sc interface{ Scan(...any) error }) (*MetricUpload, error) {
	var u MetricUpload
	var taken, created, committed nullTime
	err := sc.Scan(&u.ID, &u.OrgID, &u.AccountID, &u.UserID, &u.Filename, &u.SHA256, &u.Data, &taken, &created, &committed, &u.Imported, &u.Skipped)
	u.TakenAt, u.CreatedAt, u.CommittedAt = taken.T, created.T, committed.Ptr()
	return &u, err
}

// MetricUpload returns an upload of the organization made by the user; an upload
// abandoned for more than MetricUploadTTL is not found.
func (db *DB) MetricUpload(ctx context.Context, orgID, userID, id int64) (*MetricUpload, error) {
	u, err := scanMetricUpload(db.r().row(ctx, `SELECT `+metricUploadCols+` FROM metric_uploads WHERE id = ? AND org_id = ? AND user_id = ?`, id, orgID, userID))
	if err != nil {
		return nil, db.mapErr(err)
	}
	if u.CommittedAt == nil && u.CreatedAt.Before(db.nowUTC().Add(-MetricUploadTTL)) {
		return nil, passerelle.ErrNotFound
	}
	return u, nil
}

// PreviousMetricUpload returns the newest committed upload of the same file for the
// same account, other than id, or nil.
func (db *DB) PreviousMetricUpload(ctx context.Context, orgID int64, u *MetricUpload) (*MetricUpload, error) {
	list, err := queryAll(ctx, db, db.r(), `SELECT `+metricUploadCols+` FROM metric_uploads
		WHERE org_id = ? AND account_id = ? AND sha256 = ? AND id <> ? AND committed_at IS NOT NULL ORDER BY committed_at DESC LIMIT 1`,
		[]any{orgID, u.AccountID, u.SHA256, u.ID}, scanMetricUpload)
	if err != nil || len(list) == 0 {
		return nil, err
	}
	return list[0], nil
}

// CommitMetricUpload records that an upload was imported and drops its file; a
// second commit of the same upload is a conflict (the page was submitted twice).
func (db *DB) CommitMetricUpload(ctx context.Context, orgID, id int64, imported, skipped int) error {
	res, err := q{db: db, run: db.write}.exec(ctx, `UPDATE metric_uploads SET committed_at = ?, imported = ?, skipped = ?, data = NULL
		WHERE id = ? AND org_id = ? AND committed_at IS NULL`, db.nowUTC(), imported, skipped, id, orgID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return passerelle.Errorf(passerelle.ECONFLICT, "This file was already imported.")
	}
	return nil
}

// DiscardMetricUpload forgets an uncommitted upload.
func (db *DB) DiscardMetricUpload(ctx context.Context, orgID, userID, id int64) error {
	_, err := q{db: db, run: db.write}.exec(ctx, `DELETE FROM metric_uploads WHERE id = ? AND org_id = ? AND user_id = ? AND committed_at IS NULL`, id, orgID, userID)
	return err
}
