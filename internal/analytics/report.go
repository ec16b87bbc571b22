package analytics

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/passerelle-oss/passerelle/internal/csvout"
)

// Report is what a report shows: a scope's name and its summary.
type Report struct {
	Title   string
	Summary *Summary
	// T translates a message id of the analytics catalog (internal/web/i18n/analytics.*);
	// nil keeps the ids.
	T    func(key string) string
	Lang string
}

func (r *Report) t(key string) string {
	if r.T == nil {
		return key
	}
	return r.T(key)
}

// ReportCSSPath is where the report's print stylesheet is served.
const ReportCSSPath = "/reports/report.css"

//go:embed report.css
var ReportCSS []byte

// section is one table of a report: the same rows make the CSV block, the XLSX sheet
// and the HTML table, so that the three say the same thing.
type section struct {
	Name   string
	Header []string
	Rows   [][]string
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func optInt(p *int64) string {
	if p == nil {
		return ""
	}
	return itoa(*p)
}

func optFloat(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', 4, 64)
}

func (r *Report) sections() []section {
	s := r.Summary
	t := r.t
	totals := func(x Totals) []string {
		views := itoa(x.Views)
		if x.ViewsLowerBound {
			views += "+"
		}
		return []string{x.From, x.To, optInt(x.Followers.Start), optInt(x.Followers.End), optInt(x.Followers.Net), optInt(x.Followers.New), optInt(x.Followers.Lost),
			strconv.Itoa(x.Posts), strconv.Itoa(x.CadenceMin), strconv.Itoa(x.CadenceMax), views, itoa(x.Likes), itoa(x.Comments), itoa(x.Reposts), itoa(x.Interactions),
			optFloat(x.EngagementRate), optFloat(x.PerThousandFollowers)}
	}
	out := []section{{
		Name: t("analytics.report.summary"),
		Header: []string{t("analytics.period"), t("analytics.from"), t("analytics.to"), t("analytics.followers.start"), t("analytics.followers.end"), t("analytics.followers.net"),
			t("analytics.followers.new"), t("analytics.followers.lost"), t("analytics.posts"), t("analytics.cadence.min"), t("analytics.cadence.max"), t("analytics.views"),
			t("analytics.likes"), t("analytics.comments"), t("analytics.reposts"), t("analytics.interactions"), t("analytics.engagement_rate"), t("analytics.per_1000")},
		Rows: [][]string{append([]string{t("analytics.current")}, totals(s.Totals)...), append([]string{t("analytics.previous")}, totals(s.Previous)...)},
	}}
	if s.Institutions != nil {
		out = append(out, r.portfolioSection())
	}
	groups := func(name, dim string, gs []Group) section {
		sec := section{Name: name, Header: []string{t("analytics.dimension." + dim), t("analytics.posts"), t("analytics.views"), t("analytics.interactions"), t("analytics.mean")}}
		for _, g := range gs {
			sec.Rows = append(sec.Rows, []string{r.key(dim, g.Key), strconv.Itoa(g.Posts), itoa(g.Views), itoa(g.Interactions), strconv.FormatFloat(g.Mean, 'f', 1, 64)})
		}
		return sec
	}
	out = append(out,
		groups(t("analytics.by_format"), "format", s.ByFormat),
		groups(t("analytics.by_theme"), "theme", s.ByTheme),
		groups(t("analytics.by_platform"), "platform", s.ByPlatform),
		groups(t("analytics.by_weekday"), "weekday", s.ByWeekday))
	heat := section{Name: t("analytics.heatmap"), Header: []string{t("analytics.dimension.weekday"), t("analytics.hour"), t("analytics.posts"), t("analytics.interactions"), t("analytics.mean")}}
	for _, c := range s.Heatmap {
		heat.Rows = append(heat.Rows, []string{r.key("weekday", time.Weekday((c.Weekday+1)%7).String()), strconv.Itoa(c.Hour), strconv.Itoa(c.Posts), itoa(c.Interactions), strconv.FormatFloat(c.Mean, 'f', 1, 64)})
	}
	out = append(out, heat)
	posts := func(name string, ps []PostFigures) section {
		sec := section{Name: name, Header: []string{t("analytics.post.title"), t("analytics.dimension.platform"), t("analytics.dimension.format"), t("analytics.published_at"),
			t("analytics.views"), t("analytics.likes"), t("analytics.comments"), t("analytics.reposts"), t("analytics.interactions"), t("analytics.post.url")}}
		for _, p := range ps {
			views := optInt(p.Views)
			if p.Views != nil {
				views = FormatCount(*p.Views, p.LowerBound)
			}
			sec.Rows = append(sec.Rows, []string{p.Title, r.key("platform", p.Platform), r.key("format", p.Format), p.PublishedAt.In(Beijing).Format("2006-01-02 15:04"),
				views, itoa(p.Likes), itoa(p.Comments), itoa(p.Reposts), itoa(p.Interactions), p.URL})
		}
		return sec
	}
	out = append(out, posts(t("analytics.top_posts"), s.TopPosts), posts(t("analytics.bottom_posts"), s.BottomPosts))
	if live := r.liveSection(); live != nil {
		out = append(out, *live)
	}
	if co := r.coAuthoredSection(); co != nil {
		out = append(out, *co)
	}
	fs := section{Name: t("analytics.findings"), Header: []string{t("analytics.finding")}}
	for _, f := range s.Findings {
		fs.Rows = append(fs.Rows, []string{r.Finding(f)})
	}
	return append(out, fs)
}

// key names a dimension's value in the report's language.
func (r *Report) key(dim, v string) string {
	if dim == "theme" {
		return v
	}
	k := "analytics." + dim + "." + v
	if s := r.t(k); s != k {
		return s
	}
	return v
}

// Finding phrases a finding in the report's language.
func (r *Report) Finding(f Finding) string {
	if r.T == nil {
		return f.Text
	}
	switch f.Kind {
	case FindingThin:
		return fmt.Sprintf(r.t("analytics.finding.thin"), f.N, minPosts)
	case FindingDifference:
		return fmt.Sprintf(r.t("analytics.finding.difference"), r.key(f.Dimension, f.Subject), f.Ratio, r.baseline(f), f.N, f.NBaseline)
	default:
		return fmt.Sprintf(r.t("analytics.finding.no_difference"), r.t("analytics.dimension."+f.Dimension), r.key(f.Dimension, f.Subject), r.baseline(f), f.N, f.NBaseline)
	}
}

func (r *Report) baseline(f Finding) string {
	if f.Baseline == "other days" {
		return r.t("analytics.other_days")
	}
	return r.key(f.Dimension, f.Baseline)
}

// WriteCSV writes the report as one CSV file: each section's name, its header and
// rows, and an empty line between sections.
func (r *Report) WriteCSV(w io.Writer) error {
	cw := csvout.NewWriter(w, csvout.Options{BOM: true})
	if err := cw.Write([]string{r.Title}); err != nil {
		return err
	}
	for _, s := range r.sections() {
		cw.Write([]string{})
		cw.Write([]string{s.Name})
		cw.Write(s.Header)
		for _, row := range s.Rows {
			if err := cw.Write(row); err != nil {
				return err
			}
		}
	}
	return cw.Flush()
}

// WriteXLSX writes the report as a workbook with one sheet per section.
func (r *Report) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	for i, s := range r.sections() {
		name := sheetName(s.Name, i)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		sw, err := f.NewStreamWriter(name)
		if err != nil {
			return err
		}
		row := 1
		write := func(cells []string, numeric bool) error {
			vals := make([]any, len(cells))
			for j, c := range cells {
				vals[j] = csvout.Cell(c)
				if numeric {
					if n, err := strconv.ParseInt(c, 10, 64); err == nil {
						vals[j] = n
					} else if x, err := strconv.ParseFloat(c, 64); err == nil {
						vals[j] = x
					}
				}
			}
			cell, _ := excelize.CoordinatesToCellName(1, row)
			row++
			return sw.SetRow(cell, vals)
		}
		if i == 0 {
			if err := write([]string{r.Title}, false); err != nil {
				return err
			}
		}
		if err := write(s.Header, false); err != nil {
			return err
		}
		for _, rr := range s.Rows {
			if err := write(rr, true); err != nil {
				return err
			}
		}
		if err := sw.Flush(); err != nil {
			return err
		}
	}
	return f.Write(w)
}

// sheetName makes a valid, unique sheet name (31 characters, no []:*?/\).
func sheetName(s string, i int) string {
	out := []rune{}
	for _, c := range s {
		switch c {
		case '[', ']', ':', '*', '?', '/', '\\':
			c = ' '
		}
		out = append(out, c)
	}
	if len(out) > 28 {
		out = out[:28]
	}
	return fmt.Sprintf("%d %s", i+1, string(out))
}

var reportTemplate = template.Must(template.New("report").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Title}}</title>
<link rel="stylesheet" href="{{.CSS}}"></head>
<body class="report">
<header><h1>{{.Title}}</h1><p>{{.Period}}</p></header>
{{range .Sections}}<section><h2>{{.Name}}</h2>
<table><thead><tr>{{range .Header}}<th scope="col">{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>{{end}}</tbody></table></section>
{{end}}</body></html>
`))

// WriteHTML writes the printable report (its stylesheet gives a clean A4 page).
func (r *Report) WriteHTML(w io.Writer) error {
	lang := r.Lang
	if lang == "" {
		lang = "en"
	}
	return reportTemplate.Execute(w, map[string]any{
		"Lang": lang, "Title": r.Title, "CSS": ReportCSSPath, "Sections": r.sections(),
		"Period": r.Summary.From + " – " + r.Summary.To,
	})
}

// Formats of a report.
var ReportFormats = []string{"html", "xlsx", "csv"}

// Render writes the report in a format (html, xlsx or csv) and returns its content
// type.
func (r *Report) Render(w io.Writer, format string) (string, error) {
	switch format {
	case "xlsx":
		return "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", r.WriteXLSX(w)
	case "csv":
		return "text/csv; charset=utf-8", r.WriteCSV(w)
	case "html":
		return "text/html; charset=utf-8", r.WriteHTML(w)
	}
	return "", fmt.Errorf("report: unknown format %q", format)
}

// Filename names the report's file.
func (r *Report) Filename(name, format string) string {
	return fmt.Sprintf("passerelle-%s-%s-%s.%s", name, r.Summary.From, r.Summary.To, format)
}

// portfolioSection is an organization's institutions, each against its previous
// period (charts11 catalog).
func (r *Report) portfolioSection() section {
	t := r.t
	sec := section{Name: t("charts11.portfolio"), Header: []string{t("charts11.institution"), t("analytics.followers.end"), t("analytics.followers.net"),
		t("charts11.previous_net"), t("analytics.posts"), t("analytics.cadence.min"), t("analytics.cadence.max"), t("analytics.views"), t("charts11.previous_views"),
		t("analytics.interactions"), t("charts11.previous_interactions"), t("analytics.engagement_rate"), t("charts11.previous_engagement")}}
	for _, in := range r.Summary.Institutions {
		views, prev := itoa(in.Views), itoa(in.Previous.Views)
		if in.ViewsLowerBound {
			views += "+"
		}
		if in.Previous.ViewsLowerBound {
			prev += "+"
		}
		sec.Rows = append(sec.Rows, []string{in.Name, optInt(in.Followers.End), optInt(in.Followers.Net), optInt(in.Previous.Followers.Net),
			strconv.Itoa(in.Posts), strconv.Itoa(in.CadenceMin), strconv.Itoa(in.CadenceMax), views, prev,
			itoa(in.Interactions), itoa(in.Previous.Interactions), optFloat(in.EngagementRate), optFloat(in.Previous.EngagementRate)})
	}
	return sec
}
