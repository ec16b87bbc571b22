package editorial

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"io"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/secret"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Guest review links are signed tokens: base64url(link id ‖ expiry ‖ nonce) "."
// base64url(HMAC-SHA256). The signature refuses any tampering without a database
// read; the stored hash of the nonce makes a link revocable and the stored expiry
// authoritative.

const (
	guestKeyName   = "guest_links"
	guestNonceSize = 16
	guestPayload   = 8 + 8 + guestNonceSize
	// MaxGuestLinkTTL bounds a link's life.
	MaxGuestLinkTTL = 90 * 24 * time.Hour
)

var (
	errBadLink     = passerelle.Errorf(passerelle.ENOTFOUND, "This review link is not valid.")
	errExpiredLink = passerelle.Errorf(passerelle.EFORBIDDEN, "This review link has expired; ask for a new one.")
	errRevokedLink = passerelle.Errorf(passerelle.EFORBIDDEN, "This review link was revoked; ask for a new one.")
	// errCoAuthorLinkGone answers a co-author's link that expired or was revoked.
	errCoAuthorLinkGone = passerelle.Errorf(passerelle.ENOTFOUND, "This review link is not valid any more: it may have expired or been withdrawn. Ask the team that sent it for a new one.")
	// errCommentOnlyLink: the link's creator may not approve, so neither may its guest.
	errCommentOnlyLink = passerelle.Errorf(passerelle.EFORBIDDEN, "This review link lets you comment only: ask for a link from someone who may approve.")
)

// CreateGuestLink makes a review link for a post; ttl 0 means seven days. Writers and
// editors share links, and so do reviewers; the token is returned once. A link approves or rejects only
// while its creator may do so (a reviewer, an admin, an owner): a writer's link lets
// the guest comment, so that nobody approves their own post through a link.
func (s *Service) CreateGuestLink(ctx context.Context, u *passerelle.User, postID int64, label string, ttl time.Duration) (*store.GuestLink, string, error) {
	return s.createGuestLink(ctx, u, postID, label, ttl, 0)
}

// CreateCoAuthorLink makes a review link bound to a co-author of the post: through
// it the partner approves the post or asks for changes as that co-author (whoever
// made the link), and records their own publication of the post once it is out.
// An empty label is the partner's name.
func (s *Service) CreateCoAuthorLink(ctx context.Context, u *passerelle.User, postID, partnerID int64, label string, ttl time.Duration) (*store.GuestLink, string, error) {
	if partnerID <= 0 {
		return nil, "", errNotCoAuthor
	}
	org, err := s.db.PartnerOrg(ctx, partnerID)
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		return nil, "", errNotCoAuthor
	}
	if err != nil {
		return nil, "", err
	}
	if org != u.OrgID {
		return nil, "", passerelle.ErrNotFound
	}
	return s.createGuestLink(ctx, u, postID, label, ttl, partnerID)
}

func (s *Service) createGuestLink(ctx context.Context, u *passerelle.User, postID int64, label string, ttl time.Duration, partnerID int64) (*store.GuestLink, string, error) {
	p, err := s.post(ctx, u, postID)
	if err != nil {
		return nil, "", err
	}
	if !u.Can(p.InstitutionID, passerelle.PermReview) {
		if err := u.Allow(p.InstitutionID, passerelle.PermWrite); err != nil {
			return nil, "", err
		}
	}
	if ttl == 0 {
		ttl = s.guestTTL
	}
	if ttl < time.Minute || ttl > MaxGuestLinkTTL {
		return nil, "", invalidParam("ttl_hours", "Choose from 1 hour to 90 days.")
	}
	label = strings.TrimSpace(label)
	if utf8.RuneCountInString(label) > 200 || !utf8.ValidString(label) {
		return nil, "", invalidParam("label", "At most 200 characters.")
	}
	if partnerID != 0 {
		cs, err := s.db.PostCoAuthors(ctx, postID)
		if err != nil {
			return nil, "", err
		}
		i := slices.IndexFunc(cs, func(c *passerelle.CoAuthor) bool { return c.PartnerID == partnerID })
		if i < 0 {
			return nil, "", errNotCoAuthor
		}
		if label == "" {
			label = cs[i].Display()
		}
	}
	key, err := s.db.SigningKey(ctx, guestKeyName)
	if err != nil {
		return nil, "", err
	}
	nonce := make([]byte, guestNonceSize)
	rand.Read(nonce)
	g := &store.GuestLink{PostID: postID, Label: label, CreatedBy: u.ID, ExpiresAt: s.now().UTC().Add(ttl).Truncate(time.Second), PartnerID: partnerID}
	if err := s.db.CreateGuestLink(ctx, g, nonceHash(nonce)); err != nil {
		return nil, "", err
	}
	g.Approves = partnerID != 0 || u.Can(p.InstitutionID, passerelle.PermReview)
	return g, signGuestToken(key, g.ID, g.ExpiresAt, nonce), nil
}

func nonceHash(nonce []byte) string {
	h := sha256.Sum256(nonce)
	return hex.EncodeToString(h[:])
}

func signGuestToken(key []byte, id int64, expires time.Time, nonce []byte) string {
	payload := make([]byte, guestPayload)
	binary.BigEndian.PutUint64(payload[0:8], uint64(id))
	binary.BigEndian.PutUint64(payload[8:16], uint64(expires.Unix()))
	copy(payload[16:], nonce)
	return secret.SignToken(key, payload)
}

// parseGuestToken checks the signature and returns the link id, expiry and nonce.
func parseGuestToken(key []byte, token string) (id int64, expires time.Time, nonce []byte, ok bool) {
	payload, ok := secret.OpenToken(key, token, guestPayload, 200)
	if !ok {
		return 0, time.Time{}, nil, false
	}
	id = int64(binary.BigEndian.Uint64(payload[0:8]))
	expires = time.Unix(int64(binary.BigEndian.Uint64(payload[8:16])), 0).UTC()
	return id, expires, payload[16:], id > 0
}

// guest resolves a token to its link, refusing tampered, expired and revoked links.
func (s *Service) guest(ctx context.Context, token string) (*store.GuestLink, error) {
	key, err := s.db.SigningKey(ctx, guestKeyName)
	if err != nil {
		return nil, err
	}
	id, expires, nonce, ok := parseGuestToken(key, token)
	if !ok {
		return nil, errBadLink
	}
	g, err := s.db.GuestLinkByID(ctx, id)
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		return nil, errBadLink
	}
	if err != nil {
		return nil, err
	}
	if !hmac.Equal([]byte(g.NonceHash()), []byte(nonceHash(nonce))) {
		return nil, errBadLink
	}
	now := s.now()
	gone := g.RevokedAt != nil || !now.Before(expires) || !now.Before(g.ExpiresAt)
	if gone && g.PartnerID != 0 {
		// A partner outside the museum is told as little as with a forged link.
		return nil, errCoAuthorLinkGone
	}
	if g.RevokedAt != nil {
		return nil, errRevokedLink
	}
	if gone {
		return nil, errExpiredLink
	}
	return g, nil
}

// GuestLinks lists a post's links.
func (s *Service) GuestLinks(ctx context.Context, u *passerelle.User, postID int64) ([]*store.GuestLink, error) {
	p, err := s.post(ctx, u, postID)
	if err != nil {
		return nil, err
	}
	links, err := s.db.GuestLinks(ctx, postID)
	if err != nil {
		return nil, err
	}
	for _, g := range links {
		if _, err := s.linkCreator(ctx, u.OrgID, p.InstitutionID, g); err != nil {
			return nil, err
		}
	}
	return links, nil
}

// linkCreator loads the user who made the link and sets g.Approves: whether that user
// may, now, approve posts of the institution. A creator since disabled, removed or
// demoted leaves the link with comments only.
func (s *Service) linkCreator(ctx context.Context, orgID, institutionID int64, g *store.GuestLink) (*passerelle.User, error) {
	c, err := s.creatorOf(ctx, orgID, institutionID, g)
	// A co-author approves as the co-author, not with the museum's power.
	g.Approves = g.Approves || g.PartnerID != 0
	return c, err
}

func (s *Service) creatorOf(ctx context.Context, orgID, institutionID int64, g *store.GuestLink) (*passerelle.User, error) {
	g.Approves = false
	if g.CreatedBy == 0 {
		return nil, nil
	}
	c, err := s.db.User(ctx, orgID, g.CreatedBy)
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	g.Approves = c.DisabledAt == nil && c.Can(institutionID, passerelle.PermReview)
	return c, nil
}

// RevokeGuestLink revokes a link of a post.
func (s *Service) RevokeGuestLink(ctx context.Context, u *passerelle.User, postID, linkID int64) error {
	p, err := s.post(ctx, u, postID)
	if err != nil {
		return err
	}
	if !u.Can(p.InstitutionID, passerelle.PermReview) {
		if err := u.Allow(p.InstitutionID, passerelle.PermWrite); err != nil {
			return err
		}
	}
	return s.db.RevokeGuestLink(ctx, postID, linkID)
}

// GuestView is what a guest sees: the post as it will be published, previews per
// publication, the findings and the comments.
type GuestView struct {
	Link        *store.GuestLink              `json:"link"`
	Institution *passerelle.Institution       `json:"institution"`
	Post        *passerelle.Post              `json:"post"`
	Previews    []Preview                     `json:"previews"`
	Comments    []*passerelle.Comment         `json:"comments"`
	Accounts    map[int64]*passerelle.Account `json:"accounts"`
	// CanDecide tells whether the post waits for a review decision that this link may
	// take (Link.Approves).
	CanDecide bool `json:"can_decide"`
	// Decisions are the review decisions taken so far, oldest first.
	Decisions []*passerelle.Transition `json:"-"`
	// CoAuthor is the co-author the link is bound to (nil for a museum's link);
	// CanRecord says they may record their own publication of the post (it is out).
	CoAuthor  *passerelle.CoAuthor `json:"coauthor,omitempty"`
	CanRecord bool                 `json:"can_record"`
}

// Preview is one publication as the phone will show it.
type Preview struct {
	PublicationID int64               `json:"publication_id"`
	Platform      passerelle.Platform `json:"platform"`
	Format        string              `json:"format"`
	// Text is the Weibo status as posted.
	Text     string  `json:"text,omitempty"`
	MediaIDs []int64 `json:"media_ids"`
	// Article fields (WeChat).
	Title     string `json:"title,omitempty"`
	Author    string `json:"author,omitempty"`
	Digest    string `json:"digest,omitempty"`
	BodyHTML  string `json:"body_html,omitempty"`
	CoverID   int64  `json:"cover_media_id,omitempty"`
	SourceURL string `json:"source_url,omitempty"`
}

// Previews renders the publications of a post for review.
func Previews(p *passerelle.Post) []Preview {
	out := make([]Preview, 0, len(p.Publications))
	for _, b := range p.Publications {
		pv := Preview{PublicationID: b.ID, Platform: b.Platform, Format: b.Format, MediaIDs: b.MediaIDs}
		if pv.MediaIDs == nil {
			pv.MediaIDs = []int64{}
		}
		if b.Platform == passerelle.Weibo {
			pv.Text = WeiboStatus(b, p)
		}
		if a := b.WeChat; a != nil {
			pv.Title, pv.Author, pv.Digest, pv.BodyHTML, pv.CoverID, pv.SourceURL = a.Title, a.Author, a.Digest, a.BodyHTML, a.CoverMediaID, a.SourceURL
		}
		out = append(out, pv)
	}
	return out
}

// OpenGuest returns the guest's view of the post behind a link.
func (s *Service) OpenGuest(ctx context.Context, token string) (*GuestView, error) {
	g, err := s.guest(ctx, token)
	if err != nil {
		return nil, err
	}
	orgID, err := s.db.PostOrg(ctx, g.PostID)
	if err != nil {
		return nil, err
	}
	p, err := s.db.Post(ctx, orgID, g.PostID)
	if err != nil {
		return nil, err
	}
	inst, err := s.db.Institution(ctx, orgID, p.InstitutionID)
	if err != nil {
		return nil, err
	}
	comments, err := s.db.Comments(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	accounts, err := s.db.Accounts(ctx, store.AccountFilter{OrgID: orgID, InstitutionID: p.InstitutionID, IncludeArchived: true})
	if err != nil {
		return nil, err
	}
	accs := map[int64]*passerelle.Account{}
	for _, a := range accounts {
		if slices.ContainsFunc(p.Publications, func(b *passerelle.Publication) bool { return b.AccountID == a.ID }) {
			accs[a.ID] = a
		}
	}
	if _, err := s.linkCreator(ctx, orgID, p.InstitutionID, g); err != nil {
		return nil, err
	}
	if err := s.db.TouchGuestLink(ctx, g.ID); err != nil {
		return nil, err
	}
	trs, err := s.db.Transitions(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	p.Notes = "" // internal notes stay inside the agency
	v := &GuestView{Link: g, Institution: inst, Post: p, Previews: Previews(p), Comments: comments, Accounts: accs,
		CanDecide: g.Approves && p.Status == passerelle.StatusReview, Decisions: decisions(trs)}
	if g.PartnerID != 0 {
		cs, err := s.coAuthors(ctx, p)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(cs, func(c *passerelle.CoAuthor) bool { return c.PartnerID == g.PartnerID })
		if i < 0 {
			// The partner was removed from the co-authors since the link was made.
			return nil, errBadLink
		}
		v.CoAuthor = cs[i]
		v.CanDecide = (p.Status == passerelle.StatusReview || p.Status == passerelle.StatusApproved) && !v.CoAuthor.Approved
		v.CanRecord = p.Status == passerelle.StatusPublished
	}
	return v, nil
}

// GuestDecision approves (to "approved") or rejects (to "draft", with a comment) the
// post behind a link. Name is who the guest says they are, recorded with the move
// together with the name of the link's creator, who must be allowed to approve.
func (s *Service) GuestDecision(ctx context.Context, token string, to passerelle.Status, comment, name, lang string) (*passerelle.Post, error) {
	g, err := s.guest(ctx, token)
	if err != nil {
		return nil, err
	}
	if to != passerelle.StatusApproved && to != passerelle.StatusDraft {
		return nil, invalidParam("to", "A guest approves (approved) or rejects (draft).")
	}
	orgID, err := s.db.PostOrg(ctx, g.PostID)
	if err != nil {
		return nil, err
	}
	p, err := s.db.Post(ctx, orgID, g.PostID)
	if err != nil {
		return nil, err
	}
	creator, err := s.linkCreator(ctx, orgID, p.InstitutionID, g)
	if err != nil {
		return nil, err
	}
	if g.PartnerID != 0 {
		return s.coAuthorDecision(ctx, g, orgID, p, to, comment, name)
	}
	if !g.Approves {
		return nil, errCommentOnlyLink
	}
	a := guestActor(g, name)
	a.Name = strings.TrimSuffix(a.Name, guestSuffix) + " (guest link from " + actorOf(creator, p.InstitutionID).Name + ")"
	return s.move(ctx, orgID, g.PostID, a, to, comment, lang)
}

const guestSuffix = " (guest link)"

func guestActor(g *store.GuestLink, name string) passerelle.Actor {
	name = strings.TrimSpace(name)
	if rs := []rune(name); len(rs) > 100 {
		name = string(rs[:100])
	}
	if name == "" || !utf8.ValidString(name) {
		name = g.Label
	}
	if name == "" {
		name = "Guest reviewer"
	}
	return passerelle.Actor{GuestLinkID: g.ID, Name: name + guestSuffix}
}

// GuestComment adds a guest's comment.
func (s *Service) GuestComment(ctx context.Context, token string, c *passerelle.Comment, name string) error {
	g, err := s.guest(ctx, token)
	if err != nil {
		return err
	}
	a := guestActor(g, name)
	c.PostID, c.UserID, c.GuestLinkID, c.AuthorName = g.PostID, 0, g.ID, a.Name
	if err := c.Validate(); err != nil {
		return err
	}
	return s.db.AddComment(ctx, c)
}

// GuestMedia returns a rendition of a medium used by the post behind the link.
func (s *Service) GuestMedia(ctx context.Context, token string, mediaID int64, spec string) (*store.MediaRendition, io.ReadCloser, error) {
	g, err := s.guest(ctx, token)
	if err != nil {
		return nil, nil, err
	}
	orgID, err := s.db.PostOrg(ctx, g.PostID)
	if err != nil {
		return nil, nil, err
	}
	p, err := s.db.Post(ctx, orgID, g.PostID)
	if err != nil {
		return nil, nil, err
	}
	used := slices.Contains(p.MediaIDs, mediaID)
	var focus *passerelle.Focus
	for _, b := range p.Publications {
		used = used || slices.Contains(b.MediaIDs, mediaID)
		if b.WeChat != nil && b.WeChat.CoverMediaID == mediaID {
			used = true
			if strings.HasSuffix(spec, "_11") {
				focus = &b.WeChat.Crop11
			} else {
				focus = &b.WeChat.Crop235
			}
		}
	}
	if !used {
		return nil, nil, passerelle.ErrNotFound
	}
	m, err := s.db.MediaAssetByID(ctx, orgID, mediaID)
	if err != nil {
		return nil, nil, err
	}
	// The crop a guest sees is the one a writer chose for the publication.
	return s.rendition(ctx, m, spec, focus, true)
}

// decisions keeps the transitions that are review decisions (leaving review) or that
// carry a comment, so they can be read in the comment thread.
func decisions(trs []*passerelle.Transition) []*passerelle.Transition {
	var out []*passerelle.Transition
	for _, t := range trs {
		if (t.From == passerelle.StatusReview && t.To != passerelle.StatusReview) || t.Comment != "" {
			out = append(out, t)
		}
	}
	return out
}

// Decisions returns a post's review decisions, oldest first.
func (s *Service) Decisions(ctx context.Context, u *passerelle.User, id int64) ([]*passerelle.Transition, error) {
	if _, err := s.readable(ctx, u, id); err != nil {
		return nil, err
	}
	trs, err := s.db.Transitions(ctx, id)
	if err != nil {
		return nil, err
	}
	return decisions(trs), nil
}
