package sim

import (
	"bytes"
	"encoding/xml"
	"image/png"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
)

type received struct {
	query url.Values
	body  []byte
}

// TestPublishAndScanPushes publishes an article and scans a QR code, and checks that
// the callback gets PUBLISHJOBFINISH, subscribe and SCAN, encrypted and signed as WeChat
// does, decrypted here with the product's own Crypter.
func TestPublishAndScanPushes(t *testing.T) {
	t.Parallel()
	got := make(chan received, 16)
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- received{r.URL.Query(), b}
		io.WriteString(w, "success")
	}))
	t.Cleanup(cb.Close)
	acct := DemoWeChatAccount(cb.URL + "/wechat/push")
	b := setup(t, func(c *Config) { c.WeChatAccounts = []WeChatAccount{acct} })
	crypter, err := wechat.NewCrypter(wechat.CrypterConfig{Token: acct.Token, EncodingAESKey: acct.EncodingAESKey, AppID: acct.AppID})
	if err != nil {
		t.Fatal(err)
	}
	next := func(t *testing.T) string {
		t.Helper()
		select {
		case m := <-got:
			q := m.query
			if q.Get("encrypt_type") != "aes" || !wechat.VerifySignature(q.Get("signature"), acct.Token, q.Get("timestamp"), q.Get("nonce")) {
				t.Fatalf("push query %v", q)
			}
			var env struct {
				Encrypt string `xml:"Encrypt"`
			}
			if err := xml.Unmarshal(m.body, &env); err != nil {
				t.Fatal(err)
			}
			if err := crypter.VerifyMsgSignature(q.Get("msg_signature"), q.Get("timestamp"), q.Get("nonce"), env.Encrypt); err != nil {
				t.Fatal(err)
			}
			plain, err := crypter.Decrypt(env.Encrypt)
			if err != nil {
				t.Fatal(err)
			}
			return string(plain)
		case <-time.After(5 * time.Second):
			t.Fatal("no push")
		}
		return ""
	}

	tok := b.wxToken(t, acct.AppID, acct.Secret)
	q := url.Values{"access_token": {tok}}
	var m struct {
		MediaID string `json:"media_id"`
	}
	b.upload(t, "/cgi-bin/material/add_material", url.Values{"access_token": {tok}, "type": {"image"}}, "media", "c.png", pngBytes(100), &m)
	var d struct {
		MediaID string `json:"media_id"`
	}
	b.wxCall(t, "/cgi-bin/draft/add", q, map[string]any{"articles": []any{article(func(a map[string]any) { a["thumb_media_id"] = m.MediaID })}}, &d)
	var sub struct {
		PublishID string `json:"publish_id"`
		MsgDataID int64  `json:"msg_data_id"`
	}
	b.wxCall(t, "/cgi-bin/freepublish/submit", q, map[string]any{"media_id": d.MediaID}, &sub)
	if sub.PublishID == "" || sub.MsgDataID == 0 {
		t.Fatalf("submit: %+v", sub)
	}
	var st struct {
		PublishStatus int `json:"publish_status"`
		ArticleDetail struct {
			Item []struct {
				ArticleURL string `json:"article_url"`
			} `json:"item"`
		} `json:"article_detail"`
	}
	b.wxCall(t, "/cgi-bin/freepublish/get", q, map[string]any{"publish_id": sub.PublishID}, &st)
	if st.PublishStatus != 1 {
		t.Fatalf("status right after submit: %d, want 1 (publishing)", st.PublishStatus)
	}
	b.clock.Advance(3 * time.Minute)
	b.wxCall(t, "/cgi-bin/freepublish/get", q, map[string]any{"publish_id": sub.PublishID}, &st)
	if st.PublishStatus != 0 || len(st.ArticleDetail.Item) != 1 {
		t.Fatalf("status after the delay: %+v", st)
	}
	if msg := next(t); !strings.Contains(msg, "<Event><![CDATA[PUBLISHJOBFINISH]]></Event>") ||
		!strings.Contains(msg, "<publish_id>"+sub.PublishID+"</publish_id>") || !strings.Contains(msg, st.ArticleDetail.Item[0].ArticleURL[:30]) {
		t.Errorf("publish push: %s", msg)
	}

	var code struct {
		Ticket string `json:"ticket"`
		URL    string `json:"url"`
	}
	b.wxCall(t, "/cgi-bin/qrcode/create", q, map[string]any{"action_name": "QR_LIMIT_STR_SCENE", "action_info": map[string]any{"scene": map[string]any{"scene_str": "room-12"}}}, &code)
	resp, err := http.Get(b.srv.URL + "/cgi-bin/showqrcode?ticket=" + url.QueryEscape(code.Ticket))
	if err != nil {
		t.Fatal(err)
	}
	img, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if cfg, err := png.DecodeConfig(bytes.NewReader(img)); err != nil || cfg.Width < 21*8 {
		t.Fatalf("showqrcode: %v %+v", err, cfg)
	}

	res, err := b.sim.Scan(ScanRequest{AppID: acct.AppID, Scene: "room-12", NewVisitors: 1, ReturningVisitors: 1})
	if err != nil || len(res.Subscribed) != 1 || len(res.Scanned) != 1 {
		t.Fatalf("scan: %+v %v", res, err)
	}
	msgs := next(t) + next(t)
	for _, want := range []string{
		"<Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_room-12]]></EventKey>",
		"<Event><![CDATA[SCAN]]></Event><EventKey><![CDATA[room-12]]></EventKey>",
		"<FromUserName><![CDATA[" + res.Subscribed[0] + "]]></FromUserName>",
	} {
		if !strings.Contains(msgs, want) {
			t.Errorf("scan pushes lack %s:\n%s", want, msgs)
		}
	}

	// The article gains reads over the following days; the subscriber is counted.
	b.clock.Advance(48 * time.Hour)
	q = url.Values{"access_token": {b.wxToken(t, acct.AppID, acct.Secret)}}
	var sum struct {
		List []struct {
			UserSource int `json:"user_source"`
			NewUser    int `json:"new_user"`
		} `json:"list"`
	}
	b.wxCall(t, "/datacube/getusersummary", q, map[string]any{"begin_date": "2025-05-18", "end_date": "2025-05-18"}, &sum)
	var viaQR int
	for _, row := range sum.List {
		if row.UserSource == 30 {
			viaQR = row.NewUser
		}
	}
	if viaQR != 1 {
		t.Errorf("QR subscriptions on the day: %d, want 1 (%+v)", viaQR, sum.List)
	}
	var reads struct {
		List []struct {
			MsgID    string `json:"msgid"`
			ReadUser int64  `json:"read_user"`
		} `json:"list"`
	}
	b.wxCall(t, "/datacube/getarticleread", q, map[string]any{"begin_date": "2025-05-18", "end_date": "2025-05-18"}, &reads)
	if len(reads.List) != 1 || reads.List[0].ReadUser <= 0 || !strings.HasSuffix(reads.List[0].MsgID, "_1") {
		t.Errorf("article reads: %+v", reads.List)
	}
}

// TestMetricsDeterministic checks that the same seed gives the same figures and that
// counts only grow.
func TestMetricsDeterministic(t *testing.T) {
	t.Parallel()
	counts := func() []int64 {
		b := setup(t, nil)
		tok, _ := b.weiboLogin(t, "奥赛博物馆")
		var st struct {
			IDStr string `json:"idstr"`
		}
		b.call(t, "POST", "/2/statuses/share.json", url.Values{"status": {"新展" + link}, "rip": {"203.0.113.7"}}, tok, &st)
		var out []int64
		for range 4 {
			b.clock.Advance(5 * time.Hour)
			var c []struct {
				Comments, Reposts, Attitudes int64
			}
			b.call(t, "GET", "/2/statuses/count.json", url.Values{"ids": {st.IDStr}}, tok, &c)
			if len(c) != 1 {
				t.Fatalf("count: %+v", c)
			}
			out = append(out, c[0].Comments, c[0].Reposts, c[0].Attitudes)
		}
		return out
	}
	a, b := counts(), counts()
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("same seed, different figures: %v vs %v", a, b)
		}
		if i >= 3 && a[i] < a[i-3] {
			t.Fatalf("a count went down: %v", a)
		}
	}
	if a[len(a)-1] == 0 {
		t.Errorf("no likes after 20 hours: %v", a)
	}
}
