// Package sim simulates the Weibo Open API and the WeChat Official Account API on one
// HTTP handler (`passerelle sim`, and in-process for `serve --demo`), so that the whole
// publishing and measuring loop runs without platform credentials.
//
// It follows the platforms' documented paths, wire formats, limits and error codes (see
// PLATFORMS.md in the design notes), runs on a clock that may go faster than real time,
// makes published posts gain metrics deterministically from a seed, pushes WeChat events
// (encrypted in safe mode) to each simulated account's callback URL, and injects faults
// on request. Simulated apps and accounts, faults and visitors are driven through the
// admin endpoints under /_sim/.
//
// Platform side: Weibo's OAuth2 flow, statuses/share (≤ 140 by the counting rule, a
// URL on the app's safe domain, no #topic#, one picture; a repeat within 24 h is 20019),
// statuses/user_timeline, statuses/count, users/show and users/counts; WeChat's tokens,
// materials, drafts, freepublish/submit, get and batchget, mass sends, QR codes and
// analytics. A freepublish job answers publish_status 1 for the publish delay, then its
// final status (0 unless an outcome was set), and pushes PUBLISHJOBFINISH to the
// account's callback, in its push mode, at that moment.
//
// Admin endpoints (JSON; bad input is HTTP 400 with {"error": "..."}; each has a Go
// method for in-process tests):
//
//	GET|POST|DELETE /_sim/faults        list, set (one Fault or an array), clear faults
//	GET  /_sim/clock                     {"now", "speed"}: the simulated time
//	POST /_sim/weibo/apps                WeiboApp: add or replace a Weibo app (AddWeiboApp)
//	POST /_sim/weibo/tokens              {"client_id", "uid"} → {"access_token", "expires_in", "uid"}:
//	                                     a token without the browser flow (IssueWeiboToken)
//	POST /_sim/weibo/expire              {"access_token"} or {"uid"} → {"expired": n}: those tokens
//	                                     now answer 21327; only a new authorisation helps (ExpireWeiboTokens)
//	GET  /_sim/weibo/statuses?uid=       {"items": [{"idstr", "uid", "text", "created_at"}]}: every post
//	                                     accepted for uid, once each, oldest first (WeiboStatuses)
//	POST /_sim/wechat/accounts           WeChatAccount: add or replace an account (AddWeChatAccount)
//	POST /_sim/wechat/scan               ScanRequest: visitors scan a QR code (Scan)
//	POST /_sim/wechat/expire             {"appid"} → {"expired": n}: the account's tokens now answer
//	                                     42001; stable_token issues a new one (ExpireWeChatTokens)
//	POST /_sim/wechat/publish-outcome    {"appid", "status": 2..6, "count": n}: the next n submits end
//	                                     in that status; count 0 clears (SetPublishOutcome)
//	POST /_sim/wechat/publish-delay      {"delay_ms": n}: how long (simulated) the next submits stay
//	                                     "publishing" (SetPublishDelay)
//	GET  /_sim/wechat/articles?appid=    {"items": [{"publish_id", "article_id", "idx", "title", "url",
//	                                     "published_at", "submitted_at"}]}: what freepublish actually published
//	                                     (status 0, finished), one item per article, once each (WeChatArticles)
//
// The fault "latency" gives a log-normal delay from its median and 99th percentile:
// "simulator latency 50 ± 20 ms" is path=*,latency=50ms/90ms (σ ≈ 0.25: about 89 % of
// calls within 30–70 ms).
//
// The simulator shares no wire types with the clients it serves: it is written from the
// documentation, so that a client and the simulator cannot drift together.
package sim

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"sync"
	"time"
)

// Config configures a Simulator. Zero values take the documented defaults.
type Config struct {
	// Seed makes metrics, ids, tokens and fault draws reproducible.
	Seed int64
	// Speed is how many simulated seconds pass per real second (3600: one simulated
	// hour per second); 1 when zero.
	Speed float64
	// Clock is the real clock; time.Now when nil.
	Clock func() time.Time
	// Start is the simulated instant when the Simulator is created; Clock() when zero.
	Start time.Time
	// Logger receives one line per push delivery and admin change; discarded when nil.
	// Secrets and tokens are never logged.
	Logger *slog.Logger
	// Faults are installed at start (see ParseFault for the flag syntax).
	Faults []Fault
	// WeiboApps and WeChatAccounts are installed at start, like the admin endpoints do.
	WeiboApps      []WeiboApp
	WeChatAccounts []WeChatAccount
	// PushClient delivers WeChat pushes to callback URLs; a client with a 5 s timeout
	// (WeChat's own limit) when nil.
	PushClient *http.Client
	// PublishDelay is how long (simulated) a freepublish job stays "publishing" before
	// it ends (in success, unless POST /_sim/wechat/publish-outcome says otherwise);
	// 3 s when zero. POST /_sim/wechat/publish-delay changes it at run time.
	PublishDelay time.Duration
	// TickInterval is how often (real time) due pushes are sent; 50 ms when zero.
	TickInterval time.Duration
	// DatacubeDelay is how long after midnight, Beijing time, the analytics (datacube)
	// of the day before become available; until then the day has no rows, as on WeChat
	// where they appear at about 08:00–10:00. None when zero. SetDatacubeDelay changes it.
	DatacubeDelay time.Duration
}

// Simulator is the simulated platforms, an http.Handler. Close it to stop its
// background deliveries.
type Simulator struct {
	log        *slog.Logger
	seed       uint64
	speed      float64
	clock      func() time.Time
	realStart  time.Time
	simStart   time.Time
	pushClient *http.Client
	mux        *http.ServeMux
	faults     *faultSet

	mu         sync.Mutex // guards everything below
	publishDly time.Duration
	cubeDelay  time.Duration
	rng        *rand.Rand
	seq        uint64 // source of unique ids
	weibo      weiboState
	wechat     wechatState
	pushes     []*push // pending deliveries, due in simulated time

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup
	wake   chan struct{}
}

// New returns a running Simulator.
func New(cfg Config) *Simulator {
	s := &Simulator{
		log:        cfg.Logger,
		seed:       uint64(cfg.Seed),
		speed:      cfg.Speed,
		clock:      cfg.Clock,
		pushClient: cfg.PushClient,
		publishDly: cfg.PublishDelay,
		cubeDelay:  cfg.DatacubeDelay,
		wake:       make(chan struct{}, 1),
	}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.speed <= 0 {
		s.speed = 1
	}
	if s.clock == nil {
		s.clock = time.Now
	}
	if s.pushClient == nil {
		s.pushClient = &http.Client{Timeout: 5 * time.Second}
	}
	if s.publishDly <= 0 {
		s.publishDly = 3 * time.Second
	}
	s.realStart = s.clock()
	s.simStart = cfg.Start
	if s.simStart.IsZero() {
		s.simStart = s.realStart
	}
	s.rng = rand.New(rand.NewPCG(s.seed, 0x5eed))
	s.faults = newFaultSet(s.seed)
	s.weibo.init()
	s.wechat.init()
	for _, f := range cfg.Faults {
		if err := s.faults.add(f); err != nil {
			s.log.Warn("sim: fault ignored", "path", f.Path, "err", err)
		}
	}
	for _, a := range cfg.WeiboApps {
		if err := s.AddWeiboApp(a); err != nil {
			s.log.Warn("sim: weibo app ignored", "client_id", a.ClientID, "err", err)
		}
	}
	for _, a := range cfg.WeChatAccounts {
		if err := s.AddWeChatAccount(a); err != nil {
			s.log.Warn("sim: wechat account ignored", "appid", a.AppID, "err", err)
		}
	}
	s.mux = http.NewServeMux()
	s.routeWeibo()
	s.routeWeChat()
	s.routeAdmin()
	s.routePublishAdmin()

	s.ctx, s.cancel = context.WithCancel(context.Background())
	tick := cfg.TickInterval
	if tick <= 0 {
		tick = 50 * time.Millisecond
	}
	s.wg.Add(1)
	go s.deliverLoop(tick)
	return s
}

// Close stops background deliveries and waits for those in flight. It also releases
// requests held by a timeout fault, so call it before shutting the HTTP server down.
func (s *Simulator) Close() {
	s.cancel()
	s.wg.Wait()
}

// Now is the simulated time.
func (s *Simulator) Now() time.Time {
	elapsed := s.clock().Sub(s.realStart)
	return s.simStart.Add(time.Duration(float64(elapsed) * s.speed))
}

// ServeHTTP serves the simulated APIs, applying the faults set for the path.
func (s *Simulator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.faults.serve(s, w, r)
}

// nextID returns a fresh sequence number (callers hold s.mu).
func (s *Simulator) nextID() uint64 {
	s.seq++
	return s.seq
}

// randHex returns n random hex characters from the seeded generator (callers hold s.mu).
func (s *Simulator) randHex(n int) string {
	const digits = "0123456789abcdef"
	b := make([]byte, n)
	for i := range b {
		b[i] = digits[s.rng.IntN(16)]
	}
	return string(b)
}

// randString returns n random characters of alphabet (callers hold s.mu).
func (s *Simulator) randString(n int, alphabet string) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alphabet[s.rng.IntN(len(alphabet))]
	}
	return string(b)
}

// beijing is the zone of the platforms' calendar days (analytics, quotas).
var beijing = time.FixedZone("CST", 8*3600)

func fmtDate(t time.Time) string { return t.In(beijing).Format(time.DateOnly) }

// hourKey identifies the simulated hour of t, the window of Weibo's rate limits.
func hourKey(t time.Time) int64 { return t.Unix() / 3600 }

func errorf(format string, args ...any) error { return fmt.Errorf("sim: "+format, args...) }
