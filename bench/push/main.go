// Command push measures the WeChat push endpoint: many concurrent senders each post
// safe-mode events, every event twice (as WeChat does when it retries), against a real
// database. It reports sustained events per second and latency percentiles, then
// checks that every event was stored exactly once.
//
//	go run ./bench/push [-events 30000] [-senders 200] [-postgres URL]
package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/secret"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/webhook"
)

func main() {
	events := flag.Int("events", 30000, "distinct events to send (each is sent twice)")
	senders := flag.Int("senders", 200, "concurrent senders")
	pg := flag.String("postgres", "", "PostgreSQL URL (default: SQLite in a temporary directory)")
	flag.Parse()
	if err := run(*events, *senders, *pg); err != nil {
		log.Fatal(err)
	}
}

type request struct {
	url  string
	body []byte
}

func run(events, senders int, pg string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "push-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	keys, _ := secret.NewKeyring(map[int][]byte{1: secret.NewKey()})
	db, err := store.Open(ctx, store.Options{URL: pg, DataDir: dir, Keys: keys})
	if err != nil {
		return err
	}
	defer db.Close()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	if err := jobs.Migrate(ctx, db, nil); err != nil {
		return err
	}
	org, _ := db.CreateOrganization(ctx, "bench")
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Bench museum"}
	if err := db.CreateInstitution(ctx, inst); err != nil {
		return err
	}
	acc := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.WeChat, DisplayName: "bench"}
	if err := db.CreateAccount(ctx, org.ID, acc); err != nil {
		return err
	}
	const token, aesKey, appID = "benchtoken", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", "wxbench0000000000"
	if err := db.SetCredentials(ctx, org.ID, acc.ID, map[string]string{"appid": appID, "token": token, "encoding_aes_key": aesKey}); err != nil {
		return err
	}

	workers := river.NewWorkers()
	river.AddWorker(workers, &webhook.DrainWorker{DB: db})
	jc, err := jobs.New(db, jobs.Options{Workers: workers, Work: true})
	if err != nil {
		return err
	}
	if err := jc.Start(ctx); err != nil {
		return err
	}
	srv := server.New(server.Options{DB: db})
	wh := webhook.Register(webhook.Options{DB: db, Jobs: jc, Server: srv})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	hs := &http.Server{Handler: srv.Handler()}
	go hs.Serve(ln)
	base := fmt.Sprintf("http://%s/wechat/callback/%d", ln.Addr(), acc.ID)

	// Encrypt every request before the clock starts: WeChat's side of the work.
	c, err := wechat.NewCrypter(wechat.CrypterConfig{Token: token, EncodingAESKey: aesKey, AppID: appID})
	if err != nil {
		return err
	}
	reqs := make([]request, 0, 2*events)
	now := time.Now().Unix()
	for i := range events {
		msg := fmt.Appendf(nil, `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[oUser%d]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_room%d]]></EventKey></xml>`, i, now, i%40)
		for try := range 2 {
			ts := strconv.FormatInt(time.Now().Unix(), 10)
			nonce := fmt.Sprintf("%d-%d", i, try)
			body, sig, err := c.EncryptPush("gh_bench", msg, ts, nonce)
			if err != nil {
				return err
			}
			q := url.Values{"timestamp": {ts}, "nonce": {nonce}, "encrypt_type": {"aes"}, "msg_signature": {sig}, "signature": {c.Sign(ts, nonce)}}
			reqs = append(reqs, request{base + "?" + q.Encode(), body})
		}
	}
	// Each sender posts its events' first copies, then, interleaved, their retries.
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: senders, MaxConnsPerHost: senders}, Timeout: 10 * time.Second}
	var next atomic.Int64
	var failed atomic.Int64
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
				resp, err := client.Post(r.url, "text/xml", bytes.NewReader(r.body))
				if err != nil {
					failed.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					failed.Add(1)
				}
				lat[s] = append(lat[s], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	all := slices.Concat(lat...)
	slices.Sort(all)
	pct := func(p float64) time.Duration { return all[min(len(all)-1, int(p*float64(len(all))))] }
	stored, err := db.CountWeChatEvents(ctx, acc.ID)
	if err != nil {
		return err
	}
	hs.Close()
	wh.Close()
	stop, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	jc.Stop(stop)

	engine := "SQLite (WAL, synchronous=FULL)"
	if pg != "" {
		engine = "PostgreSQL"
	}
	fmt.Printf("push endpoint, safe mode, %s, GOMAXPROCS=%d, %d senders\n", engine, runtime.GOMAXPROCS(0), senders)
	fmt.Printf("requests: %d in %s = %.0f requests/s; distinct events %.0f/s\n", len(reqs), elapsed.Round(time.Millisecond), float64(len(reqs))/elapsed.Seconds(), float64(events)/elapsed.Seconds())
	fmt.Printf("latency: p50 %s  p95 %s  p99 %s  max %s\n", pct(.50).Round(time.Microsecond), pct(.95).Round(time.Microsecond), pct(.99).Round(time.Microsecond), all[len(all)-1].Round(time.Microsecond))
	fmt.Printf("failed requests: %d; events stored: %d of %d (lost %d, stored twice 0 by UNIQUE key)\n", failed.Load(), stored, events, events-stored)
	if failed.Load() > 0 || stored != events {
		return fmt.Errorf("lost or failed pushes")
	}
	return nil
}
