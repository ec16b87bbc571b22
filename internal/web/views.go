package web

import (
	"bytes"
	"embed"
	"fmt"
	"html/template"
	"io/fs"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

//go:embed templates
var templateFS embed.FS

// viewNames declares every page up front: each is parsed once at start-up with the
// layout and the partials, so a broken template stops the server from starting
// instead of failing on a user's request.
var viewNames = []string{
	"login", "setup", "error", "home",
	"institution_list", "institution_form", "institution_show",
	"account_form", "credentials_form", "connection",
	"user_list", "user_form", "audit",
	"token_list", "settings",
	"post_list", "post_form", "post_history", "calendar", "media_list", "glossary", "term_form", "lexicon", "review",
	"kit", "kit_phone", "outbox", "jobs", "notifications",
	"partners", "campaigns", "campaign", "relay",
	"desk", "conversation",
	"analytics",
	"live_list", "live_form", "live_show", "live_sheet", "network",
	"analytics_import",
	"analytics_org",
	"visit_index", "tour_edit", "stop_form", "tour_labels", "exhibition_edit",
	"schedule_import", "relay_import",
	"member_review",
}

// views are the parsed pages. They are never executed directly: each request clones
// one and binds the localizer's functions to the clone, so concurrent requests in
// different languages share nothing mutable.
type views struct {
	pages map[string]*template.Template
}

// localFuncs are bound per request; the placeholders let the templates parse.
func localFuncs(l *localizer) template.FuncMap {
	return template.FuncMap{
		"t":        l.T,
		"tn":       l.N,
		"msg":      l.Msg,
		"number":   l.Number,
		"compact":  l.Compact,
		"date":     l.Date,
		"datetime": l.DateTime,
		"lang":     func() string { return l.Lang },
		"tr":       l.Or,
		"actor":    l.Actor,
	}
}

func parseViews(st *assets) (*views, error) {
	funcs := localFuncs(&localizer{})
	funcs["asset"] = st.URL
	funcs["dict"] = dict
	funcs["deref"] = func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	funcs["initials"] = initials
	funcs["timePtr"] = func(p *time.Time) time.Time {
		if p == nil {
			return time.Time{}
		}
		return *p
	}
	funcs["join"] = strings.Join
	funcs["hasPrefix"] = strings.HasPrefix
	funcs["zoneCity"] = zoneCity
	funcs["safeArticle"] = safeArticle
	funcs["kb"] = func(n int64) int64 { return (n + 512) / 1024 }
	funcs["seconds"] = func(ms int64) string { return strconv.FormatFloat(float64(ms)/1000, 'f', 1, 64) }
	funcs["list"] = func(s ...string) []string { return s }
	base := template.New("layout.html").Funcs(funcs)
	if _, err := base.ParseFS(templateFS, "templates/layout.html", "templates/partials/*.html"); err != nil {
		return nil, fmt.Errorf("templates: %w", err)
	}
	v := &views{pages: map[string]*template.Template{}}
	for _, name := range viewNames {
		t, err := base.Clone()
		if err != nil {
			return nil, err
		}
		b, err := fs.ReadFile(templateFS, "templates/views/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("view %s: %w", name, err)
		}
		if _, err := t.New(name).Parse(string(b)); err != nil {
			return nil, fmt.Errorf("view %s: %w", name, err)
		}
		v.pages[name] = t
	}
	return v, nil
}

// render executes a page into a buffer, so a template error becomes a clean 500
// rather than half a page.
func (v *views) render(name string, l *localizer, data any) ([]byte, error) {
	page, ok := v.pages[name]
	if !ok {
		return nil, fmt.Errorf("unknown view %q", name)
	}
	t, err := page.Clone()
	if err != nil {
		return nil, err
	}
	t.Funcs(localFuncs(l))
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", data); err != nil {
		return nil, fmt.Errorf("view %s: %w", name, err)
	}
	return buf.Bytes(), nil
}

// dict builds a map for passing several values to a partial.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: odd number of arguments")
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: key %v is not a string", kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}

// initials gives the monogram shown in place of a logo (external images are not
// allowed by the content security policy): "Musée du Louvre" → "ML", "卢浮宫" → "卢".
func initials(s string) string {
	var out []rune
	for _, w := range strings.Fields(s) {
		if stopWords[strings.ToLower(w)] {
			continue
		}
		for _, elision := range []string{"d'", "l'", "d’", "l’", "D'", "L'"} {
			w = strings.TrimPrefix(w, elision)
		}
		if w == "" {
			continue
		}
		r := []rune(w)
		if r[0] > 0x2E80 { // CJK: one character says enough
			return string(r[0])
		}
		out = append(out, []rune(strings.ToUpper(string(r[0])))...)
		if len(out) == 2 {
			break
		}
	}
	if len(out) == 0 {
		return "·"
	}
	return string(out)
}

var stopWords = map[string]bool{"de": true, "du": true, "des": true, "la": true, "le": true, "les": true, "of": true, "the": true, "and": true, "et": true, "&": true}

// instName returns the institution's name in the UI language when one is given.
func instName(i *passerelle.Institution, lang string) string {
	switch {
	case lang == "fr" && i.NameFR != "":
		return i.NameFR
	case lang == "en" && i.NameEN != "":
		return i.NameEN
	case lang == "zh-Hans" && i.NameZH != "":
		return i.NameZH
	}
	return i.Name
}
