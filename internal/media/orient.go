package media

import (
	"image"
	"image/color"
	"image/draw"
)

// orient returns img turned upright according to an EXIF orientation (1–8), so that
// the re-encoded file, which carries no EXIF, shows as the camera meant it.
func orient(img image.Image, o int) image.Image {
	if o <= 1 || o > 8 {
		return img
	}
	b := img.Bounds()
	w, h := b.Dx(), b.Dy()
	dw, dh := w, h
	if o >= 5 { // 5–8 swap the axes
		dw, dh = h, w
	}
	// src maps a destination pixel to its source pixel (both relative to the origin).
	src := func(x, y int) (int, int) {
		switch o {
		case 2: // mirrored horizontally
			return w - 1 - x, y
		case 3: // rotated 180°
			return w - 1 - x, h - 1 - y
		case 4: // mirrored vertically
			return x, h - 1 - y
		case 5: // transposed
			return y, x
		case 6: // needs a 90° clockwise turn
			return y, h - 1 - x
		case 7: // transversed
			return w - 1 - y, h - 1 - x
		default: // 8: needs a 90° counter-clockwise turn
			return w - 1 - y, x
		}
	}
	dst := image.NewRGBA(image.Rect(0, 0, dw, dh))
	switch s := img.(type) {
	case *image.YCbCr:
		// The common case (camera JPEGs): convert while copying, without the
		// interface call per pixel of the generic path.
		for y := range dh {
			row := dst.Pix[y*dst.Stride : y*dst.Stride+4*dw]
			for x := range dw {
				sx, sy := src(x, y)
				sx, sy = sx+b.Min.X, sy+b.Min.Y
				yi, ci := s.YOffset(sx, sy), s.COffset(sx, sy)
				r, g, bb := color.YCbCrToRGB(s.Y[yi], s.Cb[ci], s.Cr[ci])
				row[4*x], row[4*x+1], row[4*x+2], row[4*x+3] = r, g, bb, 0xFF
			}
		}
	default:
		rgba, ok := img.(*image.RGBA)
		if !ok {
			rgba = image.NewRGBA(image.Rect(0, 0, w, h))
			draw.Draw(rgba, rgba.Bounds(), img, b.Min, draw.Src)
		} else {
			rgba = rgba.SubImage(b).(*image.RGBA)
		}
		for y := range dh {
			for x := range dw {
				sx, sy := src(x, y)
				si := rgba.PixOffset(sx+rgba.Rect.Min.X, sy+rgba.Rect.Min.Y)
				copy(dst.Pix[y*dst.Stride+4*x:y*dst.Stride+4*x+4], rgba.Pix[si:si+4])
			}
		}
	}
	return dst
}
