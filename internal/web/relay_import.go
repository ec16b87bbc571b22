package web

import (
	"encoding/base64"
	"io"
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// Relay figures import: on a campaign, upload the partners' figures (CSV or XLSX), see
// every row matched to its relay or what is wrong with it, then import them all, or
// none. The preview sends the file back (base64, as an XLSX is not text) with the
// "Import" button, so nothing is kept between the two requests.

type relayImportPage struct {
	Campaign *passerelle.Campaign
	Result   *partners.RelayImport
	// File is the uploaded file in base64, sent back with the "Import" button.
	File  string
	Error string
}

func (h *handler) registerRelayImport(s *server.Server, in server.Access) {
	s.HandleFunc("POST /campaigns/{id}/relay-figures", in, h.relayImport, server.BodyLimit(partners.MaxRelayImportBytes*2+64<<10))
}

// relayImport previews an uploaded file (action=preview) or imports it (action=import,
// with the file sent back by the preview).
func (h *handler) relayImport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	c, err := h.Partners.Campaign(r.Context(), u, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := u.Allow(c.InstitutionID, passerelle.PermSchedule); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseUploadForm(r, partners.MaxRelayImportBytes*2); err != nil {
		h.fail(w, r, err)
		return
	}
	p := &relayImportPage{Campaign: c}
	commit := r.PostForm.Get("action") == "import"
	var data []byte
	if commit {
		data, _ = base64.StdEncoding.DecodeString(r.PostForm.Get("file64"))
	} else if f, _, err := r.FormFile("file"); err == nil {
		data, err = io.ReadAll(io.LimitReader(f, partners.MaxRelayImportBytes+1))
		f.Close()
		if err != nil {
			h.fail(w, r, err)
			return
		}
	}
	v := view{name: "relay_import", title: "relayimport.title", nav: "partners", status: http.StatusUnprocessableEntity}
	if len(data) == 0 {
		p.Error = "Choose a CSV or XLSX file of the relays' figures."
		h.render(w, r, v, p)
		return
	}
	res, err := h.Partners.ImportRelayFigures(r.Context(), u, id, data, !commit)
	if err != nil && (res == nil || passerelle.ErrorCode(err) != passerelle.EINVALID) {
		if passerelle.ErrorCode(err) != passerelle.EINVALID {
			h.fail(w, r, err)
			return
		}
		p.Error = passerelle.ErrorMessage(err)
		h.render(w, r, v, p)
		return
	}
	if commit && err == nil {
		h.setFlash(w, r, "k", "relayimport.flash")
		http.Redirect(w, r, "/campaigns/"+strconv.FormatInt(id, 10)+"#relays", http.StatusSeeOther)
		return
	}
	l := h.localizer(r)
	for i := range res.Rows {
		if res.Rows[i].Error != "" {
			res.Rows[i].Error = rowReason(l, res.Rows[i].Error)
		}
	}
	p.Result, p.File = res, base64.StdEncoding.EncodeToString(data)
	if res.Errors == 0 {
		v.status = http.StatusOK
	}
	h.render(w, r, v, p)
}
