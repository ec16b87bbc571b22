package store

import (
	"context"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// ImportReading is one line of a barometer import: a reading of an institution's
// account on a platform, the institution and the account being found by name, or
// created when unknown.
type ImportReading struct {
	Institution string
	Country     string
	// Kind is the institution type used when the institution is created ("" for museum).
	Kind         string
	Platform     passerelle.Platform
	TakenAt      time.Time
	Followers    *int64
	Posts        *int64
	Views        *int64
	Interactions *int64
	Source       string
	Note         string
}

// ImportCounts says what an import did.
type ImportCounts struct {
	InstitutionsCreated int `json:"institutions_created"`
	AccountsCreated     int `json:"accounts_created"`
	SnapshotCounts
}

// nameKey is how institution names are compared: trimmed, case-folded.
func nameKey(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// ImportReadings writes the readings in one transaction: all or nothing. Institutions
// are matched by any of their names (case-insensitive); unknown ones are created, and
// an institution without an account on the platform gets a watched account.
func (db *DB) ImportReadings(ctx context.Context, orgID int64, rows []*ImportReading) (ImportCounts, error) {
	var c ImportCounts
	now := db.nowUTC()
	err := db.inTx(ctx, func(tx *Tx) error {
		c = ImportCounts{}
		insts, err := queryAll(ctx, db, tx.q(), `SELECT `+institutionColumns+` FROM institutions WHERE org_id = ? ORDER BY archived_at IS NOT NULL, id`, []any{orgID}, scanInstitution)
		if err != nil {
			return err
		}
		byName := map[string]int64{}
		for _, in := range insts {
			for _, n := range []string{in.Name, in.NameFR, in.NameEN, in.NameZH} {
				if k := nameKey(n); k != "" {
					if _, ok := byName[k]; !ok {
						byName[k] = in.ID
					}
				}
			}
		}
		type accountKey struct {
			institution int64
			platform    passerelle.Platform
		}
		accounts := map[accountKey]int64{}
		for _, r := range rows {
			instID, ok := byName[nameKey(r.Institution)]
			if !ok {
				in := passerelle.Institution{OrgID: orgID, Name: r.Institution, Country: r.Country, Kind: r.Kind}
				in.Normalize()
				if err := in.Validate(); err != nil {
					return err
				}
				instID, err = tx.q().insert(ctx, `INSERT INTO institutions (org_id, name, name_fr, name_en, name_zh, city, country, website, time_zone, kind, logo_url, created_at, updated_at)
					VALUES (?, ?, '', '', '', '', ?, '', ?, ?, '', ?, ?)`,
					orgID, in.Name, in.Country, in.TimeZone, in.Kind, now, now)
				if err != nil {
					return err
				}
				byName[nameKey(r.Institution)] = instID
				c.InstitutionsCreated++
			}
			key := accountKey{instID, r.Platform}
			accID, ok := accounts[key]
			if !ok {
				err := tx.q().row(ctx, `SELECT id FROM accounts WHERE institution_id = ? AND platform = ? AND archived_at IS NULL ORDER BY id LIMIT 1`, instID, r.Platform).Scan(&accID)
				switch passerelle.ErrorCode(db.mapErr(err)) {
				case "":
				case passerelle.ENOTFOUND:
					a := passerelle.Account{InstitutionID: instID, Platform: r.Platform, Kind: passerelle.AccountWatched, DisplayName: r.Institution}
					a.Normalize()
					if err := a.Validate(); err != nil {
						return err
					}
					accID, err = tx.q().insert(ctx, `INSERT INTO accounts (institution_id, platform, kind, handle, display_name, profile_url, created_at, updated_at)
						VALUES (?, ?, ?, '', ?, '', ?, ?)`, instID, a.Platform, a.Kind, a.DisplayName, now, now)
					if err != nil {
						return err
					}
					c.AccountsCreated++
				default:
					return db.mapErr(err)
				}
				accounts[key] = accID
			}
			s := &AccountSnapshot{AccountID: accID, TakenAt: r.TakenAt.UTC().Truncate(time.Microsecond), Followers: r.Followers, Posts: r.Posts, Views: r.Views, Interactions: r.Interactions, Source: r.Source, Note: r.Note}
			if err := s.Validate(now); err != nil {
				return err
			}
			inserted, err := upsertSnapshot(ctx, tx, s, now)
			if err != nil {
				return err
			}
			if inserted {
				c.Inserted++
			} else {
				c.Updated++
			}
		}
		return nil
	})
	return c, err
}

// Reading is an account of the tracked set with its latest reading before an instant;
// TakenAt is nil when there is none.
type Reading struct {
	AccountID     int64
	InstitutionID int64
	Institution   string
	Country       string
	Kind          string
	Platform      passerelle.Platform
	// Handle is the account's handle on the platform, as typed.
	Handle       string
	TakenAt      *time.Time
	Followers    *int64
	Posts        *int64
	Views        *int64
	Interactions *int64
}

// LatestReadings returns every live account of the organization (on platform, or all
// when empty) with its latest reading that has a follower count and was taken before
// the instant. Same-instant readings from several sources resolve to the last written.
//
// The correlated subquery is one backward seek on account_snapshots(account_id,
// taken_at) per account, which keeps the cost proportional to the number of accounts,
// not of readings.
func (db *DB) LatestReadings(ctx context.Context, orgID int64, platform passerelle.Platform, before time.Time) ([]Reading, error) {
	w := where{}
	w.args = append(w.args, before)
	w.add("i.org_id = ?", orgID)
	w.add("a.archived_at IS NULL")
	w.add("i.archived_at IS NULL")
	if platform != "" {
		w.add("a.platform = ?", platform)
	}
	query := `SELECT a.id, i.id, i.name, i.country, i.kind, a.platform, a.handle, s.taken_at, s.followers, s.posts, s.views, s.interactions
		FROM accounts a JOIN institutions i ON i.id = a.institution_id
		LEFT JOIN account_snapshots s ON s.id = (
			SELECT s2.id FROM account_snapshots s2
			WHERE s2.account_id = a.id AND s2.taken_at < ? AND s2.followers IS NOT NULL
			ORDER BY s2.taken_at DESC, s2.id DESC LIMIT 1)` + w.sql() + ` ORDER BY a.id`
	return queryAll(ctx, db, db.r(), query, w.args, func(sc interface{ Scan(...any) error }) (Reading, error) {
		var r Reading
		var taken nullTime
		err := sc.Scan(&r.AccountID, &r.InstitutionID, &r.Institution, &r.Country, &r.Kind, &r.Platform, &r.Handle, &taken, &r.Followers, &r.Posts, &r.Views, &r.Interactions)
		r.TakenAt = taken.Ptr()
		return r, err
	})
}

// Edition is a published barometer: the table of a period, frozen as JSON.
type Edition struct {
	ID     int64
	OrgID  int64
	Period string
	// From and To are the calendar days of the period, YYYY-MM-DD.
	From, To string
	// Platform is a platform name or "all" for the combined table.
	Platform       string
	Rows           []byte
	TotalFollowers int64
	CreatedAt      time.Time
}

const editionColumns = `id, org_id, period_label, from_date, to_date, platform, rows_json, total_followers, created_at`

func scanEdition(s interface{ Scan(...any) error }) (*Edition, error) {
	var e Edition
	var rows string
	var created nullTime
	if err := s.Scan(&e.ID, &e.OrgID, &e.Period, &e.From, &e.To, &e.Platform, &rows, &e.TotalFollowers, &created); err != nil {
		return nil, err
	}
	e.Rows, e.CreatedAt = []byte(rows), created.T
	return &e, nil
}

// CreateEdition stores a new edition. An edition of the same period and platform
// already published is a conflict: editions are never rewritten, and there is no
// method to change one.
func (db *DB) CreateEdition(ctx context.Context, e *Edition) error {
	f := passerelle.FieldErrors{}
	if e.Period == "" || len(e.Period) > 40 {
		f.Add("period", "A period label of at most 40 characters is required.")
	}
	if _, err := time.Parse(time.DateOnly, e.From); err != nil {
		f.Add("from", "Use a date YYYY-MM-DD.")
	}
	if _, err := time.Parse(time.DateOnly, e.To); err != nil {
		f.Add("to", "Use a date YYYY-MM-DD.")
	}
	if e.Platform != "all" && !passerelle.Platform(e.Platform).Valid() {
		f.Add("platform", "Unknown platform.")
	}
	if err := f.Err(); err != nil {
		return err
	}
	now := db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		id, err := tx.q().insert(ctx, `INSERT INTO barometer_editions (org_id, period_label, from_date, to_date, platform, rows_json, total_followers, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, e.OrgID, e.Period, e.From, e.To, e.Platform, string(e.Rows), e.TotalFollowers, now)
		if err != nil {
			if passerelle.ErrorCode(err) == passerelle.ECONFLICT {
				return &passerelle.Error{Code: passerelle.ECONFLICT, Message: "An edition of this period and platform is already published.", Err: err}
			}
			return err
		}
		e.ID, e.CreatedAt = id, now
		return nil
	})
}

// Edition returns one edition of the organization.
func (db *DB) Edition(ctx context.Context, orgID, id int64) (*Edition, error) {
	e, err := scanEdition(db.r().row(ctx, `SELECT `+editionColumns+` FROM barometer_editions WHERE id = ? AND org_id = ?`, id, orgID))
	return e, db.mapErr(err)
}

// EditionFilter selects editions.
type EditionFilter struct {
	OrgID    int64
	Platform string
	Period   string
	Limit    int
}

// Editions lists editions, the latest period first.
func (db *DB) Editions(ctx context.Context, f EditionFilter) ([]*Edition, error) {
	w := where{}
	w.add("org_id = ?", f.OrgID)
	if f.Platform != "" {
		w.add("platform = ?", f.Platform)
	}
	if f.Period != "" {
		w.add("period_label = ?", f.Period)
	}
	query := `SELECT ` + editionColumns + ` FROM barometer_editions` + w.sql() + ` ORDER BY to_date DESC, from_date DESC, id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		w.args = append(w.args, f.Limit)
	}
	return queryAll(ctx, db, db.r(), query, w.args, scanEdition)
}

// ValidSlug reports whether s can name a public barometer: 2 to 63 lower-case letters,
// digits and hyphens, starting with a letter (so that it is never a guessable id).
func ValidSlug(s string) bool {
	if len(s) < 2 || len(s) > 63 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' {
			return false
		}
	}
	return true
}

// PublishBarometer makes an organization's barometer public under slug (or moves it
// to a new slug). A slug another organization uses is a conflict.
func (db *DB) PublishBarometer(ctx context.Context, orgID int64, slug string) error {
	if !ValidSlug(slug) {
		return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"slug": "2 to 63 lower-case letters, digits and hyphens, starting with a letter."}}
	}
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `INSERT INTO public_barometers (org_id, slug, published_at) VALUES (?, ?, ?)
			ON CONFLICT (org_id) DO UPDATE SET slug = excluded.slug`, orgID, slug, db.nowUTC())
		return err
	})
}

// UnpublishBarometer takes an organization's barometer off the public pages.
func (db *DB) UnpublishBarometer(ctx context.Context, orgID int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `DELETE FROM public_barometers WHERE org_id = ?`, orgID)
		return err
	})
}

// PublicBarometer returns the organization publishing its barometer under slug, or,
// for an empty slug, the first one that published; ENOTFOUND when there is none.
func (db *DB) PublicBarometer(ctx context.Context, slug string) (orgID int64, publicSlug string, err error) {
	if slug == "" {
		err = db.r().row(ctx, `SELECT org_id, slug FROM public_barometers ORDER BY org_id LIMIT 1`).Scan(&orgID, &publicSlug)
	} else {
		err = db.r().row(ctx, `SELECT org_id, slug FROM public_barometers WHERE slug = ?`, slug).Scan(&orgID, &publicSlug)
	}
	return orgID, publicSlug, db.mapErr(err)
}

// NetworkMember is a member institution of a network account.
type NetworkMember struct {
	AccountID     int64
	InstitutionID int64
	Name          string
}

// NetworkMembers returns the member institutions of every network account of the
// organization, by account then institution name.
func (db *DB) NetworkMembers(ctx context.Context, orgID int64) ([]NetworkMember, error) {
	return queryAll(ctx, db, db.r(), `SELECT m.account_id, m.institution_id, mi.name
		FROM account_members m JOIN accounts a ON a.id = m.account_id JOIN institutions i ON i.id = a.institution_id
		JOIN institutions mi ON mi.id = m.institution_id
		WHERE i.org_id = ? ORDER BY m.account_id, mi.name, m.institution_id`, []any{orgID}, func(sc interface{ Scan(...any) error }) (NetworkMember, error) {
		var m NetworkMember
		err := sc.Scan(&m.AccountID, &m.InstitutionID, &m.Name)
		return m, err
	})
}
