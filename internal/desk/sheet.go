package desk

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"
)

// Printable sheets: a one-page PDF per placement with the institution's Chinese name,
// a call to action in Chinese, the QR code and the placement's name, for A4 posters
// and A6 table cards.
//
// The PDF is written here rather than with a library: the Chinese text uses the PDF
// standard CJK font STSong-Light (Adobe-GB1, encoding UniGB-UCS2-H), which every
// conforming reader supplies, so nothing is embedded and a sheet weighs a few
// kilobytes; codeberg.org/go-pdf/fpdf only writes CJK text by embedding a TrueType
// font (see docs/dependencies.md). The QR code is drawn as vector rectangles, sharp at
// any print size. The content stream is left uncompressed: it is small, and tests (and
// people) can read it.

// Sheet sizes.
const (
	SheetA4 = "a4"
	SheetA6 = "a6"
)

// SheetCallToAction is the call to action printed above the code.
const SheetCallToAction = "扫码关注我们的微信公众号"

// sheetHint is printed under the code.
const sheetHint = "微信扫一扫 · 获取参观信息与展览资讯"

// SheetInput is what a sheet shows.
type SheetInput struct {
	Institution string // the institution's Chinese name (else its name)
	Placement   string // the placement's name, small, for the staff who put it up
	QRContent   string // the QR code's content
}

// sheetLayout holds a page size in PDF points and the sizes of its parts.
type sheetLayout struct {
	w, h                       float64
	title, cta, hint, name, qr float64 // font sizes, QR side
}

var sheetLayouts = map[string]sheetLayout{
	SheetA4: {w: 595.28, h: 841.89, title: 30, cta: 24, hint: 13, name: 11, qr: 340},
	SheetA6: {w: 297.64, h: 419.53, title: 15, cta: 12.5, hint: 7.5, name: 6.5, qr: 180},
}

// SheetPDF renders the sheet of size SheetA4 or SheetA6.
func SheetPDF(size string, in SheetInput) ([]byte, error) {
	l, ok := sheetLayouts[size]
	if !ok {
		return nil, fieldErr("size", "Use a4 or a6.")
	}
	code, err := encode(in.QRContent)
	if err != nil {
		return nil, err
	}
	var c bytes.Buffer // the page's content stream
	y := l.h - l.h*0.09
	centered := func(text string, size float64, gray float64) {
		text = fitText(text, size, l.w*0.86)
		fmt.Fprintf(&c, "BT %s g /F1 %s Tf %s %s Td <%s> Tj ET\n", num(gray), num(size), num((l.w-textWidth(text, size))/2), num(y), ucs2Hex(text))
	}
	if in.Institution != "" {
		centered(in.Institution, l.title, 0)
		y -= l.title * 2
	}
	centered(SheetCallToAction, l.cta, 0)
	y -= l.cta*1.2 + l.qr

	// The code with its four-module quiet zone, centred; black runs of each row as
	// one rectangle.
	const quiet = 4
	module := l.qr / float64(code.Size+2*quiet)
	x0 := (l.w - l.qr) / 2
	y0 := y
	c.WriteString("0 g\n")
	for row := 0; row < code.Size; row++ {
		for col := 0; col < code.Size; {
			if !code.Black(col, row) {
				col++
				continue
			}
			start := col
			for col < code.Size && code.Black(col, row) {
				col++
			}
			fmt.Fprintf(&c, "%s %s %s %s re\n", num(x0+float64(start+quiet)*module), num(y0+l.qr-float64(row+quiet+1)*module), num(float64(col-start)*module), num(module))
		}
	}
	c.WriteString("f\n")
	y -= l.hint * 1.6
	centered(sheetHint, l.hint, 0.25)
	if in.Placement != "" {
		y = l.h * 0.05
		centered(in.Placement, l.name, 0.45)
	}
	return writePDF(l, c.Bytes(), in.Institution+" · "+in.Placement), nil
}

// writePDF assembles the single-page document around its content stream.
func writePDF(l sheetLayout, content []byte, title string) []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		fmt.Sprintf("<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %s %s] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>", num(l.w), num(l.h)),
		fmt.Sprintf("<< /Length %d >>\nstream\n%s\nendstream", len(content), content),
		"<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light /Encoding /UniGB-UCS2-H /DescendantFonts [6 0 R] >>",
		"<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 2 >> /FontDescriptor 7 0 R /DW 1000 /W [1 95 500] >>",
		"<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>",
		fmt.Sprintf("<< /Title <FEFF%s> /Producer (Passerelle) >>", ucs2Hex(title)),
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, len(objs), xref)
	return b.Bytes()
}

// num formats a coordinate with two decimals at most.
func num(f float64) string {
	return strconv.FormatFloat(float64(int64(f*100+0.5))/100, 'f', -1, 64)
}

// ucs2Hex encodes text for UniGB-UCS2-H: UTF-16 code units, big-endian, in hex.
// Characters outside the Basic Multilingual Plane, which UCS-2 cannot carry, are
// printed as a full-width question mark.
func ucs2Hex(text string) string {
	var b strings.Builder
	for _, r := range text {
		if r > 0xFFFF || r < 0x20 || r == utf8.RuneError {
			r = '？'
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	return b.String()
}

// textWidth is text's width in points at size: half-width for ASCII (the font's /W),
// full width for the rest.
func textWidth(text string, size float64) float64 {
	w := 0.0
	for _, r := range text {
		if r >= 0x20 && r < 0x7F {
			w += 0.5
		} else {
			w++
		}
	}
	return w * size
}

// fitText shortens text with an ellipsis to fit width.
func fitText(text string, size, width float64) string {
	if textWidth(text, size) <= width {
		return text
	}
	rs := []rune(text)
	for len(rs) > 0 && textWidth(string(rs)+"…", size) > width {
		rs = rs[:len(rs)-1]
	}
	return string(rs) + "…"
}

// Sheet returns a placement's printable sheet and a file name for it.
func (s *Service) Sheet(ctx context.Context, u *passerelle.User, placementID int64, size string) ([]byte, string, error) {
	if size == "" {
		size = SheetA4
	}
	if _, ok := sheetLayouts[size]; !ok {
		return nil, "", fieldErr("size", "Use a4 or a6.")
	}
	p, err := s.Placement(ctx, u, placementID)
	if err != nil {
		return nil, "", err
	}
	inst, err := s.Tenancy.Institution(ctx, u, p.InstitutionID)
	if err != nil {
		return nil, "", err
	}
	name := inst.NameZH
	if name == "" {
		name = inst.Name
	}
	b, err := SheetPDF(size, SheetInput{Institution: name, Placement: p.Name, QRContent: p.QRURL})
	if err != nil {
		return nil, "", err
	}
	return b, fmt.Sprintf("placement-%d-%s.pdf", p.ID, size), nil
}
