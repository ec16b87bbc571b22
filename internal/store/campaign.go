package store

import (
	"context"
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
		id, err := tx.q().insert(ctx, `INSERT INTO campaigns (org_id, post_id, institution_id, title, message_zh, own_views, own_reposts, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.OrgID, c.PostID, inst, c.Title, c.MessageZH, c.OwnViews, c.OwnReposts, nullID(c.CreatedBy), now, now)
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

const campaignColumns = `id, org_id, post_id, institution_id, title, message_zh, own_views, own_reposts, COALESCE(created_by, 0), created_at, updated_at`

func scanCampaign(s interface{ Scan(...any) error }) (*passerelle.Campaign, error) {
	var c passerelle.Campaign
	var created, updated nullTime
	err := s.Scan(&c.ID, &c.OrgID, &c.PostID, &c.InstitutionID, &c.Title, &c.MessageZH, &c.OwnViews, &c.OwnReposts, &c.CreatedBy, &created, &updated)
	c.CreatedAt, c.UpdatedAt = created.T, updated.T
	return &c, err
}

const relayColumns = `r.id, r.partner_id, COALESCE(NULLIF(p.name_zh, ''), p.name), r.status, r.url, r.views, r.reposts, r.likes, r.comments, r.invited_at, r.reminded_at, r.answered_at, r.expires_at, r.revoked_at, r.updated_at`

func scanRelay(s interface{ Scan(...any) error }) (passerelle.Relay, error) {
	var r passerelle.Relay
	var invited, reminded, answered, expires, revoked, updated nullTime
	err := s.Scan(&r.ID, &r.PartnerID, &r.PartnerName, &r.Status, &r.URL, &r.Views, &r.Reposts, &r.Likes, &r.Comments, &invited, &reminded, &answered, &expires, &revoked, &updated)
	r.InvitedAt, r.RemindedAt, r.AnsweredAt, r.ExpiresAt, r.RevokedAt, r.UpdatedAt = invited.T, reminded.Ptr(), answered.Ptr(), expires.T, revoked.Ptr(), updated.T
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
		if _, err := tx.q().exec(ctx, `UPDATE campaign_relays SET status = ?, url = ?, views = ?, reposts = ?, likes = ?, comments = ?, answered_at = ?, updated_at = ? WHERE id = ?`,
			r.Status, r.URL, r.Views, r.Reposts, r.Likes, r.Comments, r.AnsweredAt, db.nowUTC(), r.ID); err != nil {
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
		_, err := tx.q().exec(ctx, `UPDATE campaign_relays SET nonce_hash = ?, expires_at = ?, revoked_at = NULL, reminded_at = ?, updated_at = ? WHERE id = ?`, nonceHash, expires, now, now, id)
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
