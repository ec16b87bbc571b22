package passerelle

import (
	"strings"
	"time"
)

// LocalInstant reads a wall-clock date and time ("2030-06-01T10:00", seconds allowed)
// in loc and returns the instant it names. Across a daylight-saving change it does not
// guess: a time that does not exist in loc (skipped when clocks go forward) is an error,
// and a time that happens twice (when clocks go back) is its first occurrence. The
// answer depends on loc only, never on the process's local zone (TZ).
func LocalInstant(v string, loc *time.Location) (time.Time, error) {
	v = strings.TrimSpace(v)
	for _, layout := range []string{"2006-01-02T15:04", "2006-01-02T15:04:05"} {
		naive, err := time.Parse(layout, v) // as if UTC: the wall clock's fields
		if err != nil {
			continue
		}
		var best time.Time
		for _, probe := range []time.Duration{-26 * time.Hour, 26 * time.Hour} {
			_, offset := naive.Add(probe).In(loc).Zone()
			t := naive.Add(-time.Duration(offset) * time.Second)
			if t.In(loc).Format(layout) != v {
				continue
			}
			if best.IsZero() || t.Before(best) {
				best = t
			}
		}
		if best.IsZero() {
			return time.Time{}, Errorf(EINVALID, "%s does not exist in %s (the clocks go forward at that hour).", v, loc)
		}
		return best.UTC(), nil
	}
	return time.Time{}, Errorf(EINVALID, "Give a date and a time such as 2030-06-01T10:00.")
}
