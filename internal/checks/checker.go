package checks

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// Publication modes (see ARCHITECTURE.md, decision 5).
const (
	ModeAPI         = "api"
	ModeAssisted    = "assisted"
	ModeWeChatDraft = "wechat_draft"
)

// Input is what the checks read: a post and its publications, as plain values.
type Input struct {
	// Lang is the language of the messages: "fr", "en" or "zh-Hans".
	Lang string
	// SourceLang is the language of SourceText ("fr", "en"); the glossary matches
	// its source names and aliases whatever the language.
	SourceLang   string
	SourceText   string
	TextZH       string
	Publications []PublicationInput
	// Quiet is the institution's quiet hours in Beijing time (nil: none); a
	// publication scheduled inside them is warned about.
	Quiet *passerelle.QuietHours
	// Zone is the institution's time zone (IANA name), in which image rights' last
	// days are compared; UTC when empty.
	Zone string
	// Now is the instant of the check: an image whose rights ended before today
	// is warned about on a publication not yet scheduled. Zero: not checked.
	Now time.Time
}

// PublicationInput is one publication of the post on one account.
type PublicationInput struct {
	ID       int64
	Platform passerelle.Platform
	// Mode is ModeAPI, ModeAssisted or ModeWeChatDraft.
	Mode string
	// Text is the Weibo status exactly as it will be posted, topics included.
	Text string
	// Topics are topics chosen for the publication, without the # marks.
	Topics []string
	Images int
	Videos int
	// SafeDomain is the Weibo app's registered safe domain (API mode).
	SafeDomain string
	WeChat     *WeChatFields
	// ScheduledAt is the publication's time, nil when it has none.
	ScheduledAt *time.Time
	// Label names the publication in messages: its platform and account.
	Label string
	// Rights are the images the publication shows (a WeChat article's cover
	// included), with the end of their rights.
	Rights []ImageRights
}

// WeChatFields are the fields of a WeChat article.
type WeChatFields struct {
	Title     string
	Author    string
	Digest    string
	BodyHTML  string
	CoverSet  bool
	SourceURL string
}

// Limits are the platform limits the checks apply. Zero fields take the defaults of
// DefaultLimits, which follow PLATFORMS.md; the Weibo ones are reverse-engineered,
// hence configurable.
type Limits struct {
	WeiboAPI        int `json:"weibo_api"`         // characters of a status posted by API (140)
	WeiboLong       int `json:"weibo_long"`        // characters of any other status (2,000)
	WeiboImages     int `json:"weibo_images"`      // images of a status (9)
	WeiboAPIImages  int `json:"weibo_api_images"`  // images of a status posted by API (1)
	WeChatTitle     int `json:"wechat_title"`      // characters of a title (32)
	WeChatAuthor    int `json:"wechat_author"`     // characters of an author (16)
	WeChatDigest    int `json:"wechat_digest"`     // characters of a digest (128)
	WeChatBodyChars int `json:"wechat_body_chars"` // the body has fewer characters, tags included (20,000)
	WeChatBodyBytes int `json:"wechat_body_bytes"` // the body has fewer bytes (1 MiB)
}

// DefaultLimits returns the limits of PLATFORMS.md.
func DefaultLimits() Limits {
	return Limits{
		WeiboAPI: 140, WeiboLong: 2000, WeiboImages: 9, WeiboAPIImages: 1,
		WeChatTitle: 32, WeChatAuthor: 16, WeChatDigest: 128, WeChatBodyChars: 20_000, WeChatBodyBytes: 1 << 20,
	}
}

func (l Limits) withDefaults() Limits {
	d := DefaultLimits()
	for _, p := range []struct{ v, def *int }{
		{&l.WeiboAPI, &d.WeiboAPI}, {&l.WeiboLong, &d.WeiboLong}, {&l.WeiboImages, &d.WeiboImages},
		{&l.WeiboAPIImages, &d.WeiboAPIImages}, {&l.WeChatTitle, &d.WeChatTitle}, {&l.WeChatAuthor, &d.WeChatAuthor},
		{&l.WeChatDigest, &d.WeChatDigest}, {&l.WeChatBodyChars, &d.WeChatBodyChars}, {&l.WeChatBodyBytes, &d.WeChatBodyBytes},
	} {
		if *p.v <= 0 {
			*p.v = *p.def
		}
	}
	return l
}

// Config is what a Checker is built from: the glossary (an organization's merged
// with an institution's, see MergeGlossaries), the sensitive vocabulary and the
// limits.
type Config struct {
	Glossary []Term
	Lexicon  []LexiconEntry
	Limits   Limits
	// HostedImage tells which body image URLs WeChat will keep; nil means
	// HostedImage.
	HostedImage func(src string) bool
	// Severity overrides the severity of whole rules: rule id → "error", "warning"
	// or "off" (the rule is not run). Lexicon findings keep each entry's severity
	// unless overridden here.
	Severity map[string]string
}

// Checker runs the checks. It is built once per organization (and institution)
// and is safe for concurrent use.
type Checker struct {
	han      *hanData
	glossary []Term
	lexicon  []LexiconEntry
	limits   Limits
	hosted   func(string) bool
	severity map[string]string

	source        *matcher
	sourcePayload flat[int32] // pattern → term indexes
	zh            *matcher
	zhPayload     flat[zhPayload]
}

// flat is a read-only list of lists held in two slices: a long-lived Checker holds
// 100,000 of them, and the garbage collector scans none of these.
type flat[T any] struct {
	off   []int32
	items []T
}

func newFlat[T any](ls [][]T) flat[T] {
	f := flat[T]{off: make([]int32, 1, len(ls)+1)}
	for _, l := range ls {
		f.items = append(f.items, l...)
		f.off = append(f.off, int32(len(f.items)))
	}
	return f
}

func (f flat[T]) at(i int) []T { return f.items[f.off[i]:f.off[i+1]] }

type zhPayload struct {
	kind uint8 // zhRendering, zhVariant, zhLexicon
	idx  int32 // term or lexicon entry
	sub  int32 // variant index
}

const (
	zhRendering = iota // the preferred rendering or an accepted one
	zhVariant
	zhLexicon
	zhPreferred // the preferred rendering itself (for zh-Hant conversion); also a rendering
)

// NewChecker validates cfg and builds the matching automata (a few tens of
// milliseconds for thousands of terms).
func NewChecker(cfg Config) (*Checker, error) {
	h, err := hanTables()
	if err != nil {
		return nil, fmt.Errorf("new checker: %w", err)
	}
	for i := range cfg.Glossary {
		if err := cfg.Glossary[i].Validate(); err != nil {
			return nil, passerelle.Errorf(passerelle.EINVALID, "glossary term %d (%q): %s", i+1, cfg.Glossary[i].Source, describeFieldErrors(err))
		}
	}
	for i := range cfg.Lexicon {
		if err := cfg.Lexicon[i].Validate(); err != nil {
			return nil, passerelle.Errorf(passerelle.EINVALID, "vocabulary term %d (%q): %s", i+1, cfg.Lexicon[i].Term, describeFieldErrors(err))
		}
	}
	for rule, sev := range cfg.Severity {
		if sev != SeverityError && sev != SeverityWarning && sev != "off" {
			return nil, passerelle.Errorf(passerelle.EINVALID, "severity of %s: use error, warning or off", rule)
		}
	}
	c := &Checker{
		han:      h,
		glossary: slices.Clone(cfg.Glossary),
		lexicon:  slices.Clone(cfg.Lexicon),
		limits:   cfg.Limits.withDefaults(),
		hosted:   cfg.HostedImage,
		severity: maps.Clone(cfg.Severity),
	}
	if c.hosted == nil {
		c.hosted = HostedImage
	}

	var srcPats [][]rune
	var srcPayload [][]int32
	var zhPayloads [][]zhPayload
	srcIndex := map[string]int{}
	addSrc := func(s string, term int) {
		f := foldRunes(h, []rune(strings.TrimSpace(s)))
		if len(f) == 0 {
			return
		}
		k := string(f)
		p, ok := srcIndex[k]
		if !ok {
			p = len(srcPats)
			srcIndex[k] = p
			srcPats = append(srcPats, f)
			srcPayload = append(srcPayload, nil)
		}
		if !slices.Contains(srcPayload[p], int32(term)) {
			srcPayload[p] = append(srcPayload[p], int32(term))
		}
	}
	var zhPats [][]rune
	zhIndex := map[string]int{}
	addZH := func(s string, pl zhPayload) {
		f := foldRunes(h, []rune(strings.TrimSpace(s)))
		if len(f) == 0 {
			return
		}
		k := string(f)
		p, ok := zhIndex[k]
		if !ok {
			p = len(zhPats)
			zhIndex[k] = p
			zhPats = append(zhPats, f)
			zhPayloads = append(zhPayloads, nil)
		}
		zhPayloads[p] = append(zhPayloads[p], pl)
	}
	for i, t := range c.glossary {
		addSrc(t.Source, i)
		for _, a := range t.Aliases {
			addSrc(a, i)
		}
		addZH(t.ZH, zhPayload{kind: zhPreferred, idx: int32(i)})
		for _, a := range t.Accepted {
			addZH(a, zhPayload{kind: zhRendering, idx: int32(i)})
		}
		for j, v := range t.Variants {
			addZH(v, zhPayload{kind: zhVariant, idx: int32(i), sub: int32(j)})
		}
	}
	for i, e := range c.lexicon {
		addZH(e.Term, zhPayload{kind: zhLexicon, idx: int32(i)})
	}
	c.source, c.sourcePayload = newMatcher(h, srcPats), newFlat(srcPayload)
	c.zh, c.zhPayload = newMatcher(h, zhPats), newFlat(zhPayloads)
	return c, nil
}

// reporter collects findings in the requested language.
type reporter struct {
	lang     string
	severity map[string]string
	out      []Finding
}

// add records a finding; kv are placeholder name/value pairs.
func (r *reporter) add(rule, severity, code string, pubID int64, field string, start, end int, kv ...string) {
	if s, ok := r.severity[rule]; ok {
		if s == "off" {
			return
		}
		severity = s
	}
	var params map[string]string
	if len(kv) > 0 {
		params = make(map[string]string, len(kv)/2)
		for i := 0; i+1 < len(kv); i += 2 {
			// Values quote the user's text, which may not be valid UTF-8.
			params[kv[i]] = strings.ToValidUTF8(kv[i+1], "\uFFFD")
		}
	}
	r.out = append(r.out, Finding{
		Rule: rule, Severity: severity, PublicationID: pubID, Field: field, Start: start, End: end,
		Code: code, Params: params, Message: message(r.lang, code, params),
	})
}

func (r *reporter) off(rule string) bool { return r.severity[rule] == "off" }

func pubField(i int, name string) string {
	return "publications[" + strconv.Itoa(i) + "]." + name
}

// zhField is one Chinese text the language checks read.
type zhField struct {
	pubID int64
	name  string
	view  textView
	html  bool
	// unit is what the glossary checks the field with: 0 for the post's text, i+1
	// for the fields of publication i (its Weibo text; its WeChat title, digest and
	// body together).
	unit int
}

// Check runs every check on in and returns the findings, post-level first, then
// publication by publication, each field in order of position. Spans are rune
// offsets into the named field.
func (c *Checker) Check(in Input) []Finding {
	r := &reporter{lang: normalizeLang(in.Lang), severity: c.severity}

	fields := []zhField{{name: "text_zh", view: plainView(in.TextZH)}}
	for i := range in.Publications {
		p := &in.Publications[i]
		if p.Text != "" {
			fields = append(fields, zhField{pubID: p.ID, name: pubField(i, "text"), view: plainView(p.Text), unit: i + 1})
		}
		switch {
		case p.Platform == passerelle.Weibo:
			c.checkWeibo(r, i, p)
		case p.WeChat != nil:
			for _, f := range c.checkWeChat(r, i, p) {
				f.unit = i + 1
				fields = append(fields, f)
			}
		}
	}
	c.checkLanguage(r, in, fields)
	c.checkQuiet(r, in)
	c.checkRights(r, in)

	order := map[string]int{"source_text": -2, "text_zh": -1}
	for i := range in.Publications {
		order["publications["+strconv.Itoa(i)+"]"] = i
	}
	rank := func(f Finding) int {
		if k, ok := order[f.Field]; ok {
			return k
		}
		if j := strings.IndexByte(f.Field, '.'); j > 0 {
			return order[f.Field[:j]]
		}
		return len(in.Publications)
	}
	slices.SortStableFunc(r.out, func(a, b Finding) int {
		if d := rank(a) - rank(b); d != 0 {
			return d
		}
		if a.Field != b.Field {
			return 0
		}
		return a.Start - b.Start
	})
	return r.out
}

// zhMatch is one occurrence of a Chinese pattern in a field's view.
type zhMatch struct {
	pat        int
	start, end int
}

// checkLanguage runs the glossary, sensitive vocabulary, traditional character and
// typography checks over the Chinese fields, and the glossary's source side over the
// source text.
func (c *Checker) checkLanguage(r *reporter, in Input, fields []zhField) {
	source := in.SourceText
	units := len(in.Publications) + 1
	// present[u][t]: glossary term t is rendered in unit u; chinese[u]: unit u has
	// Chinese text; anchor[u]: the field a unit's finding is attached to.
	present := make([][]bool, units)
	for u := range present {
		present[u] = make([]bool, len(c.glossary))
	}
	chinese := make([]bool, units)
	anchor := make([]*zhField, units)
	var matches []zhMatch
	for fi := range fields {
		f := &fields[fi]
		rs := f.view.runes
		if len(rs) == 0 {
			continue
		}
		if !chinese[f.unit] && slices.ContainsFunc(rs, isHan) {
			chinese[f.unit] = true
		}
		if anchor[f.unit] == nil || strings.HasSuffix(f.name, "body_html") {
			anchor[f.unit] = f
		}
		matches = matches[:0]
		c.zh.scan(rs, func(pat, start, end int) { matches = append(matches, zhMatch{pat, start, end}) })
		c.useZHMatches(r, f, matches, present[f.unit])
		if !r.off(RuleTraditionalChars) {
			c.checkTraditional(r, f)
		}
		if !r.off(RuleTypography) {
			for _, is := range checkTypography(rs, findURLs(rs), f.html) {
				s, e := f.view.span(is.start, is.end)
				r.add(RuleTypography, SeverityWarning, is.code, f.pubID, f.name, s, e, flatten(is.params)...)
			}
		}
	}
	if !slices.Contains(chinese, true) || source == "" || r.off(RuleGlossary) || len(c.glossary) == 0 {
		return
	}
	// Source side: the first occurrence of each term, ignoring names inside a longer
	// name ("impressionnisme" in "post-impressionnisme").
	srs := []rune(source)
	type occ struct{ term, start, end int }
	var occs []occ
	c.source.scan(srs, func(pat, start, end int) {
		for _, t := range c.sourcePayload.at(pat) {
			occs = append(occs, occ{int(t), start, end})
		}
	})
	reported := make([]bool, len(c.glossary))
	for _, o := range occs {
		if reported[o.term] {
			continue
		}
		inside := slices.ContainsFunc(occs, func(x occ) bool {
			return x.term != o.term && x.start <= o.start && o.end <= x.end && x.end-x.start > o.end-o.start
		})
		if inside {
			continue
		}
		reported[o.term] = true
		t := &c.glossary[o.term]
		// The post's Chinese text, with the term highlighted in the source.
		inPost := chinese[0] && !present[0][o.term]
		if inPost {
			r.add(RuleGlossary, SeverityError, "glossary.missing", 0, "source_text", o.start, o.end,
				"source", string(srs[o.start:o.end]), "zh", t.ZH)
		}
		// Each publication on its own: a rendering in another publication does not
		// count. A Weibo text that is the post's text needs no second finding.
		for i := range in.Publications {
			u := i + 1
			if !chinese[u] || present[u][o.term] {
				continue
			}
			p := &in.Publications[i]
			code := "glossary.missing_wechat"
			if p.WeChat == nil {
				if inPost && strings.HasPrefix(p.Text, in.TextZH) {
					continue
				}
				code = "glossary.missing_weibo"
			}
			a := anchor[u]
			r.add(RuleGlossary, SeverityError, code, p.ID, a.name, 0, 0, "source", string(srs[o.start:o.end]), "zh", t.ZH)
		}
	}
}

// useZHMatches turns the pattern occurrences of one field into glossary presence,
// variant findings and sensitive vocabulary findings.
func (c *Checker) useZHMatches(r *reporter, f *zhField, ms []zhMatch, present []bool) {
	// A rendering inside a variant of the same term does not count, and a variant
	// inside an approved rendering is not one; a vocabulary term inside a longer
	// one is reported once, as the longer.
	// Matches come in order of end: the ones that can contain m end between m.end
	// and m.start plus the longest pattern.
	contains := func(kind uint8, term int32, m zhMatch) bool {
		from, _ := slices.BinarySearchFunc(ms, m.end, func(x zhMatch, end int) int { return x.end - end })
		for _, x := range ms[from:] {
			if x.end > m.start+c.zh.maxLen {
				break
			}
			if x.end-x.start <= m.end-m.start || x.start > m.start {
				continue
			}
			for _, pl := range c.zhPayload.at(x.pat) {
				k := pl.kind
				if k == zhPreferred {
					k = zhRendering
				}
				if k == kind && (term < 0 || pl.idx == term) {
					return true
				}
			}
		}
		return false
	}
	for _, m := range ms {
		for _, pl := range c.zhPayload.at(m.pat) {
			switch pl.kind {
			case zhPreferred, zhRendering:
				if !present[pl.idx] && !contains(zhVariant, pl.idx, m) {
					present[pl.idx] = true
				}
			case zhVariant:
				if r.off(RuleGlossaryVariant) || contains(zhRendering, -1, m) {
					continue
				}
				t := &c.glossary[pl.idx]
				s, e := f.view.span(m.start, m.end)
				r.add(RuleGlossaryVariant, SeverityWarning, "glossary_variant.found", f.pubID, f.name, s, e,
					"variant", string(f.view.runes[m.start:m.end]), "source", t.Source, "zh", t.ZH)
			case zhLexicon:
				if r.off(RuleSensitive) || contains(zhLexicon, -1, m) {
					continue
				}
				e := &c.lexicon[pl.idx]
				sev, code := SeverityWarning, "sensitive.warn"
				if e.Severity == LexiconBlock {
					sev, code = SeverityError, "sensitive.block"
				}
				kv := []string{"term", string(f.view.runes[m.start:m.end])}
				if e.Note != "" {
					code += "_note"
					kv = append(kv, "note", e.Note)
				}
				s, end := f.view.span(m.start, m.end)
				r.add(RuleSensitive, sev, code, f.pubID, f.name, s, end, kv...)
			}
		}
	}
}

// maxTraditionalFindings bounds the findings for a text pasted in traditional
// characters: past it one finding says how many more there are.
const maxTraditionalFindings = 20

func (c *Checker) checkTraditional(r *reporter, f *zhField) {
	rs := f.view.runes
	n := 0
	for i := 0; i < len(rs); i++ {
		if !c.han.isTradOnly(rs[i]) {
			continue
		}
		j := i + 1
		for j < len(rs) && c.han.isTradOnly(rs[j]) {
			j++
		}
		if n == maxTraditionalFindings {
			more := 0
			for k := i; k < len(rs); k++ {
				if c.han.isTradOnly(rs[k]) {
					more++
				}
			}
			s, e := f.view.span(i, len(rs))
			r.add(RuleTraditionalChars, SeverityWarning, "traditional_chars.more", f.pubID, f.name, s, e, "count", strconv.Itoa(more))
			return
		}
		n++
		s, e := f.view.span(i, j)
		r.add(RuleTraditionalChars, SeverityWarning, "traditional_chars.found", f.pubID, f.name, s, e,
			"text", string(rs[i:j]), "simplified", simplifiedRunes(c.han, rs[i:j]))
		i = j - 1
	}
}

func flatten(m map[string]string) []string {
	kv := make([]string, 0, 2*len(m))
	for k, v := range m {
		kv = append(kv, k, v)
	}
	return kv
}

// ToTraditional converts a simplified text to the traditional variant v, writing
// glossary terms with their approved traditional rendering (梵高 → 梵谷 rather than
// OpenCC's 梵高) and the rest with OpenCC.
func (c *Checker) ToTraditional(s string, v Variant) (string, error) {
	rs := []rune(s)
	type repl struct {
		start, end int
		with       string
	}
	var reps []repl
	c.zh.scan(rs, func(pat, start, end int) {
		for _, pl := range c.zhPayload.at(pat) {
			if pl.kind == zhPreferred && c.glossary[pl.idx].ZHHant != "" {
				reps = append(reps, repl{start, end, c.glossary[pl.idx].ZHHant})
				return
			}
		}
	})
	// Leftmost-longest, non-overlapping.
	slices.SortFunc(reps, func(a, b repl) int {
		if a.start != b.start {
			return a.start - b.start
		}
		return b.end - a.end
	})
	var b strings.Builder
	pos := 0
	for _, rp := range reps {
		if rp.start < pos {
			continue
		}
		seg, err := ToTraditional(string(rs[pos:rp.start]), v)
		if err != nil {
			return "", err
		}
		b.WriteString(seg)
		b.WriteString(rp.with)
		pos = rp.end
	}
	seg, err := ToTraditional(string(rs[pos:]), v)
	if err != nil {
		return "", err
	}
	b.WriteString(seg)
	return b.String(), nil
}
