package api_test

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/passerelle-oss/passerelle"
)

// TestQuietHoursAPI reads and sets an institution's quiet hours (Beijing time), on
// both engines; bad times answer 422 with the field and change nothing; an editor
// may read them but not change them.
func TestQuietHoursAPI(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		inst := b.institution(b.org, "Musée Guimet")
		p := fmt.Sprintf("/api/v1/institutions/%d/quiet-hours", inst.ID)
		var got struct{ Start, End, TimeZone string }
		b.api.Do("GET", p, nil).Want(t, http.StatusOK).JSON(t, &got)
		if got.Start != "23:00" || got.End != "07:00" {
			t.Fatalf("default: %+v", got)
		}
		b.api.Do("PUT", p, map[string]any{"start": "22:30", "end": "06:00"}).Want(t, http.StatusOK)
		b.api.Do("GET", p, nil).Want(t, http.StatusOK).JSON(t, &got)
		if got.Start != "22:30" || got.End != "06:00" {
			t.Fatalf("after PUT: %+v", got)
		}
		for _, bad := range []map[string]any{{"start": "24:00", "end": "06:00"}, {"start": "22:00"}, {"start": "x", "end": "y"}} {
			b.api.Do("PUT", p, bad).Want(t, http.StatusUnprocessableEntity)
		}
		b.api.Do("PUT", p, `{"start": "22:00", "end": "06:00", "extra": 1}`).Want(t, http.StatusUnprocessableEntity)
		qs, err := b.db.QuietHours(context.Background(), b.org, []int64{inst.ID})
		if err != nil || qs[inst.ID] != (passerelle.QuietHours{Start: 22*60 + 30, End: 6 * 60}) {
			t.Fatalf("stored: %+v, %v", qs, err)
		}
		ed := b.as(b.user(b.org, false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleEditor}))
		ed.Do("GET", p, nil).Want(t, http.StatusOK)
		ed.Do("PUT", p, map[string]any{"start": "01:00", "end": "02:00"}).Want(t, http.StatusForbidden)
	})
}
