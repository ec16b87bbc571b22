package web

import (
	"fmt"
	"html"
	"html/template"
	"strings"

	"github.com/passerelle-oss/passerelle/internal/analytics"
)

// Charts are drawn on the server as SVG: no script, no inline style (colours come
// from classes in analytics.css), readable with the page's own fonts, printable, and
// each sits beside its data table for screen readers.

// barItem is one bar of a horizontal bar chart.
type barItem struct {
	Label string
	Value float64
	Text  string // the value as shown
}

// barChart draws horizontal bars, longest first as given.
func barChart(title string, items []barItem) template.HTML {
	const width, barH, gap, labelW, valueW = 640, 22, 8, 170, 90
	h := len(items)*(barH+gap) + gap
	if len(items) == 0 {
		h = barH + 2*gap
	}
	maxV := 0.0
	for _, it := range items {
		maxV = max(maxV, it.Value)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart chart-bars" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, width, h, html.EscapeString(title))
	for i, it := range items {
		y := gap + i*(barH+gap)
		w := 0.0
		if maxV > 0 {
			w = it.Value / maxV * float64(width-labelW-valueW)
		}
		fmt.Fprintf(&b, `<text class="chart-label" x="%d" y="%d" text-anchor="end">%s</text>`, labelW-6, y+barH-6, html.EscapeString(clipLabel(it.Label)))
		fmt.Fprintf(&b, `<rect class="bar bar-%d" x="%d" y="%d" width="%.1f" height="%d" rx="2"><title>%s: %s</title></rect>`, i%6, labelW, y, max(w, 1), barH, html.EscapeString(it.Label), html.EscapeString(it.Text))
		fmt.Fprintf(&b, `<text class="chart-value" x="%.1f" y="%d">%s</text>`, float64(labelW)+max(w, 1)+6, y+barH-6, html.EscapeString(it.Text))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}

func clipLabel(s string) string {
	r := []rune(s)
	if len(r) > 22 {
		return string(r[:21]) + "…"
	}
	return s
}

// heatmap draws the weekday × hour grid; darker cells drew more interactions per
// post. days are the weekday names Monday first.
func heatmap(title string, days []string, cells []analytics.Cell, legend func(c analytics.Cell) string) template.HTML {
	const cw, ch, left, top = 24, 22, 90, 20
	width, height := left+24*cw+4, top+7*ch+4
	maxMean := 0.0
	for _, c := range cells {
		maxMean = max(maxMean, c.Mean)
	}
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart chart-heatmap" viewBox="0 0 %d %d" role="img" aria-label="%s" xmlns="http://www.w3.org/2000/svg">`, width, height, html.EscapeString(title))
	for h := 0; h < 24; h += 3 {
		fmt.Fprintf(&b, `<text class="chart-axis" x="%d" y="%d" text-anchor="middle">%d</text>`, left+h*cw+cw/2, top-6, h)
	}
	for d, name := range days {
		fmt.Fprintf(&b, `<text class="chart-axis" x="%d" y="%d" text-anchor="end">%s</text>`, left-6, top+d*ch+ch-6, html.EscapeString(name))
		for h := 0; h < 24; h++ {
			fmt.Fprintf(&b, `<rect class="heat heat-0" x="%d" y="%d" width="%d" height="%d"/>`, left+h*cw, top+d*ch, cw-2, ch-2)
		}
	}
	for _, c := range cells {
		level := 1
		if maxMean > 0 {
			level = 1 + int(c.Mean/maxMean*3.999)
		}
		fmt.Fprintf(&b, `<rect class="heat heat-%d" x="%d" y="%d" width="%d" height="%d"><title>%s</title></rect>`, min(level, 4), left+c.Hour*cw, top+c.Weekday*ch, cw-2, ch-2, html.EscapeString(legend(c)))
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String())
}
