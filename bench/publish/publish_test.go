package main

import (
	"context"
	"math/rand/v2"
	"os"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/bench/internal/proc"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

func newRun(t *testing.T, dbURL string, instances, n, accounts int, window time.Duration) *Run {
	t.Helper()
	dir := t.TempDir()
	bin, err := proc.Build(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	r := &Run{Bin: bin, DataDir: dir, DatabaseURL: dbURL, Instances: instances, Accounts: accounts, N: n, Window: window, Lead: 15 * time.Second,
		Latency: sim.Fault{Path: "*", LatencyMedianMS: 50, LatencyP99MS: 90}}
	if os.Getenv("PASSERELLE_BENCH_VERBOSE") != "" {
		r.Log = os.Stderr
	}
	if err := r.Start(context.Background()); err != nil {
		r.Close()
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	return r
}

func check(t *testing.T, res Result, n int) {
	t.Helper()
	if res.Duplicates != 0 || res.Lost != 0 || res.Published+res.NeedsCheck+res.Failed != n || res.Failed != 0 {
		for _, l := range res.LostDetails {
			t.Log("lost:", l)
		}
		t.Fatalf("published=%d needs_check=%d failed=%d duplicates=%d lost=%d of %d", res.Published, res.NeedsCheck, res.Failed, res.Duplicates, res.Lost, n)
	}
	t.Logf("published=%d needs_check=%d duplicates=0 lost=0 lateness p50=%s p99=%s", res.Published, res.NeedsCheck,
		Percentile(res.Lateness, 0.5), Percentile(res.Lateness, 0.99))
}

// TestCrashWhilePublishing SIGKILLs the server at random moments while it publishes (30
// times, restarting it each time): every publication ends published exactly once at the
// simulator, or in needs_check with its evidence. Zero duplicates, zero lost.
func TestCrashWhilePublishing(t *testing.T) {
	if testing.Short() {
		t.Skip("kills a child server 30 times")
	}
	t.Parallel()
	const n = 120
	r := newRun(t, "", 1, n, 12, 60*time.Second)
	stop := make(chan struct{})
	time.AfterFunc(r.Lead+120*time.Second, func() { close(stop) })
	if err := r.KillAtRandom(stop, 30, rand.New(rand.NewPCG(1, 2))); err != nil {
		t.Fatal(err)
	}
	if r.Kills < 30 {
		t.Fatalf("only %d kills", r.Kills)
	}
	// A job that died with its process is given a new one once it has been running longer
	// than a live worker can (lead + 100 s).
	res, err := r.Wait(context.Background(), 4*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	check(t, res, n)
	t.Logf("%d kills", r.Kills)
}

// TestTwoInstancesNeverPublishTwice runs two servers on one PostgreSQL database.
func TestTwoInstancesNeverPublishTwice(t *testing.T) {
	t.Parallel()
	url := storetest.PostgresURL(t)
	const n = 200
	r := newRun(t, url, 2, n, 20, 20*time.Second)
	res, err := r.Wait(context.Background(), 3*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	check(t, res, n)
}
