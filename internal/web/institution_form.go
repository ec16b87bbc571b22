package web

import (
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

type institutionFormPage struct {
	Institution *passerelle.Institution // nil when creating
	Form        *form
	Kinds       []string
	Zones       []string
}

// commonZones are offered in the time zone field; any IANA name is accepted.
var commonZones = []string{"Europe/Paris", "Europe/London", "Europe/Brussels", "Europe/Madrid", "Europe/Rome", "Europe/Berlin", "Europe/Amsterdam", "Europe/Zurich", "Europe/Monaco", "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo", "America/New_York", "America/Montreal", "UTC"}

func (h *handler) renderInstitutionForm(w http.ResponseWriter, r *http.Request, i *passerelle.Institution, f *form, status int) {
	title := "institution.new"
	if i != nil {
		title = "institution.edit"
	}
	h.render(w, r, view{name: "institution_form", title: title, nav: "institutions", status: status},
		&institutionFormPage{Institution: i, Form: f, Kinds: passerelle.InstitutionKinds, Zones: commonZones})
}

func institutionValues(i *passerelle.Institution) map[string][]string {
	v := map[string][]string{}
	for k, s := range map[string]string{"name": i.Name, "name_fr": i.NameFR, "name_en": i.NameEN, "name_zh": i.NameZH, "city": i.City, "country": i.Country,
		"website": i.Website, "time_zone": i.TimeZone, "kind": i.Kind, "logo_url": i.LogoURL} {
		v[k] = []string{s}
	}
	return v
}

// applyInstitution copies the form into i.
func applyInstitution(f *form, i *passerelle.Institution) {
	i.Name, i.NameFR, i.NameEN, i.NameZH = f.Get("name"), f.Get("name_fr"), f.Get("name_en"), f.Get("name_zh")
	i.City, i.Country, i.Website, i.TimeZone = f.Get("city"), f.Get("country"), f.Get("website"), f.Get("time_zone")
	i.Kind, i.LogoURL = f.Get("kind"), f.Get("logo_url")
	i.Normalize()
}

func (h *handler) institutionNew(w http.ResponseWriter, r *http.Request) {
	defaults := &passerelle.Institution{}
	defaults.Normalize()
	h.renderInstitutionForm(w, r, nil, &form{Values: institutionValues(defaults), Errors: map[string]string{}}, http.StatusOK)
}

func (h *handler) institutionCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm(r)
	i := &passerelle.Institution{}
	applyInstitution(f, i)
	if err := h.Tenancy.CreateInstitution(r.Context(), server.User(r.Context()), i); err != nil {
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		h.renderInstitutionForm(w, r, nil, f, server.Status(err))
		return
	}
	h.redirect(w, r, "/institutions/"+strconv.FormatInt(i.ID, 10), "flash.institution_created")
}

func (h *handler) institutionEdit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	i, err := h.Tenancy.Institution(r.Context(), server.User(r.Context()), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderInstitutionForm(w, r, i, &form{Values: institutionValues(i), Errors: map[string]string{}}, http.StatusOK)
}

func (h *handler) institutionUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	f := newForm(r)
	i, err := h.Tenancy.UpdateInstitution(r.Context(), u, id, func(i *passerelle.Institution) error {
		applyInstitution(f, i)
		return nil
	})
	if err != nil {
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		current, cerr := h.Tenancy.Institution(r.Context(), u, id)
		if cerr != nil {
			h.fail(w, r, cerr)
			return
		}
		h.renderInstitutionForm(w, r, current, f, server.Status(err))
		return
	}
	h.redirect(w, r, "/institutions/"+strconv.FormatInt(i.ID, 10), "flash.institution_saved")
}
