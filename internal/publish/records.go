package publish

import (
	"context"
	"errors"
	"time"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// lookOnWeChatRecords looks for an article among the account's publish records.
func (s *Service) lookOnWeChatRecords(ctx context.Context, d *store.Delivery, since time.Time) (*store.AttemptResult, bool, error) {
	return nil, false, errors.New("the publish records cannot be read yet")
}
