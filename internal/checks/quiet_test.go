package checks

import (
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// TestQuietHours: a publication in the Beijing night is warned about, on its own
// time field, in the three languages; one in the day is not; no window, no warning.
func TestQuietHours(t *testing.T) {
	c := newTestChecker(t, Config{})
	night := time.Date(2030, 1, 15, 16, 30, 0, 0, time.UTC) // 00:30 in Beijing
	day := time.Date(2030, 1, 15, 2, 0, 0, 0, time.UTC)     // 10:00 in Beijing
	q := passerelle.DefaultQuietHours
	in := Input{Lang: "en", Quiet: &q, Publications: []PublicationInput{
		{ID: 7, Platform: passerelle.Weibo, Text: "白天。", ScheduledAt: &day},
		{ID: 8, Platform: passerelle.Weibo, Text: "夜里。", ScheduledAt: &night},
		{ID: 9, Platform: passerelle.Weibo, Text: "没有时间。"},
	}}
	var got []Finding
	for _, f := range c.Check(in) {
		if f.Rule == RuleQuietHours {
			got = append(got, f)
		}
	}
	if len(got) != 1 || got[0].PublicationID != 8 || got[0].Field != "publications[1].scheduled_at" || got[0].Severity != SeverityWarning {
		t.Fatalf("findings: %+v", got)
	}
	for lang, want := range map[string]string{"en": "00:30 Beijing time", "fr": "00:30 heure de Pékin", "zh-Hans": "北京时间 00:30"} {
		if msg := got[0].Localize(lang); !strings.Contains(msg, want) || !strings.Contains(msg, "23:00–07:00") {
			t.Errorf("%s: %q", lang, msg)
		}
	}
	in.Quiet = &passerelle.QuietHours{Start: 60, End: 60}
	for _, f := range c.Check(in) {
		if f.Rule == RuleQuietHours {
			t.Errorf("no window, yet %+v", f)
		}
	}
	in.Quiet = nil
	for _, f := range c.Check(in) {
		if f.Rule == RuleQuietHours {
			t.Errorf("no quiet hours, yet %+v", f)
		}
	}
}
