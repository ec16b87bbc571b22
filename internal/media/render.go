package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	stddraw "image/draw"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math"
	"slices"

	"golang.org/x/image/draw"

	"github.com/passerelle-oss/passerelle"
)

// Names of the renditions.
const (
	SpecWeibo          = "weibo"
	SpecWeChatImage    = "wechat_image"
	SpecWeChatBody     = "wechat_body"
	SpecWeChatThumb    = "wechat_thumb"
	SpecWeChatCover235 = "wechat_cover_235"
	SpecWeChatCover11  = "wechat_cover_11"
	SpecUIThumb        = "ui_thumb"
)

// RenditionSpec is a platform's rule for an image, and how to meet it.
type RenditionSpec struct {
	Name string
	// MaxBytes is the largest file the platform takes (inclusive). Rules stated as
	// "under 5 MB" are stored one byte under 5,000,000, which also satisfies a
	// platform that means 5 MiB.
	MaxBytes int64
	// MaxSide bounds the long side of a scaled rendition; nothing is ever enlarged.
	MaxSide int
	// Width and Height, when set, make a crop of exactly that shape (the cover
	// ratios), placed around the focus point.
	Width, Height int
	// Quality is the first JPEG quality tried; lower ones down to MinQuality follow,
	// then smaller sizes, until the file fits.
	Quality, MinQuality int
	// AllowPNG lets an image with transparency stay PNG when that fits.
	AllowPNG bool
	// AsIs lists the types the platform takes unchanged (see Accepts).
	AsIs []string
}

// Specs returns the renditions of every platform rule (see PLATFORMS.md), in a fresh
// slice the caller may change.
func Specs() []RenditionSpec {
	return []RenditionSpec{
		// Weibo: one picture per post, JPEG/GIF/PNG under 5 MB. 2048 px is what its
		// apps show full screen.
		{Name: SpecWeibo, MaxBytes: 5_000_000 - 1, MaxSide: 2048, Quality: 90, MinQuality: 60, AsIs: []string{MIMEJPEG, MIMEPNG, MIMEGIF}},
		// WeChat permanent image material: ≤ 10 MB.
		{Name: SpecWeChatImage, MaxBytes: 10_000_000, MaxSide: 2560, Quality: 90, MinQuality: 60, AsIs: []string{MIMEJPEG, MIMEPNG, MIMEGIF}},
		// WeChat article body images (media/uploadimg): JPEG or PNG under 1 MB; the
		// article column is 1080 px wide on a phone at 3×.
		{Name: SpecWeChatBody, MaxBytes: 1_000_000 - 1, MaxSide: 1080, Quality: 85, MinQuality: 55, AllowPNG: true, AsIs: []string{MIMEJPEG, MIMEPNG}},
		// WeChat thumb material: JPEG ≤ 64 KB.
		{Name: SpecWeChatThumb, MaxBytes: 64_000, MaxSide: 480, Quality: 85, MinQuality: 45},
		// Article covers, cropped as WeChat shows them: 2.35:1 in the feed, 1:1 when
		// shared. Uploaded as image material.
		{Name: SpecWeChatCover235, MaxBytes: 10_000_000, Width: 900, Height: 383, Quality: 90, MinQuality: 60},
		{Name: SpecWeChatCover11, MaxBytes: 10_000_000, Width: 383, Height: 383, Quality: 90, MinQuality: 60},
		// Thumbnails in Passerelle's own pages.
		{Name: SpecUIThumb, MaxBytes: 100_000, MaxSide: 320, Quality: 80, MinQuality: 50},
	}
}

// SpecByName returns the spec called name.
func SpecByName(name string) (RenditionSpec, bool) {
	i := slices.IndexFunc(Specs(), func(s RenditionSpec) bool { return s.Name == name })
	if i < 0 {
		return RenditionSpec{}, false
	}
	return Specs()[i], true
}

// Accepts reports whether the stored asset itself meets the rule, so that it can be
// sent unchanged: an animated GIF keeps its animation only that way.
func (s RenditionSpec) Accepts(a Asset) bool {
	if !slices.Contains(s.AsIs, a.MIME) || a.Bytes > s.MaxBytes || s.Width != 0 {
		return false
	}
	return s.MaxSide == 0 || max(a.Width, a.Height) <= s.MaxSide
}

// Rendition is one encoded image.
type Rendition struct {
	Spec   string
	MIME   string
	Width  int
	Height int
	Data   []byte
}

// Focus is the point a crop keeps in view, as fractions of the width and height from
// the top-left corner: {0.5, 0.5} is the centre, {0.5, 0.2} keeps a face near the top.
type Focus struct{ X, Y float64 }

// Center is the default focus.
func Center() Focus { return Focus{0.5, 0.5} }

// FocusGrid is how finely a crop is placed: each coordinate of a focus point is
// rounded to a twentieth, which no one sees on a cover and which bounds an image's
// crops to 21 × 21 of each shape, whatever points are asked for.
const FocusGrid = 20

// Quantize rounds f to the FocusGrid.
func (f Focus) Quantize() Focus {
	return Focus{math.Round(f.X*FocusGrid) / FocusGrid, math.Round(f.Y*FocusGrid) / FocusGrid}
}

// RenderStored decodes the stored image key once and renders every spec from it,
// within limits.Gate.
func RenderStored(ctx context.Context, st Store, key string, specs []RenditionSpec, focus Focus, limits Limits) ([]Rendition, error) {
	release, err := limits.Gate.file(ctx)
	if err != nil {
		return nil, err
	}
	defer release()
	rc, err := st.Open(ctx, key)
	if err != nil {
		return nil, err
	}
	img, done, err := decode(ctx, rc, limits)
	rc.Close()
	if err != nil {
		return nil, err
	}
	// The decoding share is held until the renditions are encoded (the pyramid they
	// are scaled from is part of the cost), and released once nothing holds the image.
	rs, err := RenderAll(ctx, img, specs, focus)
	img = nil
	done()
	return rs, err
}

// Decode decodes a JPEG, PNG or GIF (its first frame) after checking its dimensions
// against limits, as Ingest does.
func Decode(r io.Reader, limits Limits) (image.Image, error) {
	limits.Gate = nil
	img, _, err := decode(context.Background(), r, limits)
	return img, err
}

// decode is Decode within limits.Gate: done releases the decoding share.
func decode(ctx context.Context, r io.Reader, limits Limits) (img image.Image, done func(), err error) {
	limits = limits.withDefaults()
	data, err := io.ReadAll(io.LimitReader(r, limits.MaxBytes+1))
	if err != nil {
		return nil, nil, fmt.Errorf("read image: %w", err)
	}
	if int64(len(data)) > limits.MaxBytes {
		return nil, nil, passerelle.Errorf(passerelle.ETOOLARGE, "Images may be at most %s.", mb(limits.MaxBytes))
	}
	var cfgFn func(io.Reader) (image.Config, error)
	var decFn func(io.Reader) (image.Image, error)
	switch Sniff(data[:min(len(data), 512)]) {
	case MIMEJPEG:
		cfgFn, decFn = jpeg.DecodeConfig, jpeg.Decode
	case MIMEPNG:
		cfgFn, decFn = png.DecodeConfig, png.Decode
	case MIMEGIF:
		cfgFn, decFn = gif.DecodeConfig, gif.Decode
	default:
		return nil, nil, passerelle.Errorf(passerelle.EUNSUPPORTED, "Only JPEG, PNG and GIF images have renditions.")
	}
	cfg, err := cfgFn(bytes.NewReader(data))
	if err != nil {
		return nil, nil, unreadable("image", err)
	}
	if err := limits.checkDimensions(cfg.Width, cfg.Height); err != nil {
		return nil, nil, err
	}
	release, err := limits.Gate.decoding(ctx, cfg.Width, cfg.Height)
	if err != nil {
		return nil, nil, err
	}
	img, err = decFn(bytes.NewReader(data))
	if err != nil {
		release()
		return nil, nil, unreadable("image", err)
	}
	return img, release, nil
}

// RenderAll renders every spec from one decoded image. A 24-megapixel photograph is
// halved (2×2 box average, exact and fast) into a pyramid built on demand, and each
// rendition is scaled from the smallest level still at least as large as it needs,
// so no rendition pays for a pass over the full-size image but the first halving.
func RenderAll(ctx context.Context, src image.Image, specs []RenditionSpec, focus Focus) ([]Rendition, error) {
	if focus.X < 0 || focus.X > 1 || focus.Y < 0 || focus.Y > 1 || focus.X != focus.X || focus.Y != focus.Y {
		return nil, passerelle.Errorf(passerelle.EINVALID, "The focus point must lie within the image.")
	}
	p := &pyramid{levels: []image.Image{src}}
	out := make([]Rendition, 0, len(specs))
	for _, spec := range specs {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		r, err := render(p, spec, focus)
		if err != nil {
			return nil, fmt.Errorf("render %s: %w", spec.Name, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// Render renders one spec. To render several from the same image, RenderAll is
// faster: it shares the downscaled levels.
func Render(ctx context.Context, src image.Image, spec RenditionSpec, focus Focus) (Rendition, error) {
	rs, err := RenderAll(ctx, src, []RenditionSpec{spec}, focus)
	if err != nil {
		return Rendition{}, err
	}
	return rs[0], nil
}

// pyramid holds the source and its successive halvings, built when first needed.
type pyramid struct {
	levels []image.Image
}

// level returns the smallest level whose region matching sr (in source pixels) is at
// least w × h, with that region.
func (p *pyramid) level(sr image.Rectangle, w, h int) (image.Image, image.Rectangle) {
	src := p.levels[0].Bounds()
	i := 0
	for {
		next := src.Dx() >> (i + 1)
		nextH := src.Dy() >> (i + 1)
		if next < 1 || nextH < 1 || sr.Dx()>>(i+1) < w || sr.Dy()>>(i+1) < h {
			break
		}
		i++
	}
	for len(p.levels) <= i {
		prev := p.levels[len(p.levels)-1]
		pb := prev.Bounds()
		half := image.NewRGBA(image.Rect(0, 0, pb.Dx()/2, pb.Dy()/2))
		// Exactly 2:1, ApproxBiLinear samples between each pair of pixels: the 2×2
		// box average, at a fraction of a wide kernel's cost and memory.
		draw.ApproxBiLinear.Scale(half, half.Bounds(), prev, image.Rect(pb.Min.X, pb.Min.Y, pb.Min.X+2*half.Rect.Dx(), pb.Min.Y+2*half.Rect.Dy()), draw.Src, nil)
		p.levels = append(p.levels, half)
	}
	lv := p.levels[i]
	lb := lv.Bounds()
	r := image.Rect(
		lb.Min.X+(sr.Min.X-src.Min.X)>>i, lb.Min.Y+(sr.Min.Y-src.Min.Y)>>i,
		lb.Min.X+(sr.Max.X-src.Min.X)>>i, lb.Min.Y+(sr.Max.Y-src.Min.Y)>>i,
	).Intersect(lb)
	return lv, r
}

// kernelBudget bounds the scratch memory of a CatmullRom pass (dst width × src
// height × 32 bytes); larger passes use ApproxBiLinear, which needs none and, from a
// level at most twice the target, barely differs. Measured on 3000 × 2000 → 2048
// (BenchmarkScaleKernels, 2 cores): ApproxBiLinear 43 ms and 36 MB of peak heap,
// CatmullRom 205 ms and 430 MB.
const kernelBudget = 48 << 20

func scale(dst *image.RGBA, src image.Image, sr image.Rectangle) {
	if sr.Dx() == dst.Rect.Dx() && sr.Dy() == dst.Rect.Dy() {
		stddraw.Draw(dst, dst.Rect, src, sr.Min, stddraw.Src)
		return
	}
	if int64(dst.Rect.Dx())*int64(sr.Dy())*32 <= kernelBudget {
		draw.CatmullRom.Scale(dst, dst.Rect, src, sr, draw.Src, nil)
		return
	}
	draw.ApproxBiLinear.Scale(dst, dst.Rect, src, sr, draw.Src, nil)
}

// cropRect returns the largest w:h region of b around the focus point.
func cropRect(b image.Rectangle, w, h int, f Focus) image.Rectangle {
	cw, ch := b.Dx(), b.Dy()
	if int64(cw)*int64(h) > int64(ch)*int64(w) {
		cw = max(1, int(int64(ch)*int64(w)/int64(h)))
	} else {
		ch = max(1, int(int64(cw)*int64(h)/int64(w)))
	}
	x := b.Min.X + clamp(int(f.X*float64(b.Dx()))-cw/2, 0, b.Dx()-cw)
	y := b.Min.Y + clamp(int(f.Y*float64(b.Dy()))-ch/2, 0, b.Dy()-ch)
	return image.Rect(x, y, x+cw, y+ch)
}

func clamp(v, lo, hi int) int { return max(lo, min(v, hi)) }

// fit returns the size of w × h scaled down, never up, so its long side is at most side.
func fit(w, h, side int) (int, int) {
	if side <= 0 || max(w, h) <= side {
		return w, h
	}
	if w >= h {
		return side, max(1, int(int64(h)*int64(side)/int64(w)))
	}
	return max(1, int(int64(w)*int64(side)/int64(h))), side
}

func render(p *pyramid, spec RenditionSpec, focus Focus) (Rendition, error) {
	if spec.MaxBytes <= 0 || (spec.Width > 0) != (spec.Height > 0) || spec.Width < 0 || spec.Quality < 1 || spec.Quality > 100 {
		return Rendition{}, fmt.Errorf("invalid rendition spec %+v", spec)
	}
	b := p.levels[0].Bounds()
	if b.Empty() {
		return Rendition{}, passerelle.Errorf(passerelle.EUNSUPPORTED, "The image has no pixels.")
	}
	sr := b
	var w, h int
	if spec.Width > 0 {
		sr = cropRect(b, spec.Width, spec.Height, focus)
		w, h = spec.Width, spec.Height
		if sr.Dx() < w { // a small source: keep the shape, don't enlarge
			w, h = sr.Dx(), sr.Dy()
		}
	} else {
		w, h = fit(b.Dx(), b.Dy(), spec.MaxSide)
	}
	lv, lr := p.level(sr, w, h)
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	scale(img, lv, lr)
	return encodeFit(img, spec)
}

// encodeFit encodes img as the spec asks, lowering the JPEG quality and then the size
// until the file fits. Each pass is a fraction of the one before, so the loop is short.
func encodeFit(img *image.RGBA, spec RenditionSpec) (Rendition, error) {
	opaque := img.Opaque()
	if spec.AllowPNG && !opaque {
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, img); err != nil {
			return Rendition{}, err
		}
		if int64(buf.Len()) <= spec.MaxBytes {
			return Rendition{Spec: spec.Name, MIME: MIMEPNG, Width: img.Rect.Dx(), Height: img.Rect.Dy(), Data: buf.Bytes()}, nil
		}
	}
	if !opaque {
		// JPEG has no alpha: lay the image on white, as a page would show it.
		flat := image.NewRGBA(img.Rect)
		stddraw.Draw(flat, flat.Rect, image.NewUniform(color.White), image.Point{}, stddraw.Src)
		stddraw.Draw(flat, flat.Rect, img, img.Rect.Min, stddraw.Over)
		img = flat
	}
	minQ := max(1, min(spec.MinQuality, spec.Quality))
	for {
		for q := spec.Quality; ; q = max(minQ, q-10) {
			data, err := encodeJPEG(img, q, nil)
			if err != nil {
				return Rendition{}, err
			}
			if int64(len(data)) <= spec.MaxBytes {
				return Rendition{Spec: spec.Name, MIME: MIMEJPEG, Width: img.Rect.Dx(), Height: img.Rect.Dy(), Data: data}, nil
			}
			if q == minQ {
				break
			}
		}
		w, h := img.Rect.Dx()*4/5, img.Rect.Dy()*4/5
		if w < 8 || h < 8 {
			return Rendition{}, fmt.Errorf("cannot fit %s in %d bytes", spec.Name, spec.MaxBytes)
		}
		smaller := image.NewRGBA(image.Rect(0, 0, w, h))
		scale(smaller, img, img.Rect)
		img = smaller
	}
}
