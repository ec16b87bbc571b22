package store_test

import (
	"context"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestEditionsRefuseUpdates: a published edition cannot be rewritten, neither by
// publishing the same period again nor by an UPDATE behind the store's back.
func TestEditionsRefuseUpdates(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, err := db.CreateOrganization(ctx, "Agence")
		if err != nil {
			t.Fatal(err)
		}
		e := &store.Edition{OrgID: org.ID, Period: "2026Q3", From: "2026-07-01", To: "2026-09-30", Platform: "weibo", Rows: []byte(`{"rows":[]}`), TotalFollowers: 7}
		if err := db.CreateEdition(ctx, e); err != nil {
			t.Fatal(err)
		}
		again := *e
		again.Rows, again.TotalFollowers = []byte(`{"rows":[{"x":1}]}`), 8
		if err := db.CreateEdition(ctx, &again); passerelle.ErrorCode(err) != passerelle.ECONFLICT {
			t.Errorf("second edition of the period: %v, want conflict", err)
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE barometer_editions SET total_followers = 9`); err == nil {
			t.Error("an UPDATE of an edition succeeded")
		}
		got, err := db.Edition(ctx, org.ID, e.ID)
		if err != nil || got.TotalFollowers != 7 || string(got.Rows) != `{"rows":[]}` {
			t.Errorf("edition %+v %v", got, err)
		}
	})
}
