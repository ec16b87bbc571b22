// Package occasions computes the dates an editorial calendar suggests: Chinese
// festivals (from the lunar calendar and the solar terms), museum days in France and
// Europe, and anniversaries of the artists in an institution's glossary. It is pure
// computation: no I/O, no clock; callers pass the range and the people.
package occasions

import (
	"cmp"
	"slices"
	"time"

	"github.com/6tail/lunar-go/calendar"

	"github.com/passerelle-oss/passerelle"
)

// Kind classifies an occasion.
type Kind string

// Kinds of occasion.
const (
	KindFestival    Kind = "festival"
	KindMuseum      Kind = "museum"
	KindAnniversary Kind = "anniversary"
)

// Anniversary events.
const (
	EventBirth = "birth"
	EventDeath = "death"
)

// MaxSpanDays bounds one query: ten years of suggestions is more than any calendar
// view shows, and the bound keeps a hostile range from costing seconds.
const MaxSpanDays = 3660

// Occasion is one suggestion on the calendar.
type Occasion struct {
	// Date is the first day, YYYY-MM-DD.
	Date string `json:"date"`
	// EndDate is the last day of a multi-day occasion (Golden Week, a heritage weekend,
	// an anniversary known only to the month or year); empty for a single day.
	EndDate string `json:"end_date,omitempty"`
	Kind    Kind   `json:"kind"`
	// Key is stable across years and languages: "spring_festival",
	// "birth:Edgar Degas".
	Key string `json:"key"`
	// Name is in the language asked for.
	Name string `json:"name"`
	// Person, Event and Years describe an anniversary: Years is 190 for the 190th.
	Person string `json:"person,omitempty"`
	Event  string `json:"event,omitempty"`
	Years  int    `json:"years,omitempty"`
	// Notable marks a round anniversary (a multiple of 5 years: 5, 10, 25, 50, 100…).
	Notable bool `json:"notable,omitempty"`
	// Estimated marks a date that follows the usual rule but that the organisers had
	// not announced when this code was written.
	Estimated bool `json:"estimated,omitempty"`
}

// Person is an artist or figure of the glossary with the dates entered with the term.
type Person struct {
	Name   string
	NameZH string
	// Born and Died are "", "YYYY", "YYYY-MM" or "YYYY-MM-DD".
	Born string
	Died string
}

// Validate reports unreadable dates and a death before the birth, for the glossary form.
func (p Person) Validate() error {
	f := passerelle.FieldErrors{}
	born, err := ParsePartialDate(p.Born)
	if err != nil {
		f.Add("born", passerelle.ErrorMessage(err))
	}
	died, err := ParsePartialDate(p.Died)
	if err != nil {
		f.Add("died", passerelle.ErrorMessage(err))
	}
	if p.Name == "" && p.NameZH == "" {
		f.Add("name", "Enter a name.")
	}
	if born.Precision != PrecisionNone && died.Precision != PrecisionNone && died.Date.Year < born.Date.Year {
		f.Add("died", "The date of death is before the date of birth.")
	}
	return f.Err()
}

// Between returns the occasions that overlap [from, to] (both included), sorted by
// date, named in lang ("fr", "en" or "zh-Hans"; anything else falls back to English).
// A person whose dates do not parse is skipped rather than failing the whole calendar:
// dates are validated when entered (Person.Validate).
func Between(from, to Date, people []Person, lang string) ([]Occasion, error) {
	if !from.Valid() || !to.Valid() || from.Year < MinYear || to.Year > MaxYear {
		return nil, passerelle.Errorf(passerelle.EINVALID, "Dates must be real days between %d and %d.", MinYear, MaxYear)
	}
	if to.Before(from) {
		return nil, passerelle.Errorf(passerelle.EINVALID, "The end of the range is before its start.")
	}
	if to.time().Sub(from.time()) > MaxSpanDays*24*time.Hour {
		return nil, passerelle.Errorf(passerelle.EINVALID, "Ask for at most %d days at a time.", MaxSpanDays)
	}
	l := language(lang)
	type parsed struct {
		p           Person
		born, died  PartialDate
		displayName string
	}
	ps := make([]parsed, 0, len(people))
	for _, p := range people {
		born, errB := ParsePartialDate(p.Born)
		died, errD := ParsePartialDate(p.Died)
		if errB != nil || errD != nil || (p.Name == "" && p.NameZH == "") {
			continue
		}
		ps = append(ps, parsed{p, born, died, personName(p, l)})
	}

	var out []Occasion
	keep := func(o occasion) {
		if o.end.Before(from) || o.start.After(to) {
			return
		}
		out = append(out, o.render(l))
	}
	for year := from.Year; year <= to.Year; year++ {
		for _, o := range fixedOccasions(year) {
			keep(o)
		}
		for _, p := range ps {
			key := p.p.Name
			if key == "" {
				key = p.p.NameZH
			}
			for _, ev := range []struct {
				event string
				date  PartialDate
			}{{EventBirth, p.born}, {EventDeath, p.died}} {
				if o, ok := anniversary(year, ev.event, ev.date); ok {
					o.key = ev.event + ":" + key
					o.person = p.p.Name
					o.personName = p.displayName
					keep(o)
				}
			}
		}
	}
	slices.SortStableFunc(out, func(a, b Occasion) int {
		return cmp.Or(cmp.Compare(a.Date, b.Date), cmp.Compare(kindOrder(a.Kind), kindOrder(b.Kind)), cmp.Compare(a.Key, b.Key))
	})
	return out, nil
}

func kindOrder(k Kind) int {
	switch k {
	case KindFestival:
		return 0
	case KindMuseum:
		return 1
	default:
		return 2
	}
}

// occasion is the language-free form Between filters before naming.
type occasion struct {
	start, end Date
	kind       Kind
	key        string
	estimated  bool
	// anniversaries only
	event      string
	years      int
	precision  Precision
	origin     Date
	person     string
	personName string
}

func (o occasion) render(l lang) Occasion {
	out := Occasion{
		Date:      o.start.String(),
		Kind:      o.kind,
		Key:       o.key,
		Estimated: o.estimated,
	}
	if o.end != o.start {
		out.EndDate = o.end.String()
	}
	if o.kind == KindAnniversary {
		out.Person = o.person
		out.Event = o.event
		out.Years = o.years
		out.Notable = o.years%5 == 0
		out.Name = anniversaryName(l, o)
	} else {
		out.Name = fixedName(l, o.key)
	}
	return out
}

// fixedOccasions returns the festivals and museum days of a Gregorian year. Every
// lunar festival of lunar year Y falls in Gregorian year Y (Spring Festival in late
// January or February, Double Ninth in October or November), so one lunar year serves.
func fixedOccasions(year int) []occasion {
	day := func(key string, kind Kind, d Date) occasion {
		return occasion{start: d, end: d, kind: kind, key: key}
	}
	lunar := func(m, d int) Date {
		s := calendar.NewLunarFromYmd(year, m, d).GetSolar()
		return Date{s.GetYear(), time.Month(s.GetMonth()), s.GetDay()}
	}
	qm := calendar.NewLunarFromYmd(year, 1, 1).GetJieQiTable()["清明"]

	out := []occasion{
		day("spring_festival", KindFestival, lunar(1, 1)),
		day("lantern_festival", KindFestival, lunar(1, 15)),
		day("qingming", KindFestival, Date{qm.GetYear(), time.Month(qm.GetMonth()), qm.GetDay()}),
		day("dragon_boat", KindFestival, lunar(5, 5)),
		day("qixi", KindFestival, lunar(7, 7)),
		day("mid_autumn", KindFestival, lunar(8, 15)),
		day("double_ninth", KindFestival, lunar(9, 9)),
	}
	out = append(out, day("new_year", KindFestival, Date{year, time.January, 1}))
	if d, ok := winterSolstice(year); ok {
		out = append(out, day("winter_solstice", KindFestival, d))
	}
	if year >= 2010 { // 520, "我爱你": a day for declarations since the 2010s
		out = append(out, day("520", KindFestival, Date{year, time.May, 20}))
	}
	switch {
	case year >= 2017: // renamed from 文化遗产日 (2006) in 2017
		out = append(out, day("cultural_natural_heritage_day", KindMuseum, secondSaturdayOfJune(year)))
	case year >= 2006:
		out = append(out, day("cultural_heritage_day", KindMuseum, secondSaturdayOfJune(year)))
	}
	if year >= 2000 {
		o := occasion{kind: KindFestival, key: "spring_festival_golden_week"}
		if span, ok := springGoldenWeekAnnounced[year]; ok {
			o.start, o.end = span[0], span[1]
		} else {
			// Usually New Year's Eve and the six days after New Year.
			o.start, o.end, o.estimated = lunar(1, 1).AddDays(-1), lunar(1, 1).AddDays(6), true
		}
		out = append(out, o)
	}
	if year >= 2020 { // 1–5 May since 2020
		out = append(out, occasion{start: Date{year, time.May, 1}, end: Date{year, time.May, 5}, kind: KindFestival, key: "labour_day_holiday", estimated: year > 2026})
	}
	switch {
	case year >= 1999: // the first Golden Week was 1–7 October 1999
		out = append(out, occasion{start: Date{year, time.October, 1}, end: Date{year, time.October, 7}, kind: KindFestival, key: "national_day_golden_week"})
	case year >= 1949:
		out = append(out, day("national_day", KindFestival, Date{year, time.October, 1}))
	}
	if year >= 1977 {
		out = append(out, day("international_museum_day", KindMuseum, Date{year, time.May, 18}))
	}
	if d, estimated, ok := nuitDesMusees(year); ok {
		o := day("nuit_des_musees", KindMuseum, d)
		o.estimated = estimated
		out = append(out, o)
	}
	if year >= 1991 {
		sat := thirdSaturdayOfSeptember(year)
		out = append(out, occasion{start: sat, end: sat.AddDays(1), kind: KindMuseum, key: "journees_du_patrimoine"})
	}
	return out
}

// springGoldenWeekAnnounced are the Spring Festival holidays of the State Council's
// notices.
var springGoldenWeekAnnounced = map[int][2]Date{
	2024: {{2024, time.February, 10}, {2024, time.February, 17}},
	2025: {{2025, time.January, 28}, {2025, time.February, 4}},
	2026: {{2026, time.February, 15}, {2026, time.February, 23}},
}

// winterSolstice is the day of 冬至 in December of year (Beijing time).
func winterSolstice(year int) (Date, bool) {
	for d := 19; d <= 24; d++ {
		if calendar.NewSolarFromYmd(year, 12, d).GetLunar().GetJieQi() == "冬至" {
			return Date{year, time.December, d}, true
		}
	}
	return Date{}, false
}

// secondSaturdayOfJune is China's Cultural and Natural Heritage Day.
func secondSaturdayOfJune(year int) Date {
	first := Date{year, time.June, 1}
	delta := (int(time.Saturday) - int(first.Weekday()) + 7) % 7
	return first.AddDays(delta + 7)
}

// nuitDesMusees returns the date of the European Night of Museums. The event began in
// 2005 and is often described as "the Saturday closest to 18 May", but the Ministry of
// Culture sets each year's date and has departed from that rule (13 May 2023 where
// the rule gives the 20th; 23 May 2026 where it gives the 16th; 3 July 2021 and no
// edition in 2020 because of the pandemic). So announced dates win; other years get
// the Saturday closest to 18 May, marked estimated.
func nuitDesMusees(year int) (d Date, estimated, ok bool) {
	if year < 2005 {
		return Date{}, false, false
	}
	if d, ok := nuitDesMuseesAnnounced[year]; ok {
		return d, false, d != Date{}
	}
	may18 := Date{year, time.May, 18}
	// Saturday is weekday 6; the nearest one is at most three days away.
	delta := int(time.Saturday - may18.Weekday())
	if delta > 3 {
		delta -= 7
	}
	return may18.AddDays(delta), true, true
}

// nuitDesMuseesAnnounced holds the dates announced by the organisers (checked in the
// French press for each year); the zero Date means no edition.
var nuitDesMuseesAnnounced = map[int]Date{
	2015: {2015, time.May, 16},
	2016: {2016, time.May, 21},
	2017: {2017, time.May, 20},
	2018: {2018, time.May, 19},
	2019: {2019, time.May, 18},
	2020: {},
	2021: {2021, time.July, 3},
	2022: {2022, time.May, 14},
	2023: {2023, time.May, 13},
	2024: {2024, time.May, 18},
	2025: {2025, time.May, 17},
	2026: {2026, time.May, 23},
}

// thirdSaturdayOfSeptember starts the Journées européennes du patrimoine, held on
// "the third weekend of September": its Saturday and Sunday (2017: 16–17, 2018:
// 15–16, 2024: 21–22, 2025: 20–21).
func thirdSaturdayOfSeptember(year int) Date {
	first := Date{year, time.September, 1}
	delta := (int(time.Saturday) - int(first.Weekday()) + 7) % 7
	return first.AddDays(delta + 14)
}

// anniversary returns the anniversary in year of an event on date. A date known to
// the day gives a yearly occasion; one known only to the month or the year is worth
// suggesting only on round anniversaries, and spans that month or year. Someone born
// on 29 February is celebrated on 28 February in common years.
func anniversary(year int, event string, date PartialDate) (occasion, bool) {
	n := year - date.Date.Year
	if date.Precision == PrecisionNone || n < 1 {
		return occasion{}, false
	}
	o := occasion{kind: KindAnniversary, event: event, years: n, precision: date.Precision, origin: date.Date}
	switch date.Precision {
	case PrecisionDay:
		d := Date{year, date.Date.Month, date.Date.Day}
		if d.Month == time.February && d.Day == 29 && !isLeap(year) {
			d.Day = 28
		}
		o.start, o.end = d, d
	case PrecisionMonth:
		if n%5 != 0 {
			return occasion{}, false
		}
		o.start = Date{year, date.Date.Month, 1}
		o.end = Date{year, date.Date.Month, daysIn(year, date.Date.Month)}
	case PrecisionYear:
		if n%5 != 0 {
			return occasion{}, false
		}
		o.start = Date{year, time.January, 1}
		o.end = Date{year, time.December, 31}
	}
	return o, true
}
