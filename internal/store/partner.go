package store

import (
	"context"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

const partnerColumns = `id, org_id, name, name_zh, kind, language, topics, contacts, audience_notes, consent, contact_prefs, created_at, updated_at`

func scanPartner(s interface{ Scan(...any) error }) (*passerelle.Partner, error) {
	var p passerelle.Partner
	var topics string
	var created, updated nullTime
	if err := s.Scan(&p.ID, &p.OrgID, &p.Name, &p.NameZH, &p.Kind, &p.Language, &topics, &p.Contacts, &p.AudienceNotes, &p.Consent, &p.ContactPrefs, &created, &updated); err != nil {
		return nil, err
	}
	if err := unmarshalList(topics, &p.Topics); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = created.T, updated.T
	return &p, nil
}

// partnerSearch is the lower-cased text a directory search matches.
func partnerSearch(p *passerelle.Partner) string {
	parts := []string{p.Name, p.NameZH, p.AudienceNotes}
	parts = append(parts, p.Topics...)
	for _, a := range p.Accounts {
		parts = append(parts, a.Handle)
	}
	return strings.ToLower(strings.Join(parts, "\n"))
}

// CreatePartner validates and inserts p with its accounts; an account's followers
// become its first reading.
func (db *DB) CreatePartner(ctx context.Context, p *passerelle.Partner) error {
	return db.CreatePartners(ctx, []*passerelle.Partner{p})
}

// CreatePartners inserts several partners in one transaction: all or nothing (imports).
func (db *DB) CreatePartners(ctx context.Context, ps []*passerelle.Partner) error {
	for _, p := range ps {
		p.Normalize()
		if err := p.Validate(); err != nil {
			return err
		}
	}
	now := db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		for _, p := range ps {
			id, err := tx.q().insert(ctx, `INSERT INTO partners (org_id, name, name_zh, kind, language, topics, contacts, audience_notes, consent, contact_prefs, search, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				p.OrgID, p.Name, p.NameZH, p.Kind, p.Language, marshalList(p.Topics), p.Contacts, p.AudienceNotes, p.Consent, p.ContactPrefs, partnerSearch(p), now, now)
			if err != nil {
				return err
			}
			p.ID, p.CreatedAt, p.UpdatedAt = id, now, now
			if err := db.insertPartnerAccounts(ctx, tx, p, now, "manual"); err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *DB) insertPartnerAccounts(ctx context.Context, tx *Tx, p *passerelle.Partner, now time.Time, source string) error {
	for i := range p.Accounts {
		a := &p.Accounts[i]
		var at *time.Time
		if a.Followers != nil {
			at = &now
		}
		id, err := tx.q().insert(ctx, `INSERT INTO partner_accounts (partner_id, platform, handle, profile_url, followers, followers_at) VALUES (?, ?, ?, ?, ?, ?)`,
			p.ID, a.Platform, a.Handle, a.ProfileURL, a.Followers, at)
		if err != nil {
			if passerelle.ErrorCode(err) == passerelle.ECONFLICT {
				return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"accounts": "The same account is listed twice."}, Err: err}
			}
			return err
		}
		a.ID, a.FollowersAt = id, at
		if a.Followers != nil {
			if _, err := tx.q().exec(ctx, `INSERT INTO partner_followers (partner_account_id, taken_at, followers, source) VALUES (?, ?, ?, ?)`, id, now, *a.Followers, source); err != nil {
				return err
			}
		}
	}
	return nil
}

// Partner returns a partner of the organization with its accounts.
func (db *DB) Partner(ctx context.Context, orgID, id int64) (*passerelle.Partner, error) {
	p, err := scanPartner(db.r().row(ctx, `SELECT `+partnerColumns+` FROM partners WHERE id = ? AND org_id = ?`, id, orgID))
	if err != nil {
		return nil, db.mapErr(err)
	}
	if err := db.fillPartnerAccounts(ctx, db.r(), []*passerelle.Partner{p}); err != nil {
		return nil, err
	}
	return p, nil
}

func scanPartnerAccount(s interface{ Scan(...any) error }) (partnerAccountRow, error) {
	var r partnerAccountRow
	var at nullTime
	err := s.Scan(&r.partnerID, &r.a.ID, &r.a.Platform, &r.a.Handle, &r.a.ProfileURL, &r.a.Followers, &at)
	r.a.FollowersAt = at.Ptr()
	return r, err
}

type partnerAccountRow struct {
	partnerID int64
	a         passerelle.PartnerAccount
}

func (db *DB) fillPartnerAccounts(ctx context.Context, x q, ps []*passerelle.Partner) error {
	if len(ps) == 0 {
		return nil
	}
	byID := make(map[int64]*passerelle.Partner, len(ps))
	ids := make([]int64, 0, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
		p.Accounts = []passerelle.PartnerAccount{}
		ids = append(ids, p.ID)
	}
	w := where{}
	w.in("partner_id", ids)
	rows, err := queryAll(ctx, db, x, `SELECT partner_id, id, platform, handle, profile_url, followers, followers_at FROM partner_accounts`+w.sql()+` ORDER BY id`, w.args, scanPartnerAccount)
	if err != nil {
		return err
	}
	for _, r := range rows {
		p := byID[r.partnerID]
		p.Accounts = append(p.Accounts, r.a)
	}
	return nil
}

// PartnerFilter selects partners of a directory search.
type PartnerFilter struct {
	OrgID int64
	// Query matches names, handles, topics and audience notes, case-insensitively.
	Query    string
	Kind     passerelle.PartnerKind
	Platform passerelle.Platform
	// MinFollowers keeps partners with an account of at least this many followers.
	MinFollowers int64
	AfterID      int64
	Limit        int
}

// Partners searches the directory, by id.
func (db *DB) Partners(ctx context.Context, f PartnerFilter) ([]*passerelle.Partner, error) {
	w := where{}
	w.add("p.org_id = ?", f.OrgID)
	if q := strings.ToLower(strings.TrimSpace(f.Query)); q != "" {
		w.add(`p.search LIKE ? ESCAPE '\'`, "%"+likeEscape(q)+"%")
	}
	if f.Kind != "" {
		w.add("p.kind = ?", f.Kind)
	}
	if f.Platform != "" || f.MinFollowers > 0 {
		cond := "EXISTS (SELECT 1 FROM partner_accounts a WHERE a.partner_id = p.id"
		var args []any
		if f.Platform != "" {
			cond += " AND a.platform = ?"
			args = append(args, f.Platform)
		}
		if f.MinFollowers > 0 {
			cond += " AND a.followers >= ?"
			args = append(args, f.MinFollowers)
		}
		w.add(cond+")", args...)
	}
	if f.AfterID > 0 {
		w.add("p.id > ?", f.AfterID)
	}
	query := `SELECT p.` + strings.ReplaceAll(partnerColumns, ", ", ", p.") + ` FROM partners p` + w.sql() + ` ORDER BY p.id`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		w.args = append(w.args, f.Limit)
	}
	ps, err := queryAll(ctx, db, db.r(), query, w.args, scanPartner)
	if err != nil {
		return nil, err
	}
	return ps, db.fillPartnerAccounts(ctx, db.r(), ps)
}

// UpdatePartner applies fn to a stored partner and saves it; the accounts are replaced
// by the partner's, keeping the ids (and follower history) of those that stay.
func (db *DB) UpdatePartner(ctx context.Context, orgID, id int64, fn func(*passerelle.Partner) error) (*passerelle.Partner, error) {
	p, err := db.Partner(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	if err := fn(p); err != nil {
		return nil, err
	}
	p.Normalize()
	if err := p.Validate(); err != nil {
		return nil, err
	}
	now := db.nowUTC()
	err = db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.q().exec(ctx, `UPDATE partners SET name = ?, name_zh = ?, kind = ?, language = ?, topics = ?, contacts = ?, audience_notes = ?, consent = ?, contact_prefs = ?, search = ?, updated_at = ? WHERE id = ? AND org_id = ?`,
			p.Name, p.NameZH, p.Kind, p.Language, marshalList(p.Topics), p.Contacts, p.AudienceNotes, p.Consent, p.ContactPrefs, partnerSearch(p), now, id, orgID); err != nil {
			return err
		}
		keep := []int64{}
		var fresh []passerelle.PartnerAccount
		for _, a := range p.Accounts {
			if a.ID > 0 {
				keep = append(keep, a.ID)
				var at *time.Time
				if a.Followers != nil {
					at = &now
				}
				res, err := tx.q().exec(ctx, `UPDATE partner_accounts SET platform = ?, handle = ?, profile_url = ?,
					followers_at = CASE WHEN followers IS NOT DISTINCT FROM ? THEN followers_at ELSE ? END, followers = ? WHERE id = ? AND partner_id = ?`,
					a.Platform, a.Handle, a.ProfileURL, a.Followers, at, a.Followers, a.ID, id)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 0 {
					return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"accounts": "Unknown account id."}}
				}
				if a.Followers != nil {
					if _, err := tx.q().exec(ctx, `INSERT INTO partner_followers (partner_account_id, taken_at, followers, source) VALUES (?, ?, ?, 'manual')
						ON CONFLICT (partner_account_id, taken_at) DO NOTHING`, a.ID, now, *a.Followers); err != nil {
						return err
					}
				}
				continue
			}
			fresh = append(fresh, a)
		}
		w := where{}
		w.add("partner_id = ?", id)
		if len(keep) > 0 {
			w.add("id NOT IN (?"+strings.Repeat(",?", len(keep)-1)+")", anys(keep)...)
		}
		if _, err := tx.q().exec(ctx, `DELETE FROM partner_accounts`+w.sql(), w.args...); err != nil {
			return err
		}
		np := &passerelle.Partner{ID: id, Accounts: fresh}
		return db.insertPartnerAccounts(ctx, tx, np, now, "manual")
	})
	if err != nil {
		return nil, err
	}
	return db.Partner(ctx, orgID, id)
}

func anys[T any](v []T) []any {
	out := make([]any, len(v))
	for i, x := range v {
		out[i] = x
	}
	return out
}

// FollowerReading is one reading of a partner account's followers.
type FollowerReading struct {
	TakenAt   time.Time `json:"taken_at"`
	Followers int64     `json:"followers"`
	Source    string    `json:"source"`
}

// PartnerFollowers returns an account's readings, oldest first.
func (db *DB) PartnerFollowers(ctx context.Context, orgID, partnerAccountID int64) ([]FollowerReading, error) {
	return queryAll(ctx, db, db.r(), `SELECT f.taken_at, f.followers, f.source FROM partner_followers f
		JOIN partner_accounts a ON a.id = f.partner_account_id JOIN partners p ON p.id = a.partner_id
		WHERE f.partner_account_id = ? AND p.org_id = ? ORDER BY f.taken_at`, []any{partnerAccountID, orgID},
		func(s interface{ Scan(...any) error }) (FollowerReading, error) {
			var r FollowerReading
			var at nullTime
			err := s.Scan(&at, &r.Followers, &r.Source)
			r.TakenAt = at.T
			return r, err
		})
}

// PartnerHistory is one collaboration with a partner.
type PartnerHistory struct {
	Kind   string    `json:"kind"` // relay or live
	ID     int64     `json:"id"`
	PostID int64     `json:"post_id,omitempty"`
	Title  string    `json:"title"`
	Status string    `json:"status"`
	At     time.Time `json:"at"`
}

// PartnerCollaborations lists a partner's relays and live visits, newest first.
func (db *DB) PartnerCollaborations(ctx context.Context, orgID, partnerID int64) ([]PartnerHistory, error) {
	return queryAll(ctx, db, db.r(), `SELECT 'relay', c.id, c.post_id, c.title, r.status, r.invited_at FROM campaign_relays r JOIN campaigns c ON c.id = r.campaign_id
		WHERE r.partner_id = ? AND c.org_id = ?
		UNION ALL
		SELECT 'live', e.id, 0, COALESCE(NULLIF(e.title_zh, ''), e.title), '', e.starts_at FROM live_events e JOIN institutions i ON i.id = e.institution_id
		WHERE e.partner_id = ? AND i.org_id = ?
		ORDER BY 6 DESC`, []any{partnerID, orgID, partnerID, orgID},
		func(s interface{ Scan(...any) error }) (PartnerHistory, error) {
			var h PartnerHistory
			var at nullTime
			err := s.Scan(&h.Kind, &h.ID, &h.PostID, &h.Title, &h.Status, &at)
			h.At = at.T
			return h, err
		})
}
