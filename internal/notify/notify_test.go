package notify_test

import (
	"context"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/notify"
	"github.com/passerelle-oss/passerelle/internal/notify/notifytest"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

func TestDigest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.SQLite(t)
	org, err := db.CreateOrganization(ctx, "Agence Pont")
	if err != nil {
		t.Fatal(err)
	}
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Musée d'Orsay"}
	if err := db.CreateInstitution(ctx, inst); err != nil {
		t.Fatal(err)
	}
	acc := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Handle: "orsay"}
	if err := db.CreateAccount(ctx, org.ID, acc); err != nil {
		t.Fatal(err)
	}
	users := map[string]*passerelle.User{}
	for _, u := range []*passerelle.User{
		{OrgID: org.ID, Email: "owner@example.org", Name: "Owner", Owner: true, Locale: "fr"},
		{OrgID: org.ID, Email: "editor@example.org", Name: "Editor", Locale: "zh-Hans", Memberships: []passerelle.Membership{{InstitutionID: inst.ID, Role: passerelle.RoleEditor}}},
		{OrgID: org.ID, Email: "viewer@example.org", Name: "Viewer", Memberships: []passerelle.Membership{{InstitutionID: inst.ID, Role: passerelle.RoleViewer}}},
	} {
		if err := db.CreateUser(ctx, u, "x"); err != nil {
			t.Fatal(err)
		}
		users[u.Email] = u
	}
	p := &passerelle.Post{InstitutionID: inst.ID, Title: "Degas", Theme: "collection", SourceLang: "fr", Status: passerelle.StatusScheduled,
		Publications: []*passerelle.Publication{{AccountID: acc.ID, Format: passerelle.FormatPhotoText, State: passerelle.DeliveryScheduled}}}
	if err := db.CreatePost(ctx, org.ID, p, passerelle.Actor{Name: "Léa"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveDelivery(ctx, p.Publications[0].ID, []passerelle.DeliveryState{passerelle.DeliveryScheduled}, passerelle.DeliveryAwaitingManual, "", store.KindKitDue); err != nil {
		t.Fatal(err)
	}
	s := notifytest.StartSMTPSink(t)
	m, err := notify.ParseURL("smtp://" + s.Addr() + "?from=passerelle@example.org")
	if err != nil {
		t.Fatal(err)
	}
	w := &notify.DigestWorker{DB: db, Mailer: m, BaseURL: "https://passerelle.example.org"}
	if err := w.Send(ctx); err != nil {
		t.Fatal(err)
	}
	// Once only.
	if err := w.Send(ctx); err != nil {
		t.Fatal(err)
	}
	mails := s.Received()
	if len(mails) != 2 {
		t.Fatalf("%d mails: %q", len(mails), mails)
	}
	for _, mail := range mails {
		if mail.To == "viewer@example.org" {
			t.Fatal("a viewer was notified")
		}
		if data := string(mail.Data); !strings.Contains(data, "/posts/") || !strings.Contains(data, "Subject: ") {
			t.Fatalf("mail to %s:\n%s", mail.To, data)
		}
	}
	if notes, _ := db.Notifications(ctx, users["viewer@example.org"].ID, false, 10); len(notes) != 0 {
		t.Fatalf("viewer notifications %+v", notes)
	}
}

func TestParseURL(t *testing.T) {
	t.Parallel()
	for _, bad := range []string{"", "http://x", "smtp://", "smtp://host:25"} {
		if _, err := notify.ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) accepted", bad)
		}
	}
	m, err := notify.ParseURL("smtp://u:p@mail.example.org?from=a@example.org")
	if err != nil || m.Addr != "mail.example.org:587" || m.Auth == nil {
		t.Fatalf("%+v %v", m, err)
	}
}
