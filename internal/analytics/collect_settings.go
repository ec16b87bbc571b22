package analytics

import (
	"context"
	"fmt"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// CollectionSettings returns the organization's collection schedule and quotas.
func (s *Service) CollectionSettings(ctx context.Context, u *passerelle.User) (store.CollectionSettings, error) {
	return s.DB.CollectionSettings(ctx, u.OrgID)
}

// SetCollectionSettings changes the organization's collection schedule and quotas;
// owners only.
func (s *Service) SetCollectionSettings(ctx context.Context, u *passerelle.User, cs store.CollectionSettings) (store.CollectionSettings, error) {
	if !u.Owner {
		return cs, passerelle.ErrForbidden
	}
	if err := s.DB.SetCollectionSettings(ctx, u.OrgID, cs); err != nil {
		return cs, err
	}
	s.DB.Audit(ctx, store.AuditEntry{OrgID: u.OrgID, ActorID: u.ID, Actor: u.Email, Action: store.AuditSettingsUpdate, Object: "organization", ObjectID: store.ID(u.OrgID),
		Detail: fmt.Sprintf("collection: hours %v, Weibo %d days, WeChat %d days, %d Weibo reads/h, %d WeChat calls/day", cs.Hours, cs.WeiboDays, cs.WeChatDays, cs.WeiboReadsPerHour, cs.WeChatCallsPerDay)})
	return s.DB.CollectionSettings(ctx, u.OrgID)
}

// CollectionStatus is where an account's collection stands, as the API shows it.
type CollectionStatus struct {
	AccountID int64 `json:"account_id"`
	// NeedsReauth: collection stopped until the account is connected again.
	NeedsReauth bool `json:"needs_reauth"`
	// BlockedUntil: rate-limited (or refused) until then.
	BlockedUntil *time.Time `json:"blocked_until"`
	LastError    string     `json:"last_error"`
	// CallsThisHour and CallsToday count the budget used (Weibo per clock hour, WeChat
	// per Beijing day), against the organization's limits.
	CallsThisHour int `json:"calls_this_hour"`
	CallsToday    int `json:"calls_today"`
	Limit         int `json:"limit"`
}

// AccountCollection returns an account's collection status for a user who sees it.
func (s *Service) AccountCollection(ctx context.Context, u *passerelle.User, accountID int64) (*CollectionStatus, error) {
	a, err := s.Tenancy.Account(ctx, u, accountID)
	if err != nil {
		return nil, err
	}
	st, err := s.DB.CollectionStateOf(ctx, a.ID)
	if err != nil {
		return nil, err
	}
	cs, err := s.DB.CollectionSettings(ctx, u.OrgID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	out := &CollectionStatus{AccountID: a.ID, NeedsReauth: st.NeedsReauth, LastError: st.LastError}
	if st.BlockedUntil != nil && st.BlockedUntil.After(now) {
		out.BlockedUntil = st.BlockedUntil
	}
	if a.Platform == passerelle.WeChat {
		out.Limit = cs.WeChatCallsPerDay
		if st.DayStart == now.In(Beijing).Format(time.DateOnly) {
			out.CallsToday = st.DayCalls
		}
	} else {
		out.Limit = cs.WeiboReadsPerHour
		if st.HourStart.Equal(now.UTC().Truncate(time.Hour)) {
			out.CallsThisHour = st.HourCalls
		}
	}
	return out, nil
}
