package checks

import "slices"

// VariantTerm is a non-preferred Chinese rendering of a glossary name found in a text
// (a "wrong" rendering, such as 莫奈 where the glossary says 莫内), with the rendering
// the glossary approves: for the service desk to suggest it in a reply.
type VariantTerm struct {
	Start  int    `json:"start"`
	End    int    `json:"end"`
	Found  string `json:"found"`
	Source string `json:"source"`
	ZH     string `json:"zh"`
	Note   string `json:"note,omitempty"`
}

// VariantTerms lists the variants of glossary renderings in text, in order, by the
// rule of the glossary check: a variant inside an approved rendering (of any name) is
// not one.
func (c *Checker) VariantTerms(text string) []VariantTerm {
	if len(c.glossary) == 0 || text == "" {
		return nil
	}
	rs := []rune(text)
	var ms []zhMatch
	c.zh.scan(rs, func(pat, start, end int) { ms = append(ms, zhMatch{pat, start, end}) })
	rendering := func(m zhMatch) bool {
		return slices.ContainsFunc(ms, func(x zhMatch) bool {
			if x.start > m.start || x.end < m.end || x.end-x.start <= m.end-m.start {
				return false
			}
			return slices.ContainsFunc(c.zhPayload.at(x.pat), func(pl zhPayload) bool { return pl.kind == zhRendering || pl.kind == zhPreferred })
		})
	}
	var out []VariantTerm
	for _, m := range ms {
		for _, pl := range c.zhPayload.at(m.pat) {
			if pl.kind != zhVariant || rendering(m) {
				continue
			}
			if slices.ContainsFunc(out, func(v VariantTerm) bool { return v.Start == m.start && v.End == m.end }) {
				continue
			}
			t := &c.glossary[pl.idx]
			out = append(out, VariantTerm{Start: m.start, End: m.end, Found: string(rs[m.start:m.end]), Source: t.Source, ZH: t.ZH, Note: t.Note})
		}
	}
	slices.SortStableFunc(out, func(a, b VariantTerm) int { return a.Start - b.Start })
	return out
}
