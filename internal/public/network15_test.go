package public_test

import (
	"bytes"
	"context"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/barometer"
	"github.com/passerelle-oss/passerelle/internal/public"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// The public barometer names a network's members on its row, in the page's language.
func TestPageListsNetworkMembers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.SQLite(t)
	org, err := db.CreateOrganization(ctx, "Agence")
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, n := range [][2]string{{"Paris Musées", "巴黎博物馆联盟"}, {"Musée Cognacq-Jay", "科涅克-杰博物馆"}, {"Maison de Balzac", "巴尔扎克故居"}} {
		i := &passerelle.Institution{OrgID: org.ID, Name: n[0], NameZH: n[1], Country: "FR"}
		i.Normalize()
		if err := db.CreateInstitution(ctx, i); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, i.ID)
	}
	a := &passerelle.Account{InstitutionID: ids[0], Platform: passerelle.Weibo, Kind: passerelle.AccountWatched, Handle: "parismusees"}
	if err := db.CreateAccount(ctx, org.ID, a); err != nil {
		t.Fatal(err)
	}
	if err := db.SetAccountMembers(ctx, org.ID, a.ID, ids[1:]); err != nil {
		t.Fatal(err)
	}
	svc := &barometer.Service{DB: db}
	f := int64(250_000)
	if _, err := svc.Record(ctx, org.ID, []barometer.Reading{{AccountID: a.ID, Date: time.Now().In(barometer.Zone()).AddDate(0, 0, -1), Followers: &f}}); err != nil {
		t.Fatal(err)
	}
	if err := db.PublishBarometer(ctx, org.ID, "agence"); err != nil {
		t.Fatal(err)
	}
	srv := server.New(server.Options{DB: db})
	public.RegisterBarometer(srv, db, svc)
	ts := httptest.NewServer(srv.Handler())
	t.Cleanup(ts.Close)
	_, fr := get(t, ts.URL+"/barometer?org=agence&lang=fr", nil)
	if !bytes.Contains(fr, []byte(`<span class="members">Réseau de : Maison de Balzac, Musée Cognacq-Jay</span>`)) {
		t.Errorf("French page lacks the members: %s", fr)
	}
	_, zh := get(t, ts.URL+"/barometer?org=agence&lang=zh-Hans", nil)
	if !bytes.Contains(zh, []byte(`<span class="members">联合账号成员： 巴尔扎克故居、科涅克-杰博物馆</span>`)) {
		t.Errorf("Chinese page lacks the members")
	}
}
