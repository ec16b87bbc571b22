package media

import (
	"bytes"
	"compress/lzw"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"image/png"
	"io"
	"math/rand/v2"
	"os"
	"testing"
)

// photo returns a w × h picture that compresses like a photograph: smooth gradients
// with sensor-like noise, deterministic for a seed.
func photo(w, h int, seed uint64) *image.RGBA {
	rng := rand.New(rand.NewPCG(seed, seed^0x9E3779B97F4A7C15))
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		row := img.Pix[y*img.Stride:]
		for x := range w {
			n := int(rng.Uint32()&31) - 16
			row[4*x] = uint8(clamp(x*255/max(1, w-1)+n, 0, 255))
			row[4*x+1] = uint8(clamp(y*255/max(1, h-1)+n, 0, 255))
			row[4*x+2] = uint8(clamp(((x+y)*3)%256+n, 0, 255))
			row[4*x+3] = 0xFF
		}
	}
	return img
}

func encJPEG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, img, &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encPNG(t testing.TB, img image.Image) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func encGIF(t testing.TB, frames int, w, h int) []byte {
	t.Helper()
	g := &gif.GIF{}
	pal := color.Palette{color.Black, color.White, color.RGBA{0xFF, 0, 0, 0xFF}}
	for i := range frames {
		m := image.NewPaletted(image.Rect(0, 0, w, h), pal)
		m.Pix[i%len(m.Pix)] = 2
		g.Image = append(g.Image, m)
		g.Delay = append(g.Delay, 10)
	}
	var buf bytes.Buffer
	if err := gif.EncodeAll(&buf, g); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gifWithJunk returns a GIF with what an attacker hides in one: a comment block holding
// a script, a foreign application block, and bytes after the trailer.
func gifWithJunk(data []byte) []byte {
	p := 13
	if flags := data[10]; flags&0x80 != 0 {
		p += 3 << (flags&7 + 1)
	}
	comment := "<script>alert(document.cookie)</script>"
	var junk []byte
	junk = append(junk, 0x21, 0xFE, byte(len(comment)))
	junk = append(junk, comment...)
	junk = append(junk, 0)
	junk = append(junk, 0x21, 0xFF, 11)
	junk = append(junk, "ImageMagick"...)
	junk = append(junk, 4, 'g', 'a', 'm', 'm', 0)
	out := append(append(append([]byte{}, data[:p]...), junk...), data[p:]...)
	return append(out, "<script>after the trailer</script>"...)
}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// pngChunk frames a PNG chunk with its CRC.
func pngChunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

// pngWithIDAT returns a greyscale PNG of w × h whose IDAT holds idat (already zlib).
func pngWithIDAT(w, h uint32, idat []byte) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8] = 8 // bit depth; colour type 0 (grey)
	out := []byte("\x89PNG\r\n\x1a\n")
	out = append(out, pngChunk("IHDR", ihdr)...)
	if idat != nil {
		out = append(out, pngChunk("IDAT", idat)...)
	}
	return append(out, pngChunk("IEND", nil)...)
}

// zeroBomb returns the zlib stream of a w × h greyscale image of zeros (each row is a
// filter byte and w zeros): megabytes that deflate to kilobytes.
func zeroBomb(t testing.TB, w, h int) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw, _ := zlib.NewWriterLevel(&buf, zlib.BestCompression)
	zeros := make([]byte, w+1)
	for range h {
		zw.Write(zeros)
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// gifFrameBomb returns a GIF declaring frames × (w × h) pixels with next to no data.
func gifFrameBomb(frames, w, h int) []byte {
	var b bytes.Buffer
	b.WriteString("GIF89a")
	binary.Write(&b, binary.LittleEndian, [2]uint16{uint16(w), uint16(h)})
	b.Write([]byte{0x80, 0, 0})             // global colour table of 2 entries
	b.Write([]byte{0, 0, 0, 255, 255, 255}) // black, white
	var lz bytes.Buffer
	zw := lzw.NewWriter(&lz, lzw.LSB, 2)
	zw.Write([]byte{0})
	zw.Close()
	for range frames {
		b.WriteByte(0x2C)
		binary.Write(&b, binary.LittleEndian, [4]uint16{0, 0, uint16(w), uint16(h)})
		b.WriteByte(0)
		b.WriteByte(2) // LZW minimum code size
		b.WriteByte(byte(lz.Len()))
		b.Write(lz.Bytes())
		b.WriteByte(0)
	}
	b.WriteByte(0x3B)
	return b.Bytes()
}

// exifSegment builds an APP1 EXIF segment with an orientation tag and, if gps, a GPS
// IFD holding a latitude, in the given byte order.
func exifSegment(order binary.ByteOrder, orientation uint16, gps bool) []byte {
	var t bytes.Buffer
	if order == binary.BigEndian {
		t.WriteString("MM")
	} else {
		t.WriteString("II")
	}
	w := func(v any) { binary.Write(&t, order, v) }
	w(uint16(42))
	w(uint32(8))
	entries := uint16(1)
	if gps {
		entries = 2
	}
	w(entries)
	w([]uint16{0x0112, 3})
	w(uint32(1))
	w([]uint16{orientation, 0})
	gpsIFD := uint32(8 + 2 + 12*uint32(entries) + 4)
	if gps {
		w([]uint16{0x8825, 4})
		w(uint32(1))
		w(gpsIFD)
	}
	w(uint32(0)) // no next IFD
	if gps {
		// GPSLatitudeRef "N" and GPSLatitude 48° 51' 39" (the Louvre) as rationals.
		w(uint16(2))
		w([]uint16{0x0001, 2})
		w(uint32(2))
		t.Write([]byte{'N', 0, 0, 0})
		w([]uint16{0x0002, 5})
		w(uint32(3))
		w(gpsIFD + 2 + 24 + 4)
		w(uint32(0))
		w([]uint32{48, 1, 51, 1, 39, 1})
	}
	payload := append([]byte("Exif\x00\x00"), t.Bytes()...)
	seg := []byte{0xFF, 0xE1, 0, 0}
	binary.BigEndian.PutUint16(seg[2:], uint16(len(payload)+2))
	return append(seg, payload...)
}

// insertAfterSOI inserts segments right after a JPEG's start-of-image marker.
func insertAfterSOI(jpg []byte, segs ...[]byte) []byte {
	out := append([]byte{}, jpg[:2]...)
	for _, s := range segs {
		out = append(out, s...)
	}
	return append(out, jpg[2:]...)
}

// box frames an MP4 box.
func box(typ string, parts ...[]byte) []byte {
	var payload []byte
	for _, p := range parts {
		payload = append(payload, p...)
	}
	out := binary.BigEndian.AppendUint32(nil, uint32(8+len(payload)))
	out = append(out, typ...)
	return append(out, payload...)
}

// mp4File builds a minimal well-formed MP4: ftyp, moov (mvhd, a video trak), mdat.
func mp4File(brand string, timescale, duration uint32, w, h uint16) []byte {
	ftyp := box("ftyp", []byte(brand), []byte{0, 0, 2, 0}, []byte(brand), []byte("mp41"))
	mvhd := make([]byte, 100)
	binary.BigEndian.PutUint32(mvhd[12:], timescale)
	binary.BigEndian.PutUint32(mvhd[16:], duration)
	tkhd := make([]byte, 84)
	binary.BigEndian.PutUint32(tkhd[76:], uint32(w)<<16)
	binary.BigEndian.PutUint32(tkhd[80:], uint32(h)<<16)
	hdlr := make([]byte, 25)
	copy(hdlr[8:], "vide")
	trak := box("trak", box("tkhd", tkhd), box("mdia", box("hdlr", hdlr)))
	moov := box("moov", box("mvhd", mvhd), trak)
	return append(append(ftyp, moov...), box("mdat", bytes.Repeat([]byte{0x42}, 1000))...)
}

// jpegSegments lists the markers of a JPEG's header segments.
func jpegMarkers(t testing.TB, data []byte) []byte {
	t.Helper()
	var markers []byte
	for p := 2; p+4 <= len(data); {
		if data[p] != 0xFF {
			t.Fatalf("no marker at %d", p)
		}
		m := data[p+1]
		if m == 0xDA {
			break
		}
		markers = append(markers, m)
		p += 2 + int(binary.BigEndian.Uint16(data[p+2:]))
	}
	return markers
}

// drain reads r to the end.
func drain(t testing.TB, r io.Reader) []byte {
	t.Helper()
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
