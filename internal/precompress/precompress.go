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
	// variants holds, per encoding (identity, gzip, brotli), the header values its
	// answers carry, made once: serving a body allocates nothing of its own.
	variants [3]variant
}

// variant is one encoding of a body with the header values of its answer. The
// values are shared by every answer: nothing may change them in place (net/http and
// Header.Set and Add never do; Add appends to a full slice, which copies it).
type variant struct {
	body                   []byte
	etag, length, encoding []string
}

// prepare makes the header values of every encoding.
func (b *Body) prepare() {
	for i, v := range []struct {
		body     []byte
		suffix   string
		encoding string
	}{{b.Identity, "", Identity}, {b.Gzip, "-gz", Gzip}, {b.Brotli, "-br", Brotli}} {
		b.variants[i] = variant{body: v.body, etag: one(`"` + b.Tag + v.suffix + `"`), length: one(strconv.Itoa(len(v.body)))}
		if v.encoding != Identity {
			b.variants[i].encoding = one(v.encoding)
		}
	}
}

// one is a header value as a slice that an append copies.
func one(v string) []string { return []string{v}[:1:1] }

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
	bw := brotli.NewWriterOptions(&br, brotli.WriterOptions{Quality: level, LGWin: window(len(body))})
	bw.Write(body)
	bw.Close()
	if br.Len() < len(body) {
		b.Brotli = br.Bytes()
	}
	b.prepare()
	return b
}

// window is brotli's window for a body of n bytes: the smallest that holds it all, as
// the brotli command chooses for a file. A window no larger than the body compresses it
// as well as the default 4 MB one, and up to 64 KB (every page) it selects the encoder's
// small-window hashers, whose tables are kilobytes where the default's are megabytes
// (cleared for every page; this was most of publishing a tour's CPU time).
func window(n int) int {
	w := 10                     // brotli's smallest
	for w < 24 && 1<<w-16 < n { // a window of w bits reaches back 2^w − 16 bytes
		w++
	}
	return w
}

// variant returns an encoding's bytes and header values.
func (b *Body) variant(enc string) *variant {
	switch enc {
	case Brotli:
		return &b.variants[2]
	case Gzip:
		return &b.variants[1]
	}
	return &b.variants[0]
}

// varyEncoding is the Vary value of an answer that has none yet.
var varyEncoding = one("Accept-Encoding")

// Serve answers r with the body in the best encoding r accepts, with its entity tag,
// "Vary: Accept-Encoding" and 304 Not Modified when If-None-Match names that tag.
// The caller sets Content-Type and Cache-Control before. It allocates nothing of its
// own: the header values were made with the body.
func (b *Body) Serve(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	if vary, ok := hd["Vary"]; !ok {
		hd["Vary"] = varyEncoding
	} else if !listHas(vary, "Accept-Encoding") {
		hd.Add("Vary", "Accept-Encoding")
	}
	v := b.variant(Negotiate(headerValue(r.Header, "Accept-Encoding"), b.Brotli != nil, b.Gzip != nil))
	hd["Etag"] = v.etag
	if NoneMatch(headerValue(r.Header, "If-None-Match"), v.etag[0]) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	if v.encoding != nil {
		hd["Content-Encoding"] = v.encoding
	}
	hd["Content-Length"] = v.length
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(v.body)
	}
}

// headerValue is Header.Get for a canonical name: the first value, without the
// canonicalization of the name.
func headerValue(h http.Header, name string) string {
	if v := h[name]; len(v) > 0 {
		return v[0]
	}
	return ""
}

// listHas reports whether a comma-separated header (in one value or several) names
// name, case aside.
func listHas(values []string, name string) bool {
	for _, v := range values {
		for v != "" {
			var f string
			f, v, _ = strings.Cut(v, ",")
			if strings.EqualFold(strings.TrimSpace(f), name) {
				return true
			}
		}
	}
	return false
}

// NoneMatch reports whether an If-None-Match header names tag (weak comparison, as
// RFC 9110 asks for If-None-Match) or is "*".
func NoneMatch(header, tag string) bool {
	if header == "" {
		return false
	}
	tag = strings.TrimPrefix(tag, "W/")
	for header != "" {
		var t string
		t, header, _ = strings.Cut(header, ",")
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == tag {
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
	for header != "" {
		var part string
		part, header, _ = strings.Cut(header, ",")
		name, params, _ := strings.Cut(part, ";")
		name = strings.TrimSpace(name)
		if name == "" {
			continue
		}
		q := 1.0
		for params != "" {
			var p string
			p, params, _ = strings.Cut(params, ";")
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
		// Names compared case aside, without lowering a copy.
		switch {
		case strings.EqualFold(name, "br"):
			qBr = q
		case strings.EqualFold(name, "gzip"), strings.EqualFold(name, "x-gzip"):
			qGz = q
		case strings.EqualFold(name, "identity"):
			qID = q
		case name == "*":
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
