// Package precompress serves bodies that are compressed once, in brotli and gzip, and
// then sent as they are to every client that accepts them: public pages (compressed
// when rendered, kept by content hash) and static assets (compressed at their first
// request). It negotiates Accept-Encoding with its q-values, gives each encoding its
// own entity tag and answers conditional requests.
package precompress

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// Encodings, as Content-Encoding names them; "" is the body as it is.
const (
	Brotli   = "br"
	Gzip     = "gzip"
	Identity = ""
)

// Body is one content in every encoding worth sending.
type Body struct {
	// Tag is a hash of the content: the same on every instance.
	Tag      string
	Identity []byte
	// Gzip and Brotli are nil when compressing did not make the body smaller.
	Gzip, Brotli []byte
}

// Brotli levels: the highest without the slow Zopfli-style search of levels 10 and
// 11, for pages (compressed whenever their content changes) and static assets alike.
// An asset is compressed at its first request, which waits for it: ECharts' 1.1 MB
// takes 0.14 s at level 9 (328 KB) against 3.3 s at level 11 (299 KB), measured on
// this project's machine, and ten times longer under the race detector.
const (
	assetLevel = 9
	pageLevel  = 9
)

// New compresses body (which it keeps; the caller must not change it) at the highest
// level: for static assets, compressed once.
func New(body []byte) *Body {
	sum := sha256.Sum256(body)
	return compress(hex.EncodeToString(sum[:12]), body, assetLevel)
}

func compress(tag string, body []byte, level int) *Body {
	b := &Body{Tag: tag, Identity: body}
	var gz bytes.Buffer
	zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
	zw.Write(body)
	zw.Close()
	if gz.Len() < len(body) {
		b.Gzip = gz.Bytes()
	}
	var br bytes.Buffer
	bw := brotli.NewWriterLevel(&br, level)
	bw.Write(body)
	bw.Close()
	if br.Len() < len(body) {
		b.Brotli = br.Bytes()
	}
	return b
}

// variant returns the bytes and entity tag of an encoding.
func (b *Body) variant(enc string) ([]byte, string) {
	switch enc {
	case Brotli:
		return b.Brotli, `"` + b.Tag + `-br"`
	case Gzip:
		return b.Gzip, `"` + b.Tag + `-gz"`
	}
	return b.Identity, `"` + b.Tag + `"`
}

// Serve answers r with the body in the best encoding r accepts, with its entity tag,
// "Vary: Accept-Encoding" and 304 Not Modified when If-None-Match names that tag.
// The caller sets Content-Type and Cache-Control before.
func (b *Body) Serve(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	addVary(hd, "Accept-Encoding")
	enc := Negotiate(r.Header.Get("Accept-Encoding"), b.Brotli != nil, b.Gzip != nil)
	body, tag := b.variant(enc)
	hd.Set("ETag", tag)
	if NoneMatch(r.Header.Get("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if enc != Identity {
		hd.Set("Content-Encoding", enc)
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

func addVary(hd http.Header, name string) {
	for _, v := range hd.Values("Vary") {
		for _, f := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return
			}
		}
	}
	hd.Add("Vary", name)
}

// NoneMatch reports whether an If-None-Match header names tag (weak comparison, as
// RFC 9110 asks for If-None-Match) or is "*".
func NoneMatch(header, tag string) bool {
	if header == "" {
		return false
	}
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == strings.TrimPrefix(tag, "W/") {
			return true
		}
	}
	return false
}

// Negotiate picks the encoding to send from an Accept-Encoding header (RFC 9110
// §12.5.3): the acceptable coding with the highest q-value among those available,
// brotli before gzip before none at equal q; "*" stands for the codings not named;
// identity is always acceptable unless refused. A malformed q-value makes its
// coding unacceptable; a header that is absent or names nothing known gets the
// body as it is.
func Negotiate(header string, haveBrotli, haveGzip bool) string {
	qBr, qGz, qID := -1.0, -1.0, -1.0
	qStar := -1.0
	for _, part := range strings.Split(header, ",") {
		name, params, _ := strings.Cut(part, ";")
		name = strings.ToLower(strings.TrimSpace(name))
		if name == "" {
			continue
		}
		q := 1.0
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "q") {
				continue
			}
			f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
			if err != nil || f < 0 || f > 1 || f != f {
				f = 0
			}
			q = f
		}
		switch name {
		case "br":
			qBr = q
		case "gzip", "x-gzip":
			qGz = q
		case "identity":
			qID = q
		case "*":
			qStar = q
		}
	}
	if qBr < 0 {
		qBr = max(qStar, 0)
	}
	if qGz < 0 {
		qGz = max(qStar, 0)
	}
	if qID < 0 {
		// Identity is acceptable unless refused by name or by "*;q=0".
		qID = 0.001
		if qStar == 0 {
			qID = 0
		}
	}
	best, bestQ := Identity, qID
	if haveGzip && qGz > 0 && qGz >= bestQ {
		best, bestQ = Gzip, qGz
	}
	if haveBrotli && qBr > 0 && qBr >= bestQ {
		best = Brotli
	}
	return best
}

// Cache keeps compressed bodies by content, so that a page rendered again with the
// same bytes is not compressed again. It holds at most max bodies and starts over
// past that (what a stream of different pages can make it hold is bounded).
type Cache struct {
	mu     sync.Mutex
	max    int
	bodies map[[sha256.Size]byte]*Body
}

// NewCache returns a cache of at most max bodies.
func NewCache(max int) *Cache {
	return &Cache{max: max, bodies: map[[sha256.Size]byte]*Body{}}
}

// Get returns body compressed (at the pages' level), from the cache when the same
// content was seen.
func (c *Cache) Get(body []byte) *Body {
	sum := sha256.Sum256(body)
	c.mu.Lock()
	b := c.bodies[sum]
	c.mu.Unlock()
	if b != nil {
		return b
	}
	b = compress(hex.EncodeToString(sum[:12]), body, pageLevel)
	c.mu.Lock()
	if len(c.bodies) >= c.max {
		clear(c.bodies)
	}
	c.bodies[sum] = b
	c.mu.Unlock()
	return b
}
