package store

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// CollectionSettings are an organization's collection schedule and quotas.
type CollectionSettings struct {
	// Hours are the early readings, in hours after publication (Weibo): 1, 3, 6, 12, 24.
	Hours []int `json:"hours"`
	// WeiboDays: then one reading a day up to this day after publication (10).
	WeiboDays int `json:"weibo_days"`
	// WeChatDays: the datacube's figures of each day up to this day (7, WeChat's most).
	WeChatDays int `json:"wechat_days"`
	// WeiboReadsPerHour is each Weibo account's budget of read calls per clock hour.
	WeiboReadsPerHour int `json:"weibo_reads_per_hour"`
	// WeChatCallsPerDay is each WeChat account's budget of datacube calls per Beijing day.
	WeChatCallsPerDay int `json:"wechat_calls_per_day"`
}

// DefaultCollectionSettings: the schedule of the issue, and quotas well inside the
// platforms' (PLATFORMS.md: 150 reads an hour for an unreviewed Weibo app).
func DefaultCollectionSettings() CollectionSettings {
	return CollectionSettings{Hours: []int{1, 3, 6, 12, 24}, WeiboDays: 10, WeChatDays: 7, WeiboReadsPerHour: 150, WeChatCallsPerDay: 500}
}

// Validate reports every invalid field.
func (s *CollectionSettings) Validate() error {
	f := passerelle.FieldErrors{}
	if len(s.Hours) > 24 {
		f.Add("hours", "At most 24 early readings.")
	}
	for i, h := range s.Hours {
		if h < 1 || h > 24*60 || (i > 0 && h <= s.Hours[i-1]) {
			f.Add("hours", "Hours must be increasing, from 1 to 1440.")
			break
		}
	}
	if s.WeiboDays < 1 || s.WeiboDays > 60 {
		f.Add("weibo_days", "Between 1 and 60 days.")
	}
	if s.WeChatDays < 1 || s.WeChatDays > 7 {
		f.Add("wechat_days", "Between 1 and 7 days (WeChat keeps an article's figures for 7 days).")
	}
	if s.WeiboReadsPerHour < 1 || s.WeiboReadsPerHour > 100000 {
		f.Add("weibo_reads_per_hour", "Between 1 and 100000.")
	}
	if s.WeChatCallsPerDay < 1 || s.WeChatCallsPerDay > 100000 {
		f.Add("wechat_calls_per_day", "Between 1 and 100000.")
	}
	return f.Err()
}

// CollectionSettings returns the organization's settings, the defaults when none were set.
func (db *DB) CollectionSettings(ctx context.Context, orgID int64) (CollectionSettings, error) {
	s := DefaultCollectionSettings()
	var hours string
	err := db.r().row(ctx, `SELECT hours, weibo_days, wechat_days, weibo_reads_per_hour, wechat_calls_per_day FROM collection_settings WHERE org_id = ?`, orgID).
		Scan(&hours, &s.WeiboDays, &s.WeChatDays, &s.WeiboReadsPerHour, &s.WeChatCallsPerDay)
	if err != nil {
		if passerelle.ErrorCode(db.mapErr(err)) == passerelle.ENOTFOUND {
			return DefaultCollectionSettings(), nil
		}
		return s, db.mapErr(err)
	}
	s.Hours = nil
	for h := range strings.SplitSeq(hours, ",") {
		if n, err := strconv.Atoi(h); err == nil {
			s.Hours = append(s.Hours, n)
		}
	}
	return s, nil
}

// SetCollectionSettings validates and stores the organization's settings.
func (db *DB) SetCollectionSettings(ctx context.Context, orgID int64, s CollectionSettings) error {
	if err := s.Validate(); err != nil {
		return err
	}
	hours := make([]string, len(s.Hours))
	for i, h := range s.Hours {
		hours[i] = strconv.Itoa(h)
	}
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `INSERT INTO collection_settings (org_id, hours, weibo_days, wechat_days, weibo_reads_per_hour, wechat_calls_per_day, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET hours = excluded.hours, weibo_days = excluded.weibo_days,
			wechat_days = excluded.wechat_days, weibo_reads_per_hour = excluded.weibo_reads_per_hour,
			wechat_calls_per_day = excluded.wechat_calls_per_day, updated_at = excluded.updated_at`,
			orgID, strings.Join(hours, ","), s.WeiboDays, s.WeChatDays, s.WeiboReadsPerHour, s.WeChatCallsPerDay, db.nowUTC())
		return err
	})
}

// CollectionCandidate is a published publication within the collection window, with
// the latest slot already collected (-1 when none).
type CollectionCandidate struct {
	PublicationID  int64
	AccountID      int64
	OrgID          int64
	PlatformPostID string
	URL            string
	// MsgDataID is WeChat's msg_data_id recorded when the publication was submitted.
	MsgDataID   string
	Position    int
	Title       string
	PublishedAt time.Time
	LastSlot    int
}

// CollectionCandidates lists the published publications of managed, unarchived
// accounts of the platform published at or after since (of one account when accountID
// is not zero), by account then instant.
func (db *DB) CollectionCandidates(ctx context.Context, platform passerelle.Platform, accountID int64, since time.Time) ([]CollectionCandidate, error) {
	w := where{}
	w.add("a.platform = ?", string(platform))
	w.add("p.published_at >= ?", since)
	w.add("p.state = ?", string(passerelle.DeliveryPublished))
	w.add("a.kind = ?", passerelle.AccountManaged)
	w.add("a.archived_at IS NULL")
	if accountID != 0 {
		w.add("p.account_id = ?", accountID)
	}
	query := `SELECT p.id, p.account_id, i.org_id, COALESCE(p.platform_post_id, ''), p.url, p.ref, p.position, po.title, p.published_at,
		COALESCE((SELECT MAX(s.slot) FROM collection_slots s WHERE s.publication_id = p.id), -1)
		FROM publications p JOIN accounts a ON a.id = p.account_id JOIN institutions i ON i.id = a.institution_id
		JOIN posts po ON po.id = p.post_id` + w.sql() + ` ORDER BY p.account_id, p.published_at, p.id`
	return queryAll(ctx, db, db.r(), query, w.args, func(sc interface{ Scan(...any) error }) (CollectionCandidate, error) {
		var c CollectionCandidate
		var ref string
		var at nullTime
		err := sc.Scan(&c.PublicationID, &c.AccountID, &c.OrgID, &c.PlatformPostID, &c.URL, &ref, &c.Position, &c.Title, &at, &c.LastSlot)
		c.PublishedAt = at.T
		var m map[string]string
		if json.Unmarshal([]byte(ref), &m) == nil {
			c.MsgDataID = m["msg_data_id"]
		}
		return c, err
	})
}

// CollectedReading is what one collection gives a publication: the slots it fills
// and the reading (nil when the platform no longer knows the post: the slots are
// filled all the same, so that it is not asked again).
type CollectedReading struct {
	PublicationID int64
	Slots         []int
	Snapshot      *PublicationSnapshot
}

// RecordCollection writes readings with the slots they fill, all or nothing. A
// publication whose slots were all filled already (a job run twice) gets no new
// reading: collection is idempotent per publication and slot. It returns how many
// readings were written.
func (db *DB) RecordCollection(ctx context.Context, readings []CollectedReading) (int, error) {
	n, _, err := db.RecordCollections(ctx, readings, nil)
	return n, err
}

// RecordCollections writes publications' readings (as RecordCollection) and relays'
// (as RecordRelayReadings) in one transaction: one batch of a counts call is written
// all or nothing. It returns how many readings of each were written.
func (db *DB) RecordCollections(ctx context.Context, readings []CollectedReading, relays []CollectedRelayReading) (int, int, error) {
	now := db.nowUTC()
	for _, r := range readings {
		if r.Snapshot == nil {
			continue
		}
		r.Snapshot.PublicationID = r.PublicationID
		r.Snapshot.TakenAt = r.Snapshot.TakenAt.UTC().Truncate(time.Microsecond)
		if err := r.Snapshot.Validate(now); err != nil {
			return 0, 0, err
		}
	}
	for _, r := range relays {
		if r.Counts != nil {
			if err := r.Counts.Validate(); err != nil {
				return 0, 0, err
			}
		}
	}
	written, relayed := 0, 0
	err := db.inTx(ctx, func(tx *Tx) error {
		written, relayed = 0, 0
		var err error
		if relayed, err = recordRelayReadings(ctx, db, tx, relays, now); err != nil {
			return err
		}
		w, err := newSnapshotWriter(ctx, tx)
		if err != nil {
			return err
		}
		defer w.close()
		for _, r := range readings {
			at := now
			if r.Snapshot != nil {
				at = r.Snapshot.TakenAt
			}
			fresh := 0
			for _, slot := range slices.Compact(slices.Sorted(slices.Values(r.Slots))) {
				res, err := tx.q().exec(ctx, `INSERT INTO collection_slots (publication_id, slot, taken_at) VALUES (?, ?, ?) ON CONFLICT (publication_id, slot) DO NOTHING`,
					r.PublicationID, slot, at)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n > 0 {
					fresh++
				}
			}
			if fresh == 0 || r.Snapshot == nil {
				continue
			}
			if err := w.write(ctx, r.Snapshot, now); err != nil {
				return err
			}
			written++
		}
		return nil
	})
	return written, relayed, err
}

// CollectionAccount is a managed account whose figures are collected.
type CollectionAccount struct {
	ID    int64
	OrgID int64
}

// CollectionAccounts lists the managed, unarchived accounts of the platform that have
// credentials, with their organization.
func (db *DB) CollectionAccounts(ctx context.Context, platform passerelle.Platform) ([]CollectionAccount, error) {
	return queryAll(ctx, db, db.r(), `SELECT a.id, i.org_id FROM accounts a JOIN institutions i ON i.id = a.institution_id
		WHERE a.platform = ? AND a.kind = ? AND a.archived_at IS NULL AND EXISTS (SELECT 1 FROM account_credentials c WHERE c.account_id = a.id)
		ORDER BY a.id`, []any{string(platform), passerelle.AccountManaged},
		func(sc interface{ Scan(...any) error }) (CollectionAccount, error) {
			var a CollectionAccount
			return a, sc.Scan(&a.ID, &a.OrgID)
		})
}

// CollectionState is where an account's collection stands.
type CollectionState struct {
	BlockedUntil *time.Time
	NeedsReauth  bool
	LastError    string
	HourStart    time.Time
	HourCalls    int
	DayStart     string
	DayCalls     int
}

// CollectionStateOf returns an account's collection state (zero when never collected).
func (db *DB) CollectionStateOf(ctx context.Context, accountID int64) (CollectionState, error) {
	var s CollectionState
	var blocked, hour nullTime
	err := db.r().row(ctx, `SELECT blocked_until, needs_reauth, last_error, hour_start, calls, day_start, day_calls FROM collection_budgets WHERE account_id = ?`, accountID).
		Scan(&blocked, &s.NeedsReauth, &s.LastError, &hour, &s.HourCalls, &s.DayStart, &s.DayCalls)
	if err != nil {
		if passerelle.ErrorCode(db.mapErr(err)) == passerelle.ENOTFOUND {
			return CollectionState{}, nil
		}
		return s, db.mapErr(err)
	}
	s.BlockedUntil, s.HourStart = blocked.Ptr(), hour.T
	return s, nil
}

// TakeDailyCalls reserves up to n calls of an account's daily budget (limit per day,
// the day named by the caller, e.g. in Beijing) and returns how many it may make now:
// zero while the account is blocked or waits for re-authorisation.
func (db *DB) TakeDailyCalls(ctx context.Context, accountID int64, n, limit int, day string, now time.Time) (int, error) {
	got := 0
	err := db.inTx(ctx, func(tx *Tx) error {
		var blocked nullTime
		var start string
		var calls int
		var reauth bool
		err := tx.q().row(ctx, `SELECT day_start, day_calls, blocked_until, needs_reauth FROM collection_budgets WHERE account_id = ?`, accountID).Scan(&start, &calls, &blocked, &reauth)
		switch code := passerelle.ErrorCode(db.mapErr(err)); {
		case err == nil:
		case code == passerelle.ENOTFOUND:
		default:
			return db.mapErr(err)
		}
		if reauth || (blocked.Valid && now.Before(blocked.T)) {
			return nil
		}
		if start != day {
			calls = 0
		}
		got = max(0, min(n, limit-calls))
		_, err = tx.q().exec(ctx, `INSERT INTO collection_budgets (account_id, hour_start, calls, day_start, day_calls) VALUES (?, ?, 0, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET day_start = excluded.day_start, day_calls = excluded.day_calls, blocked_until = NULL`,
			accountID, now.UTC().Truncate(time.Hour), day, calls+got)
		return err
	})
	return got, err
}

// MarkCollectionReauth stops collecting an account until it is connected again.
func (db *DB) MarkCollectionReauth(ctx context.Context, accountID int64, reason string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `INSERT INTO collection_budgets (account_id, hour_start, calls, needs_reauth, last_error) VALUES (?, ?, 0, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET needs_reauth = excluded.needs_reauth, last_error = excluded.last_error`,
			accountID, db.nowUTC().Truncate(time.Hour), true, reason)
		return err
	})
}

// ResumeCollection lets an account's collection go on after a reconnection and says
// whether it was waiting for one.
func (db *DB) ResumeCollection(ctx context.Context, accountID int64) (bool, error) {
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.q().exec(ctx, `UPDATE collection_budgets SET needs_reauth = ?, blocked_until = NULL, last_error = '' WHERE account_id = ? AND needs_reauth = ?`, false, accountID, true)
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n > 0, err
}

// TakeHourlyCalls is TakeCalls that also refuses while the account waits for
// re-authorisation.
func (db *DB) TakeHourlyCalls(ctx context.Context, accountID int64, n, limit int, now time.Time) (int, error) {
	st, err := db.CollectionStateOf(ctx, accountID)
	if err != nil || st.NeedsReauth {
		return 0, err
	}
	return db.TakeCalls(ctx, accountID, n, limit, now)
}

// RecordAPIFollowers writes an account's follower reading taken from the platform.
func (db *DB) RecordAPIFollowers(ctx context.Context, accountID int64, at time.Time, followers int64) error {
	s := &AccountSnapshot{AccountID: accountID, TakenAt: at.UTC().Truncate(time.Microsecond), Followers: &followers, Source: SourceAPI}
	if err := s.Validate(db.nowUTC().Add(time.Minute)); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := upsertSnapshot(ctx, tx, s, db.nowUTC())
		return err
	})
}
