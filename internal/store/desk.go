package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// Placement is a named physical spot of an institution with its WeChat QR code.
type Placement struct {
	ID            int64  `json:"id"`
	InstitutionID int64  `json:"institution_id"`
	AccountID     int64  `json:"account_id"`
	Key           string `json:"key"`
	Name          string `json:"name"`
	Scene         string `json:"scene"`
	// QRURL is the content of the QR code: the parametric code's URL, or the
	// account's plain profile link when Attributed is false (unverified account).
	QRURL       string    `json:"qr_url"`
	Attributed  bool      `json:"attributed"`
	WelcomeText string    `json:"welcome_text"`
	CreatedAt   time.Time `json:"created_at"`
}

const placementColumns = `id, institution_id, account_id, key, name, scene, qr_url, attributed, welcome_text, created_at`

func scanPlacement(s interface{ Scan(...any) error }) (*Placement, error) {
	var p Placement
	var attributed int64
	var created nullTime
	if err := s.Scan(&p.ID, &p.InstitutionID, &p.AccountID, &p.Key, &p.Name, &p.Scene, &p.QRURL, &attributed, &p.WelcomeText, &created); err != nil {
		return nil, err
	}
	p.Attributed, p.CreatedAt = attributed != 0, created.T
	return &p, nil
}

// CreatePlacement stores a placement; a key or scene already used on the account is
// ECONFLICT.
func (db *DB) CreatePlacement(ctx context.Context, p *Placement) error {
	p.CreatedAt = db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		id, err := tx.q().insert(ctx, `INSERT INTO placements (institution_id, account_id, key, name, scene, qr_url, attributed, welcome_text, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			p.InstitutionID, p.AccountID, p.Key, p.Name, p.Scene, p.QRURL, boolInt(p.Attributed), p.WelcomeText, p.CreatedAt)
		p.ID = id
		return err
	})
}

// PlacementKeyUsed reports whether the account already has a placement with key.
func (db *DB) PlacementKeyUsed(ctx context.Context, accountID int64, key string) (bool, error) {
	var n int
	err := db.r().row(ctx, `SELECT COUNT(*) FROM placements WHERE account_id = ? AND key = ?`, accountID, key).Scan(&n)
	return n > 0, db.mapErr(err)
}

// Placement returns a placement of the organization.
func (db *DB) Placement(ctx context.Context, orgID, id int64) (*Placement, error) {
	p, err := scanPlacement(db.r().row(ctx, `SELECT `+placementColumns+` FROM placements WHERE id = ? AND institution_id IN (SELECT id FROM institutions WHERE org_id = ?)`, id, orgID))
	return p, db.mapErr(err)
}

// Placements lists an institution's placements.
func (db *DB) Placements(ctx context.Context, institutionID int64) ([]*Placement, error) {
	return queryAll(ctx, db, db.r(), `SELECT `+placementColumns+` FROM placements WHERE institution_id = ? ORDER BY id`, []any{institutionID}, scanPlacement)
}

// UpdatePlacementWelcome sets a placement's welcome text.
func (db *DB) UpdatePlacementWelcome(ctx context.Context, id int64, text string) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `UPDATE placements SET welcome_text = ? WHERE id = ?`, text, id)
		return err
	})
}

// DeletePlacement deletes a placement; its scene's counts stay, under no placement.
func (db *DB) DeletePlacement(ctx context.Context, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `DELETE FROM placements WHERE id = ?`, id)
		return err
	})
}

// PlacementWelcome returns the welcome text of the account's placement with scene, ""
// when there is none.
func (db *DB) PlacementWelcome(ctx context.Context, accountID int64, scene string) (string, error) {
	var text string
	err := db.r().row(ctx, `SELECT welcome_text FROM placements WHERE account_id = ? AND scene = ?`, accountID, scene).Scan(&text)
	if err != nil {
		if err = db.mapErr(err); passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
			return "", nil
		}
	}
	return text, err
}

// PlacementStat is one placement's counts over a period; Key and PlacementID are nil
// for scenes that match no placement.
type PlacementStat struct {
	PlacementID    *int64  `json:"placement_id"`
	Key            *string `json:"key"`
	Name           *string `json:"name,omitempty"`
	Scans          int64   `json:"scans"`
	NewFollows     int64   `json:"new_follows"`
	ReturningScans int64   `json:"returning_scans"`
	Unfollows      int64   `json:"unfollows"`
}

// PlacementStats sums the counts of an institution's accounts from day from to day to
// (Beijing dates, inclusive) per placement; every placement has a line, and the
// scenes of no placement (deleted, or never created here) share one line with a nil
// key when they counted anything.
func (db *DB) PlacementStats(ctx context.Context, institutionID int64, from, to string) ([]*PlacementStat, error) {
	rows, err := db.r().query(ctx, `SELECT p.id, p.key, p.name, COALESCE(SUM(d.new_follows), 0), COALESCE(SUM(d.returning_scans), 0), COALESCE(SUM(d.unfollows), 0)
		FROM placements p LEFT JOIN placement_daily d ON d.account_id = p.account_id AND d.scene = p.scene AND d.day >= ? AND d.day <= ?
		WHERE p.institution_id = ? GROUP BY p.id, p.key, p.name ORDER BY p.id`, from, to, institutionID)
	if err != nil {
		return nil, err
	}
	out := []*PlacementStat{}
	for rows.Next() {
		s := &PlacementStat{PlacementID: new(int64), Key: new(string), Name: new(string)}
		if err := rows.Scan(s.PlacementID, s.Key, s.Name, &s.NewFollows, &s.ReturningScans, &s.Unfollows); err != nil {
			rows.Close()
			return nil, err
		}
		s.Scans = s.NewFollows + s.ReturningScans
		out = append(out, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, db.mapErr(err)
	}
	var orphan PlacementStat
	err = db.r().row(ctx, `SELECT COALESCE(SUM(d.new_follows), 0), COALESCE(SUM(d.returning_scans), 0), COALESCE(SUM(d.unfollows), 0)
		FROM placement_daily d JOIN accounts a ON a.id = d.account_id
		WHERE a.institution_id = ? AND d.day >= ? AND d.day <= ?
		AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.account_id = d.account_id AND p.scene = d.scene)`, institutionID, from, to).
		Scan(&orphan.NewFollows, &orphan.ReturningScans, &orphan.Unfollows)
	if err != nil {
		return nil, db.mapErr(err)
	}
	orphan.Scans = orphan.NewFollows + orphan.ReturningScans
	if orphan.Scans+orphan.Unfollows > 0 {
		out = append(out, &orphan)
	}
	return out, nil
}

// DailyFollows is one Beijing day's new follows of one placement (nil: none).
type DailyFollows struct {
	Day         string `json:"day"`
	PlacementID *int64 `json:"placement_id"`
	NewFollows  int64  `json:"new_follows"`
}

// PlacementFollowsByDay lists an institution's new follows per day and placement.
func (db *DB) PlacementFollowsByDay(ctx context.Context, institutionID int64, from, to string) ([]DailyFollows, error) {
	rows, err := db.r().query(ctx, `SELECT d.day, p.id, SUM(d.new_follows) FROM placement_daily d JOIN accounts a ON a.id = d.account_id
		LEFT JOIN placements p ON p.account_id = d.account_id AND p.scene = d.scene
		WHERE a.institution_id = ? AND d.day >= ? AND d.day <= ? GROUP BY d.day, p.id ORDER BY d.day, p.id`, institutionID, from, to)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []DailyFollows
	for rows.Next() {
		var d DailyFollows
		var pid *int64
		if err := rows.Scan(&d.Day, &pid, &d.NewFollows); err != nil {
			return nil, err
		}
		d.PlacementID = pid
		out = append(out, d)
	}
	return out, db.mapErr(rows.Err())
}

// Attribution kinds for CountPlacementEvent.
const (
	AttrNewFollow = iota
	AttrReturningScan
	AttrUnfollow
)

// RecordFollow counts a subscribe through scene on day and remembers the follower's
// origin (for unfollows within 30 days), inside tx.
func (tx *Tx) RecordFollow(ctx context.Context, accountID int64, openID, scene, day string, at time.Time) error {
	if err := tx.countPlacement(ctx, accountID, scene, day, AttrNewFollow); err != nil {
		return err
	}
	_, err := tx.q().exec(ctx, `INSERT INTO follower_origins (account_id, openid, scene, followed_at) VALUES (?, ?, ?, ?)
		ON CONFLICT (account_id, openid) DO UPDATE SET scene = excluded.scene, followed_at = excluded.followed_at`, accountID, openID, scene, at)
	return err
}

// RecordScan counts a SCAN of scene by an existing follower on day.
func (tx *Tx) RecordScan(ctx context.Context, accountID int64, scene, day string) error {
	return tx.countPlacement(ctx, accountID, scene, day, AttrReturningScan)
}

// RecordUnfollow counts an unsubscribe against the placement the follower came
// through, when they followed through a code within the last 30 days of at; a plain
// subscribe in between (RecordPlainFollow) forgets the origin.
func (tx *Tx) RecordUnfollow(ctx context.Context, accountID int64, openID, day string, at time.Time) error {
	var scene string
	var followed nullTime
	err := tx.q().row(ctx, `SELECT scene, followed_at FROM follower_origins WHERE account_id = ? AND openid = ?`, accountID, openID).Scan(&scene, &followed)
	if err != nil {
		if err = tx.db.mapErr(err); passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
			return nil
		}
		return err
	}
	if _, err := tx.q().exec(ctx, `DELETE FROM follower_origins WHERE account_id = ? AND openid = ?`, accountID, openID); err != nil {
		return err
	}
	if at.Sub(followed.T) > 30*24*time.Hour || at.Before(followed.T) {
		return nil
	}
	return tx.countPlacement(ctx, accountID, scene, day, AttrUnfollow)
}

// RecordPlainFollow forgets a follower's code origin: they came back without a code.
func (tx *Tx) RecordPlainFollow(ctx context.Context, accountID int64, openID string) error {
	_, err := tx.q().exec(ctx, `DELETE FROM follower_origins WHERE account_id = ? AND openid = ?`, accountID, openID)
	return err
}

func (tx *Tx) countPlacement(ctx context.Context, accountID int64, scene, day string, kind int) error {
	col := [...]string{"new_follows", "returning_scans", "unfollows"}[kind]
	_, err := tx.q().exec(ctx, `INSERT INTO placement_daily (account_id, scene, day, `+col+`) VALUES (?, ?, ?, 1)
		ON CONFLICT (account_id, day, scene) DO UPDATE SET `+col+` = placement_daily.`+col+` + 1`, accountID, scene, day)
	return err
}

// ReplyRule is a keyword reply (or the default reply) of an account.
type ReplyRule struct {
	ID        int64    `json:"id"`
	AccountID int64    `json:"account_id"`
	Keywords  []string `json:"keywords"`
	// Match is "exact" or "contains".
	Match    string `json:"match"`
	Text     string `json:"text"`
	Priority int    `json:"priority"`
	// ActiveFrom and ActiveTo bound the Beijing time of day ("HH:MM"), empty for all
	// day; a window past midnight wraps.
	ActiveFrom string    `json:"active_from"`
	ActiveTo   string    `json:"active_to"`
	Default    bool      `json:"default"`
	CreatedAt  time.Time `json:"created_at"`
}

const ruleColumns = `id, account_id, keywords, match_mode, text, priority, active_from, active_to, is_default, created_at`

func scanRule(s interface{ Scan(...any) error }) (*ReplyRule, error) {
	var r ReplyRule
	var kw string
	var def int64
	var created nullTime
	if err := s.Scan(&r.ID, &r.AccountID, &kw, &r.Match, &r.Text, &r.Priority, &r.ActiveFrom, &r.ActiveTo, &def, &created); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(kw), &r.Keywords); err != nil {
		return nil, err
	}
	if r.Keywords == nil {
		r.Keywords = []string{}
	}
	r.Default, r.CreatedAt = def != 0, created.T
	return &r, nil
}

// CreateReplyRule stores a rule.
func (db *DB) CreateReplyRule(ctx context.Context, r *ReplyRule) error {
	kw, err := json.Marshal(r.Keywords)
	if err != nil {
		return err
	}
	r.CreatedAt = db.nowUTC()
	return db.inTx(ctx, func(tx *Tx) error {
		id, err := tx.q().insert(ctx, `INSERT INTO reply_rules (account_id, keywords, match_mode, text, priority, active_from, active_to, is_default, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.AccountID, string(kw), r.Match, r.Text, r.Priority, r.ActiveFrom, r.ActiveTo, boolInt(r.Default), r.CreatedAt)
		r.ID = id
		return err
	})
}

// ReplyRules lists an account's rules in the order they are tried: priority, then age.
func (db *DB) ReplyRules(ctx context.Context, accountID int64) ([]*ReplyRule, error) {
	return queryAll(ctx, db, db.r(), `SELECT `+ruleColumns+` FROM reply_rules WHERE account_id = ? ORDER BY priority, id`, []any{accountID}, scanRule)
}

// DeleteReplyRule deletes an account's rule.
func (db *DB) DeleteReplyRule(ctx context.Context, accountID, id int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.q().exec(ctx, `DELETE FROM reply_rules WHERE id = ? AND account_id = ?`, id, accountID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return passerelle.ErrNotFound
		}
		return nil
	})
}

// Menu is an account's custom menu as last pushed.
type Menu struct {
	Menu     json.RawMessage `json:"menu"`
	PushedAt time.Time       `json:"pushed_at"`
}

// SaveMenu records the menu pushed to WeChat.
func (db *DB) SaveMenu(ctx context.Context, accountID int64, menu []byte) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `INSERT INTO account_menus (account_id, menu, pushed_at) VALUES (?, ?, ?)
			ON CONFLICT (account_id) DO UPDATE SET menu = excluded.menu, pushed_at = excluded.pushed_at`, accountID, string(menu), db.nowUTC())
		return err
	})
}

// AccountMenu returns the stored menu, ENOTFOUND when none was pushed.
func (db *DB) AccountMenu(ctx context.Context, accountID int64) (*Menu, error) {
	var m Menu
	var s string
	var at nullTime
	if err := db.r().row(ctx, `SELECT menu, pushed_at FROM account_menus WHERE account_id = ?`, accountID).Scan(&s, &at); err != nil {
		return nil, db.mapErr(err)
	}
	m.Menu, m.PushedAt = json.RawMessage(s), at.T
	return &m, nil
}

// Conversation is a follower's thread with an account. OpenID never leaves the
// organization: it is not in the JSON.
type Conversation struct {
	ID            int64      `json:"id"`
	AccountID     int64      `json:"account_id"`
	OpenID        string     `json:"-"`
	Status        string     `json:"status"`
	AssigneeID    *int64     `json:"assignee_id"`
	LastMessageAt time.Time  `json:"last_message_at"`
	InteractedAt  time.Time  `json:"interacted_at"`
	CreatedAt     time.Time  `json:"created_at"`
	Messages      []*Message `json:"messages,omitempty"`
	// Preview is the last message's text.
	Preview string `json:"preview"`
}

// Conversation states.
const (
	ConversationOpen     = "open"
	ConversationAnswered = "answered"
	ConversationClosed   = "closed"
)

// Message is one message of a conversation: "in" from the follower, "out" from staff.
type Message struct {
	ID        int64     `json:"id"`
	Direction string    `json:"direction"`
	MsgType   string    `json:"msg_type"`
	Content   string    `json:"content"`
	UserID    *int64    `json:"user_id"`
	SentAt    time.Time `json:"sent_at"`
}

const conversationColumns = `c.id, c.account_id, c.openid, c.status, c.assignee_id, c.last_message_at, c.interacted_at, c.created_at,
	COALESCE((SELECT m.content FROM conversation_messages m WHERE m.conversation_id = c.id ORDER BY m.id DESC LIMIT 1), '')`

func scanConversation(s interface{ Scan(...any) error }) (*Conversation, error) {
	var c Conversation
	var last, inter, created nullTime
	if err := s.Scan(&c.ID, &c.AccountID, &c.OpenID, &c.Status, &c.AssigneeID, &last, &inter, &created, &c.Preview); err != nil {
		return nil, err
	}
	c.LastMessageAt, c.InteractedAt, c.CreatedAt = last.T, inter.T, created.T
	return &c, nil
}

// RecordInbound adds a follower's message to their conversation (opened if needed),
// reopens it and restarts the 48-hour window, inside tx.
func (tx *Tx) RecordInbound(ctx context.Context, accountID int64, openID, msgType, content string, at time.Time) error {
	now := tx.db.nowUTC()
	var id int64
	err := tx.q().row(ctx, `INSERT INTO conversations (account_id, openid, status, last_message_at, interacted_at, created_at) VALUES (?, ?, 'open', ?, ?, ?)
		ON CONFLICT (account_id, openid) DO UPDATE SET status = 'open',
		last_message_at = CASE WHEN conversations.last_message_at > excluded.last_message_at THEN conversations.last_message_at ELSE excluded.last_message_at END,
		interacted_at = CASE WHEN conversations.interacted_at > excluded.interacted_at THEN conversations.interacted_at ELSE excluded.interacted_at END
		RETURNING id`, accountID, openID, at, at, now).Scan(&id)
	if err != nil {
		return tx.db.mapErr(err)
	}
	_, err = tx.q().exec(ctx, `INSERT INTO conversation_messages (conversation_id, direction, msg_type, content, sent_at) VALUES (?, 'in', ?, ?, ?)`, id, msgType, content, at)
	return err
}

// RecordInteraction restarts the 48-hour window of a follower's existing conversation
// (a menu click, a scan, a subscribe).
func (tx *Tx) RecordInteraction(ctx context.Context, accountID int64, openID string, at time.Time) error {
	_, err := tx.q().exec(ctx, `UPDATE conversations SET interacted_at = ? WHERE account_id = ? AND openid = ? AND interacted_at < ?`, at, accountID, openID, at)
	return err
}

// ConversationFilter selects conversations of one account.
type ConversationFilter struct {
	AccountID int64
	Status    string
	// AssigneeID keeps the conversations assigned to that member; Unassigned those
	// assigned to no one.
	AssigneeID int64
	Unassigned bool
	Limit      int
}

// Conversations lists an account's conversations, latest message first.
func (db *DB) Conversations(ctx context.Context, f ConversationFilter) ([]*Conversation, error) {
	w := where{}
	w.add("c.account_id = ?", f.AccountID)
	if f.Status != "" {
		w.add("c.status = ?", f.Status)
	}
	if f.AssigneeID != 0 {
		w.add("c.assignee_id = ?", f.AssigneeID)
	}
	if f.Unassigned {
		w.add("c.assignee_id IS NULL")
	}
	query := `SELECT ` + conversationColumns + ` FROM conversations c` + w.sql() + ` ORDER BY c.last_message_at DESC, c.id DESC`
	if f.Limit > 0 {
		query += ` LIMIT ?`
		w.args = append(w.args, f.Limit)
	}
	return queryAll(ctx, db, db.r(), query, w.args, scanConversation)
}

// Conversation returns a conversation of the organization with its messages.
func (db *DB) Conversation(ctx context.Context, orgID, id int64) (*Conversation, error) {
	c, err := scanConversation(db.r().row(ctx, `SELECT `+conversationColumns+` FROM conversations c JOIN accounts a ON a.id = c.account_id JOIN institutions i ON i.id = a.institution_id
		WHERE c.id = ? AND i.org_id = ?`, id, orgID))
	if err != nil {
		return nil, db.mapErr(err)
	}
	c.Messages, err = queryAll(ctx, db, db.r(), `SELECT id, direction, msg_type, content, user_id, sent_at FROM conversation_messages WHERE conversation_id = ? ORDER BY sent_at, id`, []any{id},
		func(s interface{ Scan(...any) error }) (*Message, error) {
			var m Message
			var at nullTime
			if err := s.Scan(&m.ID, &m.Direction, &m.MsgType, &m.Content, &m.UserID, &at); err != nil {
				return nil, err
			}
			m.SentAt = at.T
			return &m, nil
		})
	return c, err
}

// RecordReply stores a staff reply sent through the customer-service API and marks
// the conversation answered.
func (db *DB) RecordReply(ctx context.Context, conversationID, userID int64, text string) (*Message, error) {
	m := &Message{Direction: "out", MsgType: "text", Content: text, UserID: &userID, SentAt: db.nowUTC()}
	err := db.inTx(ctx, func(tx *Tx) error {
		id, err := tx.q().insert(ctx, `INSERT INTO conversation_messages (conversation_id, direction, msg_type, content, user_id, sent_at) VALUES (?, 'out', 'text', ?, ?, ?)`,
			conversationID, text, userID, m.SentAt)
		if err != nil {
			return err
		}
		m.ID = id
		_, err = tx.q().exec(ctx, `UPDATE conversations SET status = 'answered', last_message_at = ? WHERE id = ?`, m.SentAt, conversationID)
		return err
	})
	return m, err
}

// UpdateConversation sets a conversation's status and assignee.
func (db *DB) UpdateConversation(ctx context.Context, id int64, status string, assignee *int64) error {
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.q().exec(ctx, `UPDATE conversations SET status = ?, assignee_id = ? WHERE id = ?`, status, assignee, id)
		return err
	})
}

// PurgeConversations deletes the conversations whose last activity (a follower's
// message or a staff reply) is older than keep, with their messages, and code origins older than 30 days (no longer needed to
// attribute an unfollow) unless the follower is still in the inbox, and the tags of
// followers no longer in it. It returns how many messages were deleted.
func (db *DB) PurgeConversations(ctx context.Context, keep time.Duration) (int64, error) {
	var n int64
	now := db.nowUTC()
	err := db.inTx(ctx, func(tx *Tx) error {
		// A conversation goes whole once its last activity is older than keep: an
		// active one keeps its earlier messages (the thread stays readable).
		res, err := tx.q().exec(ctx, `DELETE FROM conversation_messages WHERE conversation_id IN (SELECT id FROM conversations WHERE last_message_at < ?)`, now.Add(-keep))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		if _, err := tx.q().exec(ctx, `DELETE FROM conversations WHERE last_message_at < ?`, now.Add(-keep)); err != nil {
			return err
		}
		// A follower still in the inbox keeps their origin (the desk's list of
		// followers shows it) and their tags; both go with the conversation.
		if _, err := tx.q().exec(ctx, `DELETE FROM follower_origins WHERE followed_at < ? AND NOT EXISTS
			(SELECT 1 FROM conversations c WHERE c.account_id = follower_origins.account_id AND c.openid = follower_origins.openid)`, now.Add(-30*24*time.Hour)); err != nil {
			return err
		}
		_, err = tx.q().exec(ctx, `DELETE FROM follower_tags WHERE NOT EXISTS
			(SELECT 1 FROM conversations c WHERE c.account_id = follower_tags.account_id AND c.openid = follower_tags.openid)`)
		return err
	})
	return n, err
}

// eraseFollowerDesk deletes a follower's conversations, code origins and tags on the
// organization's accounts, inside tx.
func (tx *Tx) eraseFollowerDesk(ctx context.Context, orgID int64, openID string) (int64, error) {
	const accounts = `(SELECT a.id FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE i.org_id = ?)`
	var n int64
	res, err := tx.q().exec(ctx, `DELETE FROM conversation_messages WHERE conversation_id IN (SELECT id FROM conversations WHERE openid = ? AND account_id IN `+accounts+`)`, openID, orgID)
	if err != nil {
		return 0, err
	}
	k, _ := res.RowsAffected()
	n += k
	for _, table := range []string{"conversations", "follower_origins", "follower_tags"} {
		res, err := tx.q().exec(ctx, `DELETE FROM `+table+` WHERE openid = ? AND account_id IN `+accounts, openID, orgID)
		if err != nil {
			return 0, err
		}
		k, _ := res.RowsAffected()
		n += k
	}
	return n, nil
}

// AccountPlacements lists an account's placements (for the push endpoint's welcome
// messages).
func (db *DB) AccountPlacements(ctx context.Context, accountID int64) ([]*Placement, error) {
	return queryAll(ctx, db, db.r(), `SELECT `+placementColumns+` FROM placements WHERE account_id = ? ORDER BY id`, []any{accountID}, scanPlacement)
}
