package editorial

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/checks"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// PostInput is what a writer sends to create or change a post. Nil fields are left as
// they are; Publications, when given, is the whole list (publications are matched by
// account, so an edit keeps their ids and schedule).
type PostInput struct {
	InstitutionID *int64              `json:"institution_id"`
	Title         *string             `json:"title"`
	Theme         *string             `json:"theme"`
	SourceLang    *string             `json:"source_lang"`
	SourceText    *string             `json:"source_text"`
	TextZH        *string             `json:"text_zh"`
	TextZHHant    *string             `json:"text_zh_hant"`
	MediaIDs      *[]int64            `json:"media_ids"`
	Links         *[]string           `json:"links"`
	Notes         *string             `json:"notes"`
	Publications  *[]PublicationInput `json:"publications"`
	// GenerateHant regenerates the traditional variant from the Chinese text (OpenCC,
	// glossary terms in their approved traditional form).
	GenerateHant bool `json:"generate_hant"`
	// Version is the version the writer read; a PATCH with an older one is refused.
	Version *int `json:"version"`
	// FeaturedInstitutionIDs names the member institutions a post on a network
	// account features. The editorial service ignores it: internal/partners checks and
	// records it (the API's post handlers call both).
	FeaturedInstitutionIDs *[]int64 `json:"featured_institution_ids"`
	// CoAuthorPartnerIDs names the partners co-authoring the post; checked and
	// recorded by CheckCoAuthors and SetCoAuthors (the handlers call them).
	CoAuthorPartnerIDs *[]int64 `json:"coauthor_partner_ids"`
}

// PublicationInput is one publication of a PostInput.
type PublicationInput struct {
	AccountID int64         `json:"account_id"`
	Format    string        `json:"format"`
	Mode      string        `json:"mode"`
	TextZH    string        `json:"text_zh"`
	Topics    []string      `json:"topics"`
	MediaIDs  []int64       `json:"media_ids"`
	RepostURL string        `json:"repost_url"`
	WeChat    *ArticleInput `json:"wechat"`
	// MassSend asks for a WeChat mass send (群发) to every follower; absent keeps the
	// publication's current choice (false for a new one).
	MassSend *bool `json:"mass_send"`
}

// ArticleInput is a WeChat article's fields.
type ArticleInput struct {
	Title        string            `json:"title"`
	Author       string            `json:"author"`
	Digest       string            `json:"digest"`
	BodyHTML     string            `json:"body_html"`
	CoverMediaID int64             `json:"cover_media_id"`
	Crop235      *passerelle.Focus `json:"crop_235"`
	Crop11       *passerelle.Focus `json:"crop_11"`
	SourceURL    string            `json:"source_url"`
	CommentsOpen *bool             `json:"comments_open"`
	FansOnly     bool              `json:"fans_only_reply"`
}

// Removal tells the editor what the WeChat sanitiser took out of an article body.
type Removal struct {
	PublicationIndex int `json:"publication_index"`
	checks.Removal
	Message string `json:"message"`
}

// Saved is the result of a write: the post as stored, the checks' findings, and what
// was removed from article bodies.
type Saved struct {
	Post     *passerelle.Post `json:"post"`
	Findings []checks.Finding `json:"findings"`
	Removed  []Removal        `json:"removed"`
}

func (in *PostInput) apply(p *passerelle.Post, lang string) []Removal {
	for _, f := range []struct {
		src *string
		dst *string
	}{{in.Title, &p.Title}, {in.Theme, &p.Theme}, {in.SourceLang, &p.SourceLang}, {in.SourceText, &p.SourceText},
		{in.TextZH, &p.TextZH}, {in.TextZHHant, &p.TextZHHant}, {in.Notes, &p.Notes}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if in.MediaIDs != nil {
		p.MediaIDs = slices.Clone(*in.MediaIDs)
	}
	if in.Links != nil {
		p.Links = slices.Clone(*in.Links)
	}
	if in.Publications == nil {
		return nil
	}
	old := map[int64]*passerelle.Publication{}
	for _, b := range p.Publications {
		old[b.AccountID] = b
	}
	var removed []Removal
	pubs := make([]*passerelle.Publication, 0, len(*in.Publications))
	for i, pi := range *in.Publications {
		b := &passerelle.Publication{AccountID: pi.AccountID, Format: pi.Format, Mode: pi.Mode, TextZH: pi.TextZH,
			Topics: slices.Clone(pi.Topics), MediaIDs: slices.Clone(pi.MediaIDs), RepostURL: pi.RepostURL}
		if o, ok := old[pi.AccountID]; ok {
			b.ID, b.ScheduledAt, b.Platform, b.MassSend = o.ID, o.ScheduledAt, o.Platform, o.MassSend
		}
		if pi.MassSend != nil {
			b.MassSend = *pi.MassSend
		}
		if a := pi.WeChat; a != nil {
			art := &passerelle.Article{Title: a.Title, Author: a.Author, Digest: a.Digest, CoverMediaID: a.CoverMediaID,
				SourceURL: a.SourceURL, CommentsOpen: true, FansOnlyReply: a.FansOnly}
			if a.CommentsOpen != nil {
				art.CommentsOpen = *a.CommentsOpen
			}
			if a.Crop235 != nil {
				art.Crop235 = *a.Crop235
			}
			if a.Crop11 != nil {
				art.Crop11 = *a.Crop11
			}
			clean, rm := checks.SanitizeWeChatHTML(a.BodyHTML, checks.HostedImage)
			art.BodyHTML = clean
			for _, r := range rm {
				removed = append(removed, Removal{PublicationIndex: i, Removal: r, Message: r.Message(lang)})
			}
			b.WeChat = art
		}
		pubs = append(pubs, b)
	}
	p.Publications = pubs
	return removed
}

// prepare fills platforms from the institution's accounts, normalises and validates.
func (s *Service) prepare(ctx context.Context, orgID int64, p *passerelle.Post) error {
	accounts, err := s.db.Accounts(ctx, store.AccountFilter{OrgID: orgID, InstitutionID: p.InstitutionID})
	if err != nil {
		return err
	}
	f := passerelle.FieldErrors{}
	for i, b := range p.Publications {
		idx := slices.IndexFunc(accounts, func(a *passerelle.Account) bool { return a.ID == b.AccountID })
		if idx < 0 {
			f.Add(fmt.Sprintf("publications[%d].account_id", i), "Not an active account of this institution.")
			continue
		}
		b.Platform = accounts[idx].Platform
		if accounts[idx].Kind != passerelle.AccountManaged {
			f.Add(fmt.Sprintf("publications[%d].account_id", i), "A watched account is only measured: publish on a managed account.")
		}
		if b.Platform == passerelle.Weibo && b.WeChat != nil {
			f.Add(fmt.Sprintf("publications[%d].wechat", i), "Only a WeChat publication has article fields.")
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	themes, err := s.db.Themes(ctx, orgID)
	if err != nil {
		return err
	}
	p.Normalize()
	s.chooseModes(ctx, p)
	if err := p.Validate(themes); err != nil {
		return err
	}
	return s.checkMedia(ctx, orgID, p)
}

// chooseModes picks the mode of the publications that leave it to Passerelle, from
// their account's last connection test and their content; an editor's choice stays.
func (s *Service) chooseModes(ctx context.Context, p *passerelle.Post) {
	for _, b := range p.Publications {
		if !b.ModeAuto {
			b.ModeReason = publish.ReasonEditorsOverride
			continue
		}
		canPublish := false
		if c, err := s.db.Connection(ctx, b.AccountID); err == nil && c != nil {
			canPublish = c.CanPublish && c.Status == "ok"
		}
		images := len(b.MediaIDs)
		if images == 0 {
			images = len(p.MediaIDs)
		}
		b.Mode, b.ModeReason = publish.ChooseMode(b.Platform, canPublish, b, b.Text(p), images)
	}
}

// checkMedia refuses media of another institution and covers that are not images.
func (s *Service) checkMedia(ctx context.Context, orgID int64, p *passerelle.Post) error {
	ids := slices.Clone(p.MediaIDs)
	for _, b := range p.Publications {
		ids = append(ids, b.MediaIDs...)
		if b.WeChat != nil && b.WeChat.CoverMediaID > 0 {
			ids = append(ids, b.WeChat.CoverMediaID)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	assets, err := s.db.MediaAssets(ctx, store.MediaFilter{OrgID: orgID, InstitutionID: p.InstitutionID, IDs: ids})
	if err != nil {
		return err
	}
	known := map[int64]*store.MediaAsset{}
	for _, a := range assets {
		known[a.ID] = a
	}
	f := passerelle.FieldErrors{}
	for _, id := range p.MediaIDs {
		if known[id] == nil {
			f.Add("media_ids", "Not in this institution's media library.")
		}
	}
	for i, b := range p.Publications {
		for _, id := range b.MediaIDs {
			if known[id] == nil {
				f.Add(fmt.Sprintf("publications[%d].media_ids", i), "Not in this institution's media library.")
			}
		}
		if b.WeChat != nil && b.WeChat.CoverMediaID > 0 {
			if a := known[b.WeChat.CoverMediaID]; a == nil || !strings.HasPrefix(a.MIME, "image/") {
				f.Add(fmt.Sprintf("publications[%d].wechat.cover_media_id", i), "Choose an image of this institution's media library.")
			}
		}
	}
	return f.Err()
}

// CreatePost creates a draft. Writers (editors, translators) only.
func (s *Service) CreatePost(ctx context.Context, u *passerelle.User, in *PostInput) (*Saved, error) {
	if in.InstitutionID == nil {
		return nil, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"institution_id": "Choose an institution."}}
	}
	if err := s.institution(ctx, u, *in.InstitutionID, passerelle.PermWrite); err != nil {
		return nil, err
	}
	p := &passerelle.Post{InstitutionID: *in.InstitutionID, Status: passerelle.StatusDraft}
	removed := in.apply(p, u.Locale)
	if in.GenerateHant {
		if err := s.generateHant(ctx, u.OrgID, p); err != nil {
			return nil, err
		}
	}
	if err := s.prepare(ctx, u.OrgID, p); err != nil {
		return nil, err
	}
	if err := s.db.CreatePost(ctx, u.OrgID, p, actorOf(u, p.InstitutionID)); err != nil {
		return nil, err
	}
	return s.saved(ctx, p, removed, u.Locale)
}

func (s *Service) saved(ctx context.Context, p *passerelle.Post, removed []Removal, lang string) (*Saved, error) {
	findings, err := s.check(ctx, p, lang)
	if err != nil {
		return nil, err
	}
	if removed == nil {
		removed = []Removal{}
	}
	return &Saved{Post: p, Findings: findings, Removed: removed}, nil
}

func (s *Service) generateHant(ctx context.Context, orgID int64, p *passerelle.Post) error {
	c, err := s.Checker(ctx, orgID, p.InstitutionID)
	if err != nil {
		return err
	}
	hant, err := c.ToTraditional(p.TextZH, checks.Traditional)
	if err != nil {
		return fmt.Errorf("convert to traditional: %w", err)
	}
	p.TextZHHant = hant
	return nil
}

// Post returns a post the user may see.
// That includes the posts of network accounts featuring an institution the user
// reviews (member_review.go).
func (s *Service) Post(ctx context.Context, u *passerelle.User, id int64) (*passerelle.Post, error) {
	return s.readable(ctx, u, id)
}

// PostQuery filters Posts.
type PostQuery struct {
	InstitutionID int64
	Statuses      []passerelle.Status
	Theme         string
	AfterID       int64
	Limit         int
}

// Posts lists the posts the user may see, newest first.
func (s *Service) Posts(ctx context.Context, u *passerelle.User, q PostQuery) ([]*passerelle.Post, error) {
	ids := u.VisibleInstitutions()
	if q.InstitutionID > 0 {
		if err := s.institution(ctx, u, q.InstitutionID, passerelle.PermView); err != nil {
			return nil, err
		}
		ids = []int64{q.InstitutionID}
	}
	for _, st := range q.Statuses {
		if !st.Valid() {
			return nil, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some parameters are invalid.", Fields: map[string]string{"status": "Unknown status."}}
		}
	}
	f := store.PostFilter{OrgID: u.OrgID, InstitutionIDs: ids, Statuses: q.Statuses, Theme: q.Theme, AfterID: q.AfterID, Limit: q.Limit}
	if q.InstitutionID == 0 && !u.Owner {
		// The posts of network accounts featuring an institution the user reviews.
		f.Featuring = u.ReviewerOf()
	}
	return s.db.Posts(ctx, f)
}

// UpdatePost applies a writer's change. Content changed in an approved or scheduled
// post sends it back to review (and so out of the schedule), in the same transaction
// as the edit. A stale version is a conflict.
func (s *Service) UpdatePost(ctx context.Context, u *passerelle.User, id int64, in *PostInput) (*Saved, error) {
	cur, err := s.post(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(cur.InstitutionID, passerelle.PermWrite); err != nil {
		return nil, err
	}
	if in.InstitutionID != nil && *in.InstitutionID != cur.InstitutionID {
		return nil, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"institution_id": "A post cannot move to another institution."}}
	}
	if cur.Status == passerelle.StatusPublished {
		return nil, passerelle.Errorf(passerelle.ECONFLICT, "A published post cannot be edited.")
	}
	actor := actorOf(u, cur.InstitutionID)
	var removed []Removal
	p, err := s.db.UpdatePost(ctx, u.OrgID, id, actor, func(p *passerelle.Post) (store.PostWrite, error) {
		if in.Version != nil && *in.Version != p.Version {
			return store.PostWrite{}, passerelle.Errorf(passerelle.ECONFLICT, "This post changed since you opened it (version %d, now %d); reload it and apply your changes again.", *in.Version, p.Version)
		}
		before := clonePost(p)
		removed = in.apply(p, u.Locale)
		if in.GenerateHant {
			if err := s.generateHant(ctx, u.OrgID, p); err != nil {
				return store.PostWrite{}, err
			}
		}
		if err := s.prepare(ctx, u.OrgID, p); err != nil {
			return store.PostWrite{}, err
		}
		// Only a change of content makes a revision, and only it reopens approved work:
		// a note or an unchanged save does not.
		w := store.PostWrite{}
		if !p.ContentEqual(before) {
			w.Revise = true
			if t, ok := p.Reopen(actor); ok {
				w.Transitions = append(w.Transitions, t)
			}
		}
		return w, nil
	})
	if err != nil {
		return nil, err
	}
	return s.saved(ctx, p, removed, u.Locale)
}

// clonePost copies what ContentEqual compares.
func clonePost(p *passerelle.Post) *passerelle.Post {
	q := *p
	q.MediaIDs, q.Links = slices.Clone(p.MediaIDs), slices.Clone(p.Links)
	q.Publications = make([]*passerelle.Publication, len(p.Publications))
	for i, b := range p.Publications {
		c := *b
		c.Topics, c.MediaIDs = slices.Clone(b.Topics), slices.Clone(b.MediaIDs)
		if b.WeChat != nil {
			a := *b.WeChat
			c.WeChat = &a
		}
		q.Publications[i] = &c
	}
	return &q
}

// DeletePost deletes a draft.
func (s *Service) DeletePost(ctx context.Context, u *passerelle.User, id int64) error {
	p, err := s.post(ctx, u, id)
	if err != nil {
		return err
	}
	if err := u.Allow(p.InstitutionID, passerelle.PermWrite); err != nil {
		return err
	}
	return s.db.DeletePost(ctx, u.OrgID, id)
}

// Transition moves a post for a signed-in user.
// A reviewer of a member institution the post features moves it as a reviewer.
func (s *Service) Transition(ctx context.Context, u *passerelle.User, id int64, to passerelle.Status, comment string) (*passerelle.Post, error) {
	p, err := s.readable(ctx, u, id)
	if err != nil {
		return nil, err
	}
	actor, err := s.actorFor(ctx, u, p)
	if err != nil {
		return nil, err
	}
	return s.move(ctx, u.OrgID, p.ID, actor, to, comment, u.Locale)
}

// move applies a transition in one transaction. Approval and scheduling are refused
// while the checks find errors; scheduling needs every publication to have a time in
// the future.
func (s *Service) move(ctx context.Context, orgID, id int64, actor passerelle.Actor, to passerelle.Status, comment, lang string) (*passerelle.Post, error) {
	cur, err := s.db.Post(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	twoStep, err := s.db.TwoStepApproval(ctx, orgID, cur.InstitutionID)
	if err != nil {
		return nil, err
	}
	// Checks run outside the transaction (they read the glossary); the version guard
	// makes sure the post checked is the post moved.
	var findings []checks.Finding
	if to == passerelle.StatusApproved || to == passerelle.StatusScheduled {
		if findings, err = s.check(ctx, cur, lang); err != nil {
			return nil, err
		}
	}
	if to == passerelle.StatusScheduled {
		for _, b := range cur.Publications {
			if err := s.readOnly(ctx, orgID, b.AccountID); err != nil {
				return nil, err
			}
		}
		if err := s.coAuthorsApproved(ctx, cur); err != nil {
			return nil, err
		}
	}
	return s.db.UpdatePost(ctx, orgID, id, actor, func(p *passerelle.Post) (store.PostWrite, error) {
		if p.Version != cur.Version {
			return store.PostWrite{}, passerelle.Errorf(passerelle.ECONFLICT, "This post changed in the meantime; reload it.")
		}
		t, err := p.Move(to, actor, comment, twoStep)
		if err != nil {
			return store.PostWrite{}, err
		}
		if n := countBlocking(findings); n > 0 {
			return store.PostWrite{}, passerelle.Errorf(passerelle.ECONFLICT, "The checks found %d error(s); fix them before the post is approved or scheduled.", n)
		}
		if to == passerelle.StatusScheduled {
			if err := s.schedulable(p); err != nil {
				return store.PostWrite{}, err
			}
		}
		return store.PostWrite{Transitions: []passerelle.Transition{t}}, nil
	})
}

func countBlocking(fs []checks.Finding) int {
	n := 0
	for _, f := range fs {
		if f.Blocking() {
			n++
		}
	}
	return n
}

func (s *Service) schedulable(p *passerelle.Post) error {
	if len(p.Publications) == 0 {
		return passerelle.Errorf(passerelle.ECONFLICT, "The post has no publication to schedule.")
	}
	now := s.now()
	for _, b := range p.Publications {
		if b.ScheduledAt == nil {
			return passerelle.Errorf(passerelle.ECONFLICT, "Give every publication a date and time before scheduling.")
		}
		if !b.ScheduledAt.After(now) {
			return passerelle.Errorf(passerelle.ECONFLICT, "A publication's time is in the past; choose a later one.")
		}
	}
	return nil
}

// Schedule sets (or, with nil, clears) the time of one publication: the slot on the
// calendar. Editors only. A time in the past is refused. Clearing the time of a
// scheduled post takes it back to approved.
func (s *Service) Schedule(ctx context.Context, u *passerelle.User, publicationID int64, at *time.Time) (*passerelle.Post, error) {
	postID, err := s.postOfPublication(ctx, u, publicationID)
	if err != nil {
		return nil, err
	}
	cur, err := s.post(ctx, u, postID)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(cur.InstitutionID, passerelle.PermSchedule); err != nil {
		return nil, err
	}
	if at != nil {
		// Clearing a time stays possible: it is how a read-only account's publication
		// is taken off the schedule.
		for _, b := range cur.Publications {
			if b.ID == publicationID {
				if err := s.readOnly(ctx, u.OrgID, b.AccountID); err != nil {
					return nil, err
				}
			}
		}
		t := at.UTC().Truncate(time.Second)
		if !t.After(s.now()) {
			return nil, &passerelle.Error{Code: passerelle.EINVALID, Message: "The time is in the past.", Fields: map[string]string{"scheduled_at": "Choose a time in the future."}}
		}
		if t.After(s.now().AddDate(2, 0, 0)) {
			return nil, &passerelle.Error{Code: passerelle.EINVALID, Message: "The time is too far away.", Fields: map[string]string{"scheduled_at": "Choose a time within two years."}}
		}
		at = &t
	}
	actor := actorOf(u, cur.InstitutionID)
	return s.db.UpdatePost(ctx, u.OrgID, postID, actor, func(p *passerelle.Post) (store.PostWrite, error) {
		if p.Status == passerelle.StatusPublished {
			return store.PostWrite{}, passerelle.Errorf(passerelle.ECONFLICT, "The post is already published.")
		}
		w := store.PostWrite{}
		for _, b := range p.Publications {
			if b.ID == publicationID {
				b.ScheduledAt = at
			}
		}
		if at == nil && p.Status == passerelle.StatusScheduled {
			t, err := p.Move(passerelle.StatusApproved, actor, "Unscheduled.", false)
			if err != nil {
				return w, err
			}
			w.Transitions = append(w.Transitions, t)
		}
		return w, nil
	})
}

// readOnly refuses to schedule on an archived institution or account, or a watched
// account (publish.ReadOnly).
func (s *Service) readOnly(ctx context.Context, orgID, accountID int64) error {
	a, err := s.db.Account(ctx, orgID, accountID)
	if err != nil {
		return err
	}
	i, err := s.db.Institution(ctx, orgID, a.InstitutionID)
	if err != nil {
		return err
	}
	return publish.ReadOnly(i, a)
}

func (s *Service) postOfPublication(ctx context.Context, u *passerelle.User, publicationID int64) (int64, error) {
	return s.db.PublicationPost(ctx, u.OrgID, publicationID)
}

// History is a post's transitions and revisions, with the diff of each revision from
// the one before.
type History struct {
	Transitions []*passerelle.Transition `json:"transitions"`
	Revisions   []RevisionDiff           `json:"revisions"`
}

// RevisionDiff is a revision and what changed since the previous one.
type RevisionDiff struct {
	*passerelle.Revision
	Changes map[string][]DiffOp `json:"changes"`
	// Publications are the changes of the publications' own texts (Weibo text and
	// topics, WeChat title, author, digest, body), by account.
	Publications []PublicationChange `json:"-"`
}

// PublicationChange is one changed field of a publication.
type PublicationChange struct {
	AccountID int64
	Platform  passerelle.Platform
	// Field is text_zh, topics, wechat_title, wechat_author, wechat_digest or
	// wechat_body_html; added and removed say the publication came or went.
	Field string
	Ops   []DiffOp
}

// publicationChanges lists what changed in the publications between two versions.
func publicationChanges(before, after []*passerelle.Publication) []PublicationChange {
	fields := func(b *passerelle.Publication) [][2]string {
		out := [][2]string{{"text_zh", b.TextZH}, {"topics", strings.Join(b.Topics, " ")}}
		if a := b.WeChat; a != nil {
			out = append(out, [2]string{"wechat_title", a.Title}, [2]string{"wechat_author", a.Author},
				[2]string{"wechat_digest", a.Digest}, [2]string{"wechat_body_html", a.BodyHTML})
		}
		return out
	}
	old := map[int64]*passerelle.Publication{}
	for _, b := range before {
		old[b.AccountID] = b
	}
	var out []PublicationChange
	seen := map[int64]bool{}
	for _, b := range after {
		seen[b.AccountID] = true
		o := old[b.AccountID]
		if o == nil {
			if before != nil {
				out = append(out, PublicationChange{AccountID: b.AccountID, Platform: b.Platform, Field: "added"})
			}
			o = &passerelle.Publication{WeChat: &passerelle.Article{}}
		}
		prev := map[string]string{}
		for _, f := range fields(o) {
			prev[f[0]] = f[1]
		}
		for _, f := range fields(b) {
			if prev[f[0]] != f[1] {
				out = append(out, PublicationChange{AccountID: b.AccountID, Platform: b.Platform, Field: f[0], Ops: Diff(prev[f[0]], f[1])})
			}
		}
	}
	for _, b := range before {
		if !seen[b.AccountID] {
			out = append(out, PublicationChange{AccountID: b.AccountID, Platform: b.Platform, Field: "removed"})
		}
	}
	return out
}

// History returns a post's history.
func (s *Service) History(ctx context.Context, u *passerelle.User, id int64) (*History, error) {
	if _, err := s.readable(ctx, u, id); err != nil {
		return nil, err
	}
	trs, err := s.db.Transitions(ctx, id)
	if err != nil {
		return nil, err
	}
	revs, err := s.db.Revisions(ctx, id)
	if err != nil {
		return nil, err
	}
	h := &History{Transitions: trs, Revisions: make([]RevisionDiff, len(revs))}
	prev := &passerelle.Revision{Publications: nil}
	for i, r := range revs {
		ch := map[string][]DiffOp{}
		for _, f := range []struct{ name, a, b string }{
			{"title", prev.Title, r.Title}, {"source_text", prev.SourceText, r.SourceText},
			{"text_zh", prev.TextZH, r.TextZH}, {"text_zh_hant", prev.TextZHHant, r.TextZHHant},
		} {
			if f.a != f.b {
				ch[f.name] = Diff(f.a, f.b)
			}
		}
		h.Revisions[i] = RevisionDiff{Revision: r, Changes: ch, Publications: publicationChanges(prev.Publications, r.Publications)}
		prev = r
	}
	return h, nil
}

// Comments lists a post's comments.
func (s *Service) Comments(ctx context.Context, u *passerelle.User, id int64) ([]*passerelle.Comment, error) {
	if _, err := s.readable(ctx, u, id); err != nil {
		return nil, err
	}
	return s.db.Comments(ctx, id)
}

// AddComment comments on a post; anyone who sees the post may.
func (s *Service) AddComment(ctx context.Context, u *passerelle.User, c *passerelle.Comment) error {
	p, err := s.readable(ctx, u, c.PostID)
	if err != nil {
		return err
	}
	a := actorOf(u, p.InstitutionID)
	c.UserID, c.GuestLinkID, c.AuthorName = u.ID, 0, a.Name
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.AddComment(ctx, c)
}
