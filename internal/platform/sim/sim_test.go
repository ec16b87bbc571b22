package sim

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is a real clock the test moves by hand.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type bundle struct {
	sim   *Simulator
	srv   *httptest.Server
	clock *fakeClock
}

const (
	testClientID = "1234567890"
	testSecret   = "s3cret"
	testAppID    = "wx0000000000000001"
	testWxSecret = "wxs3cret"
)

func setup(t testing.TB, mutate func(*Config)) *bundle {
	t.Helper()
	clock := &fakeClock{t: time.Date(2025, 5, 18, 2, 0, 0, 0, time.UTC)} // 10:00 in Beijing
	cfg := Config{
		Seed: 42, Clock: clock.Now, TickInterval: 5 * time.Millisecond,
		WeiboApps: []WeiboApp{{ClientID: testClientID, ClientSecret: testSecret, SafeDomain: "museum.example"}},
		WeChatAccounts: []WeChatAccount{{
			AppID: testAppID, Secret: testWxSecret, Verified: true,
		}},
	}
	if mutate != nil {
		mutate(&cfg)
	}
	s := New(cfg)
	srv := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); srv.Close() })
	return &bundle{sim: s, srv: srv, clock: clock}
}

// weiboLogin runs the OAuth2 flow for the account name and returns its token and uid.
func (b *bundle) weiboLogin(t testing.TB, name string) (string, string) {
	t.Helper()
	noRedirect := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noRedirect.PostForm(b.srv.URL+"/oauth2/authorize", url.Values{
		"client_id": {testClientID}, "redirect_uri": {"https://p.example/cb"}, "state": {"xyz"}, "screen_name": {name},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || resp.StatusCode != http.StatusFound || loc.Query().Get("state") != "xyz" {
		t.Fatalf("authorize: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
	var tok struct {
		AccessToken string `json:"access_token"`
		UID         string `json:"uid"`
	}
	b.call(t, "POST", "/oauth2/access_token", url.Values{
		"client_id": {testClientID}, "client_secret": {testSecret}, "grant_type": {"authorization_code"},
		"code": {loc.Query().Get("code")}, "redirect_uri": {"https://p.example/cb"},
	}, "", &tok)
	if tok.AccessToken == "" {
		t.Fatal("no token")
	}
	return tok.AccessToken, tok.UID
}

// call sends a form (POST) or query (GET) and decodes the JSON answer into out.
func (b *bundle) call(t testing.TB, method, path string, v url.Values, token string, out any) int {
	t.Helper()
	var req *http.Request
	if method == "GET" {
		req, _ = http.NewRequest(method, b.srv.URL+path+"?"+v.Encode(), nil)
	} else {
		req, _ = http.NewRequest(method, b.srv.URL+path, strings.NewReader(v.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if token != "" {
		req.Header.Set("Authorization", "OAuth2 "+token)
	}
	return b.do(t, req, out)
}

func (b *bundle) do(t testing.TB, req *http.Request, out any) int {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if out != nil {
		if err := json.Unmarshal(body, out); err != nil {
			t.Fatalf("%s %s: %v: %s", req.Method, req.URL.Path, err, body)
		}
	}
	return resp.StatusCode
}

// wxCall POSTs JSON (or GETs when body is nil and method GET) to a WeChat path.
func (b *bundle) wxCall(t testing.TB, path string, query url.Values, body any, out any) {
	t.Helper()
	var req *http.Request
	u := b.srv.URL + path + "?" + query.Encode()
	if body == nil {
		req, _ = http.NewRequest("GET", u, nil)
	} else {
		raw, _ := json.Marshal(body)
		req, _ = http.NewRequest("POST", u, bytes.NewReader(raw))
	}
	b.do(t, req, out)
}

func (b *bundle) wxToken(t testing.TB, appID, secret string) string {
	t.Helper()
	var r struct {
		AccessToken string `json:"access_token"`
		ErrCode     int    `json:"errcode"`
	}
	b.wxCall(t, "/cgi-bin/stable_token", nil, map[string]any{"grant_type": "client_credential", "appid": appID, "secret": secret}, &r)
	if r.AccessToken == "" {
		t.Fatalf("stable_token: errcode %d", r.ErrCode)
	}
	return r.AccessToken
}

// upload sends a multipart "field" file to path.
func (b *bundle) upload(t testing.TB, path string, query url.Values, field, filename string, data []byte, out any) {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	fw, _ := mw.CreateFormFile(field, filename)
	fw.Write(data)
	mw.Close()
	req, _ := http.NewRequest("POST", b.srv.URL+path+"?"+query.Encode(), &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	b.do(t, req, out)
}

func jpeg(n int) []byte {
	return append([]byte("\xff\xd8\xff\xe0\x00\x10JFIF\x00"), make([]byte, n)...)
}
func pngBytes(n int) []byte { return append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, n)...) }
