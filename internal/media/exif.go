package media

import (
	"bytes"
	"encoding/binary"
	"errors"
)

// jpegMeta is what Ingest keeps from a JPEG's header segments before re-encoding
// drops them all.
type jpegMeta struct {
	// Orientation is the EXIF orientation (1–8); 1 when absent or unreadable.
	Orientation int
	// ICC holds the APP2 ICC_PROFILE segments, payload included, in file order: an
	// artwork photographed in Adobe RGB must keep its colours, and a profile says
	// nothing about who took the picture or where.
	ICC [][]byte
}

var errJPEGHeader = errors.New("media: malformed JPEG header")

// readJPEGMeta walks the marker segments up to the start of scan. It never reads past
// data and fails on a segment that overruns it.
func readJPEGMeta(data []byte) (jpegMeta, error) {
	meta := jpegMeta{Orientation: 1}
	if len(data) < 2 || data[0] != 0xFF || data[1] != 0xD8 {
		return meta, errJPEGHeader
	}
	for p := 2; ; {
		// Markers may be preceded by any number of 0xFF fill bytes.
		for p < len(data) && data[p] == 0xFF && p+1 < len(data) && data[p+1] == 0xFF {
			p++
		}
		if p+4 > len(data) || data[p] != 0xFF {
			return meta, errJPEGHeader
		}
		marker := data[p+1]
		if marker == 0xDA || marker == 0xD9 { // start of scan, end of image
			return meta, nil
		}
		if marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7) { // no payload
			p += 2
			continue
		}
		n := int(binary.BigEndian.Uint16(data[p+2 : p+4]))
		if n < 2 || p+2+n > len(data) {
			return meta, errJPEGHeader
		}
		payload := data[p+4 : p+2+n]
		switch {
		case marker == 0xE1 && bytes.HasPrefix(payload, []byte("Exif\x00\x00")):
			if o, err := exifOrientation(payload[6:]); err == nil {
				meta.Orientation = o
			}
		case marker == 0xE2 && bytes.HasPrefix(payload, []byte("ICC_PROFILE\x00")):
			meta.ICC = append(meta.ICC, data[p:p+2+n])
		}
		p += 2 + n
	}
}

var errEXIF = errors.New("media: malformed EXIF")

// exifOrientation reads tag 0x0112 from IFD0 of a TIFF structure (the APP1 payload
// after "Exif\0\0"). Nothing else is read: everything else is dropped on re-encoding.
func exifOrientation(tiff []byte) (int, error) {
	if len(tiff) < 8 {
		return 0, errEXIF
	}
	var bo binary.ByteOrder
	switch string(tiff[:2]) {
	case "II":
		bo = binary.LittleEndian
	case "MM":
		bo = binary.BigEndian
	default:
		return 0, errEXIF
	}
	if bo.Uint16(tiff[2:4]) != 42 {
		return 0, errEXIF
	}
	ifd := uint64(bo.Uint32(tiff[4:8]))
	if ifd < 8 || ifd+2 > uint64(len(tiff)) {
		return 0, errEXIF
	}
	count := uint64(bo.Uint16(tiff[ifd : ifd+2]))
	entries := ifd + 2
	if entries+12*count > uint64(len(tiff)) {
		return 0, errEXIF
	}
	for i := range count {
		e := tiff[entries+12*i : entries+12*i+12]
		if bo.Uint16(e[0:2]) != 0x0112 {
			continue
		}
		// SHORT (type 3), one value, stored in the first two bytes of the value field.
		if bo.Uint16(e[2:4]) != 3 || bo.Uint32(e[4:8]) != 1 {
			return 0, errEXIF
		}
		o := int(bo.Uint16(e[8:10]))
		if o < 1 || o > 8 {
			return 0, errEXIF
		}
		return o, nil
	}
	return 1, nil
}
