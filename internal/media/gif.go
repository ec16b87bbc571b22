package media

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// gifInfo is what the block walk learns about a GIF without decompressing a frame.
type gifInfo struct {
	Width, Height int
	Frames        int
	// Pixels is the sum of the frames' areas: what decoding them all would allocate.
	Pixels int64
}

var errGIF = errors.New("media: malformed GIF")

// walkGIF reads a GIF's blocks (screen descriptor, colour tables, extensions, image
// descriptors, LZW sub-blocks) up to the trailer. It lets Ingest refuse an animation
// of ten thousand full-screen frames, a decompression bomb that image.DecodeConfig,
// which reads only the screen descriptor, cannot see. maxFrames stops the walk early.
func walkGIF(data []byte, maxFrames int) (gifInfo, error) {
	var info gifInfo
	if len(data) < 13 || (string(data[:6]) != "GIF87a" && string(data[:6]) != "GIF89a") {
		return info, errGIF
	}
	info.Width = int(binary.LittleEndian.Uint16(data[6:8]))
	info.Height = int(binary.LittleEndian.Uint16(data[8:10]))
	p := 13
	if flags := data[10]; flags&0x80 != 0 {
		p += 3 << (flags&7 + 1)
	}
	// skipSubBlocks steps over a chain of length-prefixed sub-blocks ending with 0.
	skipSubBlocks := func() error {
		for {
			if p >= len(data) {
				return fmt.Errorf("%w: truncated data", errGIF)
			}
			n := int(data[p])
			p += 1 + n
			if n == 0 {
				return nil
			}
		}
	}
	for {
		if p >= len(data) {
			return info, fmt.Errorf("%w: no trailer", errGIF)
		}
		switch data[p] {
		case 0x3B: // trailer
			if info.Frames == 0 {
				return info, fmt.Errorf("%w: no frame", errGIF)
			}
			return info, nil
		case 0x21: // extension: label then sub-blocks
			p += 2
			if err := skipSubBlocks(); err != nil {
				return info, err
			}
		case 0x2C: // image descriptor
			if p+10 > len(data) {
				return info, fmt.Errorf("%w: truncated image descriptor", errGIF)
			}
			w := int64(binary.LittleEndian.Uint16(data[p+5 : p+7]))
			h := int64(binary.LittleEndian.Uint16(data[p+7 : p+9]))
			flags := data[p+9]
			p += 10
			if flags&0x80 != 0 {
				p += 3 << (flags&7 + 1)
			}
			p++ // LZW minimum code size
			if err := skipSubBlocks(); err != nil {
				return info, err
			}
			info.Frames++
			info.Pixels += w * h
			if info.Frames > maxFrames {
				return info, nil
			}
		default:
			return info, fmt.Errorf("%w: unknown block 0x%02x", errGIF, data[p])
		}
	}
}
