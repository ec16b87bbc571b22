package passerelle

import (
	"fmt"
	"strconv"
	"strings"
	"sync"
	"time"
)

// BeijingZone is the audience's zone, the one quiet hours are read in.
const BeijingZone = "Asia/Shanghai"

// QuietHours is an institution's Beijing-time night: publications scheduled inside it
// are warned about (the audience is asleep). Start and End are minutes after midnight,
// Start included and End excluded; the window wraps past midnight when End < Start.
// Start == End means no quiet hours.
type QuietHours struct {
	Start int `json:"start"`
	End   int `json:"end"`
}

// DefaultQuietHours is 23:00–07:00 Beijing time.
var DefaultQuietHours = QuietHours{Start: 23 * 60, End: 7 * 60}

// Off reports whether the window is empty.
func (q QuietHours) Off() bool { return q.Start == q.End }

// Valid reports whether both ends are times of day.
func (q QuietHours) Valid() bool {
	return q.Start >= 0 && q.Start < 24*60 && q.End >= 0 && q.End < 24*60
}

// ContainsMinute reports whether a Beijing time of day (minutes after midnight) is in
// the window.
func (q QuietHours) ContainsMinute(m int) bool {
	switch {
	case q.Off():
		return false
	case q.Start < q.End:
		return m >= q.Start && m < q.End
	default:
		return m >= q.Start || m < q.End
	}
}

// Contains reports whether an instant falls in the window, read in Beijing time.
func (q QuietHours) Contains(t time.Time) bool {
	b := t.In(beijing())
	return q.ContainsMinute(b.Hour()*60 + b.Minute())
}

// StartClock and EndClock are the ends as "23:00".
func (q QuietHours) StartClock() string { return Clock(q.Start) }
func (q QuietHours) EndClock() string   { return Clock(q.End) }

// Clock formats minutes after midnight as "07:00".
func Clock(m int) string { return fmt.Sprintf("%02d:%02d", m/60, m%60) }

// ParseClock reads "7:00", "07:00" or "23:30" as minutes after midnight.
func ParseClock(s string) (int, error) {
	h, m, ok := strings.Cut(strings.TrimSpace(s), ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || hh < 0 || hh > 23 || mm < 0 || mm > 59 || len(m) != 2 || len(h) == 0 || len(h) > 2 {
		return 0, Errorf(EINVALID, "Give a time of day such as 23:00.")
	}
	return hh*60 + mm, nil
}

// beijing is the Beijing zone (a fixed +08:00 if the zone database lacks it).
var beijing = sync.OnceValue(func() *time.Location {
	loc, err := time.LoadLocation(BeijingZone)
	if err != nil {
		return time.FixedZone("CST", 8*3600)
	}
	return loc
})
