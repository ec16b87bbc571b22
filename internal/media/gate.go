package media

import (
	"context"
	"errors"
	"runtime"
	"time"

	"golang.org/x/sync/semaphore"

	"github.com/passerelle-oss/passerelle"
)

// Gate bounds what image work holds in memory at once, so that a burst of uploads or
// renditions of the largest accepted image queues instead of growing the process
// until the machine kills it (a 50-megapixel image is about 200 MB once decoded).
//
// Two bounds nest, always in this order: a file slot (a whole upload or stored image
// read into memory, then decoded and encoded; as many as the machine has cores, the
// work being CPU-bound) and, once the image's header has given its size, a share of
// the decoding budget in bytes. An upload waits with its body in a temporary file, not
// in memory. A request that waits longer than MaxWait gets EUNAVAILABLE (HTTP 503)
// rather than a time-out of the server.
//
// A nil *Gate bounds nothing.
type Gate struct {
	files   *semaphore.Weighted
	decode  *semaphore.Weighted
	budget  int64
	maxWait time.Duration
}

// GateOptions configure a Gate; zero fields take their defaults.
type GateOptions struct {
	// Files is how many files are held in memory at once (default: the number of
	// cores, at least 2).
	Files int
	// DecodeBytes is the memory that decoded images may take at once (default
	// DefaultDecodeBytes). An image larger than the budget takes all of it.
	DecodeBytes int64
	// MaxWait bounds a request's wait for its turn (default 90 s: the server writes
	// a response within 120 s).
	MaxWait time.Duration
}

// DefaultDecodeBytes lets one image at the pixel limit decode at a time (50 million
// pixels at 4 bytes, and the first level of the rendering pyramid), or several small
// ones.
const DefaultDecodeBytes = 320 << 20

// NewGate returns a Gate.
func NewGate(o GateOptions) *Gate {
	if o.Files <= 0 {
		o.Files = max(2, runtime.NumCPU())
	}
	if o.DecodeBytes <= 0 {
		o.DecodeBytes = DefaultDecodeBytes
	}
	if o.MaxWait <= 0 {
		o.MaxWait = 90 * time.Second
	}
	return &Gate{files: semaphore.NewWeighted(int64(o.Files)), decode: semaphore.NewWeighted(o.DecodeBytes), budget: o.DecodeBytes, maxWait: o.MaxWait}
}

// collectAbove is the decoding share from which releasing it first runs the garbage
// collector. Left to itself, the collector lets the heap grow to twice what was live
// at its last cycle, and that cycle may have seen a 200 MB image still in use: the
// next decode would then take fresh memory rather than the freed image's. A cycle
// costs a few milliseconds (pixel buffers hold no pointers to scan), against a second
// or more to decode such an image.
const collectAbove = 64 << 20

var errBusy = passerelle.Errorf(passerelle.EUNAVAILABLE, "The server is busy with other images; try again in a minute.")

func (g *Gate) acquire(ctx context.Context, s *semaphore.Weighted, n int64) (func(), error) {
	if g == nil {
		return func() {}, nil
	}
	wctx, cancel := context.WithTimeout(ctx, g.maxWait)
	defer cancel()
	if err := s.Acquire(wctx, n); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if errors.Is(err, context.DeadlineExceeded) {
			return nil, errBusy
		}
		return nil, err
	}
	return func() {
		if s == g.decode && n >= collectAbove {
			runtime.GC()
		}
		s.Release(n)
	}, nil
}

// file takes a file slot.
func (g *Gate) file(ctx context.Context) (func(), error) {
	if g == nil {
		return func() {}, nil
	}
	return g.acquire(ctx, g.files, 1)
}

// decoding takes the share of the budget that decoding w × h pixels needs: 4 bytes a
// pixel for the image and one more for the pyramid and the encoders' buffers.
func (g *Gate) decoding(ctx context.Context, w, h int) (func(), error) {
	if g == nil {
		return func() {}, nil
	}
	return g.acquire(ctx, g.decode, min(g.budget, int64(w)*int64(h)*5))
}

// decodingBytes takes n bytes of the budget (a GIF's paletted frames).
func (g *Gate) decodingBytes(ctx context.Context, n int64) (func(), error) {
	if g == nil {
		return func() {}, nil
	}
	return g.acquire(ctx, g.decode, max(1, min(g.budget, n)))
}
