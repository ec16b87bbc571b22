package store

import (
	"context"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// Co-created posts: the partners a post names as co-authors, their approvals and
// their own publications of the post (0072).

// PartnerOrg returns the organization of a partner: a partner of another
// organization is not found for a request, an unknown one is a mistake of the input.
func (db *DB) PartnerOrg(ctx context.Context, partnerID int64) (int64, error) {
	var org int64
	err := db.r().row(ctx, `SELECT org_id FROM partners WHERE id = ?`, partnerID).Scan(&org)
	return org, db.mapErr(err)
}

// SetPostCoAuthors names the co-authors of a post of the organization, replacing the
// previous list: a co-author still named keeps its approval and publication. Every
// partner must be of the organization.
func (db *DB) SetPostCoAuthors(ctx context.Context, orgID, postID int64, partnerIDs []int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.q().row(ctx, `SELECT COUNT(*) FROM posts p JOIN institutions i ON i.id = p.institution_id WHERE p.id = ? AND i.org_id = ?`, postID, orgID).Scan(&n); err != nil || n == 0 {
			return notFoundOr(db.mapErr(err))
		}
		current, err := queryAll(ctx, db, tx.q(), `SELECT partner_id FROM post_coauthors WHERE post_id = ?`, []any{postID}, scanID)
		if err != nil {
			return err
		}
		keep := map[int64]bool{}
		for _, id := range partnerIDs {
			keep[id] = true
		}
		for _, id := range current {
			if !keep[id] {
				if _, err := tx.q().exec(ctx, `DELETE FROM post_coauthors WHERE post_id = ? AND partner_id = ?`, postID, id); err != nil {
					return err
				}
			}
		}
		for _, id := range partnerIDs {
			if err := tx.q().row(ctx, `SELECT COUNT(*) FROM partners WHERE id = ? AND org_id = ?`, id, orgID).Scan(&n); err != nil || n == 0 {
				return notFoundOr(db.mapErr(err))
			}
			if _, err := tx.q().exec(ctx, `INSERT INTO post_coauthors (post_id, partner_id) VALUES (?, ?) ON CONFLICT DO NOTHING`, postID, id); err != nil {
				return err
			}
		}
		return nil
	})
}

const coAuthorColumns = `c.post_id, c.partner_id, p.name, p.name_zh, c.decision, COALESCE(c.decided_version, 0), c.decided_by, c.decided_at,
	c.url, c.platform, c.views, c.views_lower_bound, c.reposts, c.likes, c.comments, c.recorded_at, c.figures_at`

func scanCoAuthor(s interface{ Scan(...any) error }) (*passerelle.CoAuthor, error) {
	var c passerelle.CoAuthor
	var decided, recorded, figures nullTime
	if err := s.Scan(&c.PostID, &c.PartnerID, &c.Name, &c.NameZH, &c.Decision, &c.DecidedVersion, &c.DecidedBy, &decided,
		&c.URL, &c.Platform, &c.Views, &c.ViewsLowerBound, &c.Reposts, &c.Likes, &c.Comments, &recorded, &figures); err != nil {
		return nil, err
	}
	c.DecidedAt, c.RecordedAt, c.FiguresAt = decided.Ptr(), recorded.Ptr(), figures.Ptr()
	return &c, nil
}

// PostCoAuthors returns a post's co-authors in the order of their names.
func (db *DB) PostCoAuthors(ctx context.Context, postID int64) ([]*passerelle.CoAuthor, error) {
	out, err := queryAll(ctx, db, db.r(), `SELECT `+coAuthorColumns+` FROM post_coauthors c JOIN partners p ON p.id = c.partner_id
		WHERE c.post_id = ? ORDER BY p.name, c.partner_id`, []any{postID}, scanCoAuthor)
	if out == nil {
		out = []*passerelle.CoAuthor{}
	}
	return out, err
}

// UpdatePostCoAuthor changes a co-author of a post of the organization in one
// transaction: fn sees the stored row and changes its decision, publication or
// figures.
func (db *DB) UpdatePostCoAuthor(ctx context.Context, orgID, postID, partnerID int64, fn func(*passerelle.CoAuthor) error) (*passerelle.CoAuthor, error) {
	var out *passerelle.CoAuthor
	err := db.inTx(ctx, func(tx *Tx) error {
		c, err := scanCoAuthor(tx.q().row(ctx, `SELECT `+coAuthorColumns+` FROM post_coauthors c JOIN partners p ON p.id = c.partner_id
			WHERE c.post_id = ? AND c.partner_id = ? AND p.org_id = ?`, postID, partnerID, orgID))
		if err != nil {
			return db.mapErr(err)
		}
		if err := fn(c); err != nil {
			return err
		}
		var version any
		if c.DecidedVersion > 0 {
			version = c.DecidedVersion
		}
		if _, err := tx.q().exec(ctx, `UPDATE post_coauthors SET decision = ?, decided_version = ?, decided_by = ?, decided_at = ?, url = ?, platform = ?,
			views = ?, views_lower_bound = ?, reposts = ?, likes = ?, comments = ?, recorded_at = ?, figures_at = ? WHERE post_id = ? AND partner_id = ?`,
			c.Decision, version, c.DecidedBy, c.DecidedAt, c.URL, c.Platform, c.Views, c.ViewsLowerBound, c.Reposts, c.Likes, c.Comments,
			c.RecordedAt, c.FiguresAt, postID, partnerID); err != nil {
			return db.mapErr(err)
		}
		out = c
		return nil
	})
	return out, err
}

// CoAuthoredPost is a co-created post published in a period, with both sides' reach:
// the views of the institution's own publications and those of the co-authors'.
type CoAuthoredPost struct {
	PostID        int64     `json:"post_id"`
	InstitutionID int64     `json:"institution_id"`
	Title         string    `json:"title"`
	PublishedAt   time.Time `json:"published_at"`
	CoAuthors     int       `json:"coauthors"`
	// Recorded counts the co-authors whose publication is recorded.
	Recorded          int   `json:"recorded"`
	OwnViews          int64 `json:"own_views"`
	OwnLowerBound     bool  `json:"own_views_lower_bound"`
	PartnerViews      int64 `json:"partner_views"`
	PartnerLowerBound bool  `json:"partner_views_lower_bound"`
	PartnerReposts    int64 `json:"partner_reposts"`
	PartnerLikes      int64 `json:"partner_likes"`
}

// CoAuthoredPosts lists the co-created posts of the institutions whose first
// publication was published in [from, to), oldest first, at most limit.
func (db *DB) CoAuthoredPosts(ctx context.Context, orgID int64, institutionIDs []int64, from, to time.Time, limit int) ([]CoAuthoredPost, error) {
	if len(institutionIDs) == 0 {
		return []CoAuthoredPost{}, nil
	}
	// Read from the co-authored posts (few), each with its first publication's
	// instant: not from the publications, which would be grouped by post whatever the
	// period.
	w := where{}
	w.add("p.id = pc.post_id")
	w.add("i.org_id = ?", orgID)
	w.in("p.institution_id", institutionIDs)
	args := append(w.args, from, to, limit)
	out, err := queryAll(ctx, db, db.r(), `SELECT x.id, x.institution_id, x.title, x.published_at,
			(SELECT COUNT(*) FROM post_coauthors c WHERE c.post_id = x.id),
			(SELECT COUNT(*) FROM post_coauthors c WHERE c.post_id = x.id AND c.url <> ''),
			COALESCE((SELECT SUM(f.views) FROM publications b JOIN publication_figures f ON f.publication_id = b.id WHERE b.post_id = x.id), 0),
			COALESCE((SELECT MAX(CASE WHEN f.views_lower_bound THEN 1 ELSE 0 END) FROM publications b JOIN publication_figures f ON f.publication_id = b.id WHERE b.post_id = x.id), 0),
			COALESCE((SELECT SUM(c.views) FROM post_coauthors c WHERE c.post_id = x.id AND c.url <> ''), 0),
			COALESCE((SELECT MAX(CASE WHEN c.views_lower_bound THEN 1 ELSE 0 END) FROM post_coauthors c WHERE c.post_id = x.id AND c.url <> ''), 0),
			COALESCE((SELECT SUM(c.reposts) FROM post_coauthors c WHERE c.post_id = x.id AND c.url <> ''), 0),
			COALESCE((SELECT SUM(c.likes) FROM post_coauthors c WHERE c.post_id = x.id AND c.url <> ''), 0)
		FROM (SELECT p.id, p.institution_id, p.title,
				(SELECT MIN(b.published_at) FROM publications b WHERE b.post_id = p.id AND b.published_at IS NOT NULL) AS published_at
			FROM (SELECT DISTINCT c.post_id FROM post_coauthors c) pc CROSS JOIN posts p JOIN institutions i ON i.id = p.institution_id`+w.sql()+`) x
		WHERE x.published_at >= ? AND x.published_at < ? ORDER BY x.published_at, x.id LIMIT ?`, args, func(s interface{ Scan(...any) error }) (CoAuthoredPost, error) {
		var c CoAuthoredPost
		var at nullTime
		var ownLB, partnerLB int
		err := s.Scan(&c.PostID, &c.InstitutionID, &c.Title, &at, &c.CoAuthors, &c.Recorded, &c.OwnViews, &ownLB, &c.PartnerViews, &partnerLB, &c.PartnerReposts, &c.PartnerLikes)
		c.PublishedAt, c.OwnLowerBound, c.PartnerLowerBound = at.T, ownLB == 1, partnerLB == 1
		return c, err
	})
	if out == nil {
		out = []CoAuthoredPost{}
	}
	return out, err
}

// PostOwnViews adds up the known views of a post's own publications; lower says one
// of them is "at least".
func (db *DB) PostOwnViews(ctx context.Context, postID int64) (views int64, lower bool, err error) {
	var lb int
	err = db.r().row(ctx, `SELECT COALESCE(SUM(f.views), 0), COALESCE(MAX(CASE WHEN f.views_lower_bound THEN 1 ELSE 0 END), 0)
		FROM publications b JOIN publication_figures f ON f.publication_id = b.id WHERE b.post_id = ?`, postID).Scan(&views, &lb)
	return views, lb == 1, db.mapErr(err)
}
