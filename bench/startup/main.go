// Command startup measures Passerelle's cold start: the binary is built once, then
// started N times with `passerelle serve` on a fresh, empty data directory (SQLite) and
// a free loopback port, and timed from process start to the first 200 from /readyz.
// It then reports the resident memory of an idle server a few seconds after ready.
// Targets: median under 300 ms; idle RSS under 50 MB.
//
//	go run ./bench/startup [-n 20] [-idle 3s]
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"runtime"
	"slices"
	"time"

	"github.com/passerelle-oss/passerelle/bench/internal/proc"
)

func main() {
	n := flag.Int("n", 20, "number of cold starts")
	idle := flag.Duration("idle", 3*time.Second, "how long the server idles before its memory is read")
	flag.Parse()
	if err := run(*n, *idle); err != nil {
		log.Fatal(err)
	}
}

func run(n int, idle time.Duration) error {
	tmp, err := os.MkdirTemp("", "passerelle-startup")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	t0 := time.Now()
	bin, err := proc.Build(context.Background(), tmp)
	if err != nil {
		return err
	}
	fmt.Printf("built in %s (not counted); %d CPUs, %s\n", time.Since(t0).Round(time.Millisecond), runtime.NumCPU(), runtime.Version())

	var times []time.Duration
	for i := range n {
		dir, err := os.MkdirTemp(tmp, "data")
		if err != nil {
			return err
		}
		addr, err := proc.FreeAddr()
		if err != nil {
			return err
		}
		s, err := proc.Serve(bin, addr, dir, nil)
		if err != nil {
			return err
		}
		d, err := s.WaitReady(30 * time.Second)
		if err != nil {
			s.Stop()
			return err
		}
		times = append(times, d)
		last := i == n-1
		if last {
			time.Sleep(idle)
			rss, err := proc.RSS(s.Cmd.Process.Pid)
			if err != nil {
				s.Stop()
				return err
			}
			defer fmt.Printf("idle RSS %s after ready: %.1f MB (target < 50 MB)\n", idle, float64(rss)/(1<<20))
		}
		if err := s.Stop(); err != nil {
			return fmt.Errorf("stop: %w", err)
		}
	}
	slices.Sort(times)
	ms := func(d time.Duration) string { return fmt.Sprintf("%.1f ms", float64(d.Microseconds())/1000) }
	fmt.Printf("cold start to /readyz 200, %d runs on empty SQLite directories: min %s, median %s, max %s (target median < 300 ms)\n",
		n, ms(times[0]), ms(times[len(times)/2]), ms(times[len(times)-1]))
	return nil
}
