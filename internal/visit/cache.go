package visit

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"sync"
	"time"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// cacheTTL is how long a rendered page is served before it is rendered again from
// the database: what another instance published or unpublished shows within it.
const cacheTTL = 2 * time.Second

// page is a rendered public page: its bytes, gzipped bytes and entity tag (a hash of
// the content, so every instance gives the same one).
type page struct {
	status  int
	etag    string
	body    []byte
	gz      []byte
	expires time.Time
	// media is set on the entries that remember a published medium.
	media *store.MediaAsset
}

func newPage(status int, body []byte, now time.Time) *page {
	sum := sha256.Sum256(body)
	var buf bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	return &page{status: status, etag: `"` + hex.EncodeToString(sum[:12]) + `"`, body: body, gz: buf.Bytes(), expires: now.Add(cacheTTL)}
}

// cache holds rendered pages by path and language.
type cache struct {
	mu    sync.RWMutex
	pages map[string]*page
}

func newCache() *cache { return &cache{pages: map[string]*page{}} }

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
