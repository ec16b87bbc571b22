package store

import (
	"testing"
	"time"
)

// TestDaySpansCoverEachDayOnce: for ranges of every length up to fourteen months
// starting on every day of two years, the spans add up to each day of the range once
// and to no other day, and never read more rows than the days and whole months would.
func TestDaySpansCoverEachDayOnce(t *testing.T) {
	day := func(s string) time.Time {
		d, err := time.ParseInLocation(time.DateOnly, s, beijing)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	start := day("2023-12-01")
	for i := 0; i < 731; i++ {
		from := start.AddDate(0, 0, i)
		for n := 0; n <= 430; n += 1 + n/40 {
			to := from.AddDate(0, 0, n)
			spans := daySpans(from, to)
			count := map[string]int{}
			rows, plain := 0, 0
			for _, s := range spans {
				if s.Sign != 1 && s.Sign != -1 || s.From >= s.To {
					t.Fatalf("[%s, %s): span %+v", from.Format(time.DateOnly), to.Format(time.DateOnly), s)
				}
				if s.Months {
					m := day(s.From + "-01")
					for ; m.Format("2006-01") < s.To; m = m.AddDate(0, 1, 0) {
						rows++
						for d := m; d.Month() == m.Month(); d = d.AddDate(0, 0, 1) {
							count[d.Format(time.DateOnly)] += s.Sign
						}
					}
					continue
				}
				for d := day(s.From); d.Format(time.DateOnly) < s.To; d = d.AddDate(0, 0, 1) {
					rows++
					count[d.Format(time.DateOnly)] += s.Sign
				}
			}
			for d := from.AddDate(0, 0, -40); d.Before(to.AddDate(0, 0, 40)); d = d.AddDate(0, 0, 1) {
				want := 0
				if !d.Before(from) && d.Before(to) {
					want = 1
				}
				if got := count[d.Format(time.DateOnly)]; got != want {
					t.Fatalf("[%s, %s): day %s counted %d times, spans %+v", from.Format(time.DateOnly), to.Format(time.DateOnly), d.Format(time.DateOnly), got, spans)
				}
			}
			// The plain split: days at the edges, whole months between.
			for d := from; d.Before(to); {
				if d.Day() == 1 && !d.AddDate(0, 1, 0).After(to) {
					plain++
					d = d.AddDate(0, 1, 0)
					continue
				}
				plain++
				d = d.AddDate(0, 0, 1)
			}
			if rows > plain {
				t.Fatalf("[%s, %s): %d rows, the plain split reads %d", from.Format(time.DateOnly), to.Format(time.DateOnly), rows, plain)
			}
		}
	}
	// May 2 to June 1 is May less May 1.
	got := daySpans(day("2026-05-02"), day("2026-06-01"))
	if len(got) != 2 || got[0] != (daySpan{true, "2026-05", "2026-06", 1}) || got[1] != (daySpan{false, "2026-05-01", "2026-05-02", -1}) {
		t.Fatalf("May 2 to June 1: %+v", got)
	}
}
