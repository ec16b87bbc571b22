package web

import (
	"net/http"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

type institutionShowPage struct {
	Institution *passerelle.Institution
	Display     string
	Accounts    []*passerelle.Account
	Followers   int64
	CanManage   bool
	CanArchive  bool
	Archived    bool // archived accounts are listed too
}

func (h *handler) institutionShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	i, err := h.Tenancy.Institution(r.Context(), u, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	archived := r.URL.Query().Get("archived") == "1"
	accounts, err := h.Tenancy.Accounts(r.Context(), u, id, archived, tenancy.Page{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &institutionShowPage{Institution: i, Display: instName(i, h.localizer(r).Lang), Accounts: accounts,
		CanManage: u.Can(id, passerelle.PermManage), CanArchive: u.Owner, Archived: archived}
	for _, a := range accounts {
		if a.Followers != nil && a.ArchivedAt == nil {
			p.Followers += *a.Followers
		}
	}
	h.render(w, r, view{name: "institution_show", title: "institution.title", nav: "institutions"}, p)
}
