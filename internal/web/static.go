package web

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded static file, served under a name that carries its checksum so
// browsers may keep it for a year.
type asset struct {
	body        []byte
	contentType string
	// gz is the body gzipped, made on the first request that accepts it (text types
	// only: images and fonts are compressed already).
	gzOnce sync.Once
	gz     []byte
}

// gzipped returns the body compressed, or nil when compressing does not pay.
func (f *asset) gzipped() []byte {
	if !compressible(f.contentType) {
		return nil
	}
	f.gzOnce.Do(func() {
		var buf bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&buf, gzip.BestCompression)
		zw.Write(f.body)
		zw.Close()
		if buf.Len() < len(f.body) {
			f.gz = buf.Bytes()
		}
	})
	return f.gz
}

func compressible(ct string) bool {
	return strings.HasPrefix(ct, "text/") || strings.Contains(ct, "javascript") || strings.Contains(ct, "svg") || strings.Contains(ct, "json")
}

// acceptsGzip reports whether the request accepts gzip (and does not refuse it with q=0).
func acceptsGzip(r *http.Request) bool {
	for part := range strings.SplitSeq(r.Header.Get("Accept-Encoding"), ",") {
		name, params, _ := strings.Cut(part, ";")
		if !strings.EqualFold(strings.TrimSpace(name), "gzip") {
			continue
		}
		v, ok := strings.CutPrefix(strings.ReplaceAll(params, " ", ""), "q=")
		if !ok {
			return true
		}
		q, err := strconv.ParseFloat(v, 64)
		return err == nil && q > 0
	}
	return false
}

// assets maps logical names ("app.css", "vendor/x.js") to fingerprinted URLs and back.
type assets struct {
	urls  map[string]string // logical name → /static/app.1a2b3c4d5e6f.css
	files map[string]*asset // fingerprinted file name → content
}

// loadAssets reads every file under static/ and computes its fingerprinted name once.
// Notes and licences kept beside vendored files (README.md, LICENSE, NOTICE: .md or
// no extension) are not served.
func loadAssets() (*assets, error) {
	a := &assets{urls: map[string]string{}, files: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || path.Ext(p) == ".md" || path.Ext(p) == "" {
			return err
		}
		b, err := staticFS.ReadFile(p)
		if err != nil {
			return err
		}
		logical := strings.TrimPrefix(p, "static/")
		sum := sha256.Sum256(b)
		ext := path.Ext(logical)
		// Sub-directories are flattened with "-" so the URL is one path segment.
		base := strings.ReplaceAll(strings.TrimSuffix(logical, ext), "/", "-")
		name := base + "." + hex.EncodeToString(sum[:6]) + ext
		ct := mime.TypeByExtension(ext)
		if ct == "" {
			ct = "application/octet-stream"
		}
		a.urls[logical] = "/static/" + name
		a.files[name] = &asset{body: b, contentType: ct}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("static files: %w", err)
	}
	return a, nil
}

// URL returns the fingerprinted URL of a logical name; an unknown name is a bug in a
// template, caught when the views are parsed and rendered in tests.
func (a *assets) URL(name string) (string, error) {
	u, ok := a.urls[name]
	if !ok {
		return "", fmt.Errorf("unknown static file %q", name)
	}
	return u, nil
}

func (h *handler) serveStatic(w http.ResponseWriter, r *http.Request) {
	f, ok := h.static.files[r.PathValue("file")]
	if !ok {
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", f.contentType)
	hd.Set("Cache-Control", "public, max-age=31536000, immutable")
	body := f.body
	if gz := f.gzipped(); gz != nil {
		hd.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			hd.Set("Content-Encoding", "gzip")
			body = gz
		}
	}
	hd.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method == http.MethodHead {
		return
	}
	w.Write(body)
}

// favicon answers /favicon.ico, which browsers ask for whatever the page links to, with
// the SVG icon.
func (h *handler) favicon(w http.ResponseWriter, r *http.Request) {
	u, _ := h.static.URL("favicon.svg")
	f := h.static.files[strings.TrimPrefix(u, "/static/")]
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Cache-Control", "public, max-age=86400")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(f.body)
}
