package store

import (
	"context"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// CannedAnswer is a named answer of an account, inserted into a reply in the inbox.
type CannedAnswer struct {
	ID        int64     `json:"id"`
	AccountID int64     `json:"account_id"`
	Name      string    `json:"name"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// CreateCannedAnswer adds an answer (ECONFLICT when the account has one of that name).
func (db *DB) CreateCannedAnswer(ctx context.Context, a *CannedAnswer) error {
	a.CreatedAt = db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		id, err := tx.q().insert(ctx, `INSERT INTO canned_answers (account_id, name, text, created_at) VALUES (?, ?, ?, ?)`, a.AccountID, a.Name, a.Text, a.CreatedAt)
		a.ID = id
		return err
	})
}

// CannedAnswers lists an account's answers by name.
func (db *DB) CannedAnswers(ctx context.Context, accountID int64) ([]*CannedAnswer, error) {
	return queryAll(ctx, db, db.r(), `SELECT id, account_id, name, text, created_at FROM canned_answers WHERE account_id = ? ORDER BY name, id`, []any{accountID},
		func(s interface{ Scan(...any) error }) (*CannedAnswer, error) {
			var a CannedAnswer
			var at nullTime
			if err := s.Scan(&a.ID, &a.AccountID, &a.Name, &a.Text, &at); err != nil {
				return nil, err
			}
			a.CreatedAt = at.T
			return &a, nil
		})
}

// DeleteCannedAnswer deletes an account's answer (ENOTFOUND when it has none of id).
func (db *DB) DeleteCannedAnswer(ctx context.Context, accountID, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.q().exec(ctx, `DELETE FROM canned_answers WHERE id = ? AND account_id = ?`, id, accountID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return passerelle.ErrNotFound
		}
		return nil
	})
}

// SetFollowerTags replaces the tags staff gave the follower of a conversation.
func (db *DB) SetFollowerTags(ctx context.Context, conversationID int64, tags []string) error {
	now := db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		var account int64
		var openid string
		if err := tx.q().row(ctx, `SELECT account_id, openid FROM conversations WHERE id = ?`, conversationID).Scan(&account, &openid); err != nil {
			return tx.db.mapErr(err)
		}
		if _, err := tx.q().exec(ctx, `DELETE FROM follower_tags WHERE account_id = ? AND openid = ?`, account, openid); err != nil {
			return err
		}
		for _, t := range tags {
			if _, err := tx.q().exec(ctx, `INSERT INTO follower_tags (account_id, openid, tag, created_at) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, account, openid, t, now); err != nil {
				return err
			}
		}
		return nil
	})
}

// FollowerTags returns the tags of the follower of a conversation, in order.
func (db *DB) FollowerTags(ctx context.Context, conversationID int64) ([]string, error) {
	return queryAll(ctx, db, db.r(), `SELECT t.tag FROM follower_tags t JOIN conversations c ON c.account_id = t.account_id AND c.openid = t.openid WHERE c.id = ? ORDER BY t.tag`,
		[]any{conversationID}, func(s interface{ Scan(...any) error }) (string, error) {
			var t string
			return t, s.Scan(&t)
		})
}

// AccountTags lists the distinct tags in use on an account's followers, in order.
func (db *DB) AccountTags(ctx context.Context, accountID int64) ([]string, error) {
	return queryAll(ctx, db, db.r(), `SELECT DISTINCT tag FROM follower_tags WHERE account_id = ? ORDER BY tag`, []any{accountID},
		func(s interface{ Scan(...any) error }) (string, error) {
			var t string
			return t, s.Scan(&t)
		})
}

// Follower is what the desk knows of one follower of an account, through their
// conversation: how much they wrote (the messages still kept), the placement whose
// code they followed through, and staff's tags. OpenID never leaves the organization:
// it is not in the JSON (only the account's own CSV export carries it).
type Follower struct {
	ConversationID int64     `json:"conversation_id"`
	OpenID         string    `json:"-"`
	Messages       int64     `json:"messages"`
	LastMessageAt  time.Time `json:"last_message_at"`
	FirstMessageAt time.Time `json:"first_message_at"`
	// Scene is the code they followed through ("" for none known); PlacementID,
	// PlacementKey and PlacementName are its placement's, when it still has one.
	Scene         string   `json:"scene"`
	PlacementID   *int64   `json:"placement_id"`
	PlacementKey  *string  `json:"placement_key"`
	PlacementName *string  `json:"placement_name"`
	Tags          []string `json:"tags"`
}

// FollowerFilter selects an account's followers.
type FollowerFilter struct {
	AccountID int64
	Tag       string
	Limit     int
}

// Followers lists the followers who wrote to an account, those who wrote most first.
func (db *DB) Followers(ctx context.Context, f FollowerFilter) ([]*Follower, error) {
	w := where{}
	w.add("c.account_id = ?", f.AccountID)
	if f.Tag != "" {
		w.add("EXISTS (SELECT 1 FROM follower_tags t WHERE t.account_id = c.account_id AND t.openid = c.openid AND t.tag = ?)", f.Tag)
	}
	query := `SELECT c.id, c.openid, c.last_message_at,
		(SELECT COUNT(*) FROM conversation_messages m WHERE m.conversation_id = c.id AND m.direction = 'in') AS n,
		(SELECT MIN(m.sent_at) FROM conversation_messages m WHERE m.conversation_id = c.id AND m.direction = 'in'),
		COALESCE(o.scene, ''), p.id, p.key, p.name
		FROM conversations c
		LEFT JOIN follower_origins o ON o.account_id = c.account_id AND o.openid = c.openid
		LEFT JOIN placements p ON p.account_id = c.account_id AND p.scene = o.scene` + w.sql() + `
		ORDER BY n DESC, c.last_message_at DESC, c.id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		w.args = append(w.args, f.Limit)
	}
	out, err := queryAll(ctx, db, db.r(), query, w.args, func(s interface{ Scan(...any) error }) (*Follower, error) {
		var fl Follower
		var last, first nullTime
		if err := s.Scan(&fl.ConversationID, &fl.OpenID, &last, &fl.Messages, &first, &fl.Scene, &fl.PlacementID, &fl.PlacementKey, &fl.PlacementName); err != nil {
			return nil, err
		}
		fl.LastMessageAt, fl.FirstMessageAt, fl.Tags = last.T, first.T, []string{}
		return &fl, nil
	})
	if err != nil || len(out) == 0 {
		return out, err
	}
	type tagRow struct{ openid, tag string }
	rows, err := queryAll(ctx, db, db.r(), `SELECT openid, tag FROM follower_tags WHERE account_id = ? ORDER BY tag`, []any{f.AccountID},
		func(s interface{ Scan(...any) error }) (tagRow, error) {
			var r tagRow
			return r, s.Scan(&r.openid, &r.tag)
		})
	if err != nil {
		return nil, err
	}
	byOpenID := make(map[string]*Follower, len(out))
	for _, fl := range out {
		byOpenID[fl.OpenID] = fl
	}
	for _, r := range rows {
		if fl := byOpenID[r.openid]; fl != nil {
			fl.Tags = append(fl.Tags, r.tag)
		}
	}
	return out, nil
}

// DeleteMenu forgets the account's stored menu (deleted on WeChat).
func (db *DB) DeleteMenu(ctx context.Context, accountID int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `DELETE FROM account_menus WHERE account_id = ?`, accountID)
		return err
	})
}
