package visit

import (
	"strings"
	"sync"
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
}

// newPage makes the cache entry of a rendered page. A page rendered again with the
// same bytes (every cacheTTL) is not compressed again: the compressed bodies are kept
// by content hash.
func (c *cache) newPage(status int, body []byte, now time.Time) *page {
	return &page{status: status, body: c.bodies.Get(body), expires: now.Add(cacheTTL)}
}

// cache holds rendered pages by path and language.
type cache struct {
	mu     sync.RWMutex
	pages  map[string]*page
	bodies *precompress.Cache
}

func newCache() *cache {
	return &cache{pages: map[string]*page{}, bodies: precompress.NewCache(2_000)}
}

func (c *cache) get(key string, now time.Time) *page {
	c.mu.RLock()
	p := c.pages[key]
	c.mu.RUnlock()
	if p == nil || now.After(p.expires) {
		return nil
	}
	return p
}

func (c *cache) put(key string, p *page) {
	c.mu.Lock()
	// A bound on what guessed addresses can make the cache hold: past it, start over.
	if len(c.pages) > 10_000 {
		c.pages = map[string]*page{}
	}
	c.pages[key] = p
	c.mu.Unlock()
}

// forget drops every page whose key starts with prefix.
func (c *cache) forget(prefix string) {
	c.mu.Lock()
	for k := range c.pages {
		if strings.HasPrefix(k, prefix) {
			delete(c.pages, k)
		}
	}
	c.mu.Unlock()
}
