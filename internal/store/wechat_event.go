package store

import (
	"context"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// WeChatEvent is a push from WeChat as stored.
type WeChatEvent struct {
	ID         int64      `json:"id"`
	AccountID  int64      `json:"account_id"`
	DedupKey   string     `json:"-"`
	MsgType    string     `json:"msg_type"`
	Event      string     `json:"event"`
	Scene      string     `json:"scene"`
	FromUser   string     `json:"-"` // an OpenID: personal data, never listed by the API
	SentAt     time.Time  `json:"sent_at"`
	Payload    string     `json:"-"`
	ReceivedAt time.Time  `json:"received_at"`
	Processed  *time.Time `json:"processed_at"`
}

// Push is one verified push to store: its event (nil for a bare replay check), and the
// replay key of the signed request that carried it.
type Push struct {
	AccountID int64
	SigKey    string
	BodyHash  string
	Event     *WeChatEvent
}

// PushOutcome says what happened to one Push.
type PushOutcome int

const (
	// PushStored: a new event was stored.
	PushStored PushOutcome = iota
	// PushDuplicate: the event was already stored (a retry); nothing changed.
	PushDuplicate
	// PushReplayed: the signed request was seen before with another body: refused.
	PushReplayed
)

// StorePushes stores a batch of pushes in one transaction (one fsync for many events)
// and calls then inside it, with the number of new events, so a drain job can be
// enqueued atomically. It returns one outcome per push.
func (db *DB) StorePushes(ctx context.Context, pushes []Push, then func(tx *Tx, stored int) error) ([]PushOutcome, error) {
	out := make([]PushOutcome, len(pushes))
	now := db.nowUTC()
	err := db.inTx(ctx, func(tx *Tx) error {
		stored := 0
		for i, p := range pushes {
			res, err := tx.q().exec(ctx, `INSERT INTO push_replays (account_id, sig_key, body_hash, seen_at) VALUES (?, ?, ?, ?) ON CONFLICT (account_id, sig_key) DO NOTHING`,
				p.AccountID, p.SigKey, p.BodyHash, now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				var seen string
				if err := tx.q().row(ctx, `SELECT body_hash FROM push_replays WHERE account_id = ? AND sig_key = ?`, p.AccountID, p.SigKey).Scan(&seen); err != nil {
					return db.mapErr(err)
				}
				if seen != p.BodyHash {
					out[i] = PushReplayed
					continue
				}
			}
			if p.Event == nil {
				out[i] = PushDuplicate
				continue
			}
			e := p.Event
			res, err = tx.q().exec(ctx, `INSERT INTO wechat_events (account_id, dedup_key, msg_type, event, scene, from_user, sent_at, payload, received_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (account_id, dedup_key) DO NOTHING`,
				p.AccountID, e.DedupKey, e.MsgType, e.Event, e.Scene, e.FromUser, e.SentAt, e.Payload, now)
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				out[i] = PushDuplicate
				continue
			}
			out[i] = PushStored
			stored++
		}
		if then != nil {
			return then(tx, stored)
		}
		return nil
	})
	return out, err
}

const eventColumns = `id, account_id, dedup_key, msg_type, event, scene, from_user, sent_at, payload, received_at, processed_at`

func scanEvent(s interface{ Scan(...any) error }) (*WeChatEvent, error) {
	var e WeChatEvent
	var sent, received, processed nullTime
	if err := s.Scan(&e.ID, &e.AccountID, &e.DedupKey, &e.MsgType, &e.Event, &e.Scene, &e.FromUser, &sent, &e.Payload, &received, &processed); err != nil {
		return nil, err
	}
	e.SentAt, e.ReceivedAt, e.Processed = sent.T, received.T, processed.Ptr()
	return &e, nil
}

// EventFilter selects events of an account, newest first.
type EventFilter struct {
	AccountID int64
	// BeforeID pages backwards.
	BeforeID int64
	Limit    int
	Event    string
}

// WeChatEvents lists an account's events, newest first.
func (db *DB) WeChatEvents(ctx context.Context, f EventFilter) ([]*WeChatEvent, error) {
	w := where{}
	w.add("account_id = ?", f.AccountID)
	if f.BeforeID > 0 {
		w.add("id < ?", f.BeforeID)
	}
	if f.Event != "" {
		w.add("event = ?", f.Event)
	}
	query := `SELECT ` + eventColumns + ` FROM wechat_events` + w.sql() + ` ORDER BY id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		w.args = append(w.args, f.Limit)
	}
	return queryAll(ctx, db, db.r(), query, w.args, scanEvent)
}

// CountWeChatEvents counts an account's stored events (for tests and benchmarks).
func (db *DB) CountWeChatEvents(ctx context.Context, accountID int64) (int, error) {
	var n int
	err := db.r().row(ctx, `SELECT COUNT(*) FROM wechat_events WHERE account_id = ?`, accountID).Scan(&n)
	return n, db.mapErr(err)
}

// DrainWeChatEvents processes up to limit unprocessed events in one transaction:
// fn sees each event and may write in tx; the events are then marked processed. It
// returns how many were processed.
func (db *DB) DrainWeChatEvents(ctx context.Context, limit int, fn func(tx *Tx, e *WeChatEvent) error) (int, error) {
	n := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		events, err := queryAll(ctx, db, tx.q(), `SELECT `+eventColumns+` FROM wechat_events WHERE processed_at IS NULL ORDER BY id LIMIT ?`, []any{limit}, scanEvent)
		if err != nil {
			return err
		}
		now := db.nowUTC()
		for _, e := range events {
			if err := fn(tx, e); err != nil {
				return err
			}
			if _, err := tx.q().exec(ctx, `UPDATE wechat_events SET processed_at = ? WHERE id = ?`, now, e.ID); err != nil {
				return err
			}
		}
		n = len(events)
		return nil
	})
	return n, err
}

// AddFollowers changes an account's follower count by delta when the count is known,
// inside tx (a subscribe or unsubscribe push).
func (tx *Tx) AddFollowers(ctx context.Context, accountID, delta int64) error {
	now := tx.db.nowUTC()
	_, err := tx.q().exec(ctx, `UPDATE accounts SET followers = CASE WHEN followers + ? < 0 THEN 0 ELSE followers + ? END, followers_at = ? WHERE id = ? AND followers IS NOT NULL`, delta, delta, now, accountID)
	return err
}

// PrunePushReplays forgets replay keys older than the push time window.
func (db *DB) PrunePushReplays(ctx context.Context, olderThan time.Duration) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.q().exec(ctx, `DELETE FROM push_replays WHERE seen_at < ?`, db.nowUTC().Add(-olderThan))
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	})
	return n, err
}

// AccountForPush returns the account and its opened credentials for a push endpoint.
// Unknown or archived accounts, and accounts of another platform, are not found.
func (db *DB) AccountForPush(ctx context.Context, accountID int64) (*passerelle.Account, map[string]string, error) {
	a, err := scanAccount(db.r().row(ctx, `SELECT `+accountColumns+` FROM accounts a WHERE a.id = ? AND a.archived_at IS NULL AND a.platform = 'wechat'`, accountID))
	if err != nil {
		return nil, nil, db.mapErr(err)
	}
	creds, err := db.Credentials(ctx, accountID)
	return a, creds, err
}
