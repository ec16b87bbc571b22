package analytics

import (
	"time"

	"github.com/passerelle-oss/passerelle"
)

// Beijing is the zone of audience days: the platforms count days in China, which has
// kept UTC+8 without daylight saving since 1991.
var Beijing = time.FixedZone("CST", 8*3600)

// maxDays bounds a period: three years and a bit.
const maxDays = 1200

// Period is a range of whole days in Beijing: From at 00:00 to To at 00:00 (exclusive).
type Period struct {
	From, To time.Time
}

// Last is the period's last day.
func (p Period) Last() time.Time { return p.To.AddDate(0, 0, -1) }

// Days is the number of days.
func (p Period) Days() int { return int(p.To.Sub(p.From).Hours()/24 + 0.5) }

// Previous is the period of the same length just before.
func (p Period) Previous() Period {
	return Period{From: p.From.AddDate(0, 0, -p.Days()), To: p.From}
}

// ParsePeriod reads from and to (YYYY-MM-DD, to included), answering field errors.
func ParsePeriod(from, to string) (Period, error) {
	f := passerelle.FieldErrors{}
	a, err := time.ParseInLocation(time.DateOnly, from, Beijing)
	if err != nil {
		f.Add("from", "Use a date YYYY-MM-DD.")
	}
	b, err := time.ParseInLocation(time.DateOnly, to, Beijing)
	if err != nil {
		f.Add("to", "Use a date YYYY-MM-DD.")
	}
	if err := f.Err(); err != nil {
		return Period{}, err
	}
	if a.Year() < 2000 || b.Year() > 9000 {
		f.Add("from", "Use a date from the year 2000.")
		return Period{}, f.Err()
	}
	p := Period{From: a, To: b.AddDate(0, 0, 1)}
	switch {
	case b.Before(a):
		f.Add("to", "The end is before the start.")
	case p.Days() > maxDays:
		f.Add("to", "A period is at most 1,200 days.")
	}
	if err := f.Err(); err != nil {
		return Period{}, err
	}
	return p, nil
}

// Month is the calendar month (in Beijing) before the one holding t.
func LastMonth(t time.Time) Period {
	bj := t.In(Beijing)
	first := time.Date(bj.Year(), bj.Month(), 1, 0, 0, 0, 0, Beijing)
	return Period{From: first.AddDate(0, -1, 0), To: first}
}
