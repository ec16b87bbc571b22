package editorial

import (
	"context"
	"fmt"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// QuietHours returns an institution's quiet hours (Beijing time); whoever sees the
// institution may read them.
func (s *Service) QuietHours(ctx context.Context, u *passerelle.User, institutionID int64) (passerelle.QuietHours, error) {
	if !u.Can(institutionID, passerelle.PermView) {
		return passerelle.QuietHours{}, errNotFound
	}
	// Owners see every id: the institution must be the organization's.
	if _, err := s.db.Institution(ctx, u.OrgID, institutionID); err != nil {
		return passerelle.QuietHours{}, err
	}
	qs, err := s.db.QuietHours(ctx, u.OrgID, []int64{institutionID})
	if err != nil {
		return passerelle.QuietHours{}, err
	}
	return qs[institutionID], nil
}

// SetQuietHours stores an institution's quiet hours; its managers only.
func (s *Service) SetQuietHours(ctx context.Context, u *passerelle.User, institutionID int64, q passerelle.QuietHours) error {
	if err := u.Allow(institutionID, passerelle.PermManage); err != nil {
		return err
	}
	if err := s.db.SetQuietHours(ctx, u.OrgID, institutionID, q); err != nil {
		return err
	}
	s.db.Audit(ctx, store.AuditEntry{OrgID: u.OrgID, ActorID: u.ID, Actor: u.Email, Action: store.AuditSettingsUpdate, Object: "institution", ObjectID: store.ID(institutionID),
		Detail: fmt.Sprintf("quiet_hours=%s-%s Beijing", q.StartClock(), q.EndClock())})
	return nil
}
