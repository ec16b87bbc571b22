package store

import (
	"context"
	"time"

	"github.com/passerelle-oss/passerelle"
)

const liveEventColumns = `e.id, e.institution_id, e.platform, e.starts_at, e.title, e.title_zh, e.host, e.partner_id, e.route, e.script_zh, e.script_fr, e.post_ids,
	e.peak_viewers, e.total_viewers, e.likes, e.comments, e.new_followers, e.figures_at, e.created_at, e.updated_at`

func scanLiveEvent(s interface{ Scan(...any) error }) (*passerelle.LiveEvent, error) {
	var e passerelle.LiveEvent
	var route, posts string
	var starts, figures, created, updated nullTime
	if err := s.Scan(&e.ID, &e.InstitutionID, &e.Platform, &starts, &e.Title, &e.TitleZH, &e.Host, &e.PartnerID, &route, &e.ScriptZH, &e.ScriptFR, &posts,
		&e.PeakViewers, &e.TotalViewers, &e.Likes, &e.Comments, &e.NewFollowers, &figures, &created, &updated); err != nil {
		return nil, err
	}
	if err := unmarshalList(route, &e.Route); err != nil {
		return nil, err
	}
	if err := unmarshalList(posts, &e.PostIDs); err != nil {
		return nil, err
	}
	e.StartsAt, e.FiguresAt, e.CreatedAt, e.UpdatedAt = starts.T, figures.Ptr(), created.T, updated.T
	return &e, nil
}

// checkLiveRefs makes sure the institution, the partner and the promotion posts
// belong to the organization (not found otherwise).
func (db *DB) checkLiveRefs(ctx context.Context, tx *Tx, orgID int64, e *passerelle.LiveEvent) error {
	var n int
	if err := tx.q().row(ctx, `SELECT COUNT(*) FROM institutions WHERE id = ? AND org_id = ?`, e.InstitutionID, orgID).Scan(&n); err != nil || n == 0 {
		return notFoundOr(db.mapErr(err))
	}
	if e.PartnerID != nil {
		if err := tx.q().row(ctx, `SELECT COUNT(*) FROM partners WHERE id = ? AND org_id = ?`, *e.PartnerID, orgID).Scan(&n); err != nil || n == 0 {
			return notFoundOr(db.mapErr(err))
		}
	}
	for _, p := range e.PostIDs {
		if err := tx.q().row(ctx, `SELECT COUNT(*) FROM posts WHERE id = ? AND institution_id = ?`, p, e.InstitutionID).Scan(&n); err != nil || n == 0 {
			return notFoundOr(db.mapErr(err))
		}
	}
	return nil
}

func notFoundOr(err error) error {
	if err != nil {
		return err
	}
	return passerelle.ErrNotFound
}

// CreateLiveEvent validates and inserts e.
func (db *DB) CreateLiveEvent(ctx context.Context, orgID int64, e *passerelle.LiveEvent) error {
	e.Normalize()
	if err := e.Validate(); err != nil {
		return err
	}
	now := db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		if err := db.checkLiveRefs(ctx, tx, orgID, e); err != nil {
			return err
		}
		var figures *time.Time
		if e.PeakViewers != nil || e.TotalViewers != nil || e.NewFollowers != nil || e.Likes != nil || e.Comments != nil {
			figures = &now
		}
		id, err := tx.q().insert(ctx, `INSERT INTO live_events (institution_id, platform, starts_at, title, title_zh, host, partner_id, route, script_zh, script_fr, post_ids,
			peak_viewers, total_viewers, likes, comments, new_followers, figures_at, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			e.InstitutionID, e.Platform, e.StartsAt, e.Title, e.TitleZH, e.Host, e.PartnerID, marshalList(e.Route), e.ScriptZH, e.ScriptFR, marshalList(e.PostIDs),
			e.PeakViewers, e.TotalViewers, e.Likes, e.Comments, e.NewFollowers, figures, now, now)
		if err != nil {
			return err
		}
		e.ID, e.FiguresAt, e.CreatedAt, e.UpdatedAt = id, figures, now, now
		return nil
	})
}

// LiveEvent returns a live visit of the organization.
func (db *DB) LiveEvent(ctx context.Context, orgID, id int64) (*passerelle.LiveEvent, error) {
	e, err := scanLiveEvent(db.r().row(ctx, `SELECT `+liveEventColumns+` FROM live_events e JOIN institutions i ON i.id = e.institution_id WHERE e.id = ? AND i.org_id = ?`, id, orgID))
	return e, db.mapErr(err)
}

// LiveEventFilter selects live visits.
type LiveEventFilter struct {
	OrgID          int64
	InstitutionIDs []int64
	From, To       time.Time
	AfterID        int64
	Limit          int
}

// LiveEvents lists live visits by start.
func (db *DB) LiveEvents(ctx context.Context, f LiveEventFilter) ([]*passerelle.LiveEvent, error) {
	w := where{}
	w.add("i.org_id = ?", f.OrgID)
	if f.InstitutionIDs != nil {
		w.in("e.institution_id", f.InstitutionIDs)
	}
	if !f.From.IsZero() {
		w.add("e.starts_at >= ?", f.From)
	}
	if !f.To.IsZero() {
		w.add("e.starts_at < ?", f.To)
	}
	if f.AfterID > 0 {
		w.add("e.id > ?", f.AfterID)
	}
	query := `SELECT ` + liveEventColumns + ` FROM live_events e JOIN institutions i ON i.id = e.institution_id` + w.sql() + ` ORDER BY e.id`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		w.args = append(w.args, f.Limit)
	}
	return queryAll(ctx, db, db.r(), query, w.args, scanLiveEvent)
}

// UpdateLiveEvent applies fn to a stored live visit and saves it.
func (db *DB) UpdateLiveEvent(ctx context.Context, orgID, id int64, fn func(*passerelle.LiveEvent) error) (*passerelle.LiveEvent, error) {
	var out *passerelle.LiveEvent
	err := db.inTx(ctx, func(tx *Tx) error {
		e, err := scanLiveEvent(tx.q().row(ctx, `SELECT `+liveEventColumns+` FROM live_events e JOIN institutions i ON i.id = e.institution_id WHERE e.id = ? AND i.org_id = ?`, id, orgID))
		if err != nil {
			return db.mapErr(err)
		}
		before := [5]int64{deref(e.PeakViewers), deref(e.TotalViewers), deref(e.Likes), deref(e.Comments), deref(e.NewFollowers)}
		if err := fn(e); err != nil {
			return err
		}
		e.Normalize()
		if err := e.Validate(); err != nil {
			return err
		}
		if err := db.checkLiveRefs(ctx, tx, orgID, e); err != nil {
			return err
		}
		now := db.nowUTC()
		if [5]int64{deref(e.PeakViewers), deref(e.TotalViewers), deref(e.Likes), deref(e.Comments), deref(e.NewFollowers)} != before {
			e.FiguresAt = &now
		}
		if _, err := tx.q().exec(ctx, `UPDATE live_events SET platform = ?, starts_at = ?, title = ?, title_zh = ?, host = ?, partner_id = ?, route = ?, script_zh = ?, script_fr = ?, post_ids = ?,
			peak_viewers = ?, total_viewers = ?, likes = ?, comments = ?, new_followers = ?, figures_at = ?, updated_at = ? WHERE id = ?`,
			e.Platform, e.StartsAt, e.Title, e.TitleZH, e.Host, e.PartnerID, marshalList(e.Route), e.ScriptZH, e.ScriptFR, marshalList(e.PostIDs),
			e.PeakViewers, e.TotalViewers, e.Likes, e.Comments, e.NewFollowers, e.FiguresAt, now, id); err != nil {
			return err
		}
		e.UpdatedAt = now
		out = e
		return nil
	})
	return out, err
}

func deref(p *int64) int64 {
	if p == nil {
		return -1
	}
	return *p
}
