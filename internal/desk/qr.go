package desk

import (
	"fmt"
	"strings"

	"rsc.io/qr"

	"github.com/passerelle-oss/passerelle"
)

// qrScale is the size of a module in the PNG, in pixels: a 25-module code with its
// quiet zone prints at about 3 cm at 300 dpi.
const qrScale = 12

func encode(content string) (*qr.Code, error) {
	if content == "" {
		return nil, passerelle.Errorf(passerelle.ENOTFOUND, "This placement has no QR code.")
	}
	c, err := qr.Encode(content, qr.M)
	if err != nil {
		return nil, fmt.Errorf("desk: encode QR code: %w", err)
	}
	return c, nil
}

// QRPNG renders content as a printable PNG QR code.
func QRPNG(content string) ([]byte, error) {
	c, err := encode(content)
	if err != nil {
		return nil, err
	}
	c.Scale = qrScale
	return c.PNG(), nil
}

// QRSVG renders content as an SVG QR code: one path of unit squares, with the
// standard four-module quiet zone, scalable to any print size.
func QRSVG(content string) ([]byte, error) {
	c, err := encode(content)
	if err != nil {
		return nil, err
	}
	const quiet = 4
	n := c.Size + 2*quiet
	var b strings.Builder
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" shape-rendering="crispEdges">`, n, n, n*8, n*8)
	fmt.Fprintf(&b, `<rect width="%d" height="%d" fill="#fff"/><path fill="#000" d="`, n, n)
	for y := 0; y < c.Size; y++ {
		for x := 0; x < c.Size; x++ {
			if c.Black(x, y) {
				fmt.Fprintf(&b, "M%d %dh1v1h-1z", x+quiet, y+quiet)
			}
		}
	}
	b.WriteString(`"/></svg>`)
	return []byte(b.String()), nil
}
