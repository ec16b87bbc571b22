package precompress

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

func TestNegotiate(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		name, header string
		want         string
	}{
		{"absent", "", Identity},
		{"gzip only", "gzip", Gzip},
		{"browser", "gzip, deflate, br, zstd", Brotli},
		{"upper case and spaces", " GZIP , BR ", Brotli},
		{"gzip preferred by q", "br;q=0.5, gzip;q=0.8", Gzip},
		{"brotli refused", "br;q=0, gzip", Gzip},
		{"both refused", "br;q=0, gzip;q=0", Identity},
		{"star", "*", Brotli},
		{"star refused but gzip named", "*;q=0, gzip", Gzip},
		{"identity preferred", "identity;q=1, gzip;q=0.5", Identity},
		{"malformed q is refusal", "br;q=abc, gzip", Gzip},
		{"q above one is refusal", "br;q=2, gzip;q=0.3", Gzip},
		{"q with spaces", "br ; q = 0.9 , gzip;q=0.1", Brotli},
		{"unknown codings only", "compress, deflate", Identity},
		{"x-gzip", "x-gzip", Gzip},
		{"empty parts", ",,;,gzip", Gzip},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := Negotiate(c.header, true, true); got != c.want {
				t.Errorf("Negotiate(%q) = %q, want %q", c.header, got, c.want)
			}
		})
	}
	if got := Negotiate("br, gzip", false, true); got != Gzip {
		t.Errorf("without a brotli body: %q, want gzip", got)
	}
	if got := Negotiate("br", false, false); got != Identity {
		t.Errorf("with nothing compressed: %q, want identity", got)
	}
}

func FuzzNegotiate(f *testing.F) {
	for _, s := range []string{"", "gzip", "br;q=0.5, gzip;q=0.8", "*;q=0", "br;q=NaN", "identity;q=0, *;q=0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, header string) {
		got := Negotiate(header, true, true)
		if got != Brotli && got != Gzip && got != Identity {
			t.Fatalf("Negotiate(%q) = %q", header, got)
		}
		if !strings.Contains(strings.ToLower(header), "br") && !strings.Contains(header, "*") && got == Brotli {
			t.Fatalf("Negotiate(%q) chose brotli, which it does not name", header)
		}
	})
}

func TestServe(t *testing.T) {
	t.Parallel()
	page := []byte(strings.Repeat("<p>Bonjour, 你好, hello.</p>\n", 200))
	b := New(page)
	get := func(t *testing.T, method string, header map[string]string) *http.Response {
		t.Helper()
		r := httptest.NewRequest(method, "/p", nil)
		for k, v := range header {
			r.Header.Set(k, v)
		}
		w := httptest.NewRecorder()
		w.Header().Set("Vary", "Accept-Language")
		b.Serve(w, r)
		return w.Result()
	}
	decode := map[string]func(io.Reader) (io.Reader, error){
		Brotli:   func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil },
		Gzip:     func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) },
		Identity: func(r io.Reader) (io.Reader, error) { return r, nil },
	}
	tags := map[string]bool{}
	for _, c := range []struct{ accept, enc string }{{"br, gzip", Brotli}, {"gzip", Gzip}, {"", Identity}} {
		res := get(t, http.MethodGet, map[string]string{"Accept-Encoding": c.accept})
		if res.StatusCode != http.StatusOK || res.Header.Get("Content-Encoding") != c.enc {
			t.Fatalf("%q: status %d, encoding %q, want 200 %q", c.accept, res.StatusCode, res.Header.Get("Content-Encoding"), c.enc)
		}
		if v := res.Header.Values("Vary"); strings.Join(v, ",") != "Accept-Language,Accept-Encoding" {
			t.Errorf("%q: Vary %q", c.accept, v)
		}
		raw, _ := io.ReadAll(res.Body)
		if res.Header.Get("Content-Length") != strconv.Itoa(len(raw)) {
			t.Errorf("%q: Content-Length %s for %d bytes", c.accept, res.Header.Get("Content-Length"), len(raw))
		}
		rd, err := decode[c.enc](bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		got, err := io.ReadAll(rd)
		if err != nil || !bytes.Equal(got, page) {
			t.Fatalf("%q: body does not decode to the page (%v)", c.accept, err)
		}
		if c.enc != Identity && len(raw) >= len(page)/4 {
			t.Errorf("%q: %d bytes for a %d-byte repetitive page", c.accept, len(raw), len(page))
		}
		tag := res.Header.Get("ETag")
		if tags[tag] {
			t.Errorf("%q: ETag %s shared with another encoding", c.accept, tag)
		}
		tags[tag] = true
		// The tag of this encoding revalidates it; weak form too.
		for _, inm := range []string{tag, "W/" + tag, `"other", ` + tag, "*"} {
			if res := get(t, http.MethodGet, map[string]string{"Accept-Encoding": c.accept, "If-None-Match": inm}); res.StatusCode != http.StatusNotModified {
				t.Errorf("%q with If-None-Match %s: %d, want 304", c.accept, inm, res.StatusCode)
			}
		}
	}
	// Another encoding's tag does not revalidate this one.
	br := get(t, http.MethodGet, map[string]string{"Accept-Encoding": "br"}).Header.Get("ETag")
	if res := get(t, http.MethodGet, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": br}); res.StatusCode != http.StatusOK {
		t.Errorf("gzip revalidated with the brotli tag: %d", res.StatusCode)
	}
	if res := get(t, http.MethodHead, map[string]string{"Accept-Encoding": "br"}); res.StatusCode != http.StatusOK || res.ContentLength <= 0 {
		t.Errorf("HEAD: %d, length %d", res.StatusCode, res.ContentLength)
	} else if n, _ := io.Copy(io.Discard, res.Body); n != 0 {
		t.Errorf("HEAD sent %d bytes", n)
	}
}

func TestIncompressibleIsSentAsIs(t *testing.T) {
	t.Parallel()
	b := New([]byte("x"))
	if b.Gzip != nil || b.Brotli != nil {
		t.Fatalf("a one-byte body kept compressed variants (%d, %d bytes)", len(b.Gzip), len(b.Brotli))
	}
	r := httptest.NewRequest(http.MethodGet, "/", nil)
	r.Header.Set("Accept-Encoding", "br, gzip")
	w := httptest.NewRecorder()
	b.Serve(w, r)
	if w.Header().Get("Content-Encoding") != "" || w.Body.String() != "x" {
		t.Fatalf("encoding %q, body %q", w.Header().Get("Content-Encoding"), w.Body.String())
	}
}

func TestCacheKeepsByContent(t *testing.T) {
	t.Parallel()
	c := NewCache(2)
	a1 := c.Get([]byte(strings.Repeat("a", 100)))
	a2 := c.Get([]byte(strings.Repeat("a", 100)))
	if a1 != a2 {
		t.Fatal("the same content was compressed twice")
	}
	if c.Get([]byte(strings.Repeat("b", 100))) == a1 {
		t.Fatal("different content shares a body")
	}
	c.Get([]byte(strings.Repeat("c", 100)))
	if len(c.bodies) > 2 {
		t.Fatalf("cache holds %d bodies, bound 2", len(c.bodies))
	}
}

// headerOnly is a ResponseWriter that keeps its header map between answers, as a
// connection's does once net/http has cleared it.
type headerOnly struct {
	hd     http.Header
	status int
}

func (w *headerOnly) Header() http.Header         { return w.hd }
func (w *headerOnly) WriteHeader(code int)        { w.status = code }
func (w *headerOnly) Write(b []byte) (int, error) { return len(b), nil }

// Serving a body allocates nothing of its own, whatever the encoding asked for: the
// header values are made with the body. (Public pages are served by the thousand a
// second; a small page's answer is mostly its headers.)
func TestServeAllocatesNothing(t *testing.T) {
	b := New(bytes.Repeat([]byte("<p>卢浮宫 Louvre</p>\n"), 50))
	for _, accept := range []string{"", "gzip", "gzip, deflate, br, zstd", "br;q=0.5, gzip;q=0.8"} {
		r := httptest.NewRequest("GET", "/", nil)
		if accept != "" {
			r.Header.Set("Accept-Encoding", accept)
		}
		w := &headerOnly{hd: http.Header{}}
		allocs := testing.AllocsPerRun(100, func() {
			clear(w.hd)
			w.hd["Vary"] = []string{"Accept-Language"}[:1:1]
			b.Serve(w, r)
		})
		// Two, the test's own: the Vary slice it makes, and the append of
		// Accept-Encoding to it.
		if allocs > 2 || w.status != http.StatusOK {
			t.Errorf("Accept-Encoding %q: %.0f allocations, status %d", accept, allocs, w.status)
		}
		if got := w.hd.Values("Vary"); len(got) != 2 || got[1] != "Accept-Encoding" {
			t.Errorf("Vary %q", got)
		}
	}
}

// TestWindowFitsTheBody: the brotli window chosen for a body reaches back over all of
// it (at the sizes around each step), and every such body decodes to itself and is no
// larger, within 1 %, than with the default 4 MB window.
func TestWindowFitsTheBody(t *testing.T) {
	t.Parallel()
	for _, n := range []int{0, 1, 1<<10 - 16, 1<<10 - 15, 1<<16 - 16, 1<<16 - 15, 300_000, 1 << 22, 1<<24 + 5} {
		w := window(n)
		if w < 10 || w > 24 || (w < 24 && 1<<w-16 < n) || (w > 10 && 1<<(w-1)-16 >= n) {
			t.Errorf("window(%d) = %d", n, w)
		}
	}
	var page strings.Builder
	for i := 0; page.Len() < 60_000; i++ {
		fmt.Fprintf(&page, `<li class="stop"><a href="/v/t/abc/%d">第%d站 莫奈的睡莲 Les Nymphéas</a><span>%d:%02d</span></li>`+"\n", i, i, i%7, i*13%60)
	}
	body := []byte(page.String())
	b := New(body)
	got, err := io.ReadAll(brotli.NewReader(bytes.NewReader(b.Brotli)))
	if err != nil || !bytes.Equal(got, body) {
		t.Fatalf("brotli round trip: %v, %d bytes of %d", err, len(got), len(body))
	}
	var def bytes.Buffer
	bw := brotli.NewWriterLevel(&def, pageLevel)
	bw.Write(body)
	bw.Close()
	if len(b.Brotli) > def.Len()*101/100 {
		t.Errorf("%d bytes with the body's window, %d with the default one", len(b.Brotli), def.Len())
	}
}
