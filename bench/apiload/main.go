// Command apiload measures GET /api/v1/institutions (50 institutions) under 64
// concurrent keep-alive clients, against the built binary, then the same load against
// a bare net/http server returning the same bytes, and prints both and their ratio
// (target ≥ 0.5). The owner and token are made with the CLI, the institutions through
// the API. Every target is on 127.0.0.1, and every run is bounded in time and count.
//
//	go run ./bench/apiload [-clients 64] [-duration 10s]
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passerelle-oss/passerelle/bench/internal/proc"
)

// maxRequests bounds one load run whatever the duration.
const maxRequests = 20_000_000

func main() {
	clients := flag.Int("clients", 64, "concurrent clients")
	duration := flag.Duration("duration", 10*time.Second, "length of each load run")
	institutions := flag.Int("institutions", 50, "institutions in the list")
	bare := flag.String("bare", "", "internal: serve this file's bytes on this address (ADDR=FILE)")
	flag.Parse()
	if *bare != "" {
		log.Fatal(serveBare(*bare))
	}
	if err := run(*clients, *duration, *institutions); err != nil {
		log.Fatal(err)
	}
}

func run(clients int, duration time.Duration, institutions int) error {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "passerelle-apiload")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin, err := proc.Build(ctx, tmp)
	if err != nil {
		return err
	}
	data := tmp + "/data"

	// Owner and token through the CLI, before the server opens the database.
	token, err := proc.OwnerToken(bin, data, "apiload")
	if err != nil {
		return err
	}

	addr, err := proc.FreeAddr()
	if err != nil {
		return err
	}
	s, err := proc.Serve(bin, addr, data, nil)
	if err != nil {
		return err
	}
	defer s.Stop()
	if _, err := s.WaitReady(30 * time.Second); err != nil {
		return err
	}
	base := "http://" + addr
	client := &http.Client{Timeout: 10 * time.Second}
	for i := range institutions {
		body := fmt.Sprintf(`{"name": "Musée %d", "name_zh": "博物馆 %d", "country": "FR", "city": "Paris", "website": "https://museum%d.example.org"}`, i, i, i)
		req, _ := http.NewRequest("POST", base+"/api/v1/institutions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := client.Do(req)
		if err != nil {
			return err
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			return fmt.Errorf("create institution: %d", resp.StatusCode)
		}
	}
	url := base + "/api/v1/institutions?limit=100"
	req, _ := http.NewRequest("GET", url, nil)
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	payload, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || bytes.Count(payload, []byte(`"id":`)) != institutions {
		return fmt.Errorf("list: %d, %d bytes", resp.StatusCode, len(payload))
	}

	fmt.Printf("%d CPUs, %s; GET /api/v1/institutions: %d institutions, %d bytes; %d clients, %s per run, keep-alive, 127.0.0.1\n",
		runtime.NumCPU(), runtime.Version(), institutions, len(payload), clients, duration)
	p := load(url, token, len(payload), clients, duration)
	p.print("passerelle")

	// The same bytes from a bare net/http handler in a process of its own, as the
	// server is.
	file := tmp + "/payload.json"
	if err := os.WriteFile(file, payload, 0o600); err != nil {
		return err
	}
	bareAddr, err := proc.FreeAddr()
	if err != nil {
		return err
	}
	self, err := os.Executable()
	if err != nil {
		return err
	}
	bare := exec.Command(self, "-bare", bareAddr+"="+file)
	if err := bare.Start(); err != nil {
		return err
	}
	defer func() { bare.Process.Kill(); bare.Wait() }()
	if err := waitListening(bareAddr); err != nil {
		return err
	}
	b := load("http://"+bareAddr+"/api/v1/institutions?limit=100", token, len(payload), clients, duration)
	b.print("bare net/http")
	fmt.Printf("ratio passerelle / bare: %.2f (target ≥ 0.5)\n", p.rps/b.rps)
	return nil
}

type result struct {
	n, errors     int64
	rps           float64
	p50, p99, max time.Duration
}

func (r result) print(name string) {
	fmt.Printf("%-14s %9.0f req/s  p50 %7.2f ms  p99 %7.2f ms  max %7.2f ms  (%d requests, %d errors)\n",
		name, r.rps, ms(r.p50), ms(r.p99), ms(r.max), r.n, r.errors)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// load runs clients goroutines sending GET url with keep-alive for duration (and at
// most maxRequests requests), each checking the status and the body length.
func load(url, token string, size, clients int, duration time.Duration) result {
	tr := &http.Transport{MaxIdleConns: clients, MaxIdleConnsPerHost: clients, MaxConnsPerHost: clients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var sent, failed atomic.Int64
	lat := make([][]time.Duration, clients)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(duration)
	for c := range clients {
		wg.Go(func() {
			buf := make([]byte, 0, size+512)
			for time.Now().Before(deadline) && sent.Add(1) <= maxRequests {
				t := time.Now()
				req, _ := http.NewRequest("GET", url, nil)
				req.Header.Set("Authorization", "Bearer "+token)
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				b := bytes.NewBuffer(buf[:0])
				_, err = b.ReadFrom(resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != http.StatusOK || b.Len() != size {
					failed.Add(1)
				}
				lat[c] = append(lat[c], time.Since(t))
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	r := result{n: int64(len(all)), errors: failed.Load()}
	if len(all) > 0 {
		r.rps = float64(len(all)) / elapsed.Seconds()
		r.p50, r.p99, r.max = all[len(all)/2], all[len(all)*99/100], all[len(all)-1]
	}
	return r
}

func waitListening(addr string) error {
	for range 3000 {
		c, err := net.Dial("tcp", addr)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(time.Millisecond)
	}
	return errors.New("bare server did not start")
}

// serveBare serves a file's bytes as the API does (same content type and cache
// header) on a loopback address.
func serveBare(spec string) error {
	addr, file, ok := strings.Cut(spec, "=")
	if !ok || !strings.HasPrefix(addr, "127.0.0.1:") {
		return fmt.Errorf("-bare wants 127.0.0.1:PORT=FILE")
	}
	payload, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	return http.ListenAndServe(addr, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(payload)
	}))
}
