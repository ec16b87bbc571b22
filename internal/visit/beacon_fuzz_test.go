package visit_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// FuzzBeacon posts arbitrary bodies to the counting beacon: it answers 204, 400 or
// 413, never a server error, and counts nothing for a token that names nothing.
func FuzzBeacon(f *testing.F) {
	b := setup(f, storetest.SQLite(f))
	ctx := context.Background()
	owner := &passerelle.User{ID: 1, OrgID: b.org, Owner: true}
	tour := &passerelle.Tour{InstitutionID: b.institution, TitleZH: "导览"}
	if err := b.svc.CreateTour(ctx, owner, tour); err != nil {
		f.Fatal(err)
	}
	if err := b.svc.AddStop(ctx, owner, &passerelle.Stop{TourID: tour.ID, Number: 1, TitleZH: "一"}); err != nil {
		f.Fatal(err)
	}
	if _, _, err := b.svc.PublishTour(ctx, owner, tour.ID, true); err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{"k=t&t=" + tour.PublicToken + "&n=1&e=start", "k=e&t=aaaaaaaaaaaaaaaaaaaa&e=view", "k=t&n=%ff", "%", "k=t&t=" + tour.PublicToken + "&n=99999999999999999999&e=end", strings.Repeat("a=b&", 300)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		res, err := http.Post(b.url+"/v/b", "application/x-www-form-urlencoded", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		switch res.StatusCode {
		case http.StatusNoContent, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("%q: %d", body, res.StatusCode)
		}
	})
}
