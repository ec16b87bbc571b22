package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/csvout"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// The analytics page of an institution: headline figures against the previous
// period, charts with their data tables and CSV downloads, findings, top and bottom
// posts, and the report in HTML (print to PDF), XLSX and CSV.

func (h *handler) registerAnalytics() {
	if h.Analytics == nil {
		return
	}
	in := server.SignedIn
	h.srv.HandleFunc("GET /institutions/{id}/analytics", in, h.analyticsPage)
	h.srv.HandleFunc("GET /institutions/{id}/analytics/chart.csv", in, h.analyticsChartCSV)
	h.srv.HandleFunc("GET /institutions/{id}/analytics/report", in, h.analyticsReport)
}

// kpi is one headline figure with its change against the previous period.
type kpi struct {
	Label      string
	Value      string
	Previous   string
	Delta      string
	DeltaClass string
}

type analyticsPage struct {
	Institution *passerelle.Institution
	From, To    string
	Summary     *analytics.Summary
	KPIs        []kpi
	Charts      []chart
	Findings    []string
	Bottom      [][]string
	PostHeader  []string
	// Notices say which accounts' collection has stopped (collection_notice.go).
	Notices []collectionNotice
	Query   string
	Formats []string
	// ImportAccounts are the accounts the user may import figures for (none: no
	// import form); Today bounds the date of the figures (analytics_import.go).
	ImportAccounts []*passerelle.Account
	Today          string
}

// pagePeriod reads ?from=&to=, by default the 30 days up to yesterday in Beijing.
func (h *handler) pagePeriod(r *http.Request) (analytics.Period, error) {
	q := r.URL.Query()
	if q.Get("from") == "" && q.Get("to") == "" {
		today := h.Now().In(analytics.Beijing)
		end := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, analytics.Beijing)
		return analytics.Period{From: end.AddDate(0, 0, -30), To: end}, nil
	}
	p, err := analytics.ParsePeriod(q.Get("from"), q.Get("to"))
	if err != nil {
		return p, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some parameters are invalid.", Fields: passerelle.ErrorFields(err)}
	}
	return p, nil
}

func (h *handler) analyticsSummary(w http.ResponseWriter, r *http.Request) (*analytics.Summary, *passerelle.Institution, bool) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return nil, nil, false
	}
	p, err := h.pagePeriod(r)
	if err != nil {
		h.fail(w, r, err)
		return nil, nil, false
	}
	s, inst, err := h.Analytics.InstitutionSummary(r.Context(), server.User(r.Context()), id, p)
	if err != nil {
		h.fail(w, r, err)
		return nil, nil, false
	}
	return s, inst, true
}

func (h *handler) analyticsPage(w http.ResponseWriter, r *http.Request) {
	s, inst, ok := h.analyticsSummary(w, r)
	if !ok {
		return
	}
	l := h.localizer(r)
	q := url.Values{"from": {s.From}, "to": {s.To}}
	p := &analyticsPage{Institution: inst, From: s.From, To: s.To, Summary: s, Query: q.Encode(), Formats: analytics.ReportFormats}
	p.KPIs = headline(l, s)
	var err error
	rep := &analytics.Report{T: func(k string) string { return l.T(k) }}
	cb := chartBuilder{l: l, csv: func(id string) string {
		return fmt.Sprintf("/institutions/%d/analytics/chart.csv?chart=%s&%s", inst.ID, id, p.Query)
	}}
	p.Charts = cb.summaryCharts(s)
	for _, f := range s.Findings {
		p.Findings = append(p.Findings, rep.Finding(f))
	}
	p.PostHeader = []string{l.T("analytics.post.title"), l.T("analytics.dimension.platform"), l.T("analytics.dimension.format"), l.T("analytics.published_at"), l.T("analytics.views"), l.T("analytics.interactions")}
	p.Bottom = postRows(l, s.BottomPosts)
	if p.Notices, err = h.collectionNotices(r, inst.ID); err != nil {
		h.fail(w, r, err)
		return
	}
	accts, err := h.importAccounts(r, inst.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p.ImportAccounts, p.Today = accts, h.Now().In(analytics.Beijing).Format(time.DateOnly)
	h.render(w, r, view{name: "analytics", title: "analytics.title", nav: "institutions"}, p)
}

// headline is the headline figures of a summary against its previous period.
func headline(l *localizer, s *analytics.Summary) []kpi {
	var out []kpi
	num := func(n int64) string { return l.Number(n) }
	opt := func(v *int64) string {
		if v == nil {
			return "—"
		}
		return l.Number(*v)
	}
	delta := func(cur, prev int64, known bool) (string, string) {
		if !known || prev == 0 {
			return "—", ""
		}
		d := float64(cur-prev) / float64(prev) * 100
		cls := "delta-up"
		if d < 0 {
			cls = "delta-down"
		}
		return fmt.Sprintf("%+.0f %%", d), cls
	}
	add := func(label string, cur, prev int64, show func(int64) string, known bool) {
		d, cls := delta(cur, prev, known)
		out = append(out, kpi{Label: l.T(label), Value: show(cur), Previous: show(prev), Delta: d, DeltaClass: cls})
	}
	f, pf := s.Followers, s.Previous.Followers
	out = append(out, kpi{Label: l.T("analytics.followers.end"), Value: opt(f.End), Previous: opt(pf.End), Delta: "—"})
	if f.Net != nil {
		out = append(out, kpi{Label: l.T("analytics.followers.net"), Value: fmt.Sprintf("%+d", *f.Net), Previous: opt(pf.Net), Delta: "—"})
	}
	add("analytics.posts", int64(s.Posts), int64(s.Previous.Posts), num, true)
	views := func(n int64) string {
		if s.ViewsLowerBound {
			return l.Number(n) + "+"
		}
		return l.Number(n)
	}
	add("analytics.views", s.Views, s.Previous.Views, views, true)
	add("analytics.interactions", s.Interactions, s.Previous.Interactions, num, true)
	if s.PerThousandFollowers != nil {
		out = append(out, kpi{Label: l.T("analytics.per_1000"), Value: strconv.FormatFloat(*s.PerThousandFollowers, 'f', 1, 64), Delta: "—", Previous: "—"})
	}
	out = append(out, kpi{Label: l.T("analytics.cadence"), Value: fmt.Sprintf("%d / %d–%d", s.Posts, s.CadenceMin, s.CadenceMax), Previous: "—", Delta: "—"})

	return out
}

// postRows is the table rows of a list of posts.
func postRows(l *localizer, ps []analytics.PostFigures) [][]string {
	var out [][]string
	for _, pf := range ps {
		v := "—"
		if pf.Views != nil {
			v = analytics.FormatCount(*pf.Views, pf.LowerBound)
		}
		out = append(out, []string{pf.Title, keyLabel(l, "platform", pf.Platform), keyLabel(l, "format", pf.Format), pf.PublishedAt.In(analytics.Beijing).Format("2006-01-02 15:04"), v, l.Number(pf.Interactions)})
	}
	return out
}

// keyLabel names a format, platform or weekday in the reader's language; themes are
// the organization's own words.
func keyLabel(l *localizer, dim, key string) string {
	if dim == "theme" {
		return key
	}
	k := "analytics." + dim + "." + key
	if s := l.T(k); s != k {
		return s
	}
	return key
}

// chartNames are the charts whose data downloads as CSV.
var chartNames = []string{"followers", "daily", "format", "theme", "platform", "weekday", "heatmap", "top"}

func (h *handler) analyticsChartCSV(w http.ResponseWriter, r *http.Request) {
	if !h.validChart(w, r) {
		return
	}
	s, inst, ok := h.analyticsSummary(w, r)
	if !ok {
		return
	}
	h.writeChartCSV(w, r, s, strconv.FormatInt(inst.ID, 10))
}

func (h *handler) validChart(w http.ResponseWriter, r *http.Request) bool {
	if !slices.Contains(chartNames, r.URL.Query().Get("chart")) {
		h.fail(w, r, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some parameters are invalid.", Fields: map[string]string{"chart": "Unknown chart."}})
		return false
	}
	return true
}

// writeChartCSV writes a chart's data with stable column names and plain numbers,
// whatever the reader's language.
func (h *handler) writeChartCSV(w http.ResponseWriter, r *http.Request, s *analytics.Summary, scope string) {
	name := r.URL.Query().Get("chart")
	var buf bytes.Buffer
	cw := csvout.NewWriter(&buf, csvout.Options{BOM: true})
	i64 := func(n int64) string { return strconv.FormatInt(n, 10) }
	switch name {
	case "followers":
		cw.Write([]string{"day", "followers"})
		for _, d := range s.Daily {
			v := ""
			if d.Followers != nil {
				v = i64(*d.Followers)
			}
			cw.Write([]string{d.Day, v})
		}
	case "daily":
		cw.Write([]string{"day", "posts", "views", "interactions"})
		for _, d := range s.Daily {
			cw.Write([]string{d.Day, strconv.Itoa(d.Posts), i64(d.Views), i64(d.Interactions)})
		}
	case "heatmap":
		cw.Write([]string{"weekday", "hour", "posts", "interactions", "mean_interactions"})
		for _, c := range s.Heatmap {
			cw.Write([]string{strconv.Itoa(c.Weekday), strconv.Itoa(c.Hour), strconv.Itoa(c.Posts), i64(c.Interactions), strconv.FormatFloat(c.Mean, 'f', 2, 64)})
		}
	case "top":
		cw.Write([]string{"publication_id", "title", "platform", "format", "theme", "published_at", "views", "views_lower_bound", "likes", "comments", "reposts", "interactions"})
		for _, p := range s.TopPosts {
			v := ""
			if p.Views != nil {
				v = i64(*p.Views)
			}
			cw.Write([]string{i64(p.PublicationID), p.Title, p.Platform, p.Format, p.Theme, p.PublishedAt.UTC().Format(time.RFC3339), v, strconv.FormatBool(p.LowerBound), i64(p.Likes), i64(p.Comments), i64(p.Reposts), i64(p.Interactions)})
		}
	default:
		gs := map[string][]analytics.Group{"format": s.ByFormat, "theme": s.ByTheme, "platform": s.ByPlatform, "weekday": s.ByWeekday}[name]
		cw.Write([]string{name, "posts", "views", "interactions", "mean_interactions"})
		for _, g := range gs {
			cw.Write([]string{g.Key, strconv.Itoa(g.Posts), i64(g.Views), i64(g.Interactions), strconv.FormatFloat(g.Mean, 'f', 2, 64)})
		}
	}
	if err := cw.Flush(); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="passerelle-%s-%s-%s-%s.csv"`, scope, name, s.From, s.To))
	w.Write(buf.Bytes())
}

func (h *handler) analyticsReport(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "html"
	}
	if !slices.Contains(analytics.ReportFormats, format) {
		h.fail(w, r, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some parameters are invalid.", Fields: map[string]string{"format": "Choose html, xlsx or csv."}})
		return
	}
	s, inst, ok := h.analyticsSummary(w, r)
	if !ok {
		return
	}
	l := h.localizer(r)
	rep := &analytics.Report{Title: instName(inst, l.Lang), Summary: s, Lang: l.Lang, T: func(k string) string { return l.T(k) }}
	var buf bytes.Buffer
	ctype, err := rep.Render(&buf, format)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-store")
	if format != "html" {
		w.Header().Set("Content-Disposition", `attachment; filename="`+rep.Filename(strconv.FormatInt(inst.ID, 10), format)+`"`)
	}
	w.Write(buf.Bytes())
}

// Labels returns the translation function of a language, for reports made outside a
// page (the API, e-mailed reports).
func Labels() (func(lang string) func(string) string, error) {
	cat, err := loadCatalogs()
	if err != nil {
		return nil, err
	}
	return func(lang string) func(string) string {
		if _, ok := cat.byLang[lang]; !ok {
			lang = "en"
		}
		l := cat.localizer(lang)
		return func(k string) string { return l.T(k) }
	}, nil
}
