package media

import (
	"bytes"
	"context"
	"io"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// countingReader counts what was read from it.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// TestGateQueuesUploads: an upload waiting for a slot holds its body in a file, not in
// memory, and one that waits too long is told the server is busy (503), not left to
// time out.
func TestGateQueuesUploads(t *testing.T) {
	t.Parallel()
	g := NewGate(GateOptions{Files: 1, MaxWait: 100 * time.Millisecond})
	release, err := g.file(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	upload := encPNG(t, photo(64, 64, 1))
	body := &countingReader{r: bytes.NewReader(upload)}
	_, _, err = Prepare(context.Background(), body, Limits{Gate: g})
	if passerelle.ErrorCode(err) != passerelle.EUNAVAILABLE {
		t.Fatalf("err = %v, want unavailable", err)
	}
	if body.n.Load() != int64(len(upload)) {
		t.Errorf("a queued upload read %d bytes of its %d", body.n.Load(), len(upload))
	}
	release()
	if _, _, err := Prepare(context.Background(), bytes.NewReader(upload), Limits{Gate: g}); err != nil {
		t.Fatalf("after the slot is free: %v", err)
	}
	// Over the limit, still refused as too large.
	if _, _, err := Prepare(context.Background(), bytes.NewReader(upload), Limits{Gate: g, MaxBytes: 100}); passerelle.ErrorCode(err) != passerelle.ETOOLARGE {
		t.Fatalf("spooled upload over the limit: %v", err)
	}
}

// TestGateBoundsDecodedMemory is a regression test of issue 9, item 5: concurrent
// renditions decoded as many full images at once as there were requests (6 requests
// on a 49-megapixel PNG took the server from 36 MB to 1.65 GB). With a budget of one
// image, 8 concurrent renditions of a 1-megapixel PNG hold about one decoded image.
func TestGateBoundsDecodedMemory(t *testing.T) {
	const w, h, n = 1000, 1000, 8
	st := &DiskStore{Root: t.TempDir()}
	asset, err := Ingest(context.Background(), st, bytes.NewReader(encPNG(t, photo(w, h, 7))), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	decoded := uint64(w * h * 4)
	gate := NewGate(GateOptions{Files: 2, DecodeBytes: w * h * 5})
	spec, _ := SpecByName(SpecWeChatBody)

	// Collect often, so that the heap measures what is live, not garbage.
	defer debug.SetGCPercent(debug.SetGCPercent(5))
	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	var peak atomic.Uint64
	stop := make(chan struct{})
	sampled := make(chan struct{})
	go func() {
		defer close(sampled)
		var ms runtime.MemStats
		for {
			select {
			case <-stop:
				return
			case <-time.After(2 * time.Millisecond):
			}
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
		}
	}()
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			if _, err := RenderStored(context.Background(), st, asset.Key, []RenditionSpec{spec}, Center(), Limits{Gate: gate}); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	close(stop)
	<-sampled
	grew := peak.Load() - min(peak.Load(), base.HeapAlloc)
	t.Logf("heap grew by %d MB for %d concurrent renditions of %d MB decoded", grew>>20, n, decoded>>20)
	// Ungated, the heap holds n decoded images and files at once (65 MB measured);
	// with the gate one decoded image, two files and garbage not yet collected
	// (14 MB measured).
	if grew > 6*decoded {
		t.Errorf("heap grew by %d MB, more than six decoded images (%d MB)", grew>>20, 6*decoded>>20)
	}
}
