package webhook_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/desk"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/webhook"
)

const (
	aesKey = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
	token  = "spamtest"
	appID  = "wx2c2769f8efd9abc2"
)

type bundle struct {
	db      *store.DB
	url     string
	account *passerelle.Account
	crypter *wechat.Crypter
	jobs    *jobs.Client
}

// setup boots a server with the webhook on a real database, a WeChat account with
// credentials (safe mode unless plaintext), and a working job client.
func setup(t testing.TB, db *store.DB, plaintext bool) *bundle {
	t.Helper()
	followers := int64(100)
	b, _ := start(t, db, fixture{plaintext: plaintext, followers: &followers})
	return b
}

// fixture says how start sets the webhook up.
type fixture struct {
	plaintext bool
	followers *int64
	// desk makes the service desk apply pushes in the drain and answer them (or
	// replier, when not nil).
	desk    bool
	replier webhook.Replier
}

// start is setup with f; it also returns the organization's id.
func start(t testing.TB, db *store.DB, f fixture) (*bundle, int64) {
	t.Helper()
	ctx := context.Background()
	org, err := db.CreateOrganization(ctx, "Agence")
	if err != nil {
		t.Fatal(err)
	}
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Musée d'Orsay"}
	if err := db.CreateInstitution(ctx, inst); err != nil {
		t.Fatal(err)
	}
	a := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.WeChat, DisplayName: "奥赛博物馆", Followers: f.followers}
	if err := db.CreateAccount(ctx, org.ID, a); err != nil {
		t.Fatal(err)
	}
	creds := map[string]string{"appid": appID, "app_secret": "s", "token": token}
	cfg := wechat.CrypterConfig{Token: token, AppID: appID}
	if !f.plaintext {
		creds["encoding_aes_key"] = aesKey
		cfg.EncodingAESKey = aesKey
	}
	if err := db.SetCredentials(ctx, org.ID, a.ID, creds); err != nil {
		t.Fatal(err)
	}
	c, err := wechat.NewCrypter(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := jobs.Migrate(ctx, db, nil); err != nil {
		t.Fatal(err)
	}
	drain := &webhook.DrainWorker{DB: db}
	replier := f.replier
	if f.desk {
		svc := &desk.Service{DB: db}
		drain.Desk = svc
		if replier == nil {
			replier = svc
		}
	}
	workers := river.NewWorkers()
	river.AddWorker(workers, drain)
	jc, err := jobs.New(db, jobs.Options{Workers: workers, Work: true, FetchPollInterval: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	if err := jc.Start(ctx); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Options{DB: db})
	h := webhook.Register(webhook.Options{DB: db, Jobs: jc, Server: srv, Replier: replier})
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(func() {
		ts.Close()
		h.Close()
		stop, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		jc.Stop(stop)
	})
	return &bundle{db: db, url: ts.URL + "/wechat/callback/" + strconv.FormatInt(a.ID, 10), account: a, crypter: c, jobs: jc}, org.ID
}

func event(from string, at int64, ev, key string) []byte {
	return []byte(fmt.Sprintf(`<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><FromUserName><![CDATA[%s]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[%s]]></Event><EventKey><![CDATA[%s]]></EventKey></xml>`, from, at, ev, key))
}

// safePush returns the URL and body of a safe-mode push of msg.
func (b *bundle) safePush(t testing.TB, msg []byte, nonce string) (string, []byte) {
	t.Helper()
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	body, msgSig, err := b.crypter.EncryptPush("gh_10f6c3c3ac5a", msg, ts, nonce)
	if err != nil {
		t.Fatal(err)
	}
	q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "encrypt_type": {"aes"}, "msg_signature": {msgSig}, "signature": {b.crypter.Sign(ts, nonce)}}
	return b.url + "?" + q.Encode(), body
}

func post(t testing.TB, u string, body []byte) (int, string) {
	t.Helper()
	resp, err := http.Post(u, "text/xml", strings.NewReader(string(body)))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func count(t testing.TB, b *bundle) int {
	t.Helper()
	n, err := b.db.CountWeChatEvents(context.Background(), b.account.ID)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestSafeModePush(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db, false)
		now := time.Now().Unix()
		u, body := b.safePush(t, event("oUser1", now, "subscribe", "qrscene_room12"), "n1")
		if code, resp := post(t, u, body); code != 200 || resp != "success" {
			t.Fatalf("push: %d %q", code, resp)
		}
		// WeChat's retry of the same event (new nonce and signature) is stored once.
		u2, body2 := b.safePush(t, event("oUser1", now, "subscribe", "qrscene_room12"), "n2")
		if code, _ := post(t, u2, body2); code != 200 {
			t.Fatalf("retry: %d", code)
		}
		// The very same request again is answered, not stored again.
		if code, _ := post(t, u, body); code != 200 {
			t.Fatalf("replay of the same request: %d", code)
		}
		if n := count(t, b); n != 1 {
			t.Fatalf("stored %d events, want 1", n)
		}
		events, err := db.WeChatEvents(context.Background(), store.EventFilter{AccountID: b.account.ID})
		if err != nil || len(events) != 1 || events[0].Event != "subscribe" || events[0].Scene != "room12" {
			t.Fatalf("events = %+v, %v", events, err)
		}
		// The drain job makes the follower count follow.
		deadline := time.Now().Add(10 * time.Second)
		for {
			a, err := db.Account(context.Background(), inst(t, db, b), b.account.ID)
			if err != nil {
				t.Fatal(err)
			}
			if *a.Followers == 101 {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("followers = %d, want 101", *a.Followers)
			}
			time.Sleep(20 * time.Millisecond)
		}
	})
}

func inst(t testing.TB, db *store.DB, b *bundle) int64 {
	orgs, err := db.Organizations(context.Background())
	if err != nil || len(orgs) == 0 {
		t.Fatal(err)
	}
	return orgs[0].ID
}

func TestRefusedPushes(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	b := setup(t, db, false)
	now := time.Now()
	good, body := b.safePush(t, event("oUser2", now.Unix(), "SCAN", "room3"), "n9")
	tamper := func(u, key, val string) string {
		p, _ := url.Parse(u)
		q := p.Query()
		q.Set(key, val)
		p.RawQuery = q.Encode()
		return p.String()
	}
	staleTS := strconv.FormatInt(now.Add(-301*time.Second).Unix(), 10)
	staleBody, staleSig, _ := b.crypter.EncryptPush("gh", event("oUser2", now.Unix(), "SCAN", "room3"), staleTS, "n3")
	stale := b.url + "?" + url.Values{"timestamp": {staleTS}, "nonce": {"n3"}, "encrypt_type": {"aes"}, "msg_signature": {staleSig}, "signature": {b.crypter.Sign(staleTS, "n3")}}.Encode()
	// Beyond the 5-minute window by a minute: the server reads its clock later than
	// the test did (seconds later under -race on a loaded machine), which brings a
	// future timestamp closer; a 1 s margin made this case flaky.
	futureTS := strconv.FormatInt(now.Add(360*time.Second).Unix(), 10)
	futureBody, futureSig, _ := b.crypter.EncryptPush("gh", event("oUser2", now.Unix(), "SCAN", "room3"), futureTS, "n4")
	future := b.url + "?" + url.Values{"timestamp": {futureTS}, "nonce": {"n4"}, "encrypt_type": {"aes"}, "msg_signature": {futureSig}, "signature": {b.crypter.Sign(futureTS, "n4")}}.Encode()
	tests := []struct {
		name string
		url  string
		body []byte
		want int
	}{
		{"bad signature", tamper(good, "msg_signature", strings.Repeat("0", 40)), body, 401},
		{"no signature", tamper(good, "msg_signature", ""), body, 401},
		{"tampered body", good, []byte(strings.Replace(string(body), "<Encrypt><![CDATA[", "<Encrypt><![CDATA[A", 1)), 401},
		{"stale timestamp", stale, staleBody, 401},
		{"future timestamp", future, futureBody, 401},
		{"oversized body", good, []byte(strings.Repeat("x", 65*1024)), 413},
		{"not xml", good, []byte("hello"), 422},
		{"unknown account", strings.Replace(good, "/callback/", "/callback/9", 1), body, 404},
		{"not an id", strings.Replace(good, "/callback/"+strconv.FormatInt(b.account.ID, 10), "/callback/x", 1), body, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if code, resp := post(t, tt.url, tt.body); code != tt.want {
				t.Fatalf("status %d (%q), want %d", code, resp, tt.want)
			}
		})
	}
	if n := count(t, b); n != 0 {
		t.Fatalf("refused pushes stored %d events", n)
	}
}

// TestPlaintextReplay: in plaintext mode the signature does not cover the body, so a
// replayed signed URL with another body is refused.
func TestPlaintextReplay(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	b := setup(t, db, true)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	u := b.url + "?" + url.Values{"timestamp": {ts}, "nonce": {"p1"}, "signature": {wechat.Signature(token, ts, "p1")}}.Encode()
	if code, resp := post(t, u, event("oA", time.Now().Unix(), "subscribe", "")); code != 200 {
		t.Fatalf("plaintext push: %d %q", code, resp)
	}
	if code, _ := post(t, u, event("oForged", time.Now().Unix(), "unsubscribe", "")); code != 401 {
		t.Fatalf("replayed signature with a forged body: %d, want 401", code)
	}
	if n := count(t, b); n != 1 {
		t.Fatalf("stored %d, want 1", n)
	}
}

func TestURLVerification(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	b := setup(t, db, false)
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	q := url.Values{"timestamp": {ts}, "nonce": {"v1"}, "signature": {wechat.Signature(token, ts, "v1")}, "echostr": {"12345abc"}}
	resp, err := http.Get(b.url + "?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	got, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(got) != "12345abc" {
		t.Fatalf("echo: %d %q", resp.StatusCode, got)
	}
	q.Set("signature", strings.Repeat("1", 40))
	resp, _ = http.Get(b.url + "?" + q.Encode())
	resp.Body.Close()
	if resp.StatusCode != 401 {
		t.Fatalf("bad echo signature: %d", resp.StatusCode)
	}
}

// TestConcurrentDuplicates sends every event twice from many goroutines: each is
// stored exactly once and none is lost.
func TestConcurrentDuplicates(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db, false)
		const senders, perSender = 20, 10
		var wg sync.WaitGroup
		var failures atomic.Int32
		base := time.Now().Unix()
		for s := range senders {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range perSender {
					msg := event(fmt.Sprintf("o%d", s), base+int64(i), "SCAN", "hall")
					for try := range 2 {
						u, body := b.safePush(t, msg, fmt.Sprintf("%d-%d-%d", s, i, try))
						if code, _ := post(t, u, body); code != 200 {
							failures.Add(1)
						}
					}
				}
			}()
		}
		wg.Wait()
		if failures.Load() != 0 {
			t.Fatalf("%d pushes failed", failures.Load())
		}
		if n := count(t, b); n != senders*perSender {
			t.Fatalf("stored %d, want %d", n, senders*perSender)
		}
	})
}

// Issue 9, finding 4: a signed push with an absurd CreateTime is refused at the edge
// with a 4xx and stores nothing; later pushes are processed.
func TestPushCreateTimeOutOfRange(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db, false)
		for i, at := range []int64{9223372036854775807, 253402300800, 946684799, 0} {
			u, body := b.safePush(t, event("oUser9", at, "subscribe", ""), fmt.Sprintf("bad%d", i))
			if code, resp := post(t, u, body); code < 400 || code >= 500 {
				t.Fatalf("CreateTime %d: %d %q, want a 4xx", at, code, resp)
			}
		}
		if n := count(t, b); n != 0 {
			t.Fatalf("stored %d events", n)
		}
		u, body := b.safePush(t, event("oUser1", time.Now().Unix(), "subscribe", ""), "good")
		if code, _ := post(t, u, body); code != 200 {
			t.Fatalf("a good push after the bad ones: %d", code)
		}
	})
}

// Issue 9, finding 4: the drain sets aside an event it cannot process, listed as
// failed with its reason, and processes the others instead of failing forever.
func TestDrainSetsAsideWhatItCannotProcess(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db, true)
		now := time.Now().UTC()
		push := func(key string) {
			_, err := db.StorePushes(ctx, []store.Push{{AccountID: b.account.ID, SigKey: key, BodyHash: key, Event: &store.WeChatEvent{
				DedupKey: key, MsgType: "event", Event: "subscribe", FromUser: "o", SentAt: now, Payload: "<xml/>"}}}, nil)
			if err != nil {
				t.Fatal(err)
			}
		}
		push("poison")
		push("fine")
		if db.Dialect() == store.SQLite {
			// What the unbounded CreateTime left in SQLite before the fix.
			if _, err := db.SQL().ExecContext(ctx, `UPDATE wechat_events SET sent_at = '292277026596-12-04T15:30:07.000000Z' WHERE dedup_key = 'poison'`); err != nil {
				t.Fatal(err)
			}
		}
		seen := 0
		n, err := db.DrainWeChatEvents(ctx, 10, func(tx *store.Tx, e *store.WeChatEvent) error {
			seen++
			if e.DedupKey == "poison" {
				return passerelle.Errorf(passerelle.EINVALID, "Cannot apply this event.")
			}
			return nil
		})
		if err != nil || n != 1 {
			t.Fatalf("drain: %d %v, want the good event processed", n, err)
		}
		events, err := db.WeChatEvents(ctx, store.EventFilter{AccountID: b.account.ID})
		if err != nil {
			t.Fatalf("listing after a poisoned row: %v", err)
		}
		states := map[string]string{}
		for _, e := range events {
			states[e.DedupKey] = e.State
			if e.State == store.EventFailed && e.Error == "" {
				t.Errorf("failed without a reason: %+v", e)
			}
		}
		if states["poison"] != store.EventFailed || states["fine"] != store.EventProcessed {
			t.Fatalf("states %v", states)
		}
		failed, err := db.WeChatEvents(ctx, store.EventFilter{AccountID: b.account.ID, State: store.EventFailed})
		if err != nil || len(failed) != 1 {
			t.Fatalf("failed events: %d %v", len(failed), err)
		}
		// Set aside, it is not tried again.
		if n, err := db.DrainWeChatEvents(ctx, 10, func(*store.Tx, *store.WeChatEvent) error { t.Fatal("retried"); return nil }); err != nil || n != 0 {
			t.Fatalf("second drain: %d %v", n, err)
		}
	})
}

// The drain marks processed exactly the events it applied, in one statement per batch
// whatever the batch's size: a batch of limit leaves the later events pending, and an
// event stored between two drains is applied by the next one, once.
func TestDrainMarksEachBatchOnce(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db, true)
		now := time.Now().UTC()
		store1 := func(from, to int) {
			var pushes []store.Push
			for i := from; i < to; i++ {
				key := fmt.Sprintf("e%03d", i)
				pushes = append(pushes, store.Push{AccountID: b.account.ID, SigKey: key, BodyHash: key, Event: &store.WeChatEvent{
					DedupKey: key, MsgType: "event", Event: "CLICK", FromUser: "o", SentAt: now, Payload: "<xml/>"}})
			}
			if _, err := db.StorePushes(ctx, pushes, nil); err != nil {
				t.Fatal(err)
			}
		}
		applied := map[string]int{}
		drain := func(limit int) int {
			n, err := db.DrainWeChatEvents(ctx, limit, func(tx *store.Tx, e *store.WeChatEvent) error {
				applied[e.DedupKey]++
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		pending := func() int {
			events, err := db.WeChatEvents(ctx, store.EventFilter{AccountID: b.account.ID, State: store.EventPending})
			if err != nil {
				t.Fatal(err)
			}
			return len(events)
		}
		store1(0, 11)
		// 5 (padded to 8), 5, then the last one (a list of one).
		for _, want := range []int{5, 5, 1, 0} {
			if n := drain(5); n != want {
				t.Fatalf("drained %d, want %d", n, want)
			}
		}
		store1(11, 14)
		if n := drain(100); n != 3 || pending() != 0 {
			t.Fatalf("drained %d, %d pending", n, pending())
		}
		if len(applied) != 14 {
			t.Fatalf("applied %d events, want 14", len(applied))
		}
		for k, n := range applied {
			if n != 1 {
				t.Errorf("%s applied %d times", k, n)
			}
		}
	})
}
