package publish

import (
	"context"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// recordsPage is how many publish records are read per call (batchget allows 20).
const recordsPage = 20

// lookOnWeChatRecords looks for an article among the account's publish records
// (freepublish/batchget, newest first) by its title, published since the attempt
// began. It is absent when the records reach back before the attempt without it.
func (s *Service) lookOnWeChatRecords(ctx context.Context, d *store.Delivery, since time.Time) (*store.AttemptResult, bool, error) {
	c, err := s.clients.WeChat(ctx, d.Publication.AccountID)
	if err != nil {
		return nil, false, err
	}
	title := d.Post.Title
	if a := d.Publication.WeChat; a != nil && a.Title != "" {
		title = a.Title
	}
	from := since.Add(-5 * time.Minute)
	for offset := 0; offset < 5*recordsPage; offset += recordsPage {
		items, total, err := c.PublishedArticles(ctx, offset, recordsPage)
		if err != nil {
			return nil, false, err
		}
		for _, it := range items {
			if !it.UpdateTime.IsZero() && it.UpdateTime.Before(from) {
				return nil, true, nil
			}
			for _, a := range it.Articles {
				if fingerprint(a.Title) == fingerprint(title) {
					at := it.UpdateTime.UTC()
					if at.IsZero() {
						at = s.now().UTC()
					}
					return &store.AttemptResult{State: passerelle.DeliveryPublished, PlatformPostID: it.ArticleID, URL: a.URL, PublishedAt: &at}, false, nil
				}
			}
		}
		if offset+len(items) >= total || len(items) == 0 {
			return nil, true, nil
		}
	}
	return nil, false, nil
}
