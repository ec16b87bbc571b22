package store

import (
	"context"
	"slices"
	"time"
)

// SetAccountMembers makes an account of the organization speak for the given member
// institutions (a network account); an empty list makes it an ordinary account again.
// The account and every institution must belong to orgID (not found otherwise).
func (db *DB) SetAccountMembers(ctx context.Context, orgID, accountID int64, institutionIDs []int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.q().row(ctx, `SELECT COUNT(*) FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE a.id = ? AND i.org_id = ?`, accountID, orgID).Scan(&n); err != nil || n == 0 {
			return notFoundOr(db.mapErr(err))
		}
		for _, id := range institutionIDs {
			if err := tx.q().row(ctx, `SELECT COUNT(*) FROM institutions WHERE id = ? AND org_id = ?`, id, orgID).Scan(&n); err != nil || n == 0 {
				return notFoundOr(db.mapErr(err))
			}
		}
		if _, err := tx.q().exec(ctx, `DELETE FROM account_members WHERE account_id = ?`, accountID); err != nil {
			return err
		}
		for _, id := range institutionIDs {
			if _, err := tx.q().exec(ctx, `INSERT INTO account_members (account_id, institution_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, accountID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

func scanID(s interface{ Scan(...any) error }) (int64, error) {
	var id int64
	err := s.Scan(&id)
	return id, err
}

// AccountMembers returns the member institutions of an account of the organization,
// by id; empty for an account that is not a network's.
func (db *DB) AccountMembers(ctx context.Context, orgID, accountID int64) ([]int64, error) {
	ids, err := queryAll(ctx, db, db.r(), `SELECT m.institution_id FROM account_members m JOIN accounts a ON a.id = m.account_id JOIN institutions i ON i.id = a.institution_id
		WHERE m.account_id = ? AND i.org_id = ? ORDER BY m.institution_id`, []any{accountID, orgID}, scanID)
	if ids == nil {
		ids = []int64{}
	}
	return ids, err
}

// NetworkAccountsFeaturing returns the network accounts of which an institution is a
// member.
func (db *DB) NetworkAccountsFeaturing(ctx context.Context, orgID, institutionID int64) ([]int64, error) {
	return queryAll(ctx, db, db.r(), `SELECT m.account_id FROM account_members m JOIN institutions i ON i.id = m.institution_id
		WHERE m.institution_id = ? AND i.org_id = ? ORDER BY m.account_id`, []any{institutionID, orgID}, scanID)
}

// SetPostFeatured records the member institutions a post features, replacing the
// previous list.
func (db *DB) SetPostFeatured(ctx context.Context, orgID, postID int64, institutionIDs []int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.q().row(ctx, `SELECT COUNT(*) FROM posts p JOIN institutions i ON i.id = p.institution_id WHERE p.id = ? AND i.org_id = ?`, postID, orgID).Scan(&n); err != nil || n == 0 {
			return notFoundOr(db.mapErr(err))
		}
		if _, err := tx.q().exec(ctx, `DELETE FROM post_featured_institutions WHERE post_id = ?`, postID); err != nil {
			return err
		}
		for _, id := range institutionIDs {
			if _, err := tx.q().exec(ctx, `INSERT INTO post_featured_institutions (post_id, institution_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, postID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// PostFeatured returns the institutions a post features, by id.
func (db *DB) PostFeatured(ctx context.Context, postID int64) ([]int64, error) {
	ids, err := queryAll(ctx, db, db.r(), `SELECT institution_id FROM post_featured_institutions WHERE post_id = ? ORDER BY institution_id`, []any{postID}, scanID)
	if ids == nil {
		ids = []int64{}
	}
	return ids, err
}

// PostsFeaturing returns the ids of the posts that feature an institution, newest
// first.
func (db *DB) PostsFeaturing(ctx context.Context, orgID, institutionID int64, limit int) ([]int64, error) {
	return queryAll(ctx, db, db.r(), `SELECT f.post_id FROM post_featured_institutions f JOIN institutions i ON i.id = f.institution_id
		WHERE f.institution_id = ? AND i.org_id = ? ORDER BY f.post_id DESC LIMIT ?`, []any{institutionID, orgID, limit}, scanID)
}

// MemberShare is one member institution's part of a network account's posts in a
// period.
type MemberShare struct {
	InstitutionID int64  `json:"institution_id"`
	Name          string `json:"name"`
	// Posts counts the posts on the account featuring the member, whose publication on
	// the account is published or scheduled in the period.
	Posts int `json:"posts"`
	// Published counts those already published.
	Published int `json:"published"`
	// SharePercent is Posts over all the account's posts in the period.
	SharePercent float64 `json:"share_percent"`
	// PartnerViews sums the views partners' relays of those posts brought.
	PartnerViews int64 `json:"partner_views"`
	// Views sums the newest views figure (publication_figures) of the published
	// publications on the account, in the period, of the posts featuring the member.
	Views int64 `json:"views"`
}

// NetworkShares computes each member's share of a network account's posts whose
// publication on it falls in [from, to) (published, else scheduled).
func (db *DB) NetworkShares(ctx context.Context, orgID, accountID int64, from, to time.Time) ([]MemberShare, int, error) {
	members, err := db.AccountMembers(ctx, orgID, accountID)
	if err != nil {
		return nil, 0, err
	}
	var total int
	if err := db.r().row(ctx, `SELECT COUNT(DISTINCT b.post_id) FROM publications b WHERE b.account_id = ? AND COALESCE(b.published_at, b.scheduled_at) >= ? AND COALESCE(b.published_at, b.scheduled_at) < ?`,
		accountID, from, to).Scan(&total); err != nil {
		return nil, 0, db.mapErr(err)
	}
	out := make([]MemberShare, 0, len(members))
	if len(members) == 0 {
		return out, total, nil
	}
	rows, err := queryAll(ctx, db, db.r(), `SELECT i.id, i.name,
		(SELECT COUNT(DISTINCT b.post_id) FROM publications b JOIN post_featured_institutions f ON f.post_id = b.post_id
			WHERE f.institution_id = i.id AND b.account_id = ? AND COALESCE(b.published_at, b.scheduled_at) >= ? AND COALESCE(b.published_at, b.scheduled_at) < ?),
		(SELECT COUNT(DISTINCT b.post_id) FROM publications b JOIN post_featured_institutions f ON f.post_id = b.post_id
			WHERE f.institution_id = i.id AND b.account_id = ? AND b.state = 'published' AND b.published_at >= ? AND b.published_at < ?),
		(SELECT COALESCE(SUM(r.views), 0) FROM campaign_relays r JOIN campaigns c ON c.id = r.campaign_id JOIN post_featured_institutions f ON f.post_id = c.post_id
			WHERE f.institution_id = i.id AND r.status = 'relayed' AND c.post_id IN (SELECT b.post_id FROM publications b WHERE b.account_id = ? AND COALESCE(b.published_at, b.scheduled_at) >= ? AND COALESCE(b.published_at, b.scheduled_at) < ?)),
		(SELECT COALESCE(SUM(pf.views), 0) FROM publications b JOIN post_featured_institutions f ON f.post_id = b.post_id JOIN publication_figures pf ON pf.publication_id = b.id
			WHERE f.institution_id = i.id AND b.account_id = ? AND b.state = 'published' AND b.published_at >= ? AND b.published_at < ?)
		FROM account_members m JOIN institutions i ON i.id = m.institution_id WHERE m.account_id = ? AND i.org_id = ? ORDER BY i.id`,
		[]any{accountID, from, to, accountID, from, to, accountID, from, to, accountID, from, to, accountID, orgID},
		func(s interface{ Scan(...any) error }) (MemberShare, error) {
			var m MemberShare
			err := s.Scan(&m.InstitutionID, &m.Name, &m.Posts, &m.Published, &m.PartnerViews, &m.Views)
			return m, err
		})
	if err != nil {
		return nil, 0, err
	}
	for i := range rows {
		if total > 0 {
			rows[i].SharePercent = float64(rows[i].Posts*1000/total) / 10
		}
	}
	out = append(out, rows...)
	return out, total, nil
}

// NetworkMemberInstitutions maps each network account of the organization to its
// member institutions.
func (db *DB) NetworkMemberInstitutions(ctx context.Context, orgID int64) (map[int64][]int64, error) {
	type pair struct{ account, inst int64 }
	rows, err := queryAll(ctx, db, db.r(), `SELECT m.account_id, m.institution_id FROM account_members m JOIN institutions i ON i.id = m.institution_id WHERE i.org_id = ? ORDER BY m.account_id, m.institution_id`,
		[]any{orgID}, func(s interface{ Scan(...any) error }) (pair, error) {
			var p pair
			err := s.Scan(&p.account, &p.inst)
			return p, err
		})
	if err != nil {
		return nil, err
	}
	out := map[int64][]int64{}
	for _, p := range rows {
		if !slices.Contains(out[p.account], p.inst) {
			out[p.account] = append(out[p.account], p.inst)
		}
	}
	return out, nil
}
