package partners

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/csvout"
)

// A directory import is a CSV file: a header naming at least name (or name_zh) and
// kind, then one partner account per line. Lines naming the same partner (same name
// and Chinese name) add accounts to it; its other fields come from its first line.
// Every line is checked before anything is written, and one bad line refuses the
// whole file.

const (
	// MaxImportLines bounds a file.
	MaxImportLines = 20_000
	maxImportErrs  = 100
)

var importColumns = []string{"name", "name_zh", "kind", "language", "topics", "platform", "handle", "followers", "profile_url", "contacts", "consent", "contact_prefs", "audience_notes"}

// LineError is what is wrong with one line of a file.
type LineError struct {
	Line    int
	Message string
}

// LineErrors lists the bad lines of a file; nothing of it is imported.
type LineErrors []LineError

func (e LineErrors) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d invalid line(s), nothing imported:", len(e))
	for _, l := range e {
		fmt.Fprintf(&b, "\n  line %d: %s", l.Line, l.Message)
	}
	return b.String()
}

// domain returns the errors as an EINVALID error whose fields are "line N".
func (e LineErrors) domain() error {
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

// ParseCSV reads a directory file into partners (OrgID unset), or LineErrors naming
// each bad line (up to 100).
func ParseCSV(r io.Reader) ([]*passerelle.Partner, error) {
	data, err := io.ReadAll(io.LimitReader(r, 16<<20))
	if err != nil {
		return nil, fmt.Errorf("partners: read file: %w", err)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if !utf8.Valid(data) {
		return nil, LineErrors{{0, "The file is not UTF-8 text; save it as CSV UTF-8."}}
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return nil, LineErrors{{1, "The file is empty; the first line must name the columns, at least name and kind."}}
		}
		return nil, LineErrors{{1, "Unreadable header: " + csvMessage(err)}}
	}
	col := map[string]int{}
	var errs LineErrors
	for i, h := range header {
		name := csvout.Canonical(h)
		switch {
		case !slices.Contains(importColumns, name):
			errs = append(errs, LineError{1, fmt.Sprintf("Unknown column %q; the columns are %s.", truncate(h), strings.Join(importColumns, ", "))})
		case col[name] > 0:
			errs = append(errs, LineError{1, fmt.Sprintf("Column %q appears twice.", name)})
		default:
			col[name] = i + 1 // 0 means absent
		}
	}
	if col["name"] == 0 && col["name_zh"] == 0 {
		errs = append(errs, LineError{1, `Missing column "name" (or "name_zh").`})
	}
	if col["kind"] == 0 {
		errs = append(errs, LineError{1, `Missing column "kind".`})
	}
	if len(errs) > 0 {
		return nil, errs
	}
	type key struct{ name, zh string }
	byKey := map[key]*passerelle.Partner{}
	firstLine := map[*passerelle.Partner]int{}
	var out []*passerelle.Partner
	lines := 0
	for {
		rec, err := cr.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			num := 0
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				num = pe.StartLine
			}
			errs = append(errs, LineError{num, csvMessage(err)})
			if len(errs) >= maxImportErrs {
				break
			}
			continue
		}
		num, _ := cr.FieldPos(0)
		if len(rec) == 1 && strings.TrimSpace(rec[0]) == "" {
			continue
		}
		if lines++; lines > MaxImportLines {
			errs = append(errs, LineError{num, fmt.Sprintf("Too many lines: at most %d per file.", MaxImportLines)})
			break
		}
		cell := func(name string) string {
			i := col[name]
			if i == 0 || i > len(rec) {
				return ""
			}
			return strings.TrimSpace(csvout.Uncell(rec[i-1]))
		}
		p := &passerelle.Partner{Name: cell("name"), NameZH: cell("name_zh"), Kind: passerelle.PartnerKind(cell("kind")), Language: cell("language"),
			Contacts: cell("contacts"), Consent: cell("consent"), ContactPrefs: cell("contact_prefs"), AudienceNotes: cell("audience_notes")}
		for t := range strings.FieldsFuncSeq(cell("topics"), func(r rune) bool { return r == ';' || r == '、' || r == '|' }) {
			p.Topics = append(p.Topics, t)
		}
		var msgs []string
		if pl := cell("platform"); pl != "" || cell("handle") != "" {
			a := passerelle.PartnerAccount{Platform: passerelle.Platform(pl), Handle: cell("handle"), ProfileURL: cell("profile_url")}
			if s := strings.ReplaceAll(strings.ReplaceAll(cell("followers"), ",", ""), " ", ""); s != "" {
				n, err := strconv.ParseInt(s, 10, 64)
				if err != nil {
					msgs = append(msgs, fmt.Sprintf("followers: %q is not a whole number.", truncate(cell("followers"))))
				} else {
					a.Followers = &n
				}
			}
			p.Accounts = append(p.Accounts, a)
		} else if cell("followers") != "" || cell("profile_url") != "" {
			msgs = append(msgs, "followers and profile_url belong to an account: give its platform and handle.")
		}
		p.Normalize()
		k := key{strings.ToLower(p.Name), p.NameZH}
		target := p
		if prev, ok := byKey[k]; ok {
			target = &passerelle.Partner{}
			*target = *prev
			target.Accounts = append(slices.Clone(prev.Accounts), p.Accounts...)
		}
		if err := target.Validate(); err != nil {
			msgs = append(msgs, sortedFields(passerelle.ErrorFields(err))...)
		}
		if len(target.Accounts) > 1 {
			last := target.Accounts[len(target.Accounts)-1]
			for _, a := range target.Accounts[:len(target.Accounts)-1] {
				if a.Platform == last.Platform && a.Handle == last.Handle {
					msgs = append(msgs, fmt.Sprintf("Duplicates the %s account %q of line %d.", a.Platform, truncate(a.Handle), firstLine[byKey[k]]))
					break
				}
			}
		}
		for _, m := range msgs {
			errs = append(errs, LineError{num, m})
		}
		if len(errs) >= maxImportErrs {
			break
		}
		if len(msgs) > 0 {
			continue
		}
		if prev, ok := byKey[k]; ok {
			prev.Accounts = target.Accounts
			continue
		}
		byKey[k] = p
		firstLine[p] = num
		out = append(out, p)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	if len(out) == 0 {
		return nil, LineErrors{{2, "The file has no partner after its header."}}
	}
	return out, nil
}

// sortedFields renders field errors as "field: message", in field order.
func sortedFields(f map[string]string) []string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	out := make([]string, len(keys))
	for i, k := range keys {
		name := k
		if _, rest, ok := strings.Cut(k, "accounts.0."); ok {
			name = rest
		} else if i := strings.LastIndexByte(k, '.'); strings.HasPrefix(k, "accounts.") && i > 0 {
			name = k[i+1:]
		}
		out[i] = name + ": " + f[k]
	}
	return out
}

func csvMessage(err error) string {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return "Malformed CSV: " + pe.Err.Error() + "."
	}
	return "Malformed CSV."
}

func truncate(s string) string {
	if utf8.RuneCountInString(s) <= 40 {
		return s
	}
	return string([]rune(s)[:40]) + "…"
}

// ImportPartners adds the partners of a CSV file to the directory, all or nothing.
func (s *Service) ImportPartners(ctx context.Context, u *passerelle.User, r io.Reader) (int, error) {
	if err := canEditDirectory(u); err != nil {
		return 0, err
	}
	ps, err := ParseCSV(r)
	var le LineErrors
	if errors.As(err, &le) {
		return 0, le.domain()
	}
	if err != nil {
		return 0, err
	}
	for _, p := range ps {
		p.OrgID = u.OrgID
	}
	if err := s.db.CreatePartners(ctx, ps); err != nil {
		return 0, err
	}
	return len(ps), nil
}
