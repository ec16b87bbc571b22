package media

import (
	"bytes"
	"encoding/binary"
	"net/http"
)

// Sniff returns the MIME type of a file from its first bytes (512 are enough), or ""
// when it is none of the accepted types. The client's Content-Type and file name are
// never consulted: they are whatever the client says.
func Sniff(head []byte) string {
	// http.DetectContentType follows the WHATWG sniffing rules the browsers use; the
	// explicit checks below then confirm the signature, so a file that merely starts
	// like an image is not let through by a looser rule.
	switch http.DetectContentType(head) {
	case "image/jpeg":
		if len(head) >= 3 && head[0] == 0xFF && head[1] == 0xD8 && head[2] == 0xFF {
			return MIMEJPEG
		}
	case "image/png":
		if bytes.HasPrefix(head, []byte("\x89PNG\r\n\x1a\n")) {
			return MIMEPNG
		}
	case "image/gif":
		if bytes.HasPrefix(head, []byte("GIF87a")) || bytes.HasPrefix(head, []byte("GIF89a")) {
			return MIMEGIF
		}
	}
	if isWebP(head) {
		return MIMEWebP
	}
	if isM4A(head) {
		return MIMEM4A
	}
	if isMP3(head) {
		return MIMEMP3
	}
	if isMP4(head) {
		return MIMEMP4
	}
	return ""
}

// isWebP checks the RIFF container: "RIFF", a length, "WEBP", then a VP8 chunk.
func isWebP(head []byte) bool {
	if len(head) < 16 || string(head[0:4]) != "RIFF" || string(head[8:12]) != "WEBP" {
		return false
	}
	switch string(head[12:16]) {
	case "VP8 ", "VP8L", "VP8X":
		return true
	}
	return false
}

// mp4Brands are the ISO base media brands of MP4 files. QuickTime ("qt  ") and 3GPP
// files share the container but WeChat takes only MP4, so they are refused unless they
// also declare an MP4 brand.
var mp4Brands = map[string]bool{
	"isom": true, "iso2": true, "iso3": true, "iso4": true, "iso5": true, "iso6": true,
	"mp41": true, "mp42": true, "avc1": true, "M4V ": true, "MSNV": true, "dash": true, "mmp4": true,
}

// isMP4 checks that the file opens with an ftyp box naming an MP4 brand, as major
// brand or among the compatible ones present in head.
func isMP4(head []byte) bool {
	if len(head) < 16 || string(head[4:8]) != "ftyp" {
		return false
	}
	size := binary.BigEndian.Uint32(head[0:4])
	if size < 16 || size%4 != 0 {
		return false
	}
	end := min(int(size), len(head))
	if mp4Brands[string(head[8:12])] {
		return true
	}
	for i := 16; i+4 <= end; i += 4 {
		if mp4Brands[string(head[i:i+4])] {
			return true
		}
	}
	return false
}
