// Package media is the file side of the media library: it checks uploads (type sniffed
// from the content, size, pixel count, decompression bombs), strips what they carry
// about the photographer (EXIF, GPS, ancillary chunks), stores them by content hash,
// and renders the sizes each platform accepts. The database rows that describe an
// asset (institution, alt text, credits) belong to the store, not here.
package media

import (
	"strconv"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// MIME types Passerelle accepts. WebP is accepted on upload but stored as PNG or JPEG,
// because WeChat takes neither WebP material nor WebP body images.
const (
	MIMEJPEG = "image/jpeg"
	MIMEPNG  = "image/png"
	MIMEGIF  = "image/gif"
	MIMEWebP = "image/webp"
	MIMEMP4  = "video/mp4"
)

// Asset describes a stored file.
type Asset struct {
	// Key is the lower-case hex SHA-256 of the stored bytes.
	Key    string `json:"key"`
	MIME   string `json:"mime"`
	Width  int    `json:"width"`
	Height int    `json:"height"`
	Bytes  int64  `json:"bytes"`
	// Duration is the length of a video, read from its movie header; zero for images.
	Duration time.Duration `json:"duration,omitempty"`
	// Frames is the number of frames of a GIF (1 for a still one); zero otherwise.
	Frames int `json:"frames,omitempty"`
}

// Limits bound what Ingest accepts. The zero value of a field means its default.
type Limits struct {
	// MaxBytes bounds an image upload (default 20 MB: a 24-megapixel JPEG from a
	// camera fits).
	MaxBytes int64
	// MaxVideoBytes bounds an MP4 upload (default 10 MB, WeChat's video material limit).
	MaxVideoBytes int64
	// MaxAudioBytes bounds an MP3 or M4A upload (default 30 MB).
	MaxAudioBytes int64
	// MaxPixels bounds width × height before anything is decoded (default 50 million:
	// about 200 MB once decoded to RGBA).
	MaxPixels int64
	// MaxSide bounds either dimension (default 30,000 pixels), which refuses absurd
	// shapes such as 1 × 40,000,000 that pass the pixel limit.
	MaxSide int
	// MaxGIFFrames bounds an animation's frames (default 1,000) and MaxGIFPixels the
	// pixels of all its frames together (default 200 million), since each frame is
	// decoded in full.
	MaxGIFFrames int
	MaxGIFPixels int64
	// Gate, when set, bounds how many files and decoded pixels Prepare and
	// RenderStored hold in memory at once.
	Gate *Gate
}

// Defaults of Limits.
const (
	DefaultMaxBytes      = 20 << 20
	DefaultMaxVideoBytes = 10_000_000
	DefaultMaxPixels     = 50_000_000
	DefaultMaxSide       = 30_000
	DefaultMaxGIFFrames  = 1_000
	DefaultMaxGIFPixels  = 200_000_000
)

func (l Limits) withDefaults() Limits {
	if l.MaxBytes <= 0 {
		l.MaxBytes = DefaultMaxBytes
	}
	if l.MaxVideoBytes <= 0 {
		l.MaxVideoBytes = DefaultMaxVideoBytes
	}
	if l.MaxAudioBytes <= 0 {
		l.MaxAudioBytes = DefaultMaxAudioBytes
	}
	if l.MaxPixels <= 0 {
		l.MaxPixels = DefaultMaxPixels
	}
	if l.MaxSide <= 0 {
		l.MaxSide = DefaultMaxSide
	}
	if l.MaxGIFFrames <= 0 {
		l.MaxGIFFrames = DefaultMaxGIFFrames
	}
	if l.MaxGIFPixels <= 0 {
		l.MaxGIFPixels = DefaultMaxGIFPixels
	}
	return l
}

// checkDimensions refuses an image from its header alone, before a byte of pixel data
// is decoded.
func (l Limits) checkDimensions(w, h int) error {
	if w <= 0 || h <= 0 {
		return passerelle.Errorf(passerelle.EUNSUPPORTED, "The image has no pixels.")
	}
	if w > l.MaxSide || h > l.MaxSide {
		return passerelle.Errorf(passerelle.ETOOLARGE, "The image is %d × %d pixels; each side may be at most %d.", w, h, l.MaxSide)
	}
	if int64(w)*int64(h) > l.MaxPixels {
		return passerelle.Errorf(passerelle.ETOOLARGE, "The image has %.1f million pixels; the limit is %.1f million.", float64(w)*float64(h)/1e6, float64(l.MaxPixels)/1e6)
	}
	return nil
}

// mb formats a byte count for messages: "5 MB", "0.06 MB".
func mb(n int64) string {
	return strconv.FormatFloat(float64(n)/1e6, 'f', -1, 64) + " MB"
}
