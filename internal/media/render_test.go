package media

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"testing"

	"github.com/passerelle-oss/passerelle"
)

// checkRendition asserts that r meets spec and decodes to its stated size.
func checkRendition(t *testing.T, spec RenditionSpec, r Rendition) image.Image {
	t.Helper()
	if r.Spec != spec.Name {
		t.Errorf("spec %q, want %q", r.Spec, spec.Name)
	}
	if int64(len(r.Data)) > spec.MaxBytes {
		t.Errorf("%s: %d bytes, limit %d", spec.Name, len(r.Data), spec.MaxBytes)
	}
	if Sniff(r.Data) != r.MIME || (r.MIME != MIMEJPEG && !(spec.AllowPNG && r.MIME == MIMEPNG)) {
		t.Errorf("%s: data sniffs as %q, says %q", spec.Name, Sniff(r.Data), r.MIME)
	}
	var img image.Image
	var err error
	if r.MIME == MIMEPNG {
		img, err = png.Decode(bytes.NewReader(r.Data))
	} else {
		img, err = jpeg.Decode(bytes.NewReader(r.Data))
	}
	if err != nil {
		t.Fatalf("%s: %v", spec.Name, err)
	}
	if b := img.Bounds(); b.Dx() != r.Width || b.Dy() != r.Height {
		t.Errorf("%s: decodes as %v, says %d×%d", spec.Name, b, r.Width, r.Height)
	}
	if spec.MaxSide > 0 && max(r.Width, r.Height) > spec.MaxSide {
		t.Errorf("%s: %d×%d exceeds %d", spec.Name, r.Width, r.Height, spec.MaxSide)
	}
	return img
}

func TestRenditionsFitTheirRules(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		src  image.Image
	}{
		{"landscape photo", photo(3000, 2000, 10)},
		{"portrait photo", photo(1200, 2400, 11)},
		{"small picture, never enlarged", photo(200, 120, 12)},
		{"pure noise, hard to compress", noise(1600, 1600, 13)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			specs := Specs()
			rs, err := RenderAll(context.Background(), tt.src, specs, Center())
			if err != nil {
				t.Fatal(err)
			}
			if len(rs) != len(specs) {
				t.Fatalf("%d renditions for %d specs", len(rs), len(specs))
			}
			sb := tt.src.Bounds()
			for i, spec := range specs {
				r := rs[i]
				checkRendition(t, spec, r)
				if r.Width > sb.Dx() || r.Height > sb.Dy() {
					t.Errorf("%s: %d×%d enlarges %v", spec.Name, r.Width, r.Height, sb)
				}
				if spec.Width > 0 {
					want := float64(spec.Width) / float64(spec.Height)
					got := float64(r.Width) / float64(r.Height)
					if math.Abs(got-want) > 0.02*want {
						t.Errorf("%s: ratio %.3f, want %.3f", spec.Name, got, want)
					}
					if sb.Dx() >= spec.Width && sb.Dy() >= spec.Height && (r.Width != spec.Width || r.Height != spec.Height) {
						t.Errorf("%s: %d×%d, want %d×%d", spec.Name, r.Width, r.Height, spec.Width, spec.Height)
					}
				}
			}
		})
	}
}

func noise(w, h int, seed uint64) *image.RGBA {
	img := photo(w, h, seed)
	x := seed
	for i := range img.Pix {
		if i%4 == 3 {
			continue
		}
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		img.Pix[i] = uint8(x)
	}
	return img
}

func TestThumbShrinksUntilItFits(t *testing.T) {
	t.Parallel()
	spec, _ := SpecByName(SpecWeChatThumb)
	// Noise at the target size: no downscaling averages it into something compressible.
	r, err := Render(context.Background(), noise(spec.MaxSide, spec.MaxSide, 14), spec, Center())
	if err != nil {
		t.Fatal(err)
	}
	checkRendition(t, spec, r)
	if r.Width >= spec.MaxSide {
		t.Errorf("noise fit at full size %d×%d: the shrinking path was not exercised", r.Width, r.Height)
	}
}

func TestTransparencyForBodyImages(t *testing.T) {
	t.Parallel()
	logo := image.NewNRGBA(image.Rect(0, 0, 400, 200))
	for y := 50; y < 150; y++ {
		for x := 50; x < 350; x++ {
			logo.SetNRGBA(x, y, color.NRGBA{0x20, 0x40, 0xC0, 0xFF})
		}
	}
	body, _ := SpecByName(SpecWeChatBody)
	weibo, _ := SpecByName(SpecWeibo)
	rs, err := RenderAll(context.Background(), logo, []RenditionSpec{body, weibo}, Center())
	if err != nil {
		t.Fatal(err)
	}
	if rs[0].MIME != MIMEPNG {
		t.Errorf("body image with transparency is %s, want PNG", rs[0].MIME)
	}
	img := checkRendition(t, weibo, rs[1])
	// JPEG has no alpha: transparent areas must come out white, not black.
	if r, g, b, _ := img.At(5, 5).RGBA(); r>>8 < 0xF0 || g>>8 < 0xF0 || b>>8 < 0xF0 {
		t.Errorf("transparent corner is %v, want white", img.At(5, 5))
	}
}

func TestCoverFocus(t *testing.T) {
	t.Parallel()
	// A 2000 × 2000 grey picture with a red band on the far left: the 2.35:1 crop only
	// shows it when the focus asks for the top, the 1:1 one when it asks for the left.
	src := image.NewRGBA(image.Rect(0, 0, 2000, 2000))
	for y := range 2000 {
		for x := range 2000 {
			c := color.RGBA{0x80, 0x80, 0x80, 0xFF}
			if y < 300 {
				c = color.RGBA{0xF0, 0, 0, 0xFF}
			}
			src.SetRGBA(x, y, c)
		}
	}
	cover, _ := SpecByName(SpecWeChatCover235)
	isRed := func(img image.Image, x, y int) bool {
		r, g, _, _ := img.At(x, y).RGBA()
		return r>>8 > 0xC0 && g>>8 < 0x40
	}
	for _, tt := range []struct {
		name  string
		focus Focus
		red   bool
	}{
		{"centre", Center(), false},
		{"top", Focus{0.5, 0}, true},
		{"bottom", Focus{0.5, 1}, false},
	} {
		r, err := Render(context.Background(), src, cover, tt.focus)
		if err != nil {
			t.Fatal(err)
		}
		img := checkRendition(t, cover, r)
		if got := isRed(img, r.Width/2, 5); got != tt.red {
			t.Errorf("%s: red at the top = %v, want %v", tt.name, got, tt.red)
		}
	}
	if _, err := Render(context.Background(), src, cover, Focus{1.5, 0}); passerelle.ErrorCode(err) != passerelle.EINVALID {
		t.Errorf("focus outside the image: %v", err)
	}
}

func TestCropRect(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		b     image.Rectangle
		w, h  int
		focus Focus
		want  image.Rectangle
	}{
		{"wide crop of a square, centred", image.Rect(0, 0, 1000, 1000), 2, 1, Focus{0.5, 0.5}, image.Rect(0, 250, 1000, 750)},
		{"wide crop of a square, top", image.Rect(0, 0, 1000, 1000), 2, 1, Focus{0.5, 0}, image.Rect(0, 0, 1000, 500)},
		{"square of a landscape, left", image.Rect(0, 0, 3000, 2000), 1, 1, Focus{0, 0.5}, image.Rect(0, 0, 2000, 2000)},
		{"square of a landscape, right", image.Rect(0, 0, 3000, 2000), 1, 1, Focus{1, 0.5}, image.Rect(1000, 0, 3000, 2000)},
		{"offset bounds", image.Rect(100, 100, 1100, 1100), 2, 1, Focus{0.5, 0.5}, image.Rect(100, 350, 1100, 850)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := cropRect(tt.b, tt.w, tt.h, tt.focus); got != tt.want {
				t.Errorf("cropRect = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestAccepts(t *testing.T) {
	t.Parallel()
	weibo, _ := SpecByName(SpecWeibo)
	body, _ := SpecByName(SpecWeChatBody)
	cover, _ := SpecByName(SpecWeChatCover11)
	gifAsset := Asset{MIME: MIMEGIF, Width: 400, Height: 300, Bytes: 2_000_000, Frames: 20}
	tests := []struct {
		name string
		spec RenditionSpec
		a    Asset
		want bool
	}{
		{"animated gif on weibo", weibo, gifAsset, true},
		{"gif over 5 MB on weibo", weibo, Asset{MIME: MIMEGIF, Width: 400, Height: 300, Bytes: 5_000_000}, false},
		{"gif in a wechat body", body, gifAsset, false},
		{"large jpeg on weibo", weibo, Asset{MIME: MIMEJPEG, Width: 6000, Height: 4000, Bytes: 4_000_000}, false},
		{"covers are always cropped", cover, Asset{MIME: MIMEJPEG, Width: 383, Height: 383, Bytes: 50_000}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.spec.Accepts(tt.a); got != tt.want {
				t.Errorf("Accepts = %v, want %v", got, tt.want)
			}
		})
	}
}

func TestRenderStored(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := &DiskStore{Root: t.TempDir()}
	asset, err := Ingest(ctx, st, bytes.NewReader(encJPEG(t, photo(1000, 700, 15))), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	rs, err := RenderStored(ctx, st, asset.Key, Specs(), Center(), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for i, spec := range Specs() {
		checkRendition(t, spec, rs[i])
	}
	if _, err := RenderStored(ctx, st, "00"+asset.Key[2:], Specs(), Center(), Limits{}); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
		t.Errorf("missing key: %v", err)
	}
}

func TestSpecs(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, s := range Specs() {
		if seen[s.Name] {
			t.Errorf("duplicate %s", s.Name)
		}
		seen[s.Name] = true
		if got, ok := SpecByName(s.Name); !ok || got.Name != s.Name {
			t.Errorf("SpecByName(%s) = %v, %v", s.Name, got, ok)
		}
	}
	for _, name := range []string{SpecWeibo, SpecWeChatImage, SpecWeChatBody, SpecWeChatThumb, SpecWeChatCover235, SpecWeChatCover11, SpecUIThumb} {
		if !seen[name] {
			t.Errorf("no spec %s", name)
		}
	}
	if _, ok := SpecByName("instagram"); ok {
		t.Error("unknown spec found")
	}
	// Platform rules, restated so a careless edit of Specs fails here.
	limits := map[string]int64{SpecWeibo: 4_999_999, SpecWeChatImage: 10_000_000, SpecWeChatBody: 999_999, SpecWeChatThumb: 64_000}
	for name, max := range limits {
		if s, _ := SpecByName(name); s.MaxBytes > max {
			t.Errorf("%s allows %d bytes, platform limit %d", name, s.MaxBytes, max)
		}
	}
}
