package passerelle

import (
	"testing"
	"time"
)

func TestQuietHoursWindow(t *testing.T) {
	q := DefaultQuietHours // 23:00–07:00, across midnight
	for m, want := range map[int]bool{22*60 + 59: false, 23 * 60: true, 0: true, 6*60 + 59: true, 7 * 60: false, 12 * 60: false} {
		if q.ContainsMinute(m) != want {
			t.Errorf("%s in %s–%s: %v", Clock(m), q.StartClock(), q.EndClock(), !want)
		}
	}
	day := QuietHours{Start: 13 * 60, End: 14 * 60}
	if !day.ContainsMinute(13*60+30) || day.ContainsMinute(14*60) || day.ContainsMinute(12*60) {
		t.Error("a window within the day")
	}
	if (QuietHours{Start: 300, End: 300}).ContainsMinute(300) {
		t.Error("an empty window contains nothing")
	}
	// Paris 17:00 in winter is Beijing midnight; 16:00 in summer is 22:00.
	paris, _ := time.LoadLocation("Europe/Paris")
	if !q.Contains(time.Date(2030, 1, 15, 17, 0, 0, 0, paris)) || q.Contains(time.Date(2030, 7, 15, 16, 0, 0, 0, paris)) {
		t.Error("Contains reads Beijing time")
	}
	for s, want := range map[string]int{"23:00": 1380, "7:05": 425, " 00:00 ": 0} {
		if got, err := ParseClock(s); err != nil || got != want {
			t.Errorf("ParseClock(%q) = %d, %v", s, got, err)
		}
	}
	for _, s := range []string{"", "24:00", "12:60", "12", "1:2", "-1:00", "123:00", "ab:cd", "12:00:00"} {
		if _, err := ParseClock(s); err == nil {
			t.Errorf("ParseClock(%q) accepted", s)
		}
	}
}
