package web

import (
	"net/http"
	"strconv"

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
	// TwoStep: approval takes the agency lead, then the museum.
	TwoStep bool
	// Quiet are the institution's quiet hours (Beijing time).
	Quiet passerelle.QuietHours
	// Stopped are the accounts whose collection of figures has stopped, by account.
	Stopped map[int64]*collectionNotice
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
	if p.TwoStep, err = h.DB.TwoStepApproval(r.Context(), u.OrgID, id); err != nil {
		h.fail(w, r, err)
		return
	}
	if p.Quiet, err = h.Editorial.QuietHours(r.Context(), u, id); err != nil {
		h.fail(w, r, err)
		return
	}
	notices, err := h.noticesOf(r, accounts, i.TimeZone)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.Stopped = map[int64]*collectionNotice{}
	for k := range notices {
		p.Stopped[notices[k].AccountID] = &notices[k]
	}
	h.render(w, r, view{name: "institution_show", title: "institution.title", nav: "institutions"}, p)
}

// institutionApproval turns two-step approval on or off (managers of the institution).
func (h *handler) institutionApproval(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	// Looked up through tenancy first: invisible institutions are not found.
	if _, err := h.Tenancy.Institution(r.Context(), u, id); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Editorial.SetTwoStepApproval(r.Context(), u, id, r.PostForm.Get("two_step") == "on"); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/institutions/"+strconv.FormatInt(id, 10), "flash.approval_saved")
}
