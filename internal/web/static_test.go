package web

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func TestStaticAssetsFingerprinted(t *testing.T) {
	t.Parallel()
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	h := &handler{static: a}
	for _, name := range []string{"app.css", "app.js", "favicon.svg"} {
		u, err := a.URL(name)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := staticFS.ReadFile("static/" + name)
		sum := sha256.Sum256(b)
		if !strings.Contains(u, "."+hex.EncodeToString(sum[:6])+".") {
			t.Errorf("%s: URL %s does not carry its checksum", name, u)
		}
		r := httptest.NewRequest("GET", u, nil)
		r.SetPathValue("file", strings.TrimPrefix(u, "/static/"))
		w := httptest.NewRecorder()
		h.serveStatic(w, r)
		if w.Code != http.StatusOK || w.Body.String() != string(b) {
			t.Errorf("%s: %d", u, w.Code)
		}
		if cc := w.Header().Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q", u, cc)
		}
		// A browser gets it in brotli, and it decodes to the file.
		r.Header.Set("Accept-Encoding", "gzip, deflate, br")
		w = httptest.NewRecorder()
		h.serveStatic(w, r)
		got, err := io.ReadAll(brotli.NewReader(w.Body))
		if w.Header().Get("Content-Encoding") != "br" || err != nil || string(got) != string(b) {
			t.Errorf("%s in brotli: encoding %q, %v", u, w.Header().Get("Content-Encoding"), err)
		}
	}
	if _, err := a.URL("nope.css"); err == nil {
		t.Error("unknown asset has a URL")
	}
	r := httptest.NewRequest("GET", "/static/app.css", nil)
	r.SetPathValue("file", "app.css")
	w := httptest.NewRecorder()
	h.serveStatic(w, r)
	if w.Code != http.StatusNotFound {
		t.Errorf("unfingerprinted name served: %d", w.Code)
	}
}

// No page may need anything the CSP forbids: inline scripts, inline styles, or a
// resource from another origin.
func TestTemplatesRespectCSP(t *testing.T) {
	t.Parallel()
	bad := []string{"<script>", "style=", "<style", "onclick", "onchange", "onsubmit", "javascript:", "src=\"http", "href=\"http", "//cdn"}
	mustViews(t)
	files, _ := templateFS.ReadDir("templates/views")
	partials, _ := templateFS.ReadDir("templates/partials")
	all := []string{"templates/layout.html"}
	for _, f := range files {
		all = append(all, "templates/views/"+f.Name())
	}
	for _, f := range partials {
		all = append(all, "templates/partials/"+f.Name())
	}
	for _, p := range all {
		b, err := templateFS.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range bad {
			if strings.Contains(strings.ToLower(string(b)), s) {
				t.Errorf("%s contains %q", p, s)
			}
		}
	}
}

func mustViews(t *testing.T) *views {
	t.Helper()
	a, err := loadAssets()
	if err != nil {
		t.Fatal(err)
	}
	v, err := parseViews(a)
	if err != nil {
		t.Fatal(err)
	}
	if len(v.pages) != len(viewNames) {
		t.Fatalf("%d views parsed, %d declared", len(v.pages), len(viewNames))
	}
	return v
}
