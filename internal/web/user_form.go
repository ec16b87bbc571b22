package web

import (
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

type userFormPage struct {
	User         *passerelle.User // nil when creating
	Self         bool
	Form         *form
	Institutions []roleChoice
	Roles        []passerelle.Role
}

// roleChoice is one institution in the roles table, with the field that names it.
type roleChoice struct {
	Field    string
	Name     string
	Archived bool
}

func roleField(id int64) string { return "role_" + strconv.FormatInt(id, 10) }

// errOwnersOnly: tenancy has no user-creation operation yet, so the page applies the
// same rule as the JSON API (owners manage users).
var errOwnersOnly = passerelle.Errorf(passerelle.EFORBIDDEN, "Only owners manage users.")

func (h *handler) renderUserForm(w http.ResponseWriter, r *http.Request, target *passerelle.User, f *form, status int) {
	me := server.User(r.Context())
	insts, _, err := h.institutionNames(r, me, h.localizer(r).Lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &userFormPage{User: target, Form: f, Roles: passerelle.InstitutionRoles, Self: target != nil && target.ID == me.ID}
	lang := h.localizer(r).Lang
	for _, i := range insts {
		p.Institutions = append(p.Institutions, roleChoice{Field: roleField(i.ID), Name: instName(i, lang), Archived: i.ArchivedAt != nil})
	}
	title := "user.new"
	if target != nil {
		title = "user.edit"
	}
	h.render(w, r, view{name: "user_form", title: title, nav: "users", status: status}, p)
}

func userValues(u *passerelle.User) map[string][]string {
	v := map[string][]string{"email": {u.Email}, "name": {u.Name}}
	if u.Owner {
		v["owner"] = []string{"1"}
	}
	for _, m := range u.Memberships {
		v[roleField(m.InstitutionID)] = []string{string(m.Role)}
	}
	return v
}

// memberships reads the roles table: one select per institution the owner sees.
func (h *handler) memberships(r *http.Request, me *passerelle.User, f *form) ([]passerelle.Membership, error) {
	insts, err := h.Tenancy.Institutions(r.Context(), me, true, tenancy.Page{})
	if err != nil {
		return nil, err
	}
	out := []passerelle.Membership{}
	for _, i := range insts {
		if role := f.Get(roleField(i.ID)); role != "" {
			out = append(out, passerelle.Membership{InstitutionID: i.ID, Role: passerelle.Role(role)})
		}
	}
	return out, nil
}

func (h *handler) userNew(w http.ResponseWriter, r *http.Request) {
	if !server.User(r.Context()).Owner {
		h.fail(w, r, errOwnersOnly)
		return
	}
	h.renderUserForm(w, r, nil, &form{Errors: map[string]string{}}, http.StatusOK)
}

func (h *handler) userCreate(w http.ResponseWriter, r *http.Request) {
	me := server.User(r.Context())
	if !me.Owner {
		h.fail(w, r, errOwnersOnly)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm(r)
	ms, err := h.memberships(r, me, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := &passerelle.User{OrgID: me.OrgID, Email: passerelle.NormalizeEmail(f.Get("email")), Name: f.Get("name"), Owner: f.Checked("owner"), Memberships: ms}
	err = passwordsMatch(f.Get("password"), f.Get("password_confirm"))
	if err == nil {
		err = h.Auth.CreateUser(r.Context(), u, f.Get("password"))
	}
	if err != nil {
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		f.Values.Del("password")
		f.Values.Del("password_confirm")
		h.renderUserForm(w, r, nil, f, server.Status(err))
		return
	}
	h.redirect(w, r, "/users", "flash.user_created")
}

func (h *handler) userEdit(w http.ResponseWriter, r *http.Request) {
	me := server.User(r.Context())
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.Tenancy.User(r.Context(), me, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if !me.Owner {
		h.fail(w, r, errOwnersOnly)
		return
	}
	h.renderUserForm(w, r, u, &form{Values: userValues(u), Errors: map[string]string{}}, http.StatusOK)
}

func (h *handler) userUpdate(w http.ResponseWriter, r *http.Request) {
	me := server.User(r.Context())
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm(r)
	target, err := h.Tenancy.User(r.Context(), me, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f.Values.Set("email", target.Email) // not editable here
	ms, err := h.memberships(r, me, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	name, owner := f.Get("name"), f.Checked("owner")
	if _, err := h.Tenancy.UpdateUser(r.Context(), me, id, tenancy.UserChange{Name: &name, Owner: &owner, Memberships: &ms}); err != nil {
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		h.renderUserForm(w, r, target, f, server.Status(err))
		return
	}
	h.redirect(w, r, "/users", "flash.user_saved")
}
