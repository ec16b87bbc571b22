package visit_test

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// photoPNG draws an 800 × 520 image with a photograph's smooth gradients and fine
// texture (the case WebP is made for), deterministically.
func photoPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 800, 520))
	for y := range 520 {
		for x := range 800 {
			fx, fy := float64(x)/800, float64(y)/520
			n := uint8((x*7919 + y*104729) % 13) // grain
			img.Set(x, y, color.RGBA{
				R: uint8(120+90*math.Sin(fx*5+fy*2)) + n,
				G: uint8(110+80*math.Cos(fy*6-fx)) + n,
				B: uint8(100+70*math.Sin(fx*fy*9)) + n, A: 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// A stop's image is shown as renditions sized for phones once they are made: a
// <picture> with a WebP srcset (each smaller than its JPEG) and a JPEG srcset. On
// SQLite only: the store calls it makes are the platform renditions', tested on both
// engines, and encoding WebP under -race takes tens of seconds.
func TestImageRenditions(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	{
		b := setup(t, db)
		img := id(t, b.want(b.do("POST", fmt.Sprintf("/api/v1/institutions/%d/media?filename=photo.png", b.institution), b.token, photoPNG(t)), 201))
		tour := id(t, b.want(b.do("POST", fmt.Sprintf("/api/v1/institutions/%d/tours", b.institution), b.token, []byte(`{"title_zh": "导览"}`)), 201))
		b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/stops", tour), b.token, fmt.Appendf(nil, `{"number": 1, "title_zh": "作品", "image_media_id": %d}`, img)), 201)
		url := b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/publish", tour), b.token, nil), 200).json(t)["url"].(string)

		// Until the renditions are made, the stored image, with its size (no layout
		// shift when it arrives).
		first := string(b.want(b.do("GET", url+"/1", "", nil), 200).body)
		if !strings.Contains(first, `width="800" height="520"`) {
			t.Errorf("the first stop page shows no image with its size: %s", between(first, "<main>", "<audio"))
		}
		var page string
		deadline := time.Now().Add(3 * time.Minute) // WebAssembly compilation under -race on a loaded machine
		for {
			page = string(b.want(b.do("GET", url+"/1", "", nil), 200).body)
			if strings.Contains(page, "<source") || time.Now().After(deadline) {
				break
			}
			time.Sleep(300 * time.Millisecond)
		}
		m := regexp.MustCompile(`<picture><source type="image/webp" srcset="([^"]+)" sizes="([^"]+)"><img src="([^"]+)" srcset="([^"]+)" sizes="[^"]+" alt="[^"]*" width="(\d+)" height="(\d+)" fetchpriority="high" decoding="async"></picture>`).FindStringSubmatch(page)
		if m == nil {
			t.Fatalf("no <picture> with a WebP and a JPEG srcset in the stop page: %s", between(page, "<main>", "<audio"))
		}
		webp, jpegs, src := strings.Split(m[1], ", "), strings.Split(m[4], ", "), m[3]
		if len(webp) != 2 || len(jpegs) != 2 || m[5] != "640" || m[6] != "416" || !strings.HasSuffix(src, "/640.jpg") {
			t.Fatalf("an 800-pixel image: webp %q, jpeg %q, src %s %s×%s; want 320 and 640 wide, src 640×416", webp, jpegs, src, m[5], m[6])
		}
		for i, w := range []int{320, 640} {
			wu, ju := strings.TrimSuffix(webp[i], fmt.Sprintf(" %dw", w)), strings.TrimSuffix(jpegs[i], fmt.Sprintf(" %dw", w))
			wr := b.want(b.do("GET", wu, "", nil), 200)
			jr := b.want(b.do("GET", ju, "", nil), 200)
			if wr.header.Get("Content-Type") != "image/webp" || !bytes.HasPrefix(wr.body, []byte("RIFF")) || string(wr.body[8:12]) != "WEBP" {
				t.Errorf("%s: %s, not a WebP", wu, wr.header.Get("Content-Type"))
			}
			cfg, err := jpeg.DecodeConfig(bytes.NewReader(jr.body))
			if err != nil || cfg.Width != w || jr.header.Get("Content-Type") != "image/jpeg" {
				t.Errorf("%s: %v, %d wide, %s", ju, err, cfg.Width, jr.header.Get("Content-Type"))
			}
			if len(wr.body) >= len(jr.body) {
				t.Errorf("%d wide: WebP %d bytes, JPEG %d: a WebP is offered only when smaller", w, len(wr.body), len(jr.body))
			}
			if cc := wr.header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
				t.Errorf("%s: Cache-Control %q", wu, cc)
			}
			b.want(b.do("GET", wu, "", nil, "If-None-Match", wr.header.Get("ETag")), 304)
		}
		// Only the widths made, of published images.
		base := strings.TrimSuffix(src, "640.jpg")
		for _, bad := range []string{base + "960.jpg", base + "640.png", base + "640", base + "0640.jpg", "/v/img/" + strings.Repeat("0", 64) + "/640.jpg", "/v/img/x/640.jpg"} {
			b.want(b.do("GET", bad, "", nil), 404)
		}
		// The renditions are stored: another instance (a new service) finds them.
		for _, spec := range []string{"visit_320.jpg", "visit_640.jpg", "visit_320.webp", "visit_640.webp"} {
			if _, err := db.MediaRenditionFor(t.Context(), img, spec); err != nil {
				t.Errorf("%s: %v", spec, err)
			}
		}
		b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/unpublish", tour), b.token, nil), 200)
		time.Sleep(2100 * time.Millisecond) // the medium's answer is cached 2 s
		b.want(b.do("GET", src, "", nil), 404)
	}
}
