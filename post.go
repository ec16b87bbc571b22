package passerelle

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Status is where a post stands in the editorial workflow.
type Status string

const (
	StatusDraft       Status = "draft"
	StatusTranslation Status = "translation"
	StatusReview      Status = "review"
	StatusApproved    Status = "approved"
	StatusScheduled   Status = "scheduled"
	StatusPublished   Status = "published"
)

// Statuses lists the statuses in workflow order.
var Statuses = []Status{StatusDraft, StatusTranslation, StatusReview, StatusApproved, StatusScheduled, StatusPublished}

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return slices.Contains(Statuses, s) }

// Locked reports whether content in status s has been approved, so that editing it
// must send it back to review.
func (s Status) Locked() bool { return s == StatusApproved || s == StatusScheduled }

// DefaultThemes are the themes of an organization that has not edited its list.
var DefaultThemes = []string{"collection", "history", "behind_the_scenes", "exhibition", "event", "practical", "partnership"}

// Source languages of a post.
var SourceLangs = []string{"fr", "en"}

// Publication formats. Weibo takes the first four; a WeChat publication is an article.
const (
	FormatPhotoText = "photo_text"
	FormatVideo     = "video"
	FormatText      = "text"
	FormatRepost    = "repost"
	FormatArticle   = "article"
)

// Publishing modes (ARCHITECTURE.md, decision 5).
const (
	ModeAPI         = "api"
	ModeAssisted    = "assisted"
	ModeWeChatDraft = "wechat_draft"
)

// ModeAuto asks Passerelle to choose the mode from the account's capabilities and the
// content (publish.ChooseMode); the choice and its reason are stored with the
// publication and made again whenever the content changes.
const ModeAuto = "auto"

// Modes lists the modes each platform offers; the first is the default. Platforms with
// no publishing API for third parties only take assisted kits.
var Modes = map[Platform][]string{
	Weibo:       {ModeAssisted, ModeAPI},
	WeChat:      {ModeWeChatDraft, ModeAPI, ModeAssisted},
	Douyin:      {ModeAssisted},
	Xiaohongshu: {ModeAssisted},
	Channels:    {ModeAssisted},
}

// Formats lists the formats each platform takes.
var Formats = map[Platform][]string{
	Weibo:       {FormatPhotoText, FormatVideo, FormatText, FormatRepost},
	WeChat:      {FormatArticle},
	Douyin:      {FormatVideo, FormatPhotoText},
	Xiaohongshu: {FormatPhotoText, FormatVideo},
	Channels:    {FormatVideo, FormatPhotoText},
}

// Limits of a post's fields. The platform limits (140 characters, 32-character titles)
// are checks that warn or block at approval, not validation that refuses a draft.
const (
	maxTitleRunes   = 200
	maxTextRunes    = 100_000
	maxNotesRunes   = 20_000
	maxLinks        = 20
	maxTopics       = 10
	maxWeiboImages  = 9
	MaxPublications = 20
)

// Post is one editorial item: its texts in the source language and in Chinese, and one
// publication per target account.
type Post struct {
	ID            int64  `json:"id"`
	OrgID         int64  `json:"-"`
	InstitutionID int64  `json:"institution_id"`
	Title         string `json:"title"`
	Theme         string `json:"theme"`
	SourceLang    string `json:"source_lang"`
	SourceText    string `json:"source_text"`
	TextZH        string `json:"text_zh"`
	// TextZHHant is the optional traditional-Chinese variant, generated from TextZH by
	// conversion and then editable.
	TextZHHant string   `json:"text_zh_hant"`
	MediaIDs   []int64  `json:"media_ids"`
	Links      []string `json:"links"`
	Notes      string   `json:"notes"`
	Status     Status   `json:"status"`
	// ApprovalStep counts the approvals given in the current review when the
	// institution asks for two (agency lead, then museum).
	ApprovalStep int `json:"approval_step"`
	// Version increases with every write; an update names the version it read.
	Version      int            `json:"version"`
	CreatedBy    int64          `json:"created_by"`
	CreatedAt    time.Time      `json:"created_at"`
	UpdatedAt    time.Time      `json:"updated_at"`
	Publications []*Publication `json:"publications"`
}

// Publication is a post on one account, with the platform's own fields.
type Publication struct {
	ID        int64    `json:"id"`
	PostID    int64    `json:"post_id"`
	AccountID int64    `json:"account_id"`
	Platform  Platform `json:"platform"`
	Format    string   `json:"format"`
	// Mode is how it reaches the platform: "api", "assisted" (a copy-ready kit the
	// editor posts) or "wechat_draft"; the platform limits checked depend on it.
	Mode string `json:"mode"`
	// ModeAuto: Passerelle chose the mode (and chooses again when the content or the
	// account's capabilities change); ModeReason says why, in English (a catalog key).
	ModeAuto   bool   `json:"mode_auto"`
	ModeReason string `json:"mode_reason"`
	// TextZH is the publication's own text; empty means the post's text.
	TextZH    string   `json:"text_zh"`
	Topics    []string `json:"topics"`
	MediaIDs  []int64  `json:"media_ids"`
	RepostURL string   `json:"repost_url"`
	// WeChat holds an article's fields; nil on Weibo.
	WeChat *Article `json:"wechat"`
	// MassSend asks, for a WeChat article published by API, for a mass send (群发) to
	// every follower instead of a silent publication, within the account's quota
	// (MassQuota). A delivery option, not content: changing it needs no new approval.
	MassSend bool `json:"mass_send"`
	// ScheduledAt is the instant (UTC) the publication goes out; it holds the slot on
	// the calendar whatever the post's status, and commits only once scheduled.
	ScheduledAt *time.Time `json:"scheduled_at"`

	// Delivery: what happened on the platform (DeliveryState). Written by the
	// publishing engine, never by an edit.
	State          DeliveryState `json:"state"`
	PublishedAt    *time.Time    `json:"published_at"`
	PlatformPostID string        `json:"platform_post_id"`
	URL            string        `json:"url"`
	LastError      string        `json:"last_error"`
	Attempts       int           `json:"attempts"`
	// Generation increases whenever the publication is (re)scheduled or taken off the
	// schedule: a delivery job carries the generation it was made for and does nothing
	// when it is stale.
	Generation int `json:"-"`
}

// Article is a WeChat article's fields.
type Article struct {
	Title        string `json:"title"`
	Author       string `json:"author"`
	Digest       string `json:"digest"`
	BodyHTML     string `json:"body_html"`
	CoverMediaID int64  `json:"cover_media_id"`
	// Crop235 and Crop11 are the focus points of the cover's 2.35:1 (feed) and 1:1
	// (share) crops, as fractions of the image.
	Crop235       Focus  `json:"crop_235"`
	Crop11        Focus  `json:"crop_11"`
	SourceURL     string `json:"source_url"`
	CommentsOpen  bool   `json:"comments_open"`
	FansOnlyReply bool   `json:"fans_only_reply"`
}

// Focus is a point of an image as fractions of its width and height from the top left.
type Focus struct {
	X float64 `json:"x"`
	Y float64 `json:"y"`
}

// CenterFocus is the default crop focus.
var CenterFocus = Focus{X: 0.5, Y: 0.5}

// Text returns the text the publication posts: its own, else the post's.
func (p *Publication) Text(post *Post) string {
	if p.TextZH != "" {
		return p.TextZH
	}
	return post.TextZH
}

// ImageIDs are the library ids the publication shows: its own images, else the
// post's, and a WeChat article's cover first.
func (p *Publication) ImageIDs(post *Post) []int64 {
	ids := slices.Clone(p.MediaIDs)
	if len(ids) == 0 {
		ids = slices.Clone(post.MediaIDs)
	}
	if p.WeChat != nil && p.WeChat.CoverMediaID > 0 && !slices.Contains(ids, p.WeChat.CoverMediaID) {
		ids = append([]int64{p.WeChat.CoverMediaID}, ids...)
	}
	return ids
}

// Normalize trims text fields and fills defaults.
func (p *Post) Normalize() {
	for _, s := range []*string{&p.Title, &p.Theme, &p.SourceLang} {
		*s = strings.TrimSpace(*s)
	}
	p.SourceText = strings.TrimRight(p.SourceText, " \t\r\n")
	p.TextZH = strings.TrimRight(p.TextZH, " \t\r\n")
	p.TextZHHant = strings.TrimRight(p.TextZHHant, " \t\r\n")
	if p.Status == "" {
		p.Status = StatusDraft
	}
	links := p.Links[:0:0]
	for _, l := range p.Links {
		if l = strings.TrimSpace(l); l != "" {
			links = append(links, l)
		}
	}
	p.Links = links
	for _, pub := range p.Publications {
		pub.Normalize()
	}
}

// Normalize trims text fields, removes the # marks around topics and fills defaults.
func (p *Publication) Normalize() {
	p.Format = strings.TrimSpace(p.Format)
	p.TextZH = strings.TrimRight(p.TextZH, " \t\r\n")
	p.RepostURL = strings.TrimSpace(p.RepostURL)
	topics := p.Topics[:0:0]
	for _, t := range p.Topics {
		t = strings.TrimSpace(strings.Trim(strings.TrimSpace(t), "#＃"))
		if t != "" && !slices.Contains(topics, t) {
			topics = append(topics, t)
		}
	}
	p.Topics = topics
	if p.Format == "" {
		switch p.Platform {
		case WeChat:
			p.Format = FormatArticle
		case Weibo:
			p.Format = FormatPhotoText
		}
	}
	if p.Mode == "" || p.Mode == ModeAuto {
		p.ModeAuto = true
		p.Mode = ""
		if len(Modes[p.Platform]) > 0 {
			p.Mode = Modes[p.Platform][0]
		}
	}
	if p.State == "" {
		p.State = DeliveryPending
	}
	if p.WeChat != nil {
		a := p.WeChat
		for _, s := range []*string{&a.Title, &a.Author, &a.Digest, &a.SourceURL} {
			*s = strings.TrimSpace(*s)
		}
		if a.Crop235 == (Focus{}) {
			a.Crop235 = CenterFocus
		}
		if a.Crop11 == (Focus{}) {
			a.Crop11 = CenterFocus
		}
	}
	if p.Platform == WeChat && p.WeChat == nil {
		p.WeChat = &Article{Crop235: CenterFocus, Crop11: CenterFocus, CommentsOpen: true}
	}
}

// Validate reports every invalid field of the post and its publications. themes is the
// organization's theme list.
func (p *Post) Validate(themes []string) error {
	f := FieldErrors{}
	if p.InstitutionID <= 0 {
		f.Add("institution_id", "Choose an institution.")
	}
	if p.Title == "" {
		f.Add("title", "A title is required.")
	}
	checkLen(f, "title", p.Title, maxTitleRunes)
	if !slices.Contains(themes, p.Theme) {
		f.Add("theme", "Choose one of the organization's themes: "+strings.Join(themes, ", ")+".")
	}
	if !slices.Contains(SourceLangs, p.SourceLang) {
		f.Add("source_lang", "Choose fr or en.")
	}
	checkLen(f, "source_text", p.SourceText, maxTextRunes)
	checkLen(f, "text_zh", p.TextZH, maxTextRunes)
	checkLen(f, "text_zh_hant", p.TextZHHant, maxTextRunes)
	checkLen(f, "notes", p.Notes, maxNotesRunes)
	if len(p.Links) > maxLinks {
		f.Add("links", fmt.Sprintf("At most %d links.", maxLinks))
	}
	for _, l := range p.Links {
		if !isHTTPURL(l) || len(l) > 2000 {
			f.Add("links", "Use http or https addresses.")
		}
	}
	checkIDs(f, "media_ids", p.MediaIDs, 50)
	if !p.Status.Valid() {
		f.Add("status", "Unknown status.")
	}
	if len(p.Publications) > MaxPublications {
		f.Add("publications", fmt.Sprintf("At most %d publications.", MaxPublications))
	}
	seen := map[int64]bool{}
	for i, pub := range p.Publications {
		if seen[pub.AccountID] && pub.AccountID > 0 {
			f.Add(fmt.Sprintf("publications[%d].account_id", i), "The post already has a publication on this account.")
		}
		seen[pub.AccountID] = true
		pub.validate(f, fmt.Sprintf("publications[%d].", i))
	}
	return f.Err()
}

func (p *Publication) validate(f FieldErrors, prefix string) {
	if p.AccountID <= 0 {
		f.Add(prefix+"account_id", "Choose an account.")
	}
	if formats, ok := Formats[p.Platform]; !ok {
		f.Add(prefix+"account_id", "Posts cannot target accounts of this platform.")
	} else if !slices.Contains(formats, p.Format) {
		f.Add(prefix+"format", "Choose one of "+strings.Join(formats, ", ")+".")
	}
	if modes, ok := Modes[p.Platform]; ok && !slices.Contains(modes, p.Mode) {
		f.Add(prefix+"mode", "Choose one of "+strings.Join(modes, ", ")+".")
	}
	checkLen(f, prefix+"text_zh", p.TextZH, maxTextRunes)
	if len(p.Topics) > maxTopics {
		f.Add(prefix+"topics", fmt.Sprintf("At most %d topics.", maxTopics))
	}
	for _, t := range p.Topics {
		if utf8.RuneCountInString(t) > 64 || strings.ContainsAny(t, "#＃\n") || !utf8.ValidString(t) {
			f.Add(prefix+"topics", "A topic is a short phrase without # marks.")
		}
	}
	checkIDs(f, prefix+"media_ids", p.MediaIDs, maxWeiboImages)
	if p.Format == FormatRepost {
		if !isHTTPURL(p.RepostURL) {
			f.Add(prefix+"repost_url", "Give the address of the partner's post.")
		}
	} else if p.RepostURL != "" {
		f.Add(prefix+"repost_url", "Only a repost has the address of a partner's post.")
	}
	if p.Platform == Weibo && p.WeChat != nil {
		f.Add(prefix+"wechat", "Only a WeChat publication has article fields.")
	}
	if p.MassSend && p.Platform != WeChat {
		f.Add(prefix+"mass_send", "Only a WeChat article can be mass-sent to followers.")
	}
	if a := p.WeChat; a != nil && p.Platform == WeChat {
		checkLen(f, prefix+"wechat.title", a.Title, maxTitleRunes)
		checkLen(f, prefix+"wechat.author", a.Author, maxTitleRunes)
		checkLen(f, prefix+"wechat.digest", a.Digest, 1000)
		if len(a.BodyHTML) > 2<<20 || !utf8.ValidString(a.BodyHTML) {
			f.Add(prefix+"wechat.body_html", "The body is too long or not valid UTF-8 text.")
		}
		if a.SourceURL != "" && !isHTTPURL(a.SourceURL) {
			f.Add(prefix+"wechat.source_url", "Use an http or https address.")
		}
		if a.CoverMediaID < 0 {
			f.Add(prefix+"wechat.cover_media_id", "Unknown media.")
		}
		for name, c := range map[string]Focus{"crop_235": a.Crop235, "crop_11": a.Crop11} {
			if c.X < 0 || c.X > 1 || c.Y < 0 || c.Y > 1 {
				f.Add(prefix+"wechat."+name, "Use fractions from 0 to 1.")
			}
		}
	}
}

func checkIDs(f FieldErrors, field string, ids []int64, max int) {
	if len(ids) > max {
		f.Add(field, fmt.Sprintf("At most %d items.", max))
	}
	for _, id := range ids {
		if id <= 0 {
			f.Add(field, "Unknown media.")
		}
	}
}

// ContentEqual reports whether two versions of a post say the same thing: what a
// reviewer approved. Notes, status and schedule are not content.
func (p *Post) ContentEqual(q *Post) bool {
	if p.Title != q.Title || p.Theme != q.Theme || p.SourceLang != q.SourceLang || p.SourceText != q.SourceText ||
		p.TextZH != q.TextZH || p.TextZHHant != q.TextZHHant || !slices.Equal(p.MediaIDs, q.MediaIDs) ||
		!slices.Equal(p.Links, q.Links) || len(p.Publications) != len(q.Publications) {
		return false
	}
	for i, a := range p.Publications {
		b := q.Publications[i]
		if a.AccountID != b.AccountID || a.Format != b.Format || a.Mode != b.Mode || a.TextZH != b.TextZH || !slices.Equal(a.Topics, b.Topics) ||
			!slices.Equal(a.MediaIDs, b.MediaIDs) || a.RepostURL != b.RepostURL || (a.WeChat == nil) != (b.WeChat == nil) {
			return false
		}
		if a.WeChat != nil && *a.WeChat != *b.WeChat {
			return false
		}
	}
	return true
}

// Actor is who moves a post: a signed-in user, or a guest holding a review link.
type Actor struct {
	UserID int64
	// GuestLinkID is set for a guest; a guest may only approve or reject.
	GuestLinkID int64
	Name        string
	Role        Role
}

// Guest reports whether the actor holds a review link rather than an account.
func (a Actor) Guest() bool { return a.GuestLinkID != 0 }

// Transition records a move of a post from one status to another.
type Transition struct {
	ID          int64     `json:"id"`
	PostID      int64     `json:"post_id"`
	From        Status    `json:"from"`
	To          Status    `json:"to"`
	UserID      int64     `json:"user_id,omitempty"`
	GuestLinkID int64     `json:"guest_link_id,omitempty"`
	ActorName   string    `json:"actor_name"`
	Comment     string    `json:"comment"`
	CreatedAt   time.Time `json:"created_at"`
}

// move is one edge of the workflow and who may take it.
type move struct {
	from, to Status
	perm     Permission
	// comment: a reason is required (a rejection).
	comment bool
}

// moves are the edges a person may take. Reaching published is the publisher's
// doing, and "edit approved content" is not a move but a consequence of the edit.
var moves = []move{
	{StatusDraft, StatusTranslation, PermWrite, false},
	{StatusDraft, StatusReview, PermWrite, false},
	{StatusTranslation, StatusDraft, PermWrite, false},
	{StatusTranslation, StatusReview, PermWrite, false},
	{StatusReview, StatusDraft, PermWrite, false}, // withdrawn by its writer
	{StatusReview, StatusDraft, PermReview, true}, // rejected with a comment
	{StatusReview, StatusApproved, PermReview, false},
	{StatusApproved, StatusDraft, PermReview, true},
	{StatusApproved, StatusScheduled, PermSchedule, false},
	{StatusScheduled, StatusApproved, PermSchedule, false},
}

// MaxCommentRunes bounds a transition's comment and a comment on a post.
const MaxCommentRunes = 5000

// Move applies a transition to the post's status for actor, checking that the move
// exists (ECONFLICT otherwise) and that the actor's role allows it (EFORBIDDEN).
// With twoStep, the first approval of a review is the agency lead's (an admin or
// owner) and leaves the post in review; the second, a reviewer's or a guest's,
// approves it. A guest may only approve or reject a post in review. It does not check
// the content: the caller refuses approval and scheduling when the checks find errors.
func (p *Post) Move(to Status, actor Actor, comment string, twoStep bool) (Transition, error) {
	comment = strings.TrimSpace(comment)
	t := Transition{PostID: p.ID, From: p.Status, To: to, UserID: actor.UserID, GuestLinkID: actor.GuestLinkID, ActorName: actor.Name, Comment: comment}
	if utf8.RuneCountInString(comment) > MaxCommentRunes || !utf8.ValidString(comment) {
		return t, &Error{Code: EINVALID, Message: "The comment is too long.", Fields: map[string]string{"comment": "Too long."}}
	}
	if !to.Valid() {
		return t, &Error{Code: EINVALID, Message: "Unknown status.", Fields: map[string]string{"to": "Unknown status."}}
	}
	var candidates []move
	for _, m := range moves {
		if m.from == p.Status && m.to == to {
			candidates = append(candidates, m)
		}
	}
	if len(candidates) == 0 {
		return t, Errorf(ECONFLICT, "A post cannot go from %s to %s.", p.Status, to)
	}
	if actor.Guest() && p.Status != StatusReview {
		return t, Errorf(ECONFLICT, "This post is no longer waiting for review.")
	}
	var allowed *move
	for i, m := range candidates {
		if actor.Guest() && m.perm != PermReview {
			continue
		}
		if actor.Role.Can(m.perm) || (actor.Guest() && m.perm == PermReview) {
			allowed = &candidates[i]
			break
		}
	}
	if allowed == nil {
		return t, Errorf(EFORBIDDEN, "Your role does not allow moving a post from %s to %s.", p.Status, to)
	}
	if allowed.comment && comment == "" {
		return t, &Error{Code: EINVALID, Message: "Say why in a comment.", Fields: map[string]string{"comment": "A rejection needs a comment."}}
	}
	if to == StatusApproved && twoStep && p.ApprovalStep == 0 {
		// The agency lead's approval: the museum's comes next.
		if actor.Guest() || !actor.Role.Can(PermManage) {
			return t, Errorf(EFORBIDDEN, "This institution asks for the agency lead's approval first.")
		}
		p.ApprovalStep = 1
		t.To = StatusReview
		return t, nil
	}
	p.Status = to
	if to != StatusApproved && to != StatusScheduled {
		p.ApprovalStep = 0
	}
	return t, nil
}

// Reopen is what an edit of approved content does: back to review, with approvals to
// give again. It returns the transition to record, or false when the post was not
// locked.
func (p *Post) Reopen(actor Actor) (Transition, bool) {
	if !p.Status.Locked() {
		return Transition{}, false
	}
	t := Transition{PostID: p.ID, From: p.Status, To: StatusReview, UserID: actor.UserID, GuestLinkID: actor.GuestLinkID, ActorName: actor.Name,
		Comment: "Edited after approval."}
	p.Status, p.ApprovalStep = StatusReview, 0
	return t, true
}

// Revision is a saved version of a post's texts.
type Revision struct {
	ID         int64     `json:"id"`
	PostID     int64     `json:"post_id"`
	Version    int       `json:"version"`
	UserID     int64     `json:"user_id,omitempty"`
	ActorName  string    `json:"actor_name"`
	Title      string    `json:"title"`
	SourceText string    `json:"source_text"`
	TextZH     string    `json:"text_zh"`
	TextZHHant string    `json:"text_zh_hant"`
	CreatedAt  time.Time `json:"created_at"`
	// Publications are the post's publications as saved in this version.
	Publications []*Publication `json:"-"`
}

// Comment is a remark on a post, possibly answering another.
type Comment struct {
	ID          int64     `json:"id"`
	PostID      int64     `json:"post_id"`
	ParentID    int64     `json:"parent_id,omitempty"`
	UserID      int64     `json:"user_id,omitempty"`
	GuestLinkID int64     `json:"guest_link_id,omitempty"`
	AuthorName  string    `json:"author_name"`
	Body        string    `json:"body"`
	CreatedAt   time.Time `json:"created_at"`
}

// Validate reports an empty or oversized comment.
func (c *Comment) Validate() error {
	f := FieldErrors{}
	c.Body = strings.TrimSpace(c.Body)
	if c.Body == "" {
		f.Add("body", "Write something.")
	}
	checkLen(f, "body", c.Body, MaxCommentRunes)
	return f.Err()
}
