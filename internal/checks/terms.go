package checks

import "slices"

// SourceTerm is a glossary term found in a source text: where (rune offsets into the
// text), and the renderings the glossary approves, for the composer to highlight the
// name and offer its translation.
type SourceTerm struct {
	Start    int      `json:"start"`
	End      int      `json:"end"`
	Source   string   `json:"source"`
	ZH       string   `json:"zh"`
	Accepted []string `json:"accepted,omitempty"`
	Note     string   `json:"note,omitempty"`
}

// SourceTerms lists every occurrence of a glossary term in text, in order, by the
// rule the glossary check uses: a name inside a longer name ("impressionnisme" in
// "post-impressionnisme", "Monet" in "Claude Monet") does not count.
func (c *Checker) SourceTerms(text string) []SourceTerm {
	if len(c.glossary) == 0 || text == "" {
		return nil
	}
	rs := []rune(text)
	type occ struct{ term, start, end int }
	var occs []occ
	c.source.scan(rs, func(pat, start, end int) {
		for _, t := range c.sourcePayload.at(pat) {
			occs = append(occs, occ{int(t), start, end})
		}
	})
	var out []SourceTerm
	for _, o := range occs {
		inside := slices.ContainsFunc(occs, func(x occ) bool {
			return x.start <= o.start && o.end <= x.end && x.end-x.start > o.end-o.start
		})
		// Two terms on the same name (an alias shared by two entries): the first.
		dup := slices.ContainsFunc(out, func(s SourceTerm) bool { return s.Start == o.start && s.End == o.end })
		if inside || dup {
			continue
		}
		t := &c.glossary[o.term]
		out = append(out, SourceTerm{Start: o.start, End: o.end, Source: string(rs[o.start:o.end]), ZH: t.ZH, Accepted: t.Accepted, Note: t.Note})
	}
	slices.SortStableFunc(out, func(a, b SourceTerm) int { return a.Start - b.Start })
	return out
}

// WeiboFold returns the rune offset of s from which Weibo's feed hides the text behind
// "全文" when it shows the first limit characters (counted by WeiboLength's rule, a
// link never cut), or -1 when s fits.
func WeiboFold(s string, limit int) int {
	rs := []rune(s)
	units, at := weiboUnits(rs, findURLs(rs), limit)
	if (units+1)/2 <= limit {
		return -1
	}
	return at
}
