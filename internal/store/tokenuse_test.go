package store

import (
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestClaimTokenUse: of requests that find a token's use a minute old at once, one
// records it; none does again within the minute; one does after it; tokens are apart.
func TestClaimTokenUse(t *testing.T) {
	t.Parallel()
	db := &DB{}
	t0 := time.Date(2026, 12, 7, 2, 0, 0, 0, time.UTC)
	claims := func(id int64, at time.Time) int64 {
		var won atomic.Int64
		var wg sync.WaitGroup
		for range 50 {
			wg.Go(func() {
				if db.claimTokenUse(id, at) {
					won.Add(1)
				}
			})
		}
		wg.Wait()
		return won.Load()
	}
	for _, c := range []struct {
		id   int64
		at   time.Time
		want int64
	}{
		{1, t0, 1},
		{1, t0.Add(30 * time.Second), 0},
		{1, t0.Add(time.Minute), 0},
		{2, t0.Add(time.Minute), 1},
		{1, t0.Add(time.Minute + time.Second), 1},
		{1, t0.Add(90 * time.Second), 0},
	} {
		if got := claims(c.id, c.at); got != c.want {
			t.Errorf("token %d at %s: %d of 50 requests record its use, want %d", c.id, c.at.Sub(t0), got, c.want)
		}
	}
}
