package passerelle

// Role is what a user may do. Owner is organization-wide; the others are granted per
// institution.
type Role string

const (
	RoleOwner      Role = "owner"
	RoleAdmin      Role = "admin"
	RoleEditor     Role = "editor"
	RoleTranslator Role = "translator"
	RoleReviewer   Role = "reviewer"
	RoleViewer     Role = "viewer"
)

// InstitutionRoles are the roles granted per institution, from most to least powerful.
var InstitutionRoles = []Role{RoleAdmin, RoleEditor, RoleTranslator, RoleReviewer, RoleViewer}

// Valid reports whether r is a known role.
func (r Role) Valid() bool {
	switch r {
	case RoleOwner, RoleAdmin, RoleEditor, RoleTranslator, RoleReviewer, RoleViewer:
		return true
	}
	return false
}

// Permission is an action checked against a role.
type Permission int

const (
	// PermView: read an institution and everything in it.
	PermView Permission = iota
	// PermWrite: write posts and texts (editors, translators).
	PermWrite
	// PermReview: approve or reject posts.
	PermReview
	// PermSchedule: schedule and publish.
	PermSchedule
	// PermManage: edit the institution, its accounts, credentials and members.
	PermManage
)

// Can reports whether role r grants p.
func (r Role) Can(p Permission) bool {
	switch r {
	case RoleOwner, RoleAdmin:
		return true
	case RoleEditor:
		return p == PermView || p == PermWrite || p == PermSchedule
	case RoleTranslator:
		return p == PermView || p == PermWrite
	case RoleReviewer:
		return p == PermView || p == PermReview
	case RoleViewer:
		return p == PermView
	}
	return false
}
