package web

import (
	"embed"
	"fmt"
	"io/fs"
	"net/http"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/i18n"
)

//go:embed i18n/*.json
var catalogFS embed.FS

// langCookie remembers the language chosen by someone not signed in.
const langCookie = "passerelle_lang"

// catalogs holds the messages of every language: the interface's own files
// (i18n/<lang>.json and i18n/<feature>.<lang>.json, any feature) and the shared ones of
// internal/i18n, in one catalog of message ids.
type catalogs struct {
	*i18n.Catalog
	// byLang is the text of each id (the "other" form of plural messages).
	byLang map[string]map[string]string
}

// Catalog loads the interface's catalog files with the shared ones: the one catalog
// the server speaks (pages, API errors, flashes). An id defined twice is an error.
func Catalog() (*i18n.Catalog, error) {
	own, err := fs.Sub(catalogFS, "i18n")
	if err != nil {
		return nil, err
	}
	c, err := i18n.Load(own, i18n.Messages)
	if err != nil {
		return nil, fmt.Errorf("catalog: %w", err)
	}
	return c, nil
}

func loadCatalogs() (*catalogs, error) {
	c, err := Catalog()
	if err != nil {
		return nil, err
	}
	return wrapCatalog(c), nil
}

func wrapCatalog(c *i18n.Catalog) *catalogs {
	w := &catalogs{Catalog: c, byLang: map[string]map[string]string{}}
	for _, l := range passerelle.Locales {
		m := map[string]string{}
		for _, id := range c.IDs(l) {
			msg, _ := c.Lookup(l, id)
			m[id] = msg.Text
		}
		w.byLang[l] = m
	}
	return w
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
	return c.Negotiate(r.Header.Get("Accept-Language"))
}

// localizer renders messages, numbers and dates in one language.
type localizer struct {
	*i18n.Localizer
	messages map[string]string
}

func (c *catalogs) localizer(lang string) *localizer {
	return &localizer{Localizer: c.Localizer(lang), messages: c.byLang[lang]}
}

// Msg translates a user-safe message of the domain (written in English in the code):
// the catalogs carry them under "msg." + the English text, or + the English format for
// messages with values (i18n.Localizer.Domain). An unknown message is shown as it is.
func (l *localizer) Msg(s string) string {
	return l.Domain(s)
}

// Compact formats follower counts as people read them: 12.3k in English and French,
// 12.3万 in Chinese.
func (l *localizer) Compact(n int64) string {
	if l.Lang == "zh-Hans" {
		switch {
		case n >= 100_000_000:
			return trimZero(l.Printer().Sprintf("%.1f", float64(n)/1e8)) + "亿"
		case n >= 10_000:
			return trimZero(l.Printer().Sprintf("%.1f", float64(n)/1e4)) + "万"
		}
		return l.Number(n)
	}
	switch {
	case n >= 1_000_000:
		return trimZero(l.Printer().Sprintf("%.1f", float64(n)/1e6)) + l.T("unit.million")
	case n >= 10_000:
		return trimZero(l.Printer().Sprintf("%.1f", float64(n)/1e3)) + l.T("unit.thousand")
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
