package checks

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/csvout"
)

// Lexicon severities as written in the CSV file.
const (
	LexiconBlock = "block"
	LexiconWarn  = "warn"
)

// LexiconEntry is one term of an organization's sensitive vocabulary. A "block"
// term yields an error finding (the post cannot be approved), a "warn" term a
// warning.
type LexiconEntry struct {
	ID       int64  `json:"id,omitempty"`
	Term     string `json:"term"`
	Severity string `json:"severity"`
	Note     string `json:"note,omitempty"`
}

// Validate reports what is wrong with e as EINVALID field errors.
func (e *LexiconEntry) Validate() error {
	f := passerelle.FieldErrors{}
	switch {
	case e.Term == "" || foldString(e.Term) == "":
		f.Add("term", "Required.")
	case utf8.RuneCountInString(e.Term) > maxTermRunes:
		f.Add("term", fmt.Sprintf("At most %d characters.", maxTermRunes))
	case !cleanText(e.Term):
		f.Add("term", "Contains invalid characters.")
	}
	if e.Severity != LexiconBlock && e.Severity != LexiconWarn {
		f.Add("severity", "Use block or warn.")
	}
	if utf8.RuneCountInString(e.Note) > maxNoteRunes {
		f.Add("note", fmt.Sprintf("At most %d characters.", maxNoteRunes))
	} else if !cleanText(e.Note) {
		f.Add("note", "Contains invalid characters.")
	}
	return f.Err()
}

var lexiconColumns = []string{"term", "severity", "note"}

// ParseLexiconCSV reads a sensitive vocabulary with the header "term,severity,note"
// (columns in any order; note optional). Severity is block or warn. It returns every
// entry or an EINVALID error naming the first failing line, never both. A term
// listed twice is an error; its simplified and traditional forms may both be listed.
func ParseLexiconCSV(r io.Reader) ([]LexiconEntry, error) {
	cr := newCSVReader(r)
	header, err := cr.Read()
	if err != nil {
		return nil, csvError(err, "vocabulary")
	}
	col, err := headerIndex(header, func(s string) bool { return slices.Contains(lexiconColumns, s) })
	if err != nil {
		return nil, err
	}
	for _, c := range []string{"term", "severity"} {
		if _, ok := col[c]; !ok {
			return nil, passerelle.Errorf(passerelle.EINVALID, "line 1: missing column %q (expected term,severity,note)", c)
		}
	}
	var out []LexiconEntry
	seen := map[string]int{}
	err = eachRecord(cr, "vocabulary", func(line int, rec []string) error {
		e := LexiconEntry{
			Term:     strings.TrimSpace(rec[col["term"]]),
			Severity: strings.ToLower(strings.TrimSpace(rec[col["severity"]])),
		}
		if i, ok := col["note"]; ok {
			e.Note = strings.TrimSpace(rec[i])
		}
		if err := e.Validate(); err != nil {
			return passerelle.Errorf(passerelle.EINVALID, "line %d: %s", line, describeFieldErrors(err))
		}
		if prev, dup := seen[e.Term]; dup {
			return passerelle.Errorf(passerelle.EINVALID, "line %d: %q is already listed on line %d", line, e.Term, prev)
		}
		seen[e.Term] = line
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// WriteLexiconCSV writes entries in the format ParseLexiconCSV reads, through the
// shared CSV writer.
func WriteLexiconCSV(w io.Writer, entries []LexiconEntry, o csvout.Options) error {
	cw := csvout.NewWriter(w, o)
	if err := cw.Header(lexiconColumns); err != nil {
		return fmt.Errorf("write vocabulary: %w", err)
	}
	for _, e := range entries {
		if err := cw.Write([]string{e.Term, e.Severity, e.Note}); err != nil {
			return fmt.Errorf("write vocabulary: %w", err)
		}
	}
	if err := cw.Flush(); err != nil {
		return fmt.Errorf("write vocabulary: %w", err)
	}
	return nil
}
