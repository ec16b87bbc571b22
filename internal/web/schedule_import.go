package web

import (
	"errors"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// Schedule import: upload a CSV of planned publications, see every row as it will be
// created (the institution's time and Beijing's, the account) or what is wrong with
// it, then create them all as drafts, or none.

type scheduleImportPage struct {
	Institution *passerelle.Institution
	Display     string
	City        string
	Result      *editorial.ScheduleImport
	// CSV is the uploaded file as text, sent back with the "Create" button.
	CSV   string
	Error string
}

func (h *handler) registerScheduleImport(s *server.Server, in server.Access) {
	s.HandleFunc("GET /institutions/{id}/schedule-import", in, h.scheduleImportForm)
	s.HandleFunc("POST /institutions/{id}/schedule-import", in, h.scheduleImport, server.BodyLimit(editorial.MaxScheduleImportBytes*2+64<<10))
}

func (h *handler) scheduleImportPage(w http.ResponseWriter, r *http.Request) (*scheduleImportPage, bool) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	u := server.User(r.Context())
	i, err := h.Tenancy.Institution(r.Context(), u, id)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	for _, p := range []passerelle.Permission{passerelle.PermWrite, passerelle.PermSchedule} {
		if err := u.Allow(id, p); err != nil {
			h.fail(w, r, err)
			return nil, false
		}
	}
	return &scheduleImportPage{Institution: i, Display: instName(i, h.localizer(r).Lang), City: zoneCity(i.TimeZone)}, true
}

func (h *handler) scheduleImportForm(w http.ResponseWriter, r *http.Request) {
	p, ok := h.scheduleImportPage(w, r)
	if !ok {
		return
	}
	h.render(w, r, view{name: "schedule_import", title: "calendar10.import_title", nav: "calendar"}, p)
}

// scheduleImport previews an uploaded file (action=preview) or creates its posts
// (action=create, with the file's text sent back by the preview).
func (h *handler) scheduleImport(w http.ResponseWriter, r *http.Request) {
	p, ok := h.scheduleImportPage(w, r)
	if !ok {
		return
	}
	u := server.User(r.Context())
	var data []byte
	if err := parseUploadForm(r, editorial.MaxScheduleImportBytes*2); err != nil {
		h.fail(w, r, err)
		return
	}
	create := r.PostForm.Get("action") == "create"
	if create {
		data = []byte(r.PostForm.Get("csv"))
	} else if f, _, err := r.FormFile("file"); err == nil {
		data, err = io.ReadAll(io.LimitReader(f, editorial.MaxScheduleImportBytes+1))
		f.Close()
		if err != nil {
			h.fail(w, r, err)
			return
		}
	}
	if len(data) == 0 {
		p.Error = "Choose a CSV file."
		h.render(w, r, view{name: "schedule_import", title: "calendar10.import_title", nav: "calendar", status: http.StatusUnprocessableEntity}, p)
		return
	}
	res, err := h.Editorial.ImportSchedule(r.Context(), u, p.Institution.ID, data, !create)
	if err != nil {
		if code := passerelle.ErrorCode(err); code != passerelle.EINVALID && code != passerelle.ECONFLICT {
			h.fail(w, r, err)
			return
		}
		p.Error = passerelle.ErrorMessage(err)
		h.render(w, r, view{name: "schedule_import", title: "calendar10.import_title", nav: "calendar", status: http.StatusUnprocessableEntity}, p)
		return
	}
	if res.Created {
		date := ""
		for _, it := range res.Items {
			if d, _, _ := strings.Cut(it.Local, " "); date == "" || d < date {
				date = d
			}
		}
		h.setFlash(w, r, "k", "flash.schedule_imported")
		http.Redirect(w, r, "/calendar?view=list&institution_id="+strconv.FormatInt(p.Institution.ID, 10)+"&date="+date, http.StatusSeeOther)
		return
	}
	p.Result = res
	if text, _, err := analytics.DecodeText(data); err == nil {
		p.CSV = text
	}
	v := view{name: "schedule_import", title: "calendar10.import_title", nav: "calendar"}
	if res.Errors > 0 {
		v.status = http.StatusUnprocessableEntity
	}
	h.render(w, r, v, p)
}

// parseUploadForm reads a form that may carry a file (multipart, up to max bytes in
// memory) or not: a body over the server's limit gives its own error, another unreadable
// one errBadForm.
func parseUploadForm(r *http.Request, max int64) error {
	if err := r.ParseMultipartForm(max); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		if mbe := (*http.MaxBytesError)(nil); errors.As(err, &mbe) {
			return err
		}
		return errBadForm
	}
	if r.PostForm == nil {
		return parseForm(r)
	}
	return nil
}
