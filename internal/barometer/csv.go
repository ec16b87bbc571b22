package barometer

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/csvout"
)

// Line is one valid line of a barometer CSV file.
type Line struct {
	// Num is the line number in the file, the header being line 1.
	Num          int
	Date         time.Time // midnight in China
	Institution  string
	Country      string
	Kind         string
	Platform     passerelle.Platform
	Followers    *int64
	Posts        *int64
	Views        *int64
	Interactions *int64
	Note         string
}

// LineError is what is wrong with one line.
type LineError struct {
	Line    int    `json:"line"`
	Message string `json:"message"`
}

// LineErrors lists the invalid lines of a file; nothing of the file is imported.
type LineErrors []LineError

func (e LineErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d invalid line(s), nothing imported:", len(e))
	for _, l := range e {
		fmt.Fprintf(&b, "\n  line %d: %s", l.Line, l.Message)
	}
	return b.String()
}

// DomainError returns the errors as an EINVALID *passerelle.Error whose fields are
// "line N".
func (e LineErrors) DomainError() *passerelle.Error {
	f := map[string]string{}
	for _, l := range e {
		k := "line " + strconv.Itoa(l.Line)
		if prev, ok := f[k]; ok {
			f[k] = prev + "; " + l.Message
		} else {
			f[k] = l.Message
		}
	}
	return &passerelle.Error{Code: passerelle.EINVALID, Message: fmt.Sprintf("%d line(s) of the file are invalid; nothing was imported.", len(e)), Fields: f, Err: e}
}

// Limits of an import file, so that one request cannot hold the write transaction for
// long.
const (
	MaxLines     = 100_000
	maxErrors    = 100
	maxCellBytes = 1000
)

// columns of the file format: the five of the published 2016 file are required, the
// others optional.
var (
	requiredColumns = []string{"date", "institution", "country", "platform", "followers"}
	optionalColumns = []string{"kind", "posts", "views", "interactions", "note"}
)

// ParseCSV reads a barometer file: a header naming at least date, institution,
// country, platform and followers (any order, any case; kind, posts, views,
// interactions and note are optional), then one reading per line. A date is a day in
// China, YYYY-MM-DD, not after today. It returns every line, or LineErrors naming each
// bad line (up to 100).
func ParseCSV(r io.Reader, today time.Time) ([]Line, error) {
	data, err := io.ReadAll(io.LimitReader(r, 64<<20))
	if err != nil {
		return nil, fmt.Errorf("barometer: read file: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, LineErrors{{Line: 0, Message: "The file is not UTF-8 text; save it as CSV UTF-8."}}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, LineErrors{{Line: 1, Message: "The file is empty; the first line must name the columns: " + strings.Join(requiredColumns, ",") + "."}}
		}
		return nil, LineErrors{{Line: 1, Message: "Unreadable header: " + csvMessage(err)}}
	}
	col := map[string]int{}
	var errs LineErrors
	for i, h := range header {
		name := csvout.Canonical(h)
		if !slices.Contains(requiredColumns, name) && !slices.Contains(optionalColumns, name) {
			errs = append(errs, LineError{1, fmt.Sprintf("Unknown column %q; the columns are %s (and optionally %s).", truncate(h), strings.Join(requiredColumns, ", "), strings.Join(optionalColumns, ", "))})
			continue
		}
		if _, dup := col[name]; dup {
			errs = append(errs, LineError{1, fmt.Sprintf("Column %q appears twice.", name)})
			continue
		}
		col[name] = i
	}
	for _, c := range requiredColumns {
		if _, ok := col[c]; !ok {
			errs = append(errs, LineError{1, fmt.Sprintf("Missing column %q.", c)})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	today = day(today)
	type key struct {
		date        string
		institution string
		platform    passerelle.Platform
	}
	seen := map[key]int{}
	var lines []Line
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			// FieldPos is only defined after a successful Read.
			num := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				num = pe.StartLine
			}
			errs = append(errs, LineError{num, csvMessage(err)})
			if len(errs) >= maxErrors {
				break
			}
			continue
		}
		num, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue // blank line
		}
		if len(lines)+len(errs) >= MaxLines {
			errs = append(errs, LineError{num, fmt.Sprintf("Too many lines: at most %d per file.", MaxLines)})
			break
		}
		l, msgs := parseLine(rec, col, today)
		l.Num = num
		if len(msgs) == 0 {
			k := key{l.Date.Format(time.DateOnly), nameKey(l.Institution), l.Platform}
			if first, dup := seen[k]; dup {
				msgs = append(msgs, fmt.Sprintf("Duplicates line %d (same date, institution and platform).", first))
			} else {
				seen[k] = num
			}
		}
		for _, m := range msgs {
			errs = append(errs, LineError{num, m})
		}
		if len(errs) >= maxErrors {
			break
		}
		if len(msgs) == 0 {
			lines = append(lines, l)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(lines) == 0 {
		return nil, LineErrors{{Line: 2, Message: "The file has no reading after its header."}}
	}
	return lines, nil
}

func parseLine(rec []string, col map[string]int, today time.Time) (Line, []string) {
	var l Line
	var msgs []string
	cell := func(name string) string {
		i, ok := col[name]
		if !ok || i >= len(rec) {
			return ""
		}
		return strings.TrimSpace(csvout.Uncell(rec[i]))
	}
	for _, name := range append(append([]string{}, requiredColumns...), optionalColumns...) {
		if len(cell(name)) > maxCellBytes {
			msgs = append(msgs, fmt.Sprintf("%s: too long.", name))
			return l, msgs
		}
	}
	if d, err := ParseDate(cell("date")); err != nil {
		msgs = append(msgs, fmt.Sprintf("date: %q is not a date YYYY-MM-DD.", truncate(cell("date"))))
	} else if d.After(today) {
		msgs = append(msgs, fmt.Sprintf("date: %s is in the future.", cell("date")))
	} else {
		l.Date = d
	}
	l.Institution = strings.Join(strings.Fields(cell("institution")), " ")
	switch {
	case l.Institution == "":
		msgs = append(msgs, "institution: the name is missing.")
	case utf8.RuneCountInString(l.Institution) > 200:
		msgs = append(msgs, "institution: the name is too long (200 characters at most).")
	}
	l.Country = strings.ToUpper(cell("country"))
	if l.Country != "" && !isCountryCode(l.Country) {
		msgs = append(msgs, fmt.Sprintf("country: %q is not a two-letter ISO 3166 code such as FR.", truncate(cell("country"))))
	}
	l.Platform = passerelle.Platform(strings.ToLower(cell("platform")))
	if !l.Platform.Valid() {
		msgs = append(msgs, fmt.Sprintf("platform: unknown platform %q; use weibo, wechat, douyin or xiaohongshu.", truncate(cell("platform"))))
	}
	l.Kind = strings.ToLower(cell("kind"))
	if l.Kind != "" && !slices.Contains(passerelle.InstitutionKinds, l.Kind) {
		msgs = append(msgs, fmt.Sprintf("kind: unknown institution type %q; use %s.", truncate(cell("kind")), strings.Join(passerelle.InstitutionKinds, ", ")))
	}
	for _, m := range []struct {
		name string
		dst  **int64
	}{{"followers", &l.Followers}, {"posts", &l.Posts}, {"views", &l.Views}, {"interactions", &l.Interactions}} {
		s := cell(m.name)
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(s, 10, 64)
		switch {
		case err != nil:
			msgs = append(msgs, fmt.Sprintf("%s: %q is not a whole number.", m.name, truncate(s)))
		case n < 0:
			msgs = append(msgs, fmt.Sprintf("%s: %d is negative.", m.name, n))
		default:
			*m.dst = &n
		}
	}
	if l.Followers == nil && l.Posts == nil && l.Views == nil && l.Interactions == nil && cell("followers") == "" {
		msgs = append(msgs, "followers: the figure is missing.")
	}
	l.Note = cell("note")
	if utf8.RuneCountInString(l.Note) > 500 {
		msgs = append(msgs, "note: too long (500 characters at most).")
	}
	return l, msgs
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "Malformed CSV: " + pe.Err.Error() + "."
	}
	return "Malformed CSV."
}

// truncate shortens a cell quoted in a message.
func truncate(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

// WriteLines writes lines in the import format, the optional columns included, so that
// an export can be imported again.
func WriteLines(w io.Writer, lines []Line) error {
	cw := csvout.NewWriter(w, csvout.Options{})
	cw.Write(append(append([]string{}, requiredColumns...), optionalColumns...))
	for _, l := range lines {
		cw.Write([]string{l.Date.Format(time.DateOnly), l.Institution, l.Country, string(l.Platform), num(l.Followers), l.Kind, num(l.Posts), num(l.Views), num(l.Interactions), l.Note})
	}
	return cw.Flush()
}

func num(p *int64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatInt(*p, 10)
}

// tableColumns is the header of a table export.
var tableColumns = []string{"rank", "institution", "country", "kind", "followers", "share_pct", "growth", "growth_pct", "posts", "views", "interactions", "index", "previous_rank", "movement", "as_of"}

// WriteTableCSV writes a table's rows as CSV through the shared writer: cells a
// spreadsheet would take for a formula are neutralised (institution names come from
// users); o gives the BOM, separator and header language.
func WriteTableCSV(w io.Writer, t *Table, o csvout.Options) error {
	cw := csvout.NewWriter(w, o)
	cw.Header(tableColumns)
	for _, r := range t.Rows {
		cw.Write([]string{intp(r.Rank), r.Institution, r.Country, r.Kind, num(r.Followers), floatp(r.Share), num(r.Growth), floatp(r.GrowthPct),
			num(r.Posts), num(r.Views), num(r.Interactions), floatp(r.Index), intp(r.PreviousRank), intp(r.Movement), strp(r.AsOf)})
	}
	return cw.Flush()
}

func intp(p *int) string {
	if p == nil {
		return ""
	}
	return strconv.Itoa(*p)
}

func floatp(p *float64) string {
	if p == nil {
		return ""
	}
	return strconv.FormatFloat(*p, 'f', -1, 64)
}

func strp(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func nameKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

func isCountryCode(s string) bool {
	if len(s) != 2 {
		return false
	}
	for _, c := range s {
		if c < 'A' || c > 'Z' {
			return false
		}
	}
	return true
}
