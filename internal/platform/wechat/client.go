package wechat

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/passerelle-oss/passerelle/internal/platform"
)

// Defaults of Config.
const (
	DefaultBaseURL        = "https://api.weixin.qq.com"
	DefaultQRImageBaseURL = "https://mp.weixin.qq.com/cgi-bin/showqrcode"
	DefaultTimeout        = 20 * time.Second
	// MaxResponseBody bounds what the client reads of an answer; WeChat's JSON answers
	// are a few kilobytes, analytics lists a few hundred.
	MaxResponseBody = 4 << 20
)

const (
	// Refresh this long before expiry. stable_token renews the token 5 minutes before
	// it expires, so asking then yields the new one.
	tokenMargin = 5 * time.Minute
	leaseTTL    = 30 * time.Second
	// How long a process that lost the lease race waits for the holder's token.
	leaseWait = 15 * time.Second
	leasePoll = 50 * time.Millisecond
)

// Config configures a Client for one Official Account.
type Config struct {
	// BaseURL of the API; DefaultBaseURL unless set (the product sets it from
	// PASSERELLE_WECHAT_API, e.g. to the simulator).
	BaseURL string
	// QRImageBaseURL is where QR code images are fetched; DefaultQRImageBaseURL unless set.
	QRImageBaseURL string
	// HTTPClient defaults to a client with DefaultTimeout. A client without a timeout
	// gets DefaultTimeout per call through the context.
	HTTPClient *http.Client
	AppID      string
	AppSecret  string
	// Tokens shares the access token between processes; a new MemoryTokenStore if nil.
	Tokens TokenStore
	Clock  func() time.Time
	Logger *slog.Logger
}

// Client calls the WeChat Official Account API for one account. It is safe for
// concurrent use. Every error it returns is a *platform.Error.
type Client struct {
	base    string
	qrBase  string
	http    *http.Client
	timeout time.Duration
	appID   string
	secret  string
	tokens  TokenStore
	now     func() time.Time
	log     *slog.Logger
	// holder names this Client in the token lease.
	holder string
	// refreshMu keeps this Client's goroutines from racing each other for the lease
	// (which they would all win, holding the same name); the lease orders processes.
	refreshMu sync.Mutex
}

// New checks cfg and returns a Client.
func New(cfg Config) (*Client, error) {
	if cfg.AppID == "" || cfg.AppSecret == "" {
		return nil, &platform.Error{Platform: "wechat", Op: "config", Kind: platform.Permanent,
			Message: "AppID and AppSecret are required"}
	}
	c := &Client{
		base:   strings.TrimRight(orDefault(cfg.BaseURL, DefaultBaseURL), "/"),
		qrBase: orDefault(cfg.QRImageBaseURL, DefaultQRImageBaseURL),
		http:   cfg.HTTPClient,
		appID:  cfg.AppID,
		secret: cfg.AppSecret,
		tokens: cfg.Tokens,
		now:    cfg.Clock,
		log:    cfg.Logger,
	}
	if _, err := url.Parse(c.base); err != nil {
		return nil, &platform.Error{Platform: "wechat", Op: "config", Kind: platform.Permanent,
			Message: "invalid base URL", Err: err}
	}
	if c.http == nil {
		c.http = &http.Client{Timeout: DefaultTimeout}
	}
	if c.http.Timeout == 0 {
		c.timeout = DefaultTimeout
	}
	if c.tokens == nil {
		c.tokens = &MemoryTokenStore{Clock: cfg.Clock}
	}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, &platform.Error{Platform: "wechat", Op: "config", Kind: platform.Retryable, Err: err}
	}
	c.holder = hex.EncodeToString(b[:])
	return c, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// AppID returns the account's AppID.
func (c *Client) AppID() string { return c.appID }

// request describes one API call.
type request struct {
	op    string // API path below the base, e.g. "cgi-bin/draft/add"
	query url.Values
	// idempotent calls may be repeated without effect; for the others a lost answer is
	// Ambiguous.
	idempotent bool
	// body builds the request body and its content type; called once per attempt.
	body func() (io.Reader, string, error)
	// noToken skips the access_token (stable_token itself).
	noToken bool
	// alsoDecode is an errcode whose answer still carries data (45065 on a mass send:
	// the earlier send's ids): out is decoded, without validation, before the error is
	// returned.
	alsoDecode int
}

func jsonBody(v any) func() (io.Reader, string, error) {
	return func() (io.Reader, string, error) {
		b, err := json.Marshal(v)
		if err != nil {
			return nil, "", err
		}
		return bytes.NewReader(b), "application/json", nil
	}
}

// call performs r and decodes its JSON answer into out, refreshing the token and trying
// once more when WeChat says the token is no good.
func (c *Client) call(ctx context.Context, r request, out any) error {
	if r.noToken {
		return c.attempt(ctx, r, "", out)
	}
	token, err := c.accessToken(ctx, "")
	if err != nil {
		return err
	}
	err = c.attempt(ctx, r, token, out)
	if !isTokenCode(platform.CodeOf(err)) {
		return err
	}
	c.log.InfoContext(ctx, "wechat token refused, refreshing", slog.String("op", r.op),
		slog.Int("code", platform.CodeOf(err)))
	if token, err = c.accessToken(ctx, token); err != nil {
		return err
	}
	err = c.attempt(ctx, r, token, out)
	var pe *platform.Error
	if errors.As(err, &pe) && isTokenCode(pe.Code) {
		pe.Kind = platform.AuthExpired
	}
	return err
}

func (c *Client) attempt(ctx context.Context, r request, token string, out any) error {
	if c.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, c.timeout)
		defer cancel()
	}
	q := url.Values{}
	for k, v := range r.query {
		q[k] = v
	}
	if token != "" {
		q.Set("access_token", token)
	}
	u := c.base + "/" + r.op
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	method := http.MethodGet
	var body io.Reader
	var ctype string
	if r.body != nil {
		method = http.MethodPost
		var err error
		if body, ctype, err = r.body(); err != nil {
			return c.fail(r, platform.Permanent, "cannot encode the request", err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return c.fail(r, platform.Permanent, "cannot build the request", err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := c.http.Do(req)
	if err != nil {
		return c.transportError(r, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, MaxResponseBody+1))
	if err != nil {
		return c.transportError(r, err)
	}
	if len(raw) > MaxResponseBody {
		return c.fail(r, c.lostKind(r), fmt.Sprintf("answer larger than %d bytes", MaxResponseBody), nil)
	}
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
		return &platform.Error{Platform: "wechat", Op: r.op, Kind: platform.RateLimited,
			Message: resp.Status, ResumeAt: c.now().Add(time.Minute)}
	case resp.StatusCode >= 500:
		return c.fail(r, c.lostKind(r), "HTTP "+resp.Status, nil)
	case resp.StatusCode != http.StatusOK:
		return c.fail(r, platform.Permanent, "HTTP "+resp.Status, nil)
	}
	return c.decode(r, raw, out)
}

// decode reads a WeChat JSON answer: an errcode other than 0 becomes a classified
// error; otherwise the answer is decoded into out, which validates itself when it
// implements validator.
func (c *Client) decode(r request, raw []byte, out any) error {
	var status struct {
		ErrCode json.Number `json:"errcode"`
		ErrMsg  string      `json:"errmsg"`
	}
	if err := json.Unmarshal(raw, &status); err != nil {
		return c.fail(r, c.lostKind(r), "the answer is not JSON: "+snippet(raw), err)
	}
	if status.ErrCode != "" {
		code, err := strconv.Atoi(string(status.ErrCode))
		if err != nil {
			return c.fail(r, c.lostKind(r), "unreadable errcode", err)
		}
		if code != 0 {
			if code == r.alsoDecode && out != nil {
				d := json.NewDecoder(bytes.NewReader(raw))
				d.UseNumber()
				_ = d.Decode(out)
			}
			return classify(r.op, code, truncate(status.ErrMsg, 200), c.now())
		}
	}
	if out == nil {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(out); err != nil {
		return c.fail(r, c.lostKind(r), "unexpected answer: "+snippet(raw), err)
	}
	if v, ok := out.(validator); ok {
		if err := v.validate(); err != nil {
			return c.fail(r, c.lostKind(r), "incomplete answer: "+err.Error(), nil)
		}
	}
	return nil
}

// validator is implemented by answers with required fields.
type validator interface{ validate() error }

// lostKind is the kind of a failure after the request may have reached WeChat: a read
// can be repeated; a write may have happened.
func (c *Client) lostKind(r request) platform.Kind {
	if r.idempotent {
		return platform.Retryable
	}
	return platform.Ambiguous
}

func (c *Client) transportError(r request, err error) error {
	kind := c.lostKind(r)
	// A request that never left (no connection, no DNS) had no effect.
	var op *net.OpError
	var dns *net.DNSError
	if (errors.As(err, &op) && op.Op == "dial") || errors.As(err, &dns) {
		kind = platform.Retryable
	}
	// The access token travels in the URL: never let it reach a log through url.Error.
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return c.fail(r, kind, "WeChat unreachable", err)
}

func (c *Client) fail(r request, kind platform.Kind, msg string, err error) error {
	return &platform.Error{Platform: "wechat", Op: r.op, Kind: kind, Message: msg, Err: err}
}

// snippet shows the start of a bad answer for diagnosis, without flooding logs.
func snippet(b []byte) string {
	s := strings.ToValidUTF8(string(b[:min(len(b), 120)]), "?")
	return strconv.Quote(s)
}

// accessToken returns a usable token. bad is a token WeChat just refused ("" when
// none): the result is then a different one.
func (c *Client) accessToken(ctx context.Context, bad string) (string, error) {
	fresh := func(tok string, exp time.Time) bool {
		return tok != "" && tok != bad && c.now().Add(tokenMargin).Before(exp)
	}
	tok, exp, err := c.tokens.Get(ctx, c.appID)
	if err != nil {
		return "", c.storeError(err)
	}
	if fresh(tok, exp) {
		return tok, nil
	}
	c.refreshMu.Lock()
	defer c.refreshMu.Unlock()
	deadline := time.Now().Add(leaseWait)
	for {
		ok, err := c.tokens.Lease(ctx, c.appID, c.holder, leaseTTL)
		if err != nil {
			return "", c.storeError(err)
		}
		if ok {
			return c.refreshHoldingLease(ctx, fresh)
		}
		// Another process is refreshing: wait for its token.
		select {
		case <-ctx.Done():
			return "", c.fail(request{op: "cgi-bin/stable_token", idempotent: true}, platform.Retryable,
				"gave up waiting for the token refresh", ctx.Err())
		case <-time.After(leasePoll):
		}
		if tok, exp, err = c.tokens.Get(ctx, c.appID); err != nil {
			return "", c.storeError(err)
		}
		if fresh(tok, exp) {
			return tok, nil
		}
		if time.Now().After(deadline) {
			return "", c.fail(request{op: "cgi-bin/stable_token", idempotent: true}, platform.Retryable,
				"another process holds the token refresh lease too long", nil)
		}
	}
}

func (c *Client) refreshHoldingLease(ctx context.Context, fresh func(string, time.Time) bool) (string, error) {
	defer func() {
		// Release even if ctx is done: the lease would otherwise block others for its TTL.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := c.tokens.Release(rctx, c.appID, c.holder); err != nil {
			c.log.WarnContext(ctx, "wechat token lease release failed", slog.String("error", err.Error()))
		}
	}()
	// Someone may have refreshed between our read and our lease.
	tok, exp, err := c.tokens.Get(ctx, c.appID)
	if err != nil {
		return "", c.storeError(err)
	}
	if fresh(tok, exp) {
		return tok, nil
	}
	st, err := c.StableToken(ctx, false)
	if err != nil {
		return "", err
	}
	if err := c.tokens.Put(ctx, c.appID, st.AccessToken, st.ExpiresAt); err != nil {
		return "", c.storeError(err)
	}
	c.log.InfoContext(ctx, "wechat access token refreshed", slog.String("app_id", c.appID),
		slog.Time("expires_at", st.ExpiresAt))
	return st.AccessToken, nil
}

func (c *Client) storeError(err error) error {
	return &platform.Error{Platform: "wechat", Op: "token store", Kind: platform.Retryable,
		Message: "token store failed", Err: err}
}

// Token is an access token and its expiry.
type Token struct {
	AccessToken string
	ExpiresAt   time.Time
}

type stableTokenAnswer struct {
	AccessToken string      `json:"access_token"`
	ExpiresIn   json.Number `json:"expires_in"`
}

func (a *stableTokenAnswer) validate() error {
	if a.AccessToken == "" {
		return errors.New("no access_token")
	}
	n, err := strconv.ParseInt(string(a.ExpiresIn), 10, 64)
	if err != nil || n <= 0 || n > 7*24*3600 {
		return errors.New("expires_in missing or out of range")
	}
	return nil
}

// StableToken calls cgi-bin/stable_token directly. Most callers never need it: every
// API method gets its token through the TokenStore. forceRefresh invalidates the
// current token for every holder (at most 20 times a day, 30 s apart): use it only when
// a leaked token must die. It is also the cheapest "Test connection" call.
func (c *Client) StableToken(ctx context.Context, forceRefresh bool) (Token, error) {
	const op = "cgi-bin/stable_token"
	var a stableTokenAnswer
	start := c.now()
	err := c.call(ctx, request{
		op:         op,
		idempotent: !forceRefresh,
		noToken:    true,
		body: jsonBody(map[string]any{
			"grant_type":    "client_credential",
			"appid":         c.appID,
			"secret":        c.secret,
			"force_refresh": forceRefresh,
		}),
	}, &a)
	if err != nil {
		// On this endpoint 40001 means the AppSecret is wrong, not that a token expired.
		var pe *platform.Error
		if errors.As(err, &pe) && pe.Kind == platform.AuthExpired {
			pe.Kind = platform.Permanent
		}
		return Token{}, err
	}
	// An answer is outside input: a lifetime past a day (WeChat says 7200 s) or below
	// zero is clamped rather than overflowing time.Duration.
	secs, _ := strconv.ParseInt(string(a.ExpiresIn), 10, 64)
	secs = min(max(secs, 0), 24*3600)
	return Token{AccessToken: a.AccessToken, ExpiresAt: start.Add(time.Duration(secs) * time.Second)}, nil
}
