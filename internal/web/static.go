package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"strings"
	"sync"

	"github.com/passerelle-oss/passerelle/internal/precompress"
)

//go:embed static
var staticFS embed.FS

// asset is one embedded static file, served under a name that carries its checksum so
// browsers may keep it for a year.
type asset struct {
	body        []byte
	contentType string
	// compressed is the body in brotli and gzip, made at the first request.
	compressed func() *precompress.Body
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
		a.files[name] = &asset{body: b, contentType: ct, compressed: sync.OnceValue(func() *precompress.Body { return precompress.New(b) })}
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
	w.Header().Set("Content-Type", f.contentType)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	f.compressed().Serve(w, r)
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
