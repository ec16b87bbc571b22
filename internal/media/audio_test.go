package media

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
)

func TestAudioIngest(t *testing.T) {
	t.Parallel()
	mp3 := SilentMP3(3 * time.Second)
	id3 := append([]byte("ID3\x03\x00\x00\x00\x00\x00\x05hello"), mp3...)
	v1 := append(append([]byte{}, mp3...), append([]byte("TAG"), make([]byte, 125)...)...)
	m4a := MinimalM4A(make([]byte, 1000), 2500*time.Millisecond)
	video := MinimalM4A(nil, time.Second)
	copy(video[8:12], "isom") // an MP4 with a sound track only is not a video either
	tests := []struct {
		name     string
		data     []byte
		limits   Limits
		mime     string
		duration time.Duration
		code     string
	}{
		{"mp3", mp3, Limits{}, MIMEMP3, 2978 * time.Millisecond, ""},
		{"mp3 with ID3v2", id3, Limits{}, MIMEMP3, 2978 * time.Millisecond, ""},
		{"mp3 with ID3v1", v1, Limits{}, MIMEMP3, 2978 * time.Millisecond, ""},
		{"m4a", m4a, Limits{}, MIMEM4A, 2500 * time.Millisecond, ""},
		{"truncated mp3", mp3[:len(mp3)-50], Limits{}, "", 0, passerelle.EUNSUPPORTED},
		{"mp3 with garbage", append(append([]byte{}, mp3...), "garbage!"...), Limits{}, "", 0, passerelle.EUNSUPPORTED},
		{"truncated m4a", m4a[:len(m4a)-10], Limits{}, "", 0, passerelle.EUNSUPPORTED},
		{"ID3 tag over nothing", []byte("ID3\x03\x00\x00\x00\x00\x00\x05hello"), Limits{}, "", 0, passerelle.EUNSUPPORTED},
		{"text claiming to be audio", []byte("this is not audio at all"), Limits{}, "", 0, passerelle.EUNSUPPORTED},
		{"oversized audio", mp3, Limits{MaxAudioBytes: 1000}, "", 0, passerelle.ETOOLARGE},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			st := &DiskStore{Root: t.TempDir()}
			a, err := Ingest(context.Background(), st, bytes.NewReader(tt.data), tt.limits)
			if tt.code != "" {
				if passerelle.ErrorCode(err) != tt.code {
					t.Fatalf("error %v, want %s", err, tt.code)
				}
				if passerelle.ErrorMessage(err) == "" {
					t.Error("no message")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if a.MIME != tt.mime || a.Duration.Round(time.Millisecond) != tt.duration || a.Bytes != int64(len(tt.data)) {
				t.Errorf("got %+v, want %s of %v", a, tt.mime, tt.duration)
			}
			rc, err := st.Open(context.Background(), a.Key)
			if err != nil {
				t.Fatal(err)
			}
			rc.Close()
		})
	}
}

func FuzzAudio(f *testing.F) {
	f.Add(SilentMP3(200 * time.Millisecond))
	f.Add(MinimalM4A([]byte("abc"), time.Second))
	f.Fuzz(func(t *testing.T, data []byte) {
		if d, err := parseMP3(data); err == nil && d <= 0 {
			t.Errorf("accepted an MP3 of %v", d)
		}
		_, _ = parseM4A(data)
		_ = Sniff(data[:min(len(data), 512)])
	})
}
