// Command signin measures the peak resident memory of a server under a flood of
// concurrent sign-ins: N requests at once (200 by default), each from its own address
// (behind --trust-proxy, X-Forwarded-For) so that no throttle refuses them before the
// password check, on the demo's owner with a wrong password. Each round starts a fresh
// `passerelle serve --demo` and reads the process's VmHWM after the flood. The
// reference, run in the same invocation, is the same flood with the argon2id bound
// lifted (--login-concurrency N). Target: peak RSS under 500 MB with the default bound.
//
//	go run ./bench/signin [-n 200] [-rounds 3]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/passerelle-oss/passerelle/bench/internal/proc"
)

func main() {
	n := flag.Int("n", 200, "concurrent sign-ins")
	rounds := flag.Int("rounds", 3, "rounds per configuration")
	flag.Parse()
	if err := run(*n, *rounds); err != nil {
		log.Fatal(err)
	}
}

type result struct {
	peak     int64
	elapsed  time.Duration
	statuses map[int]int
}

func run(n, rounds int) error {
	tmp, err := os.MkdirTemp("", "passerelle-signin")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin, err := proc.Build(context.Background(), tmp)
	if err != nil {
		return err
	}
	fmt.Printf("%d CPUs, %s, load before: %s\n", runtime.NumCPU(), runtime.Version(), loadavg())
	configs := []struct {
		name  string
		slots string
	}{{"bounded (default)", "0"}, {"unbounded (reference)", fmt.Sprint(n)}}
	peaks := map[string][]int64{}
	for r := range rounds {
		for _, c := range configs {
			res, err := flood(bin, tmp, n, c.slots)
			if err != nil {
				return err
			}
			peaks[c.name] = append(peaks[c.name], res.peak)
			fmt.Printf("round %d, %s: peak RSS %.0f MB, flood %s, statuses %v\n", r+1, c.name, mb(res.peak), res.elapsed.Round(time.Millisecond), res.statuses)
		}
	}
	for _, c := range configs {
		p := peaks[c.name]
		slices.Sort(p)
		fmt.Printf("%s: peak RSS min %.0f MB, median %.0f MB, max %.0f MB\n", c.name, mb(p[0]), mb(p[len(p)/2]), mb(p[len(p)-1]))
	}
	b, u := peaks[configs[0].name], peaks[configs[1].name]
	fmt.Printf("median ratio bounded/unbounded: %.2f (target: bounded max < 500 MB); load after: %s\n", float64(b[len(b)/2])/float64(u[len(u)/2]), loadavg())
	return nil
}

func flood(bin, tmp string, n int, slots string) (result, error) {
	dir, err := os.MkdirTemp(tmp, "data")
	if err != nil {
		return result{}, err
	}
	addr, err := proc.FreeAddr()
	if err != nil {
		return result{}, err
	}
	s, err := proc.Serve(bin, addr, dir, nil, "--demo", "--trust-proxy", "--log-level", "error", "--login-concurrency", slots)
	if err != nil {
		return result{}, err
	}
	defer s.Stop()
	if _, err := s.WaitReady(60 * time.Second); err != nil {
		return result{}, err
	}
	client := &http.Client{Timeout: 60 * time.Second, Transport: &http.Transport{MaxConnsPerHost: 0, MaxIdleConnsPerHost: n},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	res := result{statuses: map[int]int{}}
	var mu sync.Mutex
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			form := url.Values{"email": {"demo@passerelle.example"}, "password": {"not the password"}}
			req, _ := http.NewRequest("POST", "http://"+addr+"/login", strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.%d.%d.%d", i/65536%256, i/256%256, i%256))
			<-start
			status := 0
			if resp, err := client.Do(req); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				status = resp.StatusCode
			}
			mu.Lock()
			res.statuses[status]++
			mu.Unlock()
		})
	}
	t0 := time.Now()
	close(start)
	wg.Wait()
	res.elapsed = time.Since(t0)
	res.peak, err = proc.PeakRSS(s.Cmd.Process.Pid)
	return res, err
}

func mb(b int64) float64 { return float64(b) / (1 << 20) }

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:3], " ")
}
