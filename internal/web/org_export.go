package web

import (
	"archive/zip"
	"net/http"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/orgexport"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// orgExport downloads the organization's export as a zip; owners only.
func (h *handler) orgExport(w http.ResponseWriter, r *http.Request) {
	u := server.User(r.Context())
	if !u.Owner {
		h.fail(w, r, passerelle.Errorf(passerelle.EFORBIDDEN, "Only owners export the organization."))
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="passerelle-export-`+time.Now().UTC().Format("20060102")+`.zip"`)
	zw := zip.NewWriter(w)
	if _, err := orgexport.Export(r.Context(), h.DB, h.Editorial.MediaStore(), u.OrgID, "", orgexport.Zip{W: zw}); err != nil {
		// Headers are gone: the truncated zip fails to open, and the error is logged.
		h.srv.LogError(r, err)
		return
	}
	if err := zw.Close(); err != nil {
		h.srv.LogError(r, err)
		return
	}
	h.DB.Audit(r.Context(), store.AuditEntry{OrgID: u.OrgID, ActorID: u.ID, Actor: u.Email, Action: store.AuditOrgExport, Object: "organization", ObjectID: store.ID(u.OrgID)})
}
