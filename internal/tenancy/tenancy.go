// Package tenancy decides who may see and change what: institutions, their accounts
// and credentials, users and their roles. Every handler (HTML or JSON) goes through it,
// so both interfaces enforce the same rules. Anything the user may not see answers
// not_found, never forbidden: the existence of another tenant's data is not revealed.
package tenancy

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Service applies the rules over the store.
type Service struct {
	DB  *store.DB
	Now func() time.Time
}

var (
	errNotFound  = passerelle.ErrNotFound
	errForbidden = passerelle.ErrForbidden
)

// Page is a cursor page request: items after AfterID, at most Limit.
type Page struct {
	AfterID int64
	Limit   int
}

// Institutions lists the institutions the user may see.
func (s *Service) Institutions(ctx context.Context, u *passerelle.User, includeArchived bool, p Page) ([]*passerelle.Institution, error) {
	return s.DB.Institutions(ctx, store.InstitutionFilter{OrgID: u.OrgID, IDs: u.VisibleInstitutions(), IncludeArchived: includeArchived, AfterID: p.AfterID, Limit: p.Limit})
}

// Institution returns an institution the user may see (archived ones included).
func (s *Service) Institution(ctx context.Context, u *passerelle.User, id int64) (*passerelle.Institution, error) {
	if !u.Can(id, passerelle.PermView) {
		return nil, errNotFound
	}
	return s.DB.Institution(ctx, u.OrgID, id)
}

// CreateInstitution creates an institution; owners only.
func (s *Service) CreateInstitution(ctx context.Context, u *passerelle.User, i *passerelle.Institution) error {
	if !u.Owner {
		return errForbidden
	}
	i.OrgID = u.OrgID
	i.ID, i.ArchivedAt = 0, nil
	return s.DB.CreateInstitution(ctx, i)
}

// UpdateInstitution applies fn to an institution the user manages.
func (s *Service) UpdateInstitution(ctx context.Context, u *passerelle.User, id int64, fn func(*passerelle.Institution) error) (*passerelle.Institution, error) {
	if _, err := s.Institution(ctx, u, id); err != nil {
		return nil, err
	}
	if !u.Can(id, passerelle.PermManage) {
		return nil, errForbidden
	}
	return s.DB.UpdateInstitution(ctx, u.OrgID, id, func(i *passerelle.Institution) error {
		archived := i.ArchivedAt
		if err := fn(i); err != nil {
			return err
		}
		i.ArchivedAt = archived // archiving has its own operation
		return nil
	})
}

// ArchiveInstitution archives (archive true) or restores an institution; owners only.
func (s *Service) ArchiveInstitution(ctx context.Context, u *passerelle.User, id int64, archive bool) (*passerelle.Institution, error) {
	if _, err := s.Institution(ctx, u, id); err != nil {
		return nil, err
	}
	if !u.Owner {
		return nil, errForbidden
	}
	return s.DB.UpdateInstitution(ctx, u.OrgID, id, func(i *passerelle.Institution) error {
		i.ArchivedAt = s.archived(i.ArchivedAt, archive)
		return nil
	})
}

// archived returns the archive time after archiving (keeping the first one) or
// restoring.
func (s *Service) archived(cur *time.Time, archive bool) *time.Time {
	switch {
	case !archive:
		return nil
	case cur != nil:
		return cur
	}
	now := s.now()
	return &now
}

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now().UTC()
	}
	return s.Now().UTC()
}

// Accounts lists an institution's accounts.
func (s *Service) Accounts(ctx context.Context, u *passerelle.User, institutionID int64, includeArchived bool, p Page) ([]*passerelle.Account, error) {
	if _, err := s.Institution(ctx, u, institutionID); err != nil {
		return nil, err
	}
	return s.DB.Accounts(ctx, store.AccountFilter{OrgID: u.OrgID, InstitutionID: institutionID, IncludeArchived: includeArchived, AfterID: p.AfterID, Limit: p.Limit})
}

// AllAccounts lists the accounts of every institution the user may see.
func (s *Service) AllAccounts(ctx context.Context, u *passerelle.User) ([]*passerelle.Account, error) {
	all, err := s.DB.Accounts(ctx, store.AccountFilter{OrgID: u.OrgID})
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, a := range all {
		if u.Can(a.InstitutionID, passerelle.PermView) {
			out = append(out, a)
		}
	}
	return out, nil
}

// Account returns an account the user may see.
func (s *Service) Account(ctx context.Context, u *passerelle.User, id int64) (*passerelle.Account, error) {
	a, err := s.DB.Account(ctx, u.OrgID, id)
	if err != nil {
		return nil, err
	}
	if !u.Can(a.InstitutionID, passerelle.PermView) {
		return nil, errNotFound
	}
	return a, nil
}

// CreateAccount adds an account to an institution the user manages.
func (s *Service) CreateAccount(ctx context.Context, u *passerelle.User, a *passerelle.Account) error {
	if _, err := s.Institution(ctx, u, a.InstitutionID); err != nil {
		return err
	}
	if !u.Can(a.InstitutionID, passerelle.PermManage) {
		return errForbidden
	}
	a.ID, a.ArchivedAt = 0, nil
	return s.DB.CreateAccount(ctx, u.OrgID, a)
}

// UpdateAccount applies fn to an account the user manages.
func (s *Service) UpdateAccount(ctx context.Context, u *passerelle.User, id int64, fn func(*passerelle.Account) error) (*passerelle.Account, error) {
	a, err := s.Account(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if !u.Can(a.InstitutionID, passerelle.PermManage) {
		return nil, errForbidden
	}
	return s.DB.UpdateAccount(ctx, u.OrgID, id, func(a *passerelle.Account) error {
		archived, inst := a.ArchivedAt, a.InstitutionID
		if err := fn(a); err != nil {
			return err
		}
		a.ArchivedAt, a.InstitutionID = archived, inst
		return nil
	})
}

// ArchiveAccount archives or restores an account the user manages.
func (s *Service) ArchiveAccount(ctx context.Context, u *passerelle.User, id int64, archive bool) (*passerelle.Account, error) {
	a, err := s.Account(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if !u.Can(a.InstitutionID, passerelle.PermManage) {
		return nil, errForbidden
	}
	return s.DB.UpdateAccount(ctx, u.OrgID, id, func(a *passerelle.Account) error {
		a.ArchivedAt = s.archived(a.ArchivedAt, archive)
		return nil
	})
}

// SetCredentials seals credentials of an account the user manages. Empty values are
// ignored (a form leaves a secret blank to keep it).
func (s *Service) SetCredentials(ctx context.Context, u *passerelle.User, id int64, values map[string]string) error {
	a, err := s.Account(ctx, u, id)
	if err != nil {
		return err
	}
	if !u.Can(a.InstitutionID, passerelle.PermManage) {
		return errForbidden
	}
	clean := map[string]string{}
	f := passerelle.FieldErrors{}
	for k, v := range values {
		if v == "" {
			continue
		}
		if len(v) > 2048 {
			f.Add(k, "Too long.")
		}
		clean[k] = v
	}
	if a.Platform == passerelle.WeChat {
		if v, ok := clean["encoding_aes_key"]; ok && len(v) != 43 {
			f.Add("encoding_aes_key", "The EncodingAESKey has 43 characters.")
		}
		if v, ok := clean["token"]; ok && (len(v) < 3 || len(v) > 32) {
			f.Add("token", "The token has 3 to 32 characters.")
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	if len(clean) == 0 {
		return passerelle.Errorf(passerelle.EINVALID, "No credential given.")
	}
	if err := s.DB.SetCredentials(ctx, u.OrgID, id, clean); err != nil {
		return err
	}
	names := make([]string, 0, len(clean))
	for k := range clean {
		names = append(names, k)
	}
	sort.Strings(names)
	s.DB.Audit(ctx, store.AuditEntry{OrgID: u.OrgID, ActorID: u.ID, Actor: u.Email, Action: store.AuditCredentialsSet, Object: "account", ObjectID: store.ID(id), Detail: strings.Join(names, ", ")})
	return nil
}

// CredentialHints returns masked credentials of an account the user manages.
func (s *Service) CredentialHints(ctx context.Context, u *passerelle.User, id int64) (map[string]string, error) {
	a, err := s.Account(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if !u.Can(a.InstitutionID, passerelle.PermManage) {
		return nil, errForbidden
	}
	return s.DB.CredentialHints(ctx, id)
}

// Users lists the organization's users; owners only.
func (s *Service) Users(ctx context.Context, u *passerelle.User) ([]*passerelle.User, error) {
	if !u.Owner {
		return nil, errForbidden
	}
	return s.DB.Users(ctx, u.OrgID)
}

// User returns a user of the organization; owners, or the user themself.
func (s *Service) User(ctx context.Context, u *passerelle.User, id int64) (*passerelle.User, error) {
	if !u.Owner && u.ID != id {
		return nil, errNotFound
	}
	return s.DB.User(ctx, u.OrgID, id)
}

// UserChange is what an owner may change of a user.
type UserChange struct {
	Name        *string
	Owner       *bool
	Disabled    *bool
	Memberships *[]passerelle.Membership
}

// UpdateUser applies a change; owners only. An owner cannot disable or demote
// themself (another owner must).
func (s *Service) UpdateUser(ctx context.Context, u *passerelle.User, id int64, c UserChange) (*passerelle.User, error) {
	if !u.Owner {
		if u.ID == id {
			return nil, errForbidden
		}
		return nil, errNotFound
	}
	if u.ID == id && ((c.Owner != nil && !*c.Owner) || (c.Disabled != nil && *c.Disabled)) {
		return nil, passerelle.Errorf(passerelle.ECONFLICT, "You cannot disable or demote yourself; ask another owner.")
	}
	updated, err := s.DB.UpdateUser(ctx, u.OrgID, id, func(t *passerelle.User) error {
		if c.Name != nil {
			t.Name = *c.Name
		}
		if c.Owner != nil {
			t.Owner = *c.Owner
		}
		if c.Disabled != nil {
			if *c.Disabled && t.DisabledAt == nil {
				now := s.now()
				t.DisabledAt = &now
			} else if !*c.Disabled {
				t.DisabledAt = nil
			}
		}
		if c.Memberships != nil {
			t.Memberships = *c.Memberships
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.DB.Audit(ctx, store.AuditEntry{OrgID: u.OrgID, ActorID: u.ID, Actor: u.Email, Action: store.AuditUserUpdate, Object: "user", ObjectID: store.ID(id), Detail: c.describe(updated)})
	return updated, nil
}

// describe is an audit detail: what the change set, and the user's resulting roles.
func (c UserChange) describe(t *passerelle.User) string {
	var parts []string
	if c.Name != nil {
		parts = append(parts, "name")
	}
	if c.Owner != nil {
		parts = append(parts, fmt.Sprintf("owner=%t", *c.Owner))
	}
	if c.Disabled != nil {
		parts = append(parts, fmt.Sprintf("disabled=%t", *c.Disabled))
	}
	if c.Memberships != nil {
		roles := []string{}
		for _, m := range t.Memberships {
			roles = append(roles, fmt.Sprintf("%s@%d", m.Role, m.InstitutionID))
		}
		parts = append(parts, "memberships=["+strings.Join(roles, " ")+"]")
	}
	return t.Email + ": " + strings.Join(parts, ", ")
}

// SetLocale stores the user's UI language ("" follows the browser).
func (s *Service) SetLocale(ctx context.Context, u *passerelle.User, locale string) error {
	_, err := s.DB.UpdateUser(ctx, u.OrgID, u.ID, func(t *passerelle.User) error {
		t.Locale = locale
		return nil
	})
	return err
}
