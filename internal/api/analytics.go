package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Analytics serves the audience figures: summaries, reports, a publication's
// readings, manual readings and imports.
type Analytics struct {
	srv *server.Server
	svc *analytics.Service
	// Labels returns the translation function of a language for reports.
	labels func(lang string) func(string) string
}

// RegisterAnalytics adds the analytics routes. labels may be nil (reports keep the
// message ids).
func RegisterAnalytics(srv *server.Server, svc *analytics.Service, labels func(lang string) func(string) string) *Analytics {
	a := &Analytics{srv: srv, svc: svc, labels: labels}
	srv.HandleFunc("GET /api/v1/analytics/institutions/{id}", server.API, a.institution)
	srv.HandleFunc("GET /api/v1/analytics/organization", server.API, a.organization)
	srv.HandleFunc("GET /api/v1/reports/institutions/{id}", server.API, a.institutionReport)
	srv.HandleFunc("GET /api/v1/reports/organization", server.API, a.organizationReport)
	srv.HandleFunc("GET "+analytics.ReportCSSPath, server.Public, a.reportCSS)
	srv.HandleFunc("GET /api/v1/publications/{id}/snapshots", server.API, a.snapshots)
	srv.HandleFunc("POST /api/v1/publications/{id}/snapshots", server.API, a.addSnapshot)
	srv.HandleFunc("POST /api/v1/accounts/{id}/metrics/import", server.API, a.importFile, server.BodyLimit(analytics.MaxImportBytes))
	return a
}

func (a *Analytics) fail(w http.ResponseWriter, r *http.Request, err error) { a.srv.Error(w, r, err) }

func period(r *http.Request) (analytics.Period, error) {
	q := r.URL.Query()
	p, err := analytics.ParsePeriod(q.Get("from"), q.Get("to"))
	if err != nil {
		return p, paramErr(passerelle.ErrorFields(err))
	}
	return p, nil
}

func (a *Analytics) institution(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := period(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	s, _, err := a.svc.InstitutionSummary(r.Context(), server.User(r.Context()), id, p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, s)
}

func (a *Analytics) organization(w http.ResponseWriter, r *http.Request) {
	p, err := period(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	s, err := a.svc.OrganizationSummary(r.Context(), server.User(r.Context()), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, s)
}

// reportOptions reads ?format= (xlsx, csv or html) and ?lang= (en, fr, zh-Hans; the
// user's language by default).
func (a *Analytics) reportOptions(r *http.Request) (format, lang string, err error) {
	q := r.URL.Query()
	format = q.Get("format")
	switch format {
	case "xlsx", "csv", "html":
	case "":
		format = "html"
	default:
		return "", "", paramErr(map[string]string{"format": "Choose xlsx, csv or html."})
	}
	lang = q.Get("lang")
	if lang == "" {
		if u := server.User(r.Context()); u != nil {
			lang = u.Locale
		}
	}
	switch lang {
	case "en", "fr", "zh-Hans":
	case "":
		lang = "en"
	default:
		return "", "", paramErr(map[string]string{"lang": "Choose en, fr or zh-Hans."})
	}
	return format, lang, nil
}

func (a *Analytics) institutionReport(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	p, err := period(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	format, lang, err := a.reportOptions(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	s, inst, err := a.svc.InstitutionSummary(r.Context(), server.User(r.Context()), id, p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeReport(w, r, &analytics.Report{Title: inst.Name, Summary: s, Lang: lang}, format, fmt.Sprintf("institution-%d", id))
}

func (a *Analytics) organizationReport(w http.ResponseWriter, r *http.Request) {
	p, err := period(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	format, lang, err := a.reportOptions(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	s, err := a.svc.OrganizationSummary(r.Context(), server.User(r.Context()), p)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	a.writeReport(w, r, &analytics.Report{Title: "Portfolio", Summary: s, Lang: lang}, format, "organization")
}

// WriteReport writes a report in a format with its content type.
func WriteReport(w http.ResponseWriter, rep *analytics.Report, format, name string) error {
	var buf bytes.Buffer
	ctype, err := rep.Render(&buf, format)
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Type", ctype)
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	if format != "html" {
		h.Set("Content-Disposition", `attachment; filename="`+rep.Filename(name, format)+`"`)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

func (a *Analytics) writeReport(w http.ResponseWriter, r *http.Request, rep *analytics.Report, format, name string) {
	if a.labels != nil {
		rep.T = a.labels(rep.Lang)
	}
	if err := WriteReport(w, rep, format, name); err != nil {
		a.fail(w, r, err)
	}
}

func (a *Analytics) reportCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=3600")
	w.Write(analytics.ReportCSS)
}

func (a *Analytics) snapshots(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	snaps, err := a.svc.Snapshots(r.Context(), server.User(r.Context()), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"items": snaps})
}

// snapshotIn is a reading entered by hand.
type snapshotIn struct {
	At         *time.Time `json:"at"`
	Views      *int64     `json:"views"`
	Likes      *int64     `json:"likes"`
	Comments   *int64     `json:"comments"`
	Reposts    *int64     `json:"reposts"`
	LowerBound bool       `json:"lower_bound"`
}

func (a *Analytics) addSnapshot(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	var in snapshotIn
	if err := decode(r, &in); err != nil {
		a.fail(w, r, err)
		return
	}
	s := store.PublicationSnapshot{Views: in.Views, Likes: in.Likes, Comments: in.Comments, Reposts: in.Reposts, LowerBound: in.LowerBound}
	if in.At != nil {
		s.TakenAt = *in.At
	}
	if err := a.svc.RecordManual(r.Context(), server.User(r.Context()), id, s); err != nil {
		a.fail(w, r, err)
		return
	}
	snaps, err := a.svc.Snapshots(r.Context(), server.User(r.Context()), id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, map[string]any{"items": snaps})
}

// ImportErr turns an import refusal into the API's error shape: fields "line N".
func ImportErr(err error) error {
	var ie *analytics.ImportError
	if !errors.As(err, &ie) {
		return err
	}
	if ie.Reason != "" {
		return &passerelle.Error{Code: passerelle.EINVALID, Message: ie.Reason}
	}
	f := map[string]string{}
	for i, row := range ie.Rows {
		if i == 100 {
			f["more"] = fmt.Sprintf("%d more rows are refused.", len(ie.Rows)-100)
			break
		}
		f[fmt.Sprintf("line %d", row.Line)] = row.Reason
	}
	return &passerelle.Error{Code: passerelle.EINVALID, Message: fmt.Sprintf("%d rows are refused; nothing was imported.", len(ie.Rows)), Fields: f}
}

// importFile takes the file as the request body: ?skip_bad=true imports the good rows
// of a partly bad file, ?dry_run=true checks without writing, ?at= (RFC 3339) is the
// instant of rows without a date (now by default).
func (a *Analytics) importFile(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	acct, err := a.svc.Tenancy.Account(r.Context(), u, id)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	if err := u.Allow(acct.InstitutionID, passerelle.PermWrite); err != nil {
		a.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	o := analytics.ImportOptions{At: time.Now()}
	for name, dst := range map[string]*bool{"skip_bad": &o.SkipBad, "dry_run": &o.DryRun} {
		if v := q.Get(name); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				a.fail(w, r, paramErr(map[string]string{name: "Use true or false."}))
				return
			}
			*dst = b
		}
	}
	if v := q.Get("at"); v != "" {
		t, err := time.Parse(time.RFC3339, v)
		if err != nil || !store.ValidInstant(t) {
			a.fail(w, r, paramErr(map[string]string{"at": "Use an RFC 3339 instant."}))
			return
		}
		o.At = t
	}
	data, err := io.ReadAll(r.Body)
	if err != nil {
		a.fail(w, r, err)
		return
	}
	res, err := a.svc.Import(r.Context(), u.OrgID, id, data, o)
	if err != nil {
		a.fail(w, r, ImportErr(err))
		return
	}
	server.WriteJSON(w, http.StatusOK, res)
}
