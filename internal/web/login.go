package web

import (
	"net/http"

	"github.com/passerelle-oss/passerelle"

	"github.com/passerelle-oss/passerelle/internal/server"
)

// DemoEmail and DemoPassword are the demo owner's credentials, shown on the sign-in
// page of a demo server (the demo seeder creates this user).
const (
	DemoEmail    = "demo@passerelle.example"
	DemoPassword = "passerelle-demo"
)

type loginPage struct {
	Form         *form
	Next         string
	DemoEmail    string
	DemoPassword string
	NoUserYet    bool
}

func (h *handler) loginView(status int) view {
	return view{name: "login", title: "login.title", status: status}
}

func (h *handler) newLoginPage(r *http.Request, f *form, next string) *loginPage {
	p := &loginPage{Form: f, Next: localPath(next)}
	if h.Demo {
		p.DemoEmail, p.DemoPassword = DemoEmail, DemoPassword
	}
	if n, err := h.DB.CountUsers(r.Context()); err == nil && n == 0 {
		p.NoUserYet = true
	}
	return p
}

func (h *handler) loginForm(w http.ResponseWriter, r *http.Request) {
	next := r.URL.Query().Get("next")
	if server.Session(r.Context()) != nil {
		http.Redirect(w, r, localPath(next), http.StatusSeeOther)
		return
	}
	h.render(w, r, h.loginView(http.StatusOK), h.newLoginPage(r, &form{Errors: map[string]string{}}, next))
}

func (h *handler) login(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm(r)
	cookie, sess, _, err := h.Auth.Login(r.Context(), f.Get("email"), f.Get("password"), h.srv.ClientIP(r), r.UserAgent())
	if err != nil {
		switch passerelle.ErrorCode(err) {
		case passerelle.ERATELIMITED:
			w.Header().Set("Retry-After", "900")
		case passerelle.EUNAVAILABLE:
			// The password checks are all taken (a flood): come back in a moment.
			w.Header().Set("Retry-After", "2")
			f.Message = server.Message(err)
			f.Values.Del("password")
			h.render(w, r, h.loginView(http.StatusServiceUnavailable), h.newLoginPage(r, f, f.Get("next")))
			return
		}
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		f.Values.Del("password")
		h.render(w, r, h.loginView(server.Status(err)), h.newLoginPage(r, f, f.Get("next")))
		return
	}
	h.srv.SetSessionCookie(w, r, cookie, sess.ExpiresAt)
	http.Redirect(w, r, localPath(f.Get("next")), http.StatusSeeOther)
}

func (h *handler) logout(w http.ResponseWriter, r *http.Request) {
	if err := h.DB.DeleteSession(r.Context(), server.Session(r.Context()).Hash); err != nil {
		h.fail(w, r, err)
		return
	}
	h.srv.ClearSessionCookie(w, r)
	h.redirect(w, r, "/login", "flash.signed_out")
}
