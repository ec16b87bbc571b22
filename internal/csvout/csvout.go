// Package csvout writes every CSV file Passerelle hands out (glossary, vocabulary,
// barometer): cells a spreadsheet would run as a formula are neutralised, and the file
// can carry a UTF-8 byte order mark and use ";" for spreadsheets set up for French.
// Column headers can be given in the reader's language; Canonical maps them back for
// the importers. It imports only the standard library.
package csvout

import (
	"encoding/csv"
	"io"
	"net/url"
	"strconv"
	"strings"
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

// labels are the headers in the readers' languages, by column key.
var labels = map[string]map[string]string{
	"fr": {
		"source": "source", "zh": "chinois", "zh_hant": "chinois traditionnel", "aliases": "alias", "accepted": "acceptés",
		"variants": "variantes", "kind": "type", "note": "note", "birth_date": "date de naissance", "death_date": "date de décès",
		"term": "terme", "severity": "gravité",
		"rank": "rang", "institution": "institution", "country": "pays", "followers": "abonnés", "share_pct": "part (%)",
		"growth": "croissance", "growth_pct": "croissance (%)", "posts": "publications", "views": "vues", "interactions": "interactions",
		"index": "indice", "previous_rank": "rang précédent", "movement": "évolution", "as_of": "relevé du",
	},
	"zh-Hans": {
		"source": "原文", "zh": "简体中文", "zh_hant": "繁体中文", "aliases": "别名", "accepted": "可接受译名",
		"variants": "变体", "kind": "类型", "note": "备注", "birth_date": "出生日期", "death_date": "逝世日期",
		"term": "词语", "severity": "级别",
		"rank": "排名", "institution": "机构", "country": "国家", "followers": "粉丝数", "share_pct": "占比（%）",
		"growth": "增长", "growth_pct": "增长（%）", "posts": "发文数", "views": "阅读数", "interactions": "互动数",
		"index": "指数", "previous_rank": "上期排名", "movement": "名次变化", "as_of": "数据日期",
	},
}

// Label names column key in lang; the key itself when there is no translation.
func Label(lang, key string) string {
	if l, ok := labels[lang][key]; ok {
		return l
	}
	return key
}

// Canonical maps a header cell in any of the languages back to its column key
// (lower-cased, trimmed); an unknown name comes back lower-cased and trimmed.
func Canonical(name string) string {
	name = strings.ToLower(strings.TrimSpace(name))
	for _, m := range labels {
		for k, l := range m {
			if strings.ToLower(l) == name {
				return k
			}
		}
	}
	return name
}
