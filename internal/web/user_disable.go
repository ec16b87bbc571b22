package web

import (
	"net/http"

	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// Disabling a user ends their sessions in the same transaction (store.UpdateUser), so
// they are signed out at once.

func (h *handler) userDisable(w http.ResponseWriter, r *http.Request) { h.setDisabled(w, r, true) }

func (h *handler) userEnable(w http.ResponseWriter, r *http.Request) { h.setDisabled(w, r, false) }

func (h *handler) setDisabled(w http.ResponseWriter, r *http.Request, disabled bool) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err := h.Tenancy.UpdateUser(r.Context(), server.User(r.Context()), id, tenancy.UserChange{Disabled: &disabled}); err != nil {
		h.redirectError(w, r, "/users", err)
		return
	}
	key := "flash.user_enabled"
	if disabled {
		key = "flash.user_disabled"
	}
	h.redirect(w, r, "/users", key)
}
