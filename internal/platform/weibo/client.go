package weibo

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle/internal/platform"
)

// DefaultBaseURL is the Weibo Open API.
const DefaultBaseURL = "https://api.weibo.com"

// maxResponseBytes bounds what the client reads of a response: the largest legitimate
// answer (100 counts) is a few kilobytes.
const maxResponseBytes = 2 << 20

// Config configures a Client. Zero values take the documented defaults.
type Config struct {
	// BaseURL of the API, DefaultBaseURL when empty (the simulator's address in demos
	// and tests).
	BaseURL string
	// ClientID (App Key), ClientSecret (App Secret) and RedirectURI (the callback
	// registered for the app) are needed for the OAuth2 flow only.
	ClientID     string
	ClientSecret string
	RedirectURI  string
	// HTTPClient sends the requests; http.DefaultClient's transport when nil. Its own
	// Timeout, if any, applies on top of Timeout.
	HTTPClient *http.Client
	// Timeout bounds each attempt (request and response body); 15 s when zero.
	Timeout time.Duration
	// ReadAttempts is how many times a safe read is tried on a transient fault; 3 when
	// zero, 1 means no retry. Writes are always tried once.
	ReadAttempts int
	// Backoff is the pause before the first retry, doubled after each; 500 ms when zero.
	Backoff time.Duration
	// Now is the clock used for expiry and rate-limit resume times; time.Now when nil.
	Now func() time.Time
}

// Client calls the Weibo Open API. It holds no per-account state: the access token is a
// parameter of each call. It is safe for concurrent use.
type Client struct {
	base         *url.URL
	clientID     string
	clientSecret string
	redirectURI  string
	http         *http.Client
	timeout      time.Duration
	readAttempts int
	backoff      time.Duration
	now          func() time.Time
}

// New returns a Client for cfg.
func New(cfg Config) (*Client, error) {
	raw := cfg.BaseURL
	if raw == "" {
		raw = DefaultBaseURL
	}
	base, err := url.Parse(strings.TrimRight(raw, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, errors.New("weibo: base URL must be an absolute http(s) URL")
	}
	c := &Client{
		base:         base,
		clientID:     cfg.ClientID,
		clientSecret: cfg.ClientSecret,
		redirectURI:  cfg.RedirectURI,
		http:         cfg.HTTPClient,
		timeout:      cfg.Timeout,
		readAttempts: cfg.ReadAttempts,
		backoff:      cfg.Backoff,
		now:          cfg.Now,
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	if c.timeout <= 0 {
		c.timeout = 15 * time.Second
	}
	if c.readAttempts <= 0 {
		c.readAttempts = 3
	}
	if c.backoff <= 0 {
		c.backoff = 500 * time.Millisecond
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// call describes one API request.
type call struct {
	op     string // e.g. "statuses/share"
	method string
	path   string
	query  url.Values
	token  string // sent as "Authorization: OAuth2 <token>", never in the URL
	// body builds the request body afresh for each attempt.
	body       func() (io.Reader, string, error)
	idempotent bool
}

// do runs c, retrying safe reads on transient faults, and decodes the answer into out.
func (c *Client) do(ctx context.Context, cl call, out any) error {
	attempts := 1
	if cl.idempotent {
		attempts = c.readAttempts
	}
	delay := c.backoff
	var last *platform.Error
	for i := 0; i < attempts; i++ {
		if i > 0 {
			t := time.NewTimer(delay)
			select {
			case <-ctx.Done():
				t.Stop()
				return last
			case <-t.C:
			}
			delay *= 2
		}
		last = c.attempt(ctx, cl, out)
		if last == nil {
			return nil
		}
		if last.Kind != platform.Retryable || ctx.Err() != nil {
			return last
		}
	}
	return last
}

func (c *Client) attempt(ctx context.Context, cl call, out any) *platform.Error {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()

	u := *c.base
	u.Path += cl.path
	if len(cl.query) > 0 {
		u.RawQuery = cl.query.Encode()
	}
	var body io.Reader
	var contentType string
	if cl.body != nil {
		var err error
		body, contentType, err = cl.body()
		if err != nil {
			return newError(cl.op, platform.Permanent, "cannot build request", err)
		}
	}
	req, err := http.NewRequestWithContext(ctx, cl.method, u.String(), body)
	if err != nil {
		return newError(cl.op, platform.Permanent, "cannot build request", err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/json")
	if cl.token != "" {
		req.Header.Set("Authorization", "OAuth2 "+cl.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return transportError(cl.op, cl.idempotent, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, maxResponseBytes+1))
	if err != nil {
		return transportError(cl.op, cl.idempotent, err)
	}
	return c.decode(cl.op, cl.idempotent, resp.StatusCode, b, out)
}

// errorBody is Weibo's error format, shared by the API and the OAuth2 endpoints.
type errorBody struct {
	ErrorCode        flexInt `json:"error_code"`
	Error            string  `json:"error"`
	ErrorDescription string  `json:"error_description"`
}

// validator is implemented by response types that have required fields.
type validator interface{ validate() error }

// decode interprets one HTTP answer. It never panics on any input: every outcome is
// nil (out filled) or a *platform.Error.
func (c *Client) decode(op string, idempotent bool, status int, body []byte, out any) *platform.Error {
	if len(body) > maxResponseBytes {
		return c.unreadable(op, idempotent, "response too large", nil)
	}
	trimmed := bytes.TrimSpace(body)
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var eb errorBody
		if json.Unmarshal(trimmed, &eb) == nil && eb.ErrorCode != 0 {
			msg := eb.Error
			if eb.ErrorDescription != "" {
				msg += ": " + eb.ErrorDescription
			}
			return c.apiError(op, int(eb.ErrorCode), msg)
		}
	}
	if status < 200 || status > 299 {
		return statusError(op, idempotent, status, trimmed)
	}
	if err := json.Unmarshal(trimmed, out); err != nil {
		return c.unreadable(op, idempotent, "unreadable response", err)
	}
	if v, ok := out.(validator); ok {
		if err := v.validate(); err != nil {
			return c.unreadable(op, idempotent, "incomplete response", err)
		}
	}
	return nil
}

// unreadable classifies a 2xx answer the client cannot use: a write probably took
// effect (Ambiguous); a read may succeed next time.
func (c *Client) unreadable(op string, idempotent bool, msg string, err error) *platform.Error {
	if !idempotent {
		return newError(op, platform.Ambiguous, msg, err)
	}
	return newError(op, platform.Retryable, msg, err)
}

func formBody(v url.Values) func() (io.Reader, string, error) {
	return func() (io.Reader, string, error) {
		return strings.NewReader(v.Encode()), "application/x-www-form-urlencoded", nil
	}
}

// invalid is the error for a call refused before sending: the input can never work.
func invalid(op, msg string) *platform.Error {
	return newError(op, platform.Permanent, msg, nil)
}
