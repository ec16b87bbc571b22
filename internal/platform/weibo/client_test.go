package weibo

import (
	"context"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/platform"
)

var fixedNow = time.Date(2025, 3, 14, 10, 17, 0, 0, time.UTC)

func newTestClient(t *testing.T, h http.Handler) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	c, err := New(Config{
		BaseURL: srv.URL, ClientID: "app", ClientSecret: "secret",
		RedirectURI: "https://example.org/cb", Now: func() time.Time { return fixedNow },
		Backoff: time.Millisecond, Timeout: 2 * time.Second,
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// serveFile answers every request with a documentation sample.
func serveFile(t *testing.T, status int, name string) http.Handler {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		w.Write(b)
	})
}

func TestDocumentationSamples(t *testing.T) {
	t.Parallel()
	ctx := context.Background()

	t.Run("share", func(t *testing.T) {
		t.Parallel()
		c := newTestClient(t, serveFile(t, 200, "share.json"))
		st, err := c.ShareStatus(ctx, "tok", Share{Status: "x http://a.example/", RIP: "211.156.0.1"})
		if err != nil {
			t.Fatal(err)
		}
		// idstr, not the (float-rounded in the sample) numeric id.
		if st.ID != "3504803600502730" || st.MID != "3504803600502730" || st.UID != "1404376560" {
			t.Errorf("got %+v", st)
		}
		if st.CreatedAt.IsZero() || st.PictureURL == "" {
			t.Errorf("created_at or picture not decoded: %+v", st)
		}
	})
	tokenCases := []struct {
		file, uid string
		ttl       time.Duration
	}{
		{"access_token.json", "1404376560", 7200 * time.Second},
		{"access_token_en.json", "12341234", 1234 * time.Second},
	}
	for _, tc := range tokenCases {
		t.Run(tc.file, func(t *testing.T) {
			t.Parallel()
			c := newTestClient(t, serveFile(t, 200, tc.file))
			tok, err := c.ExchangeCode(ctx, "code")
			if err != nil {
				t.Fatal(err)
			}
			if tok.AccessToken != "ACCESS_TOKEN" || tok.UID != tc.uid || !tok.ExpiresAt.Equal(fixedNow.Add(tc.ttl)) {
				t.Errorf("got %+v", tok)
			}
		})
	}
	for _, file := range []string{"get_token_info.json", "get_token_info_old.json"} {
		t.Run(file, func(t *testing.T) {
			t.Parallel()
			c := newTestClient(t, serveFile(t, 200, file))
			info, err := c.TokenInfo(ctx, "tok")
			if err != nil {
				t.Fatal(err)
			}
			if info.UID != "1073880650" || info.AppKey != "1352222456" || info.ExpiresIn != 157679471*time.Second ||
				info.CreatedAt.Unix() != 1352267591 || info.Scope != "" {
				t.Errorf("got %+v", info)
			}
		})
	}
	t.Run("count", func(t *testing.T) {
		t.Parallel()
		c := newTestClient(t, serveFile(t, 200, "count.json"))
		got, err := c.StatusCounts(ctx, "tok", []string{"3468865533114224"})
		if err != nil {
			t.Fatal(err)
		}
		want := []StatusCount{
			{ID: "3468865533114224", Comments: 37495, Reposts: 39118},
			{ID: "9223372036854775807", Comments: 8551, Reposts: 23858, Attitudes: 12},
		}
		if len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("users_counts", func(t *testing.T) {
		t.Parallel()
		c := newTestClient(t, serveFile(t, 200, "users_counts.json"))
		got, err := c.UserCounts(ctx, "tok", []string{"1404376560"})
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 1 || got[0] != (UserCount{ID: "1404376560", FollowersCount: 1369, FriendsCount: 526, StatusesCount: 2908}) {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("user_timeline", func(t *testing.T) {
		t.Parallel()
		c := newTestClient(t, serveFile(t, 200, "user_timeline.json"))
		got, err := c.UserTimeline(ctx, "tok", "1404376560", 20)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != 2 || got[0].ID != "11488058246" || got[0].Text != "求关注。" || got[0].UID != "1404376560" ||
			got[0].CreatedAt.IsZero() || got[1].ID != "9100000000000000001" || got[1].UID != "1404376560" {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("users_show", func(t *testing.T) {
		t.Parallel()
		c := newTestClient(t, serveFile(t, 200, "users_show.json"))
		u, err := c.ShowUser(ctx, "tok", "1404376560")
		if err != nil {
			t.Fatal(err)
		}
		if u != (User{ID: "1404376560", ScreenName: "zaku", FollowersCount: 1204, FriendsCount: 447, StatusesCount: 2908}) {
			t.Errorf("got %+v", u)
		}
	})
}

func TestErrorClassification(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name     string
		status   int
		body     string
		kind     platform.Kind
		code     int
		resumeAt time.Time
	}{
		{"doc sample quoted code", 400, mustRead(t, "error.json"), platform.Permanent, 20502, time.Time{}},
		{"expired token", 401, mustRead(t, "error_numeric.json"), platform.AuthExpired, 21327, time.Time{}},
		{"oauth invalid grant", 400, mustRead(t, "oauth_error.json"), platform.Permanent, 21325, time.Time{}},
		{"invalid token", 401, `{"error_code":21332,"error":"invalid_access_token"}`, platform.AuthExpired, 21332, time.Time{}},
		{"token expired", 401, `{"error_code":21315,"error":"Token expired"}`, platform.AuthExpired, 21315, time.Time{}},
		{"ip rate limit", 403, `{"error_code":10022,"error":"IP requests out of rate limit!"}`, platform.RateLimited, 10022, fixedNow.Truncate(time.Hour).Add(time.Hour)},
		{"user rate limit", 403, `{"error_code":"10023","error":"User requests out of rate limit!"}`, platform.RateLimited, 10023, fixedNow.Truncate(time.Hour).Add(time.Hour)},
		{"api rate limit", 403, `{"error_code":10024,"error":"User requests for (share) out of rate limit!"}`, platform.RateLimited, 10024, fixedNow.Truncate(time.Hour).Add(time.Hour)},
		{"posting too often", 400, `{"error_code":20016,"error":"Out of limit!"}`, platform.RateLimited, 20016, fixedNow.Add(time.Minute)},
		{"duplicate", 400, `{"error_code":20017,"error":"repeated weibo text!"}`, platform.Permanent, 20017, time.Time{}},
		{"duplicate content", 400, `{"error_code":20019,"error":"repeat content!"}`, platform.Permanent, 20019, time.Time{}},
		{"app permission", 403, `{"error_code":10014,"error":"Insufficient app permissions!"}`, platform.Permanent, 10014, time.Time{}},
		{"safe domain", 400, `{"error_code":10017,"error":"Parameter (status)'s value invalid"}`, platform.Permanent, 10017, time.Time{}},
		{"system error on write", 500, `{"error_code":10001,"error":"System error"}`, platform.Retryable, 10001, time.Time{}},
		{"html 502 on write", 502, `<html><body>Bad Gateway</body></html>`, platform.Ambiguous, 0, time.Time{}},
		{"garbage 200 on write", 200, `<html>ok</html>`, platform.Ambiguous, 0, time.Time{}},
		{"200 without id", 200, `{"text":"hello"}`, platform.Ambiguous, 0, time.Time{}},
		{"404 html", 404, `<html>not found</html>`, platform.Permanent, 0, time.Time{}},
		{"429", 429, ``, platform.RateLimited, 0, time.Time{}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				io.WriteString(w, tc.body)
			}))
			_, err := c.ShareStatus(context.Background(), "tok", Share{Status: "x", RIP: "10.0.0.1"})
			var pe *platform.Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, want *platform.Error", err)
			}
			if pe.Kind != tc.kind || pe.Code != tc.code || !pe.ResumeAt.Equal(tc.resumeAt) || pe.Platform != "weibo" || pe.Op != "statuses/share" {
				t.Errorf("got %+v", pe)
			}
		})
	}
}

func mustRead(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReadsRetryWritesDoNot(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if calls.Add(1) < 3 {
			w.WriteHeader(503)
			return
		}
		io.WriteString(w, `[{"id":"1","comments":1}]`)
	}))
	got, err := c.StatusCounts(context.Background(), "tok", []string{"1"})
	if err != nil || len(got) != 1 || calls.Load() != 3 {
		t.Fatalf("counts after 2 faults: %v %v (calls %d)", got, err, calls.Load())
	}

	calls.Store(0)
	_, err = c.ShareStatus(context.Background(), "tok", Share{Status: "x", RIP: "10.0.0.1"})
	if platform.KindOf(err) != platform.Ambiguous || calls.Load() != 1 {
		t.Fatalf("share on 503: %v, calls %d; want one Ambiguous call", err, calls.Load())
	}
}

func TestTimelineRetried(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch calls.Add(1) {
		case 1:
			w.WriteHeader(502)
		case 2:
			io.WriteString(w, `{"statuses":[{"idstr":"x"}]}`) // no usable id: unreadable
		default:
			io.WriteString(w, `{"statuses":[{"idstr":"42","text":"t","user":{"id":7}}]}`)
		}
	}))
	got, err := c.UserTimeline(context.Background(), "tok", "7", 1)
	if err != nil || len(got) != 1 || got[0].ID != "42" || got[0].UID != "7" || calls.Load() != 3 {
		t.Fatalf("timeline after 2 faults: %+v %v (calls %d)", got, err, calls.Load())
	}
}

func TestRequestShape(t *testing.T) {
	t.Parallel()
	png := append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...)
	var batches []int
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if got := r.Header.Get("Authorization"); got != "OAuth2 tok" {
			t.Errorf("%s: Authorization %q", r.URL.Path, got)
		}
		if strings.Contains(r.URL.RawQuery, "tok") {
			t.Errorf("token leaked into the URL: %s", r.URL)
		}
		switch r.URL.Path {
		case "/2/statuses/share.json":
			mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
			if mt != "multipart/form-data" {
				t.Errorf("share content type %q", mt)
			}
			f, fh, err := r.FormFile("pic")
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(f)
			if len(b) != len(png) || fh.Header.Get("Content-Type") != "image/png" {
				t.Errorf("pic %d bytes %q", len(b), fh.Header.Get("Content-Type"))
			}
			if r.FormValue("status") != "你好 http://a.example/" || r.FormValue("rip") != "2001:db8::1" {
				t.Errorf("fields %q %q", r.FormValue("status"), r.FormValue("rip"))
			}
			io.WriteString(w, `{"id":9100000000000000001,"idstr":"9100000000000000001"}`)
		case "/2/statuses/user_timeline.json":
			if q := r.URL.Query(); q.Get("uid") != "1404376560" || q.Get("count") != "100" || r.Method != http.MethodGet {
				t.Errorf("user_timeline %s %s", r.Method, r.URL.RawQuery)
			}
			io.WriteString(w, `{"statuses":[]}`)
		case "/2/statuses/count.json":
			ids := strings.Split(r.URL.Query().Get("ids"), ",")
			batches = append(batches, len(ids))
			io.WriteString(w, "[]")
		}
	}))
	st, err := c.ShareStatus(context.Background(), "tok", Share{Status: "你好 http://a.example/", RIP: "2001:db8::1", Picture: png})
	if err != nil || st.ID != "9100000000000000001" {
		t.Fatalf("share: %+v %v", st, err)
	}
	ids := make([]string, 250)
	for i := range ids {
		ids[i] = "1"
	}
	if _, err := c.StatusCounts(context.Background(), "tok", ids); err != nil {
		t.Fatal(err)
	}
	if tl, err := c.UserTimeline(context.Background(), "tok", "1404376560", 100); err != nil || len(tl) != 0 {
		t.Fatalf("user_timeline: %+v %v", tl, err)
	}
	if len(batches) != 3 || batches[0] != 100 || batches[1] != 100 || batches[2] != 50 {
		t.Errorf("batches %v, want [100 100 50]", batches)
	}
}

func TestInputRefusedBeforeSending(t *testing.T) {
	t.Parallel()
	c := newTestClient(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s", r.URL)
	}))
	ctx := context.Background()
	big := append([]byte("\xff\xd8\xff\xe0"), make([]byte, MaxPictureBytes)...)
	cases := map[string]error{
		"no token": func() error { _, err := c.ShareStatus(ctx, "", Share{Status: "x", RIP: "1.2.3.4"}); return err }(),
		"no text":  func() error { _, err := c.ShareStatus(ctx, "t", Share{Status: " ", RIP: "1.2.3.4"}); return err }(),
		"bad rip":  func() error { _, err := c.ShareStatus(ctx, "t", Share{Status: "x", RIP: "nope"}); return err }(),
		"bad picture": func() error {
			_, err := c.ShareStatus(ctx, "t", Share{Status: "x", RIP: "1.2.3.4", Picture: []byte("GIF89a-not-really?")[:3]})
			return err
		}(),
		"big picture": func() error {
			_, err := c.ShareStatus(ctx, "t", Share{Status: "x", RIP: "1.2.3.4", Picture: big})
			return err
		}(),
		"bad id":        func() error { _, err := c.StatusCounts(ctx, "t", []string{"12a"}); return err }(),
		"bad uid":       func() error { _, err := c.ShowUser(ctx, "t", ""); return err }(),
		"timeline uid":  func() error { _, err := c.UserTimeline(ctx, "t", "abc", 20); return err }(),
		"timeline 0":    func() error { _, err := c.UserTimeline(ctx, "t", "1", 0); return err }(),
		"timeline 101":  func() error { _, err := c.UserTimeline(ctx, "t", "1", 101); return err }(),
		"timeline tok":  func() error { _, err := c.UserTimeline(ctx, "", "1", 20); return err }(),
		"empty code":    func() error { _, err := c.ExchangeCode(ctx, ""); return err }(),
		"no info token": func() error { _, err := c.TokenInfo(ctx, ""); return err }(),
	}
	for name, err := range cases {
		if platform.KindOf(err) != platform.Permanent {
			t.Errorf("%s: %v, want a Permanent platform error", name, err)
		}
	}
}

func TestAuthorizeURL(t *testing.T) {
	t.Parallel()
	c, err := New(Config{ClientID: "123", RedirectURI: "https://p.example/cb?x=1"})
	if err != nil {
		t.Fatal(err)
	}
	got := c.AuthorizeURL("s t")
	want := "https://api.weibo.com/oauth2/authorize?client_id=123&redirect_uri=https%3A%2F%2Fp.example%2Fcb%3Fx%3D1&response_type=code&state=s+t"
	if got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if _, err := New(Config{BaseURL: "ftp://x"}); err == nil {
		t.Error("ftp base URL accepted")
	}
}

func TestTimeoutIsAmbiguousForShare(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	c, _ := New(Config{BaseURL: srv.URL, Timeout: 50 * time.Millisecond, Backoff: time.Millisecond, ReadAttempts: 2})
	_, err := c.ShareStatus(context.Background(), "tok", Share{Status: "x", RIP: "1.2.3.4"})
	if platform.KindOf(err) != platform.Ambiguous {
		t.Errorf("share timeout: %v, want Ambiguous", err)
	}
	_, err = c.StatusCounts(context.Background(), "tok", []string{"1"})
	if platform.KindOf(err) != platform.Retryable {
		t.Errorf("count timeout: %v, want Retryable", err)
	}
}
