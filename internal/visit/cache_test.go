package visit

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// An expired page is rendered again by one request; the others, meanwhile, get the
// expired page instead of rendering it too. A rendering that fails lets the next
// request try; one that takes too long (past another cacheTTL) does not hold the
// others on the old page.
func TestCacheRendersAnExpiredPageOnce(t *testing.T) {
	c := newCache()
	key := pageKey{path: "/v/t/abc", lang: "zh-Hans"}
	t0 := time.Date(2026, 12, 6, 5, 0, 0, 0, time.UTC)
	if p, refresh := c.lookup(key, t0); p != nil || !refresh {
		t.Fatalf("a missing page: %v, %v", p, refresh)
	}
	old := c.newPage(http.StatusOK, []byte("<p>v1</p>"), t0)
	c.put(key, old)
	if p, refresh := c.lookup(key, t0.Add(cacheTTL)); p != old || refresh {
		t.Fatalf("a fresh page: %v, %v", p, refresh)
	}

	// Expired: of a hundred requests at once, one renders.
	later := t0.Add(cacheTTL + time.Millisecond)
	var renders atomic.Int32
	var wg sync.WaitGroup
	for range 100 {
		wg.Go(func() {
			p, refresh := c.lookup(key, later)
			if p != old {
				t.Errorf("got %v, want the expired page", p)
			}
			if refresh {
				renders.Add(1)
			}
		})
	}
	wg.Wait()
	if n := renders.Load(); n != 1 {
		t.Fatalf("%d renderings, want 1", n)
	}

	// The rendering failed: the next request renders.
	old.refreshing.Store(false)
	if p, refresh := c.lookup(key, later); p != old || !refresh {
		t.Fatalf("after a failed rendering: %v, %v", p, refresh)
	}
	// Still not put another cacheTTL later: that request renders too.
	if _, refresh := c.lookup(key, later); refresh {
		t.Fatal("two renderings at once")
	}
	if _, refresh := c.lookup(key, later.Add(cacheTTL+time.Millisecond)); !refresh {
		t.Fatal("a rendering that never ends holds every request on the old page")
	}

	// The new page is put: served fresh; forget drops it.
	fresh := c.newPage(http.StatusOK, []byte("<p>v2</p>"), later)
	c.put(key, fresh)
	if p, refresh := c.lookup(key, later); p != fresh || refresh {
		t.Fatalf("the new page: %v, %v", p, refresh)
	}
	c.forget("/v/t/abc")
	if p, refresh := c.lookup(key, later); p != nil || !refresh {
		t.Fatalf("after forget: %v, %v", p, refresh)
	}
}
