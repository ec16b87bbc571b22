package store

import "time"

// daySpan is one part of a range of Beijing days as the tables of sums read it: the
// days [From, To) (YYYY-MM-DD) of a table of days, or the months [From, To)
// (YYYY-MM) of a table of months, added to the range's sums (Sign 1) or taken out of
// them (Sign -1).
type daySpan struct {
	Months   bool
	From, To string
	Sign     int
}

// signed is the column x of the span's rows, named name, negated when the span is
// taken out of the sums.
func (sp daySpan) signed(x, name string) string {
	if sp.Sign < 0 {
		return "-" + x + " AS " + name
	}
	return x + " AS " + name
}

// daySpans splits the days [from, to) (Beijing midnights; none if to is not after from) into
// spans that read the fewest rows of sums per account: the whole calendar months
// inside from the table of months, and each part of a month at an edge either as its
// days or as its whole month less the days outside the range, whichever reads fewer.
// A month's sums are the sums of its days (the triggers keep both), so both give the
// same totals: the thirty days of May 2 to June 1 are May less May 1, two rows instead
// of thirty.
func daySpans(from, to time.Time) []daySpan {
	f, t := from.In(beijing), to.In(beijing)
	if !f.Before(t) {
		return nil
	}
	firstOf := func(x time.Time) time.Time { return time.Date(x.Year(), x.Month(), 1, 0, 0, 0, 0, beijing) }
	days := func(a, b time.Time) int { return int(b.Sub(a).Hours()/24 + 0.5) }
	var out []daySpan
	add := func(months bool, a, b time.Time, sign int) {
		if !a.Before(b) {
			return
		}
		layout := time.DateOnly
		if months {
			layout = "2006-01"
		}
		out = append(out, daySpan{Months: months, From: a.Format(layout), To: b.Format(layout), Sign: sign})
	}
	// part adds the days [a, b) of one calendar month (b at most the next month's 1st).
	part := func(a, b time.Time) {
		m := firstOf(a)
		next := m.AddDate(0, 1, 0)
		if 1+days(m, a)+days(b, next) < days(a, b) {
			add(true, m, next, 1)
			add(false, m, a, -1)
			add(false, b, next, -1)
			return
		}
		add(false, a, b, 1)
	}
	monthFrom := firstOf(f)
	if monthFrom.Before(f) {
		monthFrom = monthFrom.AddDate(0, 1, 0)
	}
	monthTo := firstOf(t)
	if monthTo.Before(monthFrom) { // within one month, touching neither of its ends
		part(f, t)
		return out
	}
	if f.Before(monthFrom) {
		part(f, monthFrom)
	}
	add(true, monthFrom, monthTo, 1)
	if monthTo.Before(t) {
		part(monthTo, t)
	}
	return out
}
