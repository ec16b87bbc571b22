package web

import (
	"net/http"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// setLanguage switches the UI language. Someone signed in keeps the choice on their
// user (every browser follows); anyone else keeps it in a cookie. "" means: follow the
// browser's Accept-Language again.
func (h *handler) setLanguage(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	lang := r.PostForm.Get("lang")
	if !passerelle.ValidLocale(lang) {
		h.fail(w, r, &passerelle.Error{Code: passerelle.EINVALID, Message: "Choose fr, en or zh-Hans."})
		return
	}
	if u := server.User(r.Context()); u != nil && server.Session(r.Context()) != nil {
		if err := h.Tenancy.SetLocale(r.Context(), u, lang); err != nil {
			h.fail(w, r, err)
			return
		}
	}
	c := &http.Cookie{Name: langCookie, Value: lang, Path: "/", MaxAge: 365 * 24 * 3600, HttpOnly: true, Secure: h.srv.IsSecure(r), SameSite: http.SameSiteLaxMode}
	if lang == "" {
		c.MaxAge = -1
	}
	http.SetCookie(w, c)
	http.Redirect(w, r, localPath(r.PostForm.Get("next")), http.StatusSeeOther)
}
