package web

import (
	"context"
	"fmt"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestJobsOfAnotherOrganization: River's jobs are the instance's; the jobs page shows
// a delivery job only to those who manage its publication's institution, and the
// engine's own jobs to owners, and only when they did not simply complete.
func TestJobsOfAnotherOrganization(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.SQLite(t)
	h := &handler{Deps: Deps{DB: db, Publish: publish.New(publish.Options{DB: db})}}
	n := 0
	user := func(orgID int64, owner bool, ms ...passerelle.Membership) *passerelle.User {
		n++
		u := &passerelle.User{OrgID: orgID, Email: fmt.Sprintf("u%d@example.org", n), Owner: owner, Memberships: ms}
		if u.Memberships == nil {
			u.Memberships = []passerelle.Membership{}
		}
		if err := db.CreateUser(ctx, u, "h"); err != nil {
			t.Fatal(err)
		}
		return u
	}
	orgA, _ := db.CreateOrganization(ctx, "A")
	orgB, _ := db.CreateOrganization(ctx, "B")
	ownerA, ownerB := user(orgA.ID, true), user(orgB.ID, true)
	inst := &passerelle.Institution{OrgID: orgA.ID, Name: "Orsay"}
	inst.Normalize()
	if err := db.CreateInstitution(ctx, inst); err != nil {
		t.Fatal(err)
	}
	admin := user(orgA.ID, false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleAdmin})
	editor := user(orgA.ID, false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleEditor})
	acc := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Kind: passerelle.AccountManaged, Handle: "orsay"}
	if err := db.CreateAccount(ctx, orgA.ID, acc); err != nil {
		t.Fatal(err)
	}
	title, theme, lang, zh := "Degas", "collection", "fr", "德加"
	saved, err := editorial.New(editorial.Options{DB: db, DataDir: t.TempDir()}).CreatePost(ctx, ownerA, &editorial.PostInput{InstitutionID: &inst.ID,
		Title: &title, Theme: &theme, SourceLang: &lang, TextZH: &zh, Publications: &[]editorial.PublicationInput{{AccountID: acc.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	delivery := &jobs.Job{ID: 1, Kind: "publish.deliver", State: "scheduled", Args: fmt.Appendf(nil, `{"publication_id": %d, "generation": 1}`, saved.Post.Publications[0].ID)}
	reconcileDone := &jobs.Job{ID: 2, Kind: "publish.reconcile", State: "completed", Args: []byte(`{}`)}
	reconcileFailed := &jobs.Job{ID: 3, Kind: "publish.reconcile", State: "retryable", Args: []byte(`{}`)}
	tests := []struct {
		name string
		u    *passerelle.User
		job  *jobs.Job
		sees bool
	}{
		{"owner, delivery", ownerA, delivery, true},
		{"admin, delivery", admin, delivery, true},
		{"editor, delivery", editor, delivery, false},
		{"another organization's owner, delivery", ownerB, delivery, false},
		{"owner, completed reconciliation", ownerA, reconcileDone, false},
		{"owner, failing reconciliation", ownerA, reconcileFailed, true},
		{"admin, failing reconciliation", admin, reconcileFailed, false},
	}
	for _, tt := range tests {
		row, err := h.jobFor(ctx, tt.u, tt.job)
		if sees := err == nil && row != nil; sees != tt.sees {
			t.Errorf("%s: sees %v (%v), want %v", tt.name, sees, err, tt.sees)
		}
		if err != nil && passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Errorf("%s: %v, want not found", tt.name, err)
		}
	}
}
