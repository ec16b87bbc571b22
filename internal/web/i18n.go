package web

import (
	"embed"
	"encoding/json"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"golang.org/x/text/language"
	"golang.org/x/text/message"

	"github.com/passerelle-oss/passerelle"
)

//go:embed i18n/*.json
var catalogFS embed.FS

// langCookie remembers the language chosen by someone not signed in.
const langCookie = "passerelle_lang"

// supported lists the UI languages in passerelle.Locales order; the first is the
// fallback when the browser asks for none of them.
var supported = []language.Tag{language.English, language.French, language.SimplifiedChinese}

// catalogs holds the messages of every language and the Accept-Language matcher.
type catalogs struct {
	byLang  map[string]map[string]string
	matcher language.Matcher
}

func loadCatalogs() (*catalogs, error) {
	c := &catalogs{byLang: map[string]map[string]string{}, matcher: language.NewMatcher(supported)}
	for _, l := range passerelle.Locales {
		b, err := catalogFS.ReadFile("i18n/" + l + ".json")
		if err != nil {
			return nil, fmt.Errorf("catalog %s: %w", l, err)
		}
		m := map[string]string{}
		if err := json.Unmarshal(b, &m); err != nil {
			return nil, fmt.Errorf("catalog %s: %w", l, err)
		}
		// A part of the interface may keep its messages in its own file
		// (i18n/editorial.fr.json); a key defined twice is a mistake.
		parts, err := fs.Glob(catalogFS, "i18n/*."+l+".json")
		if err != nil {
			return nil, err
		}
		for _, part := range parts {
			b, err := catalogFS.ReadFile(part)
			if err != nil {
				return nil, fmt.Errorf("catalog %s: %w", part, err)
			}
			pm := map[string]string{}
			if err := json.Unmarshal(b, &pm); err != nil {
				return nil, fmt.Errorf("catalog %s: %w", part, err)
			}
			for k, v := range pm {
				if _, dup := m[k]; dup {
					return nil, fmt.Errorf("catalog %s: %q is defined twice", part, k)
				}
				m[k] = v
			}
		}
		c.byLang[l] = m
	}
	return c, nil
}

// localeOf turns a matched tag into one of passerelle.Locales.
func localeOf(t language.Tag) string {
	base, _ := t.Base()
	switch base.String() {
	case "fr":
		return "fr"
	case "zh":
		return "zh-Hans"
	}
	return "en"
}

// negotiate picks the request's language: the signed-in user's choice, else the
// language cookie, else the browser's Accept-Language.
func (c *catalogs) negotiate(r *http.Request, u *passerelle.User) string {
	if u != nil && u.Locale != "" && passerelle.ValidLocale(u.Locale) {
		return u.Locale
	}
	if ck, err := r.Cookie(langCookie); err == nil && ck.Value != "" && passerelle.ValidLocale(ck.Value) {
		return ck.Value
	}
	tags, _, _ := language.ParseAcceptLanguage(r.Header.Get("Accept-Language"))
	t, _, _ := c.matcher.Match(tags...)
	return localeOf(t)
}

// localizer renders messages, numbers and dates in one language.
type localizer struct {
	Lang     string
	messages map[string]string
	fallback map[string]string
	numbers  *message.Printer
}

func (c *catalogs) localizer(lang string) *localizer {
	tag := language.MustParse(lang)
	return &localizer{Lang: lang, messages: c.byLang[lang], fallback: c.byLang["en"], numbers: message.NewPrinter(tag)}
}

// T returns the message for key, formatted with args (fmt verbs, %[n]s for reordering).
// A missing key shows itself, which the catalog tests forbid.
func (l *localizer) T(key string, args ...any) string {
	s, ok := l.messages[key]
	if !ok {
		if s, ok = l.fallback[key]; !ok {
			s = key
		}
	}
	if len(args) > 0 {
		return fmt.Sprintf(s, args...)
	}
	return s
}

// Msg translates a user-safe message of the domain (written in English in the code):
// the catalogs carry them under "msg." + the English text. An unknown message is shown
// as it is.
func (l *localizer) Msg(s string) string {
	if s == "" {
		return ""
	}
	if t, ok := l.messages["msg."+s]; ok {
		return t
	}
	return s
}

// Number formats an integer with the language's grouping.
func (l *localizer) Number(n int64) string { return l.numbers.Sprintf("%d", n) }

// Compact formats follower counts as people read them: 12.3k in English and French,
// 12.3万 in Chinese.
func (l *localizer) Compact(n int64) string {
	if l.Lang == "zh-Hans" {
		switch {
		case n >= 100_000_000:
			return trimZero(l.numbers.Sprintf("%.1f", float64(n)/1e8)) + "亿"
		case n >= 10_000:
			return trimZero(l.numbers.Sprintf("%.1f", float64(n)/1e4)) + "万"
		}
		return l.Number(n)
	}
	switch {
	case n >= 1_000_000:
		return trimZero(l.numbers.Sprintf("%.1f", float64(n)/1e6)) + l.T("unit.million")
	case n >= 10_000:
		return trimZero(l.numbers.Sprintf("%.1f", float64(n)/1e3)) + l.T("unit.thousand")
	}
	return l.Number(n)
}

func trimZero(s string) string {
	if strings.HasSuffix(s, ".0") || strings.HasSuffix(s, ",0") {
		return s[:len(s)-2]
	}
	return s
}

// Date formats an instant in a time zone with the language's layout; zone "" means
// passerelle.DefaultTimeZone.
func (l *localizer) Date(t time.Time, zone string) string {
	return t.In(loadZone(zone)).Format(l.T("format.date"))
}

// DateTime formats an instant with its time, in a time zone.
func (l *localizer) DateTime(t time.Time, zone string) string {
	return t.In(loadZone(zone)).Format(l.T("format.datetime"))
}

func loadZone(zone string) *time.Location {
	if zone == "" {
		zone = passerelle.DefaultTimeZone
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// guestSuffix is how the editorial service marks a name given through a guest link.
const guestSuffix = " (guest link)"

// Actor shows the name recorded for an action, with the guest-link mark in the UI
// language (the record keeps it in English). guestLinkID, when known, marks it too.
func (l *localizer) Actor(name string, guestLinkID int64) string {
	// "Anne (guest link from Claire)": a decision names the link's maker.
	if i := strings.LastIndex(name, guestFromMark); i > 0 && strings.HasSuffix(name, ")") {
		return name[:i] + " " + strings.TrimSuffix(l.T("history.guest_link"), ")") + l.T("history.guest_link_from") + name[i+len(guestFromMark):]
	}
	base, guest := strings.CutSuffix(name, guestSuffix)
	if guest || guestLinkID != 0 {
		return base + " " + l.T("history.guest_link")
	}
	return name
}

// guestFromMark starts the mark of a decision taken through someone's guest link.
const guestFromMark = " (guest link from "
