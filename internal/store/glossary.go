package store

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// GlossaryTerm is a stored glossary entry: the organization's when InstitutionID is 0,
// else an institution's own (which overrides the organization's for the same source).
type GlossaryTerm struct {
	ID            int64     `json:"id"`
	InstitutionID int64     `json:"institution_id"`
	Source        string    `json:"source"`
	ZH            string    `json:"zh"`
	ZHHant        string    `json:"zh_hant"`
	Aliases       []string  `json:"aliases"`
	Accepted      []string  `json:"accepted"`
	Variants      []string  `json:"variants"`
	Kind          string    `json:"kind"`
	Note          string    `json:"note"`
	BirthDate     string    `json:"birth_date"`
	DeathDate     string    `json:"death_date"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// sourceKey is what makes two sources the same term.
func sourceKey(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

const glossaryColumns = `id, institution_id, source, zh, zh_hant, aliases, accepted, variants, kind, note, birth_date, death_date, updated_at`

func scanGlossaryTerm(s interface{ Scan(...any) error }) (*GlossaryTerm, error) {
	var t GlossaryTerm
	var aliases, accepted, variants string
	var updated nullTime
	if err := s.Scan(&t.ID, &t.InstitutionID, &t.Source, &t.ZH, &t.ZHHant, &aliases, &accepted, &variants, &t.Kind, &t.Note, &t.BirthDate, &t.DeathDate, &updated); err != nil {
		return nil, err
	}
	for _, l := range []struct {
		s   string
		dst *[]string
	}{{aliases, &t.Aliases}, {accepted, &t.Accepted}, {variants, &t.Variants}} {
		if err := unmarshalList(l.s, l.dst); err != nil {
			return nil, err
		}
	}
	t.UpdatedAt = updated.T
	return &t, nil
}

// GlossaryFilter selects terms. Institution -1 selects every scope.
type GlossaryFilter struct {
	OrgID         int64
	InstitutionID int64
	// Search matches source, Chinese renderings and aliases (case-insensitive).
	Search  string
	AfterID int64
	Limit   int
}

// Glossary lists terms ordered by id.
func (db *DB) Glossary(ctx context.Context, f GlossaryFilter) ([]*GlossaryTerm, error) {
	w := where{}
	w.add("org_id = ?", f.OrgID)
	if f.InstitutionID >= 0 {
		w.add("institution_id = ?", f.InstitutionID)
	}
	if f.Search != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, "%", `\%`, "_", `\_`).Replace(strings.ToLower(f.Search)) + "%"
		w.add(`(source_key LIKE ? ESCAPE '\' OR zh LIKE ? ESCAPE '\' OR LOWER(aliases) LIKE ? ESCAPE '\')`, like, like, like)
	}
	if f.AfterID > 0 {
		w.add("id > ?", f.AfterID)
	}
	query := `SELECT ` + glossaryColumns + ` FROM glossary_terms` + w.sql() + ` ORDER BY id`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		w.args = append(w.args, f.Limit)
	}
	return queryAll(ctx, db, db.r(), query, w.args, scanGlossaryTerm)
}

// GlossaryTermByID returns one term of the organization.
func (db *DB) GlossaryTermByID(ctx context.Context, orgID, id int64) (*GlossaryTerm, error) {
	t, err := scanGlossaryTerm(db.r().row(ctx, `SELECT `+glossaryColumns+` FROM glossary_terms WHERE id = ? AND org_id = ?`, id, orgID))
	return t, db.mapErr(err)
}

func termArgs(t *GlossaryTerm) []any {
	return []any{t.Source, sourceKey(t.Source), t.ZH, t.ZHHant, marshalList(t.Aliases), marshalList(t.Accepted), marshalList(t.Variants), t.Kind, t.Note, t.BirthDate, t.DeathDate}
}

// CreateGlossaryTerm adds a term (validated by the caller); a term with the same
// source in the same scope is a conflict.
func (db *DB) CreateGlossaryTerm(ctx context.Context, orgID int64, t *GlossaryTerm) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if t.InstitutionID != 0 {
			if err := checkInstitution(ctx, tx, orgID, t.InstitutionID); err != nil {
				return err
			}
		}
		return db.insertTerm(ctx, tx, orgID, t)
	})
}

func (db *DB) insertTerm(ctx context.Context, tx *Tx, orgID int64, t *GlossaryTerm) error {
	now := db.nowUTC()
	id, err := tx.q().insert(ctx, `INSERT INTO glossary_terms (source, source_key, zh, zh_hant, aliases, accepted, variants, kind, note, birth_date, death_date, org_id, institution_id, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`, append(termArgs(t), orgID, t.InstitutionID, now, now)...)
	if passerelle.ErrorCode(err) == passerelle.ECONFLICT {
		return &passerelle.Error{Code: passerelle.ECONFLICT, Message: "The glossary already has this term.", Fields: map[string]string{"source": "Already in the glossary."}, Err: err}
	}
	t.ID, t.UpdatedAt = id, now
	return err
}

// UpdateGlossaryTerm applies fn to a term and saves it; fn validates.
func (db *DB) UpdateGlossaryTerm(ctx context.Context, orgID, id int64, fn func(*GlossaryTerm) error) (*GlossaryTerm, error) {
	var out *GlossaryTerm
	err := db.inTx(ctx, func(tx *Tx) error {
		t, err := scanGlossaryTerm(tx.q().row(ctx, `SELECT `+glossaryColumns+` FROM glossary_terms WHERE id = ? AND org_id = ?`, id, orgID))
		if err != nil {
			return db.mapErr(err)
		}
		scope := t.InstitutionID
		if err := fn(t); err != nil {
			return err
		}
		t.ID, t.InstitutionID, t.UpdatedAt = id, scope, db.nowUTC()
		_, err = tx.q().exec(ctx, `UPDATE glossary_terms SET source = ?, source_key = ?, zh = ?, zh_hant = ?, aliases = ?, accepted = ?, variants = ?, kind = ?, note = ?, birth_date = ?, death_date = ?, updated_at = ? WHERE id = ?`,
			append(termArgs(t), t.UpdatedAt, id)...)
		out = t
		return err
	})
	return out, err
}

// DeleteGlossaryTerm removes a term.
func (db *DB) DeleteGlossaryTerm(ctx context.Context, orgID, id int64) error {
	res, err := db.write.ExecContext(ctx, db.rebind(`DELETE FROM glossary_terms WHERE id = ? AND org_id = ?`), id, orgID)
	if err != nil {
		return db.mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return passerelle.ErrNotFound
	}
	return nil
}

// ImportResult counts what an import did.
type ImportResult struct {
	Created int `json:"created"`
	Updated int `json:"updated"`
	Deleted int `json:"deleted"`
}

// ImportGlossary writes terms (validated by the caller) into one scope in one
// transaction: a term whose source exists is updated, others are created, and with
// replace the scope's other terms are deleted. Any failure imports nothing.
func (db *DB) ImportGlossary(ctx context.Context, orgID, institutionID int64, terms []*GlossaryTerm, replace bool) (ImportResult, error) {
	var res ImportResult
	err := db.inTx(ctx, func(tx *Tx) error {
		res = ImportResult{}
		if institutionID != 0 {
			if err := checkInstitution(ctx, tx, orgID, institutionID); err != nil {
				return err
			}
		}
		existing := map[string]int64{}
		rows, err := tx.q().query(ctx, `SELECT id, source_key FROM glossary_terms WHERE org_id = ? AND institution_id = ?`, orgID, institutionID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var key string
			if err := rows.Scan(&id, &key); err != nil {
				rows.Close()
				return err
			}
			existing[key] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		seen := map[string]bool{}
		now := db.nowUTC()
		for _, t := range terms {
			key := sourceKey(t.Source)
			seen[key] = true
			t.InstitutionID = institutionID
			if id, ok := existing[key]; ok {
				if _, err := tx.q().exec(ctx, `UPDATE glossary_terms SET source = ?, source_key = ?, zh = ?, zh_hant = ?, aliases = ?, accepted = ?, variants = ?, kind = ?, note = ?, birth_date = ?, death_date = ?, updated_at = ? WHERE id = ?`,
					append(termArgs(t), now, id)...); err != nil {
					return err
				}
				t.ID = id
				res.Updated++
				continue
			}
			if err := db.insertTerm(ctx, tx, orgID, t); err != nil {
				return err
			}
			res.Created++
		}
		if replace {
			for key, id := range existing {
				if !seen[key] {
					if _, err := tx.q().exec(ctx, `DELETE FROM glossary_terms WHERE id = ?`, id); err != nil {
						return err
					}
					res.Deleted++
				}
			}
		}
		return nil
	})
	return res, err
}

// SeedGlossaryOnce imports terms into the organization's glossary the first time it is
// called for the organization, and reports whether it did. Deleting every term later
// does not bring the seed back.
func (db *DB) SeedGlossaryOnce(ctx context.Context, orgID int64, terms []*GlossaryTerm) (bool, error) {
	var seeded bool
	if err := db.r().row(ctx, `SELECT COUNT(*) > 0 FROM editorial_settings WHERE org_id = ? AND institution_id = 0 AND glossary_seeded_at IS NOT NULL`, orgID).Scan(&seeded); err != nil {
		return false, db.mapErr(err)
	}
	if seeded {
		return false, nil
	}
	did := false
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.q().exec(ctx, `INSERT INTO editorial_settings (org_id, institution_id, glossary_seeded_at, updated_at) VALUES (?, 0, ?, ?)
			ON CONFLICT (org_id, institution_id) DO UPDATE SET glossary_seeded_at = excluded.glossary_seeded_at WHERE editorial_settings.glossary_seeded_at IS NULL`,
			orgID, db.nowUTC(), db.nowUTC())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil // another instance seeded it
		}
		did = true
		for _, t := range terms {
			t.InstitutionID = 0
			if _, err := tx.q().exec(ctx, `INSERT INTO glossary_terms (source, source_key, zh, zh_hant, aliases, accepted, variants, kind, note, birth_date, death_date, org_id, institution_id, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?) ON CONFLICT (org_id, institution_id, source_key) DO NOTHING`,
				append(termArgs(t), orgID, db.nowUTC(), db.nowUTC())...); err != nil {
				return err
			}
		}
		return nil
	})
	return did, err
}

// LexiconEntry is a stored term of an organization's sensitive vocabulary.
type LexiconEntry struct {
	ID        int64     `json:"id"`
	Term      string    `json:"term"`
	Severity  string    `json:"severity"`
	Note      string    `json:"note"`
	UpdatedAt time.Time `json:"updated_at"`
}

func scanLexicon(s interface{ Scan(...any) error }) (*LexiconEntry, error) {
	var e LexiconEntry
	var updated nullTime
	err := s.Scan(&e.ID, &e.Term, &e.Severity, &e.Note, &updated)
	e.UpdatedAt = updated.T
	return &e, err
}

// Lexicon lists the organization's sensitive vocabulary by id.
func (db *DB) Lexicon(ctx context.Context, orgID, afterID int64, limit int) ([]*LexiconEntry, error) {
	query := `SELECT id, term, severity, note, updated_at FROM lexicon_entries WHERE org_id = ? AND id > ? ORDER BY id`
	args := []any{orgID, afterID}
	if limit > 0 {
		query += ` LIMIT ?`
		args = append(args, limit)
	}
	return queryAll(ctx, db, db.r(), query, args, scanLexicon)
}

// CreateLexiconEntry adds a term (validated by the caller).
func (db *DB) CreateLexiconEntry(ctx context.Context, orgID int64, e *LexiconEntry) error {
	now := db.nowUTC()
	id, err := q{db: db, run: db.write}.insert(ctx, `INSERT INTO lexicon_entries (org_id, term, severity, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
		orgID, e.Term, e.Severity, e.Note, now, now)
	if passerelle.ErrorCode(err) == passerelle.ECONFLICT {
		return &passerelle.Error{Code: passerelle.ECONFLICT, Message: "The vocabulary already has this term.", Fields: map[string]string{"term": "Already listed."}, Err: err}
	}
	e.ID, e.UpdatedAt = id, now
	return err
}

// DeleteLexiconEntry removes a term.
func (db *DB) DeleteLexiconEntry(ctx context.Context, orgID, id int64) error {
	res, err := db.write.ExecContext(ctx, db.rebind(`DELETE FROM lexicon_entries WHERE id = ? AND org_id = ?`), id, orgID)
	if err != nil {
		return db.mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return passerelle.ErrNotFound
	}
	return nil
}

// ImportLexicon upserts entries (validated by the caller) by term in one transaction;
// with replace, the other terms are deleted. Any failure imports nothing.
func (db *DB) ImportLexicon(ctx context.Context, orgID int64, entries []*LexiconEntry, replace bool) (ImportResult, error) {
	var res ImportResult
	err := db.inTx(ctx, func(tx *Tx) error {
		res = ImportResult{}
		existing := map[string]int64{}
		rows, err := tx.q().query(ctx, `SELECT id, term FROM lexicon_entries WHERE org_id = ?`, orgID)
		if err != nil {
			return err
		}
		for rows.Next() {
			var id int64
			var term string
			if err := rows.Scan(&id, &term); err != nil {
				rows.Close()
				return err
			}
			existing[term] = id
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		now := db.nowUTC()
		seen := map[string]bool{}
		for _, e := range entries {
			seen[e.Term] = true
			if id, ok := existing[e.Term]; ok {
				if _, err := tx.q().exec(ctx, `UPDATE lexicon_entries SET severity = ?, note = ?, updated_at = ? WHERE id = ?`, e.Severity, e.Note, now, id); err != nil {
					return err
				}
				e.ID, e.UpdatedAt = id, now
				res.Updated++
				continue
			}
			id, err := tx.q().insert(ctx, `INSERT INTO lexicon_entries (org_id, term, severity, note, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				orgID, e.Term, e.Severity, e.Note, now, now)
			if err != nil {
				return err
			}
			e.ID, e.UpdatedAt = id, now
			res.Created++
		}
		if replace {
			for term, id := range existing {
				if !seen[term] {
					if _, err := tx.q().exec(ctx, `DELETE FROM lexicon_entries WHERE id = ?`, id); err != nil {
						return err
					}
					res.Deleted++
				}
			}
		}
		return nil
	})
	return res, err
}

// CheckStamp changes whenever the organization's glossary or vocabulary changes, so
// that a cached checker can tell it is stale.
func (db *DB) CheckStamp(ctx context.Context, orgID int64) (string, error) {
	var n1, n2 int64
	var m1, m2 nullTime
	err := db.r().row(ctx, `SELECT (SELECT COUNT(*) FROM glossary_terms WHERE org_id = ?), (SELECT MAX(updated_at) FROM glossary_terms WHERE org_id = ?),
		(SELECT COUNT(*) FROM lexicon_entries WHERE org_id = ?), (SELECT MAX(updated_at) FROM lexicon_entries WHERE org_id = ?)`, orgID, orgID, orgID, orgID).Scan(&n1, &m1, &n2, &m2)
	if err != nil {
		return "", db.mapErr(err)
	}
	return strings.Join([]string{strconv.FormatInt(n1, 10), m1.T.Format(time.RFC3339Nano), strconv.FormatInt(n2, 10), m2.T.Format(time.RFC3339Nano)}, "|"), nil
}
