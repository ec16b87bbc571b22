package csvout_test

import (
	"bytes"
	"encoding/csv"
	"net/url"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle/internal/csvout"
)

func TestCell(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"": "", "Louvre": "Louvre", "=HYPERLINK(\"http://x\")": "'=HYPERLINK(\"http://x\")", "+33 1 40": "'+33 1 40", "-2+3": "'-2+3",
		"@SUM(A1)": "'@SUM(A1)", "\tx": "'\tx", "\rx": "'\rx", "-12": "-12", "+4.5": "+4.5", "卢浮宫": "卢浮宫", "a=b": "a=b",
	} {
		if got := csvout.Cell(in); got != want {
			t.Errorf("Cell(%q) = %q, want %q", in, got, want)
		}
		if back := csvout.Uncell(csvout.Cell(in)); back != in {
			t.Errorf("Uncell(Cell(%q)) = %q", in, back)
		}
	}
}

func TestWriterOptions(t *testing.T) {
	t.Parallel()
	o := csvout.FromQuery(url.Values{"excel": {"fr"}}, "fr")
	var b bytes.Buffer
	w := csvout.NewWriter(&b, o)
	w.Header([]string{"source", "zh", "unknown"})
	w.Write([]string{"=1+1", "卢浮宫", "x;y"})
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if !strings.HasPrefix(out, "\ufeffsource;chinois;unknown\n") {
		t.Fatalf("header %q", out)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(out, "\ufeff")))
	r.Comma = ';'
	recs, err := r.ReadAll()
	if err != nil || len(recs) != 2 || recs[1][0] != "'=1+1" || recs[1][2] != "x;y" {
		t.Fatalf("records %q %v", recs, err)
	}
	for _, lang := range []string{"fr", "zh-Hans", "en"} {
		if got := csvout.Canonical(" " + strings.ToUpper(csvout.Label(lang, "birth_date")) + " "); got != "birth_date" {
			t.Errorf("%s: Canonical(Label(birth_date)) = %q", lang, got)
		}
	}
	if o := csvout.FromQuery(url.Values{}, ""); o.BOM || o.Semicolon {
		t.Errorf("defaults %+v", o)
	}
}
