package editorial

import (
	"context"
	"slices"

	"github.com/passerelle-oss/passerelle"
)

// Member review: a post on a network account (Paris Musées' account speaking for its
// museums) names the member institutions it features. The reviewers of a featured
// member see that post and approve or reject it through the same workflow as the
// post's own reviewers, with a reviewer's rights only: they may not edit, schedule or
// share it, and they see nothing else of the network's institution.

// memberReviewer returns the featured institution through which u reviews p, or 0
// when u does not review p as a member (including when u holds a role on p's
// institution, which then decides).
func (s *Service) memberReviewer(ctx context.Context, u *passerelle.User, p *passerelle.Post) (int64, error) {
	if u.Owner || u.RoleOn(p.InstitutionID).Can(passerelle.PermReview) {
		return 0, nil
	}
	mine := u.ReviewerOf()
	if len(mine) == 0 {
		return 0, nil
	}
	featured, err := s.db.PostFeatured(ctx, p.ID)
	if err != nil {
		return 0, err
	}
	for _, id := range featured {
		if slices.Contains(mine, id) {
			return id, nil
		}
	}
	return 0, nil
}

// readable loads a post the user may read: a post of an institution they see, or a
// post featuring an institution they review.
func (s *Service) readable(ctx context.Context, u *passerelle.User, id int64) (*passerelle.Post, error) {
	p, err := s.db.Post(ctx, u.OrgID, id)
	if err != nil {
		return nil, err
	}
	if u.Can(p.InstitutionID, passerelle.PermView) {
		return p, nil
	}
	member, err := s.memberReviewer(ctx, u, p)
	if err != nil {
		return nil, err
	}
	if member == 0 {
		return nil, errNotFound
	}
	return p, nil
}

// actorFor is who moves p: the user with their role on p's institution, or, for a
// reviewer of a featured member institution, a reviewer.
func (s *Service) actorFor(ctx context.Context, u *passerelle.User, p *passerelle.Post) (passerelle.Actor, error) {
	a := actorOf(u, p.InstitutionID)
	member, err := s.memberReviewer(ctx, u, p)
	if err != nil || member == 0 {
		return a, err
	}
	a.Role = passerelle.RoleReviewer
	return a, nil
}

// ReviewsAsMember returns the featured member institution through which the user
// reviews the post, or 0 when they do not (or review it through a role on the
// post's own institution): the pages show such a post in the review queue and offer
// only the reviewer's moves.
func (s *Service) ReviewsAsMember(ctx context.Context, u *passerelle.User, p *passerelle.Post) (int64, error) {
	return s.memberReviewer(ctx, u, p)
}

// MoveActor is the actor whose moves the pages offer on p (see actorFor).
func (s *Service) MoveActor(ctx context.Context, u *passerelle.User, p *passerelle.Post) (passerelle.Actor, error) {
	return s.actorFor(ctx, u, p)
}
