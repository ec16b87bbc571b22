package editorial

import (
	"bytes"
	"context"
	"io"
	"slices"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/checks"
	"github.com/passerelle-oss/passerelle/internal/csvout"
	"github.com/passerelle-oss/passerelle/internal/occasions"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// MaxImportBytes bounds a CSV import.
const MaxImportBytes = 8 << 20

// glossaryScope checks that the user may change the scope's glossary: an
// institution's for its writers, the organization's for anyone who writes somewhere.
func glossaryScope(u *passerelle.User, institutionID int64) error {
	if institutionID == 0 {
		if !u.CanAnywhere(passerelle.PermWrite) {
			return errForbidden
		}
		return nil
	}
	return u.Allow(institutionID, passerelle.PermWrite)
}

// GlossaryQuery filters the glossary. InstitutionID 0 is the organization's list, -1
// every list the user sees.
type GlossaryQuery struct {
	InstitutionID int64
	Search        string
	AfterID       int64
	Limit         int
}

// Glossary lists terms.
func (s *Service) Glossary(ctx context.Context, u *passerelle.User, q GlossaryQuery) ([]*store.GlossaryTerm, error) {
	if q.InstitutionID > 0 {
		if err := s.institution(ctx, u, q.InstitutionID, passerelle.PermView); err != nil {
			return nil, err
		}
	}
	if err := s.seedGlossary(ctx, u.OrgID); err != nil {
		return nil, err
	}
	terms, err := s.db.Glossary(ctx, store.GlossaryFilter{OrgID: u.OrgID, InstitutionID: q.InstitutionID, Search: q.Search, AfterID: q.AfterID, Limit: q.Limit})
	if err != nil || q.InstitutionID >= 0 {
		return terms, err
	}
	out := terms[:0]
	for _, t := range terms {
		if t.InstitutionID == 0 || u.Can(t.InstitutionID, passerelle.PermView) {
			out = append(out, t)
		}
	}
	return out, nil
}

func validateTerm(t *store.GlossaryTerm) error {
	ct := toCheckTerm(t)
	if err := ct.Validate(); err != nil {
		return err
	}
	if t.BirthDate != "" || t.DeathDate != "" {
		p := occasions.Person{Name: t.Source, NameZH: t.ZH, Born: t.BirthDate, Died: t.DeathDate}
		if err := p.Validate(); err != nil {
			f := passerelle.FieldErrors{}
			for k, v := range passerelle.ErrorFields(err) {
				f.Add(map[string]string{"born": "birth_date", "died": "death_date"}[k], v)
			}
			return f.Err()
		}
	}
	return nil
}

// CreateTerm adds a term to the organization's glossary (InstitutionID 0) or an
// institution's. Adding a term that the scope already holds as given (every field
// sent agrees with it) succeeds with the term as stored: the organization's glossary
// starts as a copy of the shared one, which the user has not seen, and a client that
// repeats a request gets the same answer. A term that disagrees is a conflict.
func (s *Service) CreateTerm(ctx context.Context, u *passerelle.User, t *store.GlossaryTerm) error {
	if err := glossaryScope(u, t.InstitutionID); err != nil {
		return err
	}
	if err := s.seedGlossary(ctx, u.OrgID); err != nil {
		return err
	}
	if err := validateTerm(t); err != nil {
		return err
	}
	err := s.db.CreateGlossaryTerm(ctx, u.OrgID, t)
	if passerelle.ErrorCode(err) != passerelle.ECONFLICT {
		return err
	}
	key := strings.ToLower(strings.TrimSpace(t.Source))
	same, lerr := s.db.Glossary(ctx, store.GlossaryFilter{OrgID: u.OrgID, InstitutionID: t.InstitutionID, Search: strings.TrimSpace(t.Source)})
	if lerr != nil {
		return lerr
	}
	for _, cur := range same {
		if strings.ToLower(strings.TrimSpace(cur.Source)) == key && agrees(t, cur) {
			*t = *cur
			return nil
		}
	}
	return err
}

// agrees reports whether every field given in t (not empty) is the one of cur.
func agrees(t, cur *store.GlossaryTerm) bool {
	for _, f := range []struct{ given, stored string }{{t.ZH, cur.ZH}, {t.ZHHant, cur.ZHHant},
		{t.Kind, cur.Kind}, {t.Note, cur.Note}, {t.BirthDate, cur.BirthDate}, {t.DeathDate, cur.DeathDate}} {
		if f.given != "" && f.given != f.stored {
			return false
		}
	}
	for _, f := range []struct{ given, stored []string }{{t.Aliases, cur.Aliases}, {t.Accepted, cur.Accepted}, {t.Variants, cur.Variants}} {
		if len(f.given) > 0 && !slices.Equal(f.given, f.stored) {
			return false
		}
	}
	return true
}

// UpdateTerm applies fn to a term.
func (s *Service) UpdateTerm(ctx context.Context, u *passerelle.User, id int64, fn func(*store.GlossaryTerm)) (*store.GlossaryTerm, error) {
	cur, err := s.db.GlossaryTermByID(ctx, u.OrgID, id)
	if err != nil {
		return nil, err
	}
	if cur.InstitutionID != 0 && !u.Can(cur.InstitutionID, passerelle.PermView) {
		return nil, errNotFound
	}
	if err := glossaryScope(u, cur.InstitutionID); err != nil {
		return nil, err
	}
	return s.db.UpdateGlossaryTerm(ctx, u.OrgID, id, func(t *store.GlossaryTerm) error {
		fn(t)
		return validateTerm(t)
	})
}

// DeleteTerm removes a term.
func (s *Service) DeleteTerm(ctx context.Context, u *passerelle.User, id int64) error {
	cur, err := s.db.GlossaryTermByID(ctx, u.OrgID, id)
	if err != nil {
		return err
	}
	if cur.InstitutionID != 0 && !u.Can(cur.InstitutionID, passerelle.PermView) {
		return errNotFound
	}
	if err := glossaryScope(u, cur.InstitutionID); err != nil {
		return err
	}
	return s.db.DeleteGlossaryTerm(ctx, u.OrgID, id)
}

// ImportGlossary reads a CSV (the shared file's format or the generic one) into one
// scope. A failing line is reported by number and nothing is imported.
func (s *Service) ImportGlossary(ctx context.Context, u *passerelle.User, institutionID int64, r io.Reader, replace bool) (store.ImportResult, error) {
	if err := glossaryScope(u, institutionID); err != nil {
		return store.ImportResult{}, err
	}
	if err := s.seedGlossary(ctx, u.OrgID); err != nil {
		return store.ImportResult{}, err
	}
	terms, err := checks.ParseGlossaryCSV(io.LimitReader(r, MaxImportBytes))
	if err != nil {
		return store.ImportResult{}, err
	}
	rows := make([]*store.GlossaryTerm, len(terms))
	for i, t := range terms {
		rows[i] = fromCheckTerm(t, institutionID)
		if err := validateTerm(rows[i]); err != nil {
			return store.ImportResult{}, passerelle.Errorf(passerelle.EINVALID, "line %d: %s", i+2, describe(err))
		}
	}
	return s.db.ImportGlossary(ctx, u.OrgID, institutionID, rows, replace)
}

func describe(err error) string {
	msg := passerelle.ErrorMessage(err)
	for k, v := range passerelle.ErrorFields(err) {
		msg += " " + k + ": " + v
	}
	return msg
}

// ExportGlossary writes a scope's terms as CSV in the generic format, shaped by o.
func (s *Service) ExportGlossary(ctx context.Context, u *passerelle.User, institutionID int64, w io.Writer, o csvout.Options) error {
	terms, err := s.Glossary(ctx, u, GlossaryQuery{InstitutionID: institutionID})
	if err != nil {
		return err
	}
	out := make([]checks.Term, len(terms))
	for i, t := range terms {
		out[i] = toCheckTerm(t)
	}
	var buf bytes.Buffer
	if err := checks.WriteGlossaryCSV(&buf, out, o); err != nil {
		return err
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// lexiconAllowed: the sensitive vocabulary is the organization's, kept by its
// managers (owners and institution admins).
func lexiconAllowed(u *passerelle.User, write bool) error {
	if write && !u.CanAnywhere(passerelle.PermManage) {
		return errForbidden
	}
	if !u.CanAnywhere(passerelle.PermView) {
		return errForbidden
	}
	return nil
}

// Lexicon lists the organization's sensitive vocabulary.
func (s *Service) Lexicon(ctx context.Context, u *passerelle.User, afterID int64, limit int) ([]*store.LexiconEntry, error) {
	if err := lexiconAllowed(u, false); err != nil {
		return nil, err
	}
	return s.db.Lexicon(ctx, u.OrgID, afterID, limit)
}

// AddLexiconEntry adds a term.
func (s *Service) AddLexiconEntry(ctx context.Context, u *passerelle.User, e *store.LexiconEntry) error {
	if err := lexiconAllowed(u, true); err != nil {
		return err
	}
	ce := checks.LexiconEntry{Term: e.Term, Severity: e.Severity, Note: e.Note}
	if err := ce.Validate(); err != nil {
		return err
	}
	return s.db.CreateLexiconEntry(ctx, u.OrgID, e)
}

// DeleteLexiconEntry removes a term.
func (s *Service) DeleteLexiconEntry(ctx context.Context, u *passerelle.User, id int64) error {
	if err := lexiconAllowed(u, true); err != nil {
		return err
	}
	return s.db.DeleteLexiconEntry(ctx, u.OrgID, id)
}

// ImportLexicon reads a "term,severity,note" CSV. A failing line is reported and
// nothing is imported.
func (s *Service) ImportLexicon(ctx context.Context, u *passerelle.User, r io.Reader, replace bool) (store.ImportResult, error) {
	if err := lexiconAllowed(u, true); err != nil {
		return store.ImportResult{}, err
	}
	entries, err := checks.ParseLexiconCSV(io.LimitReader(r, MaxImportBytes))
	if err != nil {
		return store.ImportResult{}, err
	}
	rows := make([]*store.LexiconEntry, len(entries))
	for i, e := range entries {
		rows[i] = &store.LexiconEntry{Term: e.Term, Severity: e.Severity, Note: e.Note}
	}
	return s.db.ImportLexicon(ctx, u.OrgID, rows, replace)
}

// ExportLexicon writes the vocabulary as CSV, shaped by o.
func (s *Service) ExportLexicon(ctx context.Context, u *passerelle.User, w io.Writer, o csvout.Options) error {
	list, err := s.Lexicon(ctx, u, 0, 0)
	if err != nil {
		return err
	}
	out := make([]checks.LexiconEntry, len(list))
	for i, e := range list {
		out[i] = checks.LexiconEntry{Term: e.Term, Severity: e.Severity, Note: e.Note}
	}
	return checks.WriteLexiconCSV(w, out, o)
}
