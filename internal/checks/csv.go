package checks

import (
	"bufio"
	"bytes"
	"encoding/csv"
	"errors"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/csvout"
)

// newCSVReader returns a strict reader: every record has the header's number of
// fields, quotes must be well formed, and a leading byte order mark (spreadsheets
// add one) is skipped.
func newCSVReader(r io.Reader) *csv.Reader {
	br := bufio.NewReader(&bomSkipper{r: r})
	cr := csv.NewReader(br)
	// A header with semicolons and no commas is a file from a spreadsheet set up for
	// French (what our exports write with sep=semicolon).
	head, _ := br.Peek(4096)
	if i := bytes.IndexByte(head, '\n'); i >= 0 {
		head = head[:i]
	}
	if bytes.IndexByte(head, ';') >= 0 && bytes.IndexByte(head, ',') < 0 {
		cr.Comma = ';'
	}
	cr.FieldsPerRecord = 0
	cr.TrimLeadingSpace = true
	return cr
}

// bomSkipper drops a UTF-8 byte order mark at the start of the stream.
type bomSkipper struct {
	r       io.Reader
	started bool
	buf     []byte
}

func (b *bomSkipper) Read(p []byte) (int, error) {
	if !b.started {
		b.started = true
		head := make([]byte, 3)
		n, err := io.ReadFull(b.r, head)
		head = head[:n]
		if n == 3 && string(head) == "\ufeff" {
			head = nil
		}
		b.buf = head
		if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
			return 0, err
		}
	}
	if len(b.buf) > 0 {
		n := copy(p, b.buf)
		b.buf = b.buf[n:]
		return n, nil
	}
	return b.r.Read(p)
}

// csvError turns a reading error into an EINVALID error naming the line.
func csvError(err error, what string) error {
	var pe *csv.ParseError
	switch {
	case errors.As(err, &pe):
		msg := pe.Err.Error()
		if errors.Is(pe.Err, csv.ErrFieldCount) {
			msg = "wrong number of fields"
		}
		return passerelle.Errorf(passerelle.EINVALID, "line %d: %s", pe.Line, msg)
	case errors.Is(err, io.EOF):
		return passerelle.Errorf(passerelle.EINVALID, "line 1: the %s file is empty (a header line is required)", what)
	default:
		return passerelle.Errorf(passerelle.EINVALID, "the %s file could not be read: %v", what, err)
	}
}

// headerIndex maps each known column name (lower-cased, trimmed) to its index. It
// rejects unknown and repeated names so that a misspelt column is not silently
// ignored; empty trailing header cells, which spreadsheets leave, are skipped.
func headerIndex(header []string, known func(string) bool) (map[string]int, error) {
	col := map[string]int{}
	for i, h := range header {
		name := csvout.Canonical(h)
		if name == "" {
			continue
		}
		if !known(name) {
			return nil, passerelle.Errorf(passerelle.EINVALID, "line 1: unknown column %q", strings.TrimSpace(h))
		}
		if _, dup := col[name]; dup {
			return nil, passerelle.Errorf(passerelle.EINVALID, "line 1: column %q appears twice", name)
		}
		col[name] = i
	}
	return col, nil
}

func blankRecord(rec []string) bool {
	for _, f := range rec {
		if strings.TrimSpace(f) != "" {
			return false
		}
	}
	return true
}

// describeFieldErrors renders the field errors of a Validate error in a stable
// order: "zh: Required.; note: At most 2000 characters."
func describeFieldErrors(err error) string {
	fields := passerelle.ErrorFields(err)
	if len(fields) == 0 {
		return passerelle.ErrorMessage(err)
	}
	var parts []string
	for _, k := range slices.Sorted(maps.Keys(fields)) {
		parts = append(parts, k+": "+fields[k])
	}
	return strings.Join(parts, "; ")
}

// eachRecord calls fn with every non-blank record of cr after the header and the line
// it starts on, stopping at the first error: a malformed record, more than maxCSVRows
// records (what names them in messages), or fn's own.
func eachRecord(cr *csv.Reader, what string, fn func(line int, rec []string) error) error {
	n := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return nil
		}
		if err != nil {
			return csvError(err, what)
		}
		line, _ := cr.FieldPos(0)
		if blankRecord(rec) {
			continue
		}
		for i, f := range rec {
			rec[i] = csvout.Uncell(f)
		}
		if n++; n > maxCSVRows {
			return passerelle.Errorf(passerelle.EINVALID, "line %d: more than %d terms", line, maxCSVRows)
		}
		if err := fn(line, rec); err != nil {
			return err
		}
	}
}
