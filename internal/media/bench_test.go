package media

import (
	"bytes"
	"context"
	"image/jpeg"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// peakHeap samples the heap in use while f runs: runtime.MemStats has no high-water
// mark, so a sampler every millisecond stands in for one.
func peakHeap(f func()) uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		var ms runtime.MemStats
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	})
	f()
	close(done)
	wg.Wait()
	return peak.Load()
}

// BenchmarkRenditions24MP decodes a 6000 × 4000 camera-like JPEG and renders every
// platform size from it: the target is under 1.5 s and 300 MB.
func BenchmarkRenditions24MP(b *testing.B) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, photo(6000, 4000, 24), &jpeg.Options{Quality: 92}); err != nil {
		b.Fatal(err)
	}
	src := buf.Bytes()
	b.ReportMetric(float64(len(src))/1e6, "src-MB")
	specs := Specs()
	ctx := context.Background()
	runtime.GC()
	var peak uint64
	b.ResetTimer()
	for b.Loop() {
		p := peakHeap(func() {
			img, err := Decode(bytes.NewReader(src), Limits{})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := RenderAll(ctx, img, specs, Center()); err != nil {
				b.Fatal(err)
			}
		})
		peak = max(peak, p)
	}
	b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
}
