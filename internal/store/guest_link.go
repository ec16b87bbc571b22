package store

import (
	"context"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// GuestLink is a review link given to a museum person without an account. Only the
// hash of its nonce is stored; the link itself is signed by the caller.
type GuestLink struct {
	ID         int64      `json:"id"`
	PostID     int64      `json:"post_id"`
	Label      string     `json:"label"`
	CreatedBy  int64      `json:"created_by"`
	CreatedAt  time.Time  `json:"created_at"`
	ExpiresAt  time.Time  `json:"expires_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	// PartnerID binds the link to a co-author of the post: its guest approves or asks
	// for changes as that co-author, and records the co-author's publication.
	PartnerID int64 `json:"partner_id,omitempty"`
	// Approves tells whether the link carries approval power: its creator may approve
	// posts of the institution (filled by the editorial service, not stored).
	Approves  bool `json:"approves"`
	nonceHash string
}

// NonceHash is the stored hash of the link's nonce.
func (g *GuestLink) NonceHash() string { return g.nonceHash }

const guestLinkColumns = `id, post_id, label, COALESCE(created_by, 0), created_at, expires_at, revoked_at, last_used_at, nonce_hash, COALESCE(partner_id, 0)`

func scanGuestLink(s interface{ Scan(...any) error }) (*GuestLink, error) {
	var g GuestLink
	var created, expires, revoked, used nullTime
	if err := s.Scan(&g.ID, &g.PostID, &g.Label, &g.CreatedBy, &created, &expires, &revoked, &used, &g.nonceHash, &g.PartnerID); err != nil {
		return nil, err
	}
	g.CreatedAt, g.ExpiresAt, g.RevokedAt, g.LastUsedAt = created.T, expires.T, revoked.Ptr(), used.Ptr()
	return &g, nil
}

// CreateGuestLink stores a link for a post.
func (db *DB) CreateGuestLink(ctx context.Context, g *GuestLink, nonceHash string) error {
	now := db.nowUTC()
	id, err := q{db: db, run: db.write}.insert(ctx, `INSERT INTO guest_links (post_id, nonce_hash, label, created_by, created_at, expires_at, partner_id) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		g.PostID, nonceHash, g.Label, nullID(g.CreatedBy), now, g.ExpiresAt, nullID(g.PartnerID))
	if err != nil {
		return err
	}
	g.ID, g.CreatedAt, g.nonceHash = id, now, nonceHash
	return nil
}

// GuestLinkByID returns a link.
func (db *DB) GuestLinkByID(ctx context.Context, id int64) (*GuestLink, error) {
	g, err := scanGuestLink(db.r().row(ctx, `SELECT `+guestLinkColumns+` FROM guest_links WHERE id = ?`, id))
	return g, db.mapErr(err)
}

// GuestLinks lists a post's links, newest first.
func (db *DB) GuestLinks(ctx context.Context, postID int64) ([]*GuestLink, error) {
	return queryAll(ctx, db, db.r(), `SELECT `+guestLinkColumns+` FROM guest_links WHERE post_id = ? ORDER BY id DESC`, []any{postID}, scanGuestLink)
}

// RevokeGuestLink revokes a link of the post; revoking twice is not an error.
func (db *DB) RevokeGuestLink(ctx context.Context, postID, id int64) error {
	res, err := db.write.ExecContext(ctx, db.rebind(`UPDATE guest_links SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND post_id = ?`), db.args([]any{db.nowUTC(), id, postID})...)
	if err != nil {
		return db.mapErr(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return passerelle.ErrNotFound
	}
	return nil
}

// TouchGuestLink records the link's use.
func (db *DB) TouchGuestLink(ctx context.Context, id int64) error {
	_, err := db.write.ExecContext(ctx, db.rebind(`UPDATE guest_links SET last_used_at = ? WHERE id = ?`), db.args([]any{db.nowUTC(), id})...)
	return db.mapErr(err)
}

// PostOrg returns the organization of a post, for requests that arrive without a
// user (guest links).
func (db *DB) PostOrg(ctx context.Context, postID int64) (int64, error) {
	var org int64
	err := db.r().row(ctx, `SELECT i.org_id FROM posts p JOIN institutions i ON i.id = p.institution_id WHERE p.id = ?`, postID).Scan(&org)
	return org, db.mapErr(err)
}
