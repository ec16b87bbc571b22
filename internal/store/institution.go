package store

import (
	"context"
	"strings"

	"github.com/passerelle-oss/passerelle"
)

const institutionColumns = `id, org_id, name, name_fr, name_en, name_zh, city, country, website, time_zone, kind, logo_url, archived_at, created_at, updated_at`

func scanInstitution(s interface{ Scan(...any) error }) (*passerelle.Institution, error) {
	var i passerelle.Institution
	var archived, created, updated nullTime
	err := s.Scan(&i.ID, &i.OrgID, &i.Name, &i.NameFR, &i.NameEN, &i.NameZH, &i.City, &i.Country, &i.Website, &i.TimeZone, &i.Kind, &i.LogoURL, &archived, &created, &updated)
	if err != nil {
		return nil, err
	}
	i.ArchivedAt, i.CreatedAt, i.UpdatedAt = archived.Ptr(), created.T, updated.T
	return &i, nil
}

// CreateInstitution validates and inserts i, setting its ID and times.
func (db *DB) CreateInstitution(ctx context.Context, i *passerelle.Institution) error {
	i.Normalize()
	if err := i.Validate(); err != nil {
		return err
	}
	now := db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		id, err := tx.q().insert(ctx, `INSERT INTO institutions (org_id, name, name_fr, name_en, name_zh, city, country, website, time_zone, kind, logo_url, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			i.OrgID, i.Name, i.NameFR, i.NameEN, i.NameZH, i.City, i.Country, i.Website, i.TimeZone, i.Kind, i.LogoURL, now, now)
		if err != nil {
			return err
		}
		i.ID, i.CreatedAt, i.UpdatedAt = id, now, now
		return nil
	})
}

// Institution returns one institution of the organization, archived or not.
func (db *DB) Institution(ctx context.Context, orgID, id int64) (*passerelle.Institution, error) {
	i, err := scanInstitution(db.r().row(ctx, `SELECT `+institutionColumns+` FROM institutions WHERE id = ? AND org_id = ?`, id, orgID))
	return i, db.mapErr(err)
}

// InstitutionFilter selects institutions.
type InstitutionFilter struct {
	OrgID int64
	// IDs restricts to these institutions when non-nil (a user's memberships).
	IDs             []int64
	IncludeArchived bool
	// AfterID and Limit page through the list by id.
	AfterID int64
	Limit   int
}

// Institutions lists institutions ordered by id.
func (db *DB) Institutions(ctx context.Context, f InstitutionFilter) ([]*passerelle.Institution, error) {
	w := where{}
	w.add("org_id = ?", f.OrgID)
	if f.IDs != nil {
		w.in("id", f.IDs)
	}
	if !f.IncludeArchived {
		w.add("archived_at IS NULL")
	}
	if f.AfterID > 0 {
		w.add("id > ?", f.AfterID)
	}
	query := `SELECT ` + institutionColumns + ` FROM institutions` + w.sql() + ` ORDER BY id`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		w.args = append(w.args, f.Limit)
	}
	return queryAll(ctx, db, db.r(), query, w.args, scanInstitution)
}

// UpdateInstitution applies fn to the stored institution and saves it.
func (db *DB) UpdateInstitution(ctx context.Context, orgID, id int64, fn func(*passerelle.Institution) error) (*passerelle.Institution, error) {
	var out *passerelle.Institution
	err := db.inTx(ctx, func(tx *Tx) error {
		i, err := scanInstitution(tx.q().row(ctx, `SELECT `+institutionColumns+` FROM institutions WHERE id = ? AND org_id = ?`, id, orgID))
		if err != nil {
			return db.mapErr(err)
		}
		if err := fn(i); err != nil {
			return err
		}
		i.Normalize()
		if err := i.Validate(); err != nil {
			return err
		}
		i.UpdatedAt = db.nowUTC()
		_, err = tx.q().exec(ctx, `UPDATE institutions SET name = ?, name_fr = ?, name_en = ?, name_zh = ?, city = ?, country = ?, website = ?, time_zone = ?, kind = ?, logo_url = ?, archived_at = ?, updated_at = ? WHERE id = ?`,
			i.Name, i.NameFR, i.NameEN, i.NameZH, i.City, i.Country, i.Website, i.TimeZone, i.Kind, i.LogoURL, i.ArchivedAt, i.UpdatedAt, i.ID)
		out = i
		return err
	})
	return out, err
}

// queryAll runs a query and scans every row.
func queryAll[T any](ctx context.Context, db *DB, x q, query string, args []any, scan func(interface{ Scan(...any) error }) (T, error)) ([]T, error) {
	rows, err := x.query(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, db.mapErr(rows.Err())
}

// where builds an optional-filter WHERE clause.
type where struct {
	conds []string
	args  []any
}

func (w *where) add(cond string, args ...any) {
	w.conds = append(w.conds, cond)
	w.args = append(w.args, args...)
}

func (w *where) in(column string, ids []int64) {
	if len(ids) == 0 {
		w.conds = append(w.conds, "1 = 0")
		return
	}
	cond := column + " IN (?" + strings.Repeat(",?", len(ids)-1) + ")"
	for _, id := range ids {
		w.args = append(w.args, id)
	}
	w.conds = append(w.conds, cond)
}

// inIDs is w.in for long lists (an organization's thousands of accounts): on
// PostgreSQL one array parameter, which is parsed and planned once whatever its
// length, instead of a parameter per id.
func (db *DB) inIDs(w *where, column string, ids []int64) {
	if db.dialect != Postgres || len(ids) == 0 {
		w.in(column, ids)
		return
	}
	w.add(column+" = ANY(?)", ids)
}

func (w *where) sql() string {
	if len(w.conds) == 0 {
		return ""
	}
	s := " WHERE " + w.conds[0]
	for _, c := range w.conds[1:] {
		s += " AND " + c
	}
	return s
}
