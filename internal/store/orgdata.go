package store

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// OrgTable is one table of an organization's export: which rows belong to the
// organization, and which columns never leave the database.
type OrgTable struct {
	Name string
	// Where selects the organization's rows of t; ? is the organization's id.
	Where string
	// Omit lists columns left out (secrets); Defaults gives their value on import.
	Omit     []string
	Defaults map[string]any
}

const (
	orgInstitutions = `t.institution_id IN (SELECT id FROM institutions WHERE org_id = ?)`
	orgAccounts     = `t.account_id IN (SELECT a.id FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE i.org_id = ?)`
	orgPosts        = `t.post_id IN (SELECT p.id FROM posts p JOIN institutions i ON i.id = p.institution_id WHERE i.org_id = ?)`
)

// OrgTables are the tables of an organization's export, parents before children.
// Credentials, sessions, API tokens, guest links, signing keys, platform tokens and raw
// WeChat pushes are not exported; users leave without their password hash.
var OrgTables = []OrgTable{
	{Name: "organizations", Where: `t.id = ?`},
	{Name: "institutions", Where: `t.org_id = ?`},
	{Name: "accounts", Where: orgInstitutions},
	{Name: "users", Where: `t.org_id = ?`, Omit: []string{"password_hash"}, Defaults: map[string]any{"password_hash": ""}},
	{Name: "memberships", Where: `t.user_id IN (SELECT id FROM users WHERE org_id = ?)`},
	{Name: "editorial_settings", Where: `t.org_id = ?`},
	{Name: "cadence_targets", Where: orgAccounts},
	{Name: "media_assets", Where: orgInstitutions},
	{Name: "media_renditions", Where: `t.asset_id IN (SELECT m.id FROM media_assets m JOIN institutions i ON i.id = m.institution_id WHERE i.org_id = ?)`},
	{Name: "posts", Where: orgInstitutions},
	{Name: "publications", Where: orgPosts},
	{Name: "publication_attempts", Where: `t.publication_id IN (SELECT b.id FROM publications b JOIN posts p ON p.id = b.post_id JOIN institutions i ON i.id = p.institution_id WHERE i.org_id = ?)`},
	{Name: "post_revisions", Where: orgPosts},
	{Name: "post_transitions", Where: orgPosts},
	{Name: "post_comments", Where: orgPosts},
	{Name: "glossary_terms", Where: `t.org_id = ?`},
	{Name: "lexicon_entries", Where: `t.org_id = ?`},
	{Name: "account_snapshots", Where: orgAccounts},
	{Name: "barometer_editions", Where: `t.org_id = ?`},
	{Name: "audit_log", Where: `t.org_id = ?`},
}

// Row is one exported row, column → value (numbers, strings, booleans, null; instants
// as RFC 3339 strings in UTC).
type Row = map[string]any

// OrgRows returns the organization's rows of one table, ordered by their first column.
func (db *DB) OrgRows(ctx context.Context, t OrgTable, orgID int64) ([]Row, error) {
	rows, err := db.r().query(ctx, `SELECT t.* FROM `+t.Name+` t WHERE `+t.Where+` ORDER BY 1`, orgID)
	if err != nil {
		return nil, fmt.Errorf("store: export %s: %w", t.Name, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return nil, err
	}
	omit := map[string]bool{}
	for _, c := range t.Omit {
		omit[c] = true
	}
	out := []Row{}
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			return nil, err
		}
		r := Row{}
		for i, c := range cols {
			if omit[c] {
				continue
			}
			switch v := vals[i].(type) {
			case time.Time:
				r[c] = v.UTC().Format(timeLayout)
			case []byte:
				r[c] = string(v)
			default:
				r[c] = v
			}
		}
		out = append(out, r)
	}
	return out, db.mapErr(rows.Err())
}

// OrganizationCount is how many organizations the installation holds.
func (db *DB) OrganizationCount(ctx context.Context) (int, error) {
	var n int
	err := db.r().row(ctx, `SELECT COUNT(*) FROM organizations`).Scan(&n)
	return n, db.mapErr(err)
}

// LoadOrgRows inserts exported rows, table by table in OrgTables order, in one
// transaction, keeping their ids. The installation must hold no organization.
func (db *DB) LoadOrgRows(ctx context.Context, tables map[string][]Row) error {
	known := map[string]OrgTable{}
	for _, t := range OrgTables {
		known[t.Name] = t
	}
	for name := range tables {
		if _, ok := known[name]; !ok {
			return passerelle.Errorf(passerelle.EINVALID, "The export holds an unknown table %q.", name)
		}
	}
	return db.inTx(ctx, func(tx *Tx) error {
		var n int
		if err := tx.q().row(ctx, `SELECT COUNT(*) FROM organizations`).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return passerelle.Errorf(passerelle.ECONFLICT, "This installation already holds an organization: import into an empty one.")
		}
		for _, t := range OrgTables {
			for _, r := range tables[t.Name] {
				for c, v := range t.Defaults {
					if _, ok := r[c]; !ok {
						r[c] = v
					}
				}
				cols := make([]string, 0, len(r))
				for c := range r {
					if !validColumn(c) {
						return passerelle.Errorf(passerelle.EINVALID, "The export names an invalid column %q in %s.", c, t.Name)
					}
					cols = append(cols, c)
				}
				args := make([]any, len(cols))
				for i, c := range cols {
					args[i] = jsonValue(r[c])
				}
				q := `INSERT INTO ` + t.Name + ` (` + strings.Join(cols, ", ") + `) VALUES (` + strings.TrimSuffix(strings.Repeat("?, ", len(cols)), ", ") + `)`
				if _, err := tx.q().exec(ctx, q, args...); err != nil {
					return fmt.Errorf("import %s: %w", t.Name, err)
				}
			}
			if db.dialect == Postgres && len(tables[t.Name]) > 0 {
				if _, ok := tables[t.Name][0]["id"]; ok {
					if _, err := tx.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t.Name+`', 'id'), (SELECT MAX(id) FROM `+t.Name+`))`); err != nil {
						return fmt.Errorf("import %s: %w", t.Name, err)
					}
				}
			}
		}
		return nil
	})
}

func validColumn(c string) bool {
	if c == "" || len(c) > 64 {
		return false
	}
	for _, r := range c {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

// jsonValue turns a decoded JSON value into a driver argument.
func jsonValue(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case map[string]any, []any:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return v
}
