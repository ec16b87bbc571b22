package store

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/secret"
)

// EditorialSettings are an organization's editorial choices, and an institution's
// where it overrides them.
type EditorialSettings struct {
	// Themes is the organization's list of post themes.
	Themes []string `json:"themes"`
	// TwoStepApproval asks for the agency lead's approval before the museum's.
	TwoStepApproval bool `json:"two_step_approval"`
}

// Themes returns the organization's post themes, the defaults when never edited.
func (db *DB) Themes(ctx context.Context, orgID int64) ([]string, error) {
	var s string
	err := db.r().row(ctx, `SELECT themes FROM editorial_settings WHERE org_id = ? AND institution_id = 0`, orgID).Scan(&s)
	if err = db.mapErr(err); passerelle.ErrorCode(err) == passerelle.ENOTFOUND || (err == nil && s == "") {
		return append([]string(nil), passerelle.DefaultThemes...), nil
	}
	if err != nil {
		return nil, err
	}
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		return nil, fmt.Errorf("store: themes: %w", err)
	}
	return out, nil
}

// SetThemes replaces the organization's theme list. Posts keep their theme even when it
// leaves the list.
func (db *DB) SetThemes(ctx context.Context, orgID int64, themes []string) error {
	f := passerelle.FieldErrors{}
	seen := map[string]bool{}
	clean := make([]string, 0, len(themes))
	for _, t := range themes {
		t = strings.TrimSpace(t)
		if t == "" || len(t) > 64 || seen[t] {
			f.Add("themes", "Give distinct, non-empty themes of at most 64 bytes.")
			continue
		}
		seen[t] = true
		clean = append(clean, t)
	}
	if len(clean) == 0 || len(clean) > 50 {
		f.Add("themes", "Give from 1 to 50 themes.")
	}
	if err := f.Err(); err != nil {
		return err
	}
	js, _ := json.Marshal(clean)
	_, err := db.write.ExecContext(ctx, db.rebind(`INSERT INTO editorial_settings (org_id, institution_id, themes, updated_at) VALUES (?, 0, ?, ?)
		ON CONFLICT (org_id, institution_id) DO UPDATE SET themes = excluded.themes, updated_at = excluded.updated_at`), db.args([]any{orgID, string(js), db.nowUTC()})...)
	return db.mapErr(err)
}

// TwoStepApproval reports whether an institution asks for two approvals.
func (db *DB) TwoStepApproval(ctx context.Context, orgID, institutionID int64) (bool, error) {
	var on bool
	err := db.mapErr(db.r().row(ctx, `SELECT two_step_approval FROM editorial_settings WHERE org_id = ? AND institution_id = ?`, orgID, institutionID).Scan(&on))
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		return false, nil
	}
	return on, err
}

// SetTwoStepApproval turns an institution's two-step approval on or off.
func (db *DB) SetTwoStepApproval(ctx context.Context, orgID, institutionID int64, on bool) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if err := checkInstitution(ctx, tx, orgID, institutionID); err != nil {
			return err
		}
		_, err := tx.q().exec(ctx, `INSERT INTO editorial_settings (org_id, institution_id, two_step_approval, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (org_id, institution_id) DO UPDATE SET two_step_approval = excluded.two_step_approval, updated_at = excluded.updated_at`,
			orgID, institutionID, on, db.nowUTC())
		return err
	})
}

// Cadence is a publishing target for an account, in posts per week.
type Cadence struct {
	AccountID  int64 `json:"account_id"`
	MinPerWeek int   `json:"min_per_week"`
	MaxPerWeek int   `json:"max_per_week"`
	// Default marks the platform's default, not a stored target.
	Default bool `json:"default"`
}

// DefaultCadence is the target of an account without its own: Weibo 5–7 a week,
// WeChat 1.
func DefaultCadence(p passerelle.Platform) Cadence {
	if p == passerelle.WeChat {
		return Cadence{MinPerWeek: 1, MaxPerWeek: 1, Default: true}
	}
	return Cadence{MinPerWeek: 5, MaxPerWeek: 7, Default: true}
}

// Cadences returns the stored targets of the given accounts, by account id.
func (db *DB) Cadences(ctx context.Context, accountIDs []int64) (map[int64]Cadence, error) {
	w := where{}
	db.inIDs(&w, "account_id", accountIDs)
	rows, err := queryAll(ctx, db, db.r(), `SELECT account_id, min_per_week, max_per_week FROM cadence_targets`+w.sql(), w.args,
		func(s interface{ Scan(...any) error }) (Cadence, error) {
			var c Cadence
			return c, s.Scan(&c.AccountID, &c.MinPerWeek, &c.MaxPerWeek)
		})
	if err != nil {
		return nil, err
	}
	out := make(map[int64]Cadence, len(rows))
	for _, c := range rows {
		out[c.AccountID] = c
	}
	return out, nil
}

// SetCadence stores an account's target.
func (db *DB) SetCadence(ctx context.Context, c Cadence) error {
	if c.MinPerWeek < 0 || c.MaxPerWeek < c.MinPerWeek || c.MaxPerWeek > 100 {
		return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"max_per_week": "Give 0 ≤ min ≤ max ≤ 100."}}
	}
	_, err := db.write.ExecContext(ctx, db.rebind(`INSERT INTO cadence_targets (account_id, min_per_week, max_per_week, updated_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id) DO UPDATE SET min_per_week = excluded.min_per_week, max_per_week = excluded.max_per_week, updated_at = excluded.updated_at`),
		db.args([]any{c.AccountID, c.MinPerWeek, c.MaxPerWeek, db.nowUTC()})...)
	return db.mapErr(err)
}

// SigningKey returns the 32-byte key called name, creating it on first use. Keys are
// sealed with the secret keyring, so a copy of the database alone cannot forge links.
func (db *DB) SigningKey(ctx context.Context, name string) ([]byte, error) {
	if db.keys == nil {
		return nil, errors.New("store: no secret keyring")
	}
	aad := secret.AAD("signing_keys", 0, name)
	var sealed string
	err := db.mapErr(db.r().row(ctx, `SELECT sealed FROM signing_keys WHERE name = ?`, name).Scan(&sealed))
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		key := make([]byte, 32)
		rand.Read(key)
		s, serr := db.keys.Seal(key, aad)
		if serr != nil {
			return nil, serr
		}
		// Another instance may create it at the same moment: the first one wins and
		// everyone reads it back.
		if _, err := db.write.ExecContext(ctx, db.rebind(`INSERT INTO signing_keys (name, sealed, key_version, created_at) VALUES (?, ?, ?, ?) ON CONFLICT (name) DO NOTHING`),
			db.args([]any{name, s, db.keys.Current(), db.nowUTC()})...); err != nil {
			return nil, db.mapErr(err)
		}
		err = db.mapErr(db.write.QueryRowContext(ctx, db.rebind(`SELECT sealed FROM signing_keys WHERE name = ?`), name).Scan(&sealed))
	}
	if err != nil {
		return nil, err
	}
	key, err := db.keys.Open(sealed, aad)
	if err != nil {
		return nil, fmt.Errorf("store: open signing key %s: %w", name, err)
	}
	return key, nil
}
