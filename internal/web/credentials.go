package web

import (
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// Credentials are write-only from the browser: the page shows masked hints of what
// is stored, and a blank field keeps the stored value.

type credentialsPage struct {
	Institution *passerelle.Institution
	Display     string
	Account     *passerelle.Account
	Names       []string
	Hints       map[string]string
	Form        *form
}

// credentialTarget loads an account that can hold credentials; others are not found.
func (h *handler) credentialTarget(r *http.Request) (*passerelle.Account, *passerelle.Institution, map[string]string, error) {
	u := server.User(r.Context())
	a, i, err := h.accountAndInstitution(r, u)
	if err != nil {
		return nil, nil, nil, err
	}
	if a.Kind != passerelle.AccountManaged || len(passerelle.CredentialNames[a.Platform]) == 0 {
		return nil, nil, nil, passerelle.ErrNotFound
	}
	hints, err := h.Tenancy.CredentialHints(r.Context(), u, a.ID)
	if err != nil {
		return nil, nil, nil, err
	}
	return a, i, hints, nil
}

func (h *handler) renderCredentials(w http.ResponseWriter, r *http.Request, a *passerelle.Account, i *passerelle.Institution, hints map[string]string, f *form, status int) {
	h.render(w, r, view{name: "credentials_form", title: "credentials.title", nav: "institutions", status: status},
		&credentialsPage{Institution: i, Display: instName(i, h.localizer(r).Lang), Account: a, Names: passerelle.CredentialNames[a.Platform], Hints: hints, Form: f})
}

func (h *handler) credentialsForm(w http.ResponseWriter, r *http.Request) {
	a, i, hints, err := h.credentialTarget(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderCredentials(w, r, a, i, hints, &form{Errors: map[string]string{}}, http.StatusOK)
}

func (h *handler) credentialsSave(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	a, i, hints, err := h.credentialTarget(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	values := map[string]string{}
	for _, name := range passerelle.CredentialNames[a.Platform] {
		values[name] = r.PostForm.Get(name)
	}
	if err := h.Tenancy.SetCredentials(r.Context(), server.User(r.Context()), a.ID, values); err != nil {
		// Secrets are never echoed back into the page, even on error.
		f := &form{Errors: map[string]string{}}
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		h.renderCredentials(w, r, a, i, hints, f, server.Status(err))
		return
	}
	h.redirect(w, r, "/institutions/"+strconv.FormatInt(i.ID, 10), "flash.credentials_saved")
}
