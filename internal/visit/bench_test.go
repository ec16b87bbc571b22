package visit_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// discard is a ResponseWriter that keeps nothing but its header map, cleared between
// requests as net/http does for a connection: what a benchmark counts is the
// handler's own work.
type discard struct {
	hd     http.Header
	status int
	n      int
}

func (d *discard) Header() http.Header         { return d.hd }
func (d *discard) WriteHeader(code int)        { d.status = code }
func (d *discard) Write(b []byte) (int, error) { d.n += len(b); return len(b), nil }

// publishedTour publishes a ten-stop tour as bench/visit does and returns its page's
// path.
func publishedTour(b *bundle) string {
	t := b.t
	mp3 := media.SilentMP3(2 * time.Second)
	audio := id(t, b.want(b.do("POST", fmt.Sprintf("/api/v1/institutions/%d/media?filename=stop.mp3", b.institution), b.token, mp3, "Content-Type", "audio/mpeg"), 201))
	tour := id(t, b.want(b.do("POST", fmt.Sprintf("/api/v1/institutions/%d/tours", b.institution), b.token, []byte(`{"title_zh": "卢浮宫经典之旅", "title_fr": "Chefs-d'œuvre du Louvre", "intro_zh": "十件必看的作品。"}`)), 201))
	for i := 1; i <= 10; i++ {
		body := fmt.Sprintf(`{"number": %d, "title_zh": "第%d件作品", "transcript_zh": "%s", "audio_media_id": %d}`, 100+i, i, strings.Repeat("这件作品讲述了一个关于光与色彩的故事。", 20), audio)
		b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/stops", tour), b.token, []byte(body)), 201)
	}
	u := b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/publish", tour), b.token, nil), 200).json(t)["url"].(string)
	return strings.TrimPrefix(u, b.url)
}

// BenchmarkTourPage serves a published tour page through the whole stack (request id,
// security headers, log, metrics), asked as bench/visit asks (no Accept-Encoding) and
// as a phone asks (brotli): time and allocations per request.
//
//	go test -run '^$' -bench TourPage -benchmem ./internal/visit/
func BenchmarkTourPage(b *testing.B) {
	bd := setup(b, storetest.SQLite(b))
	path := publishedTour(bd)
	for _, accept := range []string{"", "gzip, deflate, br"} {
		b.Run("accept="+accept, func(b *testing.B) {
			req := httptest.NewRequest("GET", path, nil)
			if accept != "" {
				req.Header.Set("Accept-Encoding", accept)
			}
			w := &discard{hd: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				clear(w.hd)
				w.n, w.status = 0, 0
				bd.handler.ServeHTTP(w, req)
			}
			if w.status != http.StatusOK || w.n == 0 {
				b.Fatalf("status %d, %d bytes", w.status, w.n)
			}
		})
	}
}
