package webhook_test

import (
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/silenceper/wechat/v2/util"

	"github.com/passerelle-oss/passerelle/internal/desk"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/webhook"
)

// setupDesk is setup with the service desk answering pushes (or replier, when not
// nil) and applying them in the drain.
func setupDesk(t testing.TB, db *store.DB, plaintext bool, replier webhook.Replier) *deskBundle {
	t.Helper()
	b, org := start(t, db, fixture{plaintext: plaintext, desk: true, replier: replier})
	return &deskBundle{b, org}
}

type deskBundle struct {
	*bundle
	org int64
}

func textMsg(from string, at int64, msgID int, content string) []byte {
	return []byte(fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[%s]]></Content><MsgId>%d</MsgId></xml>`, from, at, content, msgID))
}

// plainPush returns the URL of a plaintext-mode push.
func (b *bundle) plainPush(nonce string) string {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "signature": {b.crypter.Sign(ts, nonce)}}
	return b.url + "?" + q.Encode()
}

type replyXML struct {
	ToUserName   string `xml:"ToUserName"`
	FromUserName string `xml:"FromUserName"`
	CreateTime   int64  `xml:"CreateTime"`
	MsgType      string `xml:"MsgType"`
	Content      string `xml:"Content"`
}

// openIndependently verifies and decrypts a safe-mode passive reply with silenceper's
// implementation of WeChat's algorithm, not ours.
func openIndependently(t *testing.T, body string) replyXML {
	t.Helper()
	var env struct {
		Encrypt      string `xml:"Encrypt"`
		MsgSignature string `xml:"MsgSignature"`
		TimeStamp    string `xml:"TimeStamp"`
		Nonce        string `xml:"Nonce"`
	}
	if err := xml.Unmarshal([]byte(body), &env); err != nil || env.Encrypt == "" {
		t.Fatalf("not a safe-mode reply envelope: %q (%v)", body, err)
	}
	if want := util.Signature(token, env.TimeStamp, env.Nonce, env.Encrypt); env.MsgSignature != want {
		t.Fatalf("MsgSignature %s, want %s", env.MsgSignature, want)
	}
	_, inner, err := util.DecryptMsg(appID, env.Encrypt, aesKey)
	if err != nil {
		t.Fatalf("silenceper cannot decrypt the reply: %v", err)
	}
	var r replyXML
	if err := xml.Unmarshal(inner, &r); err != nil {
		t.Fatalf("reply XML %q: %v", inner, err)
	}
	return r
}

func addRule(t testing.TB, db *store.DB, accountID int64, match, text string, keywords ...string) {
	t.Helper()
	if err := db.CreateReplyRule(context.Background(), &store.ReplyRule{AccountID: accountID, Keywords: keywords, Match: match, Text: text}); err != nil {
		t.Fatal(err)
	}
}

func TestPassiveReplySafeMode(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setupDesk(t, db, false, nil)
		const answer = "本馆开放时间：周二至周日 9:30–18:00。"
		addRule(t, db, b.account.ID, desk.MatchContains, answer, "开放时间")
		now := time.Now().Unix()
		u, body := b.safePush(t, textMsg("oVisitor1", now, 1001, "请问开放时间是几点？"), "n1")
		code, resp := post(t, u, body)
		if code != 200 {
			t.Fatalf("push: %d %s", code, resp)
		}
		r := openIndependently(t, resp)
		if r.Content != answer || r.ToUserName != "oVisitor1" || r.FromUserName != "gh_10f6c3c3ac5a" || r.MsgType != "text" {
			t.Fatalf("reply %+v", r)
		}
		// No keyword, no default reply: "success".
		u, body = b.safePush(t, textMsg("oVisitor1", now, 1002, "你好"), "n2")
		if code, resp := post(t, u, body); code != 200 || resp != "success" {
			t.Fatalf("no rule: %d %q", code, resp)
		}
	})
}

func TestPassiveReplyPlaintext(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setupDesk(t, db, true, nil)
		addRule(t, db, b.account.ID, desk.MatchExact, "Bonjour ! 欢迎", "hello")
		now := time.Now().Unix()
		code, resp := post(t, b.plainPush("p1"), textMsg("oVisitor2", now, 2001, " HELLO "))
		if code != 200 {
			t.Fatalf("push: %d %s", code, resp)
		}
		var r replyXML
		if err := xml.Unmarshal([]byte(resp), &r); err != nil || r.Content != "Bonjour ! 欢迎" || r.ToUserName != "oVisitor2" {
			t.Fatalf("reply %q (%v)", resp, err)
		}
		// exact does not match a longer message.
		if code, resp := post(t, b.plainPush("p2"), textMsg("oVisitor2", now, 2002, "hello there")); code != 200 || resp != "success" {
			t.Fatalf("exact: %d %q", code, resp)
		}
	})
}

func TestWelcomeAndDefaultReply(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setupDesk(t, db, false, nil)
		ctx := context.Background()
		p := &store.Placement{InstitutionID: b.account.InstitutionID, AccountID: b.account.ID, Key: "entrance", Name: "Entrance hall", Scene: "entrance", QRURL: "http://weixin.qq.com/q/x", Attributed: true, WelcomeText: "欢迎来到奥赛博物馆！语音导览：https://example.org/audio"}
		if err := db.CreatePlacement(ctx, p); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateReplyRule(ctx, &store.ReplyRule{AccountID: b.account.ID, Match: desk.MatchContains, Text: "默认回复", Default: true, Keywords: []string{}}); err != nil {
			t.Fatal(err)
		}
		now := time.Now().Unix()
		u, body := b.safePush(t, event("oNew", now, "subscribe", "qrscene_entrance"), "w1")
		code, resp := post(t, u, body)
		if code != 200 {
			t.Fatalf("%d %s", code, resp)
		}
		if r := openIndependently(t, resp); r.Content != p.WelcomeText {
			t.Fatalf("welcome %+v", r)
		}
		// A plain subscribe gets no welcome; a message without keyword the default.
		u, body = b.safePush(t, event("oPlain", now, "subscribe", ""), "w2")
		if _, resp := post(t, u, body); resp != "success" {
			t.Fatalf("plain subscribe: %q", resp)
		}
		u, body = b.safePush(t, textMsg("oPlain", now, 3001, "随便"), "w3")
		if _, resp := post(t, u, body); openIndependently(t, resp).Content != "默认回复" {
			t.Fatalf("default: %q", resp)
		}
	})
}

// slowReplier is a rule store that takes longer than the reply budget.
type slowReplier struct{ delay time.Duration }

func (s slowReplier) PassiveReply(ctx context.Context, _ int64, _ *wechat.Message) string {
	select {
	case <-time.After(s.delay):
		return "too late"
	case <-ctx.Done():
		return ""
	}
}

// TestSlowRulesDoNotBlockIngestion: a rule store slower than the budget gets no
// reply, but the event is stored and answered within the budget.
func TestSlowRulesDoNotBlockIngestion(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	b := setupDesk(t, db, false, slowReplier{delay: 10 * time.Second})
	u, body := b.safePush(t, textMsg("oSlow", time.Now().Unix(), 4001, "开放时间"), "s1")
	start := time.Now()
	code, resp := post(t, u, body)
	if code != 200 || resp != "success" {
		t.Fatalf("%d %q", code, resp)
	}
	if took := time.Since(start); took > webhook.ReplyBudget+2*time.Second {
		t.Fatalf("answered after %s", took)
	}
	if n := count(t, b.bundle); n != 1 {
		t.Fatalf("%d events stored", n)
	}
}

// TestReplyBudgetUnderLoad: with 100 keyword rules, 200 senders push at once (safe
// mode); every push is stored, and answered either with its own reply or, when the
// reply budget ran out, with "success" (WeChat then shows nothing and does not retry).
// How fast is for bench/desk (p99 answer time), not for a timed unit test: under -race
// on a busy machine some answers take longer than WeChat's 5 s.
func TestReplyBudgetUnderLoad(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	b := setupDesk(t, db, false, nil)
	for i := range 100 {
		addRule(t, db, b.account.ID, desk.MatchContains, fmt.Sprintf("答案 %d", i), fmt.Sprintf("关键词%03d", i))
	}
	const senders = 200
	var wg sync.WaitGroup
	errs := make(chan error, senders)
	var replied atomic.Int64
	now := time.Now().Unix()
	for i := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u, body := b.safePush(t, textMsg(fmt.Sprintf("oLoad%d", i), now, 5000+i, fmt.Sprintf("请问关键词%03d？", i%100)), fmt.Sprintf("l%d", i))
			resp, err := http.Post(u, "text/xml", strings.NewReader(string(body)))
			if err != nil {
				errs <- err
				return
			}
			defer resp.Body.Close()
			raw, err := io.ReadAll(resp.Body)
			if err != nil || resp.StatusCode != 200 {
				errs <- fmt.Errorf("sender %d: %d %v", i, resp.StatusCode, err)
				return
			}
			if string(raw) == "success" {
				return // the budget ran out: stored, not answered
			}
			var env struct {
				Encrypt string `xml:"Encrypt"`
			}
			if err := xml.Unmarshal(raw, &env); err != nil {
				errs <- fmt.Errorf("sender %d: %q", i, raw)
				return
			}
			inner, err := b.crypter.Decrypt(env.Encrypt)
			if err != nil {
				errs <- err
				return
			}
			var r replyXML
			if err := xml.Unmarshal(inner, &r); err != nil || r.Content != fmt.Sprintf("答案 %d", i%100) {
				errs <- fmt.Errorf("sender %d: reply %q", i, inner)
				return
			}
			replied.Add(1)
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	if replied.Load() == 0 {
		t.Error("no push got its reply")
	}
	t.Logf("%d of %d pushes answered with their reply", replied.Load(), senders)
	if n := count(t, b.bundle); n != senders {
		t.Fatalf("%d events stored, want %d", n, senders)
	}
}

// waitDrained waits until every stored event is processed.
func waitDrained(t *testing.T, db *store.DB, accountID int64, want int) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for {
		evs, err := db.WeChatEvents(context.Background(), store.EventFilter{AccountID: accountID, State: store.EventProcessed})
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) >= want {
			return
		}
		if time.Now().After(deadline) {
			failed, _ := db.WeChatEvents(context.Background(), store.EventFilter{AccountID: accountID, State: store.EventFailed})
			all, _ := db.WeChatEvents(context.Background(), store.EventFilter{AccountID: accountID})
			t.Logf("%d events stored", len(all))
			for _, e := range failed {
				t.Logf("failed: %s %s %s", e.Event, e.Scene, e.Error)
			}
			t.Fatalf("%d events processed, want %d", len(evs), want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestAttributionFromPushes plays a recorded sequence of pushes — subscribes through
// two codes, a returning scan, an unfollow, a re-subscribe without code and its
// unfollow, a code of no placement, a push for a deleted placement — and checks the
// counts per placement.
func TestAttributionFromPushes(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setupDesk(t, db, false, nil)
		ctx := context.Background()
		mk := func(key string) *store.Placement {
			p := &store.Placement{InstitutionID: b.account.InstitutionID, AccountID: b.account.ID, Key: key, Name: key, Scene: key, QRURL: "http://weixin.qq.com/q/" + key, Attributed: true}
			if err := db.CreatePlacement(ctx, p); err != nil {
				t.Fatal(err)
			}
			return p
		}
		entrance, room12, brochure := mk("entrance"), mk("room12"), mk("brochure")
		// Beijing noon today: all pushes fall on the same Beijing day.
		bj := time.FixedZone("CST", 8*3600)
		day := time.Now().In(bj)
		base := time.Date(day.Year(), day.Month(), day.Day(), 12, 0, 0, 0, bj).Unix()
		seq := []struct {
			from, ev, key string
		}{
			{"oA", "subscribe", "qrscene_entrance"},
			{"oB", "subscribe", "qrscene_entrance"},
			{"oC", "subscribe", "qrscene_room12"},
			{"oD", "SCAN", "entrance"},
			{"oA", "SCAN", "room12"},
			{"oA", "unsubscribe", ""},        // came through entrance: an unfollow of entrance
			{"oC", "subscribe", ""},          // re-subscribe without code (was already following)
			{"oC", "unsubscribe", ""},        // origin forgotten: no placement's unfollow
			{"oE", "unsubscribe", ""},        // never came through a code
			{"oF", "subscribe", "qrscene_x"}, // a code of no placement
			{"oG", "subscribe", "qrscene_brochure"},
		}
		for i, s := range seq {
			u, body := b.safePush(t, event(s.from, base+int64(i), s.ev, s.key), fmt.Sprintf("a%d", i))
			if code, resp := post(t, u, body); code != 200 {
				t.Fatalf("push %d: %d %s", i, code, resp)
			}
		}
		waitDrained(t, db, b.account.ID, len(seq))
		if err := db.DeletePlacement(ctx, brochure.ID); err != nil {
			t.Fatal(err)
		}
		// A push for the deleted placement is stored and counted under none (right
		// after the drain: the drain looks again when it found events).
		u, body := b.safePush(t, event("oH", base+100, "subscribe", "qrscene_brochure"), "a-del")
		if code, _ := post(t, u, body); code != 200 {
			t.Fatal(code)
		}
		waitDrained(t, db, b.account.ID, len(seq)+1)

		d := day.Format(time.DateOnly)
		stats, err := db.PlacementStats(ctx, b.account.InstitutionID, d, d)
		if err != nil {
			t.Fatal(err)
		}
		type line struct{ scans, follows, returning, unfollows int64 }
		got := map[string]line{}
		for _, s := range stats {
			k := "<nil>"
			if s.Key != nil {
				k = *s.Key
			}
			got[k] = line{s.Scans, s.NewFollows, s.ReturningScans, s.Unfollows}
		}
		want := map[string]line{
			"entrance": {3, 2, 1, 1},
			"room12":   {2, 1, 1, 0},
			"<nil>":    {3, 3, 0, 0}, // qrscene_x, brochure (deleted) twice
		}
		if len(got) != len(want) {
			t.Fatalf("stats %+v", got)
		}
		for k, w := range want {
			if got[k] != w {
				t.Errorf("%s: %+v, want %+v", k, got[k], w)
			}
		}
		_ = entrance
		_ = room12
		// Another day counts nothing.
		other := day.AddDate(0, 0, -3).Format(time.DateOnly)
		stats, _ = db.PlacementStats(ctx, b.account.InstitutionID, other, other)
		for _, s := range stats {
			if s.Scans+s.Unfollows != 0 {
				t.Errorf("other day: %+v", s)
			}
		}
	})
}

// TestInboxFromPushes: text, image and voice messages land in the follower's
// conversation; erasing the follower removes it.
func TestInboxFromPushes(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setupDesk(t, db, false, nil)
		ctx := context.Background()
		now := time.Now().Unix()
		msgs := [][]byte{
			textMsg("oInbox", now, 7001, "<script>alert(1)</script>你好"),
			[]byte(fmt.Sprintf(`<xml><ToUserName>gh_10f6c3c3ac5a</ToUserName><FromUserName>oInbox</FromUserName><CreateTime>%d</CreateTime><MsgType>image</MsgType><PicUrl>https://mmbiz.qpic.cn/x.jpg</PicUrl><MediaId>m1</MediaId><MsgId>7002</MsgId></xml>`, now+1)),
			[]byte(fmt.Sprintf(`<xml><ToUserName>gh_10f6c3c3ac5a</ToUserName><FromUserName>oInbox</FromUserName><CreateTime>%d</CreateTime><MsgType>voice</MsgType><MediaId>m2</MediaId><Format>amr</Format><Recognition>几点关门</Recognition><MsgId>7003</MsgId></xml>`, now+2)),
		}
		for i, m := range msgs {
			u, body := b.safePush(t, m, fmt.Sprintf("i%d", i))
			if code, resp := post(t, u, body); code != 200 {
				t.Fatalf("%d %s", code, resp)
			}
		}
		waitDrained(t, db, b.account.ID, len(msgs))
		cs, err := db.Conversations(ctx, store.ConversationFilter{AccountID: b.account.ID})
		if err != nil || len(cs) != 1 {
			t.Fatalf("conversations %v %v", cs, err)
		}
		c, err := db.Conversation(ctx, b.org, cs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Messages) != 3 || c.Messages[0].Content != "<script>alert(1)</script>你好" || c.Messages[1].Content != "https://mmbiz.qpic.cn/x.jpg" || c.Messages[2].Content != "几点关门" {
			t.Fatalf("messages %+v", c.Messages)
		}
		if n, err := db.EraseFollower(ctx, b.org, "oInbox"); err != nil || n < 5 {
			t.Fatalf("erase: %d %v", n, err)
		}
		if cs, _ := db.Conversations(ctx, store.ConversationFilter{AccountID: b.account.ID}); len(cs) != 0 {
			t.Fatalf("after erasure: %d conversations", len(cs))
		}
	})
}
