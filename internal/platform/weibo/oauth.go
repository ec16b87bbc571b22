package weibo

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"time"
)

// AuthorizeURL is where the user's browser goes to grant the app access. state is echoed
// back to the redirect URI and must be checked there (it binds the answer to the session
// that asked).
func (c *Client) AuthorizeURL(state string) string {
	u := *c.base
	u.Path += "/oauth2/authorize"
	u.RawQuery = url.Values{
		"client_id":     {c.clientID},
		"redirect_uri":  {c.redirectURI},
		"response_type": {"code"},
		"state":         {state},
	}.Encode()
	return u.String()
}

// Token is an access token obtained for one Weibo user. Web apps get no refresh token:
// when it expires the user authorises again.
type Token struct {
	AccessToken string
	UID         string
	ExpiresAt   time.Time
}

type tokenResponse struct {
	AccessToken string   `json:"access_token"`
	ExpiresIn   *flexInt `json:"expires_in"`
	UID         idString `json:"uid"`
}

func (r *tokenResponse) validate() error {
	if r.AccessToken == "" {
		return errors.New("no access_token")
	}
	if r.ExpiresIn == nil || *r.ExpiresIn <= 0 {
		return errors.New("no expires_in")
	}
	if !validID(string(r.UID)) {
		return errors.New("no uid")
	}
	return nil
}

// ExchangeCode trades the authorization code received on the redirect URI for a token.
// A code is single-use, so the call is never retried.
func (c *Client) ExchangeCode(ctx context.Context, code string) (Token, error) {
	const op = "oauth2/access_token"
	if code == "" {
		return Token{}, invalid(op, "empty authorization code")
	}
	var r tokenResponse
	err := c.do(ctx, call{
		op: op, method: http.MethodPost, path: "/oauth2/access_token",
		body: formBody(url.Values{
			"client_id":     {c.clientID},
			"client_secret": {c.clientSecret},
			"grant_type":    {"authorization_code"},
			"code":          {code},
			"redirect_uri":  {c.redirectURI},
		}),
	}, &r)
	if err != nil {
		return Token{}, err
	}
	return Token{
		AccessToken: r.AccessToken,
		UID:         string(r.UID),
		ExpiresAt:   c.now().Add(lifetime(int64(*r.ExpiresIn))),
	}, nil
}

// Weibo's answers are outside input: a lifetime is clamped to [0, 10 years] (a huge
// expires_in would overflow time.Duration), an instant kept only from 2000 to 9999.
const (
	maxLifetime = 10 * 365 * 24 * time.Hour
	minUnix     = 946684800
	maxUnix     = 253402300799
)

func lifetime(secs int64) time.Duration {
	if secs <= 0 {
		return 0
	}
	if secs > int64(maxLifetime/time.Second) {
		return maxLifetime
	}
	return time.Duration(secs) * time.Second
}

// TokenInfo is what Weibo says about a token: whose it is and how long it has left.
type TokenInfo struct {
	UID       string
	AppKey    string
	Scope     string
	CreatedAt time.Time
	// ExpiresIn is the remaining lifetime when asked; ExpiresAt the instant it ends.
	ExpiresIn time.Duration
	ExpiresAt time.Time
}

type tokenInfoResponse struct {
	UID      idString `json:"uid"`
	AppKey   idString `json:"appkey"`
	Scope    idString `json:"scope"`
	CreateAt flexInt  `json:"create_at"`
	// The current documentation spells it expire_in, older pages expires_in.
	ExpireIn  *flexInt `json:"expire_in"`
	ExpiresIn *flexInt `json:"expires_in"`
}

func (r *tokenInfoResponse) validate() error {
	if !validID(string(r.UID)) {
		return errors.New("no uid")
	}
	if r.ExpireIn == nil && r.ExpiresIn == nil {
		return errors.New("no expire_in")
	}
	return nil
}

// TokenInfo asks how long accessToken remains valid (POST oauth2/get_token_info). The
// call changes nothing, so it is retried like a read.
func (c *Client) TokenInfo(ctx context.Context, accessToken string) (TokenInfo, error) {
	const op = "oauth2/get_token_info"
	if accessToken == "" {
		return TokenInfo{}, invalid(op, "empty access token")
	}
	var r tokenInfoResponse
	err := c.do(ctx, call{
		op: op, method: http.MethodPost, path: "/oauth2/get_token_info",
		body:       formBody(url.Values{"access_token": {accessToken}}),
		idempotent: true,
	}, &r)
	if err != nil {
		return TokenInfo{}, err
	}
	left := r.ExpireIn
	if left == nil {
		left = r.ExpiresIn
	}
	remaining := lifetime(int64(*left))
	info := TokenInfo{
		UID:       string(r.UID),
		AppKey:    string(r.AppKey),
		Scope:     string(r.Scope),
		ExpiresIn: remaining,
		ExpiresAt: c.now().Add(remaining),
	}
	if r.CreateAt >= minUnix && r.CreateAt <= maxUnix {
		info.CreatedAt = time.Unix(int64(r.CreateAt), 0)
	}
	return info, nil
}
