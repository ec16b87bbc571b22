package api

import (
	"net/http"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// institutionInput is the writable part of an institution; nil fields are left as
// they are on PATCH.
type institutionInput struct {
	Name     *string `json:"name"`
	NameFR   *string `json:"name_fr"`
	NameEN   *string `json:"name_en"`
	NameZH   *string `json:"name_zh"`
	City     *string `json:"city"`
	Country  *string `json:"country"`
	Website  *string `json:"website"`
	TimeZone *string `json:"time_zone"`
	Kind     *string `json:"kind"`
	LogoURL  *string `json:"logo_url"`
}

func (in *institutionInput) apply(i *passerelle.Institution) {
	for _, f := range []struct {
		src *string
		dst *string
	}{{in.Name, &i.Name}, {in.NameFR, &i.NameFR}, {in.NameEN, &i.NameEN}, {in.NameZH, &i.NameZH}, {in.City, &i.City}, {in.Country, &i.Country}, {in.Website, &i.Website}, {in.TimeZone, &i.TimeZone}, {in.Kind, &i.Kind}, {in.LogoURL, &i.LogoURL}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
}

func (h *Handler) listInstitutions(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	archived := r.URL.Query().Get("archived") == "true"
	items, err := h.tenancy.Institutions(r.Context(), server.User(r.Context()), archived, tenancyPage(p))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, paged(items, p.Limit, func(i *passerelle.Institution) int64 { return i.ID }))
}

func (h *Handler) createInstitution(w http.ResponseWriter, r *http.Request) {
	var in institutionInput
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	var i passerelle.Institution
	in.apply(&i)
	if err := h.tenancy.CreateInstitution(r.Context(), server.User(r.Context()), &i); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/institutions/"+itoa(i.ID))
	server.WriteJSON(w, http.StatusCreated, &i)
}

func (h *Handler) getInstitution(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	i, err := h.tenancy.Institution(r.Context(), server.User(r.Context()), id)
	if err == nil && i.ArchivedAt != nil && r.URL.Query().Get("archived") != "true" {
		err = passerelle.ErrNotFound
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, i)
}

func (h *Handler) updateInstitution(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var in institutionInput
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	i, err := h.tenancy.UpdateInstitution(r.Context(), server.User(r.Context()), id, func(i *passerelle.Institution) error {
		if i.ArchivedAt != nil {
			return passerelle.ErrNotFound
		}
		in.apply(i)
		return nil
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, i)
}

// archiveInstitution answers DELETE: the institution is archived (hidden, kept with
// its history) and can be restored.
func (h *Handler) archiveInstitution(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	i, err := h.tenancy.Institution(r.Context(), u, id)
	if err == nil && i.ArchivedAt != nil {
		err = passerelle.ErrNotFound
	}
	if err == nil {
		_, err = h.tenancy.ArchiveInstitution(r.Context(), u, id, true)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (h *Handler) restoreInstitution(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	i, err := h.tenancy.ArchiveInstitution(r.Context(), server.User(r.Context()), id, false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, i)
}
