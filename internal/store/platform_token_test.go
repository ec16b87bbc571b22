package store_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

var _ wechat.TokenStore = store.TokenStore{}

// TestTokenStore: one lease holder at a time across "processes" (here goroutines with
// their own holder names), a sealed token shared by all, release and expiry.
func TestTokenStore(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		ts := store.TokenStore{DB: db}
		if tok, _, err := ts.Get(ctx, "wx1"); err != nil || tok != "" {
			t.Fatalf("empty store: %q %v", tok, err)
		}
		var winners atomic.Int32
		var wg sync.WaitGroup
		for i := range 8 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				ok, err := ts.Lease(ctx, "wx1", "holder-"+string(rune('a'+i)), time.Minute)
				if err != nil {
					t.Error(err)
				}
				if ok {
					winners.Add(1)
				}
			}()
		}
		wg.Wait()
		if winners.Load() != 1 {
			t.Fatalf("%d holders got the lease", winners.Load())
		}
		exp := time.Now().Add(2 * time.Hour).UTC().Truncate(time.Second)
		if err := ts.Put(ctx, "wx1", "ACCESS-TOKEN-1", exp); err != nil {
			t.Fatal(err)
		}
		tok, got, err := ts.Get(ctx, "wx1")
		if err != nil || tok != "ACCESS-TOKEN-1" || !got.Equal(exp) {
			t.Fatalf("Get = %q %v %v", tok, got, err)
		}
		// Another holder waits until the lease is released or expires.
		if ok, _ := ts.Lease(ctx, "wx1", "late", time.Minute); ok {
			t.Fatal("lease taken while held")
		}
		for _, h := range []string{"holder-a", "holder-b", "holder-c", "holder-d", "holder-e", "holder-f", "holder-g", "holder-h"} {
			ts.Release(ctx, "wx1", h)
		}
		if ok, _ := ts.Lease(ctx, "wx1", "late", time.Millisecond); !ok {
			t.Fatal("released lease not taken")
		}
		time.Sleep(5 * time.Millisecond)
		if ok, _ := ts.Lease(ctx, "wx1", "later", time.Minute); !ok {
			t.Fatal("expired lease not taken")
		}
		// The token is sealed at rest.
		var sealed string
		if err := db.ReadSQL().QueryRow(`SELECT sealed_token FROM platform_tokens WHERE app_id = 'wx1'`).Scan(&sealed); err != nil || sealed == "" || sealed == "ACCESS-TOKEN-1" {
			t.Fatalf("stored token %q %v", sealed, err)
		}
	})
}
