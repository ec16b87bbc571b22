// Package partners holds the operations of partnerships and networks: the partner
// directory (Chinese museums, influencers, media, platform channels, artists), relay
// campaigns with their signed partner links and reports, live visits, and the member
// institutions of collective (network) accounts. Web, API and CLI call the same
// operations; the rules of who may do what live here.
package partners

import (
	"context"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Service runs the operations over the store.
type Service struct {
	db      *store.DB
	now     func() time.Time
	baseURL string
	linkTTL time.Duration
}

// Options configure New.
type Options struct {
	DB *store.DB
	// Now is the clock; time.Now when nil.
	Now func() time.Time
	// BaseURL prefixes partner links (empty: links are paths).
	BaseURL string
	// LinkTTL is the life of a partner link; 30 days when zero.
	LinkTTL time.Duration
}

// DefaultLinkTTL is the life of a partner link.
const DefaultLinkTTL = 30 * 24 * time.Hour

// New returns a service.
func New(o Options) *Service {
	s := &Service{db: o.DB, now: o.Now, baseURL: o.BaseURL, linkTTL: o.LinkTTL}
	if s.now == nil {
		s.now = time.Now
	}
	if s.linkTTL == 0 {
		s.linkTTL = DefaultLinkTTL
	}
	return s
}

func invalid(field, msg string) error {
	return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{field: msg}}
}

// The directory is the organization's: everyone with a role sees it; those who may
// schedule posts somewhere (editors, admins, owners) keep it.
func canSeeDirectory(u *passerelle.User) error {
	if !u.CanAnywhere(passerelle.PermView) {
		return passerelle.ErrNotFound
	}
	return nil
}

func canEditDirectory(u *passerelle.User) error {
	if err := canSeeDirectory(u); err != nil {
		return err
	}
	if !u.CanAnywhere(passerelle.PermSchedule) {
		return passerelle.ErrForbidden
	}
	return nil
}

// CreatePartner adds a partner to the user's organization's directory.
func (s *Service) CreatePartner(ctx context.Context, u *passerelle.User, p *passerelle.Partner) error {
	if err := canEditDirectory(u); err != nil {
		return err
	}
	p.ID, p.OrgID = 0, u.OrgID
	return s.db.CreatePartner(ctx, p)
}

// Partner returns a partner of the directory.
func (s *Service) Partner(ctx context.Context, u *passerelle.User, id int64) (*passerelle.Partner, error) {
	if err := canSeeDirectory(u); err != nil {
		return nil, err
	}
	return s.db.Partner(ctx, u.OrgID, id)
}

// UpdatePartner applies fn to a partner and saves it.
func (s *Service) UpdatePartner(ctx context.Context, u *passerelle.User, id int64, fn func(*passerelle.Partner) error) (*passerelle.Partner, error) {
	if _, err := s.Partner(ctx, u, id); err != nil {
		return nil, err
	}
	if err := canEditDirectory(u); err != nil {
		return nil, err
	}
	return s.db.UpdatePartner(ctx, u.OrgID, id, fn)
}

// Search filters a directory search.
type Search struct {
	Query        string
	Kind         passerelle.PartnerKind
	Platform     passerelle.Platform
	MinFollowers int64
	AfterID      int64
	Limit        int
}

// Partners searches the directory.
func (s *Service) Partners(ctx context.Context, u *passerelle.User, q Search) ([]*passerelle.Partner, error) {
	if err := canSeeDirectory(u); err != nil {
		return nil, err
	}
	f := passerelle.FieldErrors{}
	if q.Kind != "" && !contains(passerelle.PartnerKinds, q.Kind) {
		f.Add("kind", "Choose museum, influencer, media, channel or artist.")
	}
	if q.Platform != "" && !q.Platform.Valid() {
		f.Add("platform", "Unknown platform.")
	}
	if len(q.Query) > 200 {
		f.Add("q", "At most 200 characters.")
	}
	if q.MinFollowers < 0 {
		f.Add("min_followers", "Cannot be negative.")
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	return s.db.Partners(ctx, store.PartnerFilter{OrgID: u.OrgID, Query: q.Query, Kind: q.Kind, Platform: q.Platform, MinFollowers: q.MinFollowers, AfterID: q.AfterID, Limit: q.Limit})
}

// History lists a partner's collaborations (relays and live visits).
func (s *Service) History(ctx context.Context, u *passerelle.User, id int64) ([]store.PartnerHistory, error) {
	if _, err := s.Partner(ctx, u, id); err != nil {
		return nil, err
	}
	h, err := s.db.PartnerCollaborations(ctx, u.OrgID, id)
	if h == nil {
		h = []store.PartnerHistory{}
	}
	return h, err
}

func contains[T comparable](list []T, v T) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}
