// Command push measures the WeChat push endpoint: many concurrent senders each post
// safe-mode events, every event twice (as WeChat does when it retries), against a real
// database. It reports sustained events per second and latency percentiles, then
// checks that every event was stored exactly once.
//
//	go run ./bench/push [-events 30000] [-senders 200] [-postgres URL]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/bench/internal/pushload"
	"github.com/passerelle-oss/passerelle/internal/jobs"
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

func run(events, senders int, pg string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "push-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := pushload.OpenDB(ctx, dir, pg)
	if err != nil {
		return err
	}
	defer db.Close()
	org, err := db.CreateOrganization(ctx, "bench")
	if err != nil {
		return err
	}
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Bench museum"}
	if err := db.CreateInstitution(ctx, inst); err != nil {
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
	ep, err := pushload.Serve(ctx, db, org.ID, inst.ID, "wxbench0000000000", jc, nil)
	if err != nil {
		return err
	}

	// Encrypt every request before the clock starts: WeChat's side of the work. Each
	// sender posts its events' first copies, then, interleaved, their retries.
	reqs := make([]pushload.Request, 0, 2*events)
	now := time.Now().Unix()
	for i := range events {
		msg := fmt.Appendf(nil, `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[oUser%d]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event><EventKey><![CDATA[qrscene_room%d]]></EventKey></xml>`, i, now, i%40)
		for try := range 2 {
			r, err := ep.Push(msg, fmt.Sprintf("%d-%d", i, try))
			if err != nil {
				return err
			}
			reqs = append(reqs, r)
		}
	}
	load0 := pushload.LoadAvg()
	res := pushload.Send(reqs, senders, nil)
	stored, err := db.CountWeChatEvents(ctx, ep.AccountID)
	if err != nil {
		return err
	}
	ep.Close()
	stop, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	jc.Stop(stop)

	engine := "SQLite (WAL, synchronous=FULL)"
	if pg != "" {
		engine = "PostgreSQL"
	}
	fmt.Printf("push endpoint, safe mode, %s, GOMAXPROCS=%d, %d senders; load average at start %s, at end %s\n", engine, runtime.GOMAXPROCS(0), senders, load0, pushload.LoadAvg())
	fmt.Printf("requests: %d in %s = %.0f requests/s; distinct events %.0f/s\n", len(reqs), res.Elapsed.Round(time.Millisecond), res.PerSecond(), float64(events)/res.Elapsed.Seconds())
	fmt.Printf("latency: p50 %s  p95 %s  p99 %s  max %s\n", res.Percentile(.50).Round(time.Microsecond), res.Percentile(.95).Round(time.Microsecond), res.Percentile(.99).Round(time.Microsecond), res.Max().Round(time.Microsecond))
	fmt.Printf("failed requests: %d; events stored: %d of %d (lost %d, stored twice 0 by UNIQUE key)\n", res.Failed, stored, events, events-stored)
	if res.Failed > 0 || stored != events {
		return fmt.Errorf("lost or failed pushes (first failure: %s)", res.FirstError)
	}
	return nil
}
