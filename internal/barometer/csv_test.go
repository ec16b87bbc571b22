package barometer_test

import (
	"bytes"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle/internal/barometer"
)

func TestParseCSVErrors(t *testing.T) {
	t.Parallel()
	const header = "date,institution,country,platform,followers\n"
	tests := []struct {
		name, file string
		line       int
		want       string
	}{
		{"empty file", "", 1, "empty"},
		{"missing column", "date,institution,platform,followers\n2016-08-28,A,weibo,1\n", 1, `Missing column "country"`},
		{"unknown column", header[:len(header)-1] + ",likes\n", 1, `Unknown column "likes"`},
		{"unknown platform", header + "2016-08-28,A,FR,tiktok,1\n", 2, `unknown platform "tiktok"`},
		{"negative followers", header + "2016-08-28,A,FR,weibo,-5\n", 2, "-5 is negative"},
		{"future date", header + "2026-11-27,A,FR,weibo,5\n", 2, "in the future"},
		{"not a date", header + "28/08/2016,A,FR,weibo,5\n", 2, "not a date"},
		{"not a number", header + "2016-08-28,A,FR,weibo,5k\n", 2, "not a whole number"},
		{"bad country", header + "2016-08-28,A,France,weibo,5\n", 2, "two-letter"},
		{"no institution", header + "2016-08-28,,FR,weibo,5\n", 2, "name is missing"},
		{"no figure", header + "2016-08-28,A,FR,weibo,\n", 2, "figure is missing"},
		{"duplicate", header + "2016-08-28,Musée  du Louvre,FR,weibo,5\n2016-08-28,musée du louvre,FR,Weibo,6\n", 3, "Duplicates line 2"},
		{"unbalanced quote", header + "2016-08-28,\"A,FR,weibo,5\n", 2, "Malformed CSV"},
		{"header only", header, 2, "no reading"},
		{"not UTF-8", header + "2016-08-28,Mus\xe9e,FR,weibo,5\n", 0, "not UTF-8"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			_, err := barometer.ParseCSV(strings.NewReader(tc.file), today)
			var le barometer.LineErrors
			if !errors.As(err, &le) {
				t.Fatalf("error %v, want LineErrors", err)
			}
			if le[0].Line != tc.line || !strings.Contains(le[0].Message, tc.want) {
				t.Errorf("got line %d %q, want line %d containing %q", le[0].Line, le[0].Message, tc.line, tc.want)
			}
		})
	}
}

func TestParseCSVReportsEveryBadLine(t *testing.T) {
	t.Parallel()
	file := "\ufeffDate, Institution ,country,platform,followers,views\n" +
		"2016-08-28,A,fr,weibo,1,\n" +
		"2016-08-28,B,FR,tiktok,1,\n" +
		"\n" +
		"2016-08-28,C,FR,weibo,-1,-2\n"
	_, err := barometer.ParseCSV(strings.NewReader(file), today)
	var le barometer.LineErrors
	if !errors.As(err, &le) {
		t.Fatal(err)
	}
	var lines []int
	for _, l := range le {
		lines = append(lines, l.Line)
	}
	if !reflect.DeepEqual(lines, []int{3, 5, 5}) {
		t.Errorf("lines %v, want [3 5 5]: %v", lines, le)
	}
	de := le.DomainError()
	if de.Fields["line 5"] == "" || de.Fields["line 3"] == "" || de.Fields["line 2"] != "" {
		t.Errorf("fields %v", de.Fields)
	}
}

// FuzzParseCSV: any input yields lines or line errors, never a panic; accepted lines
// satisfy the format's invariants and survive a write and re-read unchanged.
func FuzzParseCSV(f *testing.F) {
	f.Add([]byte("date,institution,country,platform,followers\n2016-08-28,Musée du Louvre,FR,weibo,59046\n"))
	f.Add([]byte("platform,followers,date,institution,country,views,note\nwechat,3,2020-04-21,\"A, \"\"B\"\"\",cn,7,press kit\n"))
	f.Add([]byte("date,institution,country,platform,followers\n2016-08-28,A,FR,tiktok,-1\n"))
	f.Add([]byte("\ufeffdate,institution,country,platform,followers,kind\r\n2016-02-29,=cmd,,douyin,0,monument\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		lines, err := barometer.ParseCSV(bytes.NewReader(data), today)
		if err != nil {
			var le barometer.LineErrors
			if !errors.As(err, &le) || len(le) == 0 {
				t.Fatalf("error %v is not LineErrors", err)
			}
			return
		}
		for _, l := range lines {
			if l.Institution == "" || !l.Platform.Valid() || l.Date.After(today) || l.Num < 2 {
				t.Fatalf("invalid line accepted: %+v", l)
			}
			for _, v := range []*int64{l.Followers, l.Posts, l.Views, l.Interactions} {
				if v != nil && *v < 0 {
					t.Fatalf("negative figure accepted: %+v", l)
				}
			}
		}
		var buf bytes.Buffer
		if err := barometer.WriteLines(&buf, lines); err != nil {
			t.Fatal(err)
		}
		again, err := barometer.ParseCSV(&buf, today)
		if err != nil {
			t.Fatalf("re-reading the export: %v\n%s", err, buf.String())
		}
		if len(again) != len(lines) {
			t.Fatalf("%d lines after round trip, want %d", len(again), len(lines))
		}
		for k := range lines {
			a, b := lines[k], again[k]
			a.Num, b.Num = 0, 0
			if !reflect.DeepEqual(a, b) {
				t.Fatalf("round trip changed line %d:\n%+v\n%+v", k, a, b)
			}
		}
	})
}

// Issue 9, finding 4: a date far in the past is refused at parsing, not left for the
// store.
func TestParseDateRange(t *testing.T) {
	t.Parallel()
	for _, s := range []string{"0000-01-01", "0001-01-01", "1899-12-31"} {
		if _, err := barometer.ParseDate(s); err == nil {
			t.Errorf("ParseDate(%q) accepted", s)
		}
	}
	if _, err := barometer.ParseDate("2016-03-31"); err != nil {
		t.Error(err)
	}
}
