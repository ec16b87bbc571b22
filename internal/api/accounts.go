package api

import (
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

type accountInput struct {
	Platform    *string `json:"platform"`
	Kind        *string `json:"kind"`
	Handle      *string `json:"handle"`
	DisplayName *string `json:"display_name"`
	ProfileURL  *string `json:"profile_url"`
	Followers   *int64  `json:"followers"`
	WeChatType  *string `json:"wechat_type"`
}

func (in *accountInput) apply(a *passerelle.Account) {
	if in.Platform != nil {
		a.Platform = passerelle.Platform(*in.Platform)
	}
	for _, f := range []struct {
		src *string
		dst *string
	}{{in.Kind, &a.Kind}, {in.Handle, &a.Handle}, {in.DisplayName, &a.DisplayName}, {in.ProfileURL, &a.ProfileURL}, {in.WeChatType, &a.WeChatType}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if in.Followers != nil {
		n := *in.Followers
		a.Followers = &n
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func tenancyPage(p tenancy.Page) tenancy.Page {
	p.Limit++ // one more tells whether there is a next page
	return p
}

func (h *Handler) listAccounts(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := page(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	items, err := h.tenancy.Accounts(r.Context(), server.User(r.Context()), id, r.URL.Query().Get("archived") == "true", tenancyPage(p))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, paged(items, p.Limit, func(a *passerelle.Account) int64 { return a.ID }))
}

func (h *Handler) createAccount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	// An unknown or archived institution answers 404 before the body is judged, as it
	// does to GET.
	i, err := h.tenancy.Institution(r.Context(), u, id)
	if err == nil && i.ArchivedAt != nil {
		err = passerelle.ErrNotFound
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var in accountInput
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	a := passerelle.Account{InstitutionID: id}
	in.apply(&a)
	if err := h.tenancy.CreateAccount(r.Context(), u, &a); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/accounts/"+itoa(a.ID))
	server.WriteJSON(w, http.StatusCreated, &a)
}

func (h *Handler) getAccount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	a, err := h.tenancy.Account(r.Context(), server.User(r.Context()), id)
	if err == nil && a.ArchivedAt != nil && r.URL.Query().Get("archived") != "true" {
		err = passerelle.ErrNotFound
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, a)
}

func (h *Handler) updateAccount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	if _, err := h.tenancy.Account(r.Context(), u, id); err != nil {
		h.fail(w, r, err)
		return
	}
	var in accountInput
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	a, err := h.tenancy.UpdateAccount(r.Context(), u, id, func(a *passerelle.Account) error {
		if a.ArchivedAt != nil {
			return passerelle.ErrNotFound
		}
		in.apply(a)
		return nil
	})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, a)
}

func (h *Handler) archiveAccount(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	a, err := h.tenancy.Account(r.Context(), u, id)
	if err == nil && a.ArchivedAt != nil {
		err = passerelle.ErrNotFound
	}
	if err == nil {
		_, err = h.tenancy.ArchiveAccount(r.Context(), u, id, true)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// credentialsInput lists every credential field of every platform; the store refuses
// those that do not belong to the account's platform.
type credentialsInput struct {
	AppKey         *string `json:"app_key"`
	AppSecret      *string `json:"app_secret"`
	AccessToken    *string `json:"access_token"`
	AppID          *string `json:"appid"`
	Token          *string `json:"token"`
	EncodingAESKey *string `json:"encoding_aes_key"`
}

func (in *credentialsInput) values() map[string]string {
	out := map[string]string{}
	for name, p := range map[string]*string{"app_key": in.AppKey, "app_secret": in.AppSecret, "access_token": in.AccessToken, "appid": in.AppID, "token": in.Token, "encoding_aes_key": in.EncodingAESKey} {
		if p != nil {
			out[name] = *p
		}
	}
	return out
}

// putCredentials seals the account's credentials; they never come back.
func (h *Handler) putCredentials(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	if _, err := h.tenancy.Account(r.Context(), u, id); err != nil {
		h.fail(w, r, err)
		return
	}
	var in credentialsInput
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.tenancy.SetCredentials(r.Context(), u, id, in.values()); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// getCredentials says which credentials are set, masking secrets.
func (h *Handler) getCredentials(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hints, err := h.tenancy.CredentialHints(r.Context(), server.User(r.Context()), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"credentials": hints})
}
