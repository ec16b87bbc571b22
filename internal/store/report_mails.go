package store

import (
	"context"
)

// ReportInstitution is an institution that receives monthly reports.
type ReportInstitution struct {
	ID, OrgID      int64
	Name, NameFR   string
	NameEN, NameZH string
	TimeZone       string
}

// ReportInstitutions lists the institutions that are not archived, by id.
func (db *DB) ReportInstitutions(ctx context.Context) ([]ReportInstitution, error) {
	return queryAll(ctx, db, db.r(), `SELECT id, org_id, name, name_fr, name_en, name_zh, time_zone FROM institutions WHERE archived_at IS NULL ORDER BY id`, nil,
		func(sc interface{ Scan(...any) error }) (ReportInstitution, error) {
			var i ReportInstitution
			err := sc.Scan(&i.ID, &i.OrgID, &i.Name, &i.NameFR, &i.NameEN, &i.NameZH, &i.TimeZone)
			return i, err
		})
}

// ReportRecipient is a person who receives an institution's monthly report.
type ReportRecipient struct {
	UserID              int64
	Email, Name, Locale string
}

// InstitutionReviewers lists the enabled users who hold the reviewer role on the
// institution, by id.
func (db *DB) InstitutionReviewers(ctx context.Context, institutionID int64) ([]ReportRecipient, error) {
	return queryAll(ctx, db, db.r(), `SELECT u.id, u.email, u.name, u.locale FROM users u JOIN memberships m ON m.user_id = u.id
		WHERE m.institution_id = ? AND m.role = 'reviewer' AND u.disabled_at IS NULL ORDER BY u.id`, []any{institutionID},
		func(sc interface{ Scan(...any) error }) (ReportRecipient, error) {
			var r ReportRecipient
			err := sc.Scan(&r.UserID, &r.Email, &r.Name, &r.Locale)
			return r, err
		})
}

// ClaimReportMail records that the month's report of an institution goes to a user;
// false when it already went (or is going) there.
func (db *DB) ClaimReportMail(ctx context.Context, institutionID int64, month string, userID int64) (bool, error) {
	res, err := q{db: db, run: db.write}.exec(ctx, `INSERT INTO report_mails (institution_id, month, user_id, sent_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (institution_id, month, user_id) DO NOTHING`, institutionID, month, userID, db.nowUTC())
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReleaseReportMail forgets a claim whose mail could not be sent, so that it is sent
// at the next run.
func (db *DB) ReleaseReportMail(ctx context.Context, institutionID int64, month string, userID int64) error {
	_, err := q{db: db, run: db.write}.exec(ctx, `DELETE FROM report_mails WHERE institution_id = ? AND month = ? AND user_id = ?`, institutionID, month, userID)
	return err
}
