// Package server is Passerelle's HTTP plumbing: the http.Server and its lifecycle, the
// stdlib ServeMux on which the api, web, webhook and public packages register their
// routes, the middleware every request passes (request id, logging, metrics, panic
// recovery, security headers, body limits, cross-origin protection, authentication),
// and the one mapping of domain error codes to HTTP statuses.
package server

import (
	"context"
	"crypto/subtle"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sort"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/i18n"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Options configure a Server.
type Options struct {
	Logger *slog.Logger
	DB     *store.DB
	Auth   *auth.Service
	// MaxBodyBytes limits request bodies unless a route sets its own limit.
	MaxBodyBytes int64
	// TrustProxy believes X-Forwarded-For and X-Forwarded-Proto: the client is the
	// rightmost X-Forwarded-For address, the one the proxy appended.
	TrustProxy bool
	// TrustedProxies, when set, are the only peers whose X-Forwarded-* are believed,
	// and are skipped from the right of X-Forwarded-For (several proxies in a row).
	TrustedProxies []netip.Prefix
	// MetricsToken is the bearer token /metrics asks for. Without it /metrics is not
	// served on the main address (404) unless MetricsPublic is set.
	MetricsToken string
	// MetricsPublic serves /metrics to anyone (tests; the separate metrics listener).
	MetricsPublic bool
	// SecureCookies forces the Secure flag (set when the base URL is https).
	SecureCookies bool
	// Version is reported by /healthz.
	Version string
	// Catalog translates the messages of JSON errors into the request's
	// Accept-Language (internal/i18n); nil leaves them in English.
	Catalog *i18n.Catalog
}

// Server routes requests. Register routes with Handle before serving.
type Server struct {
	opts     Options
	mux      *http.ServeMux
	cop      *http.CrossOriginProtection
	registry *prometheus.Registry
	latency  *prometheus.HistogramVec
	metrics  http.Handler

	mu     sync.Mutex
	routes map[string]Access
}

// Access says who may call a route.
type Access int

const (
	// Public routes need no sign-in.
	Public Access = iota
	// SignedIn routes need a browser session; without one the browser is sent to the
	// sign-in page.
	SignedIn
	// API routes need a bearer token; without one they answer 401 in JSON.
	API
)

// New returns a Server with the operational routes (/healthz, /readyz, /metrics)
// registered.
func New(o Options) *Server {
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 1 << 20
	}
	s := &Server{opts: o, mux: http.NewServeMux(), cop: http.NewCrossOriginProtection(), registry: prometheus.NewRegistry(), routes: map[string]Access{}}
	s.cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.Error(w, r, passerelle.Errorf(passerelle.EFORBIDDEN, "Cross-origin request refused."))
	}))
	s.latency = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "passerelle_http_request_duration_seconds",
		Help:    "Duration of HTTP requests by route pattern, method and status code.",
		Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5},
	}, []string{"route", "code"})
	s.registry.MustRegister(s.latency, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if o.DB != nil {
		s.registry.MustRegister(collectors.NewDBStatsCollector(o.DB.SQL(), "write"))
		if o.DB.ReadSQL() != o.DB.SQL() {
			s.registry.MustRegister(collectors.NewDBStatsCollector(o.DB.ReadSQL(), "read"))
		}
	}
	s.Handle("GET /healthz", Public, http.HandlerFunc(s.healthz))
	s.Handle("GET /readyz", Public, http.HandlerFunc(s.readyz))
	s.Handle("GET /metrics", Public, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.opts.MetricsPublic {
			if s.opts.MetricsToken == "" {
				s.Error(w, r, passerelle.ErrNotFound)
				return
			}
			if !s.metricsAuthorized(r) {
				w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
				s.Error(w, r, passerelle.Errorf(passerelle.EUNAUTHENTICATED, "Send the metrics token: Authorization: Bearer TOKEN."))
				return
			}
		}
		s.metrics.ServeHTTP(w, r)
	}))
	s.metrics = promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{})
	return s
}

func (s *Server) metricsAuthorized(r *http.Request) bool {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	return strings.EqualFold(scheme, "Bearer") && subtle.ConstantTimeCompare([]byte(strings.TrimSpace(token)), []byte(s.opts.MetricsToken)) == 1
}

// MetricsHandler serves /metrics alone, for a listener of its own (--metrics-addr);
// it asks for the metrics token when one is set.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, r *http.Request) {
		if s.opts.MetricsToken != "" && !s.metricsAuthorized(r) {
			w.Header().Set("WWW-Authenticate", `Bearer realm="metrics"`)
			s.Error(w, r, passerelle.Errorf(passerelle.EUNAUTHENTICATED, "Send the metrics token: Authorization: Bearer TOKEN."))
			return
		}
		s.metrics.ServeHTTP(w, r)
	})
	return mux
}

// Registry is where other packages register their Prometheus collectors.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// Logger returns the server's logger.
func (s *Server) Logger() *slog.Logger { return s.opts.Logger }

// RouteOption adjusts one route.
type RouteOption func(*routeOptions)

type routeOptions struct{ bodyLimit int64 }

// BodyLimit sets the route's largest request body (uploads).
func BodyLimit(n int64) RouteOption { return func(o *routeOptions) { o.bodyLimit = n } }

// Handle registers h for pattern (a ServeMux pattern with method) with an access rule.
func (s *Server) Handle(pattern string, access Access, h http.Handler, opts ...RouteOption) {
	ro := routeOptions{bodyLimit: s.opts.MaxBodyBytes}
	for _, o := range opts {
		o(&ro)
	}
	h = s.limitBody(ro.bodyLimit, h)
	s.mu.Lock()
	s.routes[pattern] = access
	s.mu.Unlock()
	switch access {
	case SignedIn:
		h = s.requireSession(h)
	case API:
		h = s.requireToken(h)
	}
	s.mux.Handle(pattern, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if info := infoFrom(r.Context()); info != nil {
			info.route = pattern
		}
		h.ServeHTTP(w, r)
	}))
}

// HandleFunc is Handle for a function.
func (s *Server) HandleFunc(pattern string, access Access, h http.HandlerFunc, opts ...RouteOption) {
	s.Handle(pattern, access, h, opts...)
}

// Routes lists the registered patterns with their access, sorted.
func (s *Server) Routes() map[string]Access {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make(map[string]Access, len(s.routes))
	for k, v := range s.routes {
		out[k] = v
	}
	return out
}

// RouteList returns the registered patterns, sorted.
func (s *Server) RouteList() []string {
	routes := s.Routes()
	out := make([]string, 0, len(routes))
	for p := range routes {
		out = append(out, p)
	}
	sort.Strings(out)
	return out
}

// Handler returns the whole stack: middleware around the mux.
func (s *Server) Handler() http.Handler {
	return s.observe(s.headers(s.cop.Handler(s.authenticate(s.mux))))
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ok", "version": s.opts.Version})
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	if s.opts.DB == nil {
		WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "no database"})
		return
	}
	if err := s.opts.DB.Ping(ctx); err != nil {
		WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "database unreachable"})
		return
	}
	ok, err := s.opts.DB.MigrationsCurrent(ctx)
	if err != nil || !ok {
		WriteJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "migrations pending"})
		return
	}
	WriteJSON(w, http.StatusOK, map[string]string{"status": "ready"})
}

// Serve serves on ln until ctx is done, then shuts down gracefully within timeout.
func (s *Server) Serve(ctx context.Context, ln net.Listener, timeout time.Duration) error {
	srv := &http.Server{
		Handler:           s.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.opts.Logger.Handler(), slog.LevelWarn),
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	err := srv.Shutdown(sctx)
	if e := <-errc; !errors.Is(e, http.ErrServerClosed) && e != nil {
		err = errors.Join(err, e)
	}
	return err
}

// ClientIP returns the client's address. Behind a trusted proxy it is the rightmost
// X-Forwarded-For address (the one the proxy appended; what is left of it the client
// wrote itself), skipping the trusted ranges when they are configured.
func (s *Server) ClientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	if !s.trusts(host) {
		return host
	}
	var hops []string
	for _, v := range r.Header.Values("X-Forwarded-For") {
		hops = append(hops, strings.Split(v, ",")...)
	}
	for i := len(hops) - 1; i >= 0; i-- {
		ip, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
		if err != nil {
			break
		}
		ip = ip.Unmap()
		if len(s.opts.TrustedProxies) > 0 && inRanges(s.opts.TrustedProxies, ip) {
			continue
		}
		return ip.String()
	}
	return host
}

// trusts reports whether the peer's X-Forwarded-* headers are believed.
func (s *Server) trusts(peer string) bool {
	if !s.opts.TrustProxy {
		return false
	}
	if len(s.opts.TrustedProxies) == 0 {
		return true
	}
	ip, err := netip.ParseAddr(peer)
	return err == nil && inRanges(s.opts.TrustedProxies, ip.Unmap())
}

func inRanges(ranges []netip.Prefix, ip netip.Addr) bool {
	for _, p := range ranges {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// IsSecure reports whether the request came over HTTPS.
func (s *Server) IsSecure(r *http.Request) bool {
	if s.opts.SecureCookies || r.TLS != nil {
		return true
	}
	if r.Header.Get("X-Forwarded-Proto") != "https" {
		return false
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return s.trusts(host)
}
