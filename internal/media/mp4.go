package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// mp4Info is what the box walk learns about a video.
type mp4Info struct {
	Duration      time.Duration
	Width, Height int
}

var errMP4 = errors.New("media: malformed MP4")

// mp4Box is one ISO base media box: its type and its payload (header excluded).
type mp4Box struct {
	typ     string
	payload []byte
}

// mp4Boxes splits data into boxes that must tile it exactly: a box that overruns its
// parent, or trailing bytes too short to be a box, make the file malformed.
func mp4Boxes(data []byte) ([]mp4Box, error) {
	var boxes []mp4Box
	for p := uint64(0); p < uint64(len(data)); {
		rest := uint64(len(data)) - p
		if rest < 8 {
			return nil, fmt.Errorf("%w: %d stray bytes", errMP4, rest)
		}
		size := uint64(binary.BigEndian.Uint32(data[p : p+4]))
		typ := string(data[p+4 : p+8])
		header := uint64(8)
		switch size {
		case 0: // the box runs to the end of its parent
			size = rest
		case 1: // a 64-bit size follows the type
			if rest < 16 {
				return nil, fmt.Errorf("%w: truncated large box %q", errMP4, typ)
			}
			size = binary.BigEndian.Uint64(data[p+8 : p+16])
			header = 16
		}
		if size < header || size > rest {
			return nil, fmt.Errorf("%w: box %q of %d bytes at %d overruns %d bytes", errMP4, typ, size, p, rest)
		}
		boxes = append(boxes, mp4Box{typ: typ, payload: data[p+header : p+size]})
		p += size
	}
	return boxes, nil
}

func findBox(boxes []mp4Box, typ string) (mp4Box, bool) {
	for _, b := range boxes {
		if b.typ == typ {
			return b, true
		}
	}
	return mp4Box{}, false
}

// parseMP4 validates the top-level structure of an MP4 (ftyp first, then a moov with
// a movie header and media data) and reads the duration and the video track's size.
// Sample tables are not read: WeChat re-encodes what it accepts, and the structure
// check is what keeps a renamed file or a truncated upload out.
func parseMP4(data []byte) (mp4Info, error) {
	var info mp4Info
	top, err := mp4Boxes(data)
	if err != nil {
		return info, err
	}
	if len(top) == 0 || top[0].typ != "ftyp" || len(top[0].payload) < 8 {
		return info, fmt.Errorf("%w: no leading ftyp box", errMP4)
	}
	if _, ok := findBox(top, "mdat"); !ok {
		return info, fmt.Errorf("%w: no media data", errMP4)
	}
	moov, ok := findBox(top, "moov")
	if !ok {
		return info, fmt.Errorf("%w: no moov box", errMP4)
	}
	inner, err := mp4Boxes(moov.payload)
	if err != nil {
		return info, err
	}
	mvhd, ok := findBox(inner, "mvhd")
	if !ok {
		return info, fmt.Errorf("%w: no movie header", errMP4)
	}
	if info.Duration, err = mvhdDuration(mvhd.payload); err != nil {
		return info, err
	}
	for _, trak := range inner {
		if trak.typ != "trak" {
			continue
		}
		w, h, video, err := trackSize(trak.payload)
		if err != nil {
			return info, err
		}
		if video {
			info.Width, info.Height = w, h
			break
		}
	}
	return info, nil
}

// mvhdDuration reads the movie header: version 0 has 32-bit times, version 1 64-bit.
func mvhdDuration(p []byte) (time.Duration, error) {
	if len(p) < 4 {
		return 0, fmt.Errorf("%w: short mvhd", errMP4)
	}
	var scale, dur uint64
	switch p[0] {
	case 0:
		if len(p) < 20 {
			return 0, fmt.Errorf("%w: short mvhd", errMP4)
		}
		scale = uint64(binary.BigEndian.Uint32(p[12:16]))
		dur = uint64(binary.BigEndian.Uint32(p[16:20]))
	case 1:
		if len(p) < 32 {
			return 0, fmt.Errorf("%w: short mvhd", errMP4)
		}
		scale = uint64(binary.BigEndian.Uint32(p[20:24]))
		dur = binary.BigEndian.Uint64(p[24:32])
	default:
		return 0, fmt.Errorf("%w: mvhd version %d", errMP4, p[0])
	}
	if scale == 0 {
		return 0, fmt.Errorf("%w: zero timescale", errMP4)
	}
	// An unknown duration is all ones; a real one fits in a day many times over.
	if dur == 1<<32-1 || dur == 1<<64-1 {
		return 0, nil
	}
	secs := dur / scale
	if secs > 1<<20 {
		return 0, fmt.Errorf("%w: duration of %d s", errMP4, secs)
	}
	return time.Duration(secs)*time.Second + time.Duration(dur%scale)*time.Second/time.Duration(scale), nil
}

// trackSize reads tkhd's width and height (16.16 fixed point) and whether the
// track's handler is video.
func trackSize(trak []byte) (w, h int, video bool, err error) {
	boxes, err := mp4Boxes(trak)
	if err != nil {
		return 0, 0, false, err
	}
	if mdia, ok := findBox(boxes, "mdia"); ok {
		inner, err := mp4Boxes(mdia.payload)
		if err != nil {
			return 0, 0, false, err
		}
		if hdlr, ok := findBox(inner, "hdlr"); ok && len(hdlr.payload) >= 12 {
			video = string(hdlr.payload[8:12]) == "vide"
		}
	}
	tkhd, ok := findBox(boxes, "tkhd")
	if !ok || len(tkhd.payload) < 1 {
		return 0, 0, false, fmt.Errorf("%w: track without header", errMP4)
	}
	// Width and height are the last 8 bytes: 84 bytes in all for version 0, 96 for 1.
	want := 84
	if tkhd.payload[0] == 1 {
		want = 96
	}
	if len(tkhd.payload) < want {
		return 0, 0, false, fmt.Errorf("%w: short tkhd", errMP4)
	}
	w = int(binary.BigEndian.Uint32(tkhd.payload[want-8:want-4]) >> 16)
	h = int(binary.BigEndian.Uint32(tkhd.payload[want-4:want]) >> 16)
	return w, h, video, nil
}
