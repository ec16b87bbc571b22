package web

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// Static files are gzipped for clients that accept it, never for those that refuse
// it, and not at all when it does not pay (images); licences beside vendored files
// are not served.
func TestStaticGzip(t *testing.T) {
	t.Parallel()
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	h := &handler{static: a}
	get := func(name, accept string) *httptest.ResponseRecorder {
		u, err := a.URL(name)
		if err != nil {
			t.Fatal(err)
		}
		r := httptest.NewRequest("GET", u, nil)
		if accept != "" {
			r.Header.Set("Accept-Encoding", accept)
		}
		r.SetPathValue("file", strings.TrimPrefix(u, "/static/"))
		w := httptest.NewRecorder()
		h.serveStatic(w, r)
		return w
	}
	body, _ := staticFS.ReadFile("static/vendor/echarts/echarts.min.js")
	for _, accept := range []string{"gzip", "gzip, deflate"} {
		w := get("vendor/echarts/echarts.min.js", accept)
		if w.Header().Get("Content-Encoding") != "gzip" || !strings.Contains(w.Header().Get("Vary"), "Accept-Encoding") || w.Header().Get("Content-Type") != "text/javascript; charset=utf-8" {
			t.Fatalf("%q: headers %v", accept, w.Header())
		}
		if w.Body.Len() >= len(body)/2 {
			t.Errorf("%q: %d bytes gzipped of %d", accept, w.Body.Len(), len(body))
		}
		zr, err := gzip.NewReader(w.Body)
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(zr)
		if err != nil || !bytes.Equal(got, body) {
			t.Fatalf("%q: the gzipped body is not the file (%v)", accept, err)
		}
	}
	for _, accept := range []string{"", "gzip;q=0", "identity"} {
		w := get("vendor/echarts/echarts.min.js", accept)
		if w.Header().Get("Content-Encoding") != "" || !bytes.Equal(w.Body.Bytes(), body) {
			t.Errorf("%q: encoded %q, %d bytes", accept, w.Header().Get("Content-Encoding"), w.Body.Len())
		}
	}
	if w := get("favicon.svg", "gzip"); w.Code != http.StatusOK {
		t.Errorf("favicon: %d", w.Code)
	}
	for _, name := range []string{"vendor/echarts/LICENSE", "vendor/echarts/NOTICE", "vendor/echarts/README.md"} {
		if _, err := a.URL(name); err == nil {
			t.Errorf("%s is served", name)
		}
	}
	// Brotli, where the browser takes it (internal/precompress negotiates).
	if w := get("vendor/echarts/echarts.min.js", "br, gzip;q=0.5"); w.Header().Get("Content-Encoding") != "br" || w.Body.Len() >= len(body)/2 {
		t.Errorf("brotli: %q, %d bytes", w.Header().Get("Content-Encoding"), w.Body.Len())
	}
}
