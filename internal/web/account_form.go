package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

type accountFormPage struct {
	Institution *passerelle.Institution
	Display     string
	Account     *passerelle.Account // nil when creating
	Form        *form
	Platforms   []passerelle.Platform
}

func (h *handler) renderAccountForm(w http.ResponseWriter, r *http.Request, i *passerelle.Institution, a *passerelle.Account, f *form, status int) {
	title := "account.new"
	if a != nil {
		title = "account.edit"
	}
	h.render(w, r, view{name: "account_form", title: title, nav: "institutions", status: status},
		&accountFormPage{Institution: i, Display: instName(i, h.localizer(r).Lang), Account: a, Form: f, Platforms: passerelle.Platforms})
}

func accountValues(a *passerelle.Account) map[string][]string {
	v := map[string][]string{"platform": {string(a.Platform)}, "kind": {a.Kind}, "handle": {a.Handle}, "display_name": {a.DisplayName}, "profile_url": {a.ProfileURL}}
	if a.WeChatType != "" {
		v["wechat_type"] = []string{a.WeChatType}
	}
	if a.Followers != nil {
		v["followers"] = []string{strconv.FormatInt(*a.Followers, 10)}
	}
	return v
}

// applyAccount copies the form into a. The follower count accepts the digit grouping
// people type ("12 345", "12,345"); blank means unknown.
func applyAccount(f *form, a *passerelle.Account) error {
	a.Kind, a.Handle, a.DisplayName, a.ProfileURL = f.Get("kind"), f.Get("handle"), f.Get("display_name"), f.Get("profile_url")
	followers, err := parseCount(f.Get("followers"))
	if err != nil {
		return err
	}
	a.Followers = followers
	// The type is a WeChat account's only (Normalize clears it on other platforms); a
	// form without the field keeps the stored one.
	if _, ok := f.Values["wechat_type"]; ok {
		a.WeChatType = f.Get("wechat_type")
	}
	a.Normalize()
	return nil
}

func parseCount(s string) (*int64, error) {
	s = strings.Map(func(r rune) rune {
		switch r {
		case ' ', ',', '.', '\u00a0', '\u202f', '\'':
			return -1
		}
		return r
	}, s)
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return nil, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"followers": "Enter a whole number."}}
	}
	return &n, nil
}

func (h *handler) accountNew(w http.ResponseWriter, r *http.Request) {
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
	f := &form{Values: map[string][]string{"platform": {string(passerelle.Weibo)}, "kind": {passerelle.AccountManaged}}, Errors: map[string]string{}}
	h.renderAccountForm(w, r, i, nil, f, http.StatusOK)
}

func (h *handler) accountCreate(w http.ResponseWriter, r *http.Request) {
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
	i, err := h.Tenancy.Institution(r.Context(), u, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm(r)
	a := &passerelle.Account{InstitutionID: id, Platform: passerelle.Platform(f.Get("platform"))}
	err = applyAccount(f, a)
	if err == nil {
		err = h.Tenancy.CreateAccount(r.Context(), u, a)
	}
	if err != nil {
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		h.renderAccountForm(w, r, i, nil, f, server.Status(err))
		return
	}
	h.redirect(w, r, "/institutions/"+strconv.FormatInt(id, 10), "flash.account_created")
}

func (h *handler) accountEdit(w http.ResponseWriter, r *http.Request) {
	u := server.User(r.Context())
	a, i, err := h.accountAndInstitution(r, u)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderAccountForm(w, r, i, a, &form{Values: accountValues(a), Errors: map[string]string{}}, http.StatusOK)
}

// accountAndInstitution loads the {id} account and its institution through tenancy.
func (h *handler) accountAndInstitution(r *http.Request, u *passerelle.User) (*passerelle.Account, *passerelle.Institution, error) {
	id, err := pathID(r)
	if err != nil {
		return nil, nil, err
	}
	a, err := h.Tenancy.Account(r.Context(), u, id)
	if err != nil {
		return nil, nil, err
	}
	i, err := h.Tenancy.Institution(r.Context(), u, a.InstitutionID)
	if err != nil {
		return nil, nil, err
	}
	return a, i, nil
}

func (h *handler) accountUpdate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	a, i, err := h.accountAndInstitution(r, u)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm(r)
	f.Values.Set("platform", string(a.Platform)) // fixed once created
	_, err = h.Tenancy.UpdateAccount(r.Context(), u, a.ID, func(a *passerelle.Account) error { return applyAccount(f, a) })
	if err != nil {
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		h.renderAccountForm(w, r, i, a, f, server.Status(err))
		return
	}
	h.redirect(w, r, "/institutions/"+strconv.FormatInt(i.ID, 10), "flash.account_saved")
}
