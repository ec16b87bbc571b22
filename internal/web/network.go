package web

import (
	"net/http"
	"strconv"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// Network accounts: an account that speaks for several member institutions (Paris
// Musées' for its 14 museums). Its page lists the members, lets those who manage the
// account's institution choose them, and gives each member's share of the account's
// posts over the last quarter.

func (h *handler) networkRoutes() {
	s, in := h.srv, server.SignedIn
	s.HandleFunc("GET /accounts/{id}/network", in, h.networkPage)
	s.HandleFunc("POST /accounts/{id}/members", in, h.networkMembers)
}

type networkPage struct {
	Account      *passerelle.Account
	Institution  *passerelle.Institution
	Display      string
	Institutions []*passerelle.Institution
	Names        map[int64]string
	Members      map[int64]bool
	CanEdit      bool
	Report       *partners.NetworkReport
	From, To     time.Time
}

// networkDays is the period of the shares shown: a quarter.
const networkDays = 91

func (h *handler) networkPage(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), server.User(r.Context())
	a, i, err := h.accountAndInstitution(r, u)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := h.localizer(r).Lang
	p := &networkPage{Account: a, Institution: i, Display: instName(i, lang), Names: map[int64]string{}, Members: map[int64]bool{},
		CanEdit: u.Can(a.InstitutionID, passerelle.PermManage)}
	if p.Institutions, err = h.Tenancy.Institutions(ctx, u, false, tenancy.Page{}); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, in := range p.Institutions {
		p.Names[in.ID] = instName(in, lang)
	}
	ids, err := h.Partners.Members(ctx, u, a.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, id := range ids {
		p.Members[id] = true
	}
	p.To = h.Now().UTC().Truncate(24 * time.Hour).Add(24 * time.Hour)
	p.From = p.To.AddDate(0, 0, -networkDays)
	if len(ids) > 0 {
		if p.Report, err = h.Partners.Network(ctx, u, a.ID, p.From, p.To); err != nil {
			h.fail(w, r, err)
			return
		}
		for k := range p.Report.Members {
			m := &p.Report.Members[k]
			if n, ok := p.Names[m.InstitutionID]; ok {
				m.Name = n
			}
		}
	}
	h.render(w, r, view{name: "network", title: "network.title", nav: "institutions"}, p)
}

func (h *handler) networkMembers(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	ids := []int64{}
	for _, v := range r.PostForm["institution_id"] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			h.fail(w, r, passerelle.ErrNotFound)
			return
		}
		ids = append(ids, n)
	}
	if _, err := h.Partners.SetMembers(r.Context(), server.User(r.Context()), id, ids); err != nil {
		if passerelle.ErrorCode(err) == passerelle.EINVALID {
			h.redirectError(w, r, "/accounts/"+strconv.FormatInt(id, 10)+"/network", err)
			return
		}
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/accounts/"+strconv.FormatInt(id, 10)+"/network", "network.flash.saved")
}
