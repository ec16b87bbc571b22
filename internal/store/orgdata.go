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
	// Order orders the rows (by their key, so that two exports of the same data are
	// the same bytes); empty means the first column, the id.
	Order string
	// Omit lists columns left out (secrets, or what the database derives); Defaults
	// gives their value on import.
	Omit     []string
	Defaults map[string]any
}

const (
	orgInstitutions = `t.institution_id IN (SELECT id FROM institutions WHERE org_id = ?)`
	orgAccounts     = `t.account_id IN (SELECT a.id FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE i.org_id = ?)`
	orgPosts        = `t.post_id IN (SELECT p.id FROM posts p JOIN institutions i ON i.id = p.institution_id WHERE i.org_id = ?)`
	orgPublications = `t.publication_id IN (SELECT b.id FROM publications b JOIN posts p ON p.id = b.post_id JOIN institutions i ON i.id = p.institution_id WHERE i.org_id = ?)`
	orgRelays       = `t.relay_id IN (SELECT r.id FROM campaign_relays r JOIN campaigns c ON c.id = r.campaign_id WHERE c.org_id = ?)`
)

// OrgTables are the tables of an organization's export, parents before children
// (the import inserts them in this order). Every table of the schema is either here or
// in NotExported: a test enumerates the schema on both engines.
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
	{Name: "publication_attempts", Where: orgPublications},
	{Name: "post_revisions", Where: orgPosts},
	{Name: "post_transitions", Where: orgPosts},
	{Name: "post_comments", Where: orgPosts},
	{Name: "glossary_terms", Where: `t.org_id = ?`},
	{Name: "lexicon_entries", Where: `t.org_id = ?`},
	{Name: "account_snapshots", Where: orgAccounts},
	{Name: "barometer_editions", Where: `t.org_id = ?`},
	{Name: "audit_log", Where: `t.org_id = ?`},
	// Added after the first release of the format: appended, so that an older export
	// still imports (its files simply lack these tables).
	{Name: "notifications", Where: `t.org_id = ?`},
	{Name: "public_barometers", Where: `t.org_id = ?`},
	// Service desk (0040). Conversations are the organization's correspondence with its
	// own followers: it keeps them when it moves (see the export's README).
	{Name: "placements", Where: orgInstitutions},
	{Name: "placement_daily", Where: orgAccounts, Order: `1, 2, 3`},
	{Name: "follower_origins", Where: orgAccounts, Order: `1, 2`},
	{Name: "reply_rules", Where: orgAccounts},
	{Name: "account_menus", Where: orgAccounts},
	{Name: "conversations", Where: orgAccounts},
	{Name: "conversation_messages", Where: `t.conversation_id IN (SELECT c.id FROM conversations c JOIN accounts a ON a.id = c.account_id JOIN institutions i ON i.id = a.institution_id WHERE i.org_id = ?)`},
	// Analytics (0050).
	{Name: "publication_snapshots", Where: orgPublications},
	// day (PostgreSQL, 0080) is derived from the publication and set by a trigger.
	{Name: "publication_figures", Where: orgPublications, Omit: []string{"day"}},
	{Name: "follower_days", Where: orgAccounts, Order: `1, 2`},
	// Visitor pages (0060): the public tokens are kept, so that printed QR codes still
	// lead to the same pages once the installation's address points to the new one.
	{Name: "tours", Where: orgInstitutions},
	{Name: "tour_stops", Where: `t.tour_id IN (SELECT o.id FROM tours o JOIN institutions i ON i.id = o.institution_id WHERE i.org_id = ?)`},
	{Name: "exhibitions", Where: orgInstitutions},
	// Partners (0070). A relay keeps the hash of its link's nonce (unique, required), never
	// the link: links are signed with the installation's keys, which do not leave it.
	{Name: "partners", Where: `t.org_id = ?`},
	{Name: "partner_accounts", Where: `t.partner_id IN (SELECT id FROM partners WHERE org_id = ?)`},
	{Name: "partner_followers", Where: `t.partner_account_id IN (SELECT pa.id FROM partner_accounts pa JOIN partners p ON p.id = pa.partner_id WHERE p.org_id = ?)`, Order: `1, 2`},
	{Name: "campaigns", Where: `t.org_id = ?`},
	{Name: "campaign_relays", Where: `t.campaign_id IN (SELECT id FROM campaigns WHERE org_id = ?)`},
	// Relay figures (0073): every reading kept with its source, and which collection
	// slots each relayed post already had, so that nothing is read twice after a move.
	{Name: "relay_snapshots", Where: orgRelays, Order: `1, 2, 3`},
	{Name: "relay_collection_slots", Where: orgRelays, Order: `1, 2, 3`},
	{Name: "campaign_templates", Where: `t.org_id = ?`},
	{Name: "live_events", Where: orgInstitutions},
	{Name: "account_members", Where: orgAccounts, Order: `1, 2`},
	{Name: "post_featured_institutions", Where: orgPosts, Order: `1, 2`},
	// Collection of figures (0051): the organization's schedule and quotas, and which
	// readings each publication already has, so that nothing is read twice after a move.
	{Name: "collection_settings", Where: `t.org_id = ?`},
	{Name: "collection_slots", Where: orgPublications, Order: `1, 2`},
	// Monthly reports already mailed (0056): a move does not send a month twice.
	{Name: "report_mails", Where: orgInstitutions, Order: `1, 2, 3`},
	// Visitor counts (0061): anonymous daily counts per stop and exhibition.
	{Name: "visit_plays", Where: `t.stop_id IN (SELECT s.id FROM tour_stops s JOIN tours o ON o.id = s.tour_id JOIN institutions i ON i.id = o.institution_id WHERE i.org_id = ?)`, Order: `1, 2`},
	{Name: "visit_views", Where: `t.exhibition_id IN (SELECT e.id FROM exhibitions e JOIN institutions i ON i.id = e.institution_id WHERE i.org_id = ?)`, Order: `1, 2`},
	// WeChat mass sends (0007): the quota they used and their reports.
	{Name: "wechat_mass_sends", Where: orgAccounts},
	// Service desk's canned answers and staff tags on followers (0041).
	{Name: "canned_answers", Where: orgAccounts},
	{Name: "follower_tags", Where: orgAccounts, Order: `1, 2, 3`},
	// Co-created posts (0072): each co-author's approval and own publication.
	{Name: "post_coauthors", Where: orgPosts, Order: `1, 2`},
}

// NotExported names the tables an organization's export leaves out, with the reason.
var NotExported = map[string]string{
	"schema_migrations":       "the installation's schema history; the manifest records the schema version",
	"account_credentials":     "platform credentials (sealed secrets): entered again after an import",
	"platform_tokens":         "WeChat access tokens (sealed) and the refresher's lease: fetched again with the credentials",
	"account_connections":     "the last connection test of credentials that are not exported: the next test rebuilds it",
	"oauth_states":            "OAuth authorisations in progress, bound to a browser session",
	"sessions":                "browser sessions",
	"api_tokens":              "API tokens (secrets): created again after an import",
	"login_failures":          "the installation's sign-in throttling, by address",
	"setup_tokens":            "one-time setup links of the installation",
	"guest_links":             "guest review links, signed with the installation's keys",
	"signing_keys":            "the installation's link-signing keys (secrets)",
	"wechat_events":           "raw WeChat pushes (personal data, kept 90 days): what they mean is exported as conversations, placement counts and follower origins",
	"push_replays":            "replay protection of signed pushes, kept for minutes",
	"media_rendition_claims":  "locks held while a rendition is being made",
	"collection_budgets":      "the installation's hourly platform-call budget per account, rebuilt within the hour",
	"metric_uploads":          "figure files uploaded for a preview, one person's and kept 24 hours; what was imported is in the figures",
	"analytics_days":          "sums of the publications' figures per account and day, kept by triggers (0052): rebuilt as the publications and their figures are imported",
	"analytics_org_days":      "an organization's sums per day, format, theme, platform and hour, kept by triggers (0075): rebuilt as the publications and their figures are imported",
	"analytics_org_followers": "an organization's follower changes per day, kept by triggers (0076): rebuilt as the follower readings are imported",
	"follower_months":         "follower moves per account and month, kept by triggers (0076): rebuilt as the follower days are imported",
	"analytics_months":        "analytics_days per month, kept by triggers (0052): rebuilt with them",
}

// Row is one exported row, column → value (numbers, strings, booleans, null; instants
// as RFC 3339 strings in UTC).
type Row = map[string]any

// OrgRows returns the organization's rows of one table, ordered by t.Order.
func (db *DB) OrgRows(ctx context.Context, t OrgTable, orgID int64) ([]Row, error) {
	order := t.Order
	if order == "" {
		order = "1"
	}
	rows, err := db.r().query(ctx, `SELECT t.* FROM `+t.Name+` t WHERE `+t.Where+` ORDER BY `+order, orgID)
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
