package web

import (
	"net/http"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

type userRow struct {
	*passerelle.User
	Roles []roleOn
	Self  bool
}

type roleOn struct {
	Institution string
	Role        passerelle.Role
}

type userListPage struct {
	Users []*userRow
}

// institutionNames maps the ids of every institution the user sees (archived ones
// too) to their name in the UI language.
func (h *handler) institutionNames(r *http.Request, u *passerelle.User, lang string) ([]*passerelle.Institution, map[int64]string, error) {
	insts, err := h.Tenancy.Institutions(r.Context(), u, true, tenancy.Page{})
	if err != nil {
		return nil, nil, err
	}
	names := make(map[int64]string, len(insts))
	for _, i := range insts {
		names[i.ID] = instName(i, lang)
	}
	return insts, names, nil
}

func (h *handler) userList(w http.ResponseWriter, r *http.Request) {
	me := server.User(r.Context())
	users, err := h.Tenancy.Users(r.Context(), me)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	_, names, err := h.institutionNames(r, me, h.localizer(r).Lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &userListPage{}
	for _, u := range users {
		row := &userRow{User: u, Self: u.ID == me.ID}
		for _, m := range u.Memberships {
			row.Roles = append(row.Roles, roleOn{Institution: names[m.InstitutionID], Role: m.Role})
		}
		p.Users = append(p.Users, row)
	}
	h.render(w, r, view{name: "user_list", title: "users.title", nav: "users"}, p)
}
