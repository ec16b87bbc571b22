package passerelle

import (
	"net/mail"
	"strings"
	"time"
)

// User is a person who signs in. An owner may do everything in the organization; other
// users hold a role per institution (Memberships).
type User struct {
	ID          int64        `json:"id"`
	OrgID       int64        `json:"-"`
	Email       string       `json:"email"`
	Name        string       `json:"name"`
	Owner       bool         `json:"owner"`
	Locale      string       `json:"locale"`
	DisabledAt  *time.Time   `json:"disabled_at"`
	CreatedAt   time.Time    `json:"created_at"`
	LastLoginAt *time.Time   `json:"last_login_at"`
	Memberships []Membership `json:"memberships"`
}

// Membership grants a role on one institution.
type Membership struct {
	InstitutionID int64 `json:"institution_id"`
	Role          Role  `json:"role"`
}

// Locales the UI speaks.
var Locales = []string{"fr", "en", "zh-Hans"}

// ValidLocale reports whether l is a UI language ("" means: follow the browser).
func ValidLocale(l string) bool { return l == "" || contains(Locales, l) }

// NormalizeEmail lower-cases and trims an address.
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// Validate reports every invalid field.
func (u *User) Validate() error {
	f := FieldErrors{}
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		f.Add("email", "Enter a valid e-mail address.")
	}
	checkLen(f, "name", u.Name, 200)
	if !ValidLocale(u.Locale) {
		f.Add("locale", "Choose fr, en or zh-Hans.")
	}
	for _, m := range u.Memberships {
		if !m.Role.Valid() || m.Role == RoleOwner {
			f.Add("memberships", "Unknown institution role.")
		}
	}
	return f.Err()
}

// RoleOn returns the user's role on an institution, "" when none.
func (u *User) RoleOn(institutionID int64) Role {
	if u.Owner {
		return RoleOwner
	}
	for _, m := range u.Memberships {
		if m.InstitutionID == institutionID {
			return m.Role
		}
	}
	return ""
}

// Can reports whether the user holds p on the institution. An owner holds every
// permission on any id: callers must also scope the institution to the user's
// organization.
func (u *User) Can(institutionID int64, p Permission) bool {
	return u.RoleOn(institutionID).Can(p)
}

// Allow applies the tenancy rule to an institution: what the user may not see is not
// found; what they see but may not do is forbidden.
func (u *User) Allow(institutionID int64, p Permission) error {
	if !u.Can(institutionID, PermView) {
		return ErrNotFound
	}
	if !u.Can(institutionID, p) {
		return ErrForbidden
	}
	return nil
}

// CanAnywhere reports whether the user holds p on at least one institution (owners
// hold everything): the rule for organization-wide lists such as the glossary.
func (u *User) CanAnywhere(p Permission) bool {
	if u.Owner {
		return true
	}
	for _, m := range u.Memberships {
		if m.Role.Can(p) {
			return true
		}
	}
	return false
}

// VisibleInstitutions returns the ids of the institutions the user holds a role on,
// or nil for an owner, who sees every institution of the organization.
func (u *User) VisibleInstitutions() []int64 {
	if u.Owner {
		return nil
	}
	ids := make([]int64, 0, len(u.Memberships))
	for _, m := range u.Memberships {
		ids = append(ids, m.InstitutionID)
	}
	return ids
}

// MinPasswordLength is the shortest password accepted: NIST SP 800-63B's minimum (the UI
// suggests a passphrase).
const MinPasswordLength = 8

// ValidatePassword checks a new password.
func ValidatePassword(p string) error {
	if len([]rune(p)) < MinPasswordLength {
		return &Error{Code: EINVALID, Message: "The password is too short.", Fields: map[string]string{"password": "Use at least 8 characters."}}
	}
	if len(p) > 1024 {
		return &Error{Code: EINVALID, Message: "The password is too long.", Fields: map[string]string{"password": "Use at most 1024 bytes."}}
	}
	return nil
}

// APIToken is a personal token for the JSON API. The secret is shown once at creation
// and stored only as a hash.
type APIToken struct {
	ID         int64      `json:"id"`
	UserID     int64      `json:"user_id"`
	Name       string     `json:"name"`
	Prefix     string     `json:"prefix"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	ExpiresAt  *time.Time `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

// ReviewerOf returns the institutions on which the user may approve or reject posts
// (nil for an owner, who reviews everywhere): the institutions whose reviewers also
// review the posts of network accounts that feature them.
func (u *User) ReviewerOf() []int64 {
	if u.Owner {
		return nil
	}
	var ids []int64
	for _, m := range u.Memberships {
		if m.Role.Can(PermReview) {
			ids = append(ids, m.InstitutionID)
		}
	}
	return ids
}
