package store

import (
	"context"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// CreateOrganization inserts an organization.
func (db *DB) CreateOrganization(ctx context.Context, name string) (*passerelle.Organization, error) {
	o := &passerelle.Organization{Name: name, CreatedAt: db.nowUTC()}
	err := db.inTx(ctx, func(tx *Tx) error {
		id, err := tx.q().insert(ctx, `INSERT INTO organizations (name, created_at) VALUES (?, ?)`, name, o.CreatedAt)
		o.ID = id
		return err
	})
	return o, err
}

// Organizations lists every organization, oldest first.
func (db *DB) Organizations(ctx context.Context) ([]*passerelle.Organization, error) {
	return queryAll(ctx, db, db.r(), `SELECT id, name, created_at FROM organizations ORDER BY id`, nil, func(s interface{ Scan(...any) error }) (*passerelle.Organization, error) {
		var o passerelle.Organization
		var created nullTime
		err := s.Scan(&o.ID, &o.Name, &created)
		o.CreatedAt = created.T
		return &o, err
	})
}

// Organization returns one organization.
func (db *DB) Organization(ctx context.Context, id int64) (*passerelle.Organization, error) {
	var o passerelle.Organization
	var created nullTime
	err := db.r().row(ctx, `SELECT id, name, created_at FROM organizations WHERE id = ?`, id).Scan(&o.ID, &o.Name, &created)
	o.CreatedAt = created.T
	return &o, db.mapErr(err)
}

// RenameOrganization changes an organization's name.
func (db *DB) RenameOrganization(ctx context.Context, id int64, name string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `UPDATE organizations SET name = ? WHERE id = ?`, name, id)
		return err
	})
}

const userColumns = `id, org_id, email, name, owner, locale, disabled_at, created_at, last_login_at`

func scanUser(s interface{ Scan(...any) error }) (*passerelle.User, error) {
	var u passerelle.User
	var owner int
	var disabled, created, lastLogin nullTime
	if err := s.Scan(&u.ID, &u.OrgID, &u.Email, &u.Name, &owner, &u.Locale, &disabled, &created, &lastLogin); err != nil {
		return nil, err
	}
	u.Owner, u.DisabledAt, u.CreatedAt, u.LastLoginAt = owner == 1, disabled.Ptr(), created.T, lastLogin.Ptr()
	u.Memberships = []passerelle.Membership{}
	return &u, nil
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// CreateUser validates and inserts u with its memberships and password hash.
func (db *DB) CreateUser(ctx context.Context, u *passerelle.User, passwordHash string) error {
	u.Email = passerelle.NormalizeEmail(u.Email)
	if err := u.Validate(); err != nil {
		return err
	}
	now := db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		id, err := tx.q().insert(ctx, `INSERT INTO users (org_id, email, name, owner, password_hash, locale, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			u.OrgID, u.Email, u.Name, boolInt(u.Owner), passwordHash, u.Locale, now)
		if err != nil {
			if passerelle.ErrorCode(err) == passerelle.ECONFLICT {
				return &passerelle.Error{Code: passerelle.ECONFLICT, Message: "A user with this e-mail address already exists.", Fields: map[string]string{"email": "Already in use."}, Err: err}
			}
			return err
		}
		u.ID, u.CreatedAt = id, now
		return setMemberships(ctx, tx, u)
	})
}

func setMemberships(ctx context.Context, tx *Tx, u *passerelle.User) error {
	if _, err := tx.q().exec(ctx, `DELETE FROM memberships WHERE user_id = ?`, u.ID); err != nil {
		return err
	}
	for _, m := range u.Memberships {
		var n int
		if err := tx.q().row(ctx, `SELECT COUNT(*) FROM institutions WHERE id = ? AND org_id = ?`, m.InstitutionID, u.OrgID).Scan(&n); err != nil {
			return tx.db.mapErr(err)
		}
		if n == 0 {
			return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"memberships": "Unknown institution."}}
		}
		if _, err := tx.q().exec(ctx, `INSERT INTO memberships (user_id, institution_id, role) VALUES (?, ?, ?)`, u.ID, m.InstitutionID, m.Role); err != nil {
			return err
		}
	}
	return nil
}

func (db *DB) loadMemberships(ctx context.Context, x q, users ...*passerelle.User) error {
	if len(users) == 0 {
		return nil
	}
	byID := map[int64]*passerelle.User{}
	ids := make([]int64, 0, len(users))
	for _, u := range users {
		byID[u.ID] = u
		ids = append(ids, u.ID)
	}
	w := where{}
	w.in("user_id", ids)
	rows, err := x.query(ctx, `SELECT user_id, institution_id, role FROM memberships`+w.sql()+` ORDER BY institution_id`, w.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var uid int64
		var m passerelle.Membership
		if err := rows.Scan(&uid, &m.InstitutionID, &m.Role); err != nil {
			return err
		}
		byID[uid].Memberships = append(byID[uid].Memberships, m)
	}
	return rows.Err()
}

// User returns a user of the organization with memberships.
func (db *DB) User(ctx context.Context, orgID, id int64) (*passerelle.User, error) {
	u, err := scanUser(db.r().row(ctx, `SELECT `+userColumns+` FROM users WHERE id = ? AND org_id = ?`, id, orgID))
	if err != nil {
		return nil, db.mapErr(err)
	}
	return u, db.loadMemberships(ctx, db.r(), u)
}

// UserByEmail returns a user with memberships and password hash.
func (db *DB) UserByEmail(ctx context.Context, email string) (*passerelle.User, string, error) {
	var hash string
	row := db.r().row(ctx, `SELECT `+userColumns+`, password_hash FROM users WHERE email = ?`, passerelle.NormalizeEmail(email))
	u, err := scanUser(scanFunc(func(dest ...any) error { return row.Scan(append(dest, &hash)...) }))
	if err != nil {
		return nil, "", db.mapErr(err)
	}
	return u, hash, db.loadMemberships(ctx, db.r(), u)
}

type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// Users lists the organization's users.
func (db *DB) Users(ctx context.Context, orgID int64) ([]*passerelle.User, error) {
	users, err := queryAll(ctx, db, db.r(), `SELECT `+userColumns+` FROM users WHERE org_id = ? ORDER BY id`, []any{orgID}, scanUser)
	if err != nil {
		return nil, err
	}
	return users, db.loadMemberships(ctx, db.r(), users...)
}

// CountUsers counts every user of every organization.
func (db *DB) CountUsers(ctx context.Context) (int, error) {
	var n int
	err := db.r().row(ctx, `SELECT COUNT(*) FROM users`).Scan(&n)
	return n, db.mapErr(err)
}

// UpdateUser applies fn to the stored user (name, locale, owner, memberships, disabled)
// and saves it. Disabling a user deletes their sessions in the same transaction.
func (db *DB) UpdateUser(ctx context.Context, orgID, id int64, fn func(*passerelle.User) error) (*passerelle.User, error) {
	var out *passerelle.User
	err := db.inTx(ctx, func(tx *Tx) error {
		u, err := scanUser(tx.q().row(ctx, `SELECT `+userColumns+` FROM users WHERE id = ? AND org_id = ?`, id, orgID))
		if err != nil {
			return db.mapErr(err)
		}
		if err := db.loadMemberships(ctx, tx.q(), u); err != nil {
			return err
		}
		wasOwner := u.Owner
		if err := fn(u); err != nil {
			return err
		}
		if err := u.Validate(); err != nil {
			return err
		}
		if wasOwner && (!u.Owner || u.DisabledAt != nil) {
			var owners int
			if err := tx.q().row(ctx, `SELECT COUNT(*) FROM users WHERE org_id = ? AND owner = 1 AND disabled_at IS NULL AND id <> ?`, orgID, id).Scan(&owners); err != nil {
				return err
			}
			if owners == 0 {
				return passerelle.Errorf(passerelle.ECONFLICT, "The organization must keep at least one active owner.")
			}
		}
		if _, err := tx.q().exec(ctx, `UPDATE users SET name = ?, owner = ?, locale = ?, disabled_at = ? WHERE id = ?`, u.Name, boolInt(u.Owner), u.Locale, u.DisabledAt, u.ID); err != nil {
			return err
		}
		if u.DisabledAt != nil {
			if _, err := tx.q().exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, u.ID); err != nil {
				return err
			}
		}
		out = u
		return setMemberships(ctx, tx, u)
	})
	return out, err
}

// SetPasswordHash replaces a user's password hash. When keepSession is not empty, every
// other session of the user is ended.
func (db *DB) SetPasswordHash(ctx context.Context, userID int64, hash, keepSession string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.q().exec(ctx, `UPDATE users SET password_hash = ? WHERE id = ?`, hash, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return passerelle.ErrNotFound
		}
		_, err = tx.q().exec(ctx, `DELETE FROM sessions WHERE user_id = ? AND hash <> ?`, userID, keepSession)
		return err
	})
}

// TouchLogin records a successful sign-in.
func (db *DB) TouchLogin(ctx context.Context, userID int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `UPDATE users SET last_login_at = ? WHERE id = ?`, db.nowUTC(), userID)
		return err
	})
}

// RecordLoginAttempts counts one sign-in attempt under each key, atomically, and
// returns the counts in the current windows (this attempt included). A window starts
// at a key's first attempt and lasts window; a key whose window has passed starts
// again at 1. One upsert per key, so concurrent attempts cannot read the same count.
func (db *DB) RecordLoginAttempts(ctx context.Context, keys []string, window time.Duration) ([]int, error) {
	now := db.nowUTC()
	since := now.Add(-window)
	counts := make([]int, len(keys))
	err := db.inTx(ctx, func(tx *Tx) error {
		for i, key := range keys {
			err := tx.q().row(ctx, `INSERT INTO login_failures (key, count, first_at) VALUES (?, 1, ?)
				ON CONFLICT (key) DO UPDATE SET
					count = CASE WHEN login_failures.first_at > ? THEN login_failures.count + 1 ELSE 1 END,
					first_at = CASE WHEN login_failures.first_at > ? THEN login_failures.first_at ELSE excluded.first_at END
				RETURNING count`, key, now, since, since).Scan(&counts[i])
			if err != nil {
				return err
			}
		}
		return nil
	})
	return counts, db.mapErr(err)
}

// ForgetLoginAttempt takes one attempt back from key (a sign-in that succeeded).
func (db *DB) ForgetLoginAttempt(ctx context.Context, key string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `UPDATE login_failures SET count = count - 1 WHERE key = ? AND count > 0`, key)
		return err
	})
}

// LoginFailures returns the attempts counted under key within window.
func (db *DB) LoginFailures(ctx context.Context, key string, window time.Duration) (int, error) {
	var count int
	var first nullTime
	err := db.r().row(ctx, `SELECT count, first_at FROM login_failures WHERE key = ?`, key).Scan(&count, &first)
	if err != nil {
		if passerelle.ErrorCode(db.mapErr(err)) == passerelle.ENOTFOUND {
			return 0, nil
		}
		return 0, err
	}
	if db.nowUTC().Sub(first.T) >= window {
		return 0, nil
	}
	return count, nil
}

// PruneLoginAttempts deletes counters whose window has passed.
func (db *DB) PruneLoginAttempts(ctx context.Context, window time.Duration) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.q().exec(ctx, `DELETE FROM login_failures WHERE first_at <= ?`, db.nowUTC().Add(-window))
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	})
	return n, err
}

// ClearLoginFailures forgets the failures under key.
func (db *DB) ClearLoginFailures(ctx context.Context, key string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `DELETE FROM login_failures WHERE key = ?`, key)
		return err
	})
}
