package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"runtime/debug"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

type ctxKey int

const infoKey ctxKey = iota

// reqInfo is filled as the request goes down the stack and read on the way up.
type reqInfo struct {
	id      string
	route   string
	user    *passerelle.User
	session *store.Session
	cookie  string
}

func infoFrom(ctx context.Context) *reqInfo {
	i, _ := ctx.Value(infoKey).(*reqInfo)
	return i
}

// RequestID returns the id of the request being served.
func RequestID(ctx context.Context) string {
	if i := infoFrom(ctx); i != nil {
		return i.id
	}
	return ""
}

// User returns the signed-in user, or nil.
func User(ctx context.Context) *passerelle.User {
	if i := infoFrom(ctx); i != nil {
		return i.user
	}
	return nil
}

// Session returns the browser session, or nil (API calls have none).
func Session(ctx context.Context) *store.Session {
	if i := infoFrom(ctx); i != nil {
		return i.session
	}
	return nil
}

// WithUser returns a context carrying u, for tests and background work that call
// handlers' operations.
func WithUser(ctx context.Context, u *passerelle.User) context.Context {
	return context.WithValue(ctx, infoKey, &reqInfo{user: u})
}

type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	n, err := r.ResponseWriter.Write(b)
	r.bytes += int64(n)
	return n, err
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// ReadFrom hands a copy to the connection's own ReadFrom, so that a file served with
// http.ServeContent (audio, images) goes out by sendfile instead of through a buffer.
func (r *recorder) ReadFrom(src io.Reader) (int64, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	var n int64
	var err error
	if rf, ok := r.ResponseWriter.(io.ReaderFrom); ok {
		n, err = rf.ReadFrom(src)
	} else {
		n, err = io.Copy(struct{ io.Writer }{r.ResponseWriter}, src)
	}
	r.bytes += n
	return n, err
}

// observe gives the request an id, recovers panics, logs and measures it.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get("X-Request-Id")
		if len(id) == 0 || len(id) > 64 || strings.ContainsFunc(id, func(c rune) bool { return c < '!' || c > '~' }) {
			b := make([]byte, 8)
			rand.Read(b)
			id = hex.EncodeToString(b)
		}
		info := &reqInfo{id: id}
		w.Header().Set("X-Request-Id", id)
		rec := &recorder{ResponseWriter: w}
		r = r.WithContext(context.WithValue(r.Context(), infoKey, info))
		defer func() {
			if p := recover(); p != nil {
				if p == http.ErrAbortHandler {
					panic(p)
				}
				s.opts.Logger.ErrorContext(r.Context(), "panic", slog.String("request_id", id), slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
				if rec.status == 0 {
					s.Error(rec, r, fmt.Errorf("panic: %v", p))
				}
			}
			route := info.route
			if route == "" {
				route = "unmatched"
			}
			status := rec.status
			if status == 0 {
				status = http.StatusOK
			}
			d := time.Since(start)
			s.latency.WithLabelValues(route, strconv.Itoa(status)).Observe(d.Seconds())
			level := slog.LevelInfo
			if r.URL.Path == "/healthz" || r.URL.Path == "/readyz" || r.URL.Path == "/metrics" || strings.HasPrefix(r.URL.Path, "/static/") {
				level = slog.LevelDebug
			}
			attrs := []slog.Attr{slog.String("request_id", id), slog.String("method", r.Method), slog.String("route", route), slog.Int("status", status), slog.Duration("duration", d), slog.Int64("bytes", rec.bytes)}
			if info.user != nil {
				attrs = append(attrs, slog.Int64("user_id", info.user.ID))
			}
			s.opts.Logger.LogAttrs(r.Context(), level, "http", attrs...)
		}()
		next.ServeHTTP(rec, r)
	})
}

// DefaultCSP allows only this origin: every script, style, font and image is embedded.
const DefaultCSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'self'"

// securityHeaders go on every answer. Their values are made once and shared by every
// answer (six allocations fewer per request): nothing changes them in place, since
// Header.Set replaces a value and Add appends to a full slice, which copies it.
var securityHeaders = []struct {
	name  string
	value []string
}{
	{"Content-Security-Policy", one(DefaultCSP)},
	{"X-Content-Type-Options", one("nosniff")},
	{"Referrer-Policy", one("same-origin")},
	{"X-Frame-Options", one("SAMEORIGIN")},
	{"Cross-Origin-Opener-Policy", one("same-origin")},
	{"Permissions-Policy", one("camera=(), microphone=(), geolocation=()")},
}

var hsts = one("max-age=31536000")

// one is a header value as a slice that an append copies.
func one(v string) []string { return []string{v}[:1:1] }

func (s *Server) headers(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		for _, v := range securityHeaders {
			h[v.name] = v.value
		}
		if s.IsSecure(r) {
			h["Strict-Transport-Security"] = hsts
		}
		next.ServeHTTP(w, r)
	})
}

// limitBody refuses bodies over limit: at once when Content-Length says so, else when
// the handler reads past it. Either way the 413 goes out first and the rest of the
// body is then read and discarded (up to lingerBytes, for up to lingerTime) before
// the connection closes, as nginx's lingering close does: a client that sends its
// whole body before reading (Python's urllib, browsers' uploads) then sees the 413
// rather than a reset connection.
func (s *Server) limitBody(limit int64, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw := r.Body
		if r.ContentLength > limit {
			w.Header().Set("Connection", "close")
			http.NewResponseController(w).EnableFullDuplex()
			s.Error(w, r, &http.MaxBytesError{Limit: limit})
			linger(w, raw)
			return
		}
		cr := &countingReader{r: raw}
		r.Body = http.MaxBytesReader(w, cr, limit)
		next.ServeHTTP(w, r)
		if cr.n > limit {
			linger(w, raw)
		}
	})
}

// Lingering close bounds: what a refused body may still cost.
const (
	lingerBytes = 64 << 20
	lingerTime  = 10 * time.Second
)

// linger sends what the handler wrote, then discards the rest of the body.
func linger(w http.ResponseWriter, body io.Reader) {
	rc := http.NewResponseController(w)
	rc.Flush()
	rc.SetReadDeadline(time.Now().Add(lingerTime))
	io.CopyN(io.Discard, body, lingerBytes)
}

// countingReader counts what the handler read of the body.
type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func (c *countingReader) Close() error {
	if rc, ok := c.r.(io.Closer); ok {
		return rc.Close()
	}
	return nil
}

// SessionCookie names the browser session cookie.
const SessionCookie = "passerelle_session"

// authenticate identifies the caller from a bearer token or a session cookie. It does
// not refuse anyone: routes decide with their Access.
func (s *Server) authenticate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		info := infoFrom(r.Context())
		// /metrics has its own token, which is not a user's.
		if s.opts.Auth == nil || info == nil || r.URL.Path == "/metrics" {
			next.ServeHTTP(w, r)
			return
		}
		if h := r.Header.Get("Authorization"); h != "" {
			scheme, token, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") {
				s.Error(w, r, passerelle.Errorf(passerelle.EUNAUTHENTICATED, "Use Authorization: Bearer TOKEN."))
				return
			}
			_, u, err := s.opts.Auth.Token(r.Context(), strings.TrimSpace(token))
			if err != nil {
				s.Error(w, r, err)
				return
			}
			info.user = u
		} else if c, err := r.Cookie(SessionCookie); err == nil && c.Value != "" {
			sess, u, err := s.opts.Auth.Session(r.Context(), c.Value)
			switch {
			case err == nil:
				info.user, info.session, info.cookie = u, sess, c.Value
			case passerelle.ErrorCode(err) == passerelle.EUNAUTHENTICATED:
				s.ClearSessionCookie(w, r)
			default:
				s.LogError(r, err)
			}
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) requireSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r.Context()); info == nil || info.user == nil || info.session == nil {
			if r.Method == http.MethodGet || r.Method == http.MethodHead {
				http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Redirect(w, r, "/login", http.StatusSeeOther)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) requireToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r.Context()); info == nil || info.user == nil {
			w.Header().Set("WWW-Authenticate", `Bearer realm="passerelle"`)
			s.Error(w, r, passerelle.Errorf(passerelle.EUNAUTHENTICATED, "Authentication required: send Authorization: Bearer TOKEN."))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// SetSessionCookie sets the browser session cookie.
func (s *Server) SetSessionCookie(w http.ResponseWriter, r *http.Request, value string, expires time.Time) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: value, Path: "/", Expires: expires, HttpOnly: true, Secure: s.IsSecure(r), SameSite: http.SameSiteLaxMode})
}

// ClearSessionCookie removes the session cookie.
func (s *Server) ClearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: s.IsSecure(r), SameSite: http.SameSiteLaxMode})
}
