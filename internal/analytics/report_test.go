package analytics_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestReportTotalsEqualSummary renders the hand-computed dataset's report in every
// format and finds the summary's totals in each.
func TestReportTotalsEqualSummary(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	w := newWorld(t, db, "cernuschi")
	w.load(t)
	s, _, err := w.svc.InstitutionSummary(context.Background(), w.owner, w.inst.ID, november(t))
	if err != nil {
		t.Fatal(err)
	}
	rep := &analytics.Report{Title: "Cernuschi", Summary: s}
	// The summary sheet's first data row: label, from, to, followers ×5, posts,
	// cadence ×2, views, likes, comments, reposts, interactions.
	want := []string{"2026-11-01", "2026-11-30", "1500", "1650", "150", "15", "63", "4", "25", "34", "101000+", "326", "55", "152", "533"}

	var buf bytes.Buffer
	if _, err := rep.Render(&buf, "csv"); err != nil {
		t.Fatal(err)
	}
	r := csv.NewReader(strings.NewReader(strings.TrimPrefix(buf.String(), "\ufeff")))
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// Title, section name, header, current row (the reader skips blank lines).
	if got := recs[3][1:16]; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("csv totals = %v, want %v", got, want)
	}

	buf.Reset()
	if ctype, err := rep.Render(&buf, "xlsx"); err != nil || !strings.Contains(ctype, "spreadsheetml") {
		t.Fatal(ctype, err)
	}
	f, err := excelize.OpenReader(&buf)
	if err != nil {
		t.Fatal(err)
	}
	sheets := f.GetSheetList()
	if len(sheets) != 9 {
		t.Errorf("sheets = %v", sheets)
	}
	rows, err := f.GetRows(sheets[0])
	if err != nil {
		t.Fatal(err)
	}
	if got := rows[2][1:16]; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("xlsx totals = %v, want %v", got, want)
	}

	buf.Reset()
	if _, err := rep.Render(&buf, "html"); err != nil {
		t.Fatal(err)
	}
	html := buf.String()
	for _, v := range want {
		if !strings.Contains(html, "<td>"+strings.ReplaceAll(v, "+", "&#43;")+"</td>") {
			t.Errorf("html lacks %s", v)
		}
	}
	if strings.Contains(html, "style=") || strings.Contains(html, "<script") {
		t.Error("the HTML report carries inline style or script")
	}
}
