// Package i18n is Passerelle's one translation mechanism: message catalogs keyed by
// message ids, in fr, en and zh-Hans, with plural forms chosen by the CLDR rules of
// each language, and the negotiation of a request's language.
//
// Catalogs are JSON files named <feature>.<lang>.json (or <lang>.json) holding an
// object of id → message. A message is a string, or an object of CLDR plural forms
// ("zero", "one", "two", "few", "many", "other") for messages that depend on a count.
// Messages take fmt verbs (T, N) or {name} placeholders (Fill).
//
// The catalogs of the packages that render no templates (public pages, connect,
// WeChat diagnostics, checks, API errors) are embedded here as Messages; the web
// interface keeps its own files beside its templates and loads both with Load.
package i18n

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/text/feature/plural"
	"golang.org/x/text/language"
	"golang.org/x/text/message"
)

// Locales are the languages every catalog must cover, the fallback first.
var Locales = []string{"en", "fr", "zh-Hans"}

// Fallback is the language shown when a message or a language is missing.
const Fallback = "en"

//go:embed messages/*.json
var messagesFS embed.FS

// Messages are the catalogs embedded in this package (public pages, connect, WeChat,
// checks, API).
var Messages fs.FS = mustSub(messagesFS, "messages")

func mustSub(f fs.FS, dir string) fs.FS {
	s, err := fs.Sub(f, dir)
	if err != nil {
		panic(err)
	}
	return s
}

// Message is one catalog entry: a plain text, or plural forms.
type Message struct {
	Text  string
	Forms map[plural.Form]string
}

// form returns the text for the plural form, falling back to other.
func (m Message) form(f plural.Form) string {
	if s, ok := m.Forms[f]; ok {
		return s
	}
	if m.Forms != nil {
		return m.Forms[plural.Other]
	}
	return m.Text
}

// Texts lists every text of the message (one, or one per plural form).
func (m Message) Texts() []string {
	if m.Forms == nil {
		return []string{m.Text}
	}
	out := make([]string, 0, len(m.Forms))
	for _, s := range m.Forms {
		out = append(out, s)
	}
	sort.Strings(out)
	return out
}

var formNames = map[string]plural.Form{
	"zero": plural.Zero, "one": plural.One, "two": plural.Two,
	"few": plural.Few, "many": plural.Many, "other": plural.Other,
}

// UnmarshalJSON takes a string or an object of plural forms.
func (m *Message) UnmarshalJSON(b []byte) error {
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &m.Text)
	}
	var forms map[string]string
	if err := json.Unmarshal(b, &forms); err != nil {
		return fmt.Errorf("a message is a string or an object of plural forms: %w", err)
	}
	if _, ok := forms["other"]; !ok {
		return fmt.Errorf("plural forms need \"other\"")
	}
	m.Forms = map[plural.Form]string{}
	for k, v := range forms {
		f, ok := formNames[k]
		if !ok {
			return fmt.Errorf("unknown plural form %q", k)
		}
		m.Forms[f] = v
	}
	m.Text = forms["other"]
	return nil
}

// Catalog holds the messages of every language and the Accept-Language matcher. It is
// built once by Load and never changed.
type Catalog struct {
	byLang  map[string]map[string]Message
	sources map[string]string // id → file that defines it
	matcher language.Matcher
	formats []format // the domain messages with values, to recognise (Domain)
}

// Load reads every *.json file at the root of each file system: <lang>.json or
// <feature>.<lang>.json, lang being one of Locales. An id defined twice in one
// language, an unreadable file or a file of an unknown language is an error.
func Load(fsyss ...fs.FS) (*Catalog, error) {
	c := &Catalog{byLang: map[string]map[string]Message{}, sources: map[string]string{}}
	tags := make([]language.Tag, len(Locales))
	for i, l := range Locales {
		c.byLang[l] = map[string]Message{}
		tags[i] = language.MustParse(l)
	}
	c.matcher = language.NewMatcher(tags)
	for _, fsys := range fsyss {
		files, err := fs.Glob(fsys, "*.json")
		if err != nil {
			return nil, err
		}
		for _, f := range files {
			lang := langOfFile(f)
			msgs, ok := c.byLang[lang]
			if !ok {
				return nil, fmt.Errorf("catalog %s: %q is not one of %v", f, lang, Locales)
			}
			b, err := fs.ReadFile(fsys, f)
			if err != nil {
				return nil, fmt.Errorf("catalog %s: %w", f, err)
			}
			m := map[string]Message{}
			if err := json.Unmarshal(b, &m); err != nil {
				return nil, fmt.Errorf("catalog %s: %w", f, err)
			}
			for id, msg := range m {
				// Two branches may add the same message: the same text twice is
				// harmless, two different texts for one id are a mistake.
				if prev, dup := msgs[id]; dup && !sameMessage(prev, msg) {
					return nil, fmt.Errorf("catalog %s: %q is defined twice", f, id)
				}
				msgs[id] = msg
				if lang == Fallback {
					c.sources[id] = f
				}
			}
		}
	}
	c.formats = compileFormats(c.byLang[Fallback])
	return c, nil
}

func sameMessage(a, b Message) bool {
	if a.Text != b.Text || len(a.Forms) != len(b.Forms) {
		return false
	}
	for f, s := range a.Forms {
		if b.Forms[f] != s {
			return false
		}
	}
	return true
}

// langOfFile returns the language of "editorial.zh-Hans.json" or "fr.json".
func langOfFile(name string) string {
	base := strings.TrimSuffix(path.Base(name), ".json")
	if i := strings.LastIndexByte(base, '.'); i >= 0 {
		return base[i+1:]
	}
	return base
}

var shared = sync.OnceValues(func() (*Catalog, error) { return Load(Messages) })

// Shared returns the catalog of Messages alone, for the packages that have no other.
// It is loaded once; its files are checked by this package's tests, so an error here
// is a broken build.
func Shared() *Catalog {
	c, err := shared()
	if err != nil {
		panic("i18n: " + err.Error())
	}
	return c
}

// IDs lists the ids of lang, sorted.
func (c *Catalog) IDs(lang string) []string {
	ids := make([]string, 0, len(c.byLang[lang]))
	for id := range c.byLang[lang] {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	return ids
}

// Lookup returns the message id in lang, without fallback.
func (c *Catalog) Lookup(lang, id string) (Message, bool) {
	m, ok := c.byLang[lang][id]
	return m, ok
}

// Source names the file that defines id (in the fallback language).
func (c *Catalog) Source(id string) string { return c.sources[id] }

// Match returns the supported language of an Accept-Language header; "" when the
// header names none of them.
func (c *Catalog) Match(acceptLanguage string) string {
	tags, _, err := language.ParseAcceptLanguage(acceptLanguage)
	if err != nil || len(tags) == 0 {
		return ""
	}
	_, _, conf := c.matcher.Match(tags...)
	if conf == language.No {
		return ""
	}
	t, _, _ := c.matcher.Match(tags...)
	return Canonical(t.String())
}

// Negotiate returns the language of an Accept-Language header, Fallback when it
// names none of the supported ones.
func (c *Catalog) Negotiate(acceptLanguage string) string {
	if l := c.Match(acceptLanguage); l != "" {
		return l
	}
	return Fallback
}

// Canonical maps a language tag to one of Locales ("zh", "zh-CN", "zh-Hans-CN" →
// "zh-Hans"; "fr-BE" → "fr"); anything else is Fallback.
func Canonical(tag string) string {
	l := strings.ToLower(strings.TrimSpace(tag))
	switch {
	case l == "fr" || strings.HasPrefix(l, "fr-") || strings.HasPrefix(l, "fr_"):
		return "fr"
	case l == "zh" || strings.HasPrefix(l, "zh-") || strings.HasPrefix(l, "zh_"):
		return "zh-Hans"
	}
	return Fallback
}

// Valid reports whether lang is exactly one of Locales.
func Valid(lang string) bool {
	for _, l := range Locales {
		if l == lang {
			return true
		}
	}
	return false
}

// Localizer renders messages and numbers in one language.
type Localizer struct {
	Lang     string
	tag      language.Tag
	messages map[string]Message
	fallback map[string]Message
	formats  []format
	numbers  *message.Printer
}

// Localizer returns the localizer of lang (any tag; Canonical picks the language).
func (c *Catalog) Localizer(lang string) *Localizer {
	if !Valid(lang) {
		lang = Canonical(lang)
	}
	tag := language.MustParse(lang)
	return &Localizer{Lang: lang, tag: tag, messages: c.byLang[lang], fallback: c.byLang[Fallback], formats: c.formats, numbers: message.NewPrinter(tag)}
}

func (l *Localizer) lookup(id string) (Message, bool) {
	if m, ok := l.messages[id]; ok {
		return m, true
	}
	m, ok := l.fallback[id]
	return m, ok
}

// Has reports whether id is in the catalog.
func (l *Localizer) Has(id string) bool {
	_, ok := l.lookup(id)
	return ok
}

// T returns the message id formatted with args (fmt verbs, %[n]s to reorder). A
// missing id shows itself, which the catalog tests forbid.
func (l *Localizer) T(id string, args ...any) string {
	m, ok := l.lookup(id)
	if !ok {
		return id
	}
	if len(args) > 0 {
		return fmt.Sprintf(m.Text, args...)
	}
	return m.Text
}

// N returns the plural form of id for the count n, formatted with args (n is not
// passed to the format unless it is among args).
func (l *Localizer) N(id string, n int, args ...any) string {
	m, ok := l.lookup(id)
	if !ok {
		return id
	}
	s := m.form(l.Form(n))
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Form returns the CLDR plural form of the integer n in the language.
func (l *Localizer) Form(n int) plural.Form {
	if n < 0 {
		n = -n
	}
	return plural.Cardinal.MatchPlural(l.tag, n%10_000_000, 0, 0, 0, 0)
}

// Fill returns the message id with {name} replaced by params[name]. When the message
// has plural forms, params["count"] chooses the form.
func (l *Localizer) Fill(id string, params map[string]string) string {
	m, ok := l.lookup(id)
	if !ok {
		return id
	}
	s := m.Text
	if m.Forms != nil {
		if n, err := strconv.Atoi(params["count"]); err == nil {
			s = m.form(l.Form(n))
		}
	}
	return Replace(s, params)
}

// Replace puts params[name] in place of each {name} of s; an unknown {name} stays.
func Replace(s string, params map[string]string) string {
	if len(params) == 0 || !strings.Contains(s, "{") {
		return s
	}
	var b strings.Builder
	for {
		i := strings.IndexByte(s, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(s[i:], '}')
		if j < 0 {
			break
		}
		b.WriteString(s[:i])
		name := s[i+1 : i+j]
		if v, ok := params[name]; ok {
			b.WriteString(v)
		} else {
			b.WriteString(s[i : i+j+1])
		}
		s = s[i+j+1:]
	}
	b.WriteString(s)
	return b.String()
}

// Number formats an integer with the language's grouping.
func (l *Localizer) Number(n int64) string { return l.numbers.Sprintf("%d", n) }

// Printer is the language's x/text printer, for decimals.
func (l *Localizer) Printer() *message.Printer { return l.numbers }

// Check lists what is wrong with a catalog: an id missing or empty in one of Locales,
// or whose placeholders (fmt verbs, {name}) differ from the fallback language's.
func Check(c *Catalog) []error {
	var errs []error
	ids := map[string]bool{}
	for _, l := range Locales {
		for id := range c.byLang[l] {
			ids[id] = true
		}
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	for _, id := range sorted {
		ref, hasRef := c.byLang[Fallback][id]
		for _, l := range Locales {
			m, ok := c.byLang[l][id]
			if !ok {
				errs = append(errs, fmt.Errorf("%s lacks %q", l, id))
				continue
			}
			for _, text := range m.Texts() {
				if strings.TrimSpace(text) == "" {
					errs = append(errs, fmt.Errorf("%s %q is empty", l, id))
				}
				if hasRef && placeholders(text) != placeholders(ref.Text) {
					errs = append(errs, fmt.Errorf("%s %q: placeholders %q, %s has %q", l, id, placeholders(text), Fallback, placeholders(ref.Text)))
				}
			}
		}
	}
	return errs
}

// placeholders returns the sorted fmt verbs and {name} placeholders of s.
func placeholders(s string) string {
	var found []string
	for i := 0; i < len(s); i++ {
		switch s[i] {
		case '%':
			j := i + 1
			if j < len(s) && s[j] == '%' {
				i = j
				continue
			}
			if j < len(s) && s[j] == '[' {
				for j < len(s) && s[j] != ']' {
					j++
				}
				j++
			}
			for j < len(s) && strings.IndexByte("+-# 0123456789.", s[j]) >= 0 {
				j++
			}
			if j < len(s) {
				found = append(found, "%"+string(s[j]))
			}
			i = j
		case '{':
			if k := strings.IndexByte(s[i:], '}'); k > 1 && !strings.ContainsAny(s[i+1:i+k], " {") {
				found = append(found, s[i:i+k+1])
				i += k
			}
		}
	}
	sort.Strings(found)
	return strings.Join(found, "")
}
