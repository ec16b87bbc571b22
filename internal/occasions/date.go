package occasions

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// Calendar queries are limited to these years: the festivals are computed in the
// Gregorian era, and an editorial calendar has no use beyond it. Dates of people may
// be older (Leonardo died in 1519): they are taken as written, Julian or not, as
// anniversaries are customarily kept on the recorded day.
const (
	MinYear = 1583
	MaxYear = 9998
)

// Date is a civil (calendar) date with no time zone: an occasion falls on a day in
// every zone, and a festival on 1 October is 1 October in Paris and in Shanghai.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// DateOf returns the civil date of t in t's location.
func DateOf(t time.Time) Date {
	y, m, d := t.Date()
	return Date{y, m, d}
}

// ParseDate parses a full YYYY-MM-DD date.
func ParseDate(s string) (Date, error) {
	p, err := ParsePartialDate(s)
	if err != nil {
		return Date{}, err
	}
	if p.Precision != PrecisionDay {
		return Date{}, passerelle.Errorf(passerelle.EINVALID, "Enter a full date as YYYY-MM-DD.")
	}
	return p.Date, nil
}

// String formats d as YYYY-MM-DD.
func (d Date) String() string {
	return fmt.Sprintf("%04d-%02d-%02d", d.Year, int(d.Month), d.Day)
}

// Valid reports whether d names a real day of years 1 to 9999.
func (d Date) Valid() bool {
	if d.Year < 1 || d.Year > 9999 || d.Month < time.January || d.Month > time.December || d.Day < 1 {
		return false
	}
	return d.Day <= daysIn(d.Year, d.Month)
}

// Before reports whether d is strictly earlier than e.
func (d Date) Before(e Date) bool { return d.compare(e) < 0 }

// After reports whether d is strictly later than e.
func (d Date) After(e Date) bool { return d.compare(e) > 0 }

func (d Date) compare(e Date) int {
	switch {
	case d.Year != e.Year:
		return d.Year - e.Year
	case d.Month != e.Month:
		return int(d.Month) - int(e.Month)
	default:
		return d.Day - e.Day
	}
}

// AddDays returns d moved by n days.
func (d Date) AddDays(n int) Date {
	return DateOf(d.time().AddDate(0, 0, n))
}

// Weekday returns the day of the week of d.
func (d Date) Weekday() time.Weekday { return d.time().Weekday() }

func (d Date) time() time.Time { return time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, time.UTC) }

func daysIn(year int, m time.Month) int {
	return time.Date(year, m+1, 0, 0, 0, 0, 0, time.UTC).Day()
}

func isLeap(year int) bool { return daysIn(year, time.February) == 29 }

// Precision says how much of a PartialDate is known.
type Precision int

// Precisions of a PartialDate, from none to the day.
const (
	PrecisionNone Precision = iota
	PrecisionYear
	PrecisionMonth
	PrecisionDay
)

// PartialDate is a date known to the year, the month or the day, as glossaries record
// artists: "1834", "1834-07", "1834-07-19". Unknown parts are 1 in Date.
type PartialDate struct {
	Date      Date
	Precision Precision
}

// ParsePartialDate parses "", "YYYY", "YYYY-MM" or "YYYY-MM-DD". The empty string is
// the unknown date (PrecisionNone), not an error: most glossary terms have no dates.
func ParsePartialDate(s string) (PartialDate, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return PartialDate{}, nil
	}
	bad := passerelle.Errorf(passerelle.EINVALID, "Enter a date as YYYY, YYYY-MM or YYYY-MM-DD.")
	parts := strings.Split(s, "-")
	if len(parts) > 3 || len(parts[0]) != 4 {
		return PartialDate{}, bad
	}
	nums := make([]int, len(parts))
	for i, p := range parts {
		if i > 0 && len(p) != 2 {
			return PartialDate{}, bad
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || p[0] == '+' {
			return PartialDate{}, bad
		}
		nums[i] = n
	}
	pd := PartialDate{Date: Date{nums[0], time.January, 1}, Precision: Precision(len(parts))}
	if len(nums) > 1 {
		pd.Date.Month = time.Month(nums[1])
	}
	if len(nums) > 2 {
		pd.Date.Day = nums[2]
	}
	if !pd.Date.Valid() {
		return PartialDate{}, bad
	}
	return pd, nil
}

// String formats p with as many parts as are known; the unknown date is "".
func (p PartialDate) String() string {
	switch p.Precision {
	case PrecisionYear:
		return fmt.Sprintf("%04d", p.Date.Year)
	case PrecisionMonth:
		return fmt.Sprintf("%04d-%02d", p.Date.Year, int(p.Date.Month))
	case PrecisionDay:
		return p.Date.String()
	default:
		return ""
	}
}
