package passerelle

import "testing"

func TestUserRules(t *testing.T) {
	t.Parallel()
	owner := &User{Owner: true}
	editor := &User{Memberships: []Membership{{InstitutionID: 1, Role: RoleEditor}, {InstitutionID: 2, Role: RoleViewer}}}
	none := &User{}
	tests := []struct {
		name string
		u    *User
		inst int64
		p    Permission
		want string
	}{
		{"owner anywhere", owner, 9, PermManage, ""},
		{"editor writes", editor, 1, PermWrite, ""},
		{"editor may not manage", editor, 1, PermManage, EFORBIDDEN},
		{"viewer may not write", editor, 2, PermWrite, EFORBIDDEN},
		{"invisible institution", editor, 3, PermView, ENOTFOUND},
		{"no role at all", none, 1, PermView, ENOTFOUND},
	}
	for _, tt := range tests {
		if got := ErrorCode(tt.u.Allow(tt.inst, tt.p)); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.name, got, tt.want)
		}
	}
	if owner.VisibleInstitutions() != nil || len(editor.VisibleInstitutions()) != 2 || none.VisibleInstitutions() == nil {
		t.Error("VisibleInstitutions: nil means all for owners only; a user without roles sees none")
	}
	if !editor.CanAnywhere(PermWrite) || editor.CanAnywhere(PermManage) || none.CanAnywhere(PermView) || !owner.CanAnywhere(PermManage) {
		t.Error("CanAnywhere")
	}
}
