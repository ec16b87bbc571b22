package api

import (
	"net/http"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

func (h *Handler) listUsers(w http.ResponseWriter, r *http.Request) {
	users, err := h.tenancy.Users(r.Context(), server.User(r.Context()))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, paged(users, len(users)+1, func(u *passerelle.User) int64 { return u.ID }))
}

type userInput struct {
	Email       string                  `json:"email"`
	Name        string                  `json:"name"`
	Password    string                  `json:"password"`
	Owner       bool                    `json:"owner"`
	Locale      string                  `json:"locale"`
	Memberships []passerelle.Membership `json:"memberships"`
}

func (h *Handler) createUser(w http.ResponseWriter, r *http.Request) {
	me := server.User(r.Context())
	if !me.Owner {
		h.fail(w, r, passerelle.Errorf(passerelle.EFORBIDDEN, "Only owners manage users."))
		return
	}
	var in userInput
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	u := &passerelle.User{OrgID: me.OrgID, Email: in.Email, Name: in.Name, Owner: in.Owner, Locale: in.Locale, Memberships: in.Memberships}
	if u.Memberships == nil {
		u.Memberships = []passerelle.Membership{}
	}
	if err := h.auth.CreateUser(r.Context(), u, in.Password); err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, u)
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.tenancy.User(r.Context(), server.User(r.Context()), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, u)
}

type userPatch struct {
	Name        *string                  `json:"name"`
	Owner       *bool                    `json:"owner"`
	Disabled    *bool                    `json:"disabled"`
	Memberships *[]passerelle.Membership `json:"memberships"`
}

func (h *Handler) updateUser(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	var in userPatch
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	u, err := h.tenancy.UpdateUser(r.Context(), server.User(r.Context()), id, tenancy.UserChange{Name: in.Name, Owner: in.Owner, Disabled: in.Disabled, Memberships: in.Memberships})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, u)
}

func (h *Handler) listTokens(w http.ResponseWriter, r *http.Request) {
	tokens, err := h.auth.DB.APITokens(r.Context(), server.User(r.Context()).ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, paged(tokens, len(tokens)+1, func(t *passerelle.APIToken) int64 { return t.ID }))
}

type tokenInput struct {
	Name      string  `json:"name"`
	ExpiresAt *string `json:"expires_at"`
}

// createdToken carries the secret, shown this once.
type createdToken struct {
	*passerelle.APIToken
	Token string `json:"token"`
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) {
	var in tokenInput
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	var expires *time.Time
	if in.ExpiresAt != nil && *in.ExpiresAt != "" {
		t, err := time.Parse(time.RFC3339, *in.ExpiresAt)
		if err != nil {
			h.fail(w, r, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"expires_at": "Use an RFC 3339 date-time, such as 2027-01-31T00:00:00Z."}})
			return
		}
		expires = &t
	}
	secret, t, err := h.auth.CreateToken(r.Context(), server.User(r.Context()).ID, in.Name, expires)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, createdToken{APIToken: t, Token: secret})
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.auth.RevokeToken(r.Context(), server.User(r.Context()).ID, id); err != nil {
		h.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
