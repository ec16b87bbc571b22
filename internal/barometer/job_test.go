package barometer_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle/internal/barometer"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestQuarterEndJob: the day after a quarter ends, the job publishes that quarter's
// editions for every organization with figures, once; an organization without figures
// is skipped.
func TestQuarterEndJob(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.SQLite(t)
	withData, _ := db.CreateOrganization(ctx, "with data")
	empty, _ := db.CreateOrganization(ctx, "empty")
	now := time.Date(2026, 10, 2, 9, 0, 0, 0, time.UTC)
	svc := &barometer.Service{DB: db, Now: func() time.Time { return now }}
	csv := "date,institution,country,platform,followers\n2026-07-01,Musée Rodin,FR,weibo,1000\n2026-09-30,Musée Rodin,FR,weibo,1500\n2026-10-01,Musée Rodin,FR,weibo,9999\n"
	if _, err := svc.Import(ctx, withData.ID, strings.NewReader(csv)); err != nil {
		t.Fatal(err)
	}
	w := &barometer.QuarterEndWorker{Service: svc}
	for range 2 {
		if err := w.Work(ctx, &river.Job[barometer.QuarterEndArgs]{}); err != nil {
			t.Fatal(err)
		}
	}
	eds, err := db.Editions(ctx, store.EditionFilter{OrgID: withData.ID})
	if err != nil {
		t.Fatal(err)
	}
	if len(eds) != 2 { // combined and weibo
		t.Fatalf("editions = %d, want 2", len(eds))
	}
	for _, e := range eds {
		if e.Period != "2026Q3" || e.TotalFollowers != 1500 {
			t.Fatalf("edition %+v: want 2026Q3 with the figure of 30 September", e)
		}
	}
	if none, _ := db.Editions(ctx, store.EditionFilter{OrgID: empty.ID}); len(none) != 0 {
		t.Fatalf("empty organization got %d editions", len(none))
	}
}
