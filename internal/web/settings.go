package web

import (
	"net/http"

	"github.com/passerelle-oss/passerelle/internal/server"
)

type settingsPage struct {
	Locales  []string
	Password *form
}

func (h *handler) renderSettings(w http.ResponseWriter, r *http.Request, f *form, status int) {
	h.render(w, r, view{name: "settings", title: "settings.title", nav: "settings", status: status},
		&settingsPage{Locales: []string{"fr", "en", "zh-Hans"}, Password: f})
}

func (h *handler) settings(w http.ResponseWriter, r *http.Request) {
	h.renderSettings(w, r, &form{Errors: map[string]string{}}, http.StatusOK)
}

// passwordChange keeps this browser signed in and ends every other session.
func (h *handler) passwordChange(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm(r)
	err := passwordsMatch(f.Get("password"), f.Get("password_confirm"))
	if err == nil {
		err = h.Auth.ChangePassword(r.Context(), server.User(r.Context()), f.Get("current_password"), f.Get("password"), server.Session(r.Context()).Hash)
	}
	f.Values = nil // passwords are never sent back
	if err != nil {
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		h.renderSettings(w, r, f, server.Status(err))
		return
	}
	h.redirect(w, r, "/settings", "flash.password_changed")
}

func (h *handler) signOutEverywhere(w http.ResponseWriter, r *http.Request) {
	if err := h.DB.DeleteUserSessions(r.Context(), server.User(r.Context()).ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.srv.ClearSessionCookie(w, r)
	h.redirect(w, r, "/login", "flash.signed_out_everywhere")
}
