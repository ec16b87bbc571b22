package media

import (
	"bytes"
	"context"
	"image"
	"image/jpeg"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/image/draw"
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

// BenchmarkScaleKernels measures the choice scale makes for the largest rendition
// step (a 3000 × 2000 level to the 2048 px Weibo size): CatmullRom's scratch buffer
// (dst width × src height × 32 bytes) against ApproxBiLinear's speed.
func BenchmarkScaleKernels(b *testing.B) {
	src := photo(3000, 2000, 3)
	for _, k := range []struct {
		name string
		q    draw.Interpolator
	}{{"ApproxBiLinear", draw.ApproxBiLinear}, {"CatmullRom", draw.CatmullRom}} {
		b.Run(k.name, func(b *testing.B) {
			dst := image.NewRGBA(image.Rect(0, 0, 2048, 1365))
			var peak uint64
			for b.Loop() {
				peak = max(peak, peakHeap(func() { k.q.Scale(dst, dst.Rect, src, src.Rect, draw.Src, nil) }))
			}
			b.ReportMetric(float64(peak)/1e6, "peak-heap-MB")
		})
	}
}
