package partners

import (
	"context"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/platform/weibo"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// DefaultMessageZH is the invitation's template when the campaign gives none:
// {partner} is the partner's name, {title} the post's title, {link} the partner link.
const DefaultMessageZH = "{partner}您好！我们新发布了《{title}》，诚邀您转发或分享。文案、图片与原帖链接请见：{link}。转发后请在该页面填写您的帖子链接，谢谢！"

// MaxRelaysPerCampaign bounds a campaign's partners.
const MaxRelaysPerCampaign = 500

// CampaignInput creates a campaign.
type CampaignInput struct {
	PostID     int64
	PartnerIDs []int64
	Title      string
	MessageZH  string
	// TTL is the life of the partner links; the service's default when zero.
	TTL time.Duration
	// TemplateID takes the message of a saved template when MessageZH is empty.
	TemplateID int64
	// RemindAfterDays flags partners still invited after so many days;
	// passerelle.DefaultRemindAfterDays when zero.
	RemindAfterDays int
}

// post returns a post of the user's organization the user may see.
func (s *Service) post(ctx context.Context, u *passerelle.User, id int64) (*passerelle.Post, error) {
	p, err := s.db.Post(ctx, u.OrgID, id)
	if err != nil {
		return nil, err
	}
	if !u.Can(p.InstitutionID, passerelle.PermView) {
		return nil, passerelle.ErrNotFound
	}
	return p, nil
}

// CreateCampaign invites partners to relay a post: one signed link per partner,
// returned once, with the invitation to send.
func (s *Service) CreateCampaign(ctx context.Context, u *passerelle.User, in CampaignInput) (*passerelle.Campaign, error) {
	if in.PostID <= 0 {
		return nil, invalid("post_id", "Choose a post.")
	}
	p, err := s.post(ctx, u, in.PostID)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(p.InstitutionID, passerelle.PermSchedule); err != nil {
		return nil, err
	}
	f := passerelle.FieldErrors{}
	in.Title, in.MessageZH = strings.TrimSpace(in.Title), strings.TrimSpace(in.MessageZH)
	if utf8.RuneCountInString(in.Title) > 200 || !utf8.ValidString(in.Title) {
		f.Add("title", "At most 200 characters.")
	}
	if utf8.RuneCountInString(in.MessageZH) > 2000 || !utf8.ValidString(in.MessageZH) {
		f.Add("message_zh", "At most 2,000 characters.")
	}
	if len(in.PartnerIDs) == 0 {
		f.Add("partner_ids", "Invite at least one partner.")
	}
	if len(in.PartnerIDs) > MaxRelaysPerCampaign {
		f.Add("partner_ids", "At most 500 partners per campaign.")
	}
	seen := map[int64]bool{}
	for _, id := range in.PartnerIDs {
		if seen[id] {
			f.Add("partner_ids", "A partner is listed twice.")
		}
		seen[id] = true
	}
	ttl := in.TTL
	if ttl == 0 {
		ttl = s.linkTTL
	}
	if ttl < time.Hour || ttl > 180*24*time.Hour {
		f.Add("ttl_hours", "Choose from 1 hour to 180 days.")
	}
	if in.RemindAfterDays == 0 {
		in.RemindAfterDays = passerelle.DefaultRemindAfterDays
	}
	if in.RemindAfterDays < passerelle.MinRemindAfterDays || in.RemindAfterDays > passerelle.MaxRemindAfterDays {
		f.Add("remind_after_days", "Choose from 1 to 90 days.")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	if in.TemplateID != 0 {
		t, err := s.db.CampaignTemplate(ctx, u.OrgID, in.TemplateID)
		if err != nil {
			return nil, err
		}
		if in.MessageZH == "" {
			in.MessageZH = t.MessageZH
		}
	}
	// Every partner must be of the organization (404) and accept to be contacted.
	partners := make([]*passerelle.Partner, 0, len(in.PartnerIDs))
	for _, id := range in.PartnerIDs {
		pt, err := s.db.Partner(ctx, u.OrgID, id)
		if err != nil {
			return nil, err
		}
		if pt.Consent == passerelle.ConsentRefused {
			return nil, invalid("partner_ids", "A partner asked not to be contacted: "+pt.Name+".")
		}
		partners = append(partners, pt)
	}
	if in.Title == "" {
		in.Title = p.Title
	}
	if in.MessageZH == "" {
		in.MessageZH = DefaultMessageZH
	}
	key, err := s.db.SigningKey(ctx, linkKeyName)
	if err != nil {
		return nil, err
	}
	expires := s.now().UTC().Add(ttl).Truncate(time.Second)
	relays := make([]store.NewRelay, len(partners))
	nonces := make([][]byte, len(partners))
	for i, pt := range partners {
		n, h := newNonce()
		nonces[i] = n
		relays[i] = store.NewRelay{PartnerID: pt.ID, NonceHash: h, ExpiresAt: expires}
	}
	c := &passerelle.Campaign{OrgID: u.OrgID, PostID: p.ID, Title: in.Title, MessageZH: in.MessageZH, RemindAfterDays: in.RemindAfterDays, CreatedBy: u.ID}
	if err := s.db.CreateCampaign(ctx, c, relays); err != nil {
		return nil, err
	}
	for i := range c.Relays {
		r := &c.Relays[i]
		r.Link = s.link(signToken(key, r.ID, expires, nonces[i]))
		r.Invitation = Invitation(c.MessageZH, partners[i], p, r.Link)
	}
	return c, nil
}

// Invitation fills a message template for one partner.
func Invitation(template string, pt *passerelle.Partner, p *passerelle.Post, link string) string {
	name := pt.NameZH
	if name == "" {
		name = pt.Name
	}
	out := strings.NewReplacer("{partner}", name, "{title}", p.Title, "{link}", link).Replace(template)
	if !strings.Contains(template, "{link}") {
		out += "\n" + link
	}
	return out
}

// Campaign returns a campaign the user may see, with its totals.
func (s *Service) Campaign(ctx context.Context, u *passerelle.User, id int64) (*passerelle.Campaign, error) {
	c, err := s.db.Campaign(ctx, u.OrgID, id)
	if err != nil {
		return nil, err
	}
	if !u.Can(c.InstitutionID, passerelle.PermView) {
		return nil, passerelle.ErrNotFound
	}
	c.MarkDue(s.now())
	return c, nil
}

// CampaignQuery filters Campaigns.
type CampaignQuery struct {
	PostID  int64
	AfterID int64
	Limit   int
}

// Campaigns lists the campaigns of the institutions the user sees.
func (s *Service) Campaigns(ctx context.Context, u *passerelle.User, q CampaignQuery) ([]*passerelle.Campaign, error) {
	cs, err := s.db.Campaigns(ctx, store.CampaignFilter{OrgID: u.OrgID, InstitutionIDs: u.VisibleInstitutions(), PostID: q.PostID, AfterID: q.AfterID, Limit: q.Limit})
	for _, c := range cs {
		c.MarkDue(s.now())
	}
	return cs, err
}

// RelayInput changes a relay: its status, its post's URL, its figures. Nil fields are
// left as they are.
type RelayInput struct {
	Status   *passerelle.RelayStatus
	URL      *string
	Views    *int64
	Reposts  *int64
	Likes    *int64
	Comments *int64
}

// apply validates and applies in to r for partner pt.
func (in RelayInput) apply(r *passerelle.Relay, pt *passerelle.Partner, now time.Time) error {
	fig := passerelle.RelayFigures{Views: in.Views, Reposts: in.Reposts, Likes: in.Likes, Comments: in.Comments}
	if err := fig.Validate(); err != nil {
		return err
	}
	to := r.Status
	if in.Status != nil {
		to = *in.Status
	}
	url := ""
	if in.URL != nil && strings.TrimSpace(*in.URL) != "" {
		var err error
		if url, err = RelayURL(pt, *in.URL); err != nil {
			return err
		}
	}
	if in.Status != nil || url != "" {
		if err := r.Move(to, url, now); err != nil {
			return err
		}
	}
	if r.Status != passerelle.RelayRelayed && (in.Views != nil || in.Reposts != nil || in.Likes != nil || in.Comments != nil) {
		return invalid("views", "Figures belong to a relayed post: set the status to relayed with its URL.")
	}
	// A Weibo post's figures are collected from its numeric id, on a schedule that
	// counts from when its address was recorded.
	if sid := relayStatusID(r.URL); sid != r.StatusID {
		r.StatusID = sid
		r.URLAt = nil
		if sid != "" {
			r.URLAt = &now
		}
	}
	r.Take(passerelle.RelayReading{Source: passerelle.FiguresManual, At: now, StatusID: r.StatusID, RelayFigures: fig})
	return nil
}

// relayStatusID is the numeric id of the Weibo post at a relay's (normalised)
// address, or empty for another platform's.
func relayStatusID(u string) string {
	if u == "" {
		return ""
	}
	id, err := WeiboStatusID(u)
	if err != nil {
		return ""
	}
	return id
}

// WeiboStatusID is the numeric id (what statuses/count takes) of the Weibo post at
// raw: https://weibo.com/UID/BID (BID the base62 mid), weibo.com/detail/MID,
// m.weibo.cn/status/MID or BID, m.weibo.cn/detail/MID, with or without a query
// string or fragment. Anything else is invalid (422).
func WeiboStatusID(raw string) (string, error) {
	_, id, err := publish.PostURL(passerelle.Weibo, raw, "")
	if err != nil {
		return "", err
	}
	sid := weibo.StatusID(id)
	if sid == "" {
		return "", invalid("url", "Not the address of a Weibo post.")
	}
	return sid, nil
}

// RelayURL checks that raw is the address of a post on one of the partner's
// platforms and returns it normalised.
func RelayURL(pt *passerelle.Partner, raw string) (string, error) {
	u, _, err := PartnerPostURL(pt, raw)
	return u, err
}

// PartnerPostURL checks that raw is the address of a post on one of the partner's
// platforms and returns it normalised, with that platform (a relay's post, a
// co-author's publication of a joint post).
func PartnerPostURL(pt *passerelle.Partner, raw string) (string, passerelle.Platform, error) {
	var first error
	for _, a := range pt.Accounts {
		u, _, err := publish.PostURL(a.Platform, raw, "")
		if err == nil && a.Platform == passerelle.Weibo {
			_, err = WeiboStatusID(u)
		}
		if err == nil {
			return u, a.Platform, nil
		}
		if first == nil {
			first = err
		}
	}
	if first == nil {
		return "", "", invalid("url", "This partner has no account on a platform: add one to the directory first.")
	}
	return "", "", invalid("url", "Not the address of a post on one of the partner's platforms.")
}

// UpdateRelay changes a partner's relay in a campaign (the team records a status,
// the URL or figures typed from the partner's post).
func (s *Service) UpdateRelay(ctx context.Context, u *passerelle.User, campaignID, partnerID int64, in RelayInput) (*passerelle.Campaign, error) {
	c, err := s.Campaign(ctx, u, campaignID)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(c.InstitutionID, passerelle.PermSchedule); err != nil {
		return nil, err
	}
	pt, err := s.db.Partner(ctx, u.OrgID, partnerID)
	if err != nil {
		return nil, err
	}
	c, err = s.db.UpdateRelay(ctx, u.OrgID, campaignID, partnerID, func(_ *passerelle.Campaign, r *passerelle.Relay) error {
		return in.apply(r, pt, s.now().UTC())
	})
	if err != nil {
		return nil, err
	}
	c.MarkDue(s.now())
	return c, nil
}

// Remind gives a partner a new link (the previous one stops working) and the
// invitation to send again.
func (s *Service) Remind(ctx context.Context, u *passerelle.User, campaignID, partnerID int64) (*passerelle.Relay, error) {
	c, err := s.Campaign(ctx, u, campaignID)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(c.InstitutionID, passerelle.PermSchedule); err != nil {
		return nil, err
	}
	pt, err := s.db.Partner(ctx, u.OrgID, partnerID)
	if err != nil {
		return nil, err
	}
	p, err := s.db.Post(ctx, u.OrgID, c.PostID)
	if err != nil {
		return nil, err
	}
	key, err := s.db.SigningKey(ctx, linkKeyName)
	if err != nil {
		return nil, err
	}
	nonce, hash := newNonce()
	expires := s.now().UTC().Add(s.linkTTL).Truncate(time.Second)
	id, err := s.db.RenewRelayLink(ctx, u.OrgID, campaignID, partnerID, hash, expires)
	if err != nil {
		return nil, err
	}
	c, err = s.db.Campaign(ctx, u.OrgID, campaignID)
	if err != nil {
		return nil, err
	}
	for _, r := range c.Relays {
		if r.ID == id {
			r.Link = s.link(signToken(key, id, expires, nonce))
			r.Invitation = Invitation(c.MessageZH, pt, p, r.Link)
			return &r, nil
		}
	}
	return nil, passerelle.ErrNotFound
}

// RevokeLink withdraws a partner's link.
func (s *Service) RevokeLink(ctx context.Context, u *passerelle.User, campaignID, partnerID int64) error {
	c, err := s.Campaign(ctx, u, campaignID)
	if err != nil {
		return err
	}
	if err := u.Allow(c.InstitutionID, passerelle.PermSchedule); err != nil {
		return err
	}
	return s.db.RevokeRelayLink(ctx, u.OrgID, campaignID, partnerID)
}

// SetOwnFigures records the institution's own post's figures for the report.
func (s *Service) SetOwnFigures(ctx context.Context, u *passerelle.User, campaignID int64, views, reposts *int64) (*passerelle.Campaign, error) {
	c, err := s.Campaign(ctx, u, campaignID)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(c.InstitutionID, passerelle.PermSchedule); err != nil {
		return nil, err
	}
	if err := (passerelle.RelayFigures{Views: views, Reposts: reposts}).Validate(); err != nil {
		return nil, err
	}
	return s.db.SetCampaignOwnFigures(ctx, u.OrgID, campaignID, views, reposts)
}

// PartnerPage is what a partner sees through their link.
type PartnerPage struct {
	Token       string                 `json:"-"`
	CampaignID  int64                  `json:"campaign_id"`
	Partner     string                 `json:"partner"`
	Institution string                 `json:"institution"`
	Message     string                 `json:"message"`
	Title       string                 `json:"title"`
	Kits        []PartnerKit           `json:"kits"`
	Status      passerelle.RelayStatus `json:"status"`
	URL         string                 `json:"url"`
	Platforms   []passerelle.Platform  `json:"platforms"`
	ExpiresAt   time.Time              `json:"expires_at"`
}

// PartnerKit is the copy-ready text of one of the post's publications, and its
// address once published.
type PartnerKit struct {
	Platform passerelle.Platform `json:"platform"`
	Title    string              `json:"title"`
	Copy     string              `json:"copy"`
	URL      string              `json:"url"`
}

// Page opens a partner link.
func (s *Service) Page(ctx context.Context, token string) (*PartnerPage, error) {
	l, err := s.resolve(ctx, token)
	if err != nil {
		return nil, err
	}
	c, err := s.db.Campaign(ctx, l.OrgID, l.CampaignID)
	if err != nil {
		return nil, err
	}
	pt, err := s.db.Partner(ctx, l.OrgID, l.PartnerID)
	if err != nil {
		return nil, err
	}
	p, err := s.db.Post(ctx, l.OrgID, c.PostID)
	if err != nil {
		return nil, err
	}
	inst, err := s.db.Institution(ctx, l.OrgID, p.InstitutionID)
	if err != nil {
		return nil, err
	}
	pg := &PartnerPage{Token: token, CampaignID: c.ID, Partner: pt.Name, Title: c.Title, ExpiresAt: l.ExpiresAt, Institution: inst.Name, Kits: []PartnerKit{}}
	if inst.NameZH != "" {
		pg.Institution = inst.NameZH
	}
	if pt.NameZH != "" {
		pg.Partner = pt.NameZH
	}
	pg.Message = Invitation(c.MessageZH, pt, p, s.link(token))
	for _, r := range c.Relays {
		if r.PartnerID == pt.ID {
			pg.Status, pg.URL = r.Status, r.URL
		}
	}
	for _, a := range pt.Accounts {
		if !contains(pg.Platforms, a.Platform) {
			pg.Platforms = append(pg.Platforms, a.Platform)
		}
	}
	for _, b := range p.Publications {
		k := publish.BuildKit(p, b, nil)
		pg.Kits = append(pg.Kits, PartnerKit{Platform: b.Platform, Title: k.Title, Copy: k.Copy, URL: b.URL})
	}
	return pg, nil
}

// Answer records a partner's answer through their link: accepted, declined, or
// relayed with their post's URL (and, if they wish, its figures).
func (s *Service) Answer(ctx context.Context, token string, in RelayInput) (*PartnerPage, error) {
	l, err := s.resolve(ctx, token)
	if err != nil {
		return nil, err
	}
	if in.Status == nil {
		return nil, invalid("status", "Choose accepted, relayed or declined.")
	}
	if st := *in.Status; st != passerelle.RelayAccepted && st != passerelle.RelayRelayed && st != passerelle.RelayDeclined {
		return nil, invalid("status", "Choose accepted, relayed or declined.")
	}
	pt, err := s.db.Partner(ctx, l.OrgID, l.PartnerID)
	if err != nil {
		return nil, err
	}
	if _, err := s.db.UpdateRelay(ctx, l.OrgID, l.CampaignID, l.PartnerID, func(_ *passerelle.Campaign, r *passerelle.Relay) error {
		return in.apply(r, pt, s.now().UTC())
	}); err != nil {
		return nil, err
	}
	return s.Page(ctx, token)
}
