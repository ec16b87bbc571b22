package sim

import (
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is a misbehaviour injected on the requests whose path matches. Rates are
// probabilities in [0, 1], drawn independently per request in this order: rate-limit
// burst, lost response, timeout, HTTP 5xx, platform error; latency applies to every
// matching request that is answered.
type Fault struct {
	// Path is an exact request path ("/2/statuses/share.json"), a prefix ending in "*"
	// ("/datacube/*"), or "*" for every API path. The most specific match wins.
	Path string `json:"path"`
	// LatencyMedianMS and LatencyP99MS shape a log-normal latency; only the median gives
	// a constant delay.
	LatencyMedianMS float64 `json:"latency_median_ms,omitempty"`
	LatencyP99MS    float64 `json:"latency_p99_ms,omitempty"`
	// ErrorRate answers the platform's "system busy" error (Weibo 10001, WeChat -1).
	ErrorRate float64 `json:"error_rate,omitempty"`
	// ServerErrorRate answers HTTP 503 with an HTML page, as a failing gateway does.
	ServerErrorRate float64 `json:"server_error_rate,omitempty"`
	// TimeoutRate holds the request without answering until the client gives up (or
	// the simulator closes), then drops the connection. The request has no effect.
	TimeoutRate float64 `json:"timeout_rate,omitempty"`
	// LostResponseRate applies the request, then closes the connection without a
	// response: "it worked but the answer was lost".
	LostResponseRate float64 `json:"lost_response_rate,omitempty"`
	// RateLimitBurst answers the platform's rate-limit error (Weibo 10023, WeChat
	// 45009) to the next N matching requests.
	RateLimitBurst int `json:"rate_limit_burst,omitempty"`
	// Count limits the fault to the next Count matching requests; 0 means until removed.
	Count int `json:"count,omitempty"`
}

func (f Fault) validate() error {
	if f.Path == "" || (f.Path != "*" && !strings.HasPrefix(f.Path, "/")) {
		return errorf("fault path must be \"*\" or start with \"/\"")
	}
	for name, r := range map[string]float64{
		"error_rate": f.ErrorRate, "server_error_rate": f.ServerErrorRate,
		"timeout_rate": f.TimeoutRate, "lost_response_rate": f.LostResponseRate,
	} {
		if !(r >= 0 && r <= 1) {
			return errorf("%s must be between 0 and 1", name)
		}
	}
	if f.LatencyMedianMS < 0 || f.LatencyP99MS < 0 || f.RateLimitBurst < 0 || f.Count < 0 ||
		math.IsNaN(f.LatencyMedianMS) || math.IsNaN(f.LatencyP99MS) || f.LatencyMedianMS > 600_000 || f.LatencyP99MS > 600_000 {
		return errorf("fault latencies, burst and count must be non-negative (latency at most 10 min)")
	}
	if f.LatencyP99MS > 0 && f.LatencyP99MS < f.LatencyMedianMS {
		return errorf("latency_p99_ms must not be below latency_median_ms")
	}
	return nil
}

func (f Fault) matches(path string) (bool, int) {
	switch {
	case f.Path == path:
		return true, math.MaxInt
	case f.Path == "*":
		return true, 0
	case strings.HasSuffix(f.Path, "*") && strings.HasPrefix(path, strings.TrimSuffix(f.Path, "*")):
		return true, len(f.Path)
	}
	return false, 0
}

// ParseFault reads the flag syntax of a fault: comma-separated key=value pairs, e.g.
// "path=/2/statuses/share.json,lost=1,count=1" or "path=*,latency=20ms/200ms,error=0.01".
// Keys: path, latency (median[/p99] as Go durations), error, 5xx, timeout, lost (rates),
// ratelimit (burst), count.
func ParseFault(spec string) (Fault, error) {
	var f Fault
	for kv := range strings.SplitSeq(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return Fault{}, errorf("fault %q: %q is not key=value", spec, kv)
		}
		var err error
		switch k {
		case "path":
			f.Path = v
		case "latency":
			med, p99, _ := strings.Cut(v, "/")
			var d time.Duration
			if d, err = time.ParseDuration(med); err == nil {
				f.LatencyMedianMS = float64(d) / float64(time.Millisecond)
				if p99 != "" {
					if d, err = time.ParseDuration(p99); err == nil {
						f.LatencyP99MS = float64(d) / float64(time.Millisecond)
					}
				}
			}
		case "error":
			f.ErrorRate, err = strconv.ParseFloat(v, 64)
		case "5xx":
			f.ServerErrorRate, err = strconv.ParseFloat(v, 64)
		case "timeout":
			f.TimeoutRate, err = strconv.ParseFloat(v, 64)
		case "lost":
			f.LostResponseRate, err = strconv.ParseFloat(v, 64)
		case "ratelimit":
			f.RateLimitBurst, err = strconv.Atoi(v)
		case "count":
			f.Count, err = strconv.Atoi(v)
		default:
			return Fault{}, errorf("fault %q: unknown key %q", spec, k)
		}
		if err != nil {
			return Fault{}, errorf("fault %q: %s: %v", spec, k, err)
		}
	}
	if err := f.validate(); err != nil {
		return Fault{}, err
	}
	return f, nil
}

// faultSet holds the active faults. Its own lock keeps the common case (no fault) off
// the simulator's state lock.
type faultSet struct {
	mu     sync.Mutex
	faults []*Fault
	rng    *rand.Rand
}

func newFaultSet(seed uint64) *faultSet {
	return &faultSet{rng: rand.New(rand.NewPCG(seed, 0xfa017))}
}

// add installs f, replacing a fault of the same path.
func (fs *faultSet) add(f Fault) error {
	if err := f.validate(); err != nil {
		return err
	}
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.faults = slices.DeleteFunc(fs.faults, func(g *Fault) bool { return g.Path == f.Path })
	fs.faults = append(fs.faults, &f)
	return nil
}

func (fs *faultSet) clear() {
	fs.mu.Lock()
	fs.faults = nil
	fs.mu.Unlock()
}

func (fs *faultSet) list() []Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]Fault, len(fs.faults))
	for i, f := range fs.faults {
		out[i] = *f
	}
	return out
}

// maxHold bounds how long a "timeout" fault holds a request whose client never gives up.
const maxHold = 2 * time.Minute

type action int

const (
	actNone action = iota
	actRateLimit
	actLost
	actTimeout
	actServerError
	actPlatformError
)

// draw picks what happens to one request on path, and its latency.
func (fs *faultSet) draw(path string) (action, time.Duration) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if len(fs.faults) == 0 {
		return actNone, 0
	}
	var best *Fault
	bestScore := -1
	for _, f := range fs.faults {
		if ok, score := f.matches(path); ok && score > bestScore {
			best, bestScore = f, score
		}
	}
	if best == nil {
		return actNone, 0
	}
	act := actNone
	switch {
	case best.RateLimitBurst > 0:
		best.RateLimitBurst--
		act = actRateLimit
	case fs.rng.Float64() < best.LostResponseRate:
		act = actLost
	case fs.rng.Float64() < best.TimeoutRate:
		act = actTimeout
	case fs.rng.Float64() < best.ServerErrorRate:
		act = actServerError
	case fs.rng.Float64() < best.ErrorRate:
		act = actPlatformError
	}
	var delay time.Duration
	if best.LatencyMedianMS > 0 {
		ms := best.LatencyMedianMS
		if best.LatencyP99MS > best.LatencyMedianMS {
			// Log-normal: the 99th percentile is median·e^(2.326σ).
			sigma := math.Log(best.LatencyP99MS/best.LatencyMedianMS) / 2.326
			ms *= math.Exp(sigma * fs.rng.NormFloat64())
		}
		delay = time.Duration(min(ms, 600_000) * float64(time.Millisecond))
	}
	if best.Count > 0 {
		best.Count--
		if best.Count == 0 {
			fs.faults = slices.DeleteFunc(fs.faults, func(g *Fault) bool { return g == best })
		}
	}
	return act, delay
}

// serve runs one request through the fault draw and then the simulated API.
func (fs *faultSet) serve(s *Simulator, w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, "/_sim/") {
		s.mux.ServeHTTP(w, r)
		return
	}
	act, delay := fs.draw(r.URL.Path)
	if delay > 0 && act != actTimeout {
		t := time.NewTimer(delay)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		case <-s.ctx.Done():
			t.Stop()
		}
	}
	weibo := isWeiboPath(r.URL.Path)
	switch act {
	case actNone:
		s.mux.ServeHTTP(w, r)
	case actRateLimit:
		if weibo {
			writeWeiboError(w, r, 10023, "User requests out of rate limit!")
		} else {
			writeWeChatError(w, 45009, "reach max api daily quota limit")
		}
	case actPlatformError:
		if weibo {
			writeWeiboError(w, r, 10001, "System error")
		} else {
			writeWeChatError(w, -1, "system error")
		}
	case actServerError:
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprint(w, "<html><head><title>503 Service Temporarily Unavailable</title></head><body><center><h1>503 Service Temporarily Unavailable</h1></center></body></html>")
	case actTimeout:
		// Reading the body lets the server notice when the client hangs up, which
		// cancels the request's context.
		io.Copy(io.Discard, io.LimitReader(r.Body, 16<<20))
		t := time.NewTimer(maxHold)
		select {
		case <-r.Context().Done():
		case <-s.ctx.Done():
		case <-t.C:
		}
		t.Stop()
		panic(http.ErrAbortHandler)
	case actLost:
		// The request takes effect; its answer is thrown away and the connection is
		// dropped, so the client sees EOF where the response should be.
		s.mux.ServeHTTP(&discardWriter{h: http.Header{}}, r)
		panic(http.ErrAbortHandler)
	}
}

// discardWriter swallows a response.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Write(b []byte) (int, error) { return len(b), nil }

// AddFault installs a fault, as POST /_sim/faults does (replacing one of the same path).
func (s *Simulator) AddFault(f Fault) error { return s.faults.add(f) }
