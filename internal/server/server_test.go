package server_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

func TestStatusMapping(t *testing.T) {
	t.Parallel()
	tests := []struct {
		err  error
		want int
		code string
	}{
		{passerelle.Errorf(passerelle.EINVALID, "x"), 422, "invalid"},
		{passerelle.ErrNotFound, 404, "not_found"},
		{fmt.Errorf("wrapped: %w", passerelle.ErrConflict), 409, "conflict"},
		{passerelle.Errorf(passerelle.EFORBIDDEN, "x"), 403, "forbidden"},
		{passerelle.Errorf(passerelle.EUNAUTHENTICATED, "x"), 401, "unauthenticated"},
		{passerelle.Errorf(passerelle.ERATELIMITED, "x"), 429, "rate_limited"},
		{passerelle.Errorf(passerelle.EUNAVAILABLE, "x"), 503, "unavailable"},
		{passerelle.Errorf(passerelle.ETOOLARGE, "x"), 413, "too_large"},
		{passerelle.Errorf(passerelle.EUNSUPPORTED, "x"), 415, "unsupported"},
		{&http.MaxBytesError{Limit: 1}, 413, "too_large"},
		{&passerelle.Error{Code: server.ErrBadRequest, Message: "x"}, 400, "bad_request"},
		{errors.New("driver exploded"), 500, "internal"},
	}
	for _, tt := range tests {
		if got := server.Status(tt.err); got != tt.want || server.Code(tt.err) != tt.code {
			t.Errorf("%v: %d %s, want %d %s", tt.err, got, server.Code(tt.err), tt.want, tt.code)
		}
	}
	if m := server.Message(errors.New("secret driver detail")); strings.Contains(m, "secret") {
		t.Errorf("internal error message leaks: %q", m)
	}
}

// TestMiddleware: a panic is a logged 500 in JSON with the request id; security
// headers and the CSP are on every answer; a body over the route's limit is a 413;
// a cross-origin POST is refused; an API route without a token is a 401.
func TestMiddleware(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	srv := server.New(server.Options{DB: storetest.SQLite(t), Logger: slog.New(slog.NewJSONHandler(&logs, nil)), MaxBodyBytes: 16})
	srv.HandleFunc("GET /boom", server.Public, func(w http.ResponseWriter, r *http.Request) { panic("kaboom") })
	srv.HandleFunc("POST /echo", server.Public, func(w http.ResponseWriter, r *http.Request) {
		var b bytes.Buffer
		if _, err := b.ReadFrom(r.Body); err != nil {
			srv.Error(w, r, err)
			return
		}
		w.Write(b.Bytes())
	})
	srv.HandleFunc("GET /private", server.API, func(w http.ResponseWriter, r *http.Request) {})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()

	req, _ := http.NewRequest("GET", ts.URL+"/boom", nil)
	req.Header.Set("X-Request-Id", "abc-123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var body server.ErrorBody
	json.NewDecoder(resp.Body).Decode(&body)
	resp.Body.Close()
	if resp.StatusCode != 500 || body.Error.Code != "internal" || resp.Header.Get("X-Request-Id") != "abc-123" {
		t.Fatalf("panic: %d %+v %q", resp.StatusCode, body, resp.Header.Get("X-Request-Id"))
	}
	if !strings.Contains(logs.String(), "kaboom") || !strings.Contains(logs.String(), "abc-123") {
		t.Fatalf("panic not logged with its request id: %s", logs.String())
	}
	for h, want := range map[string]string{"Content-Security-Policy": "default-src 'self'", "X-Content-Type-Options": "nosniff", "X-Frame-Options": "SAMEORIGIN", "Referrer-Policy": "same-origin"} {
		if !strings.Contains(resp.Header.Get(h), want) {
			t.Errorf("%s = %q", h, resp.Header.Get(h))
		}
	}

	req, _ = http.NewRequest("GET", ts.URL+"/healthz", nil)
	req.Header.Set("X-Request-Id", "bad id with spaces")
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if id := resp.Header.Get("X-Request-Id"); id == "" || strings.ContainsAny(id, " ") {
		t.Fatalf("unsafe request id kept: %q", id)
	}

	for _, tt := range []struct {
		name    string
		body    string
		chunked bool
		want    int
	}{{"small", "hello", false, 200}, {"declared too large", strings.Repeat("x", 17), false, 413}, {"streamed too large", strings.Repeat("x", 17), true, 413}} {
		req, _ := http.NewRequest("POST", ts.URL+"/echo", strings.NewReader(tt.body))
		if tt.chunked {
			req.ContentLength = -1
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: %d, want %d", tt.name, resp.StatusCode, tt.want)
		}
	}

	req, _ = http.NewRequest("POST", ts.URL+"/echo", strings.NewReader("x"))
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if resp.StatusCode != 403 {
		t.Fatalf("cross-origin POST: %d", resp.StatusCode)
	}

	resp, _ = http.Get(ts.URL + "/private")
	resp.Body.Close()
	if resp.StatusCode != 401 || resp.Header.Get("WWW-Authenticate") == "" {
		t.Fatalf("API without token: %d", resp.StatusCode)
	}

	// /metrics is not served without a token (issue 9, finding 10).
	resp, _ = http.Get(ts.URL + "/metrics")
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Fatalf("/metrics without a token configured: %d, want 404", resp.StatusCode)
	}
	// The separate listener (--metrics-addr) serves them.
	mts := httptest.NewServer(srv.MetricsHandler())
	defer mts.Close()
	resp, _ = http.Get(mts.URL + "/metrics")
	var m bytes.Buffer
	m.ReadFrom(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"passerelle_http_request_duration_seconds", `route="GET /boom"`, "go_goroutines", "go_sql_"} {
		if !strings.Contains(m.String(), want) {
			t.Errorf("/metrics lacks %s", want)
		}
	}
}

// Issue 9, finding 10: with a metrics token, /metrics answers only to it, on the
// main address and on the separate listener.
func TestMetricsToken(t *testing.T) {
	t.Parallel()
	srv := server.New(server.Options{MetricsToken: "m-secret"})
	for _, h := range []http.Handler{srv.Handler(), srv.MetricsHandler()} {
		ts := httptest.NewServer(h)
		for _, tt := range []struct {
			auth string
			want int
		}{{"", 401}, {"Bearer nope", 401}, {"Basic m-secret", 401}, {"Bearer m-secret", 200}} {
			req, _ := http.NewRequest("GET", ts.URL+"/metrics", nil)
			if tt.auth != "" {
				req.Header.Set("Authorization", tt.auth)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var b bytes.Buffer
			b.ReadFrom(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != tt.want || (tt.want == 200) != strings.Contains(b.String(), "go_goroutines") {
				t.Errorf("%q: %d, want %d", tt.auth, resp.StatusCode, tt.want)
			}
		}
		ts.Close()
	}
}

// Issue 9, finding 7: behind a trusted proxy the client is the address the proxy
// appended (rightmost), not what the client wrote at the left.
func TestClientIP(t *testing.T) {
	t.Parallel()
	ranges := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}
	tests := []struct {
		name   string
		opts   server.Options
		remote string
		xff    []string
		proto  string
		want   string
		secure bool
	}{
		{"untrusted", server.Options{}, "10.0.0.2:5555", []string{"203.0.113.9, 10.0.0.1"}, "https", "10.0.0.2", false},
		{"rightmost", server.Options{TrustProxy: true}, "10.0.0.2:5555", []string{"6.6.6.6, 203.0.113.9"}, "https", "203.0.113.9", true},
		{"rightmost of several headers", server.Options{TrustProxy: true}, "10.0.0.2:5555", []string{"6.6.6.6", "203.0.113.9"}, "", "203.0.113.9", false},
		{"garbage", server.Options{TrustProxy: true}, "10.0.0.2:5555", []string{"not-an-ip"}, "", "10.0.0.2", false},
		{"no header", server.Options{TrustProxy: true}, "10.0.0.2:5555", nil, "", "10.0.0.2", false},
		{"two trusted hops", server.Options{TrustProxy: true, TrustedProxies: ranges}, "10.0.0.2:5555", []string{"6.6.6.6, 203.0.113.9, 10.0.0.7"}, "https", "203.0.113.9", true},
		{"peer outside the ranges", server.Options{TrustProxy: true, TrustedProxies: ranges}, "192.0.2.50:5555", []string{"6.6.6.6"}, "https", "192.0.2.50", false},
		{"all trusted", server.Options{TrustProxy: true, TrustedProxies: ranges}, "10.0.0.2:5555", []string{"10.1.1.1"}, "", "10.0.0.2", false},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tt.remote
		for _, v := range tt.xff {
			r.Header.Add("X-Forwarded-For", v)
		}
		if tt.proto != "" {
			r.Header.Set("X-Forwarded-Proto", tt.proto)
		}
		s := server.New(tt.opts)
		if ip := s.ClientIP(r); ip != tt.want {
			t.Errorf("%s: client %s, want %s", tt.name, ip, tt.want)
		}
		if got := s.IsSecure(r); got != tt.secure {
			t.Errorf("%s: secure %v, want %v", tt.name, got, tt.secure)
		}
	}
}

// Issue 9, finding 11: a client that sends its whole oversized body before reading the
// answer (as Python's urllib does) gets the 413, not a reset connection; with a
// declared length and with a chunked body.
func TestOversizedBodyGets413(t *testing.T) {
	t.Parallel()
	srv := server.New(server.Options{MaxBodyBytes: 1024})
	srv.HandleFunc("POST /echo", server.Public, func(w http.ResponseWriter, r *http.Request) {
		if _, err := io.ReadAll(r.Body); err != nil {
			srv.Error(w, r, err)
			return
		}
	})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	body := bytes.Repeat([]byte("x"), 8<<20)
	for _, chunked := range []bool{false, true} {
		conn, err := net.Dial("tcp", ts.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		var req bytes.Buffer
		req.WriteString("POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/octet-stream\r\n")
		if chunked {
			req.WriteString("Transfer-Encoding: chunked\r\n\r\n")
			fmt.Fprintf(&req, "%x\r\n", len(body))
			req.Write(body)
			req.WriteString("\r\n0\r\n\r\n")
		} else {
			fmt.Fprintf(&req, "Content-Length: %d\r\n\r\n", len(body))
			req.Write(body)
		}
		conn.SetDeadline(time.Now().Add(20 * time.Second))
		if _, err := conn.Write(req.Bytes()); err != nil {
			t.Fatalf("chunked %v: sending the body: %v", chunked, err)
		}
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatalf("chunked %v: reading the answer: %v", chunked, err)
		}
		resp.Body.Close()
		conn.Close()
		if resp.StatusCode != http.StatusRequestEntityTooLarge {
			t.Errorf("chunked %v: %d, want 413", chunked, resp.StatusCode)
		}
	}
}

// TestFilesGoOutByReadFrom: a file copied to the response reaches the connection's own
// ReadFrom through the request's recorder (sendfile for ServeContent), whole, and is
// counted.
func TestFilesGoOutByReadFrom(t *testing.T) {
	t.Parallel()
	body := strings.Repeat("passerelle ", 40_000)
	path := filepath.Join(t.TempDir(), "audio.mp3")
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Options{})
	srv.HandleFunc("GET /audio", server.Public, func(w http.ResponseWriter, r *http.Request) {
		if _, ok := w.(io.ReaderFrom); !ok {
			http.Error(w, "the response writer hides ReadFrom", http.StatusInternalServerError)
			return
		}
		f, err := os.Open(path)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		defer f.Close()
		http.ServeContent(w, r, "audio.mp3", time.Time{}, f)
	})
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	resp, err := http.Get(ts.URL + "/audio")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK || string(got) != body {
		t.Fatalf("%d, %d bytes of %d, %v", resp.StatusCode, len(got), len(body), err)
	}
}
