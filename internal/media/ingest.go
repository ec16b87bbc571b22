package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"image"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"os"

	"golang.org/x/image/webp"

	"github.com/passerelle-oss/passerelle"
)

// jpegQuality for re-encoded uploads: high enough that a second-generation JPEG of an
// artwork shows no artefacts at 100 %.
const jpegQuality = 92

// Ingest reads an upload, checks it, strips its metadata and stores it in st. On any
// error nothing is stored. Errors carry ETOOLARGE (HTTP 413) for a file, image or
// animation over the limits and EUNSUPPORTED (415) for an unaccepted or unreadable
// type, with a message for the user.
func Ingest(ctx context.Context, st Store, r io.Reader, limits Limits) (Asset, error) {
	asset, data, err := Prepare(ctx, r, limits)
	if err != nil {
		return Asset{}, err
	}
	key, err := st.Put(ctx, bytes.NewReader(data))
	if err != nil {
		return Asset{}, fmt.Errorf("store media: %w", err)
	}
	if key != asset.Key {
		return Asset{}, fmt.Errorf("store media: stored as %s, expected %s", key, asset.Key)
	}
	return asset, nil
}

// Prepare does Ingest's work without storing: it returns the asset and the bytes to
// store, which differ from the upload's unless the upload is an MP4.
func Prepare(ctx context.Context, r io.Reader, limits Limits) (Asset, []byte, error) {
	limits = limits.withDefaults()
	limit := max(limits.MaxBytes, limits.MaxVideoBytes, limits.MaxAudioBytes)
	if limits.Gate != nil {
		// While it waits for its turn, the upload is read into a temporary file: the
		// client is not kept waiting for the server to read its body, and the bytes
		// cost no memory.
		spooled, err := spool(ctx, r, limit+1)
		if err != nil {
			return Asset{}, nil, err
		}
		defer spooled.Close()
		r = spooled
		release, err := limits.Gate.file(ctx)
		if err != nil {
			return Asset{}, nil, err
		}
		defer release()
	}
	// Reading one byte past the limit tells "exactly at the limit" from "over it"
	// without trusting a Content-Length.
	data, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return Asset{}, nil, fmt.Errorf("read upload: %w", err)
	}
	if int64(len(data)) > limit {
		return Asset{}, nil, passerelle.Errorf(passerelle.ETOOLARGE, "The file is larger than %s.", mb(limit))
	}
	if len(data) == 0 {
		return Asset{}, nil, passerelle.Errorf(passerelle.EUNSUPPORTED, "The file is empty.")
	}
	mime := Sniff(data[:min(len(data), 512)])
	if mime == MIMEMP3 || mime == MIMEM4A {
		if int64(len(data)) > limits.MaxAudioBytes {
			return Asset{}, nil, passerelle.Errorf(passerelle.ETOOLARGE, "Audio files may be at most %s.", mb(limits.MaxAudioBytes))
		}
	} else if mime == MIMEMP4 {
		if int64(len(data)) > limits.MaxVideoBytes {
			return Asset{}, nil, passerelle.Errorf(passerelle.ETOOLARGE, "Videos may be at most %s (the WeChat limit).", mb(limits.MaxVideoBytes))
		}
	} else if int64(len(data)) > limits.MaxBytes {
		return Asset{}, nil, passerelle.Errorf(passerelle.ETOOLARGE, "Images may be at most %s.", mb(limits.MaxBytes))
	}
	if err := ctx.Err(); err != nil {
		return Asset{}, nil, err
	}

	var asset Asset
	var out []byte
	switch mime {
	case MIMEJPEG:
		asset, out, err = prepareJPEG(ctx, data, limits)
	case MIMEPNG:
		asset, out, err = preparePNG(ctx, data, limits)
	case MIMEGIF:
		asset, out, err = prepareGIF(ctx, data, limits)
	case MIMEWebP:
		asset, out, err = prepareWebP(ctx, data, limits)
	case MIMEMP4:
		asset, out, err = prepareMP4(data)
	case MIMEMP3:
		asset, out, err = prepareMP3(data)
	case MIMEM4A:
		asset, out, err = prepareM4A(data)
	default:
		return Asset{}, nil, passerelle.Errorf(passerelle.EUNSUPPORTED, "This type of file is not accepted: upload a JPEG, PNG, GIF or WebP image, an MP4 video, or MP3 or M4A audio.")
	}
	if err != nil {
		return Asset{}, nil, err
	}
	sum := sha256.Sum256(out)
	asset.Key = hex.EncodeToString(sum[:])
	asset.Bytes = int64(len(out))
	return asset, out, nil
}

func unreadable(kind string, err error) error {
	e := passerelle.Errorf(passerelle.EUNSUPPORTED, "The file looks like a %s but cannot be read: it may be damaged or truncated.", kind)
	e.Err = err
	return e
}

func prepareJPEG(ctx context.Context, data []byte, limits Limits) (Asset, []byte, error) {
	cfg, err := jpeg.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Asset{}, nil, unreadable("JPEG image", err)
	}
	if err := limits.checkDimensions(cfg.Width, cfg.Height); err != nil {
		return Asset{}, nil, err
	}
	release, err := limits.Gate.decoding(ctx, cfg.Width, cfg.Height)
	if err != nil {
		return Asset{}, nil, err
	}
	defer release()
	// A damaged header only costs the orientation and the colour profile.
	meta, _ := readJPEGMeta(data)
	img, err := jpeg.Decode(bytes.NewReader(data))
	if err != nil {
		return Asset{}, nil, unreadable("JPEG image", err)
	}
	img = orient(img, meta.Orientation)
	out, err := encodeJPEG(img, jpegQuality, meta.ICC)
	if err != nil {
		return Asset{}, nil, err
	}
	b := img.Bounds()
	return Asset{MIME: MIMEJPEG, Width: b.Dx(), Height: b.Dy()}, out, nil
}

// encodeJPEG encodes img and re-inserts the ICC profile segments right after SOI.
func encodeJPEG(img image.Image, quality int, icc [][]byte) ([]byte, error) {
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: quality}); err != nil {
		return nil, fmt.Errorf("encode jpeg: %w", err)
	}
	if len(icc) == 0 {
		return buf.Bytes(), nil
	}
	enc := buf.Bytes()
	n := 2
	for _, seg := range icc {
		n += len(seg)
	}
	out := make([]byte, 0, len(enc)+n)
	out = append(out, enc[:2]...)
	for _, seg := range icc {
		out = append(out, seg...)
	}
	return append(out, enc[2:]...), nil
}

func preparePNG(ctx context.Context, data []byte, limits Limits) (Asset, []byte, error) {
	cfg, err := png.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Asset{}, nil, unreadable("PNG image", err)
	}
	if err := limits.checkDimensions(cfg.Width, cfg.Height); err != nil {
		return Asset{}, nil, err
	}
	release, err := limits.Gate.decoding(ctx, cfg.Width, cfg.Height)
	if err != nil {
		return Asset{}, nil, err
	}
	defer release()
	img, err := png.Decode(bytes.NewReader(data))
	if err != nil {
		return Asset{}, nil, unreadable("PNG image", err)
	}
	// The encoder writes only IHDR, PLTE, tRNS, IDAT and IEND: text, time, EXIF and
	// every other ancillary chunk is gone.
	var buf bytes.Buffer
	enc := png.Encoder{CompressionLevel: png.BestCompression}
	if err := enc.Encode(&buf, img); err != nil {
		return Asset{}, nil, fmt.Errorf("encode png: %w", err)
	}
	return Asset{MIME: MIMEPNG, Width: cfg.Width, Height: cfg.Height}, buf.Bytes(), nil
}

func prepareGIF(ctx context.Context, data []byte, limits Limits) (Asset, []byte, error) {
	info, err := walkGIF(data, limits.MaxGIFFrames)
	if err != nil {
		return Asset{}, nil, unreadable("GIF image", err)
	}
	if err := limits.checkDimensions(info.Width, info.Height); err != nil {
		return Asset{}, nil, err
	}
	if info.Frames > limits.MaxGIFFrames {
		return Asset{}, nil, passerelle.Errorf(passerelle.ETOOLARGE, "The animation has more than %d frames.", limits.MaxGIFFrames)
	}
	if info.Pixels > limits.MaxGIFPixels {
		return Asset{}, nil, passerelle.Errorf(passerelle.ETOOLARGE, "The animation's frames hold %.0f million pixels in all; the limit is %.0f million.", float64(info.Pixels)/1e6, float64(limits.MaxGIFPixels)/1e6)
	}
	// The bounds above cap the cost of decoding every frame. The animation is then
	// written anew from its frames, palettes, delays, disposals and loop count alone:
	// comment and application blocks other than the loop, and whatever follows the
	// trailer (a script, another file), are not carried over, as the JPEG and PNG
	// re-encoding drops what those carry.
	// Frames decode to one byte a pixel; the encoder's buffers take about one frame.
	release, err := limits.Gate.decodingBytes(ctx, info.Pixels+int64(info.Width)*int64(info.Height))
	if err != nil {
		return Asset{}, nil, err
	}
	defer release()
	g, err := gif.DecodeAll(bytes.NewReader(data))
	if err != nil {
		return Asset{}, nil, unreadable("GIF image", err)
	}
	var buf bytes.Buffer
	buf.Grow(len(data))
	if err := gif.EncodeAll(&buf, g); err != nil {
		return Asset{}, nil, unreadable("GIF image", err)
	}
	return Asset{MIME: MIMEGIF, Width: info.Width, Height: info.Height, Frames: len(g.Image)}, buf.Bytes(), nil
}

func prepareWebP(ctx context.Context, data []byte, limits Limits) (Asset, []byte, error) {
	cfg, err := webp.DecodeConfig(bytes.NewReader(data))
	if err != nil {
		return Asset{}, nil, unreadable("WebP image (animated WebP is not accepted)", err)
	}
	if err := limits.checkDimensions(cfg.Width, cfg.Height); err != nil {
		return Asset{}, nil, err
	}
	release, err := limits.Gate.decoding(ctx, cfg.Width, cfg.Height)
	if err != nil {
		return Asset{}, nil, err
	}
	defer release()
	img, err := webp.Decode(bytes.NewReader(data))
	if err != nil {
		return Asset{}, nil, unreadable("WebP image", err)
	}
	// Transparency survives only as PNG; an opaque picture is a photograph and
	// JPEG keeps it small.
	if !isOpaque(img) {
		var buf bytes.Buffer
		enc := png.Encoder{CompressionLevel: png.BestCompression}
		if err := enc.Encode(&buf, img); err != nil {
			return Asset{}, nil, fmt.Errorf("encode png: %w", err)
		}
		return Asset{MIME: MIMEPNG, Width: cfg.Width, Height: cfg.Height}, buf.Bytes(), nil
	}
	out, err := encodeJPEG(img, jpegQuality, nil)
	if err != nil {
		return Asset{}, nil, err
	}
	return Asset{MIME: MIMEJPEG, Width: cfg.Width, Height: cfg.Height}, out, nil
}

func prepareMP4(data []byte) (Asset, []byte, error) {
	info, err := parseMP4(data)
	if err != nil {
		return Asset{}, nil, unreadable("MP4 video", err)
	}
	return Asset{MIME: MIMEMP4, Width: info.Width, Height: info.Height, Duration: info.Duration}, data, nil
}

func isOpaque(img image.Image) bool {
	if o, ok := img.(interface{ Opaque() bool }); ok {
		return o.Opaque()
	}
	return false
}

// spool copies at most n bytes of r to an unlinked temporary file and returns it,
// positioned at its start.
func spool(ctx context.Context, r io.Reader, n int64) (*os.File, error) {
	f, err := os.CreateTemp("", "passerelle-upload-*")
	if err != nil {
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	os.Remove(f.Name())
	if _, err := io.Copy(f, ctxReader{ctx, io.LimitReader(r, n)}); err != nil {
		f.Close()
		return nil, fmt.Errorf("read upload: %w", err)
	}
	if _, err := f.Seek(0, io.SeekStart); err != nil {
		f.Close()
		return nil, fmt.Errorf("spool upload: %w", err)
	}
	return f, nil
}
