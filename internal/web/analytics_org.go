package web

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/csvout"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// The organization's analytics page: the agency's portfolio (every institution the
// user sees, with its followers, growth, posts against the cadence, reach and
// engagement against the previous period), the charts of the whole organization, and
// its report in HTML, XLSX and CSV. The same service answers
// GET /api/v1/analytics/organization.

func (h *handler) registerOrgAnalytics() {
	if h.Analytics == nil {
		return
	}
	in := server.SignedIn
	h.srv.HandleFunc("GET /analytics", in, h.orgAnalyticsPage)
	h.srv.HandleFunc("GET /analytics/chart.csv", in, h.orgAnalyticsChartCSV)
	h.srv.HandleFunc("GET /analytics/report", in, h.orgAnalyticsReport)
}

// portfolioRow is one institution of the portfolio table.
type portfolioRow struct {
	ID       int64
	Name     string
	Archived bool
	// Cells are followers, growth, posts / cadence, views, interactions, engagement,
	// each with its previous value and change.
	Cells []kpi
}

type orgAnalyticsPage struct {
	From, To  string
	Query     string
	KPIs      []kpi
	Portfolio []portfolioRow
	Header    []string
	Charts    []chart
	Findings  []string
	Notices   []collectionNotice
}

func (h *handler) orgSummary(w http.ResponseWriter, r *http.Request) (*analytics.Summary, bool) {
	p, err := h.pagePeriod(r)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	s, err := h.Analytics.OrganizationSummary(r.Context(), server.User(r.Context()), p)
	if err != nil {
		h.fail(w, r, err)
		return nil, false
	}
	return s, true
}

func (h *handler) orgAnalyticsPage(w http.ResponseWriter, r *http.Request) {
	s, ok := h.orgSummary(w, r)
	if !ok {
		return
	}
	l := h.localizer(r)
	q := url.Values{"from": {s.From}, "to": {s.To}}
	p := &orgAnalyticsPage{From: s.From, To: s.To, Query: q.Encode(), KPIs: headline(l, s)}
	cb := chartBuilder{l: l, csv: func(id string) string { return "/analytics/chart.csv?chart=" + id + "&" + p.Query }}
	p.Charts = cb.summaryCharts(s)
	rep := &analytics.Report{T: func(k string) string { return l.T(k) }}
	for _, f := range s.Findings {
		p.Findings = append(p.Findings, rep.Finding(f))
	}
	p.Header = []string{l.T("charts11.institution"), l.T("analytics.followers.end"), l.T("analytics.followers.net"), l.T("charts11.posts_cadence"),
		l.T("analytics.views"), l.T("analytics.interactions"), l.T("analytics.engagement_rate")}
	for _, in := range s.Institutions {
		cells := portfolioCells(l, in)
		// Each cell names its column: a phone shows the rows as cards (table-stack).
		for i := range cells {
			if i+1 < len(p.Header) {
				cells[i].Label = p.Header[i+1]
			}
		}
		p.Portfolio = append(p.Portfolio, portfolioRow{ID: in.InstitutionID, Name: in.Name, Archived: in.Archived, Cells: cells})
	}
	u := server.User(r.Context())
	accounts, err := h.Tenancy.AllAccounts(r.Context(), u)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if p.Notices, err = h.noticesOf(r, accounts, ""); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, view{name: "analytics_org", title: "charts11.org_title", nav: "analytics"}, p)
}

// portfolioCells are an institution's figures, each with its previous period.
func portfolioCells(l *localizer, in analytics.InstitutionFigures) []kpi {
	opt := func(v *int64) string {
		if v == nil {
			return "—"
		}
		return l.Number(*v)
	}
	signed := func(v *int64) string {
		if v == nil {
			return "—"
		}
		return fmt.Sprintf("%+d", *v)
	}
	change := func(cur, prev int64) (string, string) {
		if prev == 0 {
			return "—", ""
		}
		d := float64(cur-prev) / float64(prev) * 100
		if d < 0 {
			return fmt.Sprintf("%+.0f %%", d), "delta-down"
		}
		return fmt.Sprintf("%+.0f %%", d), "delta-up"
	}
	rate := func(v *float64) string {
		if v == nil {
			return "—"
		}
		return strconv.FormatFloat(*v*100, 'f', 2, 64) + " %"
	}
	views := func(t analytics.Totals) string {
		if t.ViewsLowerBound {
			return l.Number(t.Views) + "+"
		}
		return l.Number(t.Views)
	}
	cur, prev := in.Totals, in.Previous
	vd, vc := change(cur.Views, prev.Views)
	id, ic := change(cur.Interactions, prev.Interactions)
	pd, pc := change(int64(cur.Posts), int64(prev.Posts))
	cadence := l.T("charts11.of_cadence", cur.Posts, cur.CadenceMin, cur.CadenceMax)
	return []kpi{
		{Value: opt(cur.Followers.End), Previous: opt(prev.Followers.End), Delta: "—"},
		{Value: signed(cur.Followers.Net), Previous: signed(prev.Followers.Net), Delta: "—"},
		{Value: cadence, Previous: strconv.Itoa(prev.Posts), Delta: pd, DeltaClass: pc},
		{Value: views(cur), Previous: views(prev), Delta: vd, DeltaClass: vc},
		{Value: l.Number(cur.Interactions), Previous: l.Number(prev.Interactions), Delta: id, DeltaClass: ic},
		{Value: rate(cur.EngagementRate), Previous: rate(prev.EngagementRate), Delta: "—"},
	}
}

func (h *handler) orgAnalyticsChartCSV(w http.ResponseWriter, r *http.Request) {
	name := r.URL.Query().Get("chart")
	if name != "institutions" && !h.validChart(w, r) {
		return
	}
	s, ok := h.orgSummary(w, r)
	if !ok {
		return
	}
	if name != "institutions" {
		h.writeChartCSV(w, r, s, "organization")
		return
	}
	var buf bytes.Buffer
	cw := csvout.NewWriter(&buf, csvout.Options{BOM: true})
	opt := func(v *int64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatInt(*v, 10)
	}
	optf := func(v *float64) string {
		if v == nil {
			return ""
		}
		return strconv.FormatFloat(*v, 'f', 4, 64)
	}
	cw.Write([]string{"institution_id", "institution", "followers_end", "followers_net", "previous_followers_net", "posts", "previous_posts", "cadence_min", "cadence_max",
		"views", "views_lower_bound", "previous_views", "interactions", "previous_interactions", "engagement_rate", "previous_engagement_rate"})
	for _, in := range s.Institutions {
		c, p := in.Totals, in.Previous
		cw.Write([]string{strconv.FormatInt(in.InstitutionID, 10), in.Name, opt(c.Followers.End), opt(c.Followers.Net), opt(p.Followers.Net), strconv.Itoa(c.Posts), strconv.Itoa(p.Posts),
			strconv.Itoa(c.CadenceMin), strconv.Itoa(c.CadenceMax), strconv.FormatInt(c.Views, 10), strconv.FormatBool(c.ViewsLowerBound), strconv.FormatInt(p.Views, 10),
			strconv.FormatInt(c.Interactions, 10), strconv.FormatInt(p.Interactions, 10), optf(c.EngagementRate), optf(p.EngagementRate)})
	}
	if err := cw.Flush(); err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="passerelle-organization-institutions-%s-%s.csv"`, s.From, s.To))
	w.Write(buf.Bytes())
}

func (h *handler) orgAnalyticsReport(w http.ResponseWriter, r *http.Request) {
	format := r.URL.Query().Get("format")
	if format == "" {
		format = "html"
	}
	if !slices.Contains(analytics.ReportFormats, format) {
		h.fail(w, r, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some parameters are invalid.", Fields: map[string]string{"format": "Choose html, xlsx or csv."}})
		return
	}
	s, ok := h.orgSummary(w, r)
	if !ok {
		return
	}
	l := h.localizer(r)
	rep := &analytics.Report{Title: l.T("charts11.org_report_title"), Summary: s, Lang: l.Lang, T: func(k string) string { return l.T(k) }}
	var buf bytes.Buffer
	ctype, err := rep.Render(&buf, format)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-store")
	if format != "html" {
		w.Header().Set("Content-Disposition", `attachment; filename="`+rep.Filename("organization", format)+`"`)
	}
	w.Write(buf.Bytes())
}
