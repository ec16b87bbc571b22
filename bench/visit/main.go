// Command visit measures the visitor pages: a published tour page and a stop's audio,
// at 64 and 1,000 concurrent keep-alive connections, served by the built binary and
// by nginx (Debian package, its own process, its own configuration in a temporary
// directory) serving the same bytes from disk, in the same run, rounds interleaved;
// then the bytes a visitor of a 10-stop tour downloads, and a spike of visitors
// arriving at the rate of 70,000 in 10 minutes (each: the tour page, a stop page, the
// stop's audio). Everything listens on 127.0.0.1 and every run is bounded.
//
//	go run ./bench/visit [-duration 10s] [-rounds 3] [-spike 60s] [-nginx /usr/sbin/nginx]
package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/passerelle-oss/passerelle/bench/internal/proc"
	"github.com/passerelle-oss/passerelle/internal/media"
)

// maxRequests bounds one load run whatever the duration.
const maxRequests = 20_000_000

func main() {
	duration := flag.Duration("duration", 10*time.Second, "length of each load run")
	rounds := flag.Int("rounds", 3, "runs per target and case (min/median/max)")
	spike := flag.Duration("spike", 60*time.Second, "length of the spike at 70,000 visitors / 10 min")
	nginx := flag.String("nginx", "/usr/sbin/nginx", "nginx binary")
	flag.Parse()
	if err := run(*duration, *rounds, *spike, *nginx); err != nil {
		log.Fatal(err)
	}
}

type target struct {
	name, base string
}

func run(duration time.Duration, rounds int, spike time.Duration, nginxBin string) error {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "passerelle-visit")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	// nginx's workers run as an unprivileged user: they must read the files.
	if err := os.Chmod(tmp, 0o755); err != nil {
		return err
	}
	bin, err := proc.Build(ctx, tmp)
	if err != nil {
		return err
	}
	data := tmp + "/data"
	token, err := proc.OwnerToken(bin, data, "visit")
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
	if _, err := s.WaitReady(60 * time.Second); err != nil {
		return err
	}
	base := "http://" + addr
	tour, err := makeTour(base, token)
	if err != nil {
		return err
	}

	// The same bytes for nginx: the page, the stop pages, the stylesheet and the audio
	// files, at the same paths.
	root := filepath.Join(tmp, "www")
	for _, p := range tour.paths() {
		body, err := get(base+p, "")
		if err != nil {
			return err
		}
		file := filepath.Join(root, filepath.FromSlash(p))
		if p == tour.page {
			// The stops live under the tour's path: the page is its directory's index.
			file = filepath.Join(file, "index.html")
		}
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(file, body, 0o644); err != nil {
			return err
		}
	}
	nginxAddr, err := proc.FreeAddr()
	if err != nil {
		return err
	}
	stopNginx, err := startNginx(nginxBin, filepath.Join(tmp, "nginx"), root, nginxAddr)
	if err != nil {
		return err
	}
	defer stopNginx()
	ng := "http://" + nginxAddr
	for _, p := range []string{tour.page, tour.audio} {
		a, err := get(base+p, "")
		if err != nil {
			return err
		}
		b, err := get(ng+p, "")
		if err != nil {
			return err
		}
		if !bytes.Equal(a, b) {
			return fmt.Errorf("%s: nginx serves other bytes", p)
		}
	}
	page, _ := get(base+tour.page, "")
	audio, _ := get(base+tour.audio, "")

	load1, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("%d CPUs, %s; load before: %s", runtime.NumCPU(), runtime.Version(), load1)
	fmt.Printf("tour page %s: %d bytes; stop audio %s: %d bytes; %s per run, %d rounds, keep-alive, 127.0.0.1, rounds interleaved\n",
		tour.page, len(page), tour.audio, len(audio), duration, rounds)
	targets := []target{{"passerelle", base}, {"nginx", ng}}
	for _, c := range []struct {
		name string
		path string
		size int
	}{{"page", tour.page, len(page)}, {"audio", tour.audio, len(audio)}} {
		for _, conns := range []int{64, 1000} {
			res := map[string][]result{}
			for range rounds {
				for _, tg := range targets {
					res[tg.name] = append(res[tg.name], load(tg.base+c.path, c.size, conns, duration))
				}
			}
			fmt.Printf("\n%s, %d connections:\n", c.name, conns)
			for _, tg := range targets {
				summarize(tg.name, res[tg.name])
			}
			fmt.Printf("  ratio passerelle/nginx, median req/s: %.2f\n", median(res["passerelle"], rps)/median(res["nginx"], rps))
		}
	}

	// Bytes per visitor of a 10-stop tour: every page compressed as a phone asks for
	// it (gzip only, as older in-app browsers do, then brotli as Chrome's and WeChat's
	// current ones do), the stylesheet once, every stop's audio in full.
	for _, accept := range []string{"gzip", "gzip, deflate, br"} {
		var visitor int
		for _, p := range tour.paths() {
			b, err := get(base+p, accept)
			if err != nil {
				return err
			}
			visitor += len(b)
		}
		page, _ := get(base+tour.page, accept)
		fmt.Printf("\nbytes per visitor, 10-stop tour, Accept-Encoding %q (tour page, 10 stop pages, stylesheet, 10 audio files of %d bytes): %d bytes (%d before audio; tour page %d bytes)\n",
			accept, len(audio), visitor, visitor-10*len(audio), len(page))
	}

	// The spike: 70,000 visitors in 10 minutes is 116.7 arrivals a second.
	fmt.Printf("\nspike: 116.7 visitors/s (70,000 in 10 min) for %s, each: tour page, a stop page, its audio\n", spike)
	spikeRun(base, tour, spike).print("passerelle")
	load2, _ := os.ReadFile("/proc/loadavg")
	fmt.Printf("load after: %s", load2)
	return nil
}

type tourInfo struct {
	page, css, audio string
	stops            []string
	audios           []string
}

func (t tourInfo) paths() []string {
	out := append([]string{t.page, t.css}, t.stops...)
	return append(out, t.audios...)
}

// makeTour creates, through the API, an institution, ten stops with their own
// 60-second silent MP3 each, and publishes the tour.
func makeTour(base, token string) (tourInfo, error) {
	var t tourInfo
	call := func(method, path string, body []byte, want int) (map[string]any, error) {
		req, _ := http.NewRequest(method, base+path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want {
			return nil, fmt.Errorf("%s %s: %d %s", method, path, resp.StatusCode, b)
		}
		var m map[string]any
		return m, json.Unmarshal(b, &m)
	}
	inst, err := call("POST", "/api/v1/institutions", []byte(`{"name": "Musée du Louvre", "name_zh": "卢浮宫", "country": "FR"}`), 201)
	if err != nil {
		return t, err
	}
	iid := int64(inst["id"].(float64))
	tour, err := call("POST", fmt.Sprintf("/api/v1/institutions/%d/tours", iid), []byte(`{"title_zh": "卢浮宫经典之旅", "title_fr": "Chefs-d'œuvre du Louvre", "intro_zh": "十件必看的作品。"}`), 201)
	if err != nil {
		return t, err
	}
	tid := int64(tour["id"].(float64))
	silence := media.SilentMP3(60 * time.Second)
	for i := 1; i <= 10; i++ {
		// Each stop its own file: the silence with a different length.
		m, err := call("POST", fmt.Sprintf("/api/v1/institutions/%d/media?filename=stop%d.mp3", iid, i), silence[:len(silence)-104*i], 201)
		if err != nil {
			return t, err
		}
		body := fmt.Sprintf(`{"number": %d, "title_zh": "第%d件作品", "transcript_zh": "%s", "audio_media_id": %d}`, 100+i, i, strings.Repeat("这件作品讲述了一个关于光与色彩的故事。", 20), int64(m["id"].(float64)))
		if _, err := call("POST", fmt.Sprintf("/api/v1/tours/%d/stops", tid), []byte(body), 201); err != nil {
			return t, err
		}
	}
	pub, err := call("POST", fmt.Sprintf("/api/v1/tours/%d/publish", tid), nil, 200)
	if err != nil {
		return t, err
	}
	t.page = strings.TrimPrefix(pub["url"].(string), base)
	page, err := get(base+t.page, "")
	if err != nil {
		return t, err
	}
	t.css = between(string(page), `<link rel="stylesheet" href="`, `"`)
	for i := 1; i <= 10; i++ {
		stop := fmt.Sprintf("%s/%d", t.page, 100+i)
		t.stops = append(t.stops, stop)
		b, err := get(base+stop, "")
		if err != nil {
			return t, err
		}
		t.audios = append(t.audios, between(string(b), `<audio controls preload="none" src="`, `"`))
	}
	t.audio = t.audios[0]
	return t, nil
}

func between(s, start, end string) string {
	_, after, _ := strings.Cut(s, start)
	v, _, _ := strings.Cut(after, end)
	return v
}

// get fetches url asking for the encodings in accept ("" for none).
func get(url string, accept string) ([]byte, error) {
	req, _ := http.NewRequest("GET", url, nil)
	gz := accept != ""
	if gz {
		req.Header.Set("Accept-Encoding", accept)
	}
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return nil, fmt.Errorf("GET %s: %d", url, resp.StatusCode)
	}
	b, err := io.ReadAll(resp.Body)
	if err == nil && gz && resp.Header.Get("Content-Encoding") == "gzip" {
		if _, err := gzip.NewReader(bytes.NewReader(b)); err != nil {
			return nil, err
		}
	}
	return b, err
}

// startNginx runs nginx in the foreground with its own configuration, serving root.
func startNginx(bin, dir, root, addr string) (func(), error) {
	if err := os.MkdirAll(filepath.Join(dir, "logs"), 0o755); err != nil {
		return nil, err
	}
	conf := fmt.Sprintf(`worker_processes auto;
daemon off;
pid %[1]s/nginx.pid;
error_log %[1]s/logs/error.log warn;
events { worker_connections 4096; }
http {
    # Passerelle logs every request; so does nginx, to a file.
    access_log %[1]s/logs/access.log;
    client_body_temp_path %[1]s/body;
    proxy_temp_path %[1]s/proxy;
    fastcgi_temp_path %[1]s/fastcgi;
    uwsgi_temp_path %[1]s/uwsgi;
    scgi_temp_path %[1]s/scgi;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 1000000;
    types { text/css css; audio/mpeg mp3; }
    default_type text/html;
    server {
        listen %[2]s;
        root %[3]s;
        location /v/t/ { try_files $uri $uri/index.html =404; }
        location /v/audio/ { add_header Cache-Control "public, max-age=31536000, immutable"; }
    }
}
`, dir, addr, root)
	file := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(file, []byte(conf), 0o644); err != nil {
		return nil, err
	}
	cmd := exec.Command(bin, "-c", file, "-p", dir, "-e", filepath.Join(dir, "logs", "error.log"))
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	for range 5000 {
		if resp, err := http.Get("http://" + addr + "/"); err == nil {
			resp.Body.Close()
			return func() { cmd.Process.Signal(os.Interrupt); cmd.Wait() }, nil
		}
		time.Sleep(time.Millisecond)
	}
	cmd.Process.Kill()
	return nil, fmt.Errorf("nginx did not start")
}

type result struct {
	n, errors int64
	rps       float64
	p50, p99  time.Duration
	max       time.Duration
}

func (r result) print(name string) {
	fmt.Printf("  %-11s %9.0f req/s  p50 %8.2f ms  p99 %8.2f ms  max %8.2f ms  (%d requests, %d errors)\n",
		name, r.rps, ms(r.p50), ms(r.p99), ms(r.max), r.n, r.errors)
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func rps(r result) float64  { return r.rps }
func p99(r result) float64  { return ms(r.p99) }
func errs(r result) float64 { return float64(r.errors) }

func median(rs []result, f func(result) float64) float64 {
	v := make([]float64, len(rs))
	for i, r := range rs {
		v[i] = f(r)
	}
	slices.Sort(v)
	return v[len(v)/2]
}

func summarize(name string, rs []result) {
	stat := func(f func(result) float64) (float64, float64, float64) {
		v := make([]float64, len(rs))
		for i, r := range rs {
			v[i] = f(r)
		}
		slices.Sort(v)
		return v[0], v[len(v)/2], v[len(v)-1]
	}
	a, b, c := stat(rps)
	d, e, f := stat(p99)
	_, _, g := stat(errs)
	fmt.Printf("  %-11s req/s min/median/max %8.0f / %8.0f / %8.0f   p99 ms %7.2f / %7.2f / %7.2f   errors max %.0f\n", name, a, b, c, d, e, f, g)
}

// load runs conns goroutines sending GET url over keep-alive connections for
// duration (and at most maxRequests), checking status and length.
func load(url string, size, conns int, duration time.Duration) result {
	tr := &http.Transport{MaxIdleConns: conns, MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
	var sent, failed atomic.Int64
	lat := make([][]time.Duration, conns)
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(duration)
	for c := range conns {
		wg.Go(func() {
			buf := make([]byte, 0, size+512)
			for time.Now().Before(deadline) && sent.Add(1) <= maxRequests {
				t := time.Now()
				resp, err := client.Get(url)
				if err != nil {
					failed.Add(1)
					time.Sleep(10 * time.Millisecond)
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
	return collect(lat, failed.Load(), time.Since(start))
}

func collect(lat [][]time.Duration, failed int64, elapsed time.Duration) result {
	var all []time.Duration
	for _, l := range lat {
		all = append(all, l...)
	}
	slices.Sort(all)
	r := result{n: int64(len(all)), errors: failed}
	if len(all) > 0 {
		r.rps = float64(len(all)) / elapsed.Seconds()
		r.p50, r.p99, r.max = all[len(all)/2], all[len(all)*99/100], all[len(all)-1]
	}
	return r
}

// spikeRun starts visitors at 116.7 a second (open loop: arrivals do not wait for
// earlier visitors), each on its own connection as phones are, fetching the tour page,
// a stop page and the stop's audio; latencies are per request.
func spikeRun(base string, t tourInfo, d time.Duration) result {
	var failed atomic.Int64
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	start := time.Now()
	every := time.Second * 10 * 60 / 70_000
	tick := time.NewTicker(every)
	defer tick.Stop()
	for i := 0; time.Since(start) < d; i++ {
		<-tick.C
		wg.Go(func() {
			tr := &http.Transport{DisableCompression: true}
			defer tr.CloseIdleConnections()
			client := &http.Client{Transport: tr, Timeout: 30 * time.Second}
			stop := i % len(t.stops)
			for _, p := range []string{t.page, t.stops[stop], t.audios[stop]} {
				req, _ := http.NewRequest("GET", base+p, nil)
				if p != t.audios[stop] {
					req.Header.Set("Accept-Encoding", "gzip")
				}
				at := time.Now()
				resp, err := client.Do(req)
				if err != nil {
					failed.Add(1)
					return
				}
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if err != nil || resp.StatusCode != 200 {
					failed.Add(1)
				}
				mu.Lock()
				lat = append(lat, time.Since(at))
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	return collect([][]time.Duration{lat}, failed.Load(), time.Since(start))
}
