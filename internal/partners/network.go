package partners

import (
	"context"
	"slices"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// MaxMembers bounds a network account's member institutions.
const MaxMembers = 200

// SetMembers makes an account speak for member institutions (a network account such
// as Paris Musées' for its 14 museums); an empty list makes it an ordinary account.
// Those who manage the account's institution do this; a member the user cannot see,
// or of another organization, is not found.
func (s *Service) SetMembers(ctx context.Context, u *passerelle.User, accountID int64, institutionIDs []int64) ([]int64, error) {
	a, err := s.db.Account(ctx, u.OrgID, accountID)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(a.InstitutionID, passerelle.PermManage); err != nil {
		return nil, err
	}
	if len(institutionIDs) > MaxMembers {
		return nil, invalid("institution_ids", "At most 200 member institutions.")
	}
	ids := slices.Clone(institutionIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	for _, id := range ids {
		if !u.Can(id, passerelle.PermView) {
			return nil, passerelle.ErrNotFound
		}
	}
	if err := s.db.SetAccountMembers(ctx, u.OrgID, accountID, ids); err != nil {
		return nil, err
	}
	if ids == nil {
		ids = []int64{}
	}
	return ids, nil
}

// Members returns an account's member institutions.
func (s *Service) Members(ctx context.Context, u *passerelle.User, accountID int64) ([]int64, error) {
	a, err := s.db.Account(ctx, u.OrgID, accountID)
	if err != nil {
		return nil, err
	}
	if !u.Can(a.InstitutionID, passerelle.PermView) {
		return nil, passerelle.ErrNotFound
	}
	return s.db.AccountMembers(ctx, u.OrgID, accountID)
}

// CheckFeatured verifies, before a post is saved, that the institutions it features
// are of the organization (not found otherwise) and members of a network account the
// post is published on (invalid otherwise).
func (s *Service) CheckFeatured(ctx context.Context, u *passerelle.User, accountIDs []int64, featured []int64) error {
	if len(featured) == 0 {
		return nil
	}
	if len(featured) > MaxMembers {
		return invalid("featured_institution_ids", "At most 200 institutions.")
	}
	for _, id := range featured {
		if id <= 0 || !u.Can(id, passerelle.PermView) {
			return passerelle.ErrNotFound
		}
		if _, err := s.db.Institution(ctx, u.OrgID, id); err != nil {
			return err
		}
	}
	members := map[int64]bool{}
	for _, a := range accountIDs {
		ids, err := s.db.AccountMembers(ctx, u.OrgID, a)
		if err != nil && passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			return err
		}
		for _, id := range ids {
			members[id] = true
		}
	}
	for _, id := range featured {
		if !members[id] {
			return invalid("featured_institution_ids", "Only the member institutions of a network account the post is published on can be featured.")
		}
	}
	return nil
}

// SetFeatured records the institutions a post features (after CheckFeatured).
func (s *Service) SetFeatured(ctx context.Context, u *passerelle.User, postID int64, featured []int64) error {
	ids := slices.Clone(featured)
	slices.Sort(ids)
	return s.db.SetPostFeatured(ctx, u.OrgID, postID, slices.Compact(ids))
}

// Featured returns the institutions a post features.
func (s *Service) Featured(ctx context.Context, u *passerelle.User, postID int64) ([]int64, error) {
	if _, err := s.post(ctx, u, postID); err != nil {
		return nil, err
	}
	return s.db.PostFeatured(ctx, postID)
}

// NetworkReport is each member's share of a network account's posts in a period.
type NetworkReport struct {
	AccountID int64               `json:"account_id"`
	From      time.Time           `json:"from"`
	To        time.Time           `json:"to"`
	Posts     int                 `json:"posts"`
	Members   []store.MemberShare `json:"members"`
}

// Network reports a network account's members over [from, to).
func (s *Service) Network(ctx context.Context, u *passerelle.User, accountID int64, from, to time.Time) (*NetworkReport, error) {
	if _, err := s.Members(ctx, u, accountID); err != nil {
		return nil, err
	}
	if !to.After(from) || to.Sub(from) > 5*366*24*time.Hour {
		return nil, invalid("to", "Give a period of at most five years, to after from.")
	}
	shares, total, err := s.db.NetworkShares(ctx, u.OrgID, accountID, from, to)
	if err != nil {
		return nil, err
	}
	return &NetworkReport{AccountID: accountID, From: from, To: to, Posts: total, Members: shares}, nil
}
