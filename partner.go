package passerelle

import (
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// PartnerKind is what a partner is.
type PartnerKind string

const (
	PartnerMuseum     PartnerKind = "museum"
	PartnerInfluencer PartnerKind = "influencer"
	PartnerMedia      PartnerKind = "media"
	// PartnerChannel is a platform's own channel (Weibo's art pages, WeChat's culture
	// channels).
	PartnerChannel PartnerKind = "channel"
	PartnerArtist  PartnerKind = "artist"
)

// PartnerKinds lists the kinds of partners.
var PartnerKinds = []PartnerKind{PartnerMuseum, PartnerInfluencer, PartnerMedia, PartnerChannel, PartnerArtist}

// Consent states of a partner: may we contact them, and did they agree to be listed.
const (
	ConsentUnknown = "unknown"
	ConsentGranted = "granted"
	ConsentRefused = "refused"
)

// MaxFigure bounds every audience figure typed or imported: larger is a typing
// error (Weibo counts about 600 million monthly users).
const MaxFigure int64 = 10_000_000_000

// Partner is a Chinese museum, an influencer, a medium, a platform channel or an
// artist with whom an organization works: they relay posts, co-create content, host
// live visits.
type Partner struct {
	ID            int64            `json:"id"`
	OrgID         int64            `json:"-"`
	Name          string           `json:"name"`
	NameZH        string           `json:"name_zh"`
	Kind          PartnerKind      `json:"kind"`
	Language      string           `json:"language"`
	Topics        []string         `json:"topics"`
	Contacts      string           `json:"contacts"`
	AudienceNotes string           `json:"audience_notes"`
	Consent       string           `json:"consent"`
	ContactPrefs  string           `json:"contact_prefs"`
	Accounts      []PartnerAccount `json:"accounts"`
	CreatedAt     time.Time        `json:"created_at"`
	UpdatedAt     time.Time        `json:"updated_at"`
}

// PartnerAccount is a partner's presence on a platform.
type PartnerAccount struct {
	ID          int64      `json:"id"`
	Platform    Platform   `json:"platform"`
	Handle      string     `json:"handle"`
	ProfileURL  string     `json:"profile_url"`
	Followers   *int64     `json:"followers"`
	FollowersAt *time.Time `json:"followers_at"`
}

// Normalize trims the text fields and fills defaults.
func (p *Partner) Normalize() {
	for _, s := range []*string{&p.Name, &p.NameZH, &p.Language, &p.Contacts, &p.AudienceNotes, &p.Consent, &p.ContactPrefs} {
		*s = strings.TrimSpace(*s)
	}
	p.Kind = PartnerKind(strings.ToLower(strings.TrimSpace(string(p.Kind))))
	if p.Language == "" {
		p.Language = "zh-Hans"
	}
	if p.Consent == "" {
		p.Consent = ConsentUnknown
	}
	topics := p.Topics[:0:0]
	for _, t := range p.Topics {
		if t = strings.TrimSpace(t); t != "" && !slices.Contains(topics, t) {
			topics = append(topics, t)
		}
	}
	p.Topics = topics
	for i := range p.Accounts {
		a := &p.Accounts[i]
		a.Platform = Platform(strings.ToLower(strings.TrimSpace(string(a.Platform))))
		a.Handle, a.ProfileURL = strings.TrimSpace(a.Handle), strings.TrimSpace(a.ProfileURL)
	}
}

// Validate reports every invalid field.
func (p *Partner) Validate() error {
	f := FieldErrors{}
	if p.Name == "" && p.NameZH == "" {
		f.Add("name", "A name is required.")
	}
	checkLen(f, "name", p.Name, 200)
	checkLen(f, "name_zh", p.NameZH, 200)
	if !slices.Contains(PartnerKinds, p.Kind) {
		f.Add("kind", "Choose museum, influencer, media, channel or artist.")
	}
	if !contains(Locales, p.Language) && !contains([]string{"zh-Hant", "de", "es", "it", "ja", "ko"}, p.Language) {
		f.Add("language", "Use a language tag such as zh-Hans, fr or en.")
	}
	if len(p.Topics) > 20 {
		f.Add("topics", "At most 20 topics.")
	}
	for _, t := range p.Topics {
		checkLen(f, "topics", t, 50)
	}
	checkLen(f, "contacts", p.Contacts, 2000)
	checkLen(f, "audience_notes", p.AudienceNotes, 2000)
	checkLen(f, "contact_prefs", p.ContactPrefs, 500)
	if !contains([]string{ConsentUnknown, ConsentGranted, ConsentRefused}, p.Consent) {
		f.Add("consent", "Choose unknown, granted or refused.")
	}
	if len(p.Accounts) > 20 {
		f.Add("accounts", "At most 20 accounts.")
	}
	for i, a := range p.Accounts {
		pre := fmt.Sprintf("accounts.%d.", i)
		if !a.Platform.Valid() {
			f.Add(pre+"platform", "Choose weibo, wechat, douyin, xiaohongshu or wechat_channels.")
		}
		if a.Handle == "" {
			f.Add(pre+"handle", "Give the account's handle or uid.")
		}
		checkLen(f, pre+"handle", a.Handle, 200)
		if a.ProfileURL != "" && !isHTTPURL(a.ProfileURL) {
			f.Add(pre+"profile_url", "Use an http or https address.")
		}
		checkFigure(f, pre+"followers", a.Followers)
	}
	return f.Err()
}

// HasPlatform reports whether the partner has an account on platform.
func (p *Partner) HasPlatform(pl Platform) bool {
	for _, a := range p.Accounts {
		if a.Platform == pl {
			return true
		}
	}
	return false
}

func checkFigure(f FieldErrors, field string, v *int64) {
	switch {
	case v == nil:
	case *v < 0:
		f.Add(field, "Cannot be negative.")
	case *v > MaxFigure:
		f.Add(field, "Too large to be a real figure.")
	}
}

// RelayStatus is where a partner stands in a relay campaign.
type RelayStatus string

const (
	RelayInvited  RelayStatus = "invited"
	RelayAccepted RelayStatus = "accepted"
	RelayRelayed  RelayStatus = "relayed"
	RelayDeclined RelayStatus = "declined"
	// RelayNoAnswer is set by the team when a partner stayed silent after reminders.
	RelayNoAnswer RelayStatus = "no_answer"
)

// RelayStatuses lists the statuses.
var RelayStatuses = []RelayStatus{RelayInvited, RelayAccepted, RelayRelayed, RelayDeclined, RelayNoAnswer}

// Valid reports whether s is a known status.
func (s RelayStatus) Valid() bool { return slices.Contains(RelayStatuses, s) }

// Campaign asks partners to relay a post.
type Campaign struct {
	ID            int64  `json:"id"`
	OrgID         int64  `json:"-"`
	PostID        int64  `json:"post_id"`
	InstitutionID int64  `json:"institution_id"`
	Title         string `json:"title"`
	MessageZH     string `json:"message_zh"`
	// OwnViews and OwnReposts are the institution's own publication's figures, typed
	// or imported, against which partners' reach is compared.
	OwnViews   *int64 `json:"own_views"`
	OwnReposts *int64 `json:"own_reposts"`
	// RemindAfterDays: a partner still invited this many days after the invitation
	// (or the last reminder) is due a reminder.
	RemindAfterDays int            `json:"remind_after_days"`
	CreatedBy       int64          `json:"created_by"`
	CreatedAt       time.Time      `json:"created_at"`
	UpdatedAt       time.Time      `json:"updated_at"`
	Relays          []Relay        `json:"relays"`
	Totals          CampaignTotals `json:"totals"`
}

// Relay is one partner's part in a campaign.
type Relay struct {
	ID          int64       `json:"-"`
	PartnerID   int64       `json:"partner_id"`
	PartnerName string      `json:"partner_name"`
	Status      RelayStatus `json:"status"`
	URL         string      `json:"url"`
	Views       *int64      `json:"views"`
	Reposts     *int64      `json:"reposts"`
	Likes       *int64      `json:"likes"`
	Comments    *int64      `json:"comments"`
	// ViewsLowerBound: Views is "at least" (an imported 10万+).
	ViewsLowerBound bool `json:"views_lower_bound"`
	// Link is the partner's signed link and Invitation the message to send with it
	// (the campaign's message for this partner); both are given only when the link is
	// made.
	Link       string     `json:"link,omitempty"`
	Invitation string     `json:"invitation,omitempty"`
	InvitedAt  time.Time  `json:"invited_at"`
	RemindedAt *time.Time `json:"reminded_at"`
	// Reminders counts the reminders sent; Due says a reminder is due (MarkDue).
	Reminders  int        `json:"reminders"`
	Due        bool       `json:"due"`
	AnsweredAt *time.Time `json:"answered_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	UpdatedAt  time.Time  `json:"updated_at"`
	// FiguresSource is where the newest reading of the figures came from ("api",
	// "manual" or "import"; empty when none) and FiguresAt its instant; CollectedAt is
	// the newest reading collected from the platform, and MissedAt the last time the
	// platform did not return the post (deleted, private, or beyond the app's access).
	FiguresSource string     `json:"figures_source"`
	FiguresAt     *time.Time `json:"figures_at"`
	CollectedAt   *time.Time `json:"collected_at"`
	MissedAt      *time.Time `json:"missed_at"`
	// StatusID is the numeric Weibo id of a relayed Weibo post (empty otherwise), and
	// URLAt when its address was recorded: collection slots count from it.
	StatusID string     `json:"-"`
	URLAt    *time.Time `json:"-"`
	// Readings are the readings Take applied since the relay was loaded, for the store
	// to keep as snapshots.
	Readings []RelayReading `json:"-"`
}

// Sources of a relay's figures.
const (
	FiguresAPI    = "api"
	FiguresManual = "manual"
	FiguresImport = "import"
)

// RelayReading is one reading of a relay's figures.
type RelayReading struct {
	Source   string
	At       time.Time
	StatusID string
	RelayFigures
}

// RelayFigures are what a relay's post did.
type RelayFigures struct {
	Views    *int64 `json:"views"`
	Reposts  *int64 `json:"reposts"`
	Likes    *int64 `json:"likes"`
	Comments *int64 `json:"comments"`
	// ViewsLowerBound: the views are "at least" (10万+).
	ViewsLowerBound bool `json:"views_lower_bound,omitempty"`
}

// Validate refuses negative and absurd figures.
func (r RelayFigures) Validate() error {
	f := FieldErrors{}
	checkFigure(f, "views", r.Views)
	checkFigure(f, "reposts", r.Reposts)
	checkFigure(f, "likes", r.Likes)
	checkFigure(f, "comments", r.Comments)
	return f.Err()
}

// Move changes a relay's status. A relayed relay needs its post's URL; the URL is
// checked by the caller against the partner's platforms.
func (r *Relay) Move(to RelayStatus, url string, now time.Time) error {
	if !to.Valid() {
		return &Error{Code: EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"status": "Choose invited, accepted, relayed, declined or no_answer."}}
	}
	if to == RelayRelayed && url == "" && r.URL == "" {
		return &Error{Code: EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"url": "Give the address of the partner's post."}}
	}
	if to != RelayRelayed && url != "" {
		return &Error{Code: EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"url": "Only a relayed post has an address."}}
	}
	if to != r.Status && to != RelayInvited && to != RelayNoAnswer {
		r.AnsweredAt = &now
	}
	r.Status = to
	if url != "" {
		r.URL = url
	}
	if to != RelayRelayed {
		r.URL = ""
	}
	r.UpdatedAt = now
	return nil
}

// Apply sets the figures that are given.
func (r *Relay) Apply(f RelayFigures) {
	for _, m := range []struct{ src, dst **int64 }{{&f.Views, &r.Views}, {&f.Reposts, &r.Reposts}, {&f.Likes, &r.Likes}, {&f.Comments, &r.Comments}} {
		if *m.src != nil {
			v := **m.src
			*m.dst = &v
		}
	}
}

// Empty reports whether no figure is given.
func (f RelayFigures) Empty() bool {
	return f.Views == nil && f.Reposts == nil && f.Likes == nil && f.Comments == nil
}

// Take applies a reading of the relay's figures (typed, imported or collected) and
// records it in Readings. Every reading is kept; the relay's figures, which the
// campaign's totals sum once per relay, follow this precedence:
//
//   - per figure, the newest reading that carries it wins: a reading at or after
//     FiguresAt replaces the figures it carries, even downwards (a count read later is
//     the better count: reposts are deleted too), and leaves the others as they are;
//   - so views, which Weibo's API does not give, stay as typed or imported;
//   - an older reading (a late job, last week's export imported today) only fills
//     figures still unknown;
//   - a post the platform does not return (MissedAt) keeps its earlier figures.
func (r *Relay) Take(rd RelayReading) {
	if rd.Empty() {
		return
	}
	newer := r.FiguresAt == nil || !rd.At.Before(*r.FiguresAt)
	f := rd.RelayFigures
	if f.Views != nil && (newer || r.Views == nil) {
		r.ViewsLowerBound = f.ViewsLowerBound
	}
	for _, m := range []struct{ src, dst **int64 }{{&f.Views, &r.Views}, {&f.Reposts, &r.Reposts}, {&f.Likes, &r.Likes}, {&f.Comments, &r.Comments}} {
		if *m.src != nil && (newer || *m.dst == nil) {
			v := **m.src
			*m.dst = &v
		}
	}
	at := rd.At
	if newer {
		r.FiguresSource, r.FiguresAt = rd.Source, &at
	}
	if rd.Source == FiguresAPI && (r.CollectedAt == nil || at.After(*r.CollectedAt)) {
		r.CollectedAt = &at
	}
	r.Readings = append(r.Readings, rd)
}

// CampaignTotals sum a campaign's relays.
type CampaignTotals struct {
	Relays         int   `json:"relays"`
	Relayed        int   `json:"relayed"`
	Accepted       int   `json:"accepted"`
	Declined       int   `json:"declined"`
	NoAnswer       int   `json:"no_answer"`
	Invited        int   `json:"invited"`
	PartnerViews   int64 `json:"partner_views"`
	PartnerReposts int64 `json:"partner_reposts"`
	PartnerLikes   int64 `json:"partner_likes"`
	OwnViews       int64 `json:"own_views"`
	OwnReposts     int64 `json:"own_reposts"`
	// ReachAdded is the share of all views that partners brought, in percent (0 when
	// nothing is known).
	ReachAdded float64 `json:"reach_added_percent"`
}

// Total computes the campaign's totals from its relays. Figures of relays that are not
// relayed do not count.
func (c *Campaign) Total() {
	t := CampaignTotals{Relays: len(c.Relays)}
	for _, r := range c.Relays {
		switch r.Status {
		case RelayRelayed:
			t.Relayed++
			t.PartnerViews += deref(r.Views)
			t.PartnerReposts += deref(r.Reposts)
			t.PartnerLikes += deref(r.Likes)
		case RelayAccepted:
			t.Accepted++
		case RelayDeclined:
			t.Declined++
		case RelayNoAnswer:
			t.NoAnswer++
		case RelayInvited:
			t.Invited++
		}
	}
	t.OwnViews, t.OwnReposts = deref(c.OwnViews), deref(c.OwnReposts)
	if all := t.PartnerViews + t.OwnViews; all > 0 {
		t.ReachAdded = float64(t.PartnerViews*1000/all) / 10
	}
	c.Totals = t
}

func deref(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

// LiveEvent is a live visit streamed on a platform, often with a partner channel.
type LiveEvent struct {
	ID            int64      `json:"id"`
	InstitutionID int64      `json:"institution_id"`
	Platform      Platform   `json:"platform"`
	StartsAt      time.Time  `json:"starts_at"`
	Title         string     `json:"title"`
	TitleZH       string     `json:"title_zh"`
	Host          string     `json:"host"`
	PartnerID     *int64     `json:"partner_id"`
	Route         []string   `json:"route"`
	ScriptZH      string     `json:"script_zh"`
	ScriptFR      string     `json:"script_fr"`
	PostIDs       []int64    `json:"promotion_post_ids"`
	PeakViewers   *int64     `json:"peak_viewers"`
	TotalViewers  *int64     `json:"total_viewers"`
	Likes         *int64     `json:"likes"`
	Comments      *int64     `json:"comments"`
	NewFollowers  *int64     `json:"new_followers"`
	FiguresAt     *time.Time `json:"figures_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// Normalize trims the text fields.
func (e *LiveEvent) Normalize() {
	for _, s := range []*string{&e.Title, &e.TitleZH, &e.Host, &e.ScriptZH, &e.ScriptFR} {
		*s = strings.TrimSpace(*s)
	}
	e.Platform = Platform(strings.ToLower(strings.TrimSpace(string(e.Platform))))
	e.StartsAt = e.StartsAt.UTC()
	route := e.Route[:0:0]
	for _, w := range e.Route {
		if w = strings.TrimSpace(w); w != "" {
			route = append(route, w)
		}
	}
	e.Route = route
}

// Validate reports every invalid field.
func (e *LiveEvent) Validate() error {
	f := FieldErrors{}
	if !e.Platform.Valid() {
		f.Add("platform", "Choose weibo, wechat, douyin, xiaohongshu or wechat_channels.")
	}
	if e.StartsAt.IsZero() {
		f.Add("starts_at", "Give the start (RFC 3339, such as 2026-06-01T12:00:00Z).")
	} else if y := e.StartsAt.Year(); y < 2000 || y > 9999 {
		f.Add("starts_at", "The start is out of range.")
	}
	if e.TitleZH == "" && e.Title == "" {
		f.Add("title_zh", "A title is required.")
	}
	checkLen(f, "title", e.Title, 200)
	checkLen(f, "title_zh", e.TitleZH, 200)
	checkLen(f, "host", e.Host, 200)
	checkLen(f, "script_zh", e.ScriptZH, 50000)
	checkLen(f, "script_fr", e.ScriptFR, 50000)
	if len(e.Route) > 100 {
		f.Add("route", "At most 100 stops.")
	}
	for _, w := range e.Route {
		checkLen(f, "route", w, 200)
	}
	checkIDs(f, "promotion_post_ids", e.PostIDs, 50)
	checkFigure(f, "peak_viewers", e.PeakViewers)
	checkFigure(f, "total_viewers", e.TotalViewers)
	checkFigure(f, "likes", e.Likes)
	checkFigure(f, "comments", e.Comments)
	checkFigure(f, "new_followers", e.NewFollowers)
	if e.PeakViewers != nil && e.TotalViewers != nil && *e.PeakViewers > *e.TotalViewers {
		f.Add("peak_viewers", "The peak cannot exceed the total of viewers.")
	}
	return f.Err()
}

// Reminder bounds and default of a campaign's RemindAfterDays.
const (
	MinRemindAfterDays     = 1
	MaxRemindAfterDays     = 90
	DefaultRemindAfterDays = 7
)

// DueAt is when a relay still invited is due a reminder: RemindAfterDays after the
// invitation or the last reminder.
func (r *Relay) DueAt(remindAfterDays int) time.Time {
	from := r.InvitedAt
	if r.RemindedAt != nil && r.RemindedAt.After(from) {
		from = *r.RemindedAt
	}
	return from.AddDate(0, 0, remindAfterDays)
}

// MarkDue flags the relays still invited whose reminder is due at now.
func (c *Campaign) MarkDue(now time.Time) {
	for i := range c.Relays {
		r := &c.Relays[i]
		r.Due = r.Status == RelayInvited && !now.Before(r.DueAt(c.RemindAfterDays))
	}
}

// CampaignTemplate is a saved invitation message in Chinese, with the placeholders
// {partner}, {title} and {link}.
type CampaignTemplate struct {
	ID        int64     `json:"id"`
	OrgID     int64     `json:"-"`
	Name      string    `json:"name"`
	MessageZH string    `json:"message_zh"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks a template's name and message.
func (t *CampaignTemplate) Validate() error {
	f := FieldErrors{}
	t.Name, t.MessageZH = strings.TrimSpace(t.Name), strings.TrimSpace(t.MessageZH)
	if t.Name == "" {
		f.Add("name", "Name the template.")
	} else if utf8.RuneCountInString(t.Name) > 100 || !utf8.ValidString(t.Name) {
		f.Add("name", "At most 100 characters.")
	}
	if t.MessageZH == "" {
		f.Add("message_zh", "Write the message.")
	} else if utf8.RuneCountInString(t.MessageZH) > 2000 || !utf8.ValidString(t.MessageZH) {
		f.Add("message_zh", "At most 2,000 characters.")
	}
	return f.Err()
}
