package web

import (
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// institutionQuietHours stores an institution's quiet hours, the Beijing-time window
// in which a publication is warned about (managers of the institution).
func (h *handler) institutionQuietHours(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	// Looked up through tenancy first: invisible institutions are not found.
	if _, err := h.Tenancy.Institution(r.Context(), u, id); err != nil {
		h.fail(w, r, err)
		return
	}
	back := "/institutions/" + strconv.FormatInt(id, 10) + "#quiet-hours"
	if err := u.Allow(id, passerelle.PermManage); err != nil {
		h.fail(w, r, err)
		return
	}
	start, err1 := passerelle.ParseClock(r.PostForm.Get("quiet_start"))
	end, err2 := passerelle.ParseClock(r.PostForm.Get("quiet_end"))
	if err1 != nil || err2 != nil {
		h.redirectError(w, r, back, passerelle.Errorf(passerelle.EINVALID, "Give a time of day such as 23:00."))
		return
	}
	q := passerelle.QuietHours{Start: start, End: end}
	if r.PostForm.Get("quiet_on") != "on" {
		q.End = q.Start // no window
	} else if q.Off() {
		h.redirectError(w, r, back, passerelle.Errorf(passerelle.EINVALID, "The quiet hours start and end at the same time; untick the warning to turn it off."))
		return
	}
	if err := h.Editorial.SetQuietHours(r.Context(), u, id, q); err != nil {
		h.redirectError(w, r, back, err)
		return
	}
	h.redirect(w, r, back, "flash.quiet_hours_saved")
}
