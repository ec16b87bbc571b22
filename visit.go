package passerelle

import (
	"strings"
	"time"
	"unicode/utf8"
)

// A Tour is an audioguide: numbered stops a visitor plays on a phone, opened from a
// QR code on a label, the WeChat menu or a link. Its public pages exist only while it
// is published, at an address made of PublicToken, never of its id.
type Tour struct {
	ID            int64      `json:"id"`
	InstitutionID int64      `json:"institution_id"`
	TitleZH       string     `json:"title_zh"`
	TitleFR       string     `json:"title_fr"`
	TitleEN       string     `json:"title_en"`
	IntroZH       string     `json:"intro_zh"`
	IntroFR       string     `json:"intro_fr"`
	IntroEN       string     `json:"intro_en"`
	PublicToken   string     `json:"-"`
	PublishedAt   *time.Time `json:"published_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// Stop is one numbered stop of a tour: a title, a transcript and an audio file per
// language (Chinese first), an image, and the artwork or artist it presents.
type Stop struct {
	ID             int64     `json:"id"`
	TourID         int64     `json:"tour_id"`
	Number         int       `json:"number"`
	TitleZH        string    `json:"title_zh"`
	TitleFR        string    `json:"title_fr"`
	TitleEN        string    `json:"title_en"`
	TranscriptZH   string    `json:"transcript_zh"`
	TranscriptFR   string    `json:"transcript_fr"`
	TranscriptEN   string    `json:"transcript_en"`
	AudioMediaID   int64     `json:"audio_media_id"`
	AudioFRMediaID int64     `json:"audio_fr_media_id"`
	AudioENMediaID int64     `json:"audio_en_media_id"`
	ImageMediaID   int64     `json:"image_media_id"`
	Artwork        string    `json:"artwork"`
	CreatedAt      time.Time `json:"created_at"`
}

// Limits of visitor content.
const (
	MaxVisitTitle      = 200
	MaxVisitText       = 20_000
	MaxStopNumber      = 9999
	MaxExhibitionRooms = 50
	MaxRoomWorks       = 100
)

func checkText(f FieldErrors, field, s string, limit int) {
	if !utf8.ValidString(s) {
		f.Add(field, "Must be valid UTF-8 text.")
	} else if utf8.RuneCountInString(s) > limit {
		f.Add(field, "Too long.")
	}
}

// Normalize trims the titles.
func (t *Tour) Normalize() {
	t.TitleZH, t.TitleFR, t.TitleEN = strings.TrimSpace(t.TitleZH), strings.TrimSpace(t.TitleFR), strings.TrimSpace(t.TitleEN)
}

// Validate checks a tour: a Chinese title, texts within their limits.
func (t *Tour) Validate() error {
	f := FieldErrors{}
	if t.TitleZH == "" {
		f.Add("title_zh", "A Chinese title is required.")
	}
	for field, s := range map[string]string{"title_zh": t.TitleZH, "title_fr": t.TitleFR, "title_en": t.TitleEN} {
		checkText(f, field, s, MaxVisitTitle)
	}
	for field, s := range map[string]string{"intro_zh": t.IntroZH, "intro_fr": t.IntroFR, "intro_en": t.IntroEN} {
		checkText(f, field, s, MaxVisitText)
	}
	return f.Err()
}

// Normalize trims the titles.
func (s *Stop) Normalize() {
	s.TitleZH, s.TitleFR, s.TitleEN = strings.TrimSpace(s.TitleZH), strings.TrimSpace(s.TitleFR), strings.TrimSpace(s.TitleEN)
	s.Artwork = strings.TrimSpace(s.Artwork)
}

// Validate checks a stop: a number from 1 to MaxStopNumber, a Chinese title, texts
// within their limits.
func (s *Stop) Validate() error {
	f := FieldErrors{}
	if s.Number < 1 || s.Number > MaxStopNumber {
		f.Add("number", "A stop number is from 1 to 9999.")
	}
	if s.TitleZH == "" {
		f.Add("title_zh", "A Chinese title is required.")
	}
	for field, v := range map[string]string{"title_zh": s.TitleZH, "title_fr": s.TitleFR, "title_en": s.TitleEN, "artwork": s.Artwork} {
		checkText(f, field, v, MaxVisitTitle)
	}
	for field, v := range map[string]string{"transcript_zh": s.TranscriptZH, "transcript_fr": s.TranscriptFR, "transcript_en": s.TranscriptEN} {
		checkText(f, field, v, MaxVisitText)
	}
	for field, id := range map[string]int64{"audio_media_id": s.AudioMediaID, "audio_fr_media_id": s.AudioFRMediaID, "audio_en_media_id": s.AudioENMediaID, "image_media_id": s.ImageMediaID} {
		if id < 0 {
			f.Add(field, "Unknown medium.")
		}
	}
	return f.Err()
}

// An Exhibition is a virtual exhibition: rooms in order, each with works.
type Exhibition struct {
	ID            int64      `json:"id"`
	InstitutionID int64      `json:"institution_id"`
	TitleZH       string     `json:"title_zh"`
	TitleFR       string     `json:"title_fr"`
	TitleEN       string     `json:"title_en"`
	DigestZH      string     `json:"digest_zh"`
	CoverMediaID  int64      `json:"cover_media_id"`
	Rooms         []Room     `json:"rooms"`
	PublicToken   string     `json:"-"`
	PublishedAt   *time.Time `json:"published_at"`
	CreatedAt     time.Time  `json:"created_at"`
	UpdatedAt     time.Time  `json:"updated_at"`
}

// Room is one room of an exhibition.
type Room struct {
	TitleZH string `json:"title_zh"`
	TitleFR string `json:"title_fr"`
	TitleEN string `json:"title_en"`
	Works   []Work `json:"works"`
}

// Work is one work shown in a room: its image, its Chinese story, optional audio.
type Work struct {
	TitleZH      string `json:"title_zh"`
	TitleFR      string `json:"title_fr"`
	TitleEN      string `json:"title_en"`
	Artist       string `json:"artist"`
	StoryZH      string `json:"story_zh"`
	StoryFR      string `json:"story_fr"`
	StoryEN      string `json:"story_en"`
	ImageMediaID int64  `json:"image_media_id"`
	AudioMediaID int64  `json:"audio_media_id"`
}

// Validate checks an exhibition: a Chinese title, rooms and works within limits, each
// with a Chinese title.
func (e *Exhibition) Validate() error {
	f := FieldErrors{}
	e.TitleZH = strings.TrimSpace(e.TitleZH)
	if e.TitleZH == "" {
		f.Add("title_zh", "A Chinese title is required.")
	}
	for field, s := range map[string]string{"title_zh": e.TitleZH, "title_fr": e.TitleFR, "title_en": e.TitleEN} {
		checkText(f, field, s, MaxVisitTitle)
	}
	checkText(f, "digest_zh", e.DigestZH, 120)
	if len(e.Rooms) > MaxExhibitionRooms {
		f.Add("rooms", "Too many rooms.")
	}
	for _, r := range e.Rooms {
		if strings.TrimSpace(r.TitleZH) == "" {
			f.Add("rooms", "Every room needs a Chinese title.")
		}
		checkText(f, "rooms", r.TitleZH+r.TitleFR+r.TitleEN, 3*MaxVisitTitle)
		if len(r.Works) > MaxRoomWorks {
			f.Add("rooms", "Too many works in a room.")
		}
		for _, w := range r.Works {
			if strings.TrimSpace(w.TitleZH) == "" {
				f.Add("rooms", "Every work needs a Chinese title.")
			}
			checkText(f, "rooms", w.TitleZH+w.TitleFR+w.TitleEN+w.Artist, 4*MaxVisitTitle)
			checkText(f, "rooms", w.StoryZH+w.StoryFR+w.StoryEN, 3*MaxVisitText)
			if w.ImageMediaID < 0 || w.AudioMediaID < 0 {
				f.Add("rooms", "Unknown medium.")
			}
		}
	}
	return f.Err()
}
