package web

import (
	"net/http"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

type tokenListPage struct {
	Tokens []*tokenRow
	Form   *form
	// Secret is the token just created, shown this once.
	Secret string
	Today  string
}

type tokenRow struct {
	*passerelle.APIToken
	Expired bool
}

func (h *handler) renderTokens(w http.ResponseWriter, r *http.Request, f *form, secret string, status int) {
	u := server.User(r.Context())
	tokens, err := h.DB.APITokens(r.Context(), u.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := h.Now()
	p := &tokenListPage{Form: f, Secret: secret, Today: now.In(loadZone("")).Format(time.DateOnly)}
	for _, t := range tokens {
		p.Tokens = append(p.Tokens, &tokenRow{APIToken: t, Expired: t.ExpiresAt != nil && !t.ExpiresAt.After(now)})
	}
	if secret != "" {
		// The page carries a secret: make sure nothing keeps it.
		w.Header().Set("Pragma", "no-cache")
	}
	h.render(w, r, view{name: "token_list", title: "tokens.title", nav: "tokens", status: status}, p)
}

func (h *handler) tokenList(w http.ResponseWriter, r *http.Request) {
	h.renderTokens(w, r, &form{Errors: map[string]string{}}, "", http.StatusOK)
}

// tokenCreate answers the page itself rather than redirecting: the secret exists only
// in this response and is never stored in a cookie or a URL.
func (h *handler) tokenCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm(r)
	expires, err := parseExpiry(f.Get("expires"))
	var secret string
	if err == nil {
		secret, _, err = h.Auth.CreateToken(r.Context(), server.User(r.Context()).ID, f.Get("name"), expires)
	}
	if err != nil {
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		if msg, ok := f.Errors["expires_at"]; ok {
			f.Errors["expires"] = msg
		}
		h.renderTokens(w, r, f, "", server.Status(err))
		return
	}
	h.renderTokens(w, r, &form{Errors: map[string]string{}}, secret, http.StatusCreated)
}

// parseExpiry reads a date (YYYY-MM-DD): the token works until the end of that day in
// the default time zone. Blank means no expiry.
func parseExpiry(s string) (*time.Time, error) {
	if s == "" {
		return nil, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, s, loadZone(""))
	if err != nil {
		return nil, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"expires": "Use a date such as 2027-01-31."}}
	}
	end := d.AddDate(0, 0, 1).UTC()
	return &end, nil
}

func (h *handler) tokenRevoke(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.Auth.RevokeToken(r.Context(), server.User(r.Context()).ID, id); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/tokens", "flash.token_revoked")
}
