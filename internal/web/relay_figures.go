package web

import (
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/publish"
)

// relayFigures says, on the campaign page, where a relay's figures came from and when.
type relayFigures struct {
	// Source is the message id of the newest reading's source ("" when none).
	Source string
	// Collected is the age of the newest collected reading, Missed of the last time
	// Weibo did not return the post (when after it), Imported of the newest reading
	// when it was imported; nil when there is none.
	Collected, Missed, Imported *age
	// Weibo: collected from the platform; WeChat: figures only typed or imported.
	Weibo, WeChat bool
}

// age is a duration as the page says it: N minutes, hours or days ago.
type age struct {
	Unit string // message id suffix: min, h, d
	N    int
}

func ageOf(d time.Duration) *age {
	switch {
	case d < time.Hour:
		return &age{"min", max(int(d/time.Minute), 0)}
	case d < 48*time.Hour:
		return &age{"h", int(d / time.Hour)}
	}
	return &age{"d", int(d / (24 * time.Hour))}
}

// Figures describes r's figures at the page's instant.
func (p *campaignPage) Figures(r passerelle.Relay) relayFigures {
	now := p.Now
	if now.IsZero() {
		now = time.Now()
	}
	f := relayFigures{Weibo: r.StatusID != ""}
	if r.URL != "" && !f.Weibo {
		_, _, err := publish.PostURL(passerelle.WeChat, r.URL, "")
		f.WeChat = err == nil
	}
	if r.FiguresSource != "" {
		f.Source = "relay14.source." + r.FiguresSource
	}
	if r.FiguresSource == passerelle.FiguresImport && r.FiguresAt != nil {
		f.Imported = ageOf(now.Sub(*r.FiguresAt))
	}
	if r.CollectedAt != nil {
		f.Collected = ageOf(now.Sub(*r.CollectedAt))
	}
	if r.MissedAt != nil && (r.CollectedAt == nil || r.MissedAt.After(*r.CollectedAt)) {
		f.Missed = ageOf(now.Sub(*r.MissedAt))
	}
	return f
}
