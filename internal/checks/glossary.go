package checks

import (
	"bytes"
	_ "embed"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/csvout"
)

// Term is one glossary entry: a name in the source languages and its approved
// Chinese rendering.
type Term struct {
	ID int64 `json:"id,omitempty"`
	// Source is the name in the source language (French in the shared glossary).
	Source string `json:"source"`
	// Aliases are other source-language forms that also count (English name…).
	Aliases []string `json:"aliases,omitempty"`
	// ZH is the preferred simplified rendering; ZHHant the traditional one, used
	// when a post gets a zh-Hant variant.
	ZH     string `json:"zh"`
	ZHHant string `json:"zh_hant,omitempty"`
	// Accepted are other renderings that also satisfy the glossary (a full name, an
	// account name), Variants the non-preferred renderings that are flagged.
	Accepted  []string `json:"accepted,omitempty"`
	Variants  []string `json:"variants,omitempty"`
	Kind      string   `json:"kind,omitempty"`
	Note      string   `json:"note,omitempty"`
	BirthDate string   `json:"birth_date,omitempty"`
	DeathDate string   `json:"death_date,omitempty"`
}

// Limits of a glossary entry, generous for names and short notes.
const (
	maxTermRunes = 200
	maxNoteRunes = 2000
	maxListItems = 20
	maxCSVRows   = 200_000
)

var (
	kindRe = regexp.MustCompile(`^[a-z][a-z_-]{0,31}$`)
	dateRe = regexp.MustCompile(`^-?[0-9]{1,4}(-[0-9]{2}(-[0-9]{2})?)?$`)
)

// Validate reports what is wrong with t as EINVALID field errors.
func (t *Term) Validate() error {
	f := passerelle.FieldErrors{}
	checkText := func(field, s string, required bool, limit int) {
		switch {
		case s == "" && required:
			f.Add(field, "Required.")
		case utf8.RuneCountInString(s) > limit:
			f.Add(field, fmt.Sprintf("At most %d characters.", limit))
		case !cleanText(s):
			f.Add(field, "Contains invalid characters.")
		}
	}
	checkText("source", t.Source, true, maxTermRunes)
	checkText("zh", t.ZH, true, maxTermRunes)
	checkText("zh_hant", t.ZHHant, false, maxTermRunes)
	checkText("note", t.Note, false, maxNoteRunes)
	for name, list := range map[string][]string{"aliases": t.Aliases, "accepted": t.Accepted, "variants": t.Variants} {
		if len(list) > maxListItems {
			f.Add(name, fmt.Sprintf("At most %d items.", maxListItems))
		}
		for _, s := range list {
			checkText(name, s, true, maxTermRunes)
			if strings.Contains(s, "|") {
				f.Add(name, "An item must not contain |.")
			}
		}
	}
	if t.Kind != "" && !kindRe.MatchString(t.Kind) {
		f.Add("kind", "Lower-case letters only, at most 32.")
	}
	for name, d := range map[string]string{"birth_date": t.BirthDate, "death_date": t.DeathDate} {
		if d != "" && !dateRe.MatchString(d) {
			f.Add(name, "Use YYYY, YYYY-MM or YYYY-MM-DD.")
		}
	}
	if t.Source != "" && len(foldString(t.Source)) == 0 {
		f.Add("source", "Required.")
	}
	return f.Err()
}

// cleanText reports whether s is valid UTF-8 without control characters other than
// tabs and line breaks, and without leading or trailing space.
func cleanText(s string) bool {
	if !utf8.ValidString(s) || strings.TrimSpace(s) != s {
		return false
	}
	for _, r := range s {
		if unicode.IsControl(r) && r != '\n' && r != '\t' && r != '\r' {
			return false
		}
	}
	return true
}

//go:embed seed/glossary-fr-zh.csv
var seedGlossaryCSV []byte

// SeedGlossary returns the shared French–Chinese glossary an organization starts
// with (institutions, artists, artworks, places and people).
func SeedGlossary() []Term {
	terms, err := ParseGlossaryCSV(bytes.NewReader(seedGlossaryCSV))
	if err != nil {
		// The file is compiled in and covered by tests.
		panic("checks: embedded seed glossary: " + err.Error())
	}
	return terms
}

// Glossary CSV formats. The shared format is the one of glossary-fr-zh.csv; the
// generic one is what WriteGlossaryCSV produces.
var (
	sharedGlossaryColumns  = []string{"kind", "fr", "en", "zh_hans", "zh_hant", "note"}
	genericGlossaryColumns = []string{"source", "zh", "zh_hant", "aliases", "accepted", "variants", "kind", "note", "birth_date", "death_date"}
)

func isGlossaryColumn(name string) bool {
	return slices.Contains(sharedGlossaryColumns, name) || slices.Contains(genericGlossaryColumns, name)
}

// ParseGlossaryCSV reads a glossary. The header selects the format: the shared
// file's "kind,fr,en,zh_hans,zh_hant,note" (fr is the source, en an alias, and a note
// such as "also 卢浮宫博物馆" or "full name 克劳德·莫奈" names accepted renderings), or
// the generic "source,zh,zh_hant,aliases,accepted,variants,kind,note,birth_date,
// death_date" in any order, where only source and zh are required and lists are
// separated by "|". It returns every term or an EINVALID error naming the first
// failing line, never both.
func ParseGlossaryCSV(r io.Reader) ([]Term, error) {
	cr := newCSVReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, csvError(err, "glossary")
	}
	col, err := headerIndex(header, isGlossaryColumn)
	if err != nil {
		return nil, err
	}
	_, shared := col["fr"]
	if shared {
		if _, ok := col["zh_hans"]; !ok {
			return nil, passerelle.Errorf(passerelle.EINVALID, "line 1: the glossary needs a zh_hans column next to fr")
		}
		if _, ok := col["source"]; ok {
			return nil, passerelle.Errorf(passerelle.EINVALID, "line 1: use either fr or source, not both")
		}
	} else {
		for _, c := range []string{"source", "zh"} {
			if _, ok := col[c]; !ok {
				return nil, passerelle.Errorf(passerelle.EINVALID, "line 1: missing column %q (expected %s or %s)",
					c, strings.Join(genericGlossaryColumns, ","), strings.Join(sharedGlossaryColumns, ","))
			}
		}
	}
	var terms []Term
	seen := map[string]int{}
	err = eachRecord(cr, "glossary", func(line int, rec []string) error {
		get := func(name string) string {
			if i, ok := col[name]; ok {
				return strings.TrimSpace(rec[i])
			}
			return ""
		}
		var t Term
		if shared {
			t = Term{Source: get("fr"), ZH: get("zh_hans"), ZHHant: get("zh_hant"), Kind: get("kind"), Note: get("note")}
			if en := get("en"); en != "" && foldString(en) != foldString(t.Source) {
				t.Aliases = []string{en}
			}
			t.Accepted = acceptedFromNote(t.Note, t.ZH)
		} else {
			t = Term{
				Source: get("source"), ZH: get("zh"), ZHHant: get("zh_hant"),
				Aliases: splitList(get("aliases")), Accepted: splitList(get("accepted")), Variants: splitList(get("variants")),
				Kind: get("kind"), Note: get("note"), BirthDate: get("birth_date"), DeathDate: get("death_date"),
			}
		}
		if err := t.Validate(); err != nil {
			return passerelle.Errorf(passerelle.EINVALID, "line %d: %s", line, describeFieldErrors(err))
		}
		key := foldString(t.Source)
		if prev, dup := seen[key]; dup {
			return passerelle.Errorf(passerelle.EINVALID, "line %d: %q is already defined on line %d", line, t.Source, prev)
		}
		seen[key] = line
		terms = append(terms, t)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return terms, nil
}

// WriteGlossaryCSV writes terms in the generic format ParseGlossaryCSV reads back,
// through the shared CSV writer (formulas neutralised; BOM, separator and header
// language from o).
func WriteGlossaryCSV(w io.Writer, terms []Term, o csvout.Options) error {
	cw := csvout.NewWriter(w, o)
	if err := cw.Header(genericGlossaryColumns); err != nil {
		return fmt.Errorf("write glossary: %w", err)
	}
	for _, t := range terms {
		rec := []string{t.Source, t.ZH, t.ZHHant, strings.Join(t.Aliases, "|"), strings.Join(t.Accepted, "|"),
			strings.Join(t.Variants, "|"), t.Kind, t.Note, t.BirthDate, t.DeathDate}
		if err := cw.Write(rec); err != nil {
			return fmt.Errorf("write glossary: %w", err)
		}
	}
	if err := cw.Flush(); err != nil {
		return fmt.Errorf("write glossary: %w", err)
	}
	return nil
}

// MergeGlossaries returns the organization's terms overridden by the institution's:
// an institution term replaces the organization term with the same source.
func MergeGlossaries(org, institution []Term) []Term {
	override := make(map[string]bool, len(institution))
	for _, t := range institution {
		override[foldString(t.Source)] = true
	}
	out := make([]Term, 0, len(org)+len(institution))
	for _, t := range org {
		if !override[foldString(t.Source)] {
			out = append(out, t)
		}
	}
	return append(out, institution...)
}

// hanRun matches the Chinese renderings named in a note: Han characters, possibly
// joined by the middle dots and hyphens of transliterated names.
var hanRun = regexp.MustCompile(`\p{Han}[\p{Han}·・\-]*\p{Han}|\p{Han}`)

// acceptedFromNote reads the renderings a shared-glossary note accepts besides the
// preferred one: "also 卢浮宫博物馆 (account name)", "full name 克劳德·莫奈".
func acceptedFromNote(note, preferred string) []string {
	l := strings.ToLower(note)
	if !strings.HasPrefix(l, "also ") && !strings.HasPrefix(l, "full name ") && !strings.HasPrefix(l, "or ") {
		return nil
	}
	var out []string
	for _, s := range hanRun.FindAllString(note, maxListItems) {
		if s != preferred {
			out = append(out, s)
		}
	}
	return out
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	var out []string
	for part := range strings.SplitSeq(s, "|") {
		if p := strings.TrimSpace(part); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// foldString folds s for comparing names (see hanData.foldRune) and trims it.
func foldString(s string) string {
	h, err := hanTables()
	if err != nil {
		return strings.ToLower(strings.TrimSpace(s))
	}
	return strings.TrimSpace(string(foldRunes(h, []rune(s))))
}

func foldRunes(h *hanData, rs []rune) []rune {
	out := make([]rune, len(rs))
	for i, r := range rs {
		out[i] = h.foldRune(r)
	}
	return out
}
