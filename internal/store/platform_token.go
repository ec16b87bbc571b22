package store

import (
	"context"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/secret"
)

// TokenStore keeps WeChat access tokens in the database, sealed, so every instance
// shares one token and one refresher holds a lease at a time. It satisfies
// wechat.TokenStore.
type TokenStore struct{ DB *DB }

func tokenAAD(appID string) []byte { return secret.AAD("platform_tokens", 0, "token:"+appID) }

// Get returns the stored token, or "" when none.
func (s TokenStore) Get(ctx context.Context, appID string) (string, time.Time, error) {
	var sealed string
	var expires nullTime
	err := s.DB.r().row(ctx, `SELECT sealed_token, expires_at FROM platform_tokens WHERE app_id = ?`, appID).Scan(&sealed, &expires)
	if err != nil {
		if passerelle.ErrorCode(s.DB.mapErr(err)) == passerelle.ENOTFOUND {
			return "", time.Time{}, nil
		}
		return "", time.Time{}, err
	}
	if sealed == "" {
		return "", time.Time{}, nil
	}
	pt, err := s.DB.keys.Open(sealed, tokenAAD(appID))
	if err != nil {
		// A token sealed under a lost key is as good as none: refresh.
		return "", time.Time{}, nil
	}
	return string(pt), expires.T, nil
}

// Lease takes the refresh lease when it is free, expired, or already the holder's.
func (s TokenStore) Lease(ctx context.Context, appID, holder string, ttl time.Duration) (bool, error) {
	now := s.DB.nowUTC()
	var got bool
	err := s.DB.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.q().exec(ctx, `INSERT INTO platform_tokens (app_id) VALUES (?) ON CONFLICT (app_id) DO NOTHING`, appID); err != nil {
			return err
		}
		res, err := tx.q().exec(ctx, `UPDATE platform_tokens SET lease_holder = ?, lease_until = ? WHERE app_id = ? AND (lease_holder = '' OR lease_holder = ? OR lease_until IS NULL OR lease_until < ?)`,
			holder, now.Add(ttl), appID, holder, now)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		got = n == 1
		return nil
	})
	return got, err
}

// Put stores a fresh token.
func (s TokenStore) Put(ctx context.Context, appID, token string, expiresAt time.Time) error {
	sealed, err := s.DB.keys.Seal([]byte(token), tokenAAD(appID))
	if err != nil {
		return err
	}
	return s.DB.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `INSERT INTO platform_tokens (app_id, sealed_token, expires_at) VALUES (?, ?, ?)
			ON CONFLICT (app_id) DO UPDATE SET sealed_token = excluded.sealed_token, expires_at = excluded.expires_at`, appID, sealed, expiresAt)
		return err
	})
}

// Release frees the lease when holder has it.
func (s TokenStore) Release(ctx context.Context, appID, holder string) error {
	return s.DB.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `UPDATE platform_tokens SET lease_holder = '', lease_until = NULL WHERE app_id = ? AND lease_holder = ?`, appID, holder)
		return err
	})
}

// Connection is what the last connection test of an account found.
type Connection struct {
	AccountID    int64  `json:"account_id"`
	Status       string `json:"status"` // ok, error
	DiagnosisKey string `json:"diagnosis_key"`
	CanPublish   bool   `json:"can_publish"`
	CanAnalytics bool   `json:"can_analytics"`
	PlatformUID  string `json:"platform_uid"`
	// PlatformName is the platform's name for that identity (a Weibo screen name).
	PlatformName   string     `json:"platform_name"`
	CheckedAt      time.Time  `json:"checked_at"`
	TokenExpiresAt *time.Time `json:"token_expires_at"`
	RemindedAt     *time.Time `json:"-"`
}

// SaveConnection records a connection test.
func (db *DB) SaveConnection(ctx context.Context, c *Connection) error {
	c.CheckedAt = db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `INSERT INTO account_connections (account_id, status, diagnosis_key, can_publish, can_analytics, platform_uid, platform_name, checked_at, token_expires_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET status = excluded.status, diagnosis_key = excluded.diagnosis_key, can_publish = excluded.can_publish,
				can_analytics = excluded.can_analytics, platform_uid = excluded.platform_uid, platform_name = excluded.platform_name, checked_at = excluded.checked_at,
				token_expires_at = excluded.token_expires_at, reminded_at = NULL`,
			c.AccountID, c.Status, c.DiagnosisKey, boolInt(c.CanPublish), boolInt(c.CanAnalytics), c.PlatformUID, c.PlatformName, c.CheckedAt, c.TokenExpiresAt)
		return err
	})
}

func scanConnection(s interface{ Scan(...any) error }) (*Connection, error) {
	var c Connection
	var pub, ana int
	var checked, expires, reminded nullTime
	if err := s.Scan(&c.AccountID, &c.Status, &c.DiagnosisKey, &pub, &ana, &c.PlatformUID, &c.PlatformName, &checked, &expires, &reminded); err != nil {
		return nil, err
	}
	c.CanPublish, c.CanAnalytics, c.CheckedAt, c.TokenExpiresAt, c.RemindedAt = pub == 1, ana == 1, checked.T, expires.Ptr(), reminded.Ptr()
	return &c, nil
}

const connectionColumns = `account_id, status, diagnosis_key, can_publish, can_analytics, platform_uid, platform_name, checked_at, token_expires_at, reminded_at`

// Connection returns the last connection test of an account.
func (db *DB) Connection(ctx context.Context, accountID int64) (*Connection, error) {
	c, err := scanConnection(db.r().row(ctx, `SELECT `+connectionColumns+` FROM account_connections WHERE account_id = ?`, accountID))
	return c, db.mapErr(err)
}

// ExpiringConnections lists connections whose token expires before the given instant
// and whose admins were not reminded since the last test.
func (db *DB) ExpiringConnections(ctx context.Context, before time.Time) ([]*Connection, error) {
	return queryAll(ctx, db, db.r(), `SELECT `+connectionColumns+` FROM account_connections WHERE token_expires_at IS NOT NULL AND token_expires_at < ? AND reminded_at IS NULL`, []any{before}, scanConnection)
}

// MarkReminded records that an expiry reminder went out.
func (db *DB) MarkReminded(ctx context.Context, accountID int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `UPDATE account_connections SET reminded_at = ? WHERE account_id = ?`, db.nowUTC(), accountID)
		return err
	})
}

// CreateOAuthState stores an OAuth state bound to a session and an account.
func (db *DB) CreateOAuthState(ctx context.Context, hash, sessionHash string, accountID int64, expires time.Time) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `INSERT INTO oauth_states (hash, session_hash, account_id, expires_at) VALUES (?, ?, ?, ?)`, hash, sessionHash, accountID, expires)
		return err
	})
}

// TakeOAuthState consumes a state: it returns the account it was issued for when the
// state exists, is unexpired and belongs to the session.
func (db *DB) TakeOAuthState(ctx context.Context, hash, sessionHash string) (int64, error) {
	var accountID int64
	err := db.inTx(ctx, func(tx *Tx) error {
		err := tx.q().row(ctx, `SELECT account_id FROM oauth_states WHERE hash = ? AND session_hash = ? AND expires_at > ?`, hash, sessionHash, db.nowUTC()).Scan(&accountID)
		if err != nil {
			return db.mapErr(err)
		}
		_, err = tx.q().exec(ctx, `DELETE FROM oauth_states WHERE hash = ?`, hash)
		return err
	})
	return accountID, err
}
