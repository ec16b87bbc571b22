package tenancy

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// AuditQuery is what a person asks of the audit log: a period (from included, to
// excluded; RFC 3339 instants or YYYY-MM-DD days, a day "to" including that whole day,
// in UTC), an action or action prefix ("token."), an actor.
type AuditQuery struct {
	From, To string
	Action   string
	ActorID  int64
}

// Filter validates the query.
func (q AuditQuery) Filter() (store.AuditFilter, error) {
	f := store.AuditFilter{Action: strings.TrimSpace(q.Action), ActorID: q.ActorID}
	fe := passerelle.FieldErrors{}
	var ok bool
	if f.From, ok = parseInstant(q.From, false); !ok {
		fe.Add("from", "Use a date (2026-01-31) or an RFC 3339 date-time (2026-01-31T09:00:00Z).")
	}
	if f.To, ok = parseInstant(q.To, true); !ok {
		fe.Add("to", "Use a date (2026-01-31) or an RFC 3339 date-time (2026-01-31T09:00:00Z).")
	}
	if !f.From.IsZero() && !f.To.IsZero() && !f.From.Before(f.To) {
		fe.Add("to", "Must come after from.")
	}
	if len(f.Action) > 64 {
		fe.Add("action", "Too long.")
	}
	return f, fe.Err()
}

func parseInstant(s string, end bool) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, true
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), true
	}
	if d, err := time.Parse("2006-01-02", s); err == nil {
		if end {
			d = d.AddDate(0, 0, 1)
		}
		return d, true
	}
	return time.Time{}, false
}

// AuditLog lists the organization's audit entries, newest first; owners only.
func (s *Service) AuditLog(ctx context.Context, u *passerelle.User, f store.AuditFilter) ([]*store.AuditEntry, error) {
	if !u.Owner {
		return nil, errForbidden
	}
	f.OrgID = u.OrgID
	return s.DB.AuditEntries(ctx, f)
}

// EraseFollower deletes what the organization holds about one WeChat follower (their
// raw pushes), on the follower's request, and records that it was done (with a digest
// of the openid, not the openid itself); owners only. It returns how many rows went.
func (s *Service) EraseFollower(ctx context.Context, u *passerelle.User, openID string) (int64, error) {
	if !u.Owner {
		return 0, errForbidden
	}
	openID = strings.TrimSpace(openID)
	if openID == "" || len(openID) > 128 || strings.ContainsFunc(openID, func(r rune) bool { return r < '!' || r > '~' }) {
		return 0, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"openid": "Give the follower's OpenID as WeChat sends it."}}
	}
	n, err := s.DB.EraseFollower(ctx, u.OrgID, openID)
	if err != nil {
		return 0, err
	}
	sum := sha256.Sum256([]byte(openID))
	s.DB.Audit(ctx, store.AuditEntry{OrgID: u.OrgID, ActorID: u.ID, Actor: u.Email, Action: store.AuditFollowerErase, Object: "follower",
		Detail: fmt.Sprintf("openid sha256:%s…; %d rows deleted", hex.EncodeToString(sum[:8]), n)})
	return n, nil
}
