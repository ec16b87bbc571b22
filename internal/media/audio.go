package media

import (
	"encoding/binary"
	"errors"
	"fmt"
	"time"
)

// Audio types, for audioguides: MP3 and AAC in an MP4 container (M4A), the two that
// WeChat's in-app browser plays on every phone.
const (
	MIMEMP3 = "audio/mpeg"
	MIMEM4A = "audio/mp4"
)

// DefaultMaxAudioBytes bounds an audio upload: 30 MB is over half an hour of speech
// at 128 kbit/s.
const DefaultMaxAudioBytes = 30 << 20

var errMP3 = errors.New("media: malformed MP3")

// isM4A recognises an MP4 container whose major brand says audio ("M4A ", "M4B ").
func isM4A(head []byte) bool {
	if len(head) < 12 || string(head[4:8]) != "ftyp" {
		return false
	}
	switch string(head[8:12]) {
	case "M4A ", "M4B ":
		return true
	}
	return false
}

// isMP3 recognises an ID3v2 tag or an MPEG audio frame header at the start.
func isMP3(head []byte) bool {
	if len(head) >= 10 && string(head[:3]) == "ID3" && head[3] >= 2 && head[3] <= 4 {
		return true
	}
	_, _, ok := mp3Frame(head)
	return ok
}

// MPEG audio tables: bit rates (kbit/s) of Layer III by version, sample rates by version.
var (
	mp3Bitrates = [2][16]int{
		{0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 0}, // MPEG-1
		{0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160, 0},     // MPEG-2 and 2.5
	}
	mp3SampleRates = map[byte][3]int{3: {44100, 48000, 32000}, 2: {22050, 24000, 16000}, 0: {11025, 12000, 8000}}
)

// mp3Frame reads the Layer III frame header at the start of p: the frame's length in
// bytes and its duration.
func mp3Frame(p []byte) (length int, d time.Duration, ok bool) {
	if len(p) < 4 || p[0] != 0xFF || p[1]&0xE0 != 0xE0 {
		return 0, 0, false
	}
	version := (p[1] >> 3) & 3 // 3 MPEG-1, 2 MPEG-2, 0 MPEG-2.5, 1 reserved
	layer := (p[1] >> 1) & 3   // 1 is Layer III
	if version == 1 || layer != 1 {
		return 0, 0, false
	}
	bi, si, pad := p[2]>>4, (p[2]>>2)&3, int(p[2]>>1)&1
	if bi == 0 || bi == 15 || si == 3 {
		return 0, 0, false
	}
	row, samples := 1, 576
	if version == 3 {
		row, samples = 0, 1152
	}
	rate := mp3SampleRates[version][si]
	bitrate := mp3Bitrates[row][bi] * 1000
	length = samples/8*bitrate/rate + pad
	return length, time.Duration(samples) * time.Second / time.Duration(rate), length > 4
}

// parseMP3 walks the file frame by frame after an optional ID3v2 tag: every byte must
// belong to a frame, up to an optional ID3v1 tag at the end, so a renamed file or a
// truncated upload is refused. It returns the duration.
func parseMP3(data []byte) (time.Duration, error) {
	p := 0
	if len(data) >= 10 && string(data[:3]) == "ID3" {
		size := int(data[6]&0x7f)<<21 | int(data[7]&0x7f)<<14 | int(data[8]&0x7f)<<7 | int(data[9]&0x7f)
		p = 10 + size
		if data[5]&0x10 != 0 { // footer present
			p += 10
		}
		if p > len(data) {
			return 0, fmt.Errorf("%w: ID3 tag overruns the file", errMP3)
		}
	}
	end := len(data)
	if end-p >= 128 && string(data[end-128:end-125]) == "TAG" {
		end -= 128
	}
	var total time.Duration
	frames := 0
	for p < end {
		n, d, ok := mp3Frame(data[p:end])
		if !ok {
			return 0, fmt.Errorf("%w: no frame at byte %d", errMP3, p)
		}
		if p+n > end {
			return 0, fmt.Errorf("%w: truncated frame at byte %d", errMP3, p)
		}
		p += n
		total += d
		frames++
	}
	if frames == 0 {
		return 0, fmt.Errorf("%w: no audio frames", errMP3)
	}
	return total, nil
}

// parseM4A validates an MP4 container that holds sound and no video, and returns its
// duration.
func parseM4A(data []byte) (time.Duration, error) {
	info, err := parseMP4(data)
	if err != nil {
		return 0, err
	}
	if info.Width != 0 || info.Height != 0 {
		return 0, fmt.Errorf("%w: an M4A file with a video track", errMP4)
	}
	top, _ := mp4Boxes(data)
	moov, _ := findBox(top, "moov")
	inner, _ := mp4Boxes(moov.payload)
	for _, trak := range inner {
		if trak.typ == "trak" && handler(trak.payload) == "soun" {
			return info.Duration, nil
		}
	}
	return 0, fmt.Errorf("%w: no sound track", errMP4)
}

// handler returns the handler type of a track ("soun", "vide").
func handler(trak []byte) string {
	boxes, err := mp4Boxes(trak)
	if err != nil {
		return ""
	}
	mdia, ok := findBox(boxes, "mdia")
	if !ok {
		return ""
	}
	inner, err := mp4Boxes(mdia.payload)
	if err != nil {
		return ""
	}
	if hdlr, ok := findBox(inner, "hdlr"); ok && len(hdlr.payload) >= 12 {
		return string(hdlr.payload[8:12])
	}
	return ""
}

func prepareMP3(data []byte) (Asset, []byte, error) {
	d, err := parseMP3(data)
	if err != nil {
		return Asset{}, nil, unreadable("MP3 audio file", err)
	}
	return Asset{MIME: MIMEMP3, Duration: d}, data, nil
}

func prepareM4A(data []byte) (Asset, []byte, error) {
	d, err := parseM4A(data)
	if err != nil {
		return Asset{}, nil, unreadable("M4A audio file", err)
	}
	return Asset{MIME: MIMEM4A, Duration: d}, data, nil
}

// SilentMP3 returns an MP3 of about d of silence (MPEG-1 Layer III, 32 kbit/s,
// 44.1 kHz mono frames with no audio data): sample audio for the demo and tests,
// made at run time, with no recording in it.
func SilentMP3(d time.Duration) []byte {
	// 32 kbit/s, 44.1 kHz: 104-byte frames of 1152 samples; mono, no CRC.
	header := []byte{0xFF, 0xFB, 0x10, 0xC4}
	frame, _, _ := mp3Frame(header)
	n := max(1, int(d/(1152*time.Second/44100)))
	out := make([]byte, 0, n*frame)
	for range n {
		out = append(out, header...)
		out = append(out, make([]byte, frame-4)...)
	}
	return out
}

// MinimalM4A builds the smallest M4A container the ingest accepts, for tests: ftyp
// (M4A), moov with a movie header and one sound track header, and mdat holding
// payload. It carries no sample table, so players will not play it.
func MinimalM4A(payload []byte, d time.Duration) []byte {
	box := func(typ string, parts ...[]byte) []byte {
		n := 8
		for _, p := range parts {
			n += len(p)
		}
		b := make([]byte, 8, n)
		binary.BigEndian.PutUint32(b, uint32(n))
		copy(b[4:], typ)
		for _, p := range parts {
			b = append(b, p...)
		}
		return b
	}
	mvhd := make([]byte, 100)
	binary.BigEndian.PutUint32(mvhd[12:], 1000)
	binary.BigEndian.PutUint32(mvhd[16:], uint32(d.Milliseconds()))
	tkhd := make([]byte, 84)
	hdlr := make([]byte, 25)
	copy(hdlr[8:], "soun")
	return append(append(
		box("ftyp", []byte("M4A \x00\x00\x00\x00M4A mp42isom")),
		box("moov", box("mvhd", mvhd), box("trak", box("tkhd", tkhd), box("mdia", box("hdlr", hdlr))))...),
		box("mdat", payload)...)
}
