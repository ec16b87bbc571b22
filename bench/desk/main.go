// Command desk measures the WeChat service desk.
//
// Replies: the push endpoint in safe mode under 200 concurrent senders posting text
// messages, with keyword replies on (100 "contains" rules, every message matching one,
// each answered with an encrypted passive reply) and off (no replier: the endpoint as
// it stores and answers "success"), in alternating rounds of the same run. It prints
// events/s and p99 answer time per round, min/median/max per mode, and the ratio of the
// medians (target ≥ 0.8, p99 < 100 ms). Each round starts with the drain idle, and the
// answers are checked after the round's clock stops (bench/internal/pushload drives
// the senders; -cpuprofile, -blockprofile and -mutexprofile write profiles).
//
// Stats: 1,000,000 follow, scan and unfollow events over a year applied to a SQLite
// database through the drain's own store methods, then the placement statistics of an
// institution (50 placements) asked for random 30-day and 365-day ranges; p50/p95/max
// (target p95 < 100 ms).
//
//	go run ./bench/desk [-events 20000] [-senders 200] [-rounds 3] [-stats-events 1000000] [-postgres URL]
//	    [-cpuprofile F] [-blockprofile F] [-mutexprofile F]
package main

import (
	"context"
	"encoding/xml"
	"errors"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/bench/internal/pushload"
	"github.com/passerelle-oss/passerelle/internal/desk"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/webhook"
)

func main() {
	events := flag.Int("events", 20000, "text messages per round")
	senders := flag.Int("senders", 200, "concurrent senders")
	rounds := flag.Int("rounds", 3, "rounds per mode (alternating off, on)")
	statsEvents := flag.Int("stats-events", 1_000_000, "events behind the placement statistics (0 skips)")
	skipReplies := flag.Bool("skip-replies", false, "run the statistics part only")
	pg := flag.String("postgres", "", "PostgreSQL URL for the replies part (default: SQLite in a temporary directory)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the replies part to this file")
	blockProfile := flag.String("blockprofile", "", "write a blocking profile of the replies part to this file")
	mutexProfile := flag.String("mutexprofile", "", "write a mutex contention profile of the replies part to this file")
	flag.Parse()
	ctx := context.Background()
	if !*skipReplies {
		stop, err := profile(*cpuProfile, *blockProfile, *mutexProfile)
		if err != nil {
			log.Fatal(err)
		}
		err = replies(ctx, *events, *senders, *rounds, *pg)
		if perr := stop(); err == nil {
			err = perr
		}
		if err != nil {
			log.Fatal(err)
		}
	}
	if *statsEvents > 0 {
		if err := stats(ctx, *statsEvents); err != nil {
			log.Fatal(err)
		}
	}
}

// profile starts the profiles asked for; stop writes them.
func profile(cpu, block, mutex string) (stop func() error, err error) {
	var cpuFile *os.File
	if cpu != "" {
		if cpuFile, err = os.Create(cpu); err != nil {
			return nil, err
		}
		if err := pprof.StartCPUProfile(cpuFile); err != nil {
			return nil, err
		}
	}
	if block != "" {
		runtime.SetBlockProfileRate(int(10 * time.Microsecond))
	}
	if mutex != "" {
		runtime.SetMutexProfileFraction(5)
	}
	return func() error {
		var errs []error
		if cpuFile != nil {
			pprof.StopCPUProfile()
			errs = append(errs, cpuFile.Close())
		}
		for name, file := range map[string]string{"block": block, "mutex": mutex} {
			if file == "" {
				continue
			}
			f, err := os.Create(file)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			errs = append(errs, pprof.Lookup(name).WriteTo(f, 0), f.Close())
		}
		return errors.Join(errs...)
	}, nil
}

type result struct {
	perSec float64
	p50    time.Duration
	p99    time.Duration
	max    time.Duration
}

func replies(ctx context.Context, events, senders, rounds int, pg string) error {
	dir, err := os.MkdirTemp("", "desk-bench")
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
	svc := &desk.Service{DB: db}
	workers := river.NewWorkers()
	river.AddWorker(workers, &webhook.DrainWorker{DB: db, Desk: svc})
	jc, err := jobs.New(db, jobs.Options{Workers: workers, Work: true})
	if err != nil {
		return err
	}
	if err := jc.Start(ctx); err != nil {
		return err
	}
	defer func() {
		stop, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		jc.Stop(stop)
	}()
	off, err := pushload.Serve(ctx, db, org.ID, inst.ID, "wxbenchoff00000000", jc, nil)
	if err != nil {
		return err
	}
	defer off.Close()
	on, err := pushload.Serve(ctx, db, org.ID, inst.ID, "wxbenchon000000000", jc, svc)
	if err != nil {
		return err
	}
	defer on.Close()
	const rules = 100
	for i := range rules {
		if err := db.CreateReplyRule(ctx, &store.ReplyRule{AccountID: on.AccountID, Keywords: []string{fmt.Sprintf("展厅%03d", i), fmt.Sprintf("room %03d", i)}, Match: desk.MatchContains, Text: fmt.Sprintf("第 %d 展厅在二楼，开放时间 9:30–18:00。", i)}); err != nil {
			return err
		}
	}
	var offs, ons []result
	load0 := pushload.LoadAvg()
	seq := 0
	for r := range rounds {
		for _, mode := range []string{"off", "on"} {
			ep := off
			if mode == "on" {
				ep = on
			}
			// Each round starts once the drain has applied the previous rounds' events:
			// a backlog left by one mode would otherwise slow the next one down.
			if err := pushload.Drained(ctx, db, 2*time.Minute); err != nil {
				return err
			}
			res, err := load(ep, events, senders, seq, mode == "on", rules)
			if err != nil {
				return fmt.Errorf("round %d %s: %w", r+1, mode, err)
			}
			seq += events
			fmt.Printf("round %d, replies %-3s: %7.0f events/s  p50 %-9s p99 %-9s max %-9s load %s\n", r+1, mode, res.perSec, res.p50.Round(time.Microsecond), res.p99.Round(time.Microsecond), res.max.Round(time.Microsecond), pushload.LoadAvg())
			if mode == "on" {
				ons = append(ons, res)
			} else {
				offs = append(offs, res)
			}
		}
	}
	summary := func(name string, rs []result) (float64, time.Duration) {
		ps := make([]float64, len(rs))
		p99 := make([]time.Duration, len(rs))
		for i, r := range rs {
			ps[i], p99[i] = r.perSec, r.p99
		}
		e, l := pushload.SpreadOf(ps), pushload.SpreadOf(p99)
		fmt.Printf("replies %-3s: events/s min %.0f median %.0f max %.0f; p99 min %s median %s max %s\n", name, e.Min, e.Median, e.Max,
			l.Min.Round(time.Microsecond), l.Median.Round(time.Microsecond), l.Max.Round(time.Microsecond))
		return e.Median, l.Max
	}
	engine := "SQLite (WAL, synchronous=FULL)"
	if pg != "" {
		engine = "PostgreSQL"
	}
	fmt.Printf("push endpoint, safe mode, %s, GOMAXPROCS=%d, %d senders, %d text messages per round, %d rules; load average at start %s, at end %s\n", engine, runtime.GOMAXPROCS(0), senders, events, rules, load0, pushload.LoadAvg())
	offMed, _ := summary("off", offs)
	onMed, onP99 := summary("on", ons)
	fmt.Printf("ratio on/off (medians): %.2f (target ≥ 0.8); worst p99 with replies %s (target < 100ms)\n", onMed/offMed, onP99.Round(time.Microsecond))
	return nil
}

// load sends events text messages from senders concurrent senders and checks every
// answer after the clock stops: a passive reply with the rule's text when replies are
// on, "success" when off.
func load(ep *pushload.Endpoint, events, senders, seq int, replies bool, rules int) (result, error) {
	reqs := make([]pushload.Request, events)
	now := time.Now().Unix()
	for i := range events {
		n := (seq + i) % rules
		msg := fmt.Appendf(nil, `<xml><ToUserName><![CDATA[gh_bench]]></ToUserName><FromUserName><![CDATA[oUser%d]]></FromUserName><CreateTime>%d</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[请问展厅%03d怎么走？]]></Content><MsgId>%d</MsgId></xml>`, (seq+i)%5000, now, n, 1_000_000+seq+i)
		r, err := ep.Push(msg, strconv.Itoa(seq+i))
		if err != nil {
			return result{}, err
		}
		r.Want = "success"
		if replies {
			r.Want = fmt.Sprintf("第 %d 展厅在二楼，开放时间 9:30–18:00。", n)
		}
		reqs[i] = r
	}
	res := pushload.SendThenCheck(reqs, senders, func(r pushload.Request, body []byte) error {
		if text := answer(ep.Crypter, body); text != r.Want {
			return fmt.Errorf("answer %q, want %q", text, r.Want)
		}
		return nil
	})
	if res.Failed > 0 {
		return result{}, fmt.Errorf("%d failed requests (first: %s)", res.Failed, res.FirstError)
	}
	return result{perSec: res.PerSecond(), p50: res.Percentile(.50), p99: res.Percentile(.99), max: res.Max()}, nil
}

// answer reads an endpoint's answer: "success", or the decrypted reply's Content.
func answer(c *wechat.Crypter, b []byte) string {
	if string(b) == "success" {
		return "success"
	}
	inner, err := c.OpenReply(b)
	if err != nil {
		return "unreadable: " + err.Error()
	}
	var r struct {
		Content string `xml:"Content"`
	}
	if err := xml.Unmarshal(inner, &r); err != nil {
		return "unreadable"
	}
	return r.Content
}

// stats applies n events through the drain's store methods and times the statistics.
func stats(ctx context.Context, n int) error {
	dir, err := os.MkdirTemp("", "desk-stats-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	db, err := pushload.OpenDB(ctx, dir, "")
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
	var accounts []int64
	for i := range 2 {
		a := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.WeChat, DisplayName: fmt.Sprintf("acc%d", i)}
		if err := db.CreateAccount(ctx, org.ID, a); err != nil {
			return err
		}
		accounts = append(accounts, a.ID)
	}
	const placements = 50
	for i := range placements {
		key := fmt.Sprintf("spot%02d", i)
		if err := db.CreatePlacement(ctx, &store.Placement{InstitutionID: inst.ID, AccountID: accounts[i%2], Key: key, Name: key, Scene: key, QRURL: "http://weixin.qq.com/q/" + key, Attributed: true}); err != nil {
			return err
		}
	}
	bj := time.FixedZone("CST", 8*3600)
	first := time.Date(2025, 1, 1, 0, 0, 0, 0, bj)
	rng := rand.New(rand.NewPCG(1, 2))
	const batch = 20000
	start := time.Now()
	for done := 0; done < n; done += batch {
		err := db.InTx(ctx, func(tx *store.Tx) error {
			for j := range min(batch, n-done) {
				k := done + j
				at := first.Add(time.Duration(float64(k) / float64(n) * float64(365*24*time.Hour)))
				day := at.Format(time.DateOnly)
				p := rng.IntN(placements + 5) // 5 scenes of no placement
				acc := accounts[p%2]
				scene := fmt.Sprintf("spot%02d", p)
				openID := fmt.Sprintf("o%07d", rng.IntN(n/3+1))
				var err error
				switch r := rng.IntN(10); {
				case r < 5:
					err = tx.RecordFollow(ctx, acc, openID, scene, day, at.UTC())
				case r < 9:
					err = tx.RecordScan(ctx, acc, scene, day)
				default:
					err = tx.RecordUnfollow(ctx, acc, openID, day, at.UTC())
				}
				if err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	applied := time.Since(start)
	var lat []time.Duration
	for i := range 200 {
		from := first.AddDate(0, 0, rng.IntN(335))
		to := from.AddDate(0, 0, 29)
		if i%10 == 0 {
			from, to = first, first.AddDate(0, 0, 364)
		}
		t0 := time.Now()
		items, err := db.PlacementStats(ctx, inst.ID, from.Format(time.DateOnly), to.Format(time.DateOnly))
		if err != nil {
			return err
		}
		lat = append(lat, time.Since(t0))
		if len(items) != placements+1 {
			last := items[len(items)-1]
			return fmt.Errorf("%d lines, want %d (%s..%s; last %+v)", len(items), placements+1, from.Format(time.DateOnly), to.Format(time.DateOnly), *last)
		}
	}
	slices.Sort(lat)
	pct := func(p float64) time.Duration { return lat[min(len(lat)-1, int(p*float64(len(lat))))] }
	fmt.Printf("placement stats, SQLite, %d events applied in %s (%.0f events/s through the drain's store methods), %d placements + 5 unknown scenes, 2 accounts, 365 days\n",
		n, applied.Round(time.Millisecond), float64(n)/applied.Seconds(), placements)
	fmt.Printf("stats query (200 × 30 days, 1 in 10 the whole year): min %s p50 %s p95 %s max %s (target p95 < 100ms)\n",
		lat[0].Round(time.Microsecond), pct(.5).Round(time.Microsecond), pct(.95).Round(time.Microsecond), lat[len(lat)-1].Round(time.Microsecond))
	return nil
}
