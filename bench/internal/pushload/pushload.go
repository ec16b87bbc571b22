// Package pushload drives the WeChat push endpoint for the benchmark programs under
// bench/ (push, desk): a migrated database, a WeChat account in safe mode served on
// loopback, requests encrypted and signed as WeChat sends them, and concurrent senders
// that time every answer.
package pushload

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/secret"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/webhook"
)

// Token and AESKey are the benchmark accounts' push credentials.
const Token, AESKey = "benchtoken", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"

// OpenDB opens and migrates a store (with the job queue's tables): PostgreSQL when pg
// is set, else SQLite in dir.
func OpenDB(ctx context.Context, dir, pg string) (*store.DB, error) {
	keys, err := secret.NewKeyring(map[int][]byte{1: secret.NewKey()})
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, store.Options{URL: pg, DataDir: dir, Keys: keys})
	if err != nil {
		return nil, err
	}
	if err := db.Migrate(ctx); err != nil {
		db.Close()
		return nil, err
	}
	if err := jobs.Migrate(ctx, db, nil); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// Endpoint is one WeChat account's push endpoint, served on loopback.
type Endpoint struct {
	AccountID int64
	URL       string
	Crypter   *wechat.Crypter
	close     func()
}

// Close stops the endpoint's HTTP server and webhook.
func (e *Endpoint) Close() { e.close() }

// Serve creates a WeChat account of institution inst in safe mode with appID and the
// benchmark credentials, and serves its push endpoint with replier (nil: none).
func Serve(ctx context.Context, db *store.DB, org, inst int64, appID string, jc *jobs.Client, replier webhook.Replier) (*Endpoint, error) {
	acc := &passerelle.Account{InstitutionID: inst, Platform: passerelle.WeChat, DisplayName: appID}
	if err := db.CreateAccount(ctx, org, acc); err != nil {
		return nil, err
	}
	if err := db.SetCredentials(ctx, org, acc.ID, map[string]string{"appid": appID, "token": Token, "encoding_aes_key": AESKey}); err != nil {
		return nil, err
	}
	c, err := wechat.NewCrypter(wechat.CrypterConfig{Token: Token, EncodingAESKey: AESKey, AppID: appID})
	if err != nil {
		return nil, err
	}
	srv := server.New(server.Options{DB: db})
	wh := webhook.Register(webhook.Options{DB: db, Jobs: jc, Server: srv, Replier: replier})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		wh.Close()
		return nil, err
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	return &Endpoint{AccountID: acc.ID, URL: fmt.Sprintf("http://%s/wechat/callback/%d", ln.Addr(), acc.ID), Crypter: c,
		close: func() { hs.Close(); wh.Close() }}, nil
}

// Request is one push, encrypted and signed; Want is the answer a check expects.
type Request struct {
	URL  string
	Body []byte
	Want string
}

// Push encrypts msg (WeChat's inner XML) for the endpoint with nonce, as WeChat does:
// the clock starts after all requests are made, so that this is WeChat's side of the
// work.
func (e *Endpoint) Push(msg []byte, nonce string) (Request, error) {
	ts := strconv.FormatInt(time.Now().Unix(), 10)
	body, sig, err := e.Crypter.EncryptPush("gh_bench", msg, ts, nonce)
	if err != nil {
		return Request{}, err
	}
	q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "encrypt_type": {"aes"}, "msg_signature": {sig}, "signature": {e.Crypter.Sign(ts, nonce)}}
	return Request{URL: e.URL + "?" + q.Encode(), Body: body}, nil
}

// Result is what a Send measured.
type Result struct {
	Requests int
	Elapsed  time.Duration
	// Latencies of the answered requests, sorted.
	Latencies []time.Duration
	Failed    int64
	// FirstError describes the first failure.
	FirstError string
}

// PerSecond is the throughput over the whole send.
func (r *Result) PerSecond() float64 { return float64(r.Requests) / r.Elapsed.Seconds() }

// Percentile returns the p-th (0–1) latency; 0 when nothing was answered.
func (r *Result) Percentile(p float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[min(len(r.Latencies)-1, int(p*float64(len(r.Latencies))))]
}

// Max is the slowest answer.
func (r *Result) Max() time.Duration { return r.Percentile(1) }

// Send posts reqs in order from senders concurrent senders. check judges each answer
// (nil: any 200 is right); a transport error, another status or a check's error counts
// as a failure.
func Send(reqs []Request, senders int, check func(r Request, body []byte) error) *Result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders, MaxConnsPerHost: senders}, Timeout: 10 * time.Second}
	var next, failed atomic.Int64
	var firstErr atomic.Value
	fail := func(msg string) {
		failed.Add(1)
		firstErr.CompareAndSwap(nil, msg)
	}
	lat := make([][]time.Duration, senders)
	start := time.Now()
	var wg sync.WaitGroup
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(len(reqs)) {
					return
				}
				r := reqs[i]
				t0 := time.Now()
				resp, err := client.Post(r.URL, "text/xml", bytes.NewReader(r.Body))
				if err != nil {
					fail(err.Error())
					continue
				}
				b, err := io.ReadAll(resp.Body)
				resp.Body.Close()
				lat[s] = append(lat[s], time.Since(t0))
				switch {
				case err != nil:
					fail(err.Error())
				case resp.StatusCode != http.StatusOK:
					fail(fmt.Sprintf("status %d: %.200s", resp.StatusCode, b))
				case check != nil:
					if err := check(r, b); err != nil {
						fail(err.Error())
					}
				}
			}
		}()
	}
	wg.Wait()
	res := &Result{Requests: len(reqs), Elapsed: time.Since(start), Latencies: slices.Concat(lat...), Failed: failed.Load()}
	slices.Sort(res.Latencies)
	if msg, ok := firstErr.Load().(string); ok {
		res.FirstError = msg
	}
	return res
}
