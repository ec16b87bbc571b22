package web

import (
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle/internal/server"
)

func (h *handler) institutionArchive(w http.ResponseWriter, r *http.Request) {
	h.archiveInstitution(w, r, true)
}

func (h *handler) institutionRestore(w http.ResponseWriter, r *http.Request) {
	h.archiveInstitution(w, r, false)
}

func (h *handler) archiveInstitution(w http.ResponseWriter, r *http.Request, archive bool) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	back := "/institutions/" + strconv.FormatInt(id, 10)
	if _, err := h.Tenancy.ArchiveInstitution(r.Context(), server.User(r.Context()), id, archive); err != nil {
		h.redirectError(w, r, back, err)
		return
	}
	key := "flash.institution_restored"
	if archive {
		key = "flash.institution_archived"
	}
	h.redirect(w, r, back, key)
}
