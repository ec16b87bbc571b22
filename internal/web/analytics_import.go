package web

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Importing figures from the analytics page: the file is uploaded and kept (POST, then
// a redirect to its preview), the preview shows every parsed row and every refused row
// with its line number before anything is written, and the commit imports all or
// nothing, or the good rows only when the person asks. Readings are keyed by
// publication, instant and source, so importing the same file again changes nothing;
// the preview says when the same file was imported before.
//
// Figures read on the platform are entered by hand from the post page.

func (h *handler) registerAnalyticsImport() {
	if h.Analytics == nil {
		return
	}
	in := server.SignedIn
	h.srv.HandleFunc("POST /institutions/{id}/analytics/import", in, h.metricUploadCreate, server.BodyLimit(analytics.MaxImportBytes+1<<16))
	h.srv.HandleFunc("GET /institutions/{id}/analytics/import/{upload}", in, h.metricUploadPreview)
	h.srv.HandleFunc("POST /institutions/{id}/analytics/import/{upload}/commit", in, h.metricUploadCommit)
	h.srv.HandleFunc("POST /institutions/{id}/analytics/import/{upload}/discard", in, h.metricUploadDiscard)
	h.srv.HandleFunc("POST /publications/{id}/figures", in, h.publicationFigures)
}

// importAccounts lists the accounts of an institution the user may import figures
// for: nil when the user may not edit the institution.
func (h *handler) importAccounts(r *http.Request, instID int64) ([]*passerelle.Account, error) {
	u := server.User(r.Context())
	if !u.Can(instID, passerelle.PermWrite) {
		return nil, nil
	}
	return h.DB.Accounts(r.Context(), store.AccountFilter{OrgID: u.OrgID, InstitutionID: instID})
}

// importAccount returns an account of the institution that the user may import
// figures for; anything else is not found or forbidden.
func (h *handler) importAccount(r *http.Request, instID, accountID int64) (*passerelle.Account, error) {
	u := server.User(r.Context())
	a, err := h.Tenancy.Account(r.Context(), u, accountID)
	if err != nil {
		return nil, err
	}
	if a.InstitutionID != instID {
		return nil, passerelle.ErrNotFound
	}
	if err := u.Allow(a.InstitutionID, passerelle.PermWrite); err != nil {
		return nil, err
	}
	return a, nil
}

// errChooseFile asks for a file of figures.
var errChooseFile = &passerelle.Error{Code: passerelle.EINVALID, Message: "Choose a CSV or XLSX file of figures."}

// metricFile reads the "file" part of a multipart form and the other small fields.
func metricFile(r *http.Request) (data []byte, filename string, fields map[string]string, err error) {
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt != "multipart/form-data" {
		return nil, "", nil, errChooseFile
	}
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, "", nil, errBadForm
	}
	fields = map[string]string{}
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			if isTooLarge(err) {
				return nil, "", nil, err
			}
			return nil, "", nil, errBadForm
		}
		b, err := io.ReadAll(io.LimitReader(part, analytics.MaxImportBytes+1))
		if err != nil {
			if isTooLarge(err) {
				return nil, "", nil, err
			}
			return nil, "", nil, errBadForm
		}
		if part.FormName() == "file" {
			data, filename = b, part.FileName()
			continue
		}
		if len(b) <= 100 {
			fields[part.FormName()] = string(b)
		}
	}
	if len(data) == 0 {
		return nil, "", fields, errChooseFile
	}
	if len(data) > analytics.MaxImportBytes {
		return nil, "", fields, &passerelle.Error{Code: passerelle.EINVALID, Message: "The file is too large (64 MB at most)."}
	}
	return data, filename, fields, nil
}

func analyticsPath(instID int64) string {
	return "/institutions/" + strconv.FormatInt(instID, 10) + "/analytics"
}

func uploadPath(instID, uploadID int64) string {
	return analyticsPath(instID) + "/import/" + strconv.FormatInt(uploadID, 10)
}

// figuresInstant is the instant of the rows without a date: now for today (or no
// date), else the end of the given day in Beijing, when exports are made.
func (h *handler) figuresInstant(day string) (time.Time, error) {
	now := h.Now()
	day = strings.TrimSpace(day)
	if day == "" {
		return now, nil
	}
	d, err := time.ParseInLocation(time.DateOnly, day, analytics.Beijing)
	if err != nil || d.Year() < 2000 {
		return time.Time{}, &passerelle.Error{Code: passerelle.EINVALID, Message: "Enter a full date as YYYY-MM-DD."}
	}
	end := d.AddDate(0, 0, 1).Add(-time.Second)
	if end.After(now) {
		if d.After(now) {
			return time.Time{}, &passerelle.Error{Code: passerelle.EINVALID, Message: "The date of the figures is in the future."}
		}
		return now, nil
	}
	return end, nil
}

func (h *handler) metricUploadCreate(w http.ResponseWriter, r *http.Request) {
	instID, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	if _, err := h.Tenancy.Institution(r.Context(), u, instID); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := u.Allow(instID, passerelle.PermWrite); err != nil {
		h.fail(w, r, err)
		return
	}
	back := analyticsPath(instID) + "#import"
	data, filename, fields, err := metricFile(r)
	if err != nil {
		h.redirectError(w, r, back, err)
		return
	}
	accountID, _ := strconv.ParseInt(fields["account"], 10, 64)
	if accountID <= 0 {
		h.redirectError(w, r, back, &passerelle.Error{Code: passerelle.EINVALID, Message: "Choose the account the figures are for."})
		return
	}
	if _, err := h.importAccount(r, instID, accountID); err != nil {
		h.fail(w, r, err)
		return
	}
	at, err := h.figuresInstant(fields["at"])
	if err != nil {
		h.redirectError(w, r, back, err)
		return
	}
	up := &store.MetricUpload{OrgID: u.OrgID, AccountID: accountID, UserID: u.ID, Filename: filename, Data: data, TakenAt: at}
	if err := h.DB.CreateMetricUpload(r.Context(), up); err != nil {
		h.fail(w, r, err)
		return
	}
	http.Redirect(w, r, uploadPath(instID, up.ID), http.StatusSeeOther)
}

// previewRow is one line of the file as the preview shows it.
type previewRow struct {
	Line     int
	Post     string
	At       string
	Views    string
	Likes    string
	Comments string
	Reposts  string
	Error    string
}

type uploadPage struct {
	Institution *passerelle.Institution
	Account     *passerelle.Account
	Upload      *store.MetricUpload
	Previous    *store.MetricUpload
	Layout      string
	Encoding    string
	// FileError refuses the whole file.
	FileError string
	Total     int64
	Good      int64
	Bad       int64
	GoodN     int // Good, for the plural of the "skip" choice
	Rows      []previewRow
	More      int // rows not shown
	Errors    []previewRow
	MoreErr   int
}

// previewLimit is how many rows of each kind the preview lists.
const previewLimit = 200

// metricUpload loads the upload of the path for its institution.
func (h *handler) metricUpload(w http.ResponseWriter, r *http.Request) (*passerelle.Institution, *passerelle.Account, *store.MetricUpload, bool) {
	instID, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return nil, nil, nil, false
	}
	upID, err := strconv.ParseInt(r.PathValue("upload"), 10, 64)
	if err != nil || upID <= 0 {
		h.notFound(w, r)
		return nil, nil, nil, false
	}
	u := server.User(r.Context())
	inst, err := h.Tenancy.Institution(r.Context(), u, instID)
	if err != nil {
		h.fail(w, r, err)
		return nil, nil, nil, false
	}
	up, err := h.DB.MetricUpload(r.Context(), u.OrgID, u.ID, upID)
	if err != nil {
		h.fail(w, r, err)
		return nil, nil, nil, false
	}
	a, err := h.importAccount(r, instID, up.AccountID)
	if err != nil {
		h.fail(w, r, err)
		return nil, nil, nil, false
	}
	return inst, a, up, true
}

func (h *handler) metricUploadPreview(w http.ResponseWriter, r *http.Request) {
	inst, a, up, ok := h.metricUpload(w, r)
	if !ok {
		return
	}
	l := h.localizer(r)
	p := &uploadPage{Institution: inst, Account: a, Upload: up}
	var err error
	if p.Previous, err = h.DB.PreviousMetricUpload(r.Context(), up.OrgID, up); err != nil {
		h.fail(w, r, err)
		return
	}
	if up.CommittedAt == nil {
		h.fillPreview(r, l, p)
	}
	h.render(w, r, view{name: "analytics_import", title: "analyticsui.import.title", nav: "institutions"}, p)
}

// fillPreview parses the file and matches it without writing.
func (h *handler) fillPreview(r *http.Request, l *localizer, p *uploadPage) {
	parsed, err := analytics.Parse(p.Upload.Data)
	if err != nil {
		p.FileError = importFileError(l, err)
		return
	}
	p.Layout, p.Encoding = parsed.Layout, parsed.Encoding
	res, err := h.Analytics.Import(r.Context(), p.Upload.OrgID, p.Upload.AccountID, p.Upload.Data,
		analytics.ImportOptions{At: p.Upload.TakenAt, SkipBad: true, DryRun: true})
	if err != nil {
		p.FileError = importFileError(l, err)
		return
	}
	bad := map[int]string{}
	for _, e := range res.Skipped {
		bad[e.Line] = rowReason(l, e.Reason)
	}
	p.Total, p.Bad = int64(res.Rows), int64(len(res.Skipped))
	p.Good = p.Total - p.Bad
	p.GoodN = int(p.Good)
	fig := func(v *int64, lower bool) string {
		if v == nil {
			return "—"
		}
		if lower {
			return l.Number(*v) + "+"
		}
		return l.Number(*v)
	}
	for _, row := range parsed.Rows {
		pr := previewRow{Line: row.Line, Post: cmp.Or(row.ID, row.URL), Views: fig(row.Views, row.LowerBound), Likes: fig(row.Likes, false),
			Comments: fig(row.Comments, false), Reposts: fig(row.Reposts, false), Error: bad[row.Line]}
		if !row.At.IsZero() {
			pr.At = row.At.In(analytics.Beijing).Format(time.DateOnly)
		} else {
			pr.At = l.T("analyticsui.import.no_date")
		}
		if len(p.Rows) < previewLimit {
			p.Rows = append(p.Rows, pr)
		} else {
			p.More++
		}
	}
	for _, e := range res.Skipped {
		if len(p.Errors) < previewLimit {
			p.Errors = append(p.Errors, previewRow{Line: e.Line, Error: rowReason(l, e.Reason)})
		} else {
			p.MoreErr++
		}
	}
}

// importFileError is the text of an error that refuses a whole file.
func importFileError(l *localizer, err error) string {
	var ie *analytics.ImportError
	if errors.As(err, &ie) {
		if ie.Reason != "" {
			return l.Msg(ie.Reason)
		}
		var parts []string
		for _, row := range ie.Rows {
			parts = append(parts, l.T("analyticsui.import.line", row.Line)+" "+rowReason(l, row.Reason))
		}
		return strings.Join(parts, " ")
	}
	return l.Msg(server.Message(err))
}

// The importer's reasons for refusing a row are English sentences with the cell's
// value; they are shown in the reader's language by pattern.
var (
	reasonDate   = regexp.MustCompile(`^the date ("(?:[^"\\]|\\.)*") is not in a known form \(use YYYY-MM-DD\)$`)
	reasonFigure = regexp.MustCompile(`^(views|likes|comments|reposts) ("(?:[^"\\]|\\.)*"): (.+)$`)
	reasonSame   = regexp.MustCompile(`^the same post and date as line (\d+)$`)
	reasonCSV    = regexp.MustCompile(`^The CSV cannot be read here \(.*\)\.$`)
	reasonKeys   = map[string]string{
		"no post id or URL": "analyticsui.reason.no_id",
		"no figure":         "analyticsui.reason.no_figure",
		"no published post of this account has this id or URL": "analyticsui.reason.no_match",
		"the row has no date and the import no instant":        "analyticsui.reason.no_date",
		"the date is in the future":                            "analyticsui.reason.future",
		"not a number":                                         "analyticsui.reason.not_number",
		"a figure cannot be negative":                          "analyticsui.reason.negative",
		"the figure is absurdly large":                         "analyticsui.reason.absurd",
		"not a whole number":                                   "analyticsui.reason.fraction",
		"only views can be a lower bound":                      "analyticsui.reason.lower_bound",
	}
)

func rowReason(l *localizer, reason string) string {
	var out []string
	for _, part := range strings.Split(reason, "; ") {
		out = append(out, reasonPart(l, part))
	}
	return strings.Join(out, l.T("analyticsui.reason.sep"))
}

func reasonPart(l *localizer, s string) string {
	if k, ok := reasonKeys[s]; ok {
		return l.T(k)
	}
	if m := reasonDate.FindStringSubmatch(s); m != nil {
		return l.T("analyticsui.reason.date", unquote(m[1]))
	}
	if m := reasonSame.FindStringSubmatch(s); m != nil {
		n, _ := strconv.Atoi(m[1])
		return l.T("analyticsui.reason.same", n)
	}
	if m := reasonFigure.FindStringSubmatch(s); m != nil {
		what := reasonPart(l, m[3])
		return l.T("analyticsui.reason.figure", l.T("analytics."+figureLabel(m[1])), unquote(m[2]), what)
	}
	if reasonCSV.MatchString(s) {
		return l.T("analyticsui.reason.csv")
	}
	return l.Msg(s)
}

func figureLabel(col string) string {
	if col == "views" || col == "likes" || col == "comments" || col == "reposts" {
		return col
	}
	return "views"
}

func unquote(s string) string {
	if u, err := strconv.Unquote(s); err == nil {
		return u
	}
	return s
}

func (h *handler) metricUploadCommit(w http.ResponseWriter, r *http.Request) {
	inst, _, up, ok := h.metricUpload(w, r)
	if !ok {
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	back := uploadPath(inst.ID, up.ID)
	if up.CommittedAt != nil {
		h.redirect(w, r, back, "")
		return
	}
	skip := r.PostForm.Get("skip_bad") != ""
	res, err := h.Analytics.Import(r.Context(), up.OrgID, up.AccountID, up.Data, analytics.ImportOptions{At: up.TakenAt, SkipBad: skip})
	if err != nil {
		var ie *analytics.ImportError
		if errors.As(err, &ie) {
			key := "analyticsui.flash.refused"
			if ie.Reason != "" {
				key = "analyticsui.flash.file_refused"
			}
			h.setFlash(w, r, "k", key)
			http.Redirect(w, r, back, http.StatusSeeOther)
			return
		}
		h.fail(w, r, err)
		return
	}
	if err := h.DB.CommitMetricUpload(r.Context(), up.OrgID, up.ID, res.Imported, len(res.Skipped)); err != nil {
		h.redirectError(w, r, back, err)
		return
	}
	h.redirect(w, r, back, "analyticsui.flash.imported")
}

func (h *handler) metricUploadDiscard(w http.ResponseWriter, r *http.Request) {
	inst, _, up, ok := h.metricUpload(w, r)
	if !ok {
		return
	}
	u := server.User(r.Context())
	if err := h.DB.DiscardMetricUpload(r.Context(), u.OrgID, u.ID, up.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, analyticsPath(inst.ID)+"#import", "analyticsui.flash.discarded")
}

// figuresPanel is a published publication's readings on the post page, with the form
// to enter the figures read on the platform.
type figuresPanel struct {
	Latest    *store.PublicationSnapshot
	Snapshots []*store.PublicationSnapshot
	CanRecord bool
}

// publicationFiguresPanel loads the readings of a published publication.
func (h *handler) publicationFiguresPanel(ctx context.Context, u *passerelle.User, it *deliveryItem, instID int64) {
	if h.Analytics == nil || it.State != passerelle.DeliveryPublished {
		return
	}
	snaps, err := h.Analytics.Snapshots(ctx, u, it.ID)
	if err != nil {
		return
	}
	slices.Reverse(snaps)
	p := &figuresPanel{CanRecord: u.Can(instID, passerelle.PermWrite) && it.ReadOnly == ""}
	if len(snaps) > 0 {
		p.Latest = snaps[0]
	}
	p.Snapshots = snaps[:min(len(snaps), 20)]
	it.Figures = p
}

// figureFields are the figures a person may enter, in the form's order.
var figureFields = []string{"views", "likes", "comments", "reposts"}

// parseFigures reads the manual entry form; numbers may be written as exports write
// them (12,345, 1.2万, 10万+).
func parseFigures(v func(string) string) (store.PublicationSnapshot, error) {
	var s store.PublicationSnapshot
	for _, name := range figureFields {
		n, lower, ok, err := analytics.ParseCount(v(name))
		if err != nil {
			msg := "A figure is not a whole number."
			switch {
			case strings.HasPrefix(strings.TrimSpace(v(name)), "-"):
				msg = "A figure cannot be negative."
			case strings.Contains(err.Error(), "large"):
				msg = "A figure is too large to be true."
			}
			return s, &passerelle.Error{Code: passerelle.EINVALID, Message: msg}
		}
		if !ok {
			continue
		}
		if lower && name != "views" {
			return s, &passerelle.Error{Code: passerelle.EINVALID, Message: "Only a number of views can be a lower bound."}
		}
		switch name {
		case "views":
			s.Views, s.LowerBound = &n, lower || v("lower_bound") != ""
		case "likes":
			s.Likes = &n
		case "comments":
			s.Comments = &n
		case "reposts":
			s.Reposts = &n
		}
	}
	if s.Views == nil && s.Likes == nil && s.Comments == nil && s.Reposts == nil {
		return s, &passerelle.Error{Code: passerelle.EINVALID, Message: "Give at least one figure."}
	}
	if v("lower_bound") != "" && s.Views == nil {
		return s, &passerelle.Error{Code: passerelle.EINVALID, Message: "Only a number of views can be a lower bound."}
	}
	return s, nil
}

func (h *handler) publicationFigures(w http.ResponseWriter, r *http.Request) {
	id, next, ok := h.actionTarget(w, r)
	if !ok {
		return
	}
	next = strings.TrimSuffix(next, "#publishing") + fmt.Sprintf("#publication-%d", id)
	s, err := parseFigures(r.PostForm.Get)
	if err == nil {
		s.TakenAt = h.Now()
		err = h.Analytics.RecordManual(r.Context(), server.User(r.Context()), id, s)
	}
	if err != nil {
		if passerelle.ErrorCode(err) == passerelle.EINVALID {
			err = figuresError(err)
		}
		h.redirectError(w, r, next, err)
		return
	}
	h.redirect(w, r, next, "analyticsui.flash.figures_recorded")
}

// figuresError turns the store's field errors into one message the flash can show.
func figuresError(err error) error {
	f := passerelle.ErrorFields(err)
	for _, name := range append(figureFields, "lower_bound", "at") {
		switch f[name] {
		case "":
			continue
		case "Cannot be negative.":
			return &passerelle.Error{Code: passerelle.EINVALID, Message: "A figure cannot be negative."}
		case "Too large to be true.":
			return &passerelle.Error{Code: passerelle.EINVALID, Message: "A figure is too large to be true."}
		case "Give at least one figure.":
			return &passerelle.Error{Code: passerelle.EINVALID, Message: "Give at least one figure."}
		case "Only a number of views can be a lower bound.":
			return &passerelle.Error{Code: passerelle.EINVALID, Message: "Only a number of views can be a lower bound."}
		}
	}
	return err
}
