package media

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"slices"
	"testing"
)

func TestWebWidthsFor(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		w    int
		want []int
	}{{2000, []int{320, 640, 960}}, {960, []int{320, 640, 960}}, {800, []int{320, 640}}, {320, []int{320}}, {200, []int{200}}, {0, nil}} {
		if got := WebWidthsFor(c.w); !slices.Equal(got, c.want) {
			t.Errorf("WebWidthsFor(%d) = %v, want %v", c.w, got, c.want)
		}
	}
}

// smooth draws a photograph-like image: gradients and a fine grain.
func smooth(w, h int) *image.RGBA {
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			fx, fy := float64(x)/float64(w), float64(y)/float64(h)
			n := uint8((x*7919 + y*104729) % 13)
			img.Set(x, y, color.RGBA{uint8(120+90*math.Sin(fx*5+fy*2)) + n, uint8(110+80*math.Cos(fy*6-fx)) + n, uint8(100+70*math.Sin(fx*fy*9)) + n, 255})
		}
	}
	return img
}

func TestRenderWeb(t *testing.T) {
	t.Parallel()
	st := &DiskStore{Root: t.TempDir()}
	var buf bytes.Buffer
	if err := png.Encode(&buf, smooth(700, 350)); err != nil {
		t.Fatal(err)
	}
	key, err := st.Put(context.Background(), &buf)
	if err != nil {
		t.Fatal(err)
	}
	rs, err := RenderWeb(context.Background(), st, key, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if len(rs) != 2 || rs[0].Width != 320 || rs[0].Height != 160 || rs[1].Width != 640 || rs[1].Height != 320 {
		t.Fatalf("renditions of a 700 × 350 image: %+v", sizes(rs))
	}
	for _, r := range rs {
		cfg, err := jpeg.DecodeConfig(bytes.NewReader(r.JPEG))
		if err != nil || cfg.Width != r.Width || cfg.Height != r.Height {
			t.Errorf("%d: the JPEG is %dx%d (%v)", r.Width, cfg.Width, cfg.Height, err)
		}
		if r.WebP == nil || len(r.WebP) >= len(r.JPEG) || !bytes.HasPrefix(r.WebP, []byte("RIFF")) || string(r.WebP[8:12]) != "WEBP" {
			t.Errorf("%d: WebP %d bytes, JPEG %d: a photograph's WebP is smaller", r.Width, len(r.WebP), len(r.JPEG))
		}
	}
	// A flat image with transparency: laid on white; its WebP is kept only if smaller.
	flat := image.NewRGBA(image.Rect(0, 0, 100, 40))
	r, err := EncodeWeb(flat)
	if err != nil {
		t.Fatal(err)
	}
	img, err := jpeg.Decode(bytes.NewReader(r.JPEG))
	if err != nil {
		t.Fatal(err)
	}
	if c := color.RGBAModel.Convert(img.At(50, 20)).(color.RGBA); c.R < 250 || c.G < 250 || c.B < 250 {
		t.Errorf("transparent pixels came out %v, want white", c)
	}
	if r.WebP != nil && len(r.WebP) >= len(r.JPEG) {
		t.Errorf("a WebP of %d bytes kept beside a JPEG of %d", len(r.WebP), len(r.JPEG))
	}
	// Not an image: an error, nothing rendered.
	bad, _ := st.Put(context.Background(), bytes.NewReader([]byte("not an image at all")))
	if _, err := RenderWeb(context.Background(), st, bad, Limits{}); err == nil {
		t.Error("a text file rendered")
	}
}

func sizes(rs []WebRendition) [][2]int {
	var out [][2]int
	for _, r := range rs {
		out = append(out, [2]int{r.Width, r.Height})
	}
	return out
}
