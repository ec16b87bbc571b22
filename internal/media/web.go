package media

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	stddraw "image/draw"

	"github.com/gen2brain/webp"
)

// Web renditions are the images of the visitor pages: a phone's column at 1×, 2× and
// 3× its 320 CSS pixels, each as a JPEG every browser shows and as a lossy WebP, kept
// only when it is smaller than the JPEG (see docs/dependencies.md for the figures).
const (
	WebJPEGQuality = 80
	WebWebPQuality = 75
)

// WebWidths returns the widths of the web renditions, smallest first.
func WebWidths() []int { return []int{320, 640, 960} }

// WebWidthsFor returns the widths RenderWeb renders for an image w pixels wide: those
// of WebWidths up to w, or w alone for an image narrower than all of them.
func WebWidthsFor(w int) []int {
	var out []int
	for _, x := range WebWidths() {
		if x <= w {
			out = append(out, x)
		}
	}
	if len(out) == 0 && w > 0 {
		out = []int{w}
	}
	return out
}

// WebRendition is one width of an image for the visitor pages.
type WebRendition struct {
	Width, Height int
	JPEG          []byte
	// WebP is nil when the WebP was not smaller than the JPEG.
	WebP []byte
}

// RenderWeb decodes the stored image key once and renders its web renditions, within
// limits.Gate: one per width of WebWidths up to the image's own width (nothing is
// enlarged; an image narrower than the smallest width gets one at its own size).
func RenderWeb(ctx context.Context, st Store, key string, limits Limits) ([]WebRendition, error) {
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
	defer done()
	p := &pyramid{levels: []image.Image{img}}
	b := img.Bounds()
	if b.Empty() {
		return nil, fmt.Errorf("render web: the image has no pixels")
	}
	var out []WebRendition
	for _, w := range WebWidthsFor(b.Dx()) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		h := max(1, int(int64(b.Dy())*int64(w)/int64(b.Dx())))
		lv, lr := p.level(b, w, h)
		dst := image.NewRGBA(image.Rect(0, 0, w, h))
		scale(dst, lv, lr)
		r, err := EncodeWeb(dst)
		if err != nil {
			return nil, fmt.Errorf("render web %d: %w", w, err)
		}
		out = append(out, r)
	}
	return out, nil
}

// EncodeWeb encodes one web rendition of img: a JPEG, and a WebP when it is smaller.
// Transparency is laid on white, as a page would show it.
func EncodeWeb(img *image.RGBA) (WebRendition, error) {
	if !img.Opaque() {
		flat := image.NewRGBA(img.Rect)
		stddraw.Draw(flat, flat.Rect, image.NewUniform(color.White), image.Point{}, stddraw.Src)
		stddraw.Draw(flat, flat.Rect, img, img.Rect.Min, stddraw.Over)
		img = flat
	}
	r := WebRendition{Width: img.Rect.Dx(), Height: img.Rect.Dy()}
	var err error
	if r.JPEG, err = encodeJPEG(img, WebJPEGQuality, nil); err != nil {
		return r, err
	}
	var buf bytes.Buffer
	if err := webp.Encode(&buf, img, webp.Options{Quality: WebWebPQuality, Method: 4}); err != nil {
		return r, fmt.Errorf("encode webp: %w", err)
	}
	if buf.Len() < len(r.JPEG) {
		r.WebP = buf.Bytes()
	}
	return r, nil
}
