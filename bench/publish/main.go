// Command publish measures the publishing engine: N publications due within a window
// across many simulated Weibo accounts (simulator latency 50 ± 20 ms), delivered by one
// or more child `passerelle serve` processes on SQLite or PostgreSQL. It reports
// throughput, lateness at the platform (the simulator's receipt time minus the
// publication's instant) and checks the simulator for duplicates and losses. Its last
// line reads
//
//	published=N duplicates=D lost=L p50_ms=… p99_ms=… max_ms=…
//
// Run from the repository root:
//
//	go run ./bench/publish -n 10000 -accounts 1000
//	go run ./bench/publish -n 10000 -accounts 1000 -database-url postgres://postgres@127.0.0.1:5432/test?sslmode=disable -instances 2
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/passerelle-oss/passerelle/bench/internal/proc"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
)

func main() {
	n := flag.Int("n", 10000, "publications")
	accounts := flag.Int("accounts", 1000, "simulated Weibo accounts")
	window := flag.Duration("window", time.Minute, "the publications' instants are spread over this window")
	instances := flag.Int("instances", 1, "serve processes")
	dbURL := flag.String("database-url", "", "PostgreSQL URL (a fresh schema is advised: ?search_path=…); empty: SQLite")
	lead := flag.Duration("lead", 45*time.Second, "time from the end of seeding to the first instant")
	verbose := flag.Bool("v", false, "show the servers' output")
	bin := flag.String("bin", "", "a passerelle binary to run instead of building this tree's (to compare revisions)")
	flag.Parse()
	if err := run(*n, *accounts, *window, *instances, *dbURL, *lead, *verbose, *bin); err != nil {
		fmt.Fprintln(os.Stderr, "publish:", err)
		os.Exit(1)
	}
}

func run(n, accounts int, window time.Duration, instances int, dbURL string, lead time.Duration, verbose bool, bin string) error {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "passerelle-publish-bench")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	if bin == "" {
		if bin, err = proc.Build(ctx, dir); err != nil {
			return err
		}
	}
	var out io.Writer = io.Discard
	if verbose {
		out = os.Stderr
	}
	r := &Run{Bin: bin, DataDir: dir, DatabaseURL: dbURL, Instances: instances, Accounts: accounts, N: n, Window: window, Lead: lead, Log: out,
		Latency: sim.Fault{Path: "*", LatencyMedianMS: 50, LatencyP99MS: 90}}
	t0 := time.Now()
	if err := r.Start(ctx); err != nil {
		r.Close()
		return err
	}
	defer r.Close()
	engine := "sqlite"
	if dbURL != "" {
		engine = "postgres"
	}
	fmt.Printf("seeded %d publications on %d accounts in %s (%s, %d instance(s)); first due in %s; waiting for them\n", n, accounts,
		time.Since(t0).Round(time.Millisecond), engine, instances, time.Until(r.First).Round(time.Second))
	// Until the last instant and then the reconciler's bounds (a publication whose
	// attempt was left open is resolved within settle + stale).
	res, err := r.Wait(ctx, time.Until(r.First.Add(window+5*time.Minute)))
	if err != nil {
		return err
	}
	lat := res.Lateness
	p50, p99, mx := Percentile(lat, 0.5), Percentile(lat, 0.99), Percentile(lat, 1)
	fmt.Printf("needs_check=%d failed=%d window=%s throughput=%.0f/s (the instants' own rate)\n", res.NeedsCheck, res.Failed, window, float64(res.Published)/window.Seconds())
	fmt.Print(Decompose(res))
	fmt.Printf("published=%d duplicates=%d lost=%d p50_ms=%d p99_ms=%d max_ms=%d\n", res.Published, res.Duplicates, res.Lost, p50.Milliseconds(), p99.Milliseconds(), mx.Milliseconds())
	return nil
}
