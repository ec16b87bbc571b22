package public

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle/internal/i18n"
)

// languages of the public pages, in the order of the language switch.
var languages = []string{"fr", "en", "zh-Hans"}

// msgPrefix starts the ids of the public pages' messages in the shared catalog
// (internal/i18n, messages/public.<lang>.json).
const msgPrefix = "public."

// catalog returns the page's messages per language, keyed by id without msgPrefix,
// plus "lang" (the page's language tag). It is built once per handler and never
// changed.
func catalog() map[string]map[string]string {
	c := i18n.Shared()
	out := map[string]map[string]string{}
	for _, lang := range languages {
		l := c.Localizer(lang)
		m := map[string]string{"lang": lang}
		for _, id := range c.IDs(lang) {
			if k, ok := strings.CutPrefix(id, msgPrefix); ok {
				m[k] = l.T(id)
			}
		}
		out[lang] = m
	}
	return out
}

// chooseLanguage takes ?lang= ("zh" is taken for "zh-Hans"), else the first of the
// browser's languages we speak, else English.
func chooseLanguage(r *http.Request) string {
	if l := strings.ToLower(r.URL.Query().Get("lang")); l != "" {
		for _, x := range []string{"fr", "en", "zh"} {
			if l == x || strings.HasPrefix(l, x+"-") {
				return i18n.Canonical(x)
			}
		}
	}
	return i18n.Shared().Negotiate(r.Header.Get("Accept-Language"))
}

// formatInt groups digits the way the language writes them.
func formatInt(lang string, n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	sep := ","
	if lang == "fr" {
		sep = "\u202f"
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteString(sep)
		}
		b.WriteRune(c)
	}
	if neg {
		return "−" + b.String()
	}
	return b.String()
}

// formatFloat writes a decimal with the language's separator.
func formatFloat(lang string, f float64) string {
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if lang == "fr" {
		s = strings.Replace(s, ".", ",", 1)
	}
	return strings.Replace(s, "-", "−", 1)
}

func formatPercent(lang string, f float64) string {
	if lang == "fr" {
		return formatFloat(lang, f) + "\u202f%"
	}
	return formatFloat(lang, f) + "%"
}
