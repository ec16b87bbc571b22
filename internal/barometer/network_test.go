package barometer_test

import (
	"context"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/barometer"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// A network account is counted once, under its institution, with its members listed;
// a member that also watches the same Weibo account (same handle) does not count it
// again, while its own other account still counts.
func TestNetworkCountedOnce(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, err := db.CreateOrganization(ctx, "Agence")
		if err != nil {
			t.Fatal(err)
		}
		inst := func(name string) int64 {
			i := &passerelle.Institution{OrgID: org.ID, Name: name, Country: "FR", Kind: "museum"}
			if err := db.CreateInstitution(ctx, i); err != nil {
				t.Fatal(err)
			}
			return i.ID
		}
		account := func(inst int64, handle string) int64 {
			a := &passerelle.Account{InstitutionID: inst, Platform: passerelle.Weibo, Kind: passerelle.AccountWatched, Handle: handle}
			if err := db.CreateAccount(ctx, org.ID, a); err != nil {
				t.Fatal(err)
			}
			return a.ID
		}
		pm, cj, vh, other := inst("Paris Musées"), inst("Musée Cognacq-Jay"), inst("Maison de Victor Hugo"), inst("Musée d'Orsay")
		network := account(pm, "parismusees")
		dupCJ := account(cj, "@ParisMusees") // the same platform account, typed differently
		dupVH := account(vh, "parismusees")
		ownVH := account(vh, "victorhugo")
		orsay := account(other, "orsay")
		if err := db.SetAccountMembers(ctx, org.ID, network, []int64{cj, vh}); err != nil {
			t.Fatal(err)
		}
		svc := &barometer.Service{DB: db, Now: func() time.Time { return today }}
		var rs []barometer.Reading
		for acc, f := range map[int64]int64{network: 200_000, dupCJ: 200_000, dupVH: 200_000, ownVH: 5_000, orsay: 100_000} {
			rs = append(rs, barometer.Reading{AccountID: acc, Date: date(t, "2026-09-10"), Followers: n(f)})
		}
		if _, err := svc.Record(ctx, org.ID, rs); err != nil {
			t.Fatal(err)
		}
		q3, err := barometer.ParseQuarter("2026-Q3")
		if err != nil {
			t.Fatal(err)
		}
		tab, err := svc.Compute(ctx, org.ID, q3, "weibo", barometer.Filter{})
		if err != nil {
			t.Fatal(err)
		}
		got := map[int64]barometer.Row{}
		for _, r := range tab.Rows {
			got[r.InstitutionID] = r
		}
		if len(tab.Rows) != 3 || tab.TotalFollowers != 305_000 {
			t.Fatalf("%d rows, %d followers; want 3 rows (Cognacq-Jay has only the network's account), 305,000: %+v", len(tab.Rows), tab.TotalFollowers, tab.Rows)
		}
		if r := got[pm]; r.Followers == nil || *r.Followers != 200_000 || len(r.Members) != 2 ||
			r.Members[0] != (barometer.Member{InstitutionID: vh, Name: "Maison de Victor Hugo"}) || r.Members[1] != (barometer.Member{InstitutionID: cj, Name: "Musée Cognacq-Jay"}) {
			t.Errorf("network row %+v", r)
		}
		if r := got[vh]; r.Followers == nil || *r.Followers != 5_000 || r.Members != nil {
			t.Errorf("member row %+v: only its own account", r)
		}
		if _, ok := got[cj]; ok {
			t.Errorf("Cognacq-Jay counted the network's account")
		}
		if r := got[other]; r.Followers == nil || *r.Followers != 100_000 || r.Members != nil {
			t.Errorf("plain row %+v", r)
		}
	})
}
