package store

import (
	"context"
	"slices"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// RelayCandidate is a partner's relayed Weibo post whose counts are collected through
// the Weibo account of the campaign's institution (the first managed one with
// credentials), with the latest slot already collected for its post (-1 when none).
type RelayCandidate struct {
	RelayID    int64
	CampaignID int64
	OrgID      int64
	AccountID  int64
	StatusID   string
	// URLAt is when the post's address was recorded: the slots count from it.
	URLAt    time.Time
	LastSlot int
}

// RelayCandidates lists the relayed Weibo posts recorded at or after since (of the
// campaigns collected through one account when accountID is not zero), by account
// then instant.
func (db *DB) RelayCandidates(ctx context.Context, accountID int64, since time.Time) ([]RelayCandidate, error) {
	w := where{}
	w.add("r.status = ?", string(passerelle.RelayRelayed))
	w.add("r.status_id <> ''")
	w.add("r.url_at >= ?", since)
	if accountID != 0 {
		w.add("x.account_id = ?", accountID)
	}
	args := append([]any{string(passerelle.Weibo), passerelle.AccountManaged}, w.args...)
	query := `SELECT r.id, c.id, c.org_id, x.account_id, r.status_id, r.url_at,
		COALESCE((SELECT MAX(s.slot) FROM relay_collection_slots s WHERE s.relay_id = r.id AND s.status_id = r.status_id), -1)
		FROM campaign_relays r JOIN campaigns c ON c.id = r.campaign_id
		JOIN (SELECT a.institution_id, MIN(a.id) AS account_id FROM accounts a
			WHERE a.platform = ? AND a.kind = ? AND a.archived_at IS NULL AND EXISTS (SELECT 1 FROM account_credentials k WHERE k.account_id = a.id)
			GROUP BY a.institution_id) x ON x.institution_id = c.institution_id` + w.sql() + ` ORDER BY x.account_id, r.url_at, r.id`
	return queryAll(ctx, db, db.r(), query, args, func(sc interface{ Scan(...any) error }) (RelayCandidate, error) {
		var c RelayCandidate
		var at nullTime
		err := sc.Scan(&c.RelayID, &c.CampaignID, &c.OrgID, &c.AccountID, &c.StatusID, &at, &c.LastSlot)
		c.URLAt = at.T
		return c, err
	})
}

// CollectedRelayReading is what one counts call gives a relay: the slots it fills,
// the instant, and the counts (nil when the platform did not return the post: the
// slots are filled all the same, the relay's figures stay, MissedAt says it).
type CollectedRelayReading struct {
	RelayID  int64
	StatusID string
	Slots    []int
	At       time.Time
	Counts   *passerelle.RelayFigures
}

// RecordRelayReadings writes relays' collected readings with the slots they fill, all
// or nothing. A relay whose slots were all filled already (a job run twice), or whose
// post changed since it was read, gets nothing. It returns how many readings were
// written.
func (db *DB) RecordRelayReadings(ctx context.Context, relays []CollectedRelayReading) (int, error) {
	_, n, err := db.RecordCollections(ctx, nil, relays)
	return n, err
}

func recordRelayReadings(ctx context.Context, db *DB, tx *Tx, relays []CollectedRelayReading, now time.Time) (int, error) {
	written := 0
	for _, rr := range relays {
		at := rr.At.UTC().Truncate(time.Microsecond)
		if at.IsZero() {
			at = now
		}
		fresh := 0
		for _, slot := range slices.Compact(slices.Sorted(slices.Values(rr.Slots))) {
			res, err := tx.q().exec(ctx, `INSERT INTO relay_collection_slots (relay_id, status_id, slot, taken_at) VALUES (?, ?, ?, ?) ON CONFLICT (relay_id, status_id, slot) DO NOTHING`,
				rr.RelayID, rr.StatusID, slot, at)
			if err != nil {
				return 0, err
			}
			if n, _ := res.RowsAffected(); n > 0 {
				fresh++
			}
		}
		if fresh == 0 {
			continue
		}
		r, err := scanRelay(tx.q().row(ctx, `SELECT `+relayColumns+` FROM campaign_relays r JOIN partners p ON p.id = r.partner_id WHERE r.id = ?`, rr.RelayID))
		if err != nil {
			if passerelle.ErrorCode(db.mapErr(err)) == passerelle.ENOTFOUND {
				continue // deleted meanwhile
			}
			return 0, db.mapErr(err)
		}
		if r.Status != passerelle.RelayRelayed || r.StatusID != rr.StatusID {
			continue // another post (or none) since the call
		}
		if rr.Counts == nil {
			r.MissedAt = &at
		} else {
			r.Take(passerelle.RelayReading{Source: passerelle.FiguresAPI, At: at, StatusID: rr.StatusID, RelayFigures: *rr.Counts})
			written++
		}
		if err := saveRelay(ctx, tx, &r, now); err != nil {
			return 0, err
		}
	}
	return written, nil
}

// RelaySnapshots returns every reading of a relay of the organization, oldest first.
func (db *DB) RelaySnapshots(ctx context.Context, orgID, relayID int64) ([]passerelle.RelayReading, error) {
	return queryAll(ctx, db, db.r(), `SELECT s.taken_at, s.source, s.status_id, s.views, s.reposts, s.likes, s.comments, s.views_lower_bound FROM relay_snapshots s
		JOIN campaign_relays r ON r.id = s.relay_id JOIN campaigns c ON c.id = r.campaign_id
		WHERE s.relay_id = ? AND c.org_id = ? ORDER BY s.taken_at, s.source`, []any{relayID, orgID},
		func(sc interface{ Scan(...any) error }) (passerelle.RelayReading, error) {
			var rd passerelle.RelayReading
			var at nullTime
			err := sc.Scan(&at, &rd.Source, &rd.StatusID, &rd.Views, &rd.Reposts, &rd.Likes, &rd.Comments, &rd.ViewsLowerBound)
			rd.At = at.T
			return rd, err
		})
}

// ImportRelays applies fn to a campaign of the organization, in one transaction with
// the readings already imported for its relays (by relay id, oldest first), and saves
// the relays fn gave readings to (their status, URL, figures and the readings as
// snapshots); the others are left untouched. fn's error writes nothing.
func (db *DB) ImportRelays(ctx context.Context, orgID, campaignID int64, fn func(c *passerelle.Campaign, imported map[int64][]passerelle.RelayReading) error) (*passerelle.Campaign, error) {
	var out *passerelle.Campaign
	err := db.inTx(ctx, func(tx *Tx) error {
		c, err := db.loadCampaign(ctx, tx.q(), orgID, campaignID)
		if err != nil {
			return err
		}
		type reading struct {
			relay int64
			rd    passerelle.RelayReading
		}
		rows, err := queryAll(ctx, db, tx.q(), `SELECT s.relay_id, s.taken_at, s.source, s.status_id, s.views, s.reposts, s.likes, s.comments, s.views_lower_bound FROM relay_snapshots s
			JOIN campaign_relays r ON r.id = s.relay_id WHERE r.campaign_id = ? AND s.source = ? ORDER BY s.taken_at`, []any{campaignID, passerelle.FiguresImport},
			func(sc interface{ Scan(...any) error }) (reading, error) {
				var x reading
				var at nullTime
				err := sc.Scan(&x.relay, &at, &x.rd.Source, &x.rd.StatusID, &x.rd.Views, &x.rd.Reposts, &x.rd.Likes, &x.rd.Comments, &x.rd.ViewsLowerBound)
				x.rd.At = at.T
				return x, err
			})
		if err != nil {
			return err
		}
		imported := map[int64][]passerelle.RelayReading{}
		for _, x := range rows {
			imported[x.relay] = append(imported[x.relay], x.rd)
		}
		if err := fn(c, imported); err != nil {
			return err
		}
		now := db.nowUTC()
		for i := range c.Relays {
			if len(c.Relays[i].Readings) == 0 {
				continue
			}
			if err := saveRelay(ctx, tx, &c.Relays[i], now); err != nil {
				return err
			}
		}
		c.Total()
		out = c
		return nil
	})
	return out, err
}
