package web

import (
	"fmt"
	"strconv"
	"time"

	"github.com/passerelle-oss/passerelle/internal/analytics"
)

// Charts are drawn in the browser by Apache ECharts (static/vendor/echarts, loaded only
// on the pages that chart) from a JSON data island in each chart's figure, read by
// static/analytics-charts.js: the CSP allows no inline script. Every chart sits beside
// its data table (for screen readers and for checking) and its CSV download.

// chart is one chart with its data table.
type chart struct {
	ID     string
	Title  string
	CSV    string
	Header []string
	Rows   [][]string
	Data   chartData
}

// chartData is what analytics-charts.js draws. Kind is "line" (followers), "daily"
// (views as bars, interactions as a line, on two axes), "bars" (horizontal bars,
// largest first) or "heatmap" (Y are the weekdays, X the hours, Cells [hour, weekday,
// mean interactions, posts]).
type chartData struct {
	Kind       string        `json:"kind"`
	Label      string        `json:"label"`
	Categories []string      `json:"categories,omitempty"`
	Series     []chartSeries `json:"series,omitempty"`
	X          []string      `json:"x,omitempty"`
	Y          []string      `json:"y,omitempty"`
	Cells      [][4]float64  `json:"cells,omitempty"`
	// Empty is said instead of an empty chart.
	Empty string `json:"empty,omitempty"`
}

// chartSeries is one series; nil values are gaps.
type chartSeries struct {
	Name string     `json:"name"`
	Data []*float64 `json:"data"`
}

func fptr(v float64) *float64 { return &v }

// chartBuilder makes the charts of a summary in the reader's language; csv is the URL
// of a chart's CSV download given its id.
type chartBuilder struct {
	l   *localizer
	csv func(id string) string
}

func (b chartBuilder) empty(c *chart, none bool) {
	if none {
		c.Data.Empty = b.l.T("charts11.no_data")
	}
}

// followers is the followers at each day's end.
func (b chartBuilder) followers(days []analytics.Day) chart {
	l := b.l
	c := chart{ID: "followers", Title: l.T("charts11.followers_over_time"), CSV: b.csv("followers"),
		Header: []string{l.T("charts11.day"), l.T("analytics.followers.end")}}
	c.Data = chartData{Kind: "line", Label: c.Title}
	s := chartSeries{Name: l.T("analytics.followers.end")}
	known := false
	for _, d := range days {
		c.Data.Categories = append(c.Data.Categories, d.Day)
		v := "—"
		if d.Followers != nil {
			known = true
			v = l.Number(*d.Followers)
			s.Data = append(s.Data, fptr(float64(*d.Followers)))
		} else {
			s.Data = append(s.Data, nil)
		}
		c.Rows = append(c.Rows, []string{d.Day, v})
	}
	c.Data.Series = []chartSeries{s}
	b.empty(&c, !known)
	return c
}

// daily is the views and interactions of the posts published each day.
func (b chartBuilder) daily(days []analytics.Day) chart {
	l := b.l
	c := chart{ID: "daily", Title: l.T("charts11.reach_over_time"), CSV: b.csv("daily"),
		Header: []string{l.T("charts11.day"), l.T("analytics.posts"), l.T("analytics.views"), l.T("analytics.interactions")}}
	c.Data = chartData{Kind: "daily", Label: c.Title}
	views, inter := chartSeries{Name: l.T("analytics.views")}, chartSeries{Name: l.T("analytics.interactions")}
	posts := 0
	for _, d := range days {
		posts += d.Posts
		c.Data.Categories = append(c.Data.Categories, d.Day)
		views.Data = append(views.Data, fptr(float64(d.Views)))
		inter.Data = append(inter.Data, fptr(float64(d.Interactions)))
		c.Rows = append(c.Rows, []string{d.Day, strconv.Itoa(d.Posts), l.Number(d.Views), l.Number(d.Interactions)})
	}
	c.Data.Series = []chartSeries{views, inter}
	b.empty(&c, posts == 0)
	return c
}

// group is a dimension's interactions as bars.
func (b chartBuilder) group(id, title, dim string, gs []analytics.Group) chart {
	l := b.l
	c := chart{ID: id, Title: l.T(title), CSV: b.csv(id),
		Header: []string{l.T("analytics.dimension." + dim), l.T("analytics.posts"), l.T("analytics.views"), l.T("analytics.interactions"), l.T("analytics.mean")}}
	c.Data = chartData{Kind: "bars", Label: c.Title}
	s := chartSeries{Name: l.T("analytics.interactions")}
	for _, g := range gs {
		name := keyLabel(l, dim, g.Key)
		c.Data.Categories = append(c.Data.Categories, name)
		s.Data = append(s.Data, fptr(float64(g.Interactions)))
		c.Rows = append(c.Rows, []string{name, strconv.Itoa(g.Posts), l.Number(g.Views), l.Number(g.Interactions), strconv.FormatFloat(g.Mean, 'f', 1, 64)})
	}
	c.Data.Series = []chartSeries{s}
	b.empty(&c, len(gs) == 0)
	return c
}

// heatmap is the mean interactions per post by weekday and hour, in Beijing time.
func (b chartBuilder) heatmap(cells []analytics.Cell) chart {
	l := b.l
	days := make([]string, 7)
	for i := range days {
		days[i] = keyLabel(l, "weekday", time.Weekday((i+1)%7).String())
	}
	c := chart{ID: "heatmap", Title: l.T("analytics.heatmap"), CSV: b.csv("heatmap"),
		Header: []string{l.T("analytics.dimension.weekday"), l.T("analytics.hour"), l.T("analytics.posts"), l.T("analytics.interactions"), l.T("analytics.mean")}}
	c.Data = chartData{Kind: "heatmap", Label: c.Title, Y: days}
	for h := range 24 {
		c.Data.X = append(c.Data.X, fmt.Sprintf("%02d", h))
	}
	c.Data.Series = []chartSeries{{Name: l.T("analytics.mean")}}
	for _, cell := range cells {
		c.Data.Cells = append(c.Data.Cells, [4]float64{float64(cell.Hour), float64(cell.Weekday), cell.Mean, float64(cell.Posts)})
		c.Rows = append(c.Rows, []string{days[cell.Weekday], strconv.Itoa(cell.Hour), strconv.Itoa(cell.Posts), l.Number(cell.Interactions), strconv.FormatFloat(cell.Mean, 'f', 1, 64)})
	}
	b.empty(&c, len(cells) == 0)
	return c
}

// top is the top posts' interactions as bars.
func (b chartBuilder) top(ps []analytics.PostFigures) chart {
	l := b.l
	c := chart{ID: "top", Title: l.T("analytics.top_posts"), CSV: b.csv("top"),
		Header: []string{l.T("analytics.post.title"), l.T("analytics.dimension.platform"), l.T("analytics.dimension.format"), l.T("analytics.published_at"), l.T("analytics.views"), l.T("analytics.interactions")}}
	c.Data = chartData{Kind: "bars", Label: c.Title}
	s := chartSeries{Name: l.T("analytics.interactions")}
	for _, p := range ps {
		c.Data.Categories = append(c.Data.Categories, p.Title)
		s.Data = append(s.Data, fptr(float64(p.Interactions)))
		v := "—"
		if p.Views != nil {
			v = analytics.FormatCount(*p.Views, p.LowerBound)
		}
		c.Rows = append(c.Rows, []string{p.Title, keyLabel(l, "platform", p.Platform), keyLabel(l, "format", p.Format), p.PublishedAt.In(analytics.Beijing).Format("2006-01-02 15:04"), v, l.Number(p.Interactions)})
	}
	c.Data.Series = []chartSeries{s}
	b.empty(&c, len(ps) == 0)
	return c
}

// summaryCharts are the charts of an institution's or an organization's page.
func (b chartBuilder) summaryCharts(s *analytics.Summary) []chart {
	return []chart{
		b.followers(s.Daily),
		b.daily(s.Daily),
		b.group("format", "analytics.by_format", "format", s.ByFormat),
		b.group("platform", "analytics.by_platform", "platform", s.ByPlatform),
		b.group("theme", "analytics.by_theme", "theme", s.ByTheme),
		b.group("weekday", "analytics.by_weekday", "weekday", s.ByWeekday),
		b.heatmap(s.Heatmap),
		b.top(s.TopPosts),
	}
}
