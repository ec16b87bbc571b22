package sim

import (
	"encoding/json"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

// admin POSTs body to a /_sim/ path and decodes the answer; it returns the HTTP status.
func (b *bundle) admin(t testing.TB, path string, body any, out any) int {
	t.Helper()
	raw, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", b.srv.URL+path, strings.NewReader(string(raw)))
	return b.do(t, req, out)
}

func (b *bundle) adminGet(t testing.TB, path string, out any) int {
	t.Helper()
	req, _ := http.NewRequest("GET", b.srv.URL+path, nil)
	return b.do(t, req, out)
}

type timelineJSON struct {
	ErrorCode int `json:"error_code"`
	Statuses  []struct {
		IDStr string `json:"idstr"`
		Text  string `json:"text"`
		User  struct {
			IDStr string `json:"idstr"`
		} `json:"user"`
	} `json:"statuses"`
	TotalNumber int `json:"total_number"`
}

// TestWeiboTimelineAndAdmin: tokens without the browser, the timeline newest first,
// the admin list oldest first, and token expiry that only a new authorisation cures.
func TestWeiboTimelineAndAdmin(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	var tok WeiboToken
	if st := b.admin(t, "/_sim/weibo/tokens", map[string]string{"client_id": testClientID, "uid": "6000000001"}, &tok); st != 200 ||
		!strings.HasPrefix(tok.AccessToken, "2.00") || tok.ExpiresIn != 7*86400 || tok.UID != "6000000001" {
		t.Fatalf("tokens: %d %+v", st, tok)
	}
	texts := []string{"一" + link, "二" + link, "三" + link}
	for _, text := range texts {
		if code := b.share(t, tok.AccessToken, text, nil); code != 0 {
			t.Fatalf("share %q: %d", text, code)
		}
		b.clock.Advance(time.Minute)
	}
	var tl timelineJSON
	b.call(t, "GET", "/2/statuses/user_timeline.json", url.Values{"uid": {"6000000001"}, "count": {"2"}}, tok.AccessToken, &tl)
	if len(tl.Statuses) != 2 || tl.Statuses[0].Text != texts[2] || tl.Statuses[1].Text != texts[1] ||
		tl.Statuses[0].User.IDStr != "6000000001" || tl.TotalNumber != 3 {
		t.Fatalf("timeline: %+v", tl)
	}
	b.call(t, "GET", "/2/statuses/user_timeline.json", url.Values{"count": {"2"}, "page": {"2"}}, tok.AccessToken, &tl)
	if len(tl.Statuses) != 1 || tl.Statuses[0].Text != texts[0] {
		t.Fatalf("timeline page 2: %+v", tl)
	}
	for name, q := range map[string]url.Values{
		"count 101":       {"count": {"101"}},
		"count 0":         {"count": {"0"}},
		"page x":          {"page": {"x"}},
		"someone else's":  {"uid": {"1404376560"}},
		"no token at all": nil,
	} {
		var e timelineJSON
		tokn := tok.AccessToken
		if q == nil {
			tokn = ""
		}
		b.call(t, "GET", "/2/statuses/user_timeline.json", q, tokn, &e)
		if e.ErrorCode == 0 {
			t.Errorf("%s: accepted", name)
		}
	}

	var list struct {
		Items []WeiboStatus `json:"items"`
	}
	b.adminGet(t, "/_sim/weibo/statuses?uid=6000000001", &list)
	if len(list.Items) != 3 || list.Items[0].Text != texts[0] || list.Items[2].Text != texts[2] ||
		list.Items[0].UID != "6000000001" || list.Items[0].IDStr == "" || !list.Items[0].CreatedAt.Before(list.Items[1].CreatedAt) {
		t.Fatalf("admin statuses: %+v", list.Items)
	}
	if got := b.sim.WeiboStatuses("1"); len(got) != 0 {
		t.Errorf("unknown uid: %+v", got)
	}

	// Expiry by token: 21327 until a new authorisation.
	var exp struct {
		Expired int `json:"expired"`
	}
	if st := b.admin(t, "/_sim/weibo/expire", map[string]string{"access_token": tok.AccessToken}, &exp); st != 200 || exp.Expired != 1 {
		t.Fatalf("expire: %d %+v", st, exp)
	}
	if code := b.share(t, tok.AccessToken, "四"+link, nil); code != 21327 {
		t.Fatalf("share with an expired token: %d, want 21327", code)
	}
	b.call(t, "GET", "/2/statuses/user_timeline.json", nil, tok.AccessToken, &tl)
	if tl.ErrorCode != 21327 {
		t.Fatalf("timeline with an expired token: %d", tl.ErrorCode)
	}
	tok2, err := b.sim.IssueWeiboToken(testClientID, "6000000001")
	if err != nil || tok2.AccessToken == tok.AccessToken {
		t.Fatalf("new token: %+v %v", tok2, err)
	}
	if code := b.share(t, tok2.AccessToken, "四"+link, nil); code != 0 {
		t.Fatalf("share with the new token: %d", code)
	}
	// Expiry by uid reaches every token of the account.
	tok3, _ := b.sim.IssueWeiboToken(testClientID, "6000000001")
	if n, err := b.sim.ExpireWeiboTokens("", "6000000001"); err != nil || n != 2 {
		t.Fatalf("expire by uid: %d %v", n, err)
	}
	if code := b.share(t, tok3.AccessToken, "五"+link, nil); code != 21327 {
		t.Fatalf("after expiry by uid: %d", code)
	}
	// The browser flow's accounts get tokens too.
	_, uid := b.weiboLogin(t, "故宫博物院")
	if _, err := b.sim.IssueWeiboToken(testClientID, uid); err != nil {
		t.Fatal(err)
	}
	if got := b.sim.WeiboStatuses("6000000001"); len(got) != 4 {
		t.Errorf("statuses after expiry: %d, want 4", len(got))
	}
}

// TestAdminBadInput: every admin endpoint answers 400 with a message to bad input and
// changes nothing.
func TestAdminBadInput(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	cases := []struct {
		path string
		body any
	}{
		{"/_sim/weibo/tokens", map[string]string{"client_id": "nope", "uid": "123"}},
		{"/_sim/weibo/tokens", map[string]string{"client_id": testClientID, "uid": "12a"}},
		{"/_sim/weibo/tokens", map[string]string{"client_id": testClientID}},
		{"/_sim/weibo/tokens", map[string]any{"client_id": testClientID, "uid": "1", "extra": 1}},
		{"/_sim/weibo/expire", map[string]string{}},
		{"/_sim/weibo/expire", map[string]string{"access_token": "x", "uid": "1"}},
		{"/_sim/weibo/expire", map[string]string{"access_token": "2.00unknown"}},
		{"/_sim/wechat/expire", map[string]string{"appid": "wxnope"}},
		{"/_sim/wechat/publish-outcome", map[string]any{"appid": testAppID, "status": 1, "count": 1}},
		{"/_sim/wechat/publish-outcome", map[string]any{"appid": testAppID, "status": 7, "count": 1}},
		{"/_sim/wechat/publish-outcome", map[string]any{"appid": testAppID, "status": 3, "count": -1}},
		{"/_sim/wechat/publish-outcome", map[string]any{"appid": "wxnope", "status": 3, "count": 1}},
		{"/_sim/wechat/publish-delay", map[string]any{"delay_ms": -1}},
		{"/_sim/wechat/publish-delay", map[string]any{}},
		{"/_sim/wechat/publish-delay", "[]"},
	}
	for _, c := range cases {
		var e struct {
			Error string `json:"error"`
		}
		if st := b.admin(t, c.path, c.body, &e); st != 400 || e.Error == "" {
			t.Errorf("%s %v: %d %q", c.path, c.body, st, e.Error)
		}
	}
	for _, path := range []string{"/_sim/weibo/statuses", "/_sim/wechat/articles", "/_sim/wechat/articles?appid=wxnope"} {
		var e struct {
			Error string `json:"error"`
		}
		if st := b.adminGet(t, path, &e); st != 400 || e.Error == "" {
			t.Errorf("GET %s: %d %q", path, st, e.Error)
		}
	}
	b.sim.mu.Lock()
	defer b.sim.mu.Unlock()
	if len(b.sim.weibo.tokens) != 0 || len(b.sim.weibo.users) != 0 || b.sim.wechat.accounts[testAppID].outcome.remaining != 0 ||
		b.sim.publishDly != 3*time.Second {
		t.Errorf("bad input changed the state")
	}
}

// wxPublish uploads a cover, adds a draft of titles and submits it; it returns the
// publish_id.
func (b *bundle) wxPublish(t testing.TB, tok string, titles ...string) string {
	t.Helper()
	q := url.Values{"access_token": {tok}}
	var m struct {
		MediaID string `json:"media_id"`
	}
	b.upload(t, "/cgi-bin/material/add_material", url.Values{"access_token": {tok}, "type": {"image"}}, "media", "c.png", pngBytes(100), &m)
	var arts []any
	for _, title := range titles {
		arts = append(arts, article(func(a map[string]any) { a["title"] = title; a["thumb_media_id"] = m.MediaID }))
	}
	var d struct {
		MediaID string `json:"media_id"`
	}
	b.wxCall(t, "/cgi-bin/draft/add", q, map[string]any{"articles": arts}, &d)
	var sub struct {
		ErrCode   int    `json:"errcode"`
		PublishID string `json:"publish_id"`
	}
	b.wxCall(t, "/cgi-bin/freepublish/submit", q, map[string]any{"media_id": d.MediaID}, &sub)
	if sub.ErrCode != 0 || sub.PublishID == "" {
		t.Fatalf("submit: %+v", sub)
	}
	return sub.PublishID
}

type publishGet struct {
	ErrCode       int    `json:"errcode"`
	PublishID     string `json:"publish_id"`
	PublishStatus int    `json:"publish_status"`
	ArticleID     string `json:"article_id"`
	ArticleDetail struct {
		Count int `json:"count"`
		Item  []struct {
			Idx        int    `json:"idx"`
			ArticleURL string `json:"article_url"`
		} `json:"item"`
	} `json:"article_detail"`
	FailIdx []int `json:"fail_idx"`
}

// TestPublishStatuses: freepublish/get answers 1 for the delay, then 0 or the outcome
// set for the account; PUBLISHJOBFINISH carries the same (plaintext push mode here); only
// successes are listed as published.
func TestPublishStatuses(t *testing.T) {
	t.Parallel()
	got := make(chan string, 16)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		got <- string(body)
		io.WriteString(w, "success")
	}))
	t.Cleanup(cb.Close)
	b := setup(t, func(c *Config) {
		c.WeChatAccounts[0].CallbackURL = cb.URL + "/push"
		c.WeChatAccounts[0].Token = "plaintoken"
		c.PublishDelay = 30 * time.Second
	})
	tok := b.wxToken(t, testAppID, testWxSecret)
	q := url.Values{"access_token": {tok}}
	var published []string
	for status := 0; status <= 6; status++ {
		if status == 1 {
			continue
		}
		if status > 0 {
			if st := b.admin(t, "/_sim/wechat/publish-outcome", map[string]any{"appid": testAppID, "status": status, "count": 1}, nil); st != 200 {
				t.Fatalf("publish-outcome: %d", st)
			}
		}
		title := "状态" + strconv.Itoa(status)
		id := b.wxPublish(t, tok, title, title+"之二")
		var pg publishGet
		b.wxCall(t, "/cgi-bin/freepublish/get", q, map[string]any{"publish_id": id}, &pg)
		if pg.PublishStatus != 1 || pg.PublishID != id {
			t.Fatalf("status %d right after submit: %+v", status, pg)
		}
		b.clock.Advance(31 * time.Second)
		b.wxCall(t, "/cgi-bin/freepublish/get", q, map[string]any{"publish_id": id}, &pg)
		if pg.PublishStatus != status {
			t.Fatalf("final status %d, want %d", pg.PublishStatus, status)
		}
		wentOut := status == 0 || status == 5 || status == 6
		if wentOut != (pg.ArticleID != "" && len(pg.ArticleDetail.Item) == 2 && strings.HasPrefix(pg.ArticleDetail.Item[1].ArticleURL, "http://mp.weixin.qq.com/s?")) {
			t.Errorf("status %d: article_id and URLs %+v", status, pg)
		}
		if refused := status == 2 || status == 4; refused != slices.Equal(pg.FailIdx, []int{1, 2}) {
			t.Errorf("status %d: fail_idx %v", status, pg.FailIdx)
		}
		var push string
		select {
		case push = <-got:
		case <-time.After(5 * time.Second):
			t.Fatalf("status %d: no PUBLISHJOBFINISH push", status)
		}
		want := "<Event><![CDATA[PUBLISHJOBFINISH]]></Event><PublishEventInfo><publish_id>" + id +
			"</publish_id><publish_status>" + strconv.Itoa(status) + "</publish_status>"
		if !strings.Contains(push, want) || wentOut != strings.Contains(push, "<article_id>"+cdata(pg.ArticleID)+"</article_id>") ||
			(status == 2 || status == 4) != strings.Contains(push, "<fail_idx>1</fail_idx><fail_idx>2</fail_idx>") {
			t.Errorf("status %d: push %s", status, push)
		}
		if status == 0 {
			published = append(published, id)
		}
	}
	// The outcome applied once: the next submit succeeds again.
	id := b.wxPublish(t, tok, "又一篇")
	b.clock.Advance(31 * time.Second)
	published = append(published, id)
	arts, err := b.sim.WeChatArticles(testAppID)
	if err != nil || len(arts) != 2*len(published)-1 {
		t.Fatalf("articles %+v %v", arts, err)
	}
	if arts[0].PublishID != published[0] || arts[0].Title != "状态0" || arts[1].Idx != 2 || arts[2].PublishID != id ||
		arts[0].ArticleID == "" || arts[0].PublishedAt.IsZero() {
		t.Errorf("articles %+v", arts)
	}
	var viaHTTP struct {
		Items []WeChatArticle `json:"items"`
	}
	b.adminGet(t, "/_sim/wechat/articles?appid="+testAppID, &viaHTTP)
	if len(viaHTTP.Items) != len(arts) || viaHTTP.Items[2].Title != "又一篇" {
		t.Errorf("GET /_sim/wechat/articles: %+v", viaHTTP.Items)
	}
}

type batchGet struct {
	ErrCode    int `json:"errcode"`
	TotalCount int `json:"total_count"`
	ItemCount  int `json:"item_count"`
	Item       []struct {
		ArticleID string `json:"article_id"`
		Content   struct {
			NewsItem []map[string]any `json:"news_item"`
		} `json:"content"`
		UpdateTime int64 `json:"update_time"`
	} `json:"item"`
}

// TestBatchGetAndDelay: the publish records list successes newest first, page by page;
// a publication in progress is not there yet; the delay can be changed at run time.
func TestBatchGetAndDelay(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	tok := b.wxToken(t, testAppID, testWxSecret)
	q := url.Values{"access_token": {tok}}
	if err := b.sim.SetPublishDelay(0); err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		b.wxPublish(t, tok, "第"+strconv.Itoa(i+1)+"篇")
		b.clock.Advance(time.Second)
	}
	if err := b.sim.SetPublishOutcome(testAppID, 3, 1); err != nil {
		t.Fatal(err)
	}
	b.wxPublish(t, tok, "失败的")
	if st := b.admin(t, "/_sim/wechat/publish-delay", map[string]any{"delay_ms": 60000}, nil); st != 200 {
		t.Fatalf("publish-delay: %d", st)
	}
	pending := b.wxPublish(t, tok, "进行中")
	var bg batchGet
	b.wxCall(t, "/cgi-bin/freepublish/batchget", q, map[string]any{"offset": 0, "count": 2, "no_content": 1}, &bg)
	if bg.ErrCode != 0 || bg.TotalCount != 3 || bg.ItemCount != 2 || len(bg.Item) != 2 ||
		bg.Item[0].Content.NewsItem[0]["title"] != "第3篇" || bg.Item[1].Content.NewsItem[0]["title"] != "第2篇" ||
		bg.Item[0].Content.NewsItem[0]["content"] != nil || bg.Item[0].Content.NewsItem[0]["url"] == "" ||
		bg.Item[0].UpdateTime < bg.Item[1].UpdateTime || bg.Item[0].ArticleID == "" {
		t.Fatalf("batchget page 1: %+v", bg)
	}
	b.wxCall(t, "/cgi-bin/freepublish/batchget", q, map[string]any{"offset": 2, "count": 20, "no_content": 0}, &bg)
	if len(bg.Item) != 1 || bg.Item[0].Content.NewsItem[0]["title"] != "第1篇" || bg.Item[0].Content.NewsItem[0]["content"] != "<p>正文</p>" {
		t.Fatalf("batchget page 2: %+v", bg)
	}
	for _, bad := range []map[string]any{{"offset": 0, "count": 21}, {"offset": -1, "count": 1}, {"count": 1}, {"offset": 0}} {
		var e batchGet
		b.wxCall(t, "/cgi-bin/freepublish/batchget", q, bad, &e)
		if e.ErrCode != 40097 {
			t.Errorf("batchget %v: errcode %d", bad, e.ErrCode)
		}
	}
	b.clock.Advance(61 * time.Second)
	b.wxCall(t, "/cgi-bin/freepublish/batchget", q, map[string]any{"offset": 0, "count": 1, "no_content": 1}, &bg)
	if bg.TotalCount != 4 || bg.Item[0].Content.NewsItem[0]["title"] != "进行中" {
		t.Fatalf("batchget after the long publication finished: %+v", bg)
	}
	var pg publishGet
	b.wxCall(t, "/cgi-bin/freepublish/get", q, map[string]any{"publish_id": pending}, &pg)
	if pg.PublishStatus != 0 {
		t.Errorf("pending publication: %+v", pg)
	}
}

// TestWeChatExpire: expired tokens answer 42001, and stable_token then issues a new one
// that works.
func TestWeChatExpire(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	tok := b.wxToken(t, testAppID, testWxSecret)
	var exp struct {
		Expired int `json:"expired"`
	}
	if st := b.admin(t, "/_sim/wechat/expire", map[string]string{"appid": testAppID}, &exp); st != 200 || exp.Expired != 1 {
		t.Fatalf("expire: %d %+v", st, exp)
	}
	body := map[string]any{"offset": 0, "count": 1, "no_content": 1}
	if code := b.wxErr(t, "/cgi-bin/freepublish/batchget", tok, body); code != 42001 {
		t.Fatalf("expired token: errcode %d, want 42001", code)
	}
	tok2 := b.wxToken(t, testAppID, testWxSecret)
	if tok2 == tok {
		t.Fatal("stable_token gave the expired token back")
	}
	if code := b.wxErr(t, "/cgi-bin/freepublish/batchget", tok2, body); code != 0 {
		t.Fatalf("new token: errcode %d", code)
	}
}

// TestFaultsReachNewEndpoints: the fault set applies to the timeline and the publish
// records like to every API path.
func TestFaultsReachNewEndpoints(t *testing.T) {
	t.Parallel()
	b := setup(t, func(c *Config) {
		c.Faults = []Fault{{Path: "/2/statuses/user_timeline.json", RateLimitBurst: 1}, {Path: "/cgi-bin/freepublish/*", ErrorRate: 1, Count: 1}}
	})
	tok, _ := b.sim.IssueWeiboToken(testClientID, "6000000002")
	var tl timelineJSON
	b.call(t, "GET", "/2/statuses/user_timeline.json", nil, tok.AccessToken, &tl)
	if tl.ErrorCode != 10023 {
		t.Errorf("timeline under a rate-limit burst: %d", tl.ErrorCode)
	}
	tl = timelineJSON{}
	b.call(t, "GET", "/2/statuses/user_timeline.json", nil, tok.AccessToken, &tl)
	if tl.ErrorCode != 0 {
		t.Errorf("timeline after the burst: %+v", tl)
	}
	wx := b.wxToken(t, testAppID, testWxSecret)
	if code := b.wxErr(t, "/cgi-bin/freepublish/batchget", wx, map[string]any{"offset": 0, "count": 1}); code != -1 {
		t.Errorf("batchget under an error fault: %d", code)
	}
}

// TestLatencyShape: "simulator latency 50 ± 20 ms" as latency=50ms/90ms draws a
// log-normal delay of median 50 ms and 99th percentile 90 ms.
func TestLatencyShape(t *testing.T) {
	t.Parallel()
	f, err := ParseFault("path=*,latency=50ms/90ms")
	if err != nil {
		t.Fatal(err)
	}
	fs := newFaultSet(1)
	fs.add(f)
	const n = 20_000
	ms := make([]float64, n)
	within := 0
	for i := range ms {
		_, d := fs.draw("/cgi-bin/freepublish/submit")
		ms[i] = float64(d) / float64(time.Millisecond)
		if ms[i] >= 30 && ms[i] <= 70 {
			within++
		}
	}
	slices.Sort(ms)
	med, p99 := ms[n/2], ms[n*99/100]
	if math.Abs(med-50) > 1 || math.Abs(p99-90) > 3 {
		t.Errorf("median %.1f ms, p99 %.1f ms; want 50 and 90", med, p99)
	}
	if share := float64(within) / n; share < 0.87 || share > 0.91 {
		t.Errorf("%.3f within 30–70 ms, want about 0.89", share)
	}
}
