package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// Notifications tell the people who publish for an institution what needs them: a
// failure, an unknown outcome, an authorisation to renew, a kit that is due.

// Notification kinds.
const (
	KindFailed      = "failed"
	KindNeedsCheck  = "needs_check"
	KindNeedsReauth = "needs_reauth"
	KindKitDue      = "kit_due"
	KindDraftReady  = "draft_uploaded"
	KindPublished   = "published"
	// KindRelayDue: a partner of a relay campaign is still invited after the
	// campaign's reminder delay.
	KindRelayDue = "relay_due"
)

// Notification is one message to one user.
type Notification struct {
	ID            int64      `json:"id"`
	Kind          string     `json:"kind"`
	InstitutionID int64      `json:"institution_id"`
	PostID        int64      `json:"post_id"`
	PublicationID int64      `json:"publication_id"`
	PostTitle     string     `json:"post_title"`
	Detail        string     `json:"detail"`
	CreatedAt     time.Time  `json:"created_at"`
	ReadAt        *time.Time `json:"read_at"`
}

// notifyPublishers notifies the users who may schedule on the publication's
// institution (owners, admins, editors), once per publication, kind and attempt.
func (tx *Tx) notifyPublishers(ctx context.Context, publicationID int64, kind, detail string) error {
	var orgID, institutionID, postID int64
	var attempts int
	if err := tx.q().row(ctx, `SELECT i.org_id, p.institution_id, p.id, b.attempts FROM publications b JOIN posts p ON p.id = b.post_id JOIN institutions i ON i.id = p.institution_id WHERE b.id = ?`,
		publicationID).Scan(&orgID, &institutionID, &postID, &attempts); err != nil {
		return tx.db.mapErr(err)
	}
	dedupe := fmt.Sprintf("%s:%d:%d", kind, publicationID, attempts)
	if len(detail) > 2000 {
		detail = detail[:2000]
	}
	_, err := tx.q().exec(ctx, `INSERT INTO notifications (org_id, user_id, kind, institution_id, post_id, publication_id, detail, dedupe, created_at)
		SELECT ?, u.id, ?, ?, ?, ?, ?, ?, ? FROM users u WHERE u.org_id = ? AND u.disabled_at IS NULL AND (u.owner = ? OR EXISTS
			(SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.institution_id = ? AND m.role IN ('admin', 'editor')))
		ON CONFLICT (user_id, dedupe) DO NOTHING`,
		orgID, kind, institutionID, postID, publicationID, detail, dedupe, tx.db.nowUTC(), orgID, true, institutionID)
	return err
}

// Notifications lists a user's notifications, newest first.
func (db *DB) Notifications(ctx context.Context, userID int64, unreadOnly bool, limit int) ([]*Notification, error) {
	q := `SELECT n.id, n.kind, COALESCE(n.institution_id, 0), COALESCE(n.post_id, 0), COALESCE(n.publication_id, 0), COALESCE(p.title, ''), n.detail, n.created_at, n.read_at
		FROM notifications n LEFT JOIN posts p ON p.id = n.post_id WHERE n.user_id = ?`
	if unreadOnly {
		q += ` AND n.read_at IS NULL`
	}
	q += ` ORDER BY n.id DESC LIMIT ?`
	return queryAll(ctx, db, db.r(), q, []any{userID, limit}, func(s interface{ Scan(...any) error }) (*Notification, error) {
		var n Notification
		var created, read nullTime
		if err := s.Scan(&n.ID, &n.Kind, &n.InstitutionID, &n.PostID, &n.PublicationID, &n.PostTitle, &n.Detail, &created, &read); err != nil {
			return nil, err
		}
		n.CreatedAt, n.ReadAt = created.T, read.Ptr()
		return &n, nil
	})
}

// UnreadNotifications counts a user's unread notifications.
func (db *DB) UnreadNotifications(ctx context.Context, userID int64) (int, error) {
	var n int
	err := db.r().row(ctx, `SELECT COUNT(*) FROM notifications WHERE user_id = ? AND read_at IS NULL`, userID).Scan(&n)
	return n, db.mapErr(err)
}

// MarkNotificationsRead marks a user's notification (or, with id 0, all of them) read.
func (db *DB) MarkNotificationsRead(ctx context.Context, userID, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		q, args := `UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL`, []any{db.nowUTC(), userID}
		if id > 0 {
			q, args = q+` AND id = ?`, append(args, id)
		}
		_, err := tx.q().exec(ctx, q, args...)
		return err
	})
}

// ReadPublicationNotifications marks read, for every user, the unread notifications of
// these kinds about a publication: what they asked a person to do is done (the kit
// posted, the outcome resolved, the account reconnected), so the bell no longer
// counts them and the digest leaves them out.
func (db *DB) ReadPublicationNotifications(ctx context.Context, publicationID int64, kinds ...string) error {
	if len(kinds) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *Tx) error {
		args := []any{db.nowUTC(), publicationID}
		for _, k := range kinds {
			args = append(args, k)
		}
		_, err := tx.q().exec(ctx, `UPDATE notifications SET read_at = ? WHERE publication_id = ? AND read_at IS NULL AND kind IN (?`+strings.Repeat(",?", len(kinds)-1)+`)`, args...)
		return err
	})
}

// DigestRecipient is a user with notifications not yet e-mailed.
type DigestRecipient struct {
	UserID int64
	Email  string
	Locale string
	Items  []*Notification
}

// PendingDigests lists the unread notifications not yet e-mailed, per user.
func (db *DB) PendingDigests(ctx context.Context) ([]*DigestRecipient, error) {
	type row struct {
		email, locale string
		n             Notification
		userID        int64
	}
	rows, err := queryAll(ctx, db, db.r(), `SELECT u.id, u.email, u.locale, n.id, n.kind, COALESCE(n.post_id, 0), COALESCE(n.publication_id, 0), COALESCE(p.title, ''), n.detail, n.created_at
		FROM notifications n JOIN users u ON u.id = n.user_id LEFT JOIN posts p ON p.id = n.post_id
		WHERE n.emailed_at IS NULL AND n.read_at IS NULL AND u.disabled_at IS NULL ORDER BY u.id, n.id`, nil,
		func(s interface{ Scan(...any) error }) (row, error) {
			var r row
			var created nullTime
			err := s.Scan(&r.userID, &r.email, &r.locale, &r.n.ID, &r.n.Kind, &r.n.PostID, &r.n.PublicationID, &r.n.PostTitle, &r.n.Detail, &created)
			r.n.CreatedAt = created.T
			return r, err
		})
	if err != nil {
		return nil, err
	}
	var out []*DigestRecipient
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].UserID != r.userID {
			out = append(out, &DigestRecipient{UserID: r.userID, Email: r.email, Locale: r.locale})
		}
		n := r.n
		out[len(out)-1].Items = append(out[len(out)-1].Items, &n)
	}
	return out, nil
}

// MarkEmailed records that notifications went out by e-mail.
func (db *DB) MarkEmailed(ctx context.Context, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	return db.inTx(ctx, func(tx *Tx) error {
		w := where{}
		w.in("id", ids)
		_, err := tx.q().exec(ctx, `UPDATE notifications SET emailed_at = ?`+w.sql(), append([]any{db.nowUTC()}, w.args...)...)
		return err
	})
}
