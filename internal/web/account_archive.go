package web

import (
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle/internal/server"
)

func (h *handler) accountArchive(w http.ResponseWriter, r *http.Request) {
	h.archiveAccount(w, r, true)
}

func (h *handler) accountRestore(w http.ResponseWriter, r *http.Request) {
	h.archiveAccount(w, r, false)
}

func (h *handler) archiveAccount(w http.ResponseWriter, r *http.Request, archive bool) {
	u := server.User(r.Context())
	a, _, err := h.accountAndInstitution(r, u)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	back := "/institutions/" + strconv.FormatInt(a.InstitutionID, 10)
	if archive {
		back += "?archived=1"
	}
	if _, err := h.Tenancy.ArchiveAccount(r.Context(), u, a.ID, archive); err != nil {
		h.redirectError(w, r, back, err)
		return
	}
	key := "flash.account_restored"
	if archive {
		key = "flash.account_archived"
	}
	h.redirect(w, r, back, key)
}
