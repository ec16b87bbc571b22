// Package pushload drives the WeChat push endpoint for the benchmark programs under
// bench/ (push, desk): a migrated database, a WeChat account in safe mode served on
// loopback, requests encrypted and signed as WeChat sends them, concurrent senders
// that time every answer, and what fair rounds need (an idle drain at the start,
// answers judged after the clock stops, min/median/max over rounds).
package pushload

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
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
// (nil: any 200 is right) as it comes; a transport error, another status or a check's
// error counts as a failure.
func Send(reqs []Request, senders int, check func(r Request, body []byte) error) *Result {
	return send(reqs, senders, check, false)
}

// SendThenCheck is Send with the answers judged after the clock stops: when checking
// an answer is WeChat's work (decrypting a passive reply), doing it inside the clock
// would take the server's cores on a small machine and charge the server for it.
func SendThenCheck(reqs []Request, senders int, check func(r Request, body []byte) error) *Result {
	return send(reqs, senders, check, true)
}

func send(reqs []Request, senders int, check func(r Request, body []byte) error, after bool) *Result {
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders, MaxConnsPerHost: senders}, Timeout: 10 * time.Second}
	var next, failed atomic.Int64
	var firstErr atomic.Value
	fail := func(msg string) {
		failed.Add(1)
		firstErr.CompareAndSwap(nil, msg)
	}
	var answers [][]byte
	if after && check != nil {
		answers = make([][]byte, len(reqs))
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
				case answers != nil:
					answers[i] = b
				case check != nil:
					if err := check(r, b); err != nil {
						fail(err.Error())
					}
				}
			}
		}()
	}
	wg.Wait()
	res := &Result{Requests: len(reqs), Elapsed: time.Since(start), Latencies: slices.Concat(lat...)}
	for i, b := range answers {
		if b == nil {
			continue // failed above
		}
		if err := check(reqs[i], b); err != nil {
			fail(err.Error())
		}
	}
	res.Failed = failed.Load()
	slices.Sort(res.Latencies)
	if msg, ok := firstErr.Load().(string); ok {
		res.FirstError = msg
	}
	return res
}

// Drained waits until the drain has applied every stored push (or limit passes): a
// round that starts with a backlog left by the previous one pays for it.
func Drained(ctx context.Context, db *store.DB, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for {
		var n int
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM wechat_events WHERE processed_at IS NULL AND failed_at IS NULL`).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("the drain still has %d events after %s", n, limit)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// LoadAvg is the machine's 1, 5 and 15-minute load averages ("?" where unknown):
// timings taken on a loaded machine say little on their own.
func LoadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := bytes.Fields(b)
	if len(f) < 3 {
		return "?"
	}
	return string(bytes.Join(f[:3], []byte(" ")))
}

// Spread is the min, median and max of a measure over rounds.
type Spread[T cmp.Ordered] struct{ Min, Median, Max T }

// SpreadOf summarises values (at least one).
func SpreadOf[T cmp.Ordered](values []T) Spread[T] {
	v := slices.Clone(values)
	slices.Sort(v)
	return Spread[T]{v[0], v[len(v)/2], v[len(v)-1]}
}
