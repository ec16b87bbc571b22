package store

import (
	"context"
	"fmt"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// NewRelay is a relay to insert: the partner and the hash of its link's nonce.
type NewRelay struct {
	PartnerID int64
	NonceHash string
	ExpiresAt time.Time
}

// CreateCampaign inserts a campaign and its relays (status invited) in one
// transaction. The post and every partner must belong to c.OrgID (not found
// otherwise); c.Relays is filled, without links.
func (db *DB) CreateCampaign(ctx context.Context, c *passerelle.Campaign, relays []NewRelay) error {
	now := db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		var inst int64
		if err := tx.q().row(ctx, `SELECT p.institution_id FROM posts p JOIN institutions i ON i.id = p.institution_id WHERE p.id = ? AND i.org_id = ?`, c.PostID, c.OrgID).Scan(&inst); err != nil {
			return db.mapErr(err)
		}
		c.InstitutionID = inst
		id, err := tx.q().insert(ctx, `INSERT INTO campaigns (org_id, post_id, institution_id, title, message_zh, own_views, own_reposts, remind_after_days, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.OrgID, c.PostID, inst, c.Title, c.MessageZH, c.OwnViews, c.OwnReposts, c.RemindAfterDays, nullID(c.CreatedBy), now, now)
		if err != nil {
			return err
		}
		c.ID, c.CreatedAt, c.UpdatedAt = id, now, now
		c.Relays = make([]passerelle.Relay, 0, len(relays))
		for _, r := range relays {
			var name string
			if err := tx.q().row(ctx, `SELECT COALESCE(NULLIF(name_zh, ''), name) FROM partners WHERE id = ? AND org_id = ?`, r.PartnerID, c.OrgID).Scan(&name); err != nil {
				return db.mapErr(err)
			}
			rid, err := tx.q().insert(ctx, `INSERT INTO campaign_relays (campaign_id, partner_id, status, nonce_hash, expires_at, invited_at, updated_at) VALUES (?, ?, 'invited', ?, ?, ?, ?)`,
				id, r.PartnerID, r.NonceHash, r.ExpiresAt, now, now)
			if err != nil {
				return err
			}
			c.Relays = append(c.Relays, passerelle.Relay{ID: rid, PartnerID: r.PartnerID, PartnerName: name, Status: passerelle.RelayInvited, InvitedAt: now, ExpiresAt: r.ExpiresAt, UpdatedAt: now})
		}
		c.Total()
		return nil
	})
}

const campaignColumns = `id, org_id, post_id, institution_id, title, message_zh, own_views, own_reposts, remind_after_days, COALESCE(created_by, 0), created_at, updated_at`

func scanCampaign(s interface{ Scan(...any) error }) (*passerelle.Campaign, error) {
	var c passerelle.Campaign
	var created, updated nullTime
	err := s.Scan(&c.ID, &c.OrgID, &c.PostID, &c.InstitutionID, &c.Title, &c.MessageZH, &c.OwnViews, &c.OwnReposts, &c.RemindAfterDays, &c.CreatedBy, &created, &updated)
	c.CreatedAt, c.UpdatedAt = created.T, updated.T
	return &c, err
}

const relayColumns = `r.id, r.partner_id, COALESCE(NULLIF(p.name_zh, ''), p.name), r.status, r.url, r.views, r.reposts, r.likes, r.comments, r.invited_at, r.reminded_at, r.reminders, r.answered_at, r.expires_at, r.revoked_at, r.updated_at,
	r.status_id, r.url_at, r.figures_source, r.figures_at, r.collected_at, r.missed_at, r.views_lower_bound`

func scanRelay(s interface{ Scan(...any) error }) (passerelle.Relay, error) {
	var r passerelle.Relay
	var invited, reminded, answered, expires, revoked, updated, urlAt, figuresAt, collected, missed nullTime
	err := s.Scan(&r.ID, &r.PartnerID, &r.PartnerName, &r.Status, &r.URL, &r.Views, &r.Reposts, &r.Likes, &r.Comments, &invited, &reminded, &r.Reminders, &answered, &expires, &revoked, &updated,
		&r.StatusID, &urlAt, &r.FiguresSource, &figuresAt, &collected, &missed, &r.ViewsLowerBound)
	r.InvitedAt, r.RemindedAt, r.AnsweredAt, r.ExpiresAt, r.RevokedAt, r.UpdatedAt = invited.T, reminded.Ptr(), answered.Ptr(), expires.T, revoked.Ptr(), updated.T
	r.URLAt, r.FiguresAt, r.CollectedAt, r.MissedAt = urlAt.Ptr(), figuresAt.Ptr(), collected.Ptr(), missed.Ptr()
	return r, err
}

// Campaign returns a campaign of the organization with its relays and totals.
func (db *DB) Campaign(ctx context.Context, orgID, id int64) (*passerelle.Campaign, error) {
	return db.loadCampaign(ctx, db.r(), orgID, id)
}

func (db *DB) loadCampaign(ctx context.Context, x q, orgID, id int64) (*passerelle.Campaign, error) {
	c, err := scanCampaign(x.row(ctx, `SELECT `+campaignColumns+` FROM campaigns WHERE id = ? AND org_id = ?`, id, orgID))
	if err != nil {
		return nil, db.mapErr(err)
	}
	c.Relays, err = queryAll(ctx, db, x, `SELECT `+relayColumns+` FROM campaign_relays r JOIN partners p ON p.id = r.partner_id WHERE r.campaign_id = ? ORDER BY r.id`, []any{id}, scanRelay)
	if err != nil {
		return nil, err
	}
	if c.Relays == nil {
		c.Relays = []passerelle.Relay{}
	}
	c.Total()
	return c, nil
}

// CampaignFilter selects campaigns.
type CampaignFilter struct {
	OrgID int64
	// InstitutionIDs restricts to these institutions when non-nil.
	InstitutionIDs []int64
	PostID         int64
	AfterID        int64
	Limit          int
}

// Campaigns lists campaigns with their totals, by id.
func (db *DB) Campaigns(ctx context.Context, f CampaignFilter) ([]*passerelle.Campaign, error) {
	w := where{}
	w.add("org_id = ?", f.OrgID)
	if f.InstitutionIDs != nil {
		w.in("institution_id", f.InstitutionIDs)
	}
	if f.PostID > 0 {
		w.add("post_id = ?", f.PostID)
	}
	if f.AfterID > 0 {
		w.add("id > ?", f.AfterID)
	}
	query := `SELECT ` + campaignColumns + ` FROM campaigns` + w.sql() + ` ORDER BY id`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		w.args = append(w.args, f.Limit)
	}
	cs, err := queryAll(ctx, db, db.r(), query, w.args, scanCampaign)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		full, err := db.Campaign(ctx, f.OrgID, c.ID)
		if err != nil {
			return nil, err
		}
		*c = *full
	}
	return cs, nil
}

// SetCampaignOwnFigures records the institution's own figures for the report.
func (db *DB) SetCampaignOwnFigures(ctx context.Context, orgID, id int64, views, reposts *int64) (*passerelle.Campaign, error) {
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.q().exec(ctx, `UPDATE campaigns SET own_views = COALESCE(?, own_views), own_reposts = COALESCE(?, own_reposts), updated_at = ? WHERE id = ? AND org_id = ?`, views, reposts, db.nowUTC(), id, orgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return passerelle.ErrNotFound
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return db.Campaign(ctx, orgID, id)
}

// UpdateRelay applies fn to a partner's relay in a campaign of the organization and
// saves its status, URL and figures; it returns the campaign as saved.
func (db *DB) UpdateRelay(ctx context.Context, orgID, campaignID, partnerID int64, fn func(c *passerelle.Campaign, r *passerelle.Relay) error) (*passerelle.Campaign, error) {
	var out *passerelle.Campaign
	err := db.inTx(ctx, func(tx *Tx) error {
		c, err := db.loadCampaign(ctx, tx.q(), orgID, campaignID)
		if err != nil {
			return err
		}
		i := -1
		for j := range c.Relays {
			if c.Relays[j].PartnerID == partnerID {
				i = j
			}
		}
		if i < 0 {
			return passerelle.ErrNotFound
		}
		r := &c.Relays[i]
		if err := fn(c, r); err != nil {
			return err
		}
		if err := saveRelay(ctx, tx, r, db.nowUTC()); err != nil {
			return err
		}
		c.Total()
		out = c
		return nil
	})
	return out, err
}

// RelayLink is what a partner link resolves to.
type RelayLink struct {
	RelayID    int64
	CampaignID int64
	PartnerID  int64
	OrgID      int64
	NonceHash  string
	ExpiresAt  time.Time
	RevokedAt  *time.Time
}

// RelayLinkByID returns the link data of a relay.
func (db *DB) RelayLinkByID(ctx context.Context, relayID int64) (*RelayLink, error) {
	var l RelayLink
	var expires, revoked nullTime
	err := db.r().row(ctx, `SELECT r.id, r.campaign_id, r.partner_id, c.org_id, r.nonce_hash, r.expires_at, r.revoked_at FROM campaign_relays r JOIN campaigns c ON c.id = r.campaign_id WHERE r.id = ?`, relayID).
		Scan(&l.RelayID, &l.CampaignID, &l.PartnerID, &l.OrgID, &l.NonceHash, &expires, &revoked)
	if err != nil {
		return nil, db.mapErr(err)
	}
	l.ExpiresAt, l.RevokedAt = expires.T, revoked.Ptr()
	return &l, nil
}

// RenewRelayLink gives a relay a new link (a reminder): new nonce, new expiry, not
// revoked.
func (db *DB) RenewRelayLink(ctx context.Context, orgID, campaignID, partnerID int64, nonceHash string, expires time.Time) (int64, error) {
	var id int64
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := tx.q().row(ctx, `SELECT r.id FROM campaign_relays r JOIN campaigns c ON c.id = r.campaign_id WHERE r.campaign_id = ? AND r.partner_id = ? AND c.org_id = ?`, campaignID, partnerID, orgID).Scan(&id); err != nil {
			return db.mapErr(err)
		}
		now := db.nowUTC()
		_, err := tx.q().exec(ctx, `UPDATE campaign_relays SET nonce_hash = ?, expires_at = ?, revoked_at = NULL, reminded_at = ?, reminders = reminders + 1, updated_at = ? WHERE id = ?`, nonceHash, expires, now, now, id)
		return err
	})
	return id, err
}

// RevokeRelayLink revokes a partner's link; revoking twice is not an error.
func (db *DB) RevokeRelayLink(ctx context.Context, orgID, campaignID, partnerID int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.q().exec(ctx, `UPDATE campaign_relays SET revoked_at = COALESCE(revoked_at, ?) WHERE campaign_id = ? AND partner_id = ?
			AND campaign_id IN (SELECT id FROM campaigns WHERE org_id = ?)`, db.nowUTC(), campaignID, partnerID, orgID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return passerelle.ErrNotFound
		}
		return nil
	})
}

// SetCampaignRemindAfter changes after how many days a partner still invited is due
// a reminder.
func (db *DB) SetCampaignRemindAfter(ctx context.Context, orgID, id int64, days int) error {
	return db.writeOne(ctx, `UPDATE campaigns SET remind_after_days = ?, updated_at = ? WHERE id = ? AND org_id = ?`, days, db.nowUTC(), id, orgID)
}

// writeOne runs one statement that must change a row (not found otherwise).
func (db *DB) writeOne(ctx context.Context, query string, args ...any) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.q().exec(ctx, query, args...)
		if err != nil {
			return db.mapErr(err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return passerelle.ErrNotFound
		}
		return nil
	})
}

// DueRelay is a relay still invited whose reminder is due, for the editor's
// notification.
type DueRelay struct {
	RelayID, CampaignID, OrgID, InstitutionID, PostID, CreatedBy int64
	PartnerName                                                  string
	Reminders                                                    int
}

// DueRelays returns the relays still invited, with a live link, whose reminder is due
// at now (remind_after_days after the invitation or the last reminder).
func (db *DB) DueRelays(ctx context.Context, now time.Time, limit int) ([]DueRelay, error) {
	rows, err := queryAll(ctx, db, db.r(), `SELECT r.id, c.id, c.org_id, c.institution_id, c.post_id, COALESCE(c.created_by, 0), COALESCE(NULLIF(p.name_zh, ''), p.name), r.reminders,
			r.invited_at, r.reminded_at, c.remind_after_days
		FROM campaign_relays r JOIN campaigns c ON c.id = r.campaign_id JOIN partners p ON p.id = r.partner_id
		WHERE r.status = 'invited' AND r.revoked_at IS NULL ORDER BY r.id`, nil,
		func(sc interface{ Scan(...any) error }) (struct {
			DueRelay
			due time.Time
		}, error) {
			var x struct {
				DueRelay
				due time.Time
			}
			var invited, reminded nullTime
			var days int
			err := sc.Scan(&x.RelayID, &x.CampaignID, &x.OrgID, &x.InstitutionID, &x.PostID, &x.CreatedBy, &x.PartnerName, &x.Reminders, &invited, &reminded, &days)
			r := passerelle.Relay{InvitedAt: invited.T, RemindedAt: reminded.Ptr()}
			x.due = r.DueAt(days)
			return x, err
		})
	if err != nil {
		return nil, err
	}
	var out []DueRelay
	for _, x := range rows {
		if !now.Before(x.due) && (limit <= 0 || len(out) < limit) {
			out = append(out, x.DueRelay)
		}
	}
	return out, nil
}

// NotifyRelayDue tells the campaign's author (or, when they are gone, those who
// schedule for its institution) that a partner is due a reminder, once per relay and
// reminder round.
func (db *DB) NotifyRelayDue(ctx context.Context, d DueRelay, detail string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		dedupe := fmt.Sprintf("%s:%d:%d", KindRelayDue, d.RelayID, d.Reminders)
		var author int64
		err := tx.q().row(ctx, `SELECT id FROM users WHERE id = ? AND org_id = ? AND disabled_at IS NULL`, d.CreatedBy, d.OrgID).Scan(&author)
		if err != nil && passerelle.ErrorCode(db.mapErr(err)) != passerelle.ENOTFOUND {
			return err
		}
		if author != 0 {
			_, err := tx.q().exec(ctx, `INSERT INTO notifications (org_id, user_id, kind, institution_id, post_id, detail, dedupe, created_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (user_id, dedupe) DO NOTHING`,
				d.OrgID, author, KindRelayDue, d.InstitutionID, d.PostID, detail, dedupe, db.nowUTC())
			return err
		}
		_, err = tx.q().exec(ctx, `INSERT INTO notifications (org_id, user_id, kind, institution_id, post_id, detail, dedupe, created_at)
			SELECT ?, u.id, ?, ?, ?, ?, ?, ? FROM users u WHERE u.org_id = ? AND u.disabled_at IS NULL AND (u.owner = ? OR EXISTS
				(SELECT 1 FROM memberships m WHERE m.user_id = u.id AND m.institution_id = ? AND m.role IN ('admin', 'editor')))
			ON CONFLICT (user_id, dedupe) DO NOTHING`,
			d.OrgID, KindRelayDue, d.InstitutionID, d.PostID, detail, dedupe, db.nowUTC(), d.OrgID, true, d.InstitutionID)
		return err
	})
}

const templateColumns = `id, org_id, name, message_zh, created_at, updated_at`

func scanTemplate(s interface{ Scan(...any) error }) (*passerelle.CampaignTemplate, error) {
	var t passerelle.CampaignTemplate
	var created, updated nullTime
	err := s.Scan(&t.ID, &t.OrgID, &t.Name, &t.MessageZH, &created, &updated)
	t.CreatedAt, t.UpdatedAt = created.T, updated.T
	return &t, err
}

// CampaignTemplates lists the organization's saved messages by name.
func (db *DB) CampaignTemplates(ctx context.Context, orgID int64) ([]*passerelle.CampaignTemplate, error) {
	ts, err := queryAll(ctx, db, db.r(), `SELECT `+templateColumns+` FROM campaign_templates WHERE org_id = ? ORDER BY name, id`, []any{orgID}, scanTemplate)
	if ts == nil {
		ts = []*passerelle.CampaignTemplate{}
	}
	return ts, err
}

// CampaignTemplate returns one of the organization's saved messages.
func (db *DB) CampaignTemplate(ctx context.Context, orgID, id int64) (*passerelle.CampaignTemplate, error) {
	t, err := scanTemplate(db.r().row(ctx, `SELECT `+templateColumns+` FROM campaign_templates WHERE id = ? AND org_id = ?`, id, orgID))
	if err != nil {
		return nil, db.mapErr(err)
	}
	return t, nil
}

// SaveCampaignTemplate inserts t (ID 0) or updates it; a name taken is a conflict.
func (db *DB) SaveCampaignTemplate(ctx context.Context, t *passerelle.CampaignTemplate) error {
	now := db.nowUTC()
	if t.ID == 0 {
		return db.inTx(ctx, func(tx *Tx) error {
			id, err := tx.q().insert(ctx, `INSERT INTO campaign_templates (org_id, name, message_zh, created_at, updated_at) VALUES (?, ?, ?, ?, ?)`, t.OrgID, t.Name, t.MessageZH, now, now)
			if err != nil {
				return db.mapErr(err)
			}
			t.ID, t.CreatedAt, t.UpdatedAt = id, now, now
			return nil
		})
	}
	if err := db.writeOne(ctx, `UPDATE campaign_templates SET name = ?, message_zh = ?, updated_at = ? WHERE id = ? AND org_id = ?`, t.Name, t.MessageZH, now, t.ID, t.OrgID); err != nil {
		return err
	}
	t.UpdatedAt = now
	return nil
}

// DeleteCampaignTemplate deletes a saved message.
func (db *DB) DeleteCampaignTemplate(ctx context.Context, orgID, id int64) error {
	return db.writeOne(ctx, `DELETE FROM campaign_templates WHERE id = ? AND org_id = ?`, id, orgID)
}

// saveRelay writes a relay's status, URL and figures, and keeps the readings Take
// applied as snapshots (a reading of the same relay, instant and source is kept once).
func saveRelay(ctx context.Context, tx *Tx, r *passerelle.Relay, now time.Time) error {
	if _, err := tx.q().exec(ctx, `UPDATE campaign_relays SET status = ?, url = ?, views = ?, reposts = ?, likes = ?, comments = ?, answered_at = ?, updated_at = ?,
		status_id = ?, url_at = ?, figures_source = ?, figures_at = ?, collected_at = ?, missed_at = ?, views_lower_bound = ? WHERE id = ?`,
		r.Status, r.URL, r.Views, r.Reposts, r.Likes, r.Comments, r.AnsweredAt, now,
		r.StatusID, r.URLAt, r.FiguresSource, r.FiguresAt, r.CollectedAt, r.MissedAt, r.ViewsLowerBound && r.Views != nil, r.ID); err != nil {
		return err
	}
	for _, rd := range r.Readings {
		if _, err := tx.q().exec(ctx, `INSERT INTO relay_snapshots (relay_id, taken_at, source, status_id, views, reposts, likes, comments, views_lower_bound) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (relay_id, taken_at, source) DO NOTHING`,
			r.ID, rd.At.UTC().Truncate(time.Microsecond), rd.Source, rd.StatusID, rd.Views, rd.Reposts, rd.Likes, rd.Comments, rd.ViewsLowerBound && rd.Views != nil); err != nil {
			return err
		}
	}
	r.Readings = nil
	return nil
}
