package store

import (
	"context"

	"github.com/passerelle-oss/passerelle"
)

// AddComment stores a comment (validated by the caller). A reply's parent must be a
// comment of the same post.
func (db *DB) AddComment(ctx context.Context, c *passerelle.Comment) error {
	return db.inTx(ctx, func(tx *Tx) error {
		if c.ParentID != 0 {
			var post int64
			if err := tx.q().row(ctx, `SELECT post_id FROM post_comments WHERE id = ?`, c.ParentID).Scan(&post); err != nil || post != c.PostID {
				return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"parent_id": "Not a comment of this post."}}
			}
		}
		now := db.nowUTC()
		id, err := tx.q().insert(ctx, `INSERT INTO post_comments (post_id, parent_id, user_id, guest_link_id, author_name, body, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			c.PostID, nullID(c.ParentID), nullID(c.UserID), nullID(c.GuestLinkID), c.AuthorName, c.Body, now)
		c.ID, c.CreatedAt = id, now
		return err
	})
}

// Comments lists a post's comments, oldest first; replies name their parent.
func (db *DB) Comments(ctx context.Context, postID int64) ([]*passerelle.Comment, error) {
	return queryAll(ctx, db, db.r(), `SELECT id, post_id, COALESCE(parent_id, 0), COALESCE(user_id, 0), COALESCE(guest_link_id, 0), author_name, body, created_at
		FROM post_comments WHERE post_id = ? ORDER BY id`, []any{postID}, func(s interface{ Scan(...any) error }) (*passerelle.Comment, error) {
		var c passerelle.Comment
		var created nullTime
		err := s.Scan(&c.ID, &c.PostID, &c.ParentID, &c.UserID, &c.GuestLinkID, &c.AuthorName, &c.Body, &created)
		c.CreatedAt = created.T
		return &c, err
	})
}
