package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// WeChat mass sends (群发). Each is reserved before message/mass/sendall is called, in a
// transaction that counts the quota, so that neither a second publication nor a second
// instance can spend a quota already taken; a definite refusal releases it.

// Mass-send record states.
const (
	MassSending = "sending" // reserved; the call may be under way (counts against the quota)
	MassSent    = "sent"
	MassFailed  = "failed" // refused by WeChat or never called: no quota used
)

// MassSend is one recorded mass send.
type MassSend struct {
	ID            int64      `json:"id"`
	AccountID     int64      `json:"account_id"`
	PublicationID int64      `json:"publication_id"`
	ClientMsgID   string     `json:"client_msg_id"`
	State         string     `json:"state"`
	ReservedAt    time.Time  `json:"reserved_at"`
	SentAt        *time.Time `json:"sent_at"`
	MsgID         string     `json:"msg_id"`
	MsgDataID     string     `json:"msg_data_id"`
	// The MASSSENDJOBFINISH report: WeChat's status ("send success", "send fail",
	// "err(…)") and counts.
	ReportStatus string     `json:"report_status"`
	TotalCount   *int       `json:"total_count"`
	SentCount    *int       `json:"sent_count"`
	ErrorCount   *int       `json:"error_count"`
	ReportedAt   *time.Time `json:"reported_at"`
}

// MassQuotaUse is how much of a quota window is taken.
type MassQuotaUse struct {
	passerelle.MassWindow
	// Sent counts mass sends made or under way in the window; Scheduled the other
	// publications of the account due in the window that ask for one.
	Sent, Scheduled int
}

// Left is what remains of the window's quota (never negative).
func (u MassQuotaUse) Left() int { return max(0, u.Limit-u.Sent-u.Scheduled) }

// MassQuota reports the quota window of the account at t and how much of it is taken,
// not counting publication exceptPub (0 for none).
func (db *DB) MassQuota(ctx context.Context, accountID int64, at time.Time, exceptPub int64) (MassQuotaUse, error) {
	return massQuota(ctx, db.r(), accountID, at, exceptPub)
}

// MassQuotaTx is MassQuota in a write's transaction.
func (tx *Tx) MassQuotaTx(ctx context.Context, accountID int64, at time.Time, exceptPub int64) (MassQuotaUse, error) {
	return massQuota(ctx, tx.q(), accountID, at, exceptPub)
}

func massQuota(ctx context.Context, x q, accountID int64, at time.Time, exceptPub int64) (MassQuotaUse, error) {
	var typ string
	if err := x.row(ctx, `SELECT wechat_type FROM accounts WHERE id = ?`, accountID).Scan(&typ); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return MassQuotaUse{}, passerelle.ErrNotFound
		}
		return MassQuotaUse{}, err
	}
	u := MassQuotaUse{MassWindow: passerelle.MassQuota(typ, at)}
	if err := x.row(ctx, `SELECT COUNT(*) FROM wechat_mass_sends WHERE account_id = ? AND state <> 'failed' AND reserved_at >= ? AND reserved_at < ?
		AND (publication_id IS NULL OR publication_id <> ?)`, accountID, u.From, u.To, exceptPub).Scan(&u.Sent); err != nil {
		return u, err
	}
	// Publications still to go out in the window that ask for a mass send and have not
	// reserved theirs yet.
	if err := x.row(ctx, `SELECT COUNT(*) FROM publications b JOIN posts p ON p.id = b.post_id
		WHERE b.account_id = ? AND b.mass_send AND b.id <> ? AND p.status = 'scheduled' AND b.state IN ('scheduled', 'publishing')
		AND b.scheduled_at >= ? AND b.scheduled_at < ?
		AND NOT EXISTS (SELECT 1 FROM wechat_mass_sends m WHERE m.publication_id = b.id AND m.state <> 'failed')`,
		accountID, exceptPub, u.From, u.To).Scan(&u.Scheduled); err != nil {
		return u, err
	}
	return u, nil
}

// ErrMassQuota is the cause of ReserveMassSend's refusal when the quota is spent.
var ErrMassQuota = errors.New("store: mass-send quota spent")

// ReserveMassSend reserves the mass send of publication pubID (its clientmsgid) at
// instant at, within the account's quota. It answers the record: a new reservation, or
// the publication's existing one (a retry: still sending, or already sent with its
// ids, in which case nothing must be called). A spent quota answers an error wrapping
// ErrMassQuota whose message says when the quota renews.
func (db *DB) ReserveMassSend(ctx context.Context, accountID, pubID int64, clientMsgID string, at time.Time) (*MassSend, error) {
	var out *MassSend
	err := db.inTx(ctx, func(tx *Tx) error {
		// Serialise the account's reservations (SQLite's single writer does it already).
		if db.dialect == Postgres {
			if _, err := tx.ExecContext(ctx, `SELECT id FROM accounts WHERE id = $1 FOR UPDATE`, accountID); err != nil {
				return err
			}
		}
		prev, err := massSendBy(ctx, tx.q(), `account_id = ? AND client_msg_id = ?`, accountID, clientMsgID)
		if err != nil && !errors.Is(err, passerelle.ErrNotFound) {
			return err
		}
		if prev != nil && prev.State != MassFailed {
			out = prev
			return nil
		}
		u, err := massQuota(ctx, tx.q(), accountID, at, pubID)
		if err != nil {
			return err
		}
		if u.Sent >= u.Limit {
			return &passerelle.Error{Code: passerelle.ECONFLICT, Err: ErrMassQuota,
				Message: massQuotaMessage(u)}
		}
		at := at.UTC().Truncate(time.Microsecond)
		if prev != nil {
			if _, err := tx.q().exec(ctx, `UPDATE wechat_mass_sends SET state = 'sending', reserved_at = ?, publication_id = ? WHERE id = ?`, at, pubID, prev.ID); err != nil {
				return err
			}
			prev.State, prev.ReservedAt = MassSending, at
			out = prev
			return nil
		}
		id, err := tx.q().insert(ctx, `INSERT INTO wechat_mass_sends (account_id, publication_id, client_msg_id, state, reserved_at) VALUES (?, ?, ?, 'sending', ?)`,
			accountID, pubID, clientMsgID, at)
		if err != nil {
			return err
		}
		out = &MassSend{ID: id, AccountID: accountID, PublicationID: pubID, ClientMsgID: clientMsgID, State: MassSending, ReservedAt: at}
		return nil
	})
	return out, err
}

// massQuotaMessage says that the quota is spent (the quota's renewal is shown next to
// the mass-send option).
func massQuotaMessage(u MassQuotaUse) string {
	if u.Limit > 1 {
		return "The account's four mass sends of this month are taken (a service account has four a month, Beijing time). Untick the mass send or move the publication to another month."
	}
	return "The account's mass send of the day is taken (a subscription account has one a day, Beijing time). Untick the mass send or move the publication to another day."
}

// MassQuotaError is the refusal of a mass send over quota, for callers that check the
// quota themselves (scheduling).
func MassQuotaError(u MassQuotaUse) error {
	return &passerelle.Error{Code: passerelle.ECONFLICT, Err: ErrMassQuota, Message: massQuotaMessage(u)}
}

// FinishMassSend records how the publication's mass send ended: sent with WeChat's ids,
// or failed (refused: the quota is released).
func (db *DB) FinishMassSend(ctx context.Context, accountID int64, clientMsgID, state, msgID, msgDataID string) error {
	var sentAt any
	if state == MassSent {
		sentAt = db.nowUTC()
	}
	_, err := db.write.ExecContext(ctx, db.rebind(`UPDATE wechat_mass_sends SET state = ?, msg_id = COALESCE(NULLIF(?, ''), msg_id), msg_data_id = COALESCE(NULLIF(?, ''), msg_data_id),
		sent_at = COALESCE(sent_at, ?) WHERE account_id = ? AND client_msg_id = ?`), db.args([]any{state, msgID, msgDataID, sentAt, accountID, clientMsgID})...)
	return db.mapErr(err)
}

// MassSendReport records WeChat's MASSSENDJOBFINISH report of the account's mass send
// msgID, in the transaction that processes the event, and answers the publication it
// belongs to (0 when Passerelle made no such mass send: one from the console).
func (tx *Tx) MassSendReport(ctx context.Context, accountID int64, msgID, status string, total, sent, errs int) (int64, error) {
	var pubID *int64
	err := tx.q().row(ctx, `SELECT publication_id FROM wechat_mass_sends WHERE account_id = ? AND msg_id = ?`, accountID, msgID).Scan(&pubID)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	if _, err := tx.q().exec(ctx, `UPDATE wechat_mass_sends SET report_status = ?, total_count = ?, sent_count = ?, error_count = ?, reported_at = ? WHERE account_id = ? AND msg_id = ?`,
		status, total, sent, errs, tx.db.nowUTC(), accountID, msgID); err != nil {
		return 0, err
	}
	if pubID == nil {
		return 0, nil
	}
	return *pubID, nil
}

// PublicationMassSend returns a publication's mass send, or ErrNotFound.
func (db *DB) PublicationMassSend(ctx context.Context, publicationID int64) (*MassSend, error) {
	return massSendBy(ctx, db.r(), `publication_id = ? ORDER BY id DESC LIMIT 1`, publicationID)
}

func massSendBy(ctx context.Context, x q, cond string, args ...any) (*MassSend, error) {
	var m MassSend
	var pubID *int64
	var msgID, msgDataID *string
	var reserved, sentAt, reportedAt nullTime
	err := x.row(ctx, `SELECT id, account_id, publication_id, client_msg_id, state, reserved_at, sent_at, msg_id, msg_data_id, report_status, total_count, sent_count, error_count, reported_at
		FROM wechat_mass_sends WHERE `+cond, args...).Scan(&m.ID, &m.AccountID, &pubID, &m.ClientMsgID, &m.State, &reserved, &sentAt, &msgID, &msgDataID,
		&m.ReportStatus, &m.TotalCount, &m.SentCount, &m.ErrorCount, &reportedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, passerelle.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if pubID != nil {
		m.PublicationID = *pubID
	}
	if msgID != nil {
		m.MsgID = *msgID
	}
	if msgDataID != nil {
		m.MsgDataID = *msgDataID
	}
	m.ReservedAt, m.SentAt, m.ReportedAt = reserved.T, sentAt.Ptr(), reportedAt.Ptr()
	return &m, nil
}

// MassSendRef returns the msg_data_id recorded for the account's mass send msgID.
func (tx *Tx) MassSendRef(ctx context.Context, accountID int64, msgID string) (string, error) {
	var v *string
	err := tx.q().row(ctx, `SELECT msg_data_id FROM wechat_mass_sends WHERE account_id = ? AND msg_id = ?`, accountID, msgID).Scan(&v)
	if err != nil || v == nil {
		return "", tx.db.mapErr(err)
	}
	return *v, nil
}

// SetPublishedURL gives a published publication its address when it has none yet (a
// mass send's report arriving after polling ended it).
func (tx *Tx) SetPublishedURL(ctx context.Context, publicationID int64, url string) error {
	if url == "" {
		return nil
	}
	_, err := tx.q().exec(ctx, `UPDATE publications SET url = ? WHERE id = ? AND url = '' AND state = 'published'`, url, publicationID)
	return err
}
