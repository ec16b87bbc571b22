package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"image"
	"image/color"
	"image/gif"
	"image/jpeg"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
)

func TestSniff(t *testing.T) {
	t.Parallel()
	jpg := encJPEG(t, photo(16, 16, 1))
	pngData := encPNG(t, photo(16, 16, 1))
	gifData := encGIF(t, 1, 8, 8)
	mp4 := mp4File("isom", 1000, 1000, 320, 240)
	tests := []struct {
		name string
		head []byte
		want string
	}{
		{"jpeg", jpg, MIMEJPEG},
		{"png", pngData, MIMEPNG},
		{"gif89a", gifData, MIMEGIF},
		{"gif87a", append([]byte("GIF87a"), gifData[6:]...), MIMEGIF},
		{"webp lossy", readTestdata(t, "opaque.lossy.webp"), MIMEWebP},
		{"webp lossless", readTestdata(t, "alpha.lossless.webp"), MIMEWebP},
		{"mp4", mp4, MIMEMP4},
		{"mp4 with an mp4 compatible brand only", mp4File("XXXX", 1000, 1000, 320, 240), MIMEMP4},
		{"quicktime", box("ftyp", []byte("qt  "), []byte{0, 0, 2, 0}, []byte("qt  ")), ""},
		{"riff but wave audio", append([]byte("RIFF\x10\x00\x00\x00WAVEfmt "), make([]byte, 16)...), ""},
		{"html claiming nothing", []byte("<!DOCTYPE html><html><body>x</body></html>"), ""},
		{"plain text", []byte("Bonjour 你好"), ""},
		{"pdf", []byte("%PDF-1.7\n%âãÏÓ"), ""},
		{"empty", nil, ""},
		{"truncated png signature", pngData[:4], ""},
		{"truncated jpeg signature", jpg[:2], ""},
		{"webp too short", []byte("RIFF\x00\x00\x00\x00WEBP"), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := Sniff(tt.head[:min(len(tt.head), 512)]); got != tt.want {
				t.Errorf("Sniff = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPrepare(t *testing.T) {
	t.Parallel()
	jpg := encJPEG(t, photo(120, 80, 2))
	pngData := encPNG(t, photo(120, 80, 3))
	gifData := encGIF(t, 3, 40, 30)
	mp4 := mp4File("isom", 600, 7500, 1280, 720)
	tests := []struct {
		name      string
		data      []byte
		limits    Limits
		mime      string
		w, h      int
		frames    int
		duration  time.Duration
		code      string
		sameBytes bool
	}{
		{name: "jpeg", data: jpg, mime: MIMEJPEG, w: 120, h: 80},
		{name: "png", data: pngData, mime: MIMEPNG, w: 120, h: 80},
		{name: "animated gif re-encoded", data: gifWithJunk(gifData), mime: MIMEGIF, w: 40, h: 30, frames: 3},
		{name: "opaque webp stored as jpeg", data: readTestdata(t, "opaque.lossy.webp"), mime: MIMEJPEG, w: 150, h: 100},
		{name: "webp with alpha stored as png", data: readTestdata(t, "alpha.lossless.webp"), mime: MIMEPNG, w: 75, h: 100},
		{name: "mp4 kept as uploaded", data: mp4, mime: MIMEMP4, w: 1280, h: 720, duration: 12500 * time.Millisecond, sameBytes: true},

		{name: "text", data: []byte("just some text, named photo.jpg by the client"), code: passerelle.EUNSUPPORTED},
		{name: "empty", data: nil, code: passerelle.EUNSUPPORTED},
		{name: "quicktime", data: append(box("ftyp", []byte("qt  "), []byte{0, 0, 2, 0}, []byte("qt  ")), box("mdat")...), code: passerelle.EUNSUPPORTED},
		{name: "truncated jpeg", data: jpg[:len(jpg)/2], code: passerelle.EUNSUPPORTED},
		{name: "truncated png", data: pngData[:len(pngData)/2], code: passerelle.EUNSUPPORTED},
		{name: "truncated gif", data: gifData[:len(gifData)-20], code: passerelle.EUNSUPPORTED},
		{name: "truncated webp", data: readTestdata(t, "opaque.lossy.webp")[:600], code: passerelle.EUNSUPPORTED},
		{name: "truncated mp4", data: mp4[:len(mp4)-10], code: passerelle.EUNSUPPORTED},
		{name: "mp4 without moov", data: append(box("ftyp", []byte("isom"), []byte{0, 0, 2, 0}), box("mdat", []byte{1})...), code: passerelle.EUNSUPPORTED},

		{name: "image over the byte limit", data: jpg, limits: Limits{MaxBytes: int64(len(jpg) - 1)}, code: passerelle.ETOOLARGE},
		{name: "image exactly at the byte limit", data: jpg, limits: Limits{MaxBytes: int64(len(jpg)), MaxVideoBytes: 1}, mime: MIMEJPEG, w: 120, h: 80},
		{name: "video over the video limit", data: mp4, limits: Limits{MaxVideoBytes: int64(len(mp4) - 1)}, code: passerelle.ETOOLARGE},
		// Only the header exists: had it been decoded, the missing IDAT would have
		// made it "unreadable" (415), not "too large" (413).
		{name: "png claiming 100000 × 100000", data: pngWithIDAT(100_000, 100_000, nil), code: passerelle.ETOOLARGE},
		{name: "png claiming 1 × 40000", data: pngWithIDAT(1, 40_000, nil), code: passerelle.ETOOLARGE},
		{name: "png decompression bomb, 64 MP of zeros", data: pngWithIDAT(8000, 8000, zeroBomb(t, 8000, 8000)), code: passerelle.ETOOLARGE},
		{name: "png bomb under a stricter pixel limit", data: pngWithIDAT(2000, 2000, zeroBomb(t, 2000, 2000)), limits: Limits{MaxPixels: 1_000_000}, code: passerelle.ETOOLARGE},
		{name: "gif of too many frames", data: gifFrameBomb(1001, 2, 2), code: passerelle.ETOOLARGE},
		{name: "gif frames holding 300 MP", data: gifFrameBomb(300, 1000, 1000), code: passerelle.ETOOLARGE},
		{name: "jpeg over the pixel limit", data: jpg, limits: Limits{MaxPixels: 120*80 - 1}, code: passerelle.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			asset, out, err := Prepare(context.Background(), bytes.NewReader(tt.data), tt.limits)
			if tt.code != "" {
				if passerelle.ErrorCode(err) != tt.code {
					t.Fatalf("err = %v, want code %s", err, tt.code)
				}
				if msg := passerelle.ErrorMessage(err); msg == "" || msg == "Internal error." {
					t.Errorf("no user message: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if asset.MIME != tt.mime || asset.Width != tt.w || asset.Height != tt.h || asset.Frames != tt.frames || asset.Duration != tt.duration {
				t.Errorf("asset = %+v, want %s %d×%d frames %d duration %v", asset, tt.mime, tt.w, tt.h, tt.frames, tt.duration)
			}
			sum := sha256.Sum256(out)
			if asset.Key != hex.EncodeToString(sum[:]) || asset.Bytes != int64(len(out)) {
				t.Errorf("key/bytes %s/%d do not describe the output", asset.Key, asset.Bytes)
			}
			if Sniff(out) != asset.MIME {
				t.Errorf("output sniffs as %q, asset says %q", Sniff(out), asset.MIME)
			}
			if tt.sameBytes != bytes.Equal(out, tt.data) {
				t.Errorf("output identical to input: %v, want %v", !tt.sameBytes, tt.sameBytes)
			}
		})
	}
}

func TestMetadataStripped(t *testing.T) {
	t.Parallel()
	src := encJPEG(t, photo(64, 48, 4))
	com := append([]byte{0xFF, 0xFE, 0, 21}, "Photo: J. Dupont"...)
	com = append(com, 0, 0, 0)
	in := insertAfterSOI(src, exifSegment(binary.BigEndian, 1, true), com)
	if !bytes.Contains(in, []byte("Exif")) {
		t.Fatal("test input has no EXIF")
	}
	_, out, err := Prepare(context.Background(), bytes.NewReader(in), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range jpegMarkers(t, out) {
		if m >= 0xE0 && m <= 0xEF || m == 0xFE {
			t.Errorf("output keeps segment 0x%02X", m)
		}
	}
	for _, leak := range []string{"Exif", "Dupont", "\x00\x00\x00\x30\x00\x00\x00\x01"} {
		if bytes.Contains(out, []byte(leak)) {
			t.Errorf("output contains %q", leak)
		}
	}
	// PNG: text chunks and EXIF chunks go.
	pngData := encPNG(t, photo(8, 8, 5))
	iend := len(pngData) - 12
	tagged := append(append(append([]byte{}, pngData[:iend]...), pngChunk("tEXt", []byte("Author\x00J. Dupont"))...), pngChunk("eXIf", []byte("MM\x00\x2a"))...)
	tagged = append(tagged, pngData[iend:]...)
	_, out, err = Prepare(context.Background(), bytes.NewReader(tagged), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(out, []byte("tEXt")) || bytes.Contains(out, []byte("eXIf")) || bytes.Contains(out, []byte("Dupont")) {
		t.Error("PNG output keeps ancillary chunks")
	}
}

// TestGIFStripped is the regression test of issue 9, item 9: a GIF was stored byte for
// byte, with a comment block holding a script and bytes after its trailer.
func TestGIFStripped(t *testing.T) {
	t.Parallel()
	in := gifWithJunk(encGIF(t, 3, 40, 30))
	src, err := gif.DecodeAll(bytes.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	src.LoopCount = 2
	src.Delay = []int{10, 20, 30}
	var withLoop bytes.Buffer
	if err := gif.EncodeAll(&withLoop, src); err != nil {
		t.Fatal(err)
	}
	in = gifWithJunk(withLoop.Bytes())
	asset, out, err := Prepare(context.Background(), bytes.NewReader(in), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"<script>", "after the trailer", "ImageMagick"} {
		if bytes.Contains(out, []byte(leak)) {
			t.Errorf("output contains %q", leak)
		}
	}
	if out[len(out)-1] != 0x3B {
		t.Errorf("output ends with 0x%02X, not the trailer", out[len(out)-1])
	}
	// The animation survives: frames, delays, loop count and pixels.
	got, err := gif.DecodeAll(bytes.NewReader(out))
	if err != nil {
		t.Fatal(err)
	}
	if asset.Frames != 3 || len(got.Image) != 3 || !slices.Equal(got.Delay, src.Delay) || got.LoopCount != src.LoopCount {
		t.Errorf("animation = %d frames, delays %v, loop %d; want 3, %v, %d", len(got.Image), got.Delay, got.LoopCount, src.Delay, src.LoopCount)
	}
	for i := range got.Image {
		if !bytes.Equal(got.Image[i].Pix, src.Image[i].Pix) {
			t.Errorf("frame %d differs", i)
		}
	}
}

func TestICCProfileKept(t *testing.T) {
	t.Parallel()
	profile := append([]byte("ICC_PROFILE\x00\x01\x01"), bytes.Repeat([]byte("profile-bytes "), 10)...)
	seg := binary.BigEndian.AppendUint16([]byte{0xFF, 0xE2}, uint16(len(profile)+2))
	seg = append(seg, profile...)
	in := insertAfterSOI(encJPEG(t, photo(32, 32, 6)), exifSegment(binary.LittleEndian, 1, true), seg)
	_, out, err := Prepare(context.Background(), bytes.NewReader(in), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(out, seg) {
		t.Error("ICC profile lost")
	}
	if markers := jpegMarkers(t, out); bytes.Contains(markers, []byte{0xE1}) {
		t.Errorf("EXIF kept: markers %x", markers)
	}
	if _, err := jpeg.Decode(bytes.NewReader(out)); err != nil {
		t.Errorf("output with profile does not decode: %v", err)
	}
}

func TestOrientation(t *testing.T) {
	t.Parallel()
	// The raw image is 64 × 32 with a red block in its top-left corner; after turning
	// it upright the block must sit where the EXIF orientation says that corner goes.
	raw := image.NewRGBA(image.Rect(0, 0, 64, 32))
	for y := range 32 {
		for x := range 64 {
			c := color.RGBA{0x10, 0x10, 0x10, 0xFF}
			if x < 16 && y < 16 {
				c = color.RGBA{0xF0, 0x10, 0x10, 0xFF}
			}
			raw.SetRGBA(x, y, c)
		}
	}
	jpg := encJPEG(t, raw)
	tests := []struct {
		orientation uint16
		order       binary.ByteOrder
		w, h        int
		corner      string
	}{
		{1, binary.BigEndian, 64, 32, "top-left"},
		{2, binary.LittleEndian, 64, 32, "top-right"},
		{3, binary.BigEndian, 64, 32, "bottom-right"},
		{4, binary.LittleEndian, 64, 32, "bottom-left"},
		{5, binary.BigEndian, 32, 64, "top-left"},
		{6, binary.LittleEndian, 32, 64, "top-right"},
		{7, binary.BigEndian, 32, 64, "bottom-right"},
		{8, binary.LittleEndian, 32, 64, "bottom-left"},
		{9, binary.BigEndian, 64, 32, "top-left"}, // invalid: ignored
	}
	for _, tt := range tests {
		t.Run(string(rune('0'+tt.orientation)), func(t *testing.T) {
			t.Parallel()
			in := insertAfterSOI(jpg, exifSegment(tt.order, tt.orientation, false))
			asset, out, err := Prepare(context.Background(), bytes.NewReader(in), Limits{})
			if err != nil {
				t.Fatal(err)
			}
			img, err := jpeg.Decode(bytes.NewReader(out))
			if err != nil {
				t.Fatal(err)
			}
			b := img.Bounds()
			if b.Dx() != tt.w || b.Dy() != tt.h || asset.Width != tt.w || asset.Height != tt.h {
				t.Fatalf("size %v (asset %d×%d), want %d×%d", b, asset.Width, asset.Height, tt.w, tt.h)
			}
			corners := map[string]image.Point{
				"top-left": {4, 4}, "top-right": {b.Dx() - 5, 4},
				"bottom-left": {4, b.Dy() - 5}, "bottom-right": {b.Dx() - 5, b.Dy() - 5},
			}
			for name, p := range corners {
				r, _, _, _ := img.At(p.X, p.Y).RGBA()
				if red := r>>8 > 0x80; red != (name == tt.corner) {
					t.Errorf("%s red = %v", name, red)
				}
			}
		})
	}
}

func TestIngestStores(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := &DiskStore{Root: t.TempDir()}
	jpg := encJPEG(t, photo(50, 40, 7))
	a1, err := Ingest(ctx, st, bytes.NewReader(jpg), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	a2, err := Ingest(ctx, st, bytes.NewReader(jpg), Limits{})
	if err != nil {
		t.Fatal(err)
	}
	if a1 != a2 {
		t.Errorf("same upload gave %+v then %+v", a1, a2)
	}
	rc, err := st.Open(ctx, a1.Key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	stored := drain(t, rc)
	if sum := sha256.Sum256(stored); hex.EncodeToString(sum[:]) != a1.Key || int64(len(stored)) != a1.Bytes {
		t.Error("stored bytes do not match the asset")
	}
	if n := countFiles(t, st.Root); n != 1 {
		t.Errorf("%d files stored, want 1", n)
	}
}

func TestIngestStoresNothingOnError(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := &DiskStore{Root: t.TempDir()}
	for name, data := range map[string][]byte{
		"oversize":  encJPEG(t, photo(200, 200, 8)),
		"text":      []byte("hello"),
		"png bomb":  pngWithIDAT(100_000, 100_000, nil),
		"truncated": encPNG(t, photo(20, 20, 9))[:50],
	} {
		if _, err := Ingest(ctx, st, bytes.NewReader(data), Limits{MaxBytes: 2000}); err == nil {
			t.Errorf("%s: accepted", name)
		}
	}
	if n := countFiles(t, st.Root); n != 0 {
		t.Errorf("%d files stored after refused uploads", n)
	}
}

func TestPrepareHonoursCancellation(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, _, err := Prepare(ctx, bytes.NewReader(encJPEG(t, photo(8, 8, 1))), Limits{}); err != context.Canceled {
		t.Errorf("err = %v, want context.Canceled", err)
	}
}

func countFiles(t *testing.T, root string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return n
}

func TestLimitsMessages(t *testing.T) {
	t.Parallel()
	err := Limits{}.withDefaults().checkDimensions(100_000, 100_000)
	if !strings.Contains(passerelle.ErrorMessage(err), "100000 × 100000") {
		t.Errorf("message %q does not say the size", passerelle.ErrorMessage(err))
	}
	err = Limits{MaxPixels: 1000}.withDefaults().checkDimensions(100, 100)
	if !strings.Contains(passerelle.ErrorMessage(err), "million pixels") {
		t.Errorf("message %q", passerelle.ErrorMessage(err))
	}
}
