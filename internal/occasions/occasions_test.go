package occasions

import (
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
)

func mustDate(t testing.TB, s string) Date {
	t.Helper()
	d, err := ParseDate(s)
	if err != nil {
		t.Fatalf("ParseDate(%q): %v", s, err)
	}
	return d
}

func yearOf(t *testing.T, year int, people []Person, lang string) []Occasion {
	t.Helper()
	got, err := Between(Date{year, time.January, 1}, Date{year, time.December, 31}, people, lang)
	if err != nil {
		t.Fatalf("Between(%d): %v", year, err)
	}
	return got
}

func find(list []Occasion, key string) (Occasion, bool) {
	for _, o := range list {
		if o.Key == key {
			return o, true
		}
	}
	return Occasion{}, false
}

// Dates as published by the State Council's holiday notices and Chinese almanacs.
func TestFestivalDates(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, key, date, end string
	}{
		{"spring festival 2024", "spring_festival", "2024-02-10", ""},
		{"spring festival 2025", "spring_festival", "2025-01-29", ""},
		{"spring festival 2026", "spring_festival", "2026-02-17", ""},
		{"spring festival 2000", "spring_festival", "2000-02-05", ""},
		{"lantern festival 2025", "lantern_festival", "2025-02-12", ""},
		{"lantern festival 2026", "lantern_festival", "2026-03-03", ""},
		{"qingming 2019", "qingming", "2019-04-05", ""},
		{"qingming 2024", "qingming", "2024-04-04", ""},
		{"qingming 2025", "qingming", "2025-04-04", ""},
		{"qingming 2026", "qingming", "2026-04-05", ""},
		{"dragon boat 2025", "dragon_boat", "2025-05-31", ""},
		{"dragon boat 2026", "dragon_boat", "2026-06-19", ""},
		{"qixi 2025", "qixi", "2025-08-29", ""},
		{"mid-autumn 2024", "mid_autumn", "2024-09-17", ""},
		{"mid-autumn 2025", "mid_autumn", "2025-10-06", ""},
		{"mid-autumn 2026", "mid_autumn", "2026-09-25", ""},
		{"double ninth 2025", "double_ninth", "2025-10-29", ""},
		{"golden week 2025", "national_day_golden_week", "2025-10-01", "2025-10-07"},
		{"national day before golden weeks", "national_day", "1980-10-01", ""},
		{"museum day", "international_museum_day", "2025-05-18", ""},
		{"nuit des musées 2023 (announced, off the usual rule)", "nuit_des_musees", "2023-05-13", ""},
		{"nuit des musées 2026 (announced)", "nuit_des_musees", "2026-05-23", ""},
		{"nuit des musées 2021 (postponed to July)", "nuit_des_musees", "2021-07-03", ""},
		{"heritage days 2018 (1 September is a Saturday)", "journees_du_patrimoine", "2018-09-15", "2018-09-16"},
		{"heritage days 2024", "journees_du_patrimoine", "2024-09-21", "2024-09-22"},
		{"heritage days 2025", "journees_du_patrimoine", "2025-09-20", "2025-09-21"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			year := mustDate(t, tt.date).Year
			o, ok := find(yearOf(t, year, nil, "en"), tt.key)
			if !ok {
				t.Fatalf("no %s in %d", tt.key, year)
			}
			if o.Date != tt.date || o.EndDate != tt.end {
				t.Errorf("%s %d = %s–%s, want %s–%s", tt.key, year, o.Date, o.EndDate, tt.date, tt.end)
			}
		})
	}
}

func TestNuitDesMuseesRule(t *testing.T) {
	t.Parallel()
	tests := []struct {
		year      int
		want      string
		estimated bool
		none      bool
	}{
		{year: 2004, none: true},
		{year: 2020, none: true},
		{year: 2010, want: "2010-05-15", estimated: true}, // 18 May 2010 was a Tuesday
		{year: 2025, want: "2025-05-17"},
		{year: 2027, want: "2027-05-15", estimated: true}, // Tuesday → Saturday before
		{year: 2028, want: "2028-05-20", estimated: true}, // Thursday → Saturday after
		{year: 2030, want: "2030-05-18", estimated: true}, // a Saturday
	}
	for _, tt := range tests {
		t.Run(tt.want+"/"+time.Month(tt.year%12+1).String(), func(t *testing.T) {
			t.Parallel()
			o, ok := find(yearOf(t, tt.year, nil, "fr"), "nuit_des_musees")
			if tt.none {
				if ok {
					t.Fatalf("%d: got %v, want no edition", tt.year, o)
				}
				return
			}
			if !ok || o.Date != tt.want || o.Estimated != tt.estimated {
				t.Fatalf("%d: got %+v (found %v), want %s estimated=%v", tt.year, o, ok, tt.want, tt.estimated)
			}
			if d := mustDate(t, o.Date); d.Weekday() != time.Saturday {
				t.Errorf("%s is a %s", o.Date, d.Weekday())
			}
		})
	}
}

func TestEveryYearHasItsFestivalsInOrder(t *testing.T) {
	t.Parallel()
	order := []string{"spring_festival", "lantern_festival", "dragon_boat", "qixi", "mid_autumn", "double_ninth"}
	for _, year := range []int{MinYear, 1700, 1900, 1984, 2033, 2100, 2500, MaxYear} {
		list := yearOf(t, year, nil, "zh-Hans")
		prev := ""
		for _, key := range order {
			o, ok := find(list, key)
			if !ok {
				t.Fatalf("%d: no %s", year, key)
			}
			if !strings.HasPrefix(o.Date, time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC).Format("2006")) {
				t.Errorf("%d: %s on %s, outside the year", year, key, o.Date)
			}
			if o.Date <= prev {
				t.Errorf("%d: %s on %s, not after %s", year, key, o.Date, prev)
			}
			prev = o.Date
		}
		// The Gregorian year drifts against the seasons by about a day in 3,000 years.
		qm, _ := find(list, "qingming")
		if year <= 2500 && qm.Date[5:] != "04-04" && qm.Date[5:] != "04-05" && qm.Date[5:] != "04-06" {
			t.Errorf("%d: qingming on %s", year, qm.Date)
		}
	}
}

func TestNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		lang, key, want string
	}{
		{"zh-Hans", "spring_festival", "春节"},
		{"zh-Hans", "lantern_festival", "元宵节"},
		{"zh-Hans", "qingming", "清明节"},
		{"zh-Hans", "dragon_boat", "端午节"},
		{"zh-Hans", "qixi", "七夕节"},
		{"zh-Hans", "mid_autumn", "中秋节"},
		{"zh-Hans", "national_day_golden_week", "国庆节黄金周"},
		{"zh-Hans", "double_ninth", "重阳节"},
		{"zh-Hans", "international_museum_day", "国际博物馆日"},
		{"fr", "journees_du_patrimoine", "Journées européennes du patrimoine"},
		{"en", "mid_autumn", "Mid-Autumn Festival"},
		{"xx", "mid_autumn", "Mid-Autumn Festival"},
	}
	for _, tt := range tests {
		t.Run(tt.lang+"/"+tt.key, func(t *testing.T) {
			t.Parallel()
			o, ok := find(yearOf(t, 2025, nil, tt.lang), tt.key)
			if !ok || o.Name != tt.want {
				t.Errorf("name = %q, want %q", o.Name, tt.want)
			}
		})
	}
	// Every festival and museum day has its name in the catalog (a missing id would
	// show itself, "occasion.<key>").
	for _, lang := range []string{"en", "fr", "zh-Hans"} {
		for _, o := range yearOf(t, 2026, nil, lang) {
			if o.Name == "" || strings.HasPrefix(o.Name, "occasion.") {
				t.Errorf("%s %s: name %q", lang, o.Key, o.Name)
			}
		}
	}
}

func TestRangeAcrossYearBoundary(t *testing.T) {
	t.Parallel()
	// From Double Ninth 2025 to Lantern Festival 2026, both included.
	got, err := Between(mustDate(t, "2025-10-29"), mustDate(t, "2026-03-03"), nil, "en")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, o := range got {
		keys = append(keys, o.Date+" "+o.Key)
	}
	want := []string{"2025-10-29 double_ninth", "2025-12-21 winter_solstice", "2026-01-01 new_year", "2026-02-15 spring_festival_golden_week",
		"2026-02-17 spring_festival", "2026-03-03 lantern_festival"}
	if strings.Join(keys, ",") != strings.Join(want, ",") {
		t.Errorf("got %v, want %v", keys, want)
	}
}

func TestMultiDayOccasionOverlappingTheRange(t *testing.T) {
	t.Parallel()
	got, err := Between(mustDate(t, "2025-10-05"), mustDate(t, "2025-10-05"), nil, "zh-Hans")
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Key != "national_day_golden_week" || got[0].Date != "2025-10-01" {
		t.Fatalf("got %+v, want Golden Week starting 1 October", got)
	}
}

func TestAnniversaries(t *testing.T) {
	t.Parallel()
	degas := Person{Name: "Edgar Degas", NameZH: "德加", Born: "1834-07-19", Died: "1917-09-27"}
	tests := []struct {
		name    string
		p       Person
		year    int
		lang    string
		date    string
		end     string
		event   string
		years   int
		notable bool
		text    string
	}{
		{"birth in english", degas, 2024, "en", "2024-07-19", "", EventBirth, 190, true, "190th anniversary of the birth of Edgar Degas (19 July 1834)"},
		{"birth in french", degas, 2024, "fr", "2024-07-19", "", EventBirth, 190, true, "190e anniversaire de la naissance d'Edgar Degas (19 juillet 1834)"},
		{"birth in chinese", degas, 2024, "zh-Hans", "2024-07-19", "", EventBirth, 190, true, "德加诞辰190周年（1834年7月19日）"},
		{"death, not round", degas, 2026, "en", "2026-09-27", "", EventDeath, 109, false, "109th anniversary of the death of Edgar Degas (27 September 1917)"},
		{"french without elision", Person{Name: "Claude Monet", Born: "1840-11-14"}, 2025, "fr", "2025-11-14", "", EventBirth, 185, true, "185e anniversaire de la naissance de Claude Monet (14 novembre 1840)"},
		{"first anniversary", Person{Name: "X", Died: "2024-03-01"}, 2025, "fr", "2025-03-01", "", EventDeath, 1, false, "1er anniversaire de la mort de X (1er mars 2024)"},
		{"ordinal 112th", Person{Name: "X", Born: "1913-01-02"}, 2025, "en", "2025-01-02", "", EventBirth, 112, false, "112th anniversary of the birth of X (2 January 1913)"},
		{"29 february in a leap year", Person{Name: "Leap", Born: "1904-02-29"}, 2024, "en", "2024-02-29", "", EventBirth, 120, true, "120th anniversary of the birth of Leap (29 February 1904)"},
		{"29 february in a common year", Person{Name: "Leap", Born: "1904-02-29"}, 2025, "en", "2025-02-28", "", EventBirth, 121, false, "121st anniversary of the birth of Leap (29 February 1904)"},
		{"month only, round", Person{Name: "M", Born: "1875-03"}, 2025, "en", "2025-03-01", "2025-03-31", EventBirth, 150, true, "150th anniversary of the birth of M (March 1875)"},
		{"year only, round", Person{Name: "Y", NameZH: "某", Born: "1525"}, 2025, "zh-Hans", "2025-01-01", "2025-12-31", EventBirth, 500, true, "某诞辰500周年（1525年）"},
		{"chinese name missing falls back", Person{Name: "Paul Cézanne", Died: "1906-10-22"}, 2026, "zh-Hans", "2026-10-22", "", EventDeath, 120, true, "Paul Cézanne逝世120周年（1906年10月22日）"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var found []Occasion
			for _, o := range yearOf(t, tt.year, []Person{tt.p}, tt.lang) {
				if o.Kind == KindAnniversary && o.Event == tt.event {
					found = append(found, o)
				}
			}
			if len(found) != 1 {
				t.Fatalf("got %d %s anniversaries: %+v", len(found), tt.event, found)
			}
			o := found[0]
			if o.Date != tt.date || o.EndDate != tt.end || o.Years != tt.years || o.Notable != tt.notable || o.Name != tt.text {
				t.Errorf("got %+v\nwant date %s–%s, %d years, notable %v, %q", o, tt.date, tt.end, tt.years, tt.notable, tt.text)
			}
			if o.Person != tt.p.Name || !strings.HasPrefix(o.Key, tt.event+":") {
				t.Errorf("person %q key %q", o.Person, o.Key)
			}
		})
	}
}

func TestPartialDatesOnlyOnRoundYears(t *testing.T) {
	t.Parallel()
	people := []Person{{Name: "M", Born: "1875-03"}, {Name: "Y", Born: "1525"}}
	for _, year := range []int{2021, 2022, 2023, 2024, 2026} {
		for _, o := range yearOf(t, year, people, "en") {
			if o.Kind == KindAnniversary {
				t.Errorf("%d: unexpected %+v", year, o)
			}
		}
	}
}

func TestNoAnniversaryBeforeTheEvent(t *testing.T) {
	t.Parallel()
	p := Person{Name: "Future", Born: "2030-05-05", Died: ""}
	for _, year := range []int{2029, 2030} {
		for _, o := range yearOf(t, year, []Person{p}, "en") {
			if o.Kind == KindAnniversary {
				t.Errorf("%d: %+v", year, o)
			}
		}
	}
	if o, ok := find(yearOf(t, 2031, []Person{p}, "en"), "birth:Future"); !ok || o.Years != 1 {
		t.Errorf("2031: %+v", o)
	}
}

func TestUnreadablePersonIsSkipped(t *testing.T) {
	t.Parallel()
	people := []Person{
		{Name: "Bad", Born: "19 July 1834"},
		{Name: "", NameZH: "", Born: "1834-07-19"},
		{Name: "Good", Born: "1834-07-19"},
	}
	var anniversaries []string
	for _, o := range yearOf(t, 2024, people, "en") {
		if o.Kind == KindAnniversary {
			anniversaries = append(anniversaries, o.Key)
		}
	}
	if strings.Join(anniversaries, ",") != "birth:Good" {
		t.Errorf("got %v", anniversaries)
	}
}

func TestBetweenRefusesBadRanges(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		from, to Date
	}{
		{"end before start", Date{2025, time.March, 2}, Date{2025, time.March, 1}},
		{"impossible day", Date{2025, time.February, 30}, Date{2025, time.March, 1}},
		{"before the supported years", Date{1500, time.January, 1}, Date{1500, time.February, 1}},
		{"after the supported years", Date{9999, time.January, 1}, Date{9999, time.February, 1}},
		{"too long", Date{2000, time.January, 1}, Date{2020, time.January, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := Between(tt.from, tt.to, nil, "en")
			if passerelle.ErrorCode(err) != passerelle.EINVALID || got != nil {
				t.Errorf("got %v, %v; want EINVALID", got, err)
			}
			if passerelle.ErrorMessage(err) == "" {
				t.Error("no message")
			}
		})
	}
}

func TestSortedByDate(t *testing.T) {
	t.Parallel()
	people := []Person{
		{Name: "Edgar Degas", Born: "1834-07-19", Died: "1917-09-27"},
		{Name: "Claude Monet", Born: "1840-11-14", Died: "1926-12-05"},
	}
	got, err := Between(Date{2024, time.June, 1}, Date{2026, time.May, 31}, people, "en")
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i < len(got); i++ {
		if got[i].Date < got[i-1].Date {
			t.Errorf("%s after %s", got[i].Date, got[i-1].Date)
		}
	}
	if len(got) < 20 {
		t.Errorf("only %d occasions over two years", len(got))
	}
}

func TestPersonValidate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		p     Person
		field string
	}{
		{"valid", Person{Name: "Degas", Born: "1834-07-19", Died: "1917"}, ""},
		{"no dates", Person{NameZH: "德加"}, ""},
		{"bad birth", Person{Name: "D", Born: "1834/07/19"}, "born"},
		{"bad death", Person{Name: "D", Died: "1917-13"}, "died"},
		{"death before birth", Person{Name: "D", Born: "1900", Died: "1850-01-01"}, "died"},
		{"no name", Person{Born: "1900"}, "name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.p.Validate()
			if tt.field == "" {
				if err != nil {
					t.Fatalf("Validate: %v", err)
				}
				return
			}
			if _, ok := passerelle.ErrorFields(err)[tt.field]; !ok {
				t.Errorf("Validate = %v, want a message for %s", err, tt.field)
			}
		})
	}
}

func TestParsePartialDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   string
		want PartialDate
		err  bool
	}{
		{in: "", want: PartialDate{}},
		{in: " 1834 ", want: PartialDate{Date{1834, 1, 1}, PrecisionYear}},
		{in: "1834-07", want: PartialDate{Date{1834, 7, 1}, PrecisionMonth}},
		{in: "1834-07-19", want: PartialDate{Date{1834, 7, 19}, PrecisionDay}},
		{in: "2024-02-29", want: PartialDate{Date{2024, 2, 29}, PrecisionDay}},
		{in: "1900-02-29", err: true},
		{in: "1834-7-19", err: true},
		{in: "834", err: true},
		{in: "1834-00", err: true},
		{in: "1834-07-19-01", err: true},
		{in: "+834", err: true},
		{in: "1834-+7", err: true},
		{in: "1519-05-02", want: PartialDate{Date{1519, 5, 2}, PrecisionDay}},
		{in: "0000", err: true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			t.Parallel()
			got, err := ParsePartialDate(tt.in)
			if tt.err {
				if passerelle.ErrorCode(err) != passerelle.EINVALID {
					t.Fatalf("got %v, %v; want EINVALID", got, err)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func FuzzParsePartialDate(f *testing.F) {
	for _, s := range []string{"", "1834", "1834-07", "1834-07-19", "2024-02-29", "1900-02-29", "-001", "99999", "1834-7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParsePartialDate(s)
		if err != nil {
			if passerelle.ErrorCode(err) != passerelle.EINVALID {
				t.Fatalf("error code %q", passerelle.ErrorCode(err))
			}
			return
		}
		if p.Precision == PrecisionNone {
			if strings.TrimSpace(s) != "" {
				t.Fatalf("%q parsed as unknown", s)
			}
			return
		}
		if !p.Date.Valid() {
			t.Fatalf("%q gave invalid %v", s, p.Date)
		}
		again, err := ParsePartialDate(p.String())
		if err != nil || again != p {
			t.Fatalf("round trip %q → %q → %v, %v", s, p.String(), again, err)
		}
		// Whatever the glossary holds, the calendar must still answer.
		if _, err := Between(Date{2024, 1, 1}, Date{2024, 12, 31}, []Person{{Name: "P", Born: s, Died: s}}, "fr"); err != nil {
			t.Fatal(err)
		}
	})
}

func BenchmarkYear(b *testing.B) {
	people := make([]Person, 200)
	for i := range people {
		people[i] = Person{Name: "Artist", NameZH: "艺术家", Born: Date{1800 + i%150, time.Month(i%12 + 1), i%28 + 1}.String(), Died: "1950"}
	}
	from, to := Date{2026, time.January, 1}, Date{2026, time.December, 31}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Between(from, to, people, "zh-Hans"); err != nil {
			b.Fatal(err)
		}
	}
}

// More dates Chinese audiences mark: New Year's Day, the winter solstice, 520, the
// Cultural and Natural Heritage Day (second Saturday of June) and the Golden Weeks.
func TestMoreChineseDates(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		year           int
		key, date, end string
	}{
		{2026, "new_year", "2026-01-01", ""},
		{2024, "winter_solstice", "2024-12-21", ""},
		{2025, "winter_solstice", "2025-12-21", ""},
		{2026, "winter_solstice", "2026-12-22", ""},
		{2026, "520", "2026-05-20", ""},
		{2024, "cultural_natural_heritage_day", "2024-06-08", ""},
		{2025, "cultural_natural_heritage_day", "2025-06-14", ""},
		{2026, "cultural_natural_heritage_day", "2026-06-13", ""},
		{2010, "cultural_heritage_day", "2010-06-12", ""},
		{2025, "spring_festival_golden_week", "2025-01-28", "2025-02-04"},
		{2026, "spring_festival_golden_week", "2026-02-15", "2026-02-23"},
		{2025, "labour_day_holiday", "2025-05-01", "2025-05-05"},
	} {
		o, ok := find(yearOf(t, tt.year, nil, "zh-Hans"), tt.key)
		if !ok || o.Date != tt.date || o.EndDate != tt.end || o.Name == "" {
			t.Errorf("%s %d: %+v (found %v), want %s–%s", tt.key, tt.year, o, ok, tt.date, tt.end)
		}
	}
	if o, _ := find(yearOf(t, 2030, nil, "en"), "spring_festival_golden_week"); !o.Estimated {
		t.Errorf("an unannounced Golden Week is not marked estimated: %+v", o)
	}
}
