package sim

import (
	"bytes"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// share posts text (and pic when not nil) and returns the Weibo error code, 0 on success.
func (b *bundle) share(t testing.TB, tok, text string, pic []byte) int {
	t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("status", text)
	mw.WriteField("rip", "203.0.113.7")
	if pic != nil {
		fw, _ := mw.CreateFormFile("pic", "p.jpg")
		fw.Write(pic)
	}
	mw.Close()
	req, _ := http.NewRequest("POST", b.srv.URL+"/2/statuses/share.json", &buf)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Authorization", "OAuth2 "+tok)
	var r struct {
		ErrorCode int    `json:"error_code"`
		IDStr     string `json:"idstr"`
	}
	b.do(t, req, &r)
	if r.ErrorCode == 0 && r.IDStr == "" {
		t.Fatal("share succeeded without idstr")
	}
	return r.ErrorCode
}

// wxErr calls a WeChat JSON API and returns its errcode.
func (b *bundle) wxErr(t testing.TB, path, tok string, body any) int {
	t.Helper()
	var r struct {
		ErrCode int `json:"errcode"`
	}
	b.wxCall(t, path, url.Values{"access_token": {tok}}, body, &r)
	return r.ErrCode
}

const link = " https://museum.example/expo/42"

// TestWeiboLimits checks the simulator against PLATFORMS.md, Weibo section.
func TestWeiboLimits(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		app  func(*WeiboApp)
		run  func(t *testing.T, b *bundle, tok string) int
		want int
	}{
		// 129 × 2 + 1 (space) + 20 (URL) = 279 units: 140 characters.
		{"140 characters with a URL", nil, func(t *testing.T, b *bundle, tok string) int {
			return b.share(t, tok, strings.Repeat("展", 129)+link, nil)
		}, 0},
		{"141 characters: 20012", nil, func(t *testing.T, b *bundle, tok string) int {
			return b.share(t, tok, strings.Repeat("展", 130)+link, nil)
		}, 20012},
		{"ASCII counts half", nil, func(t *testing.T, b *bundle, tok string) int {
			return b.share(t, tok, strings.Repeat("a", 259)+link, nil)
		}, 0},
		{"ASCII over the limit", nil, func(t *testing.T, b *bundle, tok string) int {
			return b.share(t, tok, strings.Repeat("a", 261)+link, nil)
		}, 20012},
		{"no URL: 10017", nil, func(t *testing.T, b *bundle, tok string) int {
			return b.share(t, tok, "卢浮宫新展", nil)
		}, 10017},
		{"URL off the safe domain: 10017", nil, func(t *testing.T, b *bundle, tok string) int {
			return b.share(t, tok, "卢浮宫新展 https://elsewhere.example/x", nil)
		}, 10017},
		{"subdomain of the safe domain", nil, func(t *testing.T, b *bundle, tok string) int {
			return b.share(t, tok, "卢浮宫新展 https://www.museum.example/x", nil)
		}, 0},
		{"#topic#: 10017", nil, func(t *testing.T, b *bundle, tok string) int {
			return b.share(t, tok, "#博物馆# 新展"+link, nil)
		}, 10017},
		{"picture just under 5 MB", nil, func(t *testing.T, b *bundle, tok string) int {
			return b.share(t, tok, "新展"+link, jpeg(5<<20-20))
		}, 0},
		{"picture of 5 MB: 20006", nil, func(t *testing.T, b *bundle, tok string) int {
			return b.share(t, tok, "新展"+link, jpeg(5<<20))
		}, 20006},
		{"BMP picture: 20005", nil, func(t *testing.T, b *bundle, tok string) int {
			return b.share(t, tok, "新展"+link, append([]byte("BM"), make([]byte, 100)...))
		}, 20005},
		{"duplicate: 20019", nil, func(t *testing.T, b *bundle, tok string) int {
			b.share(t, tok, "同一条"+link, nil)
			b.clock.Advance(time.Minute)
			return b.share(t, tok, "同一条"+link, nil)
		}, 20019},
		{"posting too often: 20016", nil, func(t *testing.T, b *bundle, tok string) int {
			b.share(t, tok, "一"+link, nil)
			b.clock.Advance(time.Second)
			return b.share(t, tok, "二"+link, nil)
		}, 20016},
		{"31st share in the hour: 10024", func(a *WeiboApp) { a.MinShareIntervalSeconds = -1 }, func(t *testing.T, b *bundle, tok string) int {
			b.clock.Advance(time.Hour - time.Duration(b.clock.Now().Unix()%3600)*time.Second) // top of an hour
			for i := range 30 {
				if code := b.share(t, tok, strings.Repeat("x", i+1)+link, nil); code != 0 {
					t.Fatalf("share %d: %d", i+1, code)
				}
			}
			return b.share(t, tok, "one too many"+link, nil)
		}, 10024},
		{"quota resets the next hour", func(a *WeiboApp) { a.SharesPerHour = 1 }, func(t *testing.T, b *bundle, tok string) int {
			b.share(t, tok, "a"+link, nil)
			b.clock.Advance(time.Hour)
			return b.share(t, tok, "b"+link, nil)
		}, 0},
		{"statuses/update is closed: 10014", nil, func(t *testing.T, b *bundle, tok string) int {
			var r struct {
				ErrorCode int `json:"error_code"`
			}
			b.call(t, "POST", "/2/statuses/update.json", url.Values{"status": {"x"}}, tok, &r)
			return r.ErrorCode
		}, 10014},
		{"expired token: 21327", func(a *WeiboApp) { a.TokenLifetimeSeconds = 86400 }, func(t *testing.T, b *bundle, tok string) int {
			b.clock.Advance(24 * time.Hour)
			return b.share(t, tok, "x"+link, nil)
		}, 21327},
		{"invalid token: 21332", nil, func(t *testing.T, b *bundle, tok string) int {
			return b.share(t, tok+"x", "x"+link, nil)
		}, 21332},
		{"101 ids: 10017", nil, func(t *testing.T, b *bundle, tok string) int {
			ids := strings.TrimSuffix(strings.Repeat("1,", 101), ",")
			var r struct {
				ErrorCode int `json:"error_code"`
			}
			b.call(t, "GET", "/2/statuses/count.json", url.Values{"ids": {ids}}, tok, &r)
			return r.ErrorCode
		}, 10017},
		{"hourly read limit: 10023", func(a *WeiboApp) { a.ReadsPerHour = 3 }, func(t *testing.T, b *bundle, tok string) int {
			var r any
			for range 4 {
				b.do(t, mustReq(t, "GET", b.srv.URL+"/2/statuses/count.json?ids=1", tok), &r)
			}
			if m, ok := r.(map[string]any); ok {
				return int(m["error_code"].(float64))
			}
			return 0
		}, 10023},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(c *Config) {
				if tc.app != nil {
					tc.app(&c.WeiboApps[0])
				}
			})
			tok, _ := b.weiboLogin(t, "卢浮宫")
			if got := tc.run(t, b, tok); got != tc.want {
				t.Errorf("error code %d, want %d", got, tc.want)
			}
		})
	}
}

func mustReq(t testing.TB, method, u, tok string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, u, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "OAuth2 "+tok)
	return req
}

func article(mut func(map[string]any)) map[string]any {
	a := map[string]any{"title": "卢浮宫新展", "author": "卢浮宫", "digest": "摘要", "content": "<p>正文</p>"}
	if mut != nil {
		mut(a)
	}
	return a
}

// TestWeChatLimits checks the simulator against PLATFORMS.md, WeChat section.
func TestWeChatLimits(t *testing.T) {
	t.Parallel()
	type env struct {
		b     *bundle
		tok   string
		thumb string
	}
	draft := func(t *testing.T, e env, a map[string]any) int {
		if _, ok := a["thumb_media_id"]; !ok {
			a["thumb_media_id"] = e.thumb
		}
		return e.b.wxErr(t, "/cgi-bin/draft/add", e.tok, map[string]any{"articles": []any{a}})
	}
	newDraft := func(t *testing.T, e env) string {
		var r struct {
			MediaID string `json:"media_id"`
		}
		e.b.wxCall(t, "/cgi-bin/draft/add", url.Values{"access_token": {e.tok}},
			map[string]any{"articles": []any{article(func(a map[string]any) { a["thumb_media_id"] = e.thumb })}}, &r)
		return r.MediaID
	}
	cases := []struct {
		name string
		acct func(*WeChatAccount)
		run  func(t *testing.T, e env) int
		want int
	}{
		{"wrong secret: 40125", nil, func(t *testing.T, e env) int {
			return e.b.wxErr(t, "/cgi-bin/stable_token", "", map[string]any{"grant_type": "client_credential", "appid": testAppID, "secret": "nope"})
		}, 40125},
		{"IP not whitelisted: 40164", func(a *WeChatAccount) { a.WhitelistedIPs = []string{"192.0.2.1"} }, func(t *testing.T, e env) int {
			var r struct {
				ErrCode int `json:"errcode"`
			}
			e.b.wxCall(t, "/cgi-bin/token", url.Values{"grant_type": {"client_credential"}, "appid": {testAppID}, "secret": {testWxSecret}}, nil, &r)
			return r.ErrCode
		}, 40164},
		{"unverified publish: 48001", func(a *WeChatAccount) { a.Verified = false }, func(t *testing.T, e env) int {
			return e.b.wxErr(t, "/cgi-bin/freepublish/submit", e.tok, map[string]any{"media_id": newDraft(t, e)})
		}, 48001},
		{"unverified analytics: 48001", func(a *WeChatAccount) { a.Verified = false }, func(t *testing.T, e env) int {
			return e.b.wxErr(t, "/datacube/getusersummary", e.tok, map[string]any{"begin_date": "2025-05-10", "end_date": "2025-05-10"})
		}, 48001},
		{"unverified may still draft", func(a *WeChatAccount) { a.Verified = false }, func(t *testing.T, e env) int {
			return draft(t, e, article(nil))
		}, 0},
		{"stale token: 40001", nil, func(t *testing.T, e env) int {
			return e.b.wxErr(t, "/cgi-bin/draft/add", "not-a-token", map[string]any{})
		}, 40001},
		{"expired token: 42001", nil, func(t *testing.T, e env) int {
			e.b.clock.Advance(2 * time.Hour)
			return draft(t, e, article(nil))
		}, 42001},
		{"replaced token works 5 more minutes", nil, func(t *testing.T, e env) int {
			var r struct {
				AccessToken string `json:"access_token"`
			}
			e.b.wxCall(t, "/cgi-bin/token", url.Values{"grant_type": {"client_credential"}, "appid": {testAppID}, "secret": {testWxSecret}}, nil, &r)
			e.b.clock.Advance(4 * time.Minute)
			return draft(t, e, article(nil))
		}, 0},
		{"replaced token stale after 5 minutes: 42001", nil, func(t *testing.T, e env) int {
			var r struct {
				AccessToken string `json:"access_token"`
			}
			e.b.wxCall(t, "/cgi-bin/token", url.Values{"grant_type": {"client_credential"}, "appid": {testAppID}, "secret": {testWxSecret}}, nil, &r)
			e.b.clock.Advance(6 * time.Minute)
			return draft(t, e, article(nil))
		}, 42001},
		{"force refresh twice in 30 s: 45011", nil, func(t *testing.T, e env) int {
			body := map[string]any{"grant_type": "client_credential", "appid": testAppID, "secret": testWxSecret, "force_refresh": true}
			e.b.wxErr(t, "/cgi-bin/stable_token", "", body)
			e.b.clock.Advance(10 * time.Second)
			return e.b.wxErr(t, "/cgi-bin/stable_token", "", body)
		}, 45011},
		{"21st force refresh of the day: 45009", nil, func(t *testing.T, e env) int {
			body := map[string]any{"grant_type": "client_credential", "appid": testAppID, "secret": testWxSecret, "force_refresh": true}
			for range 20 {
				if code := e.b.wxErr(t, "/cgi-bin/stable_token", "", body); code != 0 {
					t.Fatalf("force refresh: %d", code)
				}
				e.b.clock.Advance(31 * time.Second)
			}
			return e.b.wxErr(t, "/cgi-bin/stable_token", "", body)
		}, 45009},
		{"title of 32", nil, func(t *testing.T, e env) int {
			return draft(t, e, article(func(a map[string]any) { a["title"] = strings.Repeat("题", 32) }))
		}, 0},
		{"title of 33: 45003", nil, func(t *testing.T, e env) int {
			return draft(t, e, article(func(a map[string]any) { a["title"] = strings.Repeat("题", 33) }))
		}, 45003},
		{"author of 17: 45110", nil, func(t *testing.T, e env) int {
			return draft(t, e, article(func(a map[string]any) { a["author"] = strings.Repeat("作", 17) }))
		}, 45110},
		{"digest of 129: 45004", nil, func(t *testing.T, e env) int {
			return draft(t, e, article(func(a map[string]any) { a["digest"] = strings.Repeat("摘", 129) }))
		}, 45004},
		{"content of 19,999", nil, func(t *testing.T, e env) int {
			return draft(t, e, article(func(a map[string]any) { a["content"] = strings.Repeat("文", 19999) }))
		}, 0},
		{"content of 20,000: 45002", nil, func(t *testing.T, e env) int {
			return draft(t, e, article(func(a map[string]any) { a["content"] = strings.Repeat("文", 20000) }))
		}, 45002},
		{"script in content: 45166", nil, func(t *testing.T, e env) int {
			return draft(t, e, article(func(a map[string]any) { a["content"] = "<p>x</p><SCRIPT>alert(1)</SCRIPT>" }))
		}, 45166},
		{"unknown thumb: 40007", nil, func(t *testing.T, e env) int {
			return draft(t, e, article(func(a map[string]any) { a["thumb_media_id"] = "nope" }))
		}, 40007},
		{"thumb over 64 KB: 40009", nil, func(t *testing.T, e env) int {
			var r struct {
				ErrCode int `json:"errcode"`
			}
			e.b.upload(t, "/cgi-bin/material/add_material", url.Values{"access_token": {e.tok}, "type": {"thumb"}}, "media", "t.jpg", jpeg(64<<10), &r)
			return r.ErrCode
		}, 40009},
		{"image not an image: 40005", nil, func(t *testing.T, e env) int {
			var r struct {
				ErrCode int `json:"errcode"`
			}
			e.b.upload(t, "/cgi-bin/material/add_material", url.Values{"access_token": {e.tok}, "type": {"image"}}, "media", "t.jpg", []byte("hello"), &r)
			return r.ErrCode
		}, 40005},
		{"body image of 1 MB: 40009", nil, func(t *testing.T, e env) int {
			var r struct {
				ErrCode int `json:"errcode"`
			}
			e.b.upload(t, "/cgi-bin/media/uploadimg", url.Values{"access_token": {e.tok}}, "media", "b.png", pngBytes(1<<20), &r)
			return r.ErrCode
		}, 40009},
		{"second mass send of the day: 45028", nil, func(t *testing.T, e env) int {
			e.b.wxErr(t, "/cgi-bin/message/mass/sendall", e.tok, map[string]any{"filter": map[string]any{"is_to_all": true}, "mpnews": map[string]any{"media_id": newDraft(t, e)}, "msgtype": "mpnews", "clientmsgid": "a"})
			return e.b.wxErr(t, "/cgi-bin/message/mass/sendall", e.tok, map[string]any{"filter": map[string]any{"is_to_all": true}, "mpnews": map[string]any{"media_id": newDraft(t, e)}, "msgtype": "mpnews", "clientmsgid": "b"})
		}, 45028},
		{"same clientmsgid: 45065", func(a *WeChatAccount) { a.MassSendsPerDay = 5 }, func(t *testing.T, e env) int {
			body := map[string]any{"filter": map[string]any{"is_to_all": true}, "mpnews": map[string]any{"media_id": newDraft(t, e)}, "msgtype": "mpnews", "clientmsgid": "same"}
			e.b.wxErr(t, "/cgi-bin/message/mass/sendall", e.tok, body)
			return e.b.wxErr(t, "/cgi-bin/message/mass/sendall", e.tok, body)
		}, 45065},
		{"scene_str of 65: 40053", nil, func(t *testing.T, e env) int {
			return e.b.wxErr(t, "/cgi-bin/qrcode/create", e.tok, map[string]any{"action_name": "QR_LIMIT_STR_SCENE", "action_info": map[string]any{"scene": map[string]any{"scene_str": strings.Repeat("s", 65)}}})
		}, 40053},
		{"permanent scene_id over 100,000: 40053", nil, func(t *testing.T, e env) int {
			return e.b.wxErr(t, "/cgi-bin/qrcode/create", e.tok, map[string]any{"action_name": "QR_LIMIT_SCENE", "action_info": map[string]any{"scene": map[string]any{"scene_id": 100001}}})
		}, 40053},
		{"user summary over 7 days: 61501", nil, func(t *testing.T, e env) int {
			return e.b.wxErr(t, "/datacube/getusersummary", e.tok, map[string]any{"begin_date": "2025-05-09", "end_date": "2025-05-16"})
		}, 61501},
		{"analytics up to today: 61501", nil, func(t *testing.T, e env) int {
			return e.b.wxErr(t, "/datacube/getusercumulate", e.tok, map[string]any{"begin_date": "2025-05-18", "end_date": "2025-05-18"})
		}, 61501},
		{"bad date: 61500", nil, func(t *testing.T, e env) int {
			return e.b.wxErr(t, "/datacube/getusercumulate", e.tok, map[string]any{"begin_date": "2025/05/10", "end_date": "2025-05-10"})
		}, 61500},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, func(c *Config) {
				if tc.acct != nil {
					tc.acct(&c.WeChatAccounts[0])
				}
			})
			e := env{b: b}
			if tc.want == 40164 || tc.want == 40125 {
				// The case is about getting a token.
				if got := tc.run(t, e); got != tc.want {
					t.Errorf("errcode %d, want %d", got, tc.want)
				}
				return
			}
			e.tok = b.wxToken(t, testAppID, testWxSecret)
			var m struct {
				MediaID string `json:"media_id"`
				ErrCode int    `json:"errcode"`
			}
			b.upload(t, "/cgi-bin/material/add_material", url.Values{"access_token": {e.tok}, "type": {"thumb"}}, "media", "t.jpg", jpeg(1000), &m)
			if m.MediaID == "" {
				t.Fatalf("thumb upload: %d", m.ErrCode)
			}
			e.thumb = m.MediaID
			if got := tc.run(t, e); got != tc.want {
				t.Errorf("errcode %d, want %d", got, tc.want)
			}
		})
	}
}

func TestWeiboLength(t *testing.T) {
	t.Parallel()
	cases := []struct {
		text string
		want int
	}{
		{"", 0},
		{"a", 1},
		{"ab", 1},
		{"abc", 2},
		{"展", 1},
		{"展a", 2},
		{"http://x.example/very/long/path?q=1", 10},
		{"看 https://museum.example/a 吧", 13},
	}
	for _, tc := range cases {
		if got := weiboLength(tc.text); got != tc.want {
			t.Errorf("weiboLength(%q) = %d, want %d", tc.text, got, tc.want)
		}
	}
}
