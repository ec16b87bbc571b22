package weibo_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/platform"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/platform/weibo"
)

const redirect = "https://passerelle.example/oauth/weibo"

// against starts a simulator and a client of it, and runs the OAuth2 flow.
func against(t *testing.T) (*sim.Simulator, string, *weibo.Client, weibo.Token) {
	t.Helper()
	s := sim.New(sim.Config{Seed: 7, WeiboApps: []sim.WeiboApp{{
		ClientID: "2000000001", ClientSecret: "sec", SafeDomain: "museum.example", RedirectURI: redirect,
		MinShareIntervalSeconds: -1,
	}}})
	srv := httptest.NewServer(s)
	t.Cleanup(func() { s.Close(); srv.Close() })
	c, err := weibo.New(weibo.Config{
		BaseURL: srv.URL, ClientID: "2000000001", ClientSecret: "sec", RedirectURI: redirect,
		Timeout: 2 * time.Second, Backoff: time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	// The browser part: open the authorize URL, press the button, follow to the callback.
	page, err := http.Get(c.AuthorizeURL("st4te"))
	if err != nil || page.StatusCode != 200 {
		t.Fatalf("authorize page: %v %v", err, page.Status)
	}
	page.Body.Close()
	noFollow := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := noFollow.PostForm(srv.URL+"/oauth2/authorize", url.Values{
		"client_id": {"2000000001"}, "redirect_uri": {redirect}, "state": {"st4te"}, "screen_name": {"卢浮宫博物馆"},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	back, _ := url.Parse(resp.Header.Get("Location"))
	if !strings.HasPrefix(back.String(), redirect) || back.Query().Get("state") != "st4te" {
		t.Fatalf("redirect %s", back)
	}
	tok, err := c.ExchangeCode(context.Background(), back.Query().Get("code"))
	if err != nil {
		t.Fatal(err)
	}
	// A code is single-use.
	if _, err := c.ExchangeCode(context.Background(), back.Query().Get("code")); platform.CodeOf(err) != weibo.CodeInvalidGrant {
		t.Errorf("second exchange: %v", err)
	}
	return s, srv.URL, c, tok
}

func TestClientAgainstSimulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, _, c, tok := against(t)

	info, err := c.TokenInfo(ctx, tok.AccessToken)
	if err != nil || info.UID != tok.UID || info.ExpiresIn < 6*24*time.Hour {
		t.Fatalf("token info %+v %v", info, err)
	}
	st, err := c.ShareStatus(ctx, tok.AccessToken, weibo.Share{
		Status: "卢浮宫新展 https://museum.example/expo/1", RIP: "203.0.113.9",
		Picture: append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 100)...),
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(st.ID) < 16 || st.PictureURL == "" || st.UID != tok.UID {
		t.Errorf("status %+v", st)
	}
	counts, err := c.StatusCounts(ctx, tok.AccessToken, []string{st.ID, "1"})
	if err != nil || len(counts) != 1 || counts[0].ID != st.ID {
		t.Fatalf("counts %+v %v", counts, err)
	}
	u, err := c.ShowUser(ctx, tok.AccessToken, tok.UID)
	if err != nil || u.ID != tok.UID || u.FollowersCount <= 0 {
		t.Fatalf("user %+v %v", u, err)
	}
	uc, err := c.UserCounts(ctx, tok.AccessToken, []string{tok.UID})
	if err != nil || len(uc) != 1 || uc[0].FollowersCount != u.FollowersCount {
		t.Fatalf("user counts %+v %v", uc, err)
	}
	_, err = c.ShareStatus(ctx, tok.AccessToken, weibo.Share{Status: "没有链接", RIP: "203.0.113.9"})
	if platform.KindOf(err) != platform.Permanent || platform.CodeOf(err) != weibo.CodeParamInvalid {
		t.Errorf("share without a safe-domain URL: %v", err)
	}
	_, err = c.StatusCounts(ctx, "2.00bogus", []string{st.ID})
	if platform.KindOf(err) != platform.AuthExpired {
		t.Errorf("bogus token: %v", err)
	}
}

func setFault(t *testing.T, base string, f sim.Fault) {
	t.Helper()
	b, _ := json.Marshal(f)
	resp, err := http.Post(base+"/_sim/faults", "application/json", bytes.NewReader(b))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("set fault: %v %v", err, resp.Status)
	}
	resp.Body.Close()
}

// TestLostResponses: a share whose answer is lost is Ambiguous (and did happen); a read
// whose answer is lost is retried.
func TestLostResponses(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, base, c, tok := against(t)

	setFault(t, base, sim.Fault{Path: "/2/statuses/share.json", LostResponseRate: 1, Count: 1})
	_, err := c.ShareStatus(ctx, tok.AccessToken, weibo.Share{Status: "丢失的回应 https://museum.example/a", RIP: "203.0.113.9"})
	if platform.KindOf(err) != platform.Ambiguous {
		t.Fatalf("share with a lost response: %v, want Ambiguous", err)
	}
	// The post exists: sending it again is refused as a duplicate, so retrying blindly
	// would have been wrong either way.
	_, err = c.ShareStatus(ctx, tok.AccessToken, weibo.Share{Status: "丢失的回应 https://museum.example/a", RIP: "203.0.113.9"})
	if platform.CodeOf(err) != weibo.CodeRepeatContent {
		t.Fatalf("re-send after the lost response: %v, want 20019", err)
	}

	st, err := c.ShareStatus(ctx, tok.AccessToken, weibo.Share{Status: "第二条 https://museum.example/b", RIP: "203.0.113.9"})
	if err != nil {
		t.Fatal(err)
	}
	setFault(t, base, sim.Fault{Path: "/2/statuses/count.json", LostResponseRate: 1, Count: 2})
	counts, err := c.StatusCounts(ctx, tok.AccessToken, []string{st.ID})
	if err != nil || len(counts) != 1 {
		t.Fatalf("count after two lost responses: %+v %v (want success on the third try)", counts, err)
	}

	setFault(t, base, sim.Fault{Path: "/2/*", RateLimitBurst: 1})
	_, err = c.StatusCounts(ctx, tok.AccessToken, []string{st.ID})
	var pe *platform.Error
	if platform.KindOf(err) != platform.RateLimited || !errors.As(err, &pe) || pe.ResumeAt.IsZero() {
		t.Fatalf("rate-limit burst: %v", err)
	}
	setFault(t, base, sim.Fault{Path: "/2/statuses/share.json", TimeoutRate: 1, Count: 1})
	impatient, _ := weibo.New(weibo.Config{BaseURL: base, Timeout: 100 * time.Millisecond})
	_, err = impatient.ShareStatus(ctx, tok.AccessToken, weibo.Share{Status: "超时 https://museum.example/t", RIP: "203.0.113.9"})
	if platform.KindOf(err) != platform.Ambiguous {
		t.Fatalf("share that times out: %v, want Ambiguous", err)
	}
	setFault(t, base, sim.Fault{Path: "/2/*", ServerErrorRate: 1, Count: 1})
	_, err = c.ShareStatus(ctx, tok.AccessToken, weibo.Share{Status: "第三条 https://museum.example/c", RIP: "203.0.113.9"})
	if platform.KindOf(err) != platform.Ambiguous {
		t.Fatalf("share on a 503 page: %v, want Ambiguous", err)
	}
}

func adminPost(t *testing.T, base, path string, body, out any) {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(base+path, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s", path, resp.Status)
	}
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatal(err)
		}
	}
}

type adminStatuses struct {
	Items []struct {
		IDStr     string    `json:"idstr"`
		UID       string    `json:"uid"`
		Text      string    `json:"text"`
		CreatedAt time.Time `json:"created_at"`
	} `json:"items"`
}

func listStatuses(t *testing.T, base, uid string) adminStatuses {
	t.Helper()
	resp, err := http.Get(base + "/_sim/weibo/statuses?uid=" + url.QueryEscape(uid))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out adminStatuses
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestLostShareIsFoundOnce: a share whose answer is lost is Ambiguous to the client,
// yet the simulator holds the post exactly once, and the account's timeline shows it,
// which is how a reconciler proves the outcome.
func TestLostShareIsFoundOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	_, base, c, _ := against(t)
	var tok struct {
		AccessToken string `json:"access_token"`
		ExpiresIn   int64  `json:"expires_in"`
	}
	adminPost(t, base, "/_sim/weibo/tokens", map[string]string{"client_id": "2000000001", "uid": "6100000001"}, &tok)
	if tok.AccessToken == "" || tok.ExpiresIn <= 0 {
		t.Fatalf("token %+v", tok)
	}
	first, err := c.ShareStatus(ctx, tok.AccessToken, weibo.Share{Status: "先发一条 https://museum.example/0", RIP: "203.0.113.9"})
	if err != nil {
		t.Fatal(err)
	}
	text := "展览开幕 https://museum.example/expo/7"
	setFault(t, base, sim.Fault{Path: "/2/statuses/share.json", LostResponseRate: 1, Count: 1})
	if _, err := c.ShareStatus(ctx, tok.AccessToken, weibo.Share{Status: text, RIP: "203.0.113.9"}); platform.KindOf(err) != platform.Ambiguous {
		t.Fatalf("share with a lost answer: %v, want Ambiguous", err)
	}
	got := listStatuses(t, base, "6100000001")
	n := 0
	for _, it := range got.Items {
		if it.Text == text {
			n++
		}
	}
	if n != 1 || len(got.Items) != 2 || got.Items[0].IDStr != first.ID || got.Items[1].UID != "6100000001" {
		t.Fatalf("simulator holds %d copies: %+v", n, got.Items)
	}
	tl, err := c.UserTimeline(ctx, tok.AccessToken, "6100000001", 20)
	if err != nil {
		t.Fatal(err)
	}
	if len(tl) != 2 || tl[0].Text != text || tl[0].ID != got.Items[1].IDStr || tl[0].UID != "6100000001" ||
		tl[1].ID != first.ID || !tl[0].CreatedAt.Equal(got.Items[1].CreatedAt.Truncate(time.Second)) {
		t.Fatalf("timeline %+v", tl)
	}
	// The timeline is a read: a lost answer is retried.
	setFault(t, base, sim.Fault{Path: "/2/statuses/user_timeline.json", LostResponseRate: 1, Count: 1})
	if tl, err := c.UserTimeline(ctx, tok.AccessToken, "6100000001", 1); err != nil || len(tl) != 1 {
		t.Fatalf("timeline after a lost answer: %+v %v", tl, err)
	}
}

// TestTokenExpiryMidRun: an expired token makes every call AuthExpired until a new
// authorisation.
func TestTokenExpiryMidRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s, base, c, tok := against(t)
	adminPost(t, base, "/_sim/weibo/expire", map[string]string{"uid": tok.UID}, nil)
	if _, err := c.ShareStatus(ctx, tok.AccessToken, weibo.Share{Status: "x https://museum.example/x", RIP: "203.0.113.9"}); platform.KindOf(err) != platform.AuthExpired ||
		platform.CodeOf(err) != weibo.CodeExpiredToken {
		t.Fatalf("share with an expired token: %v", err)
	}
	if _, err := c.UserTimeline(ctx, tok.AccessToken, tok.UID, 5); platform.KindOf(err) != platform.AuthExpired {
		t.Fatalf("timeline with an expired token: %v", err)
	}
	fresh, err := s.IssueWeiboToken("2000000001", tok.UID)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ShareStatus(ctx, fresh.AccessToken, weibo.Share{Status: "x https://museum.example/x", RIP: "203.0.113.9"}); err != nil {
		t.Fatalf("share after re-authorisation: %v", err)
	}
	if got := s.WeiboStatuses(tok.UID); len(got) != 1 {
		t.Errorf("statuses %+v", got)
	}
}
