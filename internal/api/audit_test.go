package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

type auditItem struct {
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Object   string    `json:"object"`
	ObjectID *int64    `json:"object_id"`
	Detail   string    `json:"detail"`
}

// TestAuditLog: each audited action leaves an entry an owner reads through
// GET /api/v1/audit, filtered by period and action; others may not read it, and no
// organization sees another's.
func TestAuditLog(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		ctx := context.Background()
		b.db.AuditActor = func(ctx context.Context) int64 {
			if u := server.User(ctx); u != nil {
				return u.ID
			}
			return 0
		}
		start := time.Now().UTC().Add(-time.Second)
		inst := b.institution(b.org, "Musée")
		acc := b.account(b.org, inst.ID, passerelle.WeChat, passerelle.AccountManaged)

		// Sign-ins, good and bad.
		person := &passerelle.User{OrgID: b.org, Email: "signin@example.org"}
		if err := b.auth.CreateUser(ctx, person, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		b.auth.Login(ctx, "signin@example.org", "wrong password", "192.0.2.1", "test")
		if _, _, _, err := b.auth.Login(ctx, "signin@example.org", "correct horse battery", "192.0.2.1", "test"); err != nil {
			t.Fatal(err)
		}
		// A token created and revoked.
		var tok struct {
			ID int64 `json:"id"`
		}
		b.api.Do("POST", "/api/v1/tokens", map[string]any{"name": "nightly export"}).Want(t, http.StatusCreated).JSON(t, &tok)
		b.api.Do("DELETE", path("/api/v1/tokens/%d", tok.ID), nil).Want(t, http.StatusNoContent)
		// Credentials, users and roles, settings.
		b.api.Do("PUT", path("/api/v1/accounts/%d/credentials", acc.ID), map[string]any{"appid": "wx1", "app_secret": "very-secret-value"}).Want(t, http.StatusNoContent)
		var created struct {
			ID int64 `json:"id"`
		}
		b.api.Do("POST", "/api/v1/users", map[string]any{"email": "new@example.org", "password": "correct horse battery", "memberships": []map[string]any{{"institution_id": inst.ID, "role": "editor"}}}).Want(t, http.StatusCreated).JSON(t, &created)
		b.api.Do("PATCH", path("/api/v1/users/%d", created.ID), map[string]any{"memberships": []map[string]any{{"institution_id": inst.ID, "role": "admin"}}}).Want(t, http.StatusOK)
		b.api.Do("PATCH", path("/api/v1/users/%d", created.ID), map[string]any{"disabled": true}).Want(t, http.StatusOK)
		b.api.Do("PUT", "/api/v1/themes", map[string]any{"themes": []string{"collection", "exhibition"}}).Want(t, http.StatusOK)

		var page struct {
			Items []auditItem `json:"items"`
		}
		q := "/api/v1/audit?from=" + start.Format(time.RFC3339) + "&to=" + time.Now().UTC().Add(time.Minute).Format(time.RFC3339)
		b.api.Do("GET", q, nil).Want(t, http.StatusOK).JSON(t, &page)
		byAction := map[string][]auditItem{}
		for _, it := range page.Items {
			byAction[it.Action] = append(byAction[it.Action], it)
			if strings.Contains(it.Detail, "very-secret-value") || strings.Contains(it.Detail, "correct horse") {
				t.Errorf("an audit entry holds a secret: %+v", it)
			}
		}
		for _, want := range []string{"sign_in", "sign_in_failed", "token.create", "token.revoke", "credentials.set", "user.create", "user.update", "settings.update"} {
			if len(byAction[want]) == 0 {
				t.Errorf("no %s entry in %+v", want, page.Items)
			}
		}
		rev := byAction["token.revoke"]
		if len(rev) != 1 || rev[0].ObjectID == nil || *rev[0].ObjectID != tok.ID || rev[0].Object != "token" || rev[0].Actor != b.owner.Email {
			t.Errorf("token revocation entry: %+v", rev)
		}
		if u := byAction["user.update"]; len(u) != 2 || !strings.Contains(u[1].Detail, "admin@") || !strings.Contains(u[0].Detail, "disabled=true") {
			t.Errorf("role changes: %+v", u)
		}
		if c := byAction["user.create"]; len(c) == 0 || c[0].Actor != b.owner.Email {
			t.Errorf("user creation by the owner: %+v", c)
		}

		// Filters: an action prefix, an empty period, bad dates.
		var tokens struct {
			Items []auditItem `json:"items"`
		}
		b.api.Do("GET", "/api/v1/audit?action=token.", nil).Want(t, http.StatusOK).JSON(t, &tokens)
		for _, it := range tokens.Items {
			if !strings.HasPrefix(it.Action, "token.") {
				t.Errorf("action filter let %s through", it.Action)
			}
		}
		var none struct {
			Items []auditItem `json:"items"`
		}
		b.api.Do("GET", "/api/v1/audit?from=2020-01-01&to=2020-01-31", nil).Want(t, http.StatusOK).JSON(t, &none)
		if len(none.Items) != 0 {
			t.Errorf("empty period: %d entries", len(none.Items))
		}
		b.api.Do("GET", "/api/v1/audit?from=yesterday", nil).Want(t, http.StatusUnprocessableEntity)
		b.api.Do("GET", "/api/v1/audit?from=2026-02-01&to=2026-01-01", nil).Want(t, http.StatusUnprocessableEntity)

		// Only owners; another organization's owner sees none of it.
		admin := b.user(b.org, false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleAdmin})
		b.as(admin).Do("GET", "/api/v1/audit", nil).Want(t, http.StatusForbidden)
		var foreign struct {
			Items []auditItem `json:"items"`
		}
		b.as(b.user(b.foreign, true)).Do("GET", "/api/v1/audit", nil).Want(t, http.StatusOK).JSON(t, &foreign)
		for _, it := range foreign.Items {
			if it.Action != "token.create" {
				t.Errorf("foreign owner sees %+v", it)
			}
		}
	})
}

// TestEraseFollower: an owner erases a follower's data; the audit log says so without
// repeating the openid; bad input changes nothing.
func TestEraseFollower(t *testing.T) {
	t.Parallel()
	b := sqlite(t)
	var out struct {
		Erased int64 `json:"erased"`
	}
	b.api.Do("POST", "/api/v1/followers/erase", map[string]any{"openid": "oFollower0123456789"}).Want(t, http.StatusOK).JSON(t, &out)
	b.api.Do("POST", "/api/v1/followers/erase", map[string]any{"openid": ""}).Want(t, http.StatusUnprocessableEntity)
	b.api.Do("POST", "/api/v1/followers/erase", map[string]any{"openid": "a b"}).Want(t, http.StatusUnprocessableEntity)
	var page struct {
		Items []auditItem `json:"items"`
	}
	b.api.Do("GET", "/api/v1/audit?action=follower.erase", nil).Want(t, http.StatusOK).JSON(t, &page)
	if len(page.Items) != 1 || !strings.Contains(page.Items[0].Detail, "sha256:") || strings.Contains(page.Items[0].Detail, "oFollower0123456789") {
		t.Errorf("erasure record: %+v", page.Items)
	}
}
