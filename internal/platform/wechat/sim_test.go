package wechat_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/platform"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
)

// simBundle is a simulator with the demo account (safe mode) pushing to a callback
// that opens and parses each push with the product's own code, and a client of it.
type simBundle struct {
	sim    *sim.Simulator
	base   string
	client *wechat.Client
	appID  string
	pushes chan *wechat.Message
}

func againstSim(t *testing.T) *simBundle {
	t.Helper()
	b := &simBundle{pushes: make(chan *wechat.Message, 16)}
	var crypter *wechat.Crypter
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		plain, err := crypter.OpenPush(body, wechat.ParsePushParams(r.URL.Query()), time.Now())
		if err != nil {
			t.Errorf("push: %v", err)
			return
		}
		m, err := wechat.ParseMessage(plain)
		if err != nil {
			t.Errorf("push: %v", err)
			return
		}
		b.pushes <- m
		io.WriteString(w, "success")
	}))
	t.Cleanup(cb.Close)
	acct := sim.DemoWeChatAccount(cb.URL + "/push")
	var err error
	crypter, err = wechat.NewCrypter(wechat.CrypterConfig{Token: acct.Token, EncodingAESKey: acct.EncodingAESKey, AppID: acct.AppID})
	if err != nil {
		t.Fatal(err)
	}
	b.appID = acct.AppID
	b.sim = sim.New(sim.Config{Seed: 5, WeChatAccounts: []sim.WeChatAccount{acct}, PublishDelay: 50 * time.Millisecond, TickInterval: 5 * time.Millisecond})
	srv := httptest.NewServer(b.sim)
	t.Cleanup(func() { b.sim.Close(); srv.Close() })
	b.base = srv.URL
	b.client, err = wechat.New(wechat.Config{BaseURL: srv.URL, AppID: acct.AppID, AppSecret: acct.Secret,
		HTTPClient: &http.Client{Timeout: 2 * time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// draft uploads a cover and adds a one-article draft titled title.
func (b *simBundle) draft(t *testing.T, title string) string {
	t.Helper()
	ctx := context.Background()
	m, err := b.client.AddMaterial(ctx, wechat.MaterialImage, "cover.png", append([]byte("\x89PNG\r\n\x1a\n"), make([]byte, 64)...), nil)
	if err != nil {
		t.Fatal(err)
	}
	id, err := b.client.AddDraft(ctx, []wechat.Article{{Title: title, Content: "<p>正文</p>", ThumbMediaID: m.MediaID}})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

// waitFinal polls freepublish/get until the publication leaves status 1.
func (b *simBundle) waitFinal(t *testing.T, publishID string) wechat.PublishStatus {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := b.client.GetPublish(context.Background(), publishID)
		if err != nil {
			t.Fatal(err)
		}
		if st.Status != wechat.PublishPublishing {
			return st
		}
		if time.Now().After(deadline) {
			t.Fatalf("publication %s still publishing", publishID)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func (b *simBundle) nextPush(t *testing.T) *wechat.PublishEventInfo {
	t.Helper()
	select {
	case m := <-b.pushes:
		if m.Event != wechat.EventPublishJobFinish || m.Publish == nil {
			t.Fatalf("push %+v", m)
		}
		return m.Publish
	case <-time.After(5 * time.Second):
		t.Fatal("no PUBLISHJOBFINISH push")
	}
	return nil
}

// TestPublishAgainstSimulator publishes through the client: freepublish/get, the push
// and the publish records agree on the article_id and URL.
func TestPublishAgainstSimulator(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := againstSim(t)
	pub, err := b.client.SubmitPublish(ctx, b.draft(t, "新展开幕"))
	if err != nil {
		t.Fatal(err)
	}
	st := b.waitFinal(t, pub.PublishID)
	if st.Status != wechat.PublishSuccess || st.ArticleID == "" || len(st.Articles) != 1 || st.Articles[0].Idx != 1 || st.Articles[0].URL == "" {
		t.Fatalf("status %+v", st)
	}
	ev := b.nextPush(t)
	if ev.PublishID != pub.PublishID || ev.PublishStatus != wechat.PublishSuccess || ev.ArticleID != st.ArticleID ||
		!slices.Equal(ev.Articles, st.Articles) {
		t.Errorf("push %+v, freepublish/get %+v", ev, st)
	}
	items, total, err := b.client.PublishedArticles(ctx, 0, wechat.MaxBatchGet)
	if err != nil {
		t.Fatal(err)
	}
	if total != 1 || len(items) != 1 || items[0].ArticleID != st.ArticleID || items[0].UpdateTime.IsZero() ||
		len(items[0].Articles) != 1 || items[0].Articles[0] != (wechat.PublishedArticle{Title: "新展开幕", URL: st.Articles[0].URL}) {
		t.Fatalf("publish records %d %+v", total, items)
	}

	// Tokens expire mid-run: the client gets a new one through stable_token by itself.
	if n, err := b.sim.ExpireWeChatTokens(b.appID); err != nil || n == 0 {
		t.Fatalf("expire: %d %v", n, err)
	}
	if _, _, err := b.client.PublishedArticles(ctx, 0, 1); err != nil {
		t.Fatalf("after token expiry: %v", err)
	}

	// A rejection ends in status 4 with the refused article, on both channels.
	if err := b.sim.SetPublishOutcome(b.appID, wechat.PublishRejected, 1); err != nil {
		t.Fatal(err)
	}
	pub, err = b.client.SubmitPublish(ctx, b.draft(t, "被拒的"))
	if err != nil {
		t.Fatal(err)
	}
	st = b.waitFinal(t, pub.PublishID)
	if st.Status != wechat.PublishRejected || st.ArticleID != "" || !slices.Equal(st.FailIdx, []int{1}) {
		t.Fatalf("rejected: %+v", st)
	}
	if ev := b.nextPush(t); ev.PublishStatus != wechat.PublishRejected || !slices.Equal(ev.FailIdx, []int{1}) || ev.ArticleID != "" {
		t.Errorf("rejection push %+v", ev)
	}
	if _, total, _ := b.client.PublishedArticles(ctx, 0, 1); total != 1 {
		t.Errorf("a rejected publication is in the records: total %d", total)
	}
}

// TestLostSubmitIsFoundOnce: a submit whose answer is lost is Ambiguous; the
// publication went out once, and the publish records show it.
func TestLostSubmitIsFoundOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := againstSim(t)
	draft := b.draft(t, "丢失的回应")
	if err := b.sim.SetPublishDelay(0); err != nil {
		t.Fatal(err)
	}
	// loseNext drops the answer of the next call of path.
	loseNext := func(path string) {
		t.Helper()
		rec := httptest.NewRecorder()
		b.sim.ServeHTTP(rec, httptest.NewRequest("POST", "/_sim/faults",
			strings.NewReader(`{"path":"`+path+`","lost_response_rate":1,"count":1}`)))
		if rec.Code != 200 {
			t.Fatalf("fault: %d %s", rec.Code, rec.Body)
		}
	}
	loseNext("/cgi-bin/freepublish/submit")
	if _, err := b.client.SubmitPublish(ctx, draft); platform.KindOf(err) != platform.Ambiguous {
		t.Fatalf("submit with a lost answer: %v, want Ambiguous", err)
	}
	arts, err := b.sim.WeChatArticles(b.appID)
	if err != nil || len(arts) != 1 || arts[0].Title != "丢失的回应" {
		t.Fatalf("simulator published %+v %v", arts, err)
	}
	// A lost answer to a read is Retryable: the caller tries again.
	loseNext("/cgi-bin/freepublish/batchget")
	if _, _, err := b.client.PublishedArticles(ctx, 0, 20); platform.KindOf(err) != platform.Retryable {
		t.Fatalf("batchget with a lost answer: %v, want Retryable", err)
	}
	items, total, err := b.client.PublishedArticles(ctx, 0, 20)
	if err != nil || total != 1 || items[0].ArticleID != arts[0].ArticleID || items[0].Articles[0].URL != arts[0].URL {
		t.Fatalf("publish records %d %+v %v; simulator %+v", total, items, err, arts)
	}
	if ev := b.nextPush(t); ev.PublishID != arts[0].PublishID || ev.PublishStatus != wechat.PublishSuccess {
		t.Errorf("push %+v", ev)
	}
}

// TestMassSendAgainstSim: a mass send is accepted once per clientmsgid (a repeat
// answers Duplicate with the first send's ids, and the simulator lists one send), the
// day's quota refuses another clientmsgid with 45028 (RateLimited until Beijing
// midnight), message/mass/get follows the send to SEND_SUCCESS, and the
// MASSSENDJOBFINISH push carries its counts and article URL.
func TestMassSendAgainstSim(t *testing.T) {
	t.Parallel()
	b := againstSim(t)
	ctx := context.Background()
	media := b.draft(t, "群发")
	first, err := b.client.SendAll(ctx, wechat.MassSend{MediaID: media, ClientMsgID: "passerelle-publication-7"})
	if err != nil || first.MsgID == "" || first.MsgDataID == "" || first.Duplicate {
		t.Fatalf("first send %+v %v", first, err)
	}
	again, err := b.client.SendAll(ctx, wechat.MassSend{MediaID: b.draft(t, "群发"), ClientMsgID: "passerelle-publication-7"})
	if err != nil || !again.Duplicate || again.MsgID != first.MsgID || again.MsgDataID != first.MsgDataID {
		t.Fatalf("repeat %+v %v", again, err)
	}
	_, err = b.client.SendAll(ctx, wechat.MassSend{MediaID: b.draft(t, "第二次"), ClientMsgID: "passerelle-publication-8"})
	var pe *platform.Error
	if platform.CodeOf(err) != wechat.CodeMassSendQuota || platform.KindOf(err) != platform.RateLimited || !errors.As(err, &pe) || pe.ResumeAt.IsZero() {
		t.Fatalf("over quota: %v", err)
	}
	sent, err := b.sim.WeChatMassSends(b.appID)
	if err != nil || len(sent) != 1 || sent[0].MsgID != first.MsgID || sent[0].ClientMsgID != "passerelle-publication-7" || len(sent[0].URLs) != 1 {
		t.Fatalf("simulator lists %+v %v", sent, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		st, err := b.client.MassStatus(ctx, first.MsgID)
		if err != nil {
			t.Fatal(err)
		}
		if st == wechat.MassSendSuccess {
			break
		}
		if st != wechat.MassSending || time.Now().After(deadline) {
			t.Fatalf("status %q", st)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := b.client.MassStatus(ctx, "123"); platform.CodeOf(err) != wechat.CodeInvalidMediaID {
		t.Fatalf("unknown msg_id: %v", err)
	}
	for {
		select {
		case m := <-b.pushes:
			if m.Event != wechat.EventMassSendJobFinish {
				continue
			}
			if m.MsgID != first.MsgID || m.Status != "send success" || m.SentCount != m.TotalCount || len(m.ArticleURLs) != 1 || m.ArticleURLs[0].URL != sent[0].URLs[0] {
				t.Fatalf("push %+v", m)
			}
			return
		case <-time.After(5 * time.Second):
			t.Fatal("no MASSSENDJOBFINISH push")
		}
	}
}
