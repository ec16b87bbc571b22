package partners

import (
	"context"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// CreateLiveEvent plans a live visit of an institution.
func (s *Service) CreateLiveEvent(ctx context.Context, u *passerelle.User, institutionID int64, e *passerelle.LiveEvent) error {
	if err := u.Allow(institutionID, passerelle.PermSchedule); err != nil {
		return err
	}
	e.ID, e.InstitutionID = 0, institutionID
	return s.db.CreateLiveEvent(ctx, u.OrgID, e)
}

// LiveEvent returns a live visit the user may see.
func (s *Service) LiveEvent(ctx context.Context, u *passerelle.User, id int64) (*passerelle.LiveEvent, error) {
	e, err := s.db.LiveEvent(ctx, u.OrgID, id)
	if err != nil {
		return nil, err
	}
	if !u.Can(e.InstitutionID, passerelle.PermView) {
		return nil, passerelle.ErrNotFound
	}
	return e, nil
}

// UpdateLiveEvent applies fn to a live visit (its plan, or its figures after the
// event) and saves it.
func (s *Service) UpdateLiveEvent(ctx context.Context, u *passerelle.User, id int64, fn func(*passerelle.LiveEvent) error) (*passerelle.LiveEvent, error) {
	e, err := s.LiveEvent(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if err := u.Allow(e.InstitutionID, passerelle.PermSchedule); err != nil {
		return nil, err
	}
	return s.db.UpdateLiveEvent(ctx, u.OrgID, id, func(e *passerelle.LiveEvent) error {
		inst := e.InstitutionID
		if err := fn(e); err != nil {
			return err
		}
		e.InstitutionID = inst
		return nil
	})
}

// LiveQuery filters LiveEvents.
type LiveQuery struct {
	InstitutionID int64
	From, To      time.Time
	AfterID       int64
	Limit         int
}

// LiveEvents lists the live visits of the institutions the user sees.
func (s *Service) LiveEvents(ctx context.Context, u *passerelle.User, q LiveQuery) ([]*passerelle.LiveEvent, error) {
	ids := u.VisibleInstitutions()
	if q.InstitutionID > 0 {
		if !u.Can(q.InstitutionID, passerelle.PermView) {
			return nil, passerelle.ErrNotFound
		}
		ids = []int64{q.InstitutionID}
	}
	return s.db.LiveEvents(ctx, store.LiveEventFilter{OrgID: u.OrgID, InstitutionIDs: ids, From: q.From, To: q.To, AfterID: q.AfterID, Limit: q.Limit})
}

// Times gives a live visit's start in Beijing and Paris time, the two clocks a team
// works with.
func Times(t time.Time) (beijing, paris time.Time) {
	return t.In(zone("Asia/Shanghai", 8)), t.In(zone("Europe/Paris", 1))
}

// zone loads a location (the binary embeds tzdata), or a fixed offset should it fail.
func zone(name string, hours int) *time.Location {
	if l, err := time.LoadLocation(name); err == nil {
		return l
	}
	return time.FixedZone(name, hours*3600)
}
