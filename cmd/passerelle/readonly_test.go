package main

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/api/apitest"
	"github.com/passerelle-oss/passerelle/internal/demo"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// TestReadOnlyAccountsRefused: a publication on an archived account, on an account of
// an archived institution, or on an account turned into a watched one is refused by
// the API with 422 and a message that says how to publish again — schedule, the
// transition to scheduled, publish now, mark as published — and nothing changes.
// Restored, the same calls go through.
func TestReadOnlyAccountsRefused(t *testing.T) {
	t.Parallel()
	m := bootDemo(t)
	ctx := context.Background()
	owner, _, _ := m.DB.UserByEmail(ctx, demo.OwnerEmail)
	wx := demoAccount(t, m, owner, "gh_orsay")
	xhs := &passerelle.Account{InstitutionID: wx.InstitutionID, Platform: passerelle.Xiaohongshu, Kind: passerelle.AccountManaged, Handle: "orsay_ro", DisplayName: "奥赛博物馆"}
	if err := m.DB.CreateAccount(ctx, owner.OrgID, xhs); err != nil {
		t.Fatal(err)
	}
	edit := editorial.New(editorial.Options{DB: m.DB, DataDir: m.Config.DataDir})
	post := approvedPost(t, edit, owner, xhs, editorial.PublicationInput{Format: passerelle.FormatPhotoText}, "奥赛博物馆的睡莲\n莫奈晚年的杰作。")
	pubID := post.Publications[0].ID
	token, _, err := m.Auth.CreateToken(ctx, owner.ID, "readonly", nil)
	if err != nil {
		t.Fatal(err)
	}
	api := apitest.New(t).API(t, m.URL(), token)
	pub := fmt.Sprintf("/api/v1/publications/%d", pubID)
	at := time.Now().Add(2 * time.Hour).UTC().Format(time.RFC3339)
	const note = "https://www.xiaohongshu.com/explore/65a1b2c3d4e5f60718293a4c"

	refused := func(why, want string) {
		t.Helper()
		for _, c := range []struct {
			method, path string
			body         any
		}{
			{http.MethodPut, pub + "/schedule", map[string]string{"scheduled_at": at}},
			{http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/transitions", post.ID), map[string]string{"to": "scheduled"}},
			{http.MethodPost, pub + "/publish-now", nil},
			{http.MethodPost, pub + "/mark-published", map[string]string{"url": note}},
		} {
			e := api.Do(c.method, c.path, c.body).Want(t, http.StatusUnprocessableEntity).Err(t)
			if !strings.Contains(e.Error.Message, want) || e.Error.Fields["account_id"] == "" {
				t.Errorf("%s: %s %s answered %+v, want %q", why, c.method, c.path, e.Error, want)
			}
		}
		d, err := m.DB.Delivery(ctx, pubID)
		if err != nil || d.Publication.State != passerelle.DeliveryPending || d.Publication.ScheduledAt != nil {
			t.Fatalf("%s: the refused calls changed the publication: %+v %v", why, d.Publication, err)
		}
	}

	if _, err := m.Tenancy.ArchiveAccount(ctx, owner, xhs.ID, true); err != nil {
		t.Fatal(err)
	}
	refused("archived account", "The account is archived")
	if _, err := m.Tenancy.ArchiveAccount(ctx, owner, xhs.ID, false); err != nil {
		t.Fatal(err)
	}

	if _, err := m.Tenancy.ArchiveInstitution(ctx, owner, xhs.InstitutionID, true); err != nil {
		t.Fatal(err)
	}
	refused("archived institution", "The institution is archived")
	if _, err := m.Tenancy.ArchiveInstitution(ctx, owner, xhs.InstitutionID, false); err != nil {
		t.Fatal(err)
	}

	if _, err := m.DB.UpdateAccount(ctx, owner.OrgID, xhs.ID, func(a *passerelle.Account) error { a.Kind = passerelle.AccountWatched; return nil }); err != nil {
		t.Fatal(err)
	}
	refused("watched account", "A watched account is only measured")
	if _, err := m.DB.UpdateAccount(ctx, owner.OrgID, xhs.ID, func(a *passerelle.Account) error { a.Kind = passerelle.AccountManaged; return nil }); err != nil {
		t.Fatal(err)
	}

	// Managed and active again: the same calls go through.
	api.Do(http.MethodPut, pub+"/schedule", map[string]string{"scheduled_at": at}).Want(t, http.StatusOK)
	api.Do(http.MethodPost, pub+"/mark-published", map[string]string{"url": note}).Want(t, http.StatusOK)
}
