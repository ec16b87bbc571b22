package barometer

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// China keeps one zone without daylight saving since 1991, so a fixed offset is exact for
// every date the barometer deals with and needs no tz database on the host.
var china = time.FixedZone("Asia/Shanghai", 8*3600)

// Zone is the zone that qualifies the calendar days of a period: audience figures on
// Chinese networks are counted in China's days.
func Zone() *time.Location { return china }

// Period is a range of calendar days in China, both ends included.
type Period struct {
	From, To time.Time // midnight in Zone()
	// Label names the period: "2026Q4" for a quarter, "2026-10-01..2026-11-15" otherwise.
	Label string
}

// ParseDate reads a YYYY-MM-DD day.
func ParseDate(s string) (time.Time, error) {
	d, err := time.ParseInLocation(time.DateOnly, strings.TrimSpace(s), china)
	if err == nil && d.Year() < 1900 {
		// Outside input: no reading predates social networks by a century.
		return time.Time{}, fmt.Errorf("barometer: date %q before 1900", s)
	}
	return d, err
}

// NewPeriod returns the period from..to, refusing an inverted range.
func NewPeriod(from, to time.Time) (Period, error) {
	from, to = day(from), day(to)
	if from.After(to) {
		return Period{}, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some parameters are invalid.", Fields: map[string]string{"from": "The start is after the end."}}
	}
	p := Period{From: from, To: to}
	p.Label = p.label()
	return p, nil
}

func day(t time.Time) time.Time {
	t = t.In(china)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, china)
}

// Quarter returns the quarter holding t.
func Quarter(t time.Time) Period {
	from, to := quarterBounds(t)
	return Period{From: from, To: to, Label: fmt.Sprintf("%dQ%d", from.Year(), (int(from.Month())-1)/3+1)}
}

func quarterBounds(t time.Time) (from, to time.Time) {
	t = t.In(china)
	q := (int(t.Month()) - 1) / 3
	from = time.Date(t.Year(), time.Month(q*3+1), 1, 0, 0, 0, 0, china)
	return from, from.AddDate(0, 3, -1)
}

// ParseQuarter reads "2026Q4" (also "2026-Q4", lower case accepted).
func ParseQuarter(s string) (Period, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	y, q, ok := strings.Cut(strings.Replace(u, "-Q", "Q", 1), "Q")
	year, err1 := strconv.Atoi(y)
	n, err2 := strconv.Atoi(q)
	if !ok || err1 != nil || err2 != nil || len(y) != 4 || year < 2000 || year > 2999 || n < 1 || n > 4 {
		return Period{}, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some parameters are invalid.", Fields: map[string]string{"quarter": "Use a quarter such as 2026Q4."}}
	}
	return Quarter(time.Date(year, time.Month((n-1)*3+1), 1, 0, 0, 0, 0, china)), nil
}

// IsQuarter reports whether the period is exactly a calendar quarter.
func (p Period) IsQuarter() bool {
	from, to := quarterBounds(p.From)
	return from.Equal(p.From) && to.Equal(p.To)
}

func (p Period) label() string {
	if p.IsQuarter() {
		return Quarter(p.From).Label
	}
	return p.From.Format(time.DateOnly) + ".." + p.To.Format(time.DateOnly)
}

// Days is the number of calendar days in the period.
func (p Period) Days() int { return int(p.end().Sub(p.From).Hours()/24 + 0.5) }

// Start is the first instant of the period; End the first instant after it.
func (p Period) Start() time.Time { return p.From }

// End is the first instant after the period.
func (p Period) End() time.Time { return p.end() }

func (p Period) end() time.Time { return p.To.AddDate(0, 0, 1) }

// Previous is the period before: the previous quarter for a quarter, else the same
// number of days just before.
func (p Period) Previous() Period {
	if p.IsQuarter() {
		return Quarter(p.From.AddDate(0, 0, -1))
	}
	to := p.From.AddDate(0, 0, -1)
	from := p.From.AddDate(0, 0, -p.Days())
	q := Period{From: from, To: to}
	q.Label = q.label()
	return q
}
