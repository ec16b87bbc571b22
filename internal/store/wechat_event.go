package store

import (
	"context"
	"errors"
	"strings"
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
	// State is pending, processed, or failed: set aside by the drain, with Error
	// saying why (for admins), so that it does not block later events.
	State  string     `json:"state"`
	Failed *time.Time `json:"failed_at"`
	Error  string     `json:"error,omitempty"`
	// unreadable: the stored row cannot be read back (a time out of range).
	unreadable string
}

// Event states.
const (
	EventPending   = "pending"
	EventProcessed = "processed"
	EventFailed    = "failed"
)

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

const eventColumns = `id, account_id, dedup_key, msg_type, event, scene, from_user, sent_at, payload, received_at, processed_at, failed_at, error`

// scanEvent reads an event. A sent_at it cannot read does not fail the list: the event
// is returned marked unreadable, for the drain to set aside.
func scanEvent(s interface{ Scan(...any) error }) (*WeChatEvent, error) {
	var e WeChatEvent
	var sent any
	var received, processed, failed nullTime
	if err := s.Scan(&e.ID, &e.AccountID, &e.DedupKey, &e.MsgType, &e.Event, &e.Scene, &e.FromUser, &sent, &e.Payload, &received, &processed, &failed, &e.Error); err != nil {
		return nil, err
	}
	var st nullTime
	if err := st.Scan(sent); err != nil || !ValidInstant(st.T) {
		e.unreadable = "The push time cannot be read."
		st.T = received.T
	}
	e.SentAt, e.ReceivedAt, e.Processed, e.Failed = st.T, received.T, processed.Ptr(), failed.Ptr()
	switch {
	case e.Processed != nil:
		e.State = EventProcessed
	case e.Failed != nil:
		e.State = EventFailed
	default:
		e.State = EventPending
	}
	return &e, nil
}

// EventFilter selects events of an account, newest first.
type EventFilter struct {
	AccountID int64
	// BeforeID pages backwards.
	BeforeID int64
	Limit    int
	Event    string
	// State keeps one state (EventPending, EventProcessed, EventFailed).
	State string
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
	switch f.State {
	case EventPending:
		w.add("processed_at IS NULL AND failed_at IS NULL")
	case EventProcessed:
		w.add("processed_at IS NOT NULL")
	case EventFailed:
		w.add("failed_at IS NOT NULL")
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
// returns how many were processed. An event that cannot be read, or whose fn fails
// with EINVALID, is set aside (state failed, with the reason) and the batch is tried
// again without it, so that one bad row never blocks the queue; other errors (the
// database) abort the batch, to be retried.
func (db *DB) DrainWeChatEvents(ctx context.Context, limit int, fn func(tx *Tx, e *WeChatEvent) error) (int, error) {
	for {
		n, bad, err := db.drainOnce(ctx, limit, fn)
		if bad == nil {
			return n, err
		}
		if err := db.setAsideEvent(ctx, bad.id, bad.reason); err != nil {
			return 0, err
		}
	}
}

type badEvent struct {
	id     int64
	reason string
}

func (db *DB) drainOnce(ctx context.Context, limit int, fn func(tx *Tx, e *WeChatEvent) error) (int, *badEvent, error) {
	n := 0
	var bad *badEvent
	err := db.inTx(ctx, func(tx *Tx) error {
		// Two drains may overlap (a job enqueued in a later second while one runs). On
		// PostgreSQL each locks the events it takes and skips those another holds, so
		// that no event is applied twice; SQLite's one writer already serializes them.
		query := `SELECT ` + eventColumns + ` FROM wechat_events WHERE processed_at IS NULL AND failed_at IS NULL ORDER BY id LIMIT ?`
		if db.dialect == Postgres {
			query += ` FOR UPDATE SKIP LOCKED`
		}
		events, err := queryAll(ctx, db, tx.q(), query, []any{limit}, scanEvent)
		if err != nil {
			return err
		}
		if len(events) == 0 {
			return nil
		}
		for _, e := range events {
			if e.unreadable != "" {
				bad = &badEvent{e.ID, e.unreadable}
				return errSetAside
			}
			if err := fn(tx, e); err != nil {
				if passerelle.ErrorCode(err) == passerelle.EINVALID {
					bad = &badEvent{e.ID, passerelle.ErrorMessage(err)}
					return errSetAside
				}
				return err
			}
		}
		// One statement marks the batch processed: the events applied above, by id (an
		// id range could take in an event committed meanwhile and never applied). The
		// list is padded to a power of two by repeating the last id, so that a few
		// statement texts, prepared once, serve every batch size.
		size := 1
		for size < len(events) {
			size *= 2
		}
		args := make([]any, 0, 1+size)
		args = append(args, db.nowUTC())
		for i := range size {
			args = append(args, events[min(i, len(events)-1)].ID)
		}
		if _, err := tx.q().exec(ctx, `UPDATE wechat_events SET processed_at = ? WHERE id IN (?`+strings.Repeat(", ?", size-1)+`)`, args...); err != nil {
			return err
		}
		n = len(events)
		return nil
	})
	if bad != nil {
		return 0, bad, nil
	}
	return n, nil, err
}

var errSetAside = errors.New("store: event set aside")

// setAsideEvent marks an event failed with a reason an admin can read. Its sent_at is
// rewritten to the arrival time when it cannot be read back.
func (db *DB) setAsideEvent(ctx context.Context, id int64, reason string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		now := db.nowUTC()
		query := `UPDATE wechat_events SET failed_at = ?, error = ? WHERE id = ?`
		if db.dialect == SQLite {
			query = `UPDATE wechat_events SET failed_at = ?, error = ?, sent_at = CASE WHEN length(sent_at) = 27 THEN sent_at ELSE received_at END WHERE id = ?`
		}
		_, err := tx.q().exec(ctx, query, now, reason, id)
		return err
	})
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
