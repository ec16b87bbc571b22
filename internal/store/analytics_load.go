package store

import (
	"context"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// AudiencePost is a post already published, with its publications and their readings:
// what the scale-data generator (`passerelle demo generate`) and tests load.
type AudiencePost struct {
	InstitutionID int64
	Title, Theme  string
	PublishedAt   time.Time
	Publications  []AudiencePublication
}

// AudiencePublication is one published publication of an AudiencePost.
type AudiencePublication struct {
	AccountID      int64
	Format         string
	PlatformPostID string
	URL            string
	Snapshots      []*PublicationSnapshot
}

// AudienceLoad is one batch of history.
type AudienceLoad struct {
	Posts     []AudiencePost
	Followers []AccountSnapshot
	Days      []FollowerDay
}

// LoadAudience writes a batch of published history in one transaction, bypassing the
// editorial workflow (the posts are in the past). The ids of the accounts must be of
// the organization.
func (db *DB) LoadAudience(ctx context.Context, orgID int64, b AudienceLoad) error {
	now := db.nowUTC()
	accounts := map[int64]bool{}
	for _, p := range b.Posts {
		for _, pub := range p.Publications {
			accounts[pub.AccountID] = true
			for _, s := range pub.Snapshots {
				s.TakenAt = s.TakenAt.UTC().Truncate(time.Microsecond)
				if err := s.Validate(now); err != nil {
					return err
				}
			}
		}
	}
	for _, f := range b.Followers {
		accounts[f.AccountID] = true
	}
	for _, d := range b.Days {
		accounts[d.AccountID] = true
	}
	return db.inTx(ctx, func(tx *Tx) error {
		for id := range accounts {
			var n int
			if err := tx.q().row(ctx, `SELECT COUNT(*) FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE a.id = ? AND i.org_id = ?`, id, orgID).Scan(&n); err != nil {
				return db.mapErr(err)
			}
			if n == 0 {
				return passerelle.ErrNotFound
			}
		}
		for _, p := range b.Posts {
			postID, err := tx.q().insert(ctx, `INSERT INTO posts (institution_id, title, theme, source_lang, status, version, created_at, updated_at)
				VALUES (?, ?, ?, 'zh', ?, 1, ?, ?)`, p.InstitutionID, p.Title, p.Theme, string(passerelle.StatusPublished), p.PublishedAt, p.PublishedAt)
			if err != nil {
				return err
			}
			for i, pub := range p.Publications {
				id, err := tx.q().insert(ctx, `INSERT INTO publications (post_id, account_id, position, format, mode, scheduled_at, created_at, updated_at, state, state_at, published_at, platform_post_id, url)
					VALUES (?, ?, ?, ?, 'assisted', ?, ?, ?, ?, ?, ?, ?, ?)`,
					postID, pub.AccountID, i, pub.Format, p.PublishedAt, p.PublishedAt, p.PublishedAt, string(passerelle.DeliveryPublished), p.PublishedAt, p.PublishedAt, nullString(pub.PlatformPostID), pub.URL)
				if err != nil {
					return err
				}
				for _, s := range pub.Snapshots {
					s.PublicationID = id
					if err := writePublicationSnapshot(ctx, tx, s, now); err != nil {
						return err
					}
				}
			}
		}
		for _, f := range b.Followers {
			if _, err := tx.q().exec(ctx, `INSERT INTO account_snapshots (account_id, taken_at, followers, source, note, created_at) VALUES (?, ?, ?, 'api', '', ?)
				ON CONFLICT (account_id, taken_at, source) DO UPDATE SET followers = excluded.followers`, f.AccountID, f.TakenAt.UTC().Truncate(time.Microsecond), f.Followers, now); err != nil {
				return err
			}
		}
		for _, d := range b.Days {
			if _, err := tx.q().exec(ctx, `INSERT INTO follower_days (account_id, day, new_followers, lost_followers, source) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (account_id, day) DO UPDATE SET new_followers = excluded.new_followers, lost_followers = excluded.lost_followers`,
				d.AccountID, d.Day, d.New, d.Lost, d.Source); err != nil {
				return err
			}
		}
		return nil
	})
}
