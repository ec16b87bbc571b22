package web

import (
	"net/http"
	"net/url"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/auth"
)

// The first owner is created from the one-time link that `serve` prints when the
// database has no user.

type setupPage struct {
	Token string
	Form  *form
}

var errSetupLink = passerelle.Errorf(passerelle.EFORBIDDEN, "This setup link is no longer valid.")

func (h *handler) setupForm(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("token")
	ok, orgName, err := h.DB.SetupTokenValid(r.Context(), auth.Hash(token))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if token == "" || !ok {
		h.fail(w, r, errSetupLink)
		return
	}
	// The link of an organization made with `passerelle org create` shows its name.
	f := &form{Values: url.Values{}, Errors: map[string]string{}}
	if orgName != "" {
		f.Values.Set("organization", orgName)
	}
	h.render(w, r, view{name: "setup", title: "setup.title"}, &setupPage{Token: token, Form: f})
}

func (h *handler) setup(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm(r)
	token := f.Get("token")
	u := &passerelle.User{Email: passerelle.NormalizeEmail(f.Get("email")), Name: f.Get("name")}
	err := passwordsMatch(f.Get("password"), f.Get("password_confirm"))
	if err == nil {
		err = h.Auth.CompleteSetup(r.Context(), token, f.Get("organization"), u, f.Get("password"))
	}
	if err != nil {
		if passerelle.ErrorCode(err) == passerelle.EFORBIDDEN || !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		f.Values.Del("password")
		f.Values.Del("password_confirm")
		h.render(w, r, view{name: "setup", title: "setup.title", status: http.StatusUnprocessableEntity}, &setupPage{Token: token, Form: f})
		return
	}
	cookie, sess, err := h.Auth.OpenSession(r.Context(), u.ID, h.srv.ClientIP(r), r.UserAgent())
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.srv.SetSessionCookie(w, r, cookie, sess.ExpiresAt)
	h.redirect(w, r, "/", "flash.setup_done")
}

// passwordsMatch checks the confirmation field of a new password.
func passwordsMatch(pw, confirm string) error {
	if pw != confirm {
		return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"password_confirm": "The two passwords differ."}}
	}
	return nil
}
