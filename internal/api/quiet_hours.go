package api

import (
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// quietHoursJSON is an institution's quiet hours as the API reads and writes them:
// Beijing times of day, "23:00"; equal start and end mean none.
type quietHoursJSON struct {
	InstitutionID int64  `json:"institution_id"`
	Start         string `json:"start"`
	End           string `json:"end"`
	TimeZone      string `json:"time_zone"`
}

func quietJSON(id int64, q passerelle.QuietHours) quietHoursJSON {
	return quietHoursJSON{InstitutionID: id, Start: q.StartClock(), End: q.EndClock(), TimeZone: passerelle.BeijingZone}
}

func (e *Editorial) getQuietHours(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	q, err := e.svc.QuietHours(r.Context(), server.User(r.Context()), id)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, quietJSON(id, q))
}

func (e *Editorial) putQuietHours(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	var in struct {
		Start *string `json:"start"`
		End   *string `json:"end"`
	}
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	fields := map[string]string{}
	var q passerelle.QuietHours
	for _, f := range []struct {
		name string
		v    *string
		dst  *int
	}{{"start", in.Start, &q.Start}, {"end", in.End, &q.End}} {
		if f.v == nil {
			fields[f.name] = "Required."
			continue
		}
		m, err := passerelle.ParseClock(*f.v)
		if err != nil {
			fields[f.name] = "Give a time of day such as 23:00."
			continue
		}
		*f.dst = m
	}
	if len(fields) > 0 {
		e.fail(w, r, paramErr(fields))
		return
	}
	if err := e.svc.SetQuietHours(r.Context(), server.User(r.Context()), id, q); err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, quietJSON(id, q))
}

// importSchedule reads a schedule CSV (the body) for an institution: with dry_run=1
// it only answers what would be created; otherwise it creates every row's draft, or
// none. A row's problems answer 422, by line ("line 3").
func (e *Editorial) importSchedule(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	dry := r.URL.Query().Get("dry_run")
	res, err := e.svc.ImportSchedule(r.Context(), server.User(r.Context()), id, data, dry == "1" || dry == "true")
	if err != nil {
		e.fail(w, r, err)
		return
	}
	if res.Errors > 0 {
		fields := map[string]string{}
		for _, it := range res.Items {
			if len(it.Errors) > 0 {
				fields["line "+strconv.Itoa(it.Line)] = strings.Join(it.Errors, " ")
			}
		}
		e.fail(w, r, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some rows are invalid; nothing was created.", Fields: fields})
		return
	}
	server.WriteJSON(w, http.StatusOK, res)
}
