package wechat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/platform"
)

// fakeWeChat serves stable_token and whatever routes a test sets, recording calls.
type fakeWeChat struct {
	t      *testing.T
	mu     sync.Mutex
	routes map[string]http.HandlerFunc
	// tokenCalls counts stable_token calls; tokens are "tok-1", "tok-2"…
	tokenCalls atomic.Int64
	bodies     map[string][]byte
	tokensSeen map[string][]string
}

func newFake(t *testing.T) (*fakeWeChat, *httptest.Server) {
	t.Helper()
	f := &fakeWeChat{t: t, routes: map[string]http.HandlerFunc{}, bodies: map[string][]byte{}, tokensSeen: map[string][]string{}}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeWeChat) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	path := strings.TrimPrefix(r.URL.Path, "/")
	f.mu.Lock()
	f.bodies[path] = body
	f.tokensSeen[path] = append(f.tokensSeen[path], r.URL.Query().Get("access_token"))
	h := f.routes[path]
	f.mu.Unlock()
	if path == "cgi-bin/stable_token" && h == nil {
		n := f.tokenCalls.Add(1)
		fmt.Fprintf(w, `{"access_token":"tok-%d","expires_in":7200}`, n)
		return
	}
	if h == nil {
		http.NotFound(w, r)
		return
	}
	h(w, r)
}

func (f *fakeWeChat) route(path string, h http.HandlerFunc) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.routes[path] = h
}

func (f *fakeWeChat) body(path string) []byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.bodies[path]
}

func (f *fakeWeChat) tokens(path string) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.tokensSeen[path]...)
}

func sample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/api/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func serve(b []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(b)
	}
}

var testNow = time.Date(2025, 11, 2, 10, 0, 0, 0, beijing)

func newTestClient(t *testing.T, srv *httptest.Server, store TokenStore) *Client {
	t.Helper()
	c, err := New(Config{
		BaseURL:    srv.URL,
		HTTPClient: &http.Client{Timeout: 2 * time.Second},
		AppID:      "wx2c2769f8efd9abc2",
		AppSecret:  "secret-not-logged",
		Tokens:     store,
		Clock:      func() time.Time { return testNow },
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestDocumentationSamples(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name   string
		path   string
		sample string
		call   func(*Client) (any, error)
		want   any
	}{
		{"add_material", "cgi-bin/material/add_material", "add_material.json",
			func(c *Client) (any, error) {
				return c.AddMaterial(ctx, MaterialImage, "cover.jpg", []byte("\xff\xd8jpeg"), nil)
			},
			Material{MediaID: "MEDIA_ID", URL: "URL"}},
		{"uploadimg", "cgi-bin/media/uploadimg", "uploadimg.json",
			func(c *Client) (any, error) { return c.UploadImage(ctx, "a.png", []byte("png")) },
			"http://mmbiz.qpic.cn/XXXXX"},
		{"draft/add", "cgi-bin/draft/add", "draft_add.json",
			func(c *Client) (any, error) { return c.AddDraft(ctx, []Article{{Title: "t", Content: "<p>c</p>"}}) },
			"MEDIA_ID"},
		{"freepublish/submit", "cgi-bin/freepublish/submit", "freepublish_submit.json",
			func(c *Client) (any, error) { return c.SubmitPublish(ctx, "MEDIA_ID") },
			Publication{PublishID: "100000001", MsgDataID: "2247483648"}},
		{"freepublish/get", "cgi-bin/freepublish/get", "freepublish_get.json",
			func(c *Client) (any, error) { return c.GetPublish(ctx, "100000001") },
			PublishStatus{PublishID: "100000001", Status: PublishSuccess, ArticleID: "ARTICLE_ID",
				Articles: []ArticleURL{{Idx: 1, URL: "ARTICLE_URL"}}}},
		{"freepublish/get failed", "cgi-bin/freepublish/get", "freepublish_get_failed.json",
			func(c *Client) (any, error) { return c.GetPublish(ctx, "100000001") },
			PublishStatus{PublishID: "100000001", Status: PublishOriginality, FailIdx: []int{1, 2}}},
		{"freepublish/batchget", "cgi-bin/freepublish/batchget", "freepublish_batchget.json",
			func(c *Client) (any, error) {
				items, total, err := c.PublishedArticles(ctx, 0, MaxBatchGet)
				return batchGot{items, total}, err
			},
			batchGot{[]PublishedItem{{ArticleID: "ARTICLE_ID", UpdateTime: time.Unix(1650000000, 0),
				Articles: []PublishedArticle{{Title: "TITLE", URL: "URL"}}}}, 1}},
		{"mass/sendall", "cgi-bin/message/mass/sendall", "mass_sendall.json",
			func(c *Client) (any, error) { return c.SendAll(ctx, MassSend{MediaID: "M", ClientMsgID: "pub-42"}) },
			MassResult{MsgID: "34182", MsgDataID: "206227730"}},
		{"qrcode/create", "cgi-bin/qrcode/create", "qrcode_create.json",
			func(c *Client) (any, error) {
				ticket, u, err := c.CreateQRCode(ctx, "room-12", true, 0)
				return [2]string{ticket, u}, err
			},
			[2]string{"gQH47joAAAAAAAAAASxodHRwOi8vd2VpeGluLnFxLmNvbS9xL2taZ2Z3TVRtNzJXV1Brb3ZhYmJJAAIEZ23sUwMEmm3sUw==", "http://weixin.qq.com/q/kZgfwMTm72WWPkovabbI"}},
		{"getusersummary", "datacube/getusersummary", "getusersummary.json",
			func(c *Client) (any, error) { return c.UserSummaries(ctx, "2014-12-01", "2014-12-07") },
			[]UserSummary{{RefDate: "2014-12-07"}}},
		{"getusercumulate", "datacube/getusercumulate", "getusercumulate.json",
			func(c *Client) (any, error) { return c.UserCumulates(ctx, "2014-12-07", "2014-12-07") },
			[]UserCumulate{{RefDate: "2014-12-07", CumulateUser: 1217056}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, srv := newFake(t)
			f.route(tt.path, serve(sample(t, tt.sample)))
			got, err := tt.call(newTestClient(t, srv, nil))
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
			if toks := f.tokens(tt.path); len(toks) != 1 || toks[0] != "tok-1" {
				t.Errorf("access tokens sent = %v", toks)
			}
		})
	}
}

type batchGot struct {
	Items []PublishedItem
	Total int
}

// TestPublishStatuses: every publish_status of freepublish/get reaches the caller, with
// the article_id and URLs of a success and the failed indexes of a refusal.
func TestPublishStatuses(t *testing.T) {
	t.Parallel()
	for status := PublishSuccess; status <= PublishBanned; status++ {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			t.Parallel()
			f, srv := newFake(t)
			body := fmt.Sprintf(`{"publish_id":"2247483650","publish_status":%d`, status)
			switch status {
			case PublishSuccess, PublishDeleted, PublishBanned:
				body += `,"article_id":"Xy_1","article_detail":{"count":2,"item":[{"idx":1,"article_url":"http://mp.weixin.qq.com/s?a=1"},{"idx":2,"article_url":"http://mp.weixin.qq.com/s?a=2"}]}`
			case PublishOriginality, PublishRejected:
				body += `,"fail_idx":[2]`
			}
			f.route("cgi-bin/freepublish/get", serve([]byte(body+"}")))
			got, err := newTestClient(t, srv, nil).GetPublish(context.Background(), "2247483650")
			if err != nil {
				t.Fatal(err)
			}
			if got.PublishID != "2247483650" || got.Status != status {
				t.Fatalf("got %+v", got)
			}
			switch status {
			case PublishSuccess, PublishDeleted, PublishBanned:
				if got.ArticleID != "Xy_1" || len(got.Articles) != 2 || got.Articles[1] != (ArticleURL{Idx: 2, URL: "http://mp.weixin.qq.com/s?a=2"}) {
					t.Errorf("got %+v", got)
				}
			case PublishOriginality, PublishRejected:
				if len(got.FailIdx) != 1 || got.FailIdx[0] != 2 {
					t.Errorf("fail_idx %+v", got.FailIdx)
				}
			}
		})
	}
}

func TestPublishedArticlesRequest(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t)
	f.route("cgi-bin/freepublish/batchget", serve([]byte(`{"total_count":0,"item_count":0,"item":[]}`)))
	c := newTestClient(t, srv, nil)
	items, total, err := c.PublishedArticles(context.Background(), 40, 20)
	if err != nil || len(items) != 0 || total != 0 {
		t.Fatalf("empty records: %v %d %v", items, total, err)
	}
	var got map[string]any
	if err := json.Unmarshal(f.body("cgi-bin/freepublish/batchget"), &got); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, map[string]any{"offset": 40.0, "count": 20.0, "no_content": 1.0}) {
		t.Errorf("body %v", got)
	}
	for _, bad := range [][2]int{{-1, 1}, {0, 0}, {0, 21}} {
		if _, _, err := c.PublishedArticles(context.Background(), bad[0], bad[1]); platform.KindOf(err) != platform.Permanent {
			t.Errorf("offset %d count %d: %v", bad[0], bad[1], err)
		}
	}
	f.route("cgi-bin/freepublish/batchget", serve([]byte(`{"total_count":1,"item":[{"content":{}}]}`)))
	if _, _, err := c.PublishedArticles(context.Background(), 0, 1); platform.KindOf(err) != platform.Retryable {
		t.Errorf("item without article_id: %v, want Retryable", err)
	}
}

func TestArticleSamples(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	tests := []struct {
		name     string
		endpoint string
		sample   string
		want     []ArticleStat // compared without Raw
	}{
		{"getarticlesummary", EndpointArticleSummary, "getarticlesummary.json", []ArticleStat{{
			RefDate: "2014-12-08", MsgID: "10000050_1", Title: "12月27日 DiLi日报", ReadUser: 23676, ReadCount: 25615,
			ShareUser: 122, ShareCount: 994, FavUser: 1, OriginReadUser: 29, Endpoint: EndpointArticleSummary}}},
		{"getarticletotal", EndpointArticleTotal, "getarticletotal.json", []ArticleStat{{
			RefDate: "2014-12-14", StatDate: "2014-12-14", MsgID: "202457380_1", Title: "马航丢画记", ReadUser: 23676,
			ReadCount: 25615, ShareUser: 122, ShareCount: 994, FavUser: 1, OriginReadUser: 29, Endpoint: EndpointArticleTotal}}},
		{"getbizsummary", EndpointBizSummary, "getbizsummary.json", []ArticleStat{{
			RefDate: "2025-11-01", ReadUser: 4123, ShareUser: 366, ZaikanUser: 191, LikeUser: 386, CommentCount: 12,
			Endpoint: EndpointBizSummary}}},
		{"getarticletotaldetail", EndpointArticleTotalDetail, "getarticletotaldetail.json", []ArticleStat{{
			RefDate: "2025-11-01", StatDate: "2025-11-01", MsgID: "2247490098_1", ReadUser: 4123, ShareUser: 366,
			ZaikanUser: 191, LikeUser: 386, CommentCount: 12, Endpoint: EndpointArticleTotalDetail}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, srv := newFake(t)
			f.route("datacube/"+tt.endpoint, serve(sample(t, tt.sample)))
			got, err := newTestClient(t, srv, nil).ArticleStats(ctx, tt.endpoint, "2025-11-01", "2025-11-01")
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if !json.Valid(got[i].Raw) {
					t.Errorf("Raw %q is not JSON", got[i].Raw)
				}
				got[i].Raw = nil
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestArticleDailyFallsBack(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t)
	f.route("datacube/getarticleread", serve(sample(t, "error_unauthorized.json")))
	f.route("datacube/getarticlesummary", serve(sample(t, "getarticlesummary.json")))
	got, err := newTestClient(t, srv, nil).ArticleDaily(context.Background(), "2014-12-08")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Endpoint != EndpointArticleSummary || got[0].ReadUser != 23676 {
		t.Errorf("ArticleDaily = %+v", got)
	}

	// A transient failure of the newer endpoint is reported, not hidden by a fallback.
	f.route("datacube/getarticleread", serve(sample(t, "error_busy.json")))
	if _, err := newTestClient(t, srv, nil).ArticleDaily(context.Background(), "2014-12-08"); platform.KindOf(err) != platform.Retryable {
		t.Errorf("busy newer endpoint: %v", err)
	}
}

func TestDraftRequestCarriesEveryField(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t)
	f.route("cgi-bin/draft/add", serve(sample(t, "draft_add.json")))
	a := Article{
		ArticleType: "news", Title: "Titre", Author: "Musée", Digest: "Résumé", Content: "<p>x</p>",
		ContentSourceURL: "https://example.org/expo", ThumbMediaID: "THUMB", NeedOpenComment: true,
		OnlyFansCanComment: false, PicCrop2351: "0.1945_0_1_0.5236", PicCrop11: "0.1_0_0.9_1",
		CoverInfo: &CoverInfo{CropPercentList: []CropPercent{{Ratio: "1_1", X1: "0.1", Y1: "0", X2: "0.9", Y2: "1"}}},
	}
	if _, err := newTestClient(t, srv, nil).AddDraft(context.Background(), []Article{a}); err != nil {
		t.Fatal(err)
	}
	var got struct {
		Articles []map[string]any `json:"articles"`
	}
	if err := json.Unmarshal(f.body("cgi-bin/draft/add"), &got); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"article_type": "news", "title": "Titre", "author": "Musée", "digest": "Résumé", "content": "<p>x</p>",
		"content_source_url": "https://example.org/expo", "thumb_media_id": "THUMB", "need_open_comment": 1.0,
		"only_fans_can_comment": 0.0, "pic_crop_235_1": "0.1945_0_1_0.5236", "pic_crop_1_1": "0.1_0_0.9_1",
		"cover_info": map[string]any{"crop_percent_list": []any{map[string]any{"ratio": "1_1", "x1": "0.1", "y1": "0", "x2": "0.9", "y2": "1"}}},
	}
	if len(got.Articles) != 1 || !reflect.DeepEqual(got.Articles[0], want) {
		t.Errorf("draft body = %v\nwant %v", got.Articles, want)
	}
}

func TestErrorClassification(t *testing.T) {
	t.Parallel()
	tests := []struct {
		sample   string
		kind     platform.Kind
		code     int
		resumeAt time.Time
		diag     string
	}{
		{"error_ip.json", platform.Permanent, CodeIPNotWhitelisted, time.Time{}, "ip_whitelist"},
		{"error_unauthorized.json", platform.Permanent, CodeUnauthorized, time.Time{}, "not_verified"},
		{"error_busy.json", platform.Retryable, CodeBusy, time.Time{}, "busy"},
		{"error_daily_quota.json", platform.RateLimited, CodeDailyQuota, time.Date(2025, 11, 3, 0, 0, 0, 0, beijing), "rate_limited"},
		{"error_invalid_secret.json", platform.Permanent, CodeInvalidAppSecret, time.Time{}, "credentials"},
	}
	for _, tt := range tests {
		t.Run(tt.sample, func(t *testing.T) {
			t.Parallel()
			f, srv := newFake(t)
			f.route("cgi-bin/freepublish/get", serve(sample(t, tt.sample)))
			_, err := newTestClient(t, srv, nil).GetPublish(context.Background(), "1")
			var pe *platform.Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v, not a *platform.Error", err)
			}
			if pe.Kind != tt.kind || pe.Code != tt.code || !pe.ResumeAt.Equal(tt.resumeAt) {
				t.Errorf("got kind %s code %d resume %v", pe.Kind, pe.Code, pe.ResumeAt)
			}
			if d := Diagnose(err, "en"); d.Key != tt.diag {
				t.Errorf("Diagnose = %+v, want %s", d, tt.diag)
			}
		})
	}
}

func TestDiagnose(t *testing.T) {
	t.Parallel()
	ipErr := classify("x", CodeIPNotWhitelisted, "invalid ip 47.98.1.2 ipv6 ::ffff:47.98.1.2, not in whitelist", testNow)
	for _, lang := range []string{"fr", "en", "zh-Hans"} {
		d := Diagnose(ipErr, lang)
		if !strings.Contains(d.Message, "47.98.1.2") {
			t.Errorf("%s: IP not shown: %s", lang, d.Message)
		}
	}
	if fr, en, zh := Diagnose(ipErr, "fr").Message, Diagnose(ipErr, "en").Message, Diagnose(ipErr, "zh-Hans").Message; fr == en || en == zh {
		t.Error("languages are not translated")
	}
	if d := Diagnose(classify("x", CodeUnauthorized, "api unauthorized", testNow), "fr"); !d.AssistedOnly {
		t.Error("48001 must mean assisted mode")
	}
	unreachable := &platform.Error{Platform: "wechat", Op: "x", Kind: platform.Retryable, Message: "WeChat unreachable"}
	if d := Diagnose(unreachable, "zh-Hans"); d.Key != "unreachable" {
		t.Errorf("Diagnose(unreachable) = %+v", d)
	}
	if d := Diagnose(nil, "en"); d.Key != "ok" {
		t.Errorf("Diagnose(nil) = %+v", d)
	}
	if d := Diagnose(classify("cgi-bin/stable_token", CodeInvalidCredential, "invalid credential", testNow), "en"); d.Key != "credentials" {
		t.Errorf("Diagnose(40001) = %+v", d)
	}
}

func TestTokenRefreshedAndRetriedOnce(t *testing.T) {
	t.Parallel()
	for _, code := range []int{CodeInvalidCredential, CodeInvalidToken, CodeTokenExpired} {
		t.Run(fmt.Sprint(code), func(t *testing.T) {
			t.Parallel()
			f, srv := newFake(t)
			var calls atomic.Int64
			f.route("cgi-bin/freepublish/get", func(w http.ResponseWriter, r *http.Request) {
				if calls.Add(1) == 1 {
					fmt.Fprintf(w, `{"errcode":%d,"errmsg":"token"}`, code)
					return
				}
				w.Write(sample(t, "freepublish_get.json"))
			})
			if _, err := newTestClient(t, srv, nil).GetPublish(context.Background(), "100000001"); err != nil {
				t.Fatal(err)
			}
			if got := f.tokens("cgi-bin/freepublish/get"); !reflect.DeepEqual(got, []string{"tok-1", "tok-2"}) {
				t.Errorf("tokens sent = %v, want tok-1 then tok-2", got)
			}
		})
	}
	t.Run("still refused", func(t *testing.T) {
		t.Parallel()
		f, srv := newFake(t)
		f.route("cgi-bin/draft/add", serve(sample(t, "error_token_expired.json")))
		_, err := newTestClient(t, srv, nil).AddDraft(context.Background(), []Article{{Title: "t", Content: "c"}})
		if platform.KindOf(err) != platform.AuthExpired || platform.CodeOf(err) != CodeTokenExpired {
			t.Errorf("err = %v, want AuthExpired 42001", err)
		}
		if n := len(f.tokens("cgi-bin/draft/add")); n != 2 {
			t.Errorf("draft/add called %d times, want 2", n)
		}
	})
	t.Run("wrong secret", func(t *testing.T) {
		t.Parallel()
		f, srv := newFake(t)
		f.route("cgi-bin/stable_token", serve([]byte(`{"errcode":40001,"errmsg":"invalid credential"}`)))
		_, err := newTestClient(t, srv, nil).GetPublish(context.Background(), "1")
		if platform.KindOf(err) != platform.Permanent || Diagnose(err, "en").Key != "credentials" {
			t.Errorf("err = %v", err)
		}
	})
}

func TestTokenReusedUntilNearExpiry(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t)
	f.route("cgi-bin/freepublish/get", serve(sample(t, "freepublish_get.json")))
	now := testNow
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	c, err := New(Config{BaseURL: srv.URL, AppID: "wx1", AppSecret: "s", Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	for range 3 {
		if _, err := c.GetPublish(context.Background(), "1"); err != nil {
			t.Fatal(err)
		}
	}
	if n := f.tokenCalls.Load(); n != 1 {
		t.Fatalf("stable_token called %d times for 3 calls", n)
	}
	mu.Lock()
	now = now.Add(7200*time.Second - tokenMargin + time.Second)
	mu.Unlock()
	if _, err := c.GetPublish(context.Background(), "1"); err != nil {
		t.Fatal(err)
	}
	if n := f.tokenCalls.Load(); n != 2 {
		t.Errorf("stable_token called %d times after near expiry, want 2", n)
	}
}

func TestConcurrentRefreshIsSingle(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t)
	f.route("cgi-bin/stable_token", func(w http.ResponseWriter, r *http.Request) {
		time.Sleep(50 * time.Millisecond) // make the race window wide
		n := f.tokenCalls.Add(1)
		fmt.Fprintf(w, `{"access_token":"tok-%d","expires_in":7200}`, n)
	})
	f.route("cgi-bin/freepublish/get", serve(sample(t, "freepublish_get.json")))
	store := &MemoryTokenStore{}
	// Two clients on one store stand for two processes sharing the database.
	clients := []*Client{newTestClient(t, srv, store), newTestClient(t, srv, store)}
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for i := range 50 {
		wg.Go(func() {
			if _, err := clients[i%2].GetPublish(context.Background(), "1"); err != nil {
				errs <- err
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if n := f.tokenCalls.Load(); n != 1 {
		t.Errorf("stable_token called %d times, want 1", n)
	}
}

func TestMemoryTokenStoreLease(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	now := testNow
	s := &MemoryTokenStore{Clock: func() time.Time { return now }}
	if ok, _ := s.Lease(ctx, "a", "p1", 30*time.Second); !ok {
		t.Fatal("first lease refused")
	}
	if ok, _ := s.Lease(ctx, "a", "p2", 30*time.Second); ok {
		t.Fatal("second holder got a held lease")
	}
	if ok, _ := s.Lease(ctx, "b", "p2", 30*time.Second); !ok {
		t.Fatal("lease of another account refused")
	}
	if ok, _ := s.Lease(ctx, "a", "p1", 30*time.Second); !ok {
		t.Fatal("holder cannot renew")
	}
	s.Release(ctx, "a", "p2") // not the holder: no effect
	if ok, _ := s.Lease(ctx, "a", "p2", 30*time.Second); ok {
		t.Fatal("release by a non-holder freed the lease")
	}
	now = now.Add(31 * time.Second)
	if ok, _ := s.Lease(ctx, "a", "p2", 30*time.Second); !ok {
		t.Fatal("expired lease not taken over")
	}
	s.Release(ctx, "a", "p2")
	if ok, _ := s.Lease(ctx, "a", "p1", 30*time.Second); !ok {
		t.Fatal("released lease not free")
	}
}

func TestTransportFailures(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	hang := func(w http.ResponseWriter, r *http.Request) { time.Sleep(3 * time.Second) }
	drop := func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}
	status := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) { http.Error(w, "<html>oops</html>", code) }
	}
	tests := []struct {
		name    string
		handler http.HandlerFunc
		write   platform.Kind // for draft/add
		read    platform.Kind // for freepublish/get
	}{
		{"timeout", hang, platform.Ambiguous, platform.Retryable},
		{"connection dropped", drop, platform.Ambiguous, platform.Retryable},
		{"502", status(http.StatusBadGateway), platform.Ambiguous, platform.Retryable},
		{"429", status(http.StatusTooManyRequests), platform.RateLimited, platform.RateLimited},
		{"404", status(http.StatusNotFound), platform.Permanent, platform.Permanent},
		{"html page", serve([]byte("<html><body>502 Bad Gateway</body></html>")), platform.Ambiguous, platform.Retryable},
		{"invalid json", serve([]byte(`{"media_id":`)), platform.Ambiguous, platform.Retryable},
		{"missing fields", serve([]byte(`{}`)), platform.Ambiguous, platform.Retryable},
		{"10 MB body", serve([]byte(`{"x":"` + strings.Repeat("a", 10<<20) + `"}`)), platform.Ambiguous, platform.Retryable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			f, srv := newFake(t)
			f.route("cgi-bin/draft/add", tt.handler)
			f.route("cgi-bin/freepublish/get", tt.handler)
			c := newTestClient(t, srv, nil)
			_, err := c.AddDraft(ctx, []Article{{Title: "t", Content: "c"}})
			checkKind(t, "draft/add", err, tt.write)
			_, err = c.GetPublish(ctx, "1")
			checkKind(t, "freepublish/get", err, tt.read)
		})
	}
	t.Run("refused connection", func(t *testing.T) {
		t.Parallel()
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		addr := l.Addr().String()
		l.Close()
		c, err := New(Config{BaseURL: "http://" + addr, AppID: "wx1", AppSecret: "s",
			Tokens: &MemoryTokenStore{}, Clock: func() time.Time { return testNow }})
		if err != nil {
			t.Fatal(err)
		}
		c.tokens.Put(ctx, "wx1", "tok", testNow.Add(time.Hour))
		_, err = c.AddDraft(ctx, []Article{{Title: "t", Content: "c"}})
		checkKind(t, "draft/add", err, platform.Retryable)
		if strings.Contains(err.Error(), "tok") {
			t.Errorf("the error shows the access token: %v", err)
		}
		if d := Diagnose(err, "fr"); d.Key != "unreachable" {
			t.Errorf("Diagnose = %+v", d)
		}
	})
}

func checkKind(t *testing.T, what string, err error, want platform.Kind) {
	t.Helper()
	var pe *platform.Error
	if !errors.As(err, &pe) {
		t.Fatalf("%s: err = %v, not a *platform.Error", what, err)
	}
	if pe.Kind != want {
		t.Errorf("%s: kind = %s, want %s (%v)", what, pe.Kind, want, err)
	}
}

func TestLargeIDsKeepPrecision(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t)
	f.route("cgi-bin/freepublish/submit", serve([]byte(`{"errcode":0,"errmsg":"ok","publish_id":18446744073709551615,"msg_data_id":9007199254740993}`)))
	got, err := newTestClient(t, srv, nil).SubmitPublish(context.Background(), "M")
	if err != nil {
		t.Fatal(err)
	}
	if got.PublishID != "18446744073709551615" || got.MsgDataID != "9007199254740993" {
		t.Errorf("SubmitPublish = %+v", got)
	}
	f.route("cgi-bin/freepublish/submit", serve([]byte(`{"publish_id":1.5e3}`)))
	_, err = newTestClient(t, srv, nil).SubmitPublish(context.Background(), "M")
	checkKind(t, "fractional id", err, platform.Ambiguous)
}

func TestQRCode(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t)
	f.route("cgi-bin/qrcode/create", serve(sample(t, "qrcode_create.json")))
	c := newTestClient(t, srv, nil)
	ctx := context.Background()
	if _, _, err := c.CreateQRCode(ctx, "expo-2026", false, 48*time.Hour); err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	json.Unmarshal(f.body("cgi-bin/qrcode/create"), &body)
	want := map[string]any{"action_name": "QR_STR_SCENE", "expire_seconds": 172800.0,
		"action_info": map[string]any{"scene": map[string]any{"scene_str": "expo-2026"}}}
	if !reflect.DeepEqual(body, want) {
		t.Errorf("body = %v", body)
	}
	for name, call := range map[string]func() error{
		"empty scene":    func() error { _, _, err := c.CreateQRCode(ctx, "", true, 0); return err },
		"long scene":     func() error { _, _, err := c.CreateQRCode(ctx, strings.Repeat("é", 65), true, 0); return err },
		"expire 31 days": func() error { _, _, err := c.CreateQRCode(ctx, "s", false, 31*24*time.Hour); return err },
	} {
		if err := call(); platform.KindOf(err) != platform.Permanent {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	if got := c.QRCodeImageURL("a+b/c=="); got != "https://mp.weixin.qq.com/cgi-bin/showqrcode?ticket=a%2Bb%2Fc%3D%3D" {
		t.Errorf("QRCodeImageURL = %s", got)
	}
}

func TestDateSpans(t *testing.T) {
	t.Parallel()
	_, srv := newFake(t)
	c := newTestClient(t, srv, nil)
	for name, span := range map[string][2]string{
		"8 days":   {"2025-11-01", "2025-11-08"},
		"reversed": {"2025-11-02", "2025-11-01"},
		"bad date": {"2025-11-1", "2025-11-01"},
	} {
		if _, err := c.UserSummaries(context.Background(), span[0], span[1]); platform.KindOf(err) != platform.Permanent {
			t.Errorf("%s: err = %v", name, err)
		}
	}
}

func FuzzDecodeResponse(f *testing.F) {
	for _, name := range []string{"stable_token.json", "freepublish_get.json", "freepublish_submit.json", "freepublish_batchget.json",
		"mass_sendall.json", "getarticletotal.json", "getbizsummary.json", "error_ip.json"} {
		f.Add(sample(f, name))
	}
	f.Add([]byte(`{"errcode":"x"}`))
	f.Add([]byte(`{"errcode":99999999999999999999}`))
	f.Add([]byte(`{"publish_id":-1,"msg_data_id":1e400}`))
	f.Add([]byte(`<html></html>`))
	c := &Client{now: func() time.Time { return testNow }}
	outs := []func() any{
		func() any { return &stableTokenAnswer{} },
		func() any { return &publishGetAnswer{} },
		func() any { return &submitAnswer{} },
		func() any { return &massAnswer{} },
		func() any { return &listAnswer[userSummaryJSON]{} },
		func() any { return &listAnswer[json.RawMessage]{} },
		func() any { return &qrAnswer{} },
		func() any { return &batchGetAnswer{} },
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		for i, mk := range outs {
			err := c.decode(request{op: "fuzz", idempotent: i%2 == 0}, raw, mk())
			if err == nil {
				continue
			}
			var pe *platform.Error
			if !errors.As(err, &pe) {
				t.Fatalf("decode returned %T %v", err, err)
			}
			if pe.Kind == "" || pe.Platform != "wechat" {
				t.Fatalf("unclassified error %+v", pe)
			}
		}
	})
}
