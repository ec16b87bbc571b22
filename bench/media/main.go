// Command media measures the media library of the built binary on loopback:
//
//   - peak resident memory of the server while 20 concurrent requests each make a new
//     rendition (a crop at its own focus point) of the largest accepted image, a
//     50-megapixel PNG of nearly 20 MB;
//   - peak resident memory while 4 such images are uploaded at once (and, with
//     -uploads, more);
//   - requests per second of GET /api/v1/media/{id}/file served from the data
//     directory and from an S3-compatible bucket (versitygw on loopback), with ratio.
//
// Each memory scenario runs against the default bounds and, as the reference, the same
// binary with the bounds lifted (--media-workers 64 --media-decode-mb 100000), which
// decodes as many images at once as there are requests, as the server did before the
// bounds. Every figure is given as min / median / max over -runs runs, with the
// machine's load average. Every target is on 127.0.0.1; every run is bounded in count
// and time.
//
//	go run ./bench/media [-runs 3] [-renditions 20] [-uploads 4] [-duration 10s] [-versitygw PATH] [-only renditions,uploads,serving]
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"image"
	"image/png"
	"io"
	"log"
	"math/rand/v2"
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
)

var scenarios = map[string]bool{}

var unbounded = []string{"--media-workers", "64", "--media-decode-mb", "100000"}

func main() {
	runs := flag.Int("runs", 3, "runs of each scenario")
	renditions := flag.Int("renditions", 20, "concurrent rendition requests")
	uploads := flag.Int("uploads", 4, "concurrent uploads")
	duration := flag.Duration("duration", 10*time.Second, "length of each serving run")
	clients := flag.Int("clients", 16, "concurrent clients of the serving runs")
	reference := flag.Bool("reference", true, "also run the memory scenarios with the bounds lifted")
	vgw := flag.String("versitygw", "", "versitygw binary (default: GOPATH/bin/versitygw); the S3 comparison is skipped when missing")
	only := flag.String("only", "renditions,uploads,serving", "scenarios to run, comma-separated")
	flag.Parse()
	for _, s := range strings.Split(*only, ",") {
		scenarios[s] = true
	}
	if err := run(*runs, *renditions, *uploads, *clients, *duration, *reference, *vgw); err != nil {
		log.Fatal(err)
	}
}

type env struct {
	bin, tmp string
	big      []byte
}

func run(runs, renditions, uploads, clients int, duration time.Duration, reference bool, vgw string) error {
	ctx := context.Background()
	tmp, err := os.MkdirTemp("", "passerelle-bench-media")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin, err := proc.Build(ctx, tmp)
	if err != nil {
		return err
	}
	big := largestImage()
	e := &env{bin: bin, tmp: tmp, big: big}
	fmt.Printf("%d CPUs, %s; largest accepted image: 7071 × 7071 PNG (50.0 MP), %.1f MB; load average %s\n",
		runtime.NumCPU(), runtime.Version(), float64(len(big))/1e6, loadavg())

	type variant struct {
		name  string
		flags []string
	}
	variants := []variant{{"bounded (defaults)", nil}}
	if reference {
		variants = append(variants, variant{"reference, bounds lifted", unbounded})
	}
	for _, v := range variants {
		if !scenarios["renditions"] {
			break
		}
		var peaks, secs []float64
		var fails int
		for range runs {
			p, d, f, err := e.renditions(renditions, v.flags)
			if err != nil {
				return err
			}
			peaks, secs, fails = append(peaks, p), append(secs, d), fails+f
		}
		fmt.Printf("%d concurrent new renditions, %-26s peak RSS %s MB, time %s s, %d failed requests; load %s\n", renditions, v.name+":", mmm(peaks, "%.0f"), mmm(secs, "%.1f"), fails, loadavg())
	}
	for _, v := range variants {
		if !scenarios["uploads"] {
			break
		}
		var peaks, secs []float64
		var fails int
		for range runs {
			p, d, f, err := e.uploads(uploads, v.flags)
			if err != nil {
				return err
			}
			peaks, secs, fails = append(peaks, p), append(secs, d), fails+f
		}
		fmt.Printf("%d concurrent maximum-size uploads, %-26s peak RSS %s MB, time %s s, %d failed requests; load %s\n", uploads, v.name+":", mmm(peaks, "%.0f"), mmm(secs, "%.1f"), fails, loadavg())
	}
	if !scenarios["serving"] {
		return nil
	}
	if vgw == "" {
		out, _ := exec.Command("go", "env", "GOPATH").Output()
		vgw = filepath.Join(strings.TrimSpace(string(out)), "bin", "versitygw")
	}
	if _, err := os.Stat(vgw); err != nil {
		fmt.Printf("S3 comparison skipped: no versitygw at %s (go install github.com/versity/versitygw/cmd/versitygw@v1.8.0)\n", vgw)
		return nil
	}
	return e.serving(vgw, runs, clients, duration)
}

// largestImage returns a PNG at the pixel limit and just under the byte limit: a
// gradient, with its first rows noise so that the file weighs what a camera's would.
func largestImage() []byte {
	const side = 7071
	img := image.NewRGBA(image.Rect(0, 0, side, side))
	rng := rand.New(rand.NewPCG(1, 2))
	for y := range side {
		row := img.Pix[y*img.Stride:]
		for x := range side {
			r, g, b := uint8(x*255/side), uint8(y*255/side), uint8((x+y)*255/(2*side))
			if y < 880 {
				v := rng.Uint32()
				r, g, b = uint8(v), uint8(v>>8), uint8(v>>16)
			}
			row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = r, g, b, 0xFF
		}
	}
	var buf bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestSpeed}).Encode(&buf, img); err != nil {
		log.Fatal(err)
	}
	if buf.Len() > 20<<20 {
		log.Fatalf("test image is %d bytes, over the 20 MiB limit", buf.Len())
	}
	return buf.Bytes()
}

// server is a passerelle serve with an owner, a token and an institution.
type server struct {
	*proc.Server
	token string
	inst  int64
	stop  func()
}

func (e *env) start(extra ...string) (*server, error) {
	data, err := os.MkdirTemp(e.tmp, "data")
	if err != nil {
		return nil, err
	}
	token, err := proc.OwnerToken(e.bin, data, "bench")
	if err != nil {
		return nil, err
	}
	addr, err := proc.FreeAddr()
	if err != nil {
		return nil, err
	}
	s, err := proc.Serve(e.bin, addr, data, nil, append([]string{"--log-level", "error"}, extra...)...)
	if err != nil {
		return nil, err
	}
	srv := &server{Server: s, token: token, stop: func() { s.Stop(); os.RemoveAll(data) }}
	if _, err := s.WaitReady(60 * time.Second); err != nil {
		srv.stop()
		return nil, err
	}
	var inst struct{ ID int64 }
	if status, body := srv.call("POST", "/api/v1/institutions", []byte(`{"name": "Musée Guimet", "country": "FR"}`)); status != http.StatusCreated || json.Unmarshal(body, &inst) != nil {
		srv.stop()
		return nil, fmt.Errorf("create institution: %d %s", status, body)
	}
	srv.inst = inst.ID
	return srv, nil
}

var client = &http.Client{Timeout: 10 * time.Minute}

func (s *server) call(method, path string, body []byte) (int, []byte) {
	req, _ := http.NewRequest(method, "http://"+s.Addr+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+s.token)
	if body != nil && body[0] == '{' {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return 0, []byte(err.Error())
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

func (s *server) upload(data []byte) (int64, error) {
	status, body := s.call("POST", fmt.Sprintf("/api/v1/institutions/%d/media?filename=big.png", s.inst), data)
	var m struct{ ID int64 }
	if status/100 != 2 || json.Unmarshal(body, &m) != nil {
		return 0, fmt.Errorf("upload: %d %.200s", status, body)
	}
	return m.ID, nil
}

// sampleRSS samples the process's resident memory every 10 ms until stop is closed,
// and returns the peak in MB.
func sampleRSS(pid int, stop <-chan struct{}) <-chan float64 {
	out := make(chan float64, 1)
	go func() {
		var peak int64
		for {
			if rss, err := proc.RSS(pid); err == nil && rss > peak {
				peak = rss
			}
			select {
			case <-stop:
				out <- float64(peak) / (1 << 20)
				return
			case <-time.After(10 * time.Millisecond):
			}
		}
	}()
	return out
}

// renditions uploads the largest image, then asks for n new crops of it at once and
// returns the peak RSS (MB), the time (s) and the failed requests.
func (e *env) renditions(n int, flags []string) (float64, float64, int, error) {
	s, err := e.start(flags...)
	if err != nil {
		return 0, 0, 0, err
	}
	defer s.stop()
	id, err := s.upload(e.big)
	if err != nil {
		return 0, 0, 0, err
	}
	runtime.GC()
	stop := make(chan struct{})
	peak := sampleRSS(s.Cmd.Process.Pid, stop)
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for i := range n {
		// Distinct points of the 1/20 grid: each request is a new rendition.
		x, y := float64(i%5+1)/20, float64(i/5+1)/20
		wg.Go(func() {
			status, _ := s.call("GET", fmt.Sprintf("/api/v1/media/%d/renditions/wechat_cover_11?x=%.2f&y=%.2f", id, x, y), nil)
			if status != http.StatusOK {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	d := time.Since(start).Seconds()
	close(stop)
	return <-peak, d, int(failed.Load()), nil
}

// uploads sends n uploads of the largest image at once.
func (e *env) uploads(n int, flags []string) (float64, float64, int, error) {
	s, err := e.start(flags...)
	if err != nil {
		return 0, 0, 0, err
	}
	defer s.stop()
	stop := make(chan struct{})
	peak := sampleRSS(s.Cmd.Process.Pid, stop)
	var failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range n {
		wg.Go(func() {
			if _, err := s.upload(e.big); err != nil {
				failed.Add(1)
			}
		})
	}
	wg.Wait()
	d := time.Since(start).Seconds()
	close(stop)
	return <-peak, d, int(failed.Load()), nil
}

// serving compares GET /api/v1/media/{id}/file from the data directory and from a
// bucket, alternating runs so that both see the same machine.
func (e *env) serving(vgw string, runs, clients int, duration time.Duration) error {
	root, err := os.MkdirTemp(e.tmp, "s3")
	if err != nil {
		return err
	}
	if err := os.Mkdir(filepath.Join(root, "bench"), 0o750); err != nil {
		return err
	}
	s3addr, err := proc.FreeAddr()
	if err != nil {
		return err
	}
	gw := exec.Command(vgw, "--port", s3addr, "--quiet", "posix", root)
	gw.Env = append(os.Environ(), "ROOT_ACCESS_KEY=benchaccess", "ROOT_SECRET_KEY=benchsecret-0123456789")
	if err := gw.Start(); err != nil {
		return err
	}
	defer func() { gw.Process.Kill(); gw.Wait() }()
	local, err := e.start()
	if err != nil {
		return err
	}
	defer local.stop()
	var remote *server
	for range 50 {
		remote, err = e.start("--media-url", "s3://bench/media", "--s3-endpoint", "http://"+s3addr, "--s3-access-key", "benchaccess", "--s3-secret-key", "benchsecret-0123456789")
		if err == nil {
			break
		}
		time.Sleep(100 * time.Millisecond)
	}
	if err != nil {
		return err
	}
	defer remote.stop()
	// A photograph as a museum uploads it for a post: 1600 × 1067 with sensor-like
	// noise, 3.4 MB as PNG.
	img := image.NewRGBA(image.Rect(0, 0, 1600, 1067))
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range img.Pix {
		img.Pix[i] = uint8(i/4%256) + uint8(rng.IntN(24))
		if i%4 == 3 {
			img.Pix[i] = 0xFF
		}
	}
	var buf bytes.Buffer
	png.Encode(&buf, img)
	lid, err := local.upload(buf.Bytes())
	if err != nil {
		return err
	}
	rid, err := remote.upload(buf.Bytes())
	if err != nil {
		return err
	}
	_, body := local.call("GET", fmt.Sprintf("/api/v1/media/%d/file", lid), nil)
	size := len(body)
	var lr, rr, ratios []float64
	for range runs {
		l := load(local, fmt.Sprintf("/api/v1/media/%d/file", lid), size, clients, duration)
		r := load(remote, fmt.Sprintf("/api/v1/media/%d/file", rid), size, clients, duration)
		lr, rr, ratios = append(lr, l), append(rr, r), append(ratios, r/l)
	}
	fmt.Printf("GET /api/v1/media/{id}/file (%d KB), %d clients, %s per run, runs alternated; load %s\n", size/1000, clients, duration, loadavg())
	fmt.Printf("  local directory: %s req/s\n  S3 (versitygw):  %s req/s\n  ratio S3 / local: %s\n", mmm(lr, "%.0f"), mmm(rr, "%.0f"), mmm(ratios, "%.2f"))
	return nil
}

// load returns the requests per second of clients sending GET path for duration.
func load(s *server, path string, size, clients int, duration time.Duration) float64 {
	tr := &http.Transport{MaxIdleConnsPerHost: clients, DisableCompression: true}
	defer tr.CloseIdleConnections()
	c := &http.Client{Transport: tr, Timeout: 10 * time.Second}
	var done, failed atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	deadline := start.Add(duration)
	for range clients {
		wg.Go(func() {
			for time.Now().Before(deadline) && done.Load() < 5_000_000 {
				req, _ := http.NewRequest("GET", "http://"+s.Addr+path, nil)
				req.Header.Set("Authorization", "Bearer "+s.token)
				resp, err := c.Do(req)
				if err != nil {
					failed.Add(1)
					continue
				}
				n, _ := io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 || int(n) != size {
					failed.Add(1)
					continue
				}
				done.Add(1)
			}
		})
	}
	wg.Wait()
	if failed.Load() > 0 {
		fmt.Printf("  (%d failed requests on %s)\n", failed.Load(), s.Addr)
	}
	return float64(done.Load()) / time.Since(start).Seconds()
}

// mmm formats min / median / max.
func mmm(v []float64, f string) string {
	s := slices.Clone(v)
	slices.Sort(s)
	return fmt.Sprintf(f+" / "+f+" / "+f, s[0], s[len(s)/2], s[len(s)-1])
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}
