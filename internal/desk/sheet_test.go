package desk

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode/utf16"

	"github.com/passerelle-oss/passerelle"
)

// parsedPDF is what readPDF finds in a sheet, checked on the way.
type parsedPDF struct {
	objects  map[int]string // number → body between "obj" and "endobj"
	mediaBox [4]float64
	content  string
	texts    []string // the shown strings, decoded from UCS-2
	rects    [][4]float64
}

var (
	reStartXref = regexp.MustCompile(`startxref\n(\d+)\n%%EOF\n$`)
	reObj       = regexp.MustCompile(`^(\d+) 0 obj\n`)
	reMediaBox  = regexp.MustCompile(`/MediaBox \[([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+)\]`)
	reStream    = regexp.MustCompile(`(?s)^<< /Length (\d+) >>\nstream\n`)
	reTj        = regexp.MustCompile(`<([0-9A-F]*)> Tj`)
	reRect      = regexp.MustCompile(`([\d.]+) ([\d.]+) ([\d.]+) ([\d.]+) re\n`)
	reSize      = regexp.MustCompile(`/Size (\d+)`)
)

// readPDF parses a sheet as a reader does: header, the cross-reference table from
// startxref (every offset must land on its object), the trailer, the page's MediaBox
// and its content stream by its /Length.
func readPDF(t testing.TB, b []byte) *parsedPDF {
	t.Helper()
	if !bytes.HasPrefix(b, []byte("%PDF-1.")) {
		t.Fatalf("no PDF header: %.20q", b)
	}
	m := reStartXref.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no startxref/%%%%EOF at the end: %q", b[max(0, len(b)-60):])
	}
	xref, _ := strconv.Atoi(string(m[1]))
	if xref <= 0 || xref >= len(b) || !bytes.HasPrefix(b[xref:], []byte("xref\n0 ")) {
		t.Fatalf("startxref %d does not point at the xref table", xref)
	}
	lines := strings.Split(string(b[xref:]), "\n")
	var first, count int
	if _, err := fmt.Sscanf(lines[1], "%d %d", &first, &count); err != nil || first != 0 || count < 2 {
		t.Fatalf("xref subsection %q", lines[1])
	}
	p := &parsedPDF{objects: map[int]string{}}
	for i := 1; i < count; i++ {
		e := lines[2+i]
		if len(e) != 19 || !strings.HasSuffix(e, " 00000 n ") {
			t.Fatalf("xref entry %d: %q", i, e)
		}
		off, _ := strconv.Atoi(e[:10])
		om := reObj.FindSubmatch(b[off:])
		if om == nil || string(om[1]) != strconv.Itoa(i) {
			t.Fatalf("xref entry %d points at %.20q", i, b[off:])
		}
		body := b[off+len(om[0]):]
		end := bytes.Index(body, []byte("\nendobj\n"))
		if end < 0 {
			t.Fatalf("object %d has no endobj", i)
		}
		p.objects[i] = string(body[:end])
	}
	trailer := strings.Join(lines[2+count:], "\n")
	if sm := reSize.FindStringSubmatch(trailer); sm == nil || sm[1] != strconv.Itoa(count) || !strings.Contains(trailer, "/Root 1 0 R") {
		t.Fatalf("trailer %q", trailer)
	}
	if !strings.Contains(p.objects[1], "/Type /Catalog") || !strings.Contains(p.objects[2], "/Count 1") {
		t.Fatalf("catalog %q, pages %q", p.objects[1], p.objects[2])
	}
	mb := reMediaBox.FindStringSubmatch(p.objects[3])
	if mb == nil {
		t.Fatalf("page without MediaBox: %q", p.objects[3])
	}
	for i := range 4 {
		p.mediaBox[i], _ = strconv.ParseFloat(mb[i+1], 64)
	}
	sm := reStream.FindStringSubmatch(p.objects[4])
	if sm == nil {
		t.Fatalf("content object %.60q", p.objects[4])
	}
	n, _ := strconv.Atoi(sm[1])
	rest := p.objects[4][len(sm[0]):]
	if len(rest) < n || !strings.HasPrefix(rest[n:], "\nendstream") {
		t.Fatalf("the content stream's /Length %d does not end at endstream (%d bytes follow)", n, len(rest))
	}
	p.content = rest[:n]
	for _, tm := range reTj.FindAllStringSubmatch(p.content, -1) {
		raw, err := hex.DecodeString(tm[1])
		if err != nil || len(raw)%2 != 0 {
			t.Fatalf("text string %q", tm[1])
		}
		u := make([]uint16, len(raw)/2)
		for i := range u {
			u[i] = uint16(raw[2*i])<<8 | uint16(raw[2*i+1])
		}
		p.texts = append(p.texts, string(utf16.Decode(u)))
	}
	for _, rm := range reRect.FindAllStringSubmatch(p.content, -1) {
		var r [4]float64
		for i := range 4 {
			r[i], _ = strconv.ParseFloat(rm[i+1], 64)
		}
		p.rects = append(p.rects, r)
	}
	return p
}

func TestSheetPDF(t *testing.T) {
	const content = "http://weixin.qq.com/q/02abcDEF_entrance"
	in := SheetInput{Institution: "奥赛博物馆", Placement: "Hall d'entrée", QRContent: content}
	for size, want := range map[string][2]float64{SheetA4: {595.28, 841.89}, SheetA6: {297.64, 419.53}} {
		b, err := SheetPDF(size, in)
		if err != nil {
			t.Fatal(err)
		}
		p := readPDF(t, b)
		if p.mediaBox != [4]float64{0, 0, want[0], want[1]} {
			t.Errorf("%s: MediaBox %v, want %v", size, p.mediaBox, want)
		}
		// The texts, in the standard CJK font that needs no embedding.
		for _, s := range []string{"奥赛博物馆", SheetCallToAction, "Hall d'entrée"} {
			found := false
			for _, x := range p.texts {
				found = found || x == s
			}
			if !found {
				t.Errorf("%s: %q not shown (texts %q)", size, s, p.texts)
			}
		}
		if !strings.HasPrefix(SheetCallToAction, "扫码关注") {
			t.Error("the call to action changed")
		}
		font := p.objects[5] + p.objects[6]
		for _, s := range []string{"/Type0", "/STSong-Light", "/UniGB-UCS2-H", "/Registry (Adobe) /Ordering (GB1)"} {
			if !strings.Contains(font, s) {
				t.Errorf("%s: font objects lack %s: %q", size, s, font)
			}
		}
		if strings.Contains(string(b), "FontFile") {
			t.Errorf("%s: a font is embedded", size)
		}
		// The rectangles are the QR code of the placement, module for module, inside
		// the page.
		code, _ := encode(content)
		side := math.Inf(1)
		minX, minY := math.Inf(1), math.Inf(1)
		for _, r := range p.rects {
			side = min(side, r[3])
			minX, minY = min(minX, r[0]), min(minY, r[1])
			if r[0] < 0 || r[1] < 0 || r[0]+r[2] > want[0] || r[1]+r[3] > want[1] {
				t.Fatalf("%s: rectangle %v outside the page", size, r)
			}
		}
		if len(p.rects) == 0 {
			t.Fatalf("%s: no QR code drawn", size)
		}
		black := map[[2]int]bool{}
		var maxRow int
		for _, r := range p.rects {
			row := int(math.Round((r[1] - minY) / side))
			maxRow = max(maxRow, row)
			for x := r[0]; x < r[0]+r[2]-side/2; x += side {
				black[[2]int{int(math.Round((x - minX) / side)), row}] = true
			}
		}
		var want []string
		var got []string
		for y := 0; y < code.Size; y++ {
			var w, g strings.Builder
			for x := 0; x < code.Size; x++ {
				w.WriteByte(".#"[b2i(code.Black(x, y))])
				g.WriteByte(".#"[b2i(black[[2]int{x, maxRow - y}])])
			}
			want, got = append(want, w.String()), append(got, g.String())
		}
		if strings.Join(want, "\n") != strings.Join(got, "\n") {
			t.Errorf("%s: the drawn code differs from the placement's:\n%s\nwant\n%s", size, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
		if size == SheetA4 && side*float64(code.Size) < 200 {
			t.Errorf("A4: the code is only %.0f pt wide", side*float64(code.Size))
		}
	}
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestSheetPDFRefuses(t *testing.T) {
	_, err := SheetPDF("letter", SheetInput{Institution: "x", QRContent: "http://weixin.qq.com/q/x"})
	if passerelle.ErrorFields(err)["size"] == "" {
		t.Fatalf("size letter: %v", err)
	}
	if _, err := SheetPDF(SheetA6, SheetInput{Institution: "x"}); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
		t.Fatalf("no QR content: %v", err)
	}
}

// Long names are shortened to the page; characters UCS-2 cannot carry, control
// characters and PDF syntax in names change nothing in the document's structure.
func TestSheetPDFOddNames(t *testing.T) {
	long := strings.Repeat("国家博物馆", 40)
	b, err := SheetPDF(SheetA6, SheetInput{Institution: long, Placement: "room 12 ) Tj (x) <41> 😀\x00\n", QRContent: "http://weixin.qq.com/q/x"})
	if err != nil {
		t.Fatal(err)
	}
	p := readPDF(t, b)
	if len(p.texts) != 4 || !strings.HasSuffix(p.texts[0], "…") || !strings.HasPrefix(p.texts[0], "国家博物馆") {
		t.Fatalf("texts %q", p.texts)
	}
	if w := textWidth(p.texts[0], sheetLayouts[SheetA6].title); w > p.mediaBox[2] {
		t.Errorf("the title is %.0f pt wide on a %.0f pt page", w, p.mediaBox[2])
	}
	if p.texts[3] != "room 12 ) Tj (x) <41> ？？？" {
		t.Errorf("placement shown as %q", p.texts[3])
	}
}

func FuzzSheetPDF(f *testing.F) {
	f.Add("奥赛博物馆", "Entrance hall", "http://weixin.qq.com/q/abc", true)
	f.Add("", "", "x", false)
	f.Add("endstream\nendobj", "%%EOF\n", "startxref", true)
	f.Fuzz(func(t *testing.T, inst, placement, qr string, a4 bool) {
		if qr == "" || len(qr) > 500 {
			return
		}
		size := SheetA6
		if a4 {
			size = SheetA4
		}
		b, err := SheetPDF(size, SheetInput{Institution: inst, Placement: placement, QRContent: qr})
		if err != nil {
			return // content too long for a QR code
		}
		p := readPDF(t, b)
		if inst != "" && len(p.texts) < 3 {
			t.Fatalf("texts %q", p.texts)
		}
	})
}
