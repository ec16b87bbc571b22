package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// Posts and their publications. A write of a post, its publications, a revision and
// its transitions is one transaction (SavePost, UpdatePost).

const postColumns = `p.id, i.org_id, p.institution_id, p.title, p.theme, p.source_lang, p.source_text, p.text_zh, p.text_zh_hant,
	p.media_ids, p.links, p.notes, p.status, p.approval_step, p.version, COALESCE(p.created_by, 0), p.created_at, p.updated_at`

func scanPost(s interface{ Scan(...any) error }) (*passerelle.Post, error) {
	var p passerelle.Post
	var mediaIDs, links string
	var created, updated nullTime
	err := s.Scan(&p.ID, &p.OrgID, &p.InstitutionID, &p.Title, &p.Theme, &p.SourceLang, &p.SourceText, &p.TextZH, &p.TextZHHant,
		&mediaIDs, &links, &p.Notes, &p.Status, &p.ApprovalStep, &p.Version, &p.CreatedBy, &created, &updated)
	if err != nil {
		return nil, err
	}
	if err := unmarshalList(mediaIDs, &p.MediaIDs); err != nil {
		return nil, err
	}
	if err := unmarshalList(links, &p.Links); err != nil {
		return nil, err
	}
	p.CreatedAt, p.UpdatedAt = created.T, updated.T
	return &p, nil
}

const publicationColumns = `b.id, b.post_id, b.account_id, a.platform, b.format, b.mode, b.text_zh, b.topics, b.media_ids, b.repost_url, b.article, b.scheduled_at,
	b.mode_auto, b.mode_reason, b.state, b.generation, b.published_at, COALESCE(b.platform_post_id, ''), b.url, b.last_error, b.attempts, b.mass_send`

func scanPublication(s interface{ Scan(...any) error }) (*passerelle.Publication, error) {
	var b passerelle.Publication
	var topics, mediaIDs string
	var article *string
	var scheduled, published nullTime
	if err := s.Scan(&b.ID, &b.PostID, &b.AccountID, &b.Platform, &b.Format, &b.Mode, &b.TextZH, &topics, &mediaIDs, &b.RepostURL, &article, &scheduled,
		&b.ModeAuto, &b.ModeReason, &b.State, &b.Generation, &published, &b.PlatformPostID, &b.URL, &b.LastError, &b.Attempts, &b.MassSend); err != nil {
		return nil, err
	}
	b.PublishedAt = published.Ptr()
	if err := unmarshalList(topics, &b.Topics); err != nil {
		return nil, err
	}
	if err := unmarshalList(mediaIDs, &b.MediaIDs); err != nil {
		return nil, err
	}
	if article != nil && *article != "" {
		b.WeChat = &passerelle.Article{}
		if err := json.Unmarshal([]byte(*article), b.WeChat); err != nil {
			return nil, fmt.Errorf("store: publication %d article: %w", b.ID, err)
		}
	}
	b.ScheduledAt = scheduled.Ptr()
	return &b, nil
}

// unmarshalList reads a JSON array column, leaving a nil slice for an empty one so that
// values compare equal to freshly normalised input.
func unmarshalList[T any](s string, dst *[]T) error {
	if s == "" || s == "[]" || s == "null" {
		*dst = nil
		return nil
	}
	if err := json.Unmarshal([]byte(s), dst); err != nil {
		return fmt.Errorf("store: read list: %w", err)
	}
	return nil
}

func marshalList[T any](v []T) string {
	if len(v) == 0 {
		return "[]"
	}
	b, _ := json.Marshal(v) // slices of strings and ints always marshal
	return string(b)
}

// Post returns a post of the organization with its publications.
func (db *DB) Post(ctx context.Context, orgID, id int64) (*passerelle.Post, error) {
	return db.loadPost(ctx, db.r(), orgID, id)
}

func (db *DB) loadPost(ctx context.Context, x q, orgID, id int64) (*passerelle.Post, error) {
	p, err := scanPost(x.row(ctx, `SELECT `+postColumns+` FROM posts p JOIN institutions i ON i.id = p.institution_id WHERE p.id = ? AND i.org_id = ?`, id, orgID))
	if err != nil {
		return nil, db.mapErr(err)
	}
	pubs, err := queryAll(ctx, db, x, `SELECT `+publicationColumns+` FROM publications b JOIN accounts a ON a.id = b.account_id WHERE b.post_id = ? ORDER BY b.position, b.id`, []any{id}, scanPublication)
	if err != nil {
		return nil, err
	}
	p.Publications = pubs
	return p, nil
}

// PostFilter selects posts. InstitutionIDs nil means every institution of OrgID; empty
// means none.
type PostFilter struct {
	OrgID          int64
	InstitutionIDs []int64
	// Featuring adds the posts featuring one of these (member) institutions to those
	// of InstitutionIDs.
	Featuring []int64
	Statuses  []passerelle.Status
	Theme     string
	AfterID   int64
	Limit     int
}

// Posts lists posts, newest first by id, with their publications.
func (db *DB) Posts(ctx context.Context, f PostFilter) ([]*passerelle.Post, error) {
	w := where{}
	w.add("i.org_id = ?", f.OrgID)
	if f.InstitutionIDs != nil {
		inst := where{}
		inst.in("p.institution_id", f.InstitutionIDs)
		if len(f.Featuring) > 0 {
			feat := where{}
			feat.in("institution_id", f.Featuring)
			w.add("("+inst.conds[0]+" OR p.id IN (SELECT post_id FROM post_featured_institutions"+feat.sql()+"))", append(inst.args, feat.args...)...)
		} else {
			w.add(inst.conds[0], inst.args...)
		}
	}
	if len(f.Statuses) > 0 {
		conds := "p.status IN (?" + strings.Repeat(",?", len(f.Statuses)-1) + ")"
		args := make([]any, len(f.Statuses))
		for i, s := range f.Statuses {
			args[i] = string(s)
		}
		w.add(conds, args...)
	}
	if f.Theme != "" {
		w.add("p.theme = ?", f.Theme)
	}
	if f.AfterID > 0 {
		w.add("p.id < ?", f.AfterID)
	}
	query := `SELECT ` + postColumns + ` FROM posts p JOIN institutions i ON i.id = p.institution_id` + w.sql() + ` ORDER BY p.id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		w.args = append(w.args, f.Limit)
	}
	posts, err := queryAll(ctx, db, db.r(), query, w.args, scanPost)
	if err != nil || len(posts) == 0 {
		return posts, err
	}
	ids := make([]int64, len(posts))
	byID := make(map[int64]*passerelle.Post, len(posts))
	for i, p := range posts {
		ids[i], byID[p.ID] = p.ID, p
	}
	pw := where{}
	pw.in("b.post_id", ids)
	pubs, err := queryAll(ctx, db, db.r(), `SELECT `+publicationColumns+` FROM publications b JOIN accounts a ON a.id = b.account_id`+pw.sql()+` ORDER BY b.position, b.id`, pw.args, scanPublication)
	if err != nil {
		return nil, err
	}
	for _, b := range pubs {
		byID[b.PostID].Publications = append(byID[b.PostID].Publications, b)
	}
	return posts, nil
}

// PostWrite says what an update records besides the post itself.
type PostWrite struct {
	// Transitions are recorded in order; the post's status is already moved.
	Transitions []passerelle.Transition
	// Revise marks a content change: the version increases and a revision is saved.
	Revise bool
}

// CreatePost inserts a post (already validated) with its publications, its first
// revision and the transition that created it. Every account must belong to the
// post's institution, which must belong to orgID.
func (db *DB) CreatePost(ctx context.Context, orgID int64, p *passerelle.Post, actor passerelle.Actor) error {
	return db.CreatePosts(ctx, orgID, []*passerelle.Post{p}, actor)
}

// CreatePosts saves new posts in one transaction: all of them or none (a schedule
// import).
func (db *DB) CreatePosts(ctx context.Context, orgID int64, posts []*passerelle.Post, actor passerelle.Actor) error {
	now := db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		for _, p := range posts {
			if err := db.createPost(ctx, tx, orgID, p, actor, now); err != nil {
				return err
			}
		}
		return nil
	})
}

func (db *DB) createPost(ctx context.Context, tx *Tx, orgID int64, p *passerelle.Post, actor passerelle.Actor, now time.Time) error {
	{
		if err := checkInstitution(ctx, tx, orgID, p.InstitutionID); err != nil {
			return err
		}
		p.Version, p.CreatedAt, p.UpdatedAt, p.OrgID = 1, now, now, orgID
		if actor.UserID > 0 {
			p.CreatedBy = actor.UserID
		}
		id, err := tx.q().insert(ctx, `INSERT INTO posts (institution_id, title, theme, source_lang, source_text, text_zh, text_zh_hant, media_ids, links, notes, status, approval_step, version, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.InstitutionID, p.Title, p.Theme, p.SourceLang, p.SourceText, p.TextZH, p.TextZHHant, marshalList(p.MediaIDs), marshalList(p.Links), p.Notes,
			string(p.Status), p.ApprovalStep, p.Version, nullID(p.CreatedBy), now, now)
		if err != nil {
			return err
		}
		p.ID = id
		if err := db.writePublications(ctx, tx, p, nil, now); err != nil {
			return err
		}
		if err := db.insertRevision(ctx, tx, p, actor, now); err != nil {
			return err
		}
		return db.insertTransition(ctx, tx, &passerelle.Transition{PostID: p.ID, From: "", To: p.Status, UserID: actor.UserID, GuestLinkID: actor.GuestLinkID, ActorName: actor.Name}, now)
	}
}

// UpdatePost loads the post, lets fn change it and say what to record, and saves
// everything in one transaction. The stored version guards the write: if another
// writer got there first the update fails with ECONFLICT.
func (db *DB) UpdatePost(ctx context.Context, orgID, id int64, actor passerelle.Actor, fn func(p *passerelle.Post) (PostWrite, error)) (*passerelle.Post, error) {
	var out *passerelle.Post
	err := db.inTx(ctx, func(tx *Tx) error {
		p, err := db.loadPost(ctx, tx.q(), orgID, id)
		if err != nil {
			return err
		}
		before := p.Publications
		loaded := make([]passerelle.Publication, len(before))
		for i, b := range before {
			loaded[i] = *b
		}
		version := p.Version
		w, err := fn(p)
		if err != nil {
			return err
		}
		now := db.nowUTC()
		p.ID, p.OrgID = id, orgID
		if w.Revise {
			p.Version = version + 1
		} else {
			p.Version = version
		}
		p.UpdatedAt = now
		res, err := tx.q().exec(ctx, `UPDATE posts SET title = ?, theme = ?, source_lang = ?, source_text = ?, text_zh = ?, text_zh_hant = ?, media_ids = ?, links = ?, notes = ?,
			status = ?, approval_step = ?, version = ?, updated_at = ? WHERE id = ? AND version = ?`,
			p.Title, p.Theme, p.SourceLang, p.SourceText, p.TextZH, p.TextZHHant, marshalList(p.MediaIDs), marshalList(p.Links), p.Notes,
			string(p.Status), p.ApprovalStep, p.Version, now, id, version)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return staleErr()
		}
		if err := db.writePublications(ctx, tx, p, before, now); err != nil {
			return err
		}
		if w.Revise {
			if err := db.insertRevision(ctx, tx, p, actor, now); err != nil {
				return err
			}
		}
		for i := range w.Transitions {
			t := &w.Transitions[i]
			t.PostID = id
			if err := db.insertTransition(ctx, tx, t, now); err != nil {
				return err
			}
		}
		if db.postHook != nil {
			if err := db.postHook(ctx, tx, loaded, p); err != nil {
				return err
			}
		}
		out = p
		return nil
	})
	return out, err
}

func staleErr() error {
	return passerelle.Errorf(passerelle.ECONFLICT, "Someone else changed this post in the meantime; reload it and apply your changes again.")
}

// DeletePost removes a post that was never approved, with its history.
func (db *DB) DeletePost(ctx context.Context, orgID, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		p, err := db.loadPost(ctx, tx.q(), orgID, id)
		if err != nil {
			return err
		}
		if p.Status != passerelle.StatusDraft && p.Status != passerelle.StatusTranslation {
			return passerelle.Errorf(passerelle.ECONFLICT, "Only drafts can be deleted.")
		}
		_, err = tx.q().exec(ctx, `DELETE FROM posts WHERE id = ?`, id)
		return err
	})
}

func checkInstitution(ctx context.Context, tx *Tx, orgID, institutionID int64) error {
	var n int
	if err := tx.q().row(ctx, `SELECT COUNT(*) FROM institutions WHERE id = ? AND org_id = ?`, institutionID, orgID).Scan(&n); err != nil {
		return tx.db.mapErr(err)
	}
	if n == 0 {
		return passerelle.ErrNotFound
	}
	return nil
}

func nullID(id int64) any {
	if id <= 0 {
		return nil
	}
	return id
}

// writePublications makes the stored publications those of p: kept by account (their
// ids survive an edit), new ones inserted, missing ones deleted.
func (db *DB) writePublications(ctx context.Context, tx *Tx, p *passerelle.Post, before []*passerelle.Publication, now time.Time) error {
	old := map[int64]*passerelle.Publication{}
	for _, b := range before {
		old[b.AccountID] = b
	}
	keep := map[int64]bool{}
	for pos, b := range p.Publications {
		var platform passerelle.Platform
		if err := tx.q().row(ctx, `SELECT platform FROM accounts WHERE id = ? AND institution_id = ? AND archived_at IS NULL`, b.AccountID, p.InstitutionID).Scan(&platform); err != nil {
			if passerelle.ErrorCode(db.mapErr(err)) == passerelle.ENOTFOUND {
				return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.",
					Fields: map[string]string{fmt.Sprintf("publications[%d].account_id", pos): "Not an active account of this institution."}}
			}
			return db.mapErr(err)
		}
		b.Platform, b.PostID = platform, p.ID
		var article any
		if b.WeChat != nil {
			js, err := json.Marshal(b.WeChat)
			if err != nil {
				return fmt.Errorf("store: article: %w", err)
			}
			article = string(js)
		}
		args := []any{pos, b.Format, b.Mode, b.ModeAuto, b.ModeReason, b.TextZH, marshalList(b.Topics), marshalList(b.MediaIDs), b.RepostURL, article, b.ScheduledAt, now, b.MassSend}
		if o, ok := old[b.AccountID]; ok {
			b.ID = o.ID
			keep[o.ID] = true
			if _, err := tx.q().exec(ctx, `UPDATE publications SET position = ?, format = ?, mode = ?, mode_auto = ?, mode_reason = ?, text_zh = ?, topics = ?, media_ids = ?, repost_url = ?, article = ?, scheduled_at = ?, updated_at = ?, mass_send = ? WHERE id = ?`,
				append(args, o.ID)...); err != nil {
				return err
			}
			continue
		}
		if b.State == "" {
			b.State = passerelle.DeliveryPending
		}
		id, err := tx.q().insert(ctx, `INSERT INTO publications (position, format, mode, mode_auto, mode_reason, text_zh, topics, media_ids, repost_url, article, scheduled_at, updated_at, mass_send, post_id, account_id, created_at, state)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(args, p.ID, b.AccountID, now, string(b.State))...)
		if err != nil {
			return err
		}
		b.ID = id
	}
	for _, o := range before {
		if !keep[o.ID] {
			if o.State.Started() || o.Attempts > 0 {
				return passerelle.Errorf(passerelle.ECONFLICT, "The publication on this account has a delivery (%s); cancel it instead of removing it.", o.State)
			}
			if _, err := tx.q().exec(ctx, `DELETE FROM publications WHERE id = ?`, o.ID); err != nil {
				return err
			}
		}
	}
	return nil
}

func (db *DB) insertRevision(ctx context.Context, tx *Tx, p *passerelle.Post, actor passerelle.Actor, now time.Time) error {
	snap, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("store: revision snapshot: %w", err)
	}
	_, err = tx.q().exec(ctx, `INSERT INTO post_revisions (post_id, version, user_id, actor_name, title, source_text, text_zh, text_zh_hant, snapshot, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, p.ID, p.Version, nullID(actor.UserID), actor.Name, p.Title, p.SourceText, p.TextZH, p.TextZHHant, string(snap), now)
	return err
}

func (db *DB) insertTransition(ctx context.Context, tx *Tx, t *passerelle.Transition, now time.Time) error {
	id, err := tx.q().insert(ctx, `INSERT INTO post_transitions (post_id, from_status, to_status, user_id, guest_link_id, actor_name, comment, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, t.PostID, string(t.From), string(t.To), nullID(t.UserID), nullID(t.GuestLinkID), t.ActorName, t.Comment, now)
	if err != nil {
		return err
	}
	t.ID, t.CreatedAt = id, now
	return nil
}

// Transitions lists a post's moves, oldest first.
func (db *DB) Transitions(ctx context.Context, postID int64) ([]*passerelle.Transition, error) {
	return queryAll(ctx, db, db.r(), `SELECT id, post_id, from_status, to_status, COALESCE(user_id, 0), COALESCE(guest_link_id, 0), actor_name, comment, created_at
		FROM post_transitions WHERE post_id = ? ORDER BY id`, []any{postID}, func(s interface{ Scan(...any) error }) (*passerelle.Transition, error) {
		var t passerelle.Transition
		var created nullTime
		err := s.Scan(&t.ID, &t.PostID, &t.From, &t.To, &t.UserID, &t.GuestLinkID, &t.ActorName, &t.Comment, &created)
		t.CreatedAt = created.T
		return &t, err
	})
}

// Revisions lists a post's revisions, oldest first.
func (db *DB) Revisions(ctx context.Context, postID int64) ([]*passerelle.Revision, error) {
	return queryAll(ctx, db, db.r(), `SELECT id, post_id, version, COALESCE(user_id, 0), actor_name, title, source_text, text_zh, text_zh_hant, snapshot, created_at
		FROM post_revisions WHERE post_id = ? ORDER BY version`, []any{postID}, func(s interface{ Scan(...any) error }) (*passerelle.Revision, error) {
		var r passerelle.Revision
		var created nullTime
		var snap string
		err := s.Scan(&r.ID, &r.PostID, &r.Version, &r.UserID, &r.ActorName, &r.Title, &r.SourceText, &r.TextZH, &r.TextZHHant, &snap, &created)
		r.CreatedAt = created.T
		// The snapshot is the whole post as saved; an unreadable one (an older
		// format) only costs the publications' diff.
		var p passerelle.Post
		if err == nil && json.Unmarshal([]byte(snap), &p) == nil {
			r.Publications = p.Publications
		}
		return &r, err
	})
}

// CalendarFilter selects scheduled publications for the calendar. InstitutionIDs nil
// means every institution of OrgID.
type CalendarFilter struct {
	OrgID          int64
	InstitutionIDs []int64
	From, To       time.Time // [From, To)
	AccountID      int64
	Platform       passerelle.Platform
	Statuses       []passerelle.Status
	Theme          string
}

// CalendarRow is one publication on the calendar.
type CalendarRow struct {
	PublicationID int64
	PostID        int64
	InstitutionID int64
	AccountID     int64
	Platform      passerelle.Platform
	Format        string
	Title         string
	Theme         string
	Status        passerelle.Status
	ScheduledAt   time.Time
}

// Calendar lists the publications scheduled in [From, To), by time.
func (db *DB) Calendar(ctx context.Context, f CalendarFilter) ([]CalendarRow, error) {
	w := where{}
	w.add("i.org_id = ?", f.OrgID)
	if f.InstitutionIDs != nil {
		w.in("p.institution_id", f.InstitutionIDs)
	}
	w.add("b.scheduled_at >= ?", f.From)
	w.add("b.scheduled_at < ?", f.To)
	if f.AccountID > 0 {
		w.add("b.account_id = ?", f.AccountID)
	}
	if f.Platform != "" {
		w.add("a.platform = ?", string(f.Platform))
	}
	if len(f.Statuses) > 0 {
		args := make([]any, len(f.Statuses))
		for i, s := range f.Statuses {
			args[i] = string(s)
		}
		w.add("p.status IN (?"+strings.Repeat(",?", len(f.Statuses)-1)+")", args...)
	}
	if f.Theme != "" {
		w.add("p.theme = ?", f.Theme)
	}
	query := `SELECT b.id, p.id, p.institution_id, b.account_id, a.platform, b.format, p.title, p.theme, p.status, b.scheduled_at
		FROM publications b JOIN posts p ON p.id = b.post_id JOIN accounts a ON a.id = b.account_id JOIN institutions i ON i.id = p.institution_id` +
		w.sql() + ` ORDER BY b.scheduled_at, b.id`
	return queryAll(ctx, db, db.r(), query, w.args, func(s interface{ Scan(...any) error }) (CalendarRow, error) {
		var r CalendarRow
		var at nullTime
		err := s.Scan(&r.PublicationID, &r.PostID, &r.InstitutionID, &r.AccountID, &r.Platform, &r.Format, &r.Title, &r.Theme, &r.Status, &at)
		r.ScheduledAt = at.T
		return r, err
	})
}

// PublicationPost returns the post of a publication of the organization.
func (db *DB) PublicationPost(ctx context.Context, orgID, publicationID int64) (int64, error) {
	var id int64
	err := db.r().row(ctx, `SELECT p.id FROM publications b JOIN posts p ON p.id = b.post_id JOIN institutions i ON i.id = p.institution_id WHERE b.id = ? AND i.org_id = ?`,
		publicationID, orgID).Scan(&id)
	return id, db.mapErr(err)
}
