package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"testing"
	"time"
)

func TestParseMP4(t *testing.T) {
	t.Parallel()
	good := mp4File("isom", 1000, 61_250, 1920, 1080)
	mvhd1 := make([]byte, 112)
	mvhd1[0] = 1
	binary.BigEndian.PutUint32(mvhd1[20:], 90_000)
	binary.BigEndian.PutUint64(mvhd1[24:], 90_000*5)
	ftyp := box("ftyp", []byte("isom"), []byte{0, 0, 2, 0})
	large := append(binary.BigEndian.AppendUint32(nil, 1), "mdat"...)
	large = binary.BigEndian.AppendUint64(large, 16+4)
	large = append(large, 1, 2, 3, 4)
	tests := []struct {
		name     string
		data     []byte
		duration time.Duration
		w, h     int
		ok       bool
	}{
		{"well formed", good, 61250 * time.Millisecond, 1920, 1080, true},
		{"version 1 header, no track", slices.Concat(ftyp, box("moov", box("mvhd", mvhd1)), box("mdat")), 5 * time.Second, 0, 0, true},
		{"64-bit mdat size", slices.Concat(ftyp, box("moov", box("mvhd", mvhd1)), large), 5 * time.Second, 0, 0, true},
		{"size 0 runs to the end", slices.Concat(ftyp, box("moov", box("mvhd", mvhd1)), []byte{0, 0, 0, 0, 'm', 'd', 'a', 't', 9, 9}), 5 * time.Second, 0, 0, true},
		{"ftyp not first", slices.Concat(box("free"), good), 0, 0, 0, false},
		{"no moov", slices.Concat(ftyp, box("mdat")), 0, 0, 0, false},
		{"no mdat", slices.Concat(ftyp, box("moov", box("mvhd", mvhd1))), 0, 0, 0, false},
		{"no mvhd", slices.Concat(ftyp, box("moov", box("udta")), box("mdat")), 0, 0, 0, false},
		{"trailing bytes", append(slices.Clone(good), 1, 2, 3), 0, 0, 0, false},
		{"box overruns", good[:len(good)-1], 0, 0, 0, false},
		{"zero timescale", slices.Concat(ftyp, box("moov", box("mvhd", make([]byte, 100))), box("mdat")), 0, 0, 0, false},
		{"empty", nil, 0, 0, 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			info, err := parseMP4(tt.data)
			if !tt.ok {
				if err == nil {
					t.Fatalf("accepted: %+v", info)
				}
				if !errors.Is(err, errMP4) {
					t.Errorf("error %v is not errMP4", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if info.Duration != tt.duration || info.Width != tt.w || info.Height != tt.h {
				t.Errorf("info %+v, want %v %d×%d", info, tt.duration, tt.w, tt.h)
			}
		})
	}
}

func TestReadJPEGMeta(t *testing.T) {
	t.Parallel()
	jpg := encJPEG(t, photo(8, 8, 20))
	exif := exifSegment(binary.LittleEndian, 6, true)
	tests := []struct {
		name        string
		data        []byte
		orientation int
		ok          bool
	}{
		{"no exif", jpg, 1, true},
		{"orientation 6 with gps", insertAfterSOI(jpg, exif), 6, true},
		{"fill bytes before a marker", insertAfterSOI(jpg, []byte{0xFF, 0xFF}, exifSegment(binary.BigEndian, 3, false)), 3, true},
		{"exif with a bad byte order", insertAfterSOI(jpg, bytes.Replace(exif, []byte("II"), []byte("XX"), 1)), 1, true},
		{"segment overruns the file", insertAfterSOI(jpg, []byte{0xFF, 0xE1, 0xFF, 0xFF}), 1, false},
		{"not a jpeg", []byte("GIF89a"), 1, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			meta, err := readJPEGMeta(tt.data)
			if (err == nil) != tt.ok || meta.Orientation != tt.orientation {
				t.Errorf("meta %+v, err %v; want orientation %d ok %v", meta, err, tt.orientation, tt.ok)
			}
		})
	}
}

func TestExifOrientation(t *testing.T) {
	t.Parallel()
	tiff := exifSegment(binary.BigEndian, 8, false)[10:]
	tests := []struct {
		name string
		data []byte
		want int
		ok   bool
	}{
		{"big endian", tiff, 8, true},
		{"little endian", exifSegment(binary.LittleEndian, 2, true)[10:], 2, true},
		{"out of range value", exifSegment(binary.LittleEndian, 0, false)[10:], 0, false},
		{"IFD offset past the end", append(append([]byte{}, tiff[:4]...), 0xFF, 0xFF, 0, 0), 0, false},
		{"entry count past the end", append(append([]byte{}, tiff[:8]...), 0x7F, 0xFF), 0, false},
		{"bad magic", append([]byte("MM\x00\x2b"), tiff[4:]...), 0, false},
		{"short", []byte("MM"), 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := exifOrientation(tt.data)
			if (err == nil) != tt.ok || (tt.ok && got != tt.want) {
				t.Errorf("got %d, %v; want %d ok %v", got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestWalkGIF(t *testing.T) {
	t.Parallel()
	anim := encGIF(t, 4, 30, 20)
	info, err := walkGIF(anim, 100)
	if err != nil {
		t.Fatal(err)
	}
	if info.Frames != 4 || info.Width != 30 || info.Height != 20 || info.Pixels != 4*30*20 {
		t.Errorf("info %+v", info)
	}
	for name, data := range map[string][]byte{
		"no trailer":  anim[:len(anim)-1],
		"truncated":   anim[:40],
		"no frame":    []byte("GIF89a\x01\x00\x01\x00\x00\x00\x00;"),
		"bad block":   append(slices.Clone(anim[:len(anim)-1]), 0x99),
		"not a gif":   []byte("GIF90a\x01\x00\x01\x00\x00\x00\x00;"),
		"header only": []byte("GIF89a"),
	} {
		if _, err := walkGIF(data, 100); !errors.Is(err, errGIF) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// FuzzPrepare feeds anything to the upload path: it must never panic, must refuse with
// a coded error, and what it accepts must be self-consistent and accepted again.
func FuzzPrepare(f *testing.F) {
	f.Add(encJPEG(f, photo(16, 12, 1)))
	f.Add(insertAfterSOI(encJPEG(f, photo(9, 7, 2)), exifSegment(binary.BigEndian, 6, true)))
	f.Add(encPNG(f, photo(10, 10, 3)))
	f.Add(encGIF(f, 2, 5, 5))
	f.Add(readTestdata(f, "opaque.lossy.webp"))
	f.Add(mp4File("isom", 1000, 2000, 64, 48))
	f.Add(pngWithIDAT(100_000, 100_000, nil))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8 "))
	limits := Limits{MaxBytes: 1 << 20, MaxVideoBytes: 1 << 20, MaxPixels: 1 << 20, MaxSide: 4096, MaxGIFFrames: 50, MaxGIFPixels: 1 << 22}
	f.Fuzz(func(t *testing.T, data []byte) {
		asset, out, err := Prepare(context.Background(), bytes.NewReader(data), limits)
		if err != nil {
			return
		}
		sum := sha256.Sum256(out)
		if asset.Key != hex.EncodeToString(sum[:]) || asset.Bytes != int64(len(out)) {
			t.Fatalf("asset %+v does not describe its bytes", asset)
		}
		if got := Sniff(out[:min(len(out), 512)]); got != asset.MIME || got == MIMEWebP {
			t.Fatalf("stored %q as %q", got, asset.MIME)
		}
		if asset.MIME != MIMEMP4 && (asset.Width <= 0 || asset.Height <= 0 || int64(asset.Width)*int64(asset.Height) > limits.MaxPixels) {
			t.Fatalf("accepted %d×%d", asset.Width, asset.Height)
		}
		again, _, err := Prepare(context.Background(), bytes.NewReader(out), limits)
		if err != nil {
			t.Fatalf("own output refused: %v", err)
		}
		if again.MIME != asset.MIME || again.Width != asset.Width || again.Height != asset.Height {
			t.Fatalf("second pass %+v, first %+v", again, asset)
		}
	})
}

func FuzzSniff(f *testing.F) {
	f.Add([]byte("\x89PNG\r\n\x1a\n"))
	f.Add([]byte("RIFF\x00\x00\x00\x00WEBPVP8L"))
	f.Add(mp4File("mp42", 1, 1, 1, 1)[:32])
	f.Add([]byte{0xFF, 0xD8, 0xFF, 0xE0})
	f.Fuzz(func(t *testing.T, head []byte) {
		got := Sniff(head)
		prefix := map[string]string{MIMEJPEG: "\xFF\xD8\xFF", MIMEPNG: "\x89PNG", MIMEGIF: "GIF8", MIMEWebP: "RIFF"}
		switch got {
		case "":
		case MIMEMP4:
			if len(head) < 16 || string(head[4:8]) != "ftyp" {
				t.Fatalf("%q sniffed as MP4", head)
			}
		default:
			p, ok := prefix[got]
			if !ok || !bytes.HasPrefix(head, []byte(p)) {
				t.Fatalf("%q sniffed as %q", head, got)
			}
		}
		// Bytes past the first 512 never change the answer for a long enough head.
		if len(head) > 512 && Sniff(head[:512]) != got {
			t.Fatal("answer depends on bytes past 512")
		}
	})
}

func FuzzReadJPEGMeta(f *testing.F) {
	jpg := encJPEG(f, photo(4, 4, 1))
	f.Add(insertAfterSOI(jpg, exifSegment(binary.LittleEndian, 6, true)))
	f.Add(insertAfterSOI(jpg, exifSegment(binary.BigEndian, 3, false)))
	f.Add(jpg[:20])
	f.Fuzz(func(t *testing.T, data []byte) {
		meta, _ := readJPEGMeta(data)
		if meta.Orientation < 1 || meta.Orientation > 8 {
			t.Fatalf("orientation %d", meta.Orientation)
		}
		for _, seg := range meta.ICC {
			if len(seg) < 4 || seg[0] != 0xFF || seg[1] != 0xE2 || int(binary.BigEndian.Uint16(seg[2:4]))+2 != len(seg) || !bytes.Contains(data, seg) {
				t.Fatalf("bad ICC segment %x", seg)
			}
		}
		if len(data) > 6 {
			if o, err := exifOrientation(data[6:]); err == nil && (o < 1 || o > 8) {
				t.Fatalf("exifOrientation = %d", o)
			}
		}
	})
}

func FuzzParseMP4(f *testing.F) {
	f.Add(mp4File("isom", 1000, 61_250, 1920, 1080))
	f.Add(mp4File("mp42", 90_000, 1<<31, 0, 0))
	f.Add([]byte{0, 0, 0, 1, 'f', 't', 'y', 'p', 0, 0, 0, 0, 0, 0, 0, 16})
	f.Fuzz(func(t *testing.T, data []byte) {
		boxes, err := mp4Boxes(data)
		if err == nil {
			n := 0
			for _, b := range boxes {
				// Each payload is a sub-slice, so the header sizes add up.
				n += len(b.payload)
			}
			if n > len(data) || (len(data) > 0 && len(boxes) == 0) {
				t.Fatalf("boxes cover %d of %d bytes", n, len(data))
			}
		}
		info, err := parseMP4(data)
		if err != nil {
			if !errors.Is(err, errMP4) {
				t.Fatalf("error %v is not errMP4", err)
			}
			return
		}
		if info.Duration < 0 || info.Width < 0 || info.Height < 0 || string(data[4:8]) != "ftyp" {
			t.Fatalf("accepted %+v", info)
		}
	})
}

func FuzzWalkGIF(f *testing.F) {
	f.Add(encGIF(f, 3, 4, 4))
	f.Add(gifFrameBomb(3, 100, 100))
	f.Fuzz(func(t *testing.T, data []byte) {
		info, err := walkGIF(data, 20)
		if err != nil {
			return
		}
		if info.Frames < 1 || info.Pixels < 0 || info.Frames > 21 {
			t.Fatalf("info %+v", info)
		}
	})
}
