package visit

import (
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passerelle-oss/passerelle/internal/precompress"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// cacheTTL is how long a rendered page is served before it is rendered again from
// the database: what another instance published or unpublished shows within it.
const cacheTTL = 2 * time.Second

// page is a rendered public page: its bytes, compressed in brotli and gzip, with
// entity tags made of a hash of the content (so every instance gives the same ones).
type page struct {
	status  int
	body    *precompress.Body
	expires time.Time
	// media is set on the entries that remember a published medium.
	media *store.MediaAsset
	// refreshing is set when a request has taken it on itself to render the expired
	// page again: the others serve this one meanwhile.
	refreshing atomic.Bool
}

// newPage makes the cache entry of a rendered page. A page rendered again with the
// same bytes (every cacheTTL) is not compressed again: the compressed bodies are kept
// by content hash.
func (c *cache) newPage(status int, body []byte, now time.Time) *page {
	return &page{status: status, body: c.bodies.Get(body), expires: now.Add(cacheTTL)}
}

// pageKey names a cached page: its path, language and explicit language query. A
// medium's entry is its kind and content key. A struct rather than a joined string:
// looking a page up allocates nothing.
type pageKey struct {
	path, lang, q string
}

// cache holds rendered pages by path and language.
type cache struct {
	mu     sync.RWMutex
	pages  map[pageKey]*page
	bodies *precompress.Cache
}

func newCache() *cache {
	return &cache{pages: map[pageKey]*page{}, bodies: precompress.NewCache(2_000)}
}

// lookup returns the page of key and whether the caller must render it (again). When
// the page has expired, one caller renders it and the others, meanwhile, get the
// expired page (for at most another cacheTTL): a thousand visitors arriving as it
// expires cost one rendering, not a thousand. A caller told to render an expired page
// must put the new one, or call p.refreshing.Store(false) when it could not.
func (c *cache) lookup(key pageKey, now time.Time) (p *page, refresh bool) {
	c.mu.RLock()
	p = c.pages[key]
	c.mu.RUnlock()
	switch {
	case p == nil:
		return nil, true
	case !now.After(p.expires):
		return p, false
	case p.refreshing.CompareAndSwap(false, true):
		return p, true
	case now.After(p.expires.Add(cacheTTL)):
		// The rendering under way takes too long: render too.
		return p, true
	}
	return p, false
}

func (c *cache) put(key pageKey, p *page) {
	c.mu.Lock()
	// A bound on what guessed addresses can make the cache hold: past it, start over.
	if len(c.pages) > 10_000 {
		c.pages = map[pageKey]*page{}
	}
	c.pages[key] = p
	c.mu.Unlock()
}

// forget drops every page whose path starts with prefix.
func (c *cache) forget(prefix string) {
	c.mu.Lock()
	for k := range c.pages {
		if strings.HasPrefix(k.path, prefix) {
			delete(c.pages, k)
		}
	}
	c.mu.Unlock()
}
