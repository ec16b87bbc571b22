package editorial

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Co-created posts (an artist's favourites, a partner museum's joint post): a post
// names partners of the directory as co-authors. Each co-author approves the post's
// content through a guest review link bound to them, and the post is scheduled only
// once every co-author approves its current content as well as the museum. After
// publication, the co-author (through the same link) or an editor records the
// co-author's own publication of the post and its figures.

var (
	errNotCoAuthor = passerelle.Errorf(passerelle.EINVALID, "This partner is not a co-author of the post.")
	// errCoAuthorLink: only a link bound to a co-author records a co-author's post.
	errCoAuthorLink = passerelle.Errorf(passerelle.EFORBIDDEN, "This review link is not a co-author's.")
)

// CheckCoAuthors verifies the co-authors a post is to name, before it is saved: each
// a partner of the user's organization (another organization's: not found; an
// unknown id: invalid). A scheduled or published post (stored) takes no new
// co-author: their approval could not come before the publication any more.
func (s *Service) CheckCoAuthors(ctx context.Context, u *passerelle.User, ids []int64, stored *passerelle.Post) error {
	if len(ids) > passerelle.MaxCoAuthors {
		return invalidParam("coauthor_partner_ids", "At most 20 co-authors.")
	}
	for _, id := range ids {
		if id <= 0 {
			return invalidParam("coauthor_partner_ids", "Unknown partner.")
		}
		org, err := s.db.PartnerOrg(ctx, id)
		if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
			return invalidParam("coauthor_partner_ids", "Unknown partner.")
		}
		if err != nil {
			return err
		}
		if org != u.OrgID {
			return passerelle.ErrNotFound
		}
	}
	if stored == nil || (stored.Status != passerelle.StatusScheduled && stored.Status != passerelle.StatusPublished) {
		return nil
	}
	current, err := s.db.PostCoAuthors(ctx, stored.ID)
	if err != nil {
		return err
	}
	for _, id := range ids {
		if !slices.ContainsFunc(current, func(c *passerelle.CoAuthor) bool { return c.PartnerID == id }) {
			return passerelle.Errorf(passerelle.ECONFLICT, "A scheduled or published post takes no new co-author: unschedule it first.")
		}
	}
	return nil
}

// SetCoAuthors names the co-authors of a saved post (after CheckCoAuthors),
// replacing the previous list; a co-author still named keeps its approval.
func (s *Service) SetCoAuthors(ctx context.Context, u *passerelle.User, postID int64, ids []int64) error {
	p, err := s.post(ctx, u, postID)
	if err != nil {
		return err
	}
	if err := u.Allow(p.InstitutionID, passerelle.PermWrite); err != nil {
		return err
	}
	ids = slices.Clone(ids)
	slices.Sort(ids)
	return s.db.SetPostCoAuthors(ctx, u.OrgID, postID, slices.Compact(ids))
}

// CoAuthors returns the co-authors of a post the user may read, each with whether
// it approves the post's current content.
func (s *Service) CoAuthors(ctx context.Context, u *passerelle.User, postID int64) ([]*passerelle.CoAuthor, error) {
	p, err := s.readable(ctx, u, postID)
	if err != nil {
		return nil, err
	}
	return s.coAuthors(ctx, p)
}

func (s *Service) coAuthors(ctx context.Context, p *passerelle.Post) ([]*passerelle.CoAuthor, error) {
	cs, err := s.db.PostCoAuthors(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	for _, c := range cs {
		c.Settle(p.Version)
	}
	return cs, nil
}

// coAuthorsApproved refuses to schedule a post that a co-author has not approved
// as it is now, naming those the post waits for.
func (s *Service) coAuthorsApproved(ctx context.Context, p *passerelle.Post) error {
	cs, err := s.coAuthors(ctx, p)
	if err != nil {
		return err
	}
	var waiting []string
	for _, c := range cs {
		if !c.Approved {
			waiting = append(waiting, c.Display())
		}
	}
	if len(waiting) > 0 {
		return passerelle.Errorf(passerelle.ECONFLICT, "Every co-author must approve the post as well as the museum before it is scheduled; waiting for: %s.", strings.Join(waiting, ", "))
	}
	return nil
}

// coAuthorDecision records a co-author's approval, or their request for changes
// with a comment (added to the post's thread), on the post's current content. The
// post's own status does not move: the museum's workflow stays the museum's, and
// scheduling waits for every co-author.
func (s *Service) coAuthorDecision(ctx context.Context, g *store.GuestLink, orgID int64, p *passerelle.Post, to passerelle.Status, comment, name string) (*passerelle.Post, error) {
	if p.Status != passerelle.StatusReview && p.Status != passerelle.StatusApproved {
		return nil, passerelle.Errorf(passerelle.ECONFLICT, "The post does not wait for the co-authors' approval now.")
	}
	decision := passerelle.CoAuthorApproved
	a := guestActor(g, name)
	if to == passerelle.StatusDraft {
		decision = passerelle.CoAuthorChangesRequested
		c := &passerelle.Comment{PostID: p.ID, GuestLinkID: g.ID, AuthorName: a.Name, Body: comment}
		if strings.TrimSpace(comment) == "" {
			return nil, invalidParam("comment", "Say which changes you ask for.")
		}
		if err := c.Validate(); err != nil {
			return nil, err
		}
		if err := s.db.AddComment(ctx, c); err != nil {
			return nil, err
		}
	}
	now := s.now().UTC()
	if _, err := s.db.UpdatePostCoAuthor(ctx, orgID, p.ID, g.PartnerID, func(c *passerelle.CoAuthor) error {
		c.Decision, c.DecidedVersion, c.DecidedBy, c.DecidedAt = decision, p.Version, a.Name, &now
		return nil
	}); err != nil {
		if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
			// The partner was removed from the co-authors since the link was made.
			return nil, errBadLink
		}
		return nil, err
	}
	return p, nil
}

// CoAuthorPublication records a co-author's publication of a joint post: the
// address of their post (a post of one of their platforms) and its figures. Nil
// fields are left as they are.
type CoAuthorPublication struct {
	URL *string `json:"url"`
	passerelle.CoAuthorFigures
}

// apply validates in and records it on c.
func (in CoAuthorPublication) apply(c *passerelle.CoAuthor, pt *passerelle.Partner, now time.Time) error {
	if err := in.CoAuthorFigures.Validate(); err != nil {
		return err
	}
	if in.URL != nil && strings.TrimSpace(*in.URL) != "" {
		u, platform, err := partners.PartnerPostURL(pt, strings.TrimSpace(*in.URL))
		if err != nil {
			return err
		}
		if u != c.URL {
			c.URL, c.Platform, c.RecordedAt = u, platform, &now
		}
	}
	if c.URL == "" {
		if in.URL != nil {
			return invalidParam("url", "Give the address of the partner's post.")
		}
		return invalidParam("views", "Figures belong to a recorded post: give its address first.")
	}
	c.Apply(in.CoAuthorFigures, now)
	return nil
}

// RecordCoAuthorPublication records, for an editor, a co-author's publication of a
// post that the co-author approved.
func (s *Service) RecordCoAuthorPublication(ctx context.Context, u *passerelle.User, postID, partnerID int64, in CoAuthorPublication) (*passerelle.CoAuthor, error) {
	p, err := s.post(ctx, u, postID)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(p.InstitutionID, passerelle.PermSchedule); err != nil {
		return nil, err
	}
	pt, err := s.db.Partner(ctx, u.OrgID, partnerID)
	if err != nil {
		return nil, err
	}
	return s.recordCoAuthor(ctx, u.OrgID, p, pt, in, false)
}

func (s *Service) recordCoAuthor(ctx context.Context, orgID int64, p *passerelle.Post, pt *passerelle.Partner, in CoAuthorPublication, published bool) (*passerelle.CoAuthor, error) {
	if published && p.Status != passerelle.StatusPublished {
		return nil, passerelle.Errorf(passerelle.ECONFLICT, "The post is not published yet: record your post once ours is out.")
	}
	if p.Status != passerelle.StatusApproved && p.Status != passerelle.StatusScheduled && p.Status != passerelle.StatusPublished {
		return nil, passerelle.Errorf(passerelle.ECONFLICT, "The post is not approved yet: a co-author's publication is recorded once everyone approved it.")
	}
	c, err := s.db.UpdatePostCoAuthor(ctx, orgID, p.ID, pt.ID, func(c *passerelle.CoAuthor) error {
		c.Settle(p.Version)
		if !c.Approved && p.Status != passerelle.StatusPublished {
			return passerelle.Errorf(passerelle.ECONFLICT, "This co-author has not approved the post as it is now.")
		}
		return in.apply(c, pt, s.now().UTC())
	})
	if err != nil {
		return nil, err
	}
	c.Settle(p.Version)
	return c, nil
}

// GuestRecordPublication records, through a co-author's link, the co-author's own
// publication of the post once the post is published.
func (s *Service) GuestRecordPublication(ctx context.Context, token string, in CoAuthorPublication) (*passerelle.CoAuthor, error) {
	g, err := s.guest(ctx, token)
	if err != nil {
		return nil, err
	}
	if g.PartnerID == 0 {
		return nil, errCoAuthorLink
	}
	orgID, err := s.db.PostOrg(ctx, g.PostID)
	if err != nil {
		return nil, err
	}
	p, err := s.db.Post(ctx, orgID, g.PostID)
	if err != nil {
		return nil, err
	}
	pt, err := s.db.Partner(ctx, orgID, g.PartnerID)
	if err != nil {
		return nil, err
	}
	c, err := s.recordCoAuthor(ctx, orgID, p, pt, in, true)
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		// The partner was removed from the co-authors since the link was made.
		return nil, errBadLink
	}
	return c, err
}

// OwnViews adds up the known views of the institution's own publications of a post
// the user may read, to set beside its co-authors' (lower: one is "at least").
func (s *Service) OwnViews(ctx context.Context, u *passerelle.User, postID int64) (views int64, lower bool, err error) {
	if _, err := s.readable(ctx, u, postID); err != nil {
		return 0, false, err
	}
	return s.db.PostOwnViews(ctx, postID)
}
