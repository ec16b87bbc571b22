package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// Session is a signed-in browser. Only the hash of its cookie value is stored.
type Session struct {
	Hash       string
	UserID     int64
	CSRF       string
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	IP         string
	UserAgent  string
}

// CreateSession stores a session.
func (db *DB) CreateSession(ctx context.Context, s *Session) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `INSERT INTO sessions (hash, user_id, csrf, created_at, last_seen_at, expires_at, ip, user_agent) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			s.Hash, s.UserID, s.CSRF, s.CreatedAt, s.LastSeenAt, s.ExpiresAt, s.IP, s.UserAgent)
		return err
	})
}

// SessionUser returns the live session with that hash and its user, who must not be
// disabled.
func (db *DB) SessionUser(ctx context.Context, hash string) (*Session, *passerelle.User, error) {
	var s Session
	var created, seen, expires nullTime
	row := db.r().row(ctx, `SELECT s.hash, s.user_id, s.csrf, s.created_at, s.last_seen_at, s.expires_at, s.ip, s.user_agent, `+prefixed("u.", userColumns)+`
		FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.hash = ? AND s.expires_at > ? AND u.disabled_at IS NULL`, hash, db.nowUTC())
	u, err := scanUser(scanFunc(func(dest ...any) error {
		return row.Scan(append([]any{&s.Hash, &s.UserID, &s.CSRF, &created, &seen, &expires, &s.IP, &s.UserAgent}, dest...)...)
	}))
	if err != nil {
		return nil, nil, db.mapErr(err)
	}
	s.CreatedAt, s.LastSeenAt, s.ExpiresAt = created.T, seen.T, expires.T
	return &s, u, db.loadMemberships(ctx, db.r(), u)
}

// TouchSession slides a session's expiry.
func (db *DB) TouchSession(ctx context.Context, hash string, expires time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `UPDATE sessions SET last_seen_at = ?, expires_at = ? WHERE hash = ?`, db.nowUTC(), expires, hash)
		return err
	})
}

// DeleteSession ends one session.
func (db *DB) DeleteSession(ctx context.Context, hash string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `DELETE FROM sessions WHERE hash = ?`, hash)
		return err
	})
}

// DeleteUserSessions ends every session of a user.
func (db *DB) DeleteUserSessions(ctx context.Context, userID int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID)
		return err
	})
}

// DeleteExpiredSessions removes sessions past their expiry.
func (db *DB) DeleteExpiredSessions(ctx context.Context) (int64, error) {
	var n int64
	err := db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.q().exec(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, db.nowUTC())
		if err == nil {
			n, _ = res.RowsAffected()
		}
		return err
	})
	return n, err
}

// prefixed qualifies each column of a column list with a table alias.
func prefixed(alias, columns string) string {
	cols := strings.Split(columns, ",")
	for i, c := range cols {
		cols[i] = alias + strings.TrimSpace(c)
	}
	return strings.Join(cols, ", ")
}

// APITokenUser returns the live token with that hash and its user, and records its use.
func (db *DB) APITokenUser(ctx context.Context, hash string) (*passerelle.APIToken, *passerelle.User, error) {
	now := db.nowUTC()
	var t passerelle.APIToken
	var created, lastUsed, expires, revoked nullTime
	row := db.r().row(ctx, `SELECT t.id, t.user_id, t.name, t.prefix, t.created_at, t.last_used_at, t.expires_at, t.revoked_at, `+prefixed("u.", userColumns)+`
		FROM api_tokens t JOIN users u ON u.id = t.user_id
		WHERE t.hash = ? AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > ?) AND u.disabled_at IS NULL`, hash, now)
	u, err := scanUser(scanFunc(func(dest ...any) error {
		return row.Scan(append([]any{&t.ID, &t.UserID, &t.Name, &t.Prefix, &created, &lastUsed, &expires, &revoked}, dest...)...)
	}))
	if err != nil {
		return nil, nil, db.mapErr(err)
	}
	t.CreatedAt, t.LastUsedAt, t.ExpiresAt, t.RevokedAt = created.T, lastUsed.Ptr(), expires.Ptr(), revoked.Ptr()
	// Record use at most once a minute: a write per API call would serialise readers
	// behind SQLite's single writer. Of the requests that find the record a minute old,
	// the first of this process claims it and the others go on; the write runs after
	// the request, which does not wait for it nor its fsync (a disk busy with a backup
	// made that request take half a second). This process's token list shows the use
	// before the write lands (APITokens).
	if (t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute) && db.claimTokenUse(t.ID, now) {
		id := t.ID
		db.background("record an API token's use", func(ctx context.Context) error {
			return db.inTx(ctx, func(tx *Tx) error {
				_, err := tx.q().exec(ctx, `UPDATE api_tokens SET last_used_at = ? WHERE id = ?`, now, id)
				return err
			})
		})
		t.LastUsedAt = &now
	}
	return &t, u, db.loadMemberships(ctx, db.r(), u)
}

// claimTokenUse reports whether the request at now is the one of this process to
// record the use of token id: none was claimed in the minute before.
func (db *DB) claimTokenUse(id int64, now time.Time) bool {
	prev, loaded := db.tokenUses.LoadOrStore(id, now)
	if !loaded {
		return true
	}
	if now.Sub(prev.(time.Time)) <= time.Minute {
		return false
	}
	return db.tokenUses.CompareAndSwap(id, prev, now)
}

// CreateAPIToken stores a token's hash.
func (db *DB) CreateAPIToken(ctx context.Context, t *passerelle.APIToken, hash string) error {
	t.CreatedAt = db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		id, err := tx.q().insert(ctx, `INSERT INTO api_tokens (user_id, name, prefix, hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)`,
			t.UserID, t.Name, t.Prefix, hash, t.CreatedAt, t.ExpiresAt)
		t.ID = id
		return err
	})
}

// APITokens lists a user's tokens, newest first, with the last use this process knows
// of.
func (db *DB) APITokens(ctx context.Context, userID int64) ([]*passerelle.APIToken, error) {
	return queryAll(ctx, db, db.r(), `SELECT id, user_id, name, prefix, created_at, last_used_at, expires_at, revoked_at FROM api_tokens WHERE user_id = ? ORDER BY id DESC`, []any{userID},
		func(s interface{ Scan(...any) error }) (*passerelle.APIToken, error) {
			var t passerelle.APIToken
			var created, lastUsed, expires, revoked nullTime
			if err := s.Scan(&t.ID, &t.UserID, &t.Name, &t.Prefix, &created, &lastUsed, &expires, &revoked); err != nil {
				return nil, err
			}
			t.CreatedAt, t.LastUsedAt, t.ExpiresAt, t.RevokedAt = created.T, lastUsed.Ptr(), expires.Ptr(), revoked.Ptr()
			// A use this process recorded may not be written yet (APITokenUser).
			if v, ok := db.tokenUses.Load(t.ID); ok {
				if at := v.(time.Time); t.LastUsedAt == nil || at.After(*t.LastUsedAt) {
					t.LastUsedAt = &at
				}
			}
			return &t, nil
		})
}

// RevokeAPIToken revokes a token of the user.
func (db *DB) RevokeAPIToken(ctx context.Context, userID, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.q().exec(ctx, `UPDATE api_tokens SET revoked_at = ? WHERE id = ? AND user_id = ? AND revoked_at IS NULL`, db.nowUTC(), id, userID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return passerelle.ErrNotFound
		}
		return nil
	})
}

// CreateSetupToken stores the hash of a one-time setup token. With orgID 0 it creates
// a new organization and its first owner while no user exists (the first start's
// link); else the first owner of that organization, while it has no user.
func (db *DB) CreateSetupToken(ctx context.Context, hash string, orgID int64, expires time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `INSERT INTO setup_tokens (hash, org_id, expires_at) VALUES (?, ?, ?)`, hash, nullID(orgID), expires)
		return err
	})
}

// CreateOrganizationWithSetup creates an organization and the setup token of its first
// owner, together.
func (db *DB) CreateOrganizationWithSetup(ctx context.Context, name, hash string, expires time.Time) (*passerelle.Organization, error) {
	o := &passerelle.Organization{Name: name, CreatedAt: db.nowUTC()}
	err := db.inTx(ctx, func(tx *Tx) error {
		id, err := tx.q().insert(ctx, `INSERT INTO organizations (name, created_at) VALUES (?, ?)`, name, o.CreatedAt)
		if err != nil {
			return err
		}
		o.ID = id
		_, err = tx.q().exec(ctx, `INSERT INTO setup_tokens (hash, org_id, expires_at) VALUES (?, ?, ?)`, hash, id, expires)
		return err
	})
	return o, err
}

// setupTokenOpen is the condition of a usable setup token t.
const setupTokenOpen = `t.hash = ? AND t.used_at IS NULL AND t.expires_at > ? AND (
	(t.org_id IS NULL AND NOT EXISTS (SELECT 1 FROM users)) OR
	(t.org_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM users u WHERE u.org_id = t.org_id)))`

// SetupTokenValid reports whether an unused, unexpired setup token has that hash and
// its organization (or, for a first-start token, the installation) has no user yet;
// orgName is the name of the token's organization, "" for a first-start token.
func (db *DB) SetupTokenValid(ctx context.Context, hash string) (ok bool, orgName string, err error) {
	var name sql.NullString
	err = db.r().row(ctx, `SELECT o.name FROM setup_tokens t LEFT JOIN organizations o ON o.id = t.org_id WHERE `+setupTokenOpen, hash, db.nowUTC()).Scan(&name)
	if err = db.mapErr(err); passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		return false, "", nil
	}
	return err == nil, name.String, err
}

// CompleteSetup uses the setup token and creates the first owner, and the
// organization for a first-start token, in one transaction. For a token of an
// organization, a non-empty orgName renames it.
func (db *DB) CompleteSetup(ctx context.Context, hash, orgName string, u *passerelle.User, passwordHash string) error {
	u.Email = passerelle.NormalizeEmail(u.Email)
	u.Owner = true
	if err := u.Validate(); err != nil {
		return err
	}
	now := db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		var org sql.NullInt64
		err := tx.q().row(ctx, `SELECT t.org_id FROM setup_tokens t WHERE `+setupTokenOpen, hash, now).Scan(&org)
		if err = db.mapErr(err); passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
			return passerelle.Errorf(passerelle.EFORBIDDEN, "This setup link is no longer valid.")
		} else if err != nil {
			return err
		}
		res, err := tx.q().exec(ctx, `UPDATE setup_tokens SET used_at = ? WHERE hash = ? AND used_at IS NULL`, now, hash)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return passerelle.Errorf(passerelle.EFORBIDDEN, "This setup link is no longer valid.")
		}
		orgID := org.Int64
		if !org.Valid {
			if orgID, err = tx.q().insert(ctx, `INSERT INTO organizations (name, created_at) VALUES (?, ?)`, orgName, now); err != nil {
				return err
			}
		} else if orgName != "" {
			if _, err := tx.q().exec(ctx, `UPDATE organizations SET name = ? WHERE id = ?`, orgName, orgID); err != nil {
				return err
			}
		}
		u.OrgID = orgID
		id, err := tx.q().insert(ctx, `INSERT INTO users (org_id, email, name, owner, password_hash, locale, created_at) VALUES (?, ?, ?, 1, ?, ?, ?)`,
			orgID, u.Email, u.Name, passwordHash, u.Locale, now)
		u.ID, u.CreatedAt = id, now
		return err
	})
}
