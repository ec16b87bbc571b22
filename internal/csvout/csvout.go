// Package csvout writes every CSV file Passerelle hands out (glossary, vocabulary,
// barometer): cells a spreadsheet would run as a formula are neutralised, and the file
// can carry a UTF-8 byte order mark and use ";" for spreadsheets set up for French.
// Column headers can be given in the reader's language (from the catalog of
// internal/i18n); Canonical maps them back for the importers.
package csvout

import (
	"encoding/csv"
	"io"
	"net/url"
	"strconv"
	"strings"
	"sync"

	"github.com/passerelle-oss/passerelle/internal/i18n"
)

// Options shape a file for its reader.
type Options struct {
	// BOM starts the file with a UTF-8 byte order mark, which Excel needs to read
	// UTF-8 (Chinese) text.
	BOM bool
	// Semicolon separates fields with ";", as Excel expects where the decimal mark is
	// a comma (French settings).
	Semicolon bool
	// Lang names the headers in fr or zh-Hans; anything else keeps the column keys,
	// which every importer reads.
	Lang string
}

// FromQuery reads ?bom=1, ?sep=semicolon (or ";") and ?excel=fr (BOM and ";") from
// a request, with lang as the header language.
func FromQuery(q url.Values, lang string) Options {
	o := Options{Lang: lang}
	o.BOM, _ = strconv.ParseBool(q.Get("bom"))
	switch q.Get("sep") {
	case "semicolon", ";":
		o.Semicolon = true
	}
	switch q.Get("excel") {
	case "fr":
		o.BOM, o.Semicolon = true, true
	case "1", "true":
		o.BOM = true
	}
	return o
}

// Writer is a csv.Writer that neutralises formulas.
type Writer struct {
	out     io.Writer
	cw      *csv.Writer
	o       Options
	started bool
}

// NewWriter returns a Writer on w.
func NewWriter(w io.Writer, o Options) *Writer {
	cw := csv.NewWriter(w)
	if o.Semicolon {
		cw.Comma = ';'
	}
	return &Writer{out: w, cw: cw, o: o}
}

// Header writes the header line: each column key, named in the options' language.
func (w *Writer) Header(keys []string) error {
	names := make([]string, len(keys))
	for i, k := range keys {
		names[i] = Label(w.o.Lang, k)
	}
	return w.Write(names)
}

// Write writes one record, every cell through Cell.
func (w *Writer) Write(rec []string) error {
	if !w.started {
		w.started = true
		if w.o.BOM {
			if _, err := io.WriteString(w.out, "\ufeff"); err != nil {
				return err
			}
		}
	}
	safe := make([]string, len(rec))
	for i, c := range rec {
		safe[i] = Cell(c)
	}
	return w.cw.Write(safe)
}

// Flush writes what is buffered and reports any error.
func (w *Writer) Flush() error {
	w.cw.Flush()
	return w.cw.Error()
}

// Cell neutralises a cell a spreadsheet would take for a formula (starting with =,
// +, -, @, tab or carriage return) with a leading apostrophe. Numbers, negative ones
// included, are left as they are.
func Cell(s string) string {
	if s == "" || !strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return s
	}
	if _, err := strconv.ParseFloat(s, 64); err == nil && (s[0] == '-' || s[0] == '+') {
		return s
	}
	return "'" + s
}

// Uncell undoes Cell for importers: an apostrophe before a formula character goes.
func Uncell(s string) string {
	if len(s) >= 2 && s[0] == '\'' && strings.ContainsRune("=+-@\t\r", rune(s[1])) {
		return s[1:]
	}
	return s
}

// headerKeys maps every translated header, lower-cased, to its column key; built
// once from the catalog.
var headerKeys = sync.OnceValue(func() map[string]string {
	c := i18n.Shared()
	keys := map[string]string{}
	for _, lang := range i18n.Locales {
		if lang == i18n.Fallback {
			continue
		}
		for _, id := range c.IDs(lang) {
			if k, ok := strings.CutPrefix(id, labelPrefix); ok {
				keys[strings.ToLower(Label(lang, k))] = k
			}
		}
	}
	return keys
})

// Label names column key in lang; the key itself when there is no translation.
func Label(lang, key string) string {
	if m, ok := i18n.Shared().Lookup(lang, labelPrefix+key); ok && lang != i18n.Fallback {
		return strings.ReplaceAll(m.Text, "%%", "%") // catalog texts are fmt formats
	}
	return key
}

// labelPrefix starts the catalog id of a column's header (internal/i18n's
// csvout.*.json); the English header is the column key itself.
const labelPrefix = "csv."

// Canonical maps a header cell in any of the languages back to its column key
// (lower-cased, trimmed); an unknown name comes back lower-cased and trimmed.
func Canonical(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	if k, ok := headerKeys()[name]; ok {
		return k
	}
	return name
}
