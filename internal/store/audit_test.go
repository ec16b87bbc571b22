package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestAuditAppendOnly: entries are listed by period and action; the database itself
// refuses to change or delete them, except the retention purge of old entries.
func TestAuditAppendOnly(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := setupOrg(t, db)
		other := setupOrg(t, db)
		now := time.Now().UTC().Truncate(time.Microsecond)
		id := int64(7)
		db.Audit(ctx, store.AuditEntry{OrgID: org.ID, At: now.Add(-400 * 24 * time.Hour), Actor: "a@example.org", Action: store.AuditTokenCreate, Object: "token", ObjectID: &id})
		db.Audit(ctx, store.AuditEntry{OrgID: org.ID, At: now.Add(-time.Hour), Actor: "a@example.org", Action: store.AuditTokenRevoke, Object: "token", ObjectID: &id, Detail: "ci"})
		db.Audit(ctx, store.AuditEntry{OrgID: org.ID, Actor: "b@example.org", Action: store.AuditUserUpdate, Object: "user", Detail: "owner: true"})
		db.Audit(ctx, store.AuditEntry{OrgID: other.ID, Action: store.AuditSignIn, Object: "user"})

		all, err := db.AuditEntries(ctx, store.AuditFilter{OrgID: org.ID})
		if err != nil || len(all) != 3 || all[0].Action != store.AuditUserUpdate {
			t.Fatalf("entries: %d %v", len(all), err)
		}
		recent, _ := db.AuditEntries(ctx, store.AuditFilter{OrgID: org.ID, From: now.Add(-2 * time.Hour), To: now.Add(time.Hour)})
		if len(recent) != 2 {
			t.Errorf("period: %d entries", len(recent))
		}
		tokens, _ := db.AuditEntries(ctx, store.AuditFilter{OrgID: org.ID, Action: "token."})
		if len(tokens) != 2 || tokens[0].ObjectID == nil || *tokens[0].ObjectID != 7 || tokens[0].Detail != "ci" {
			t.Errorf("token entries: %+v", tokens)
		}
		if _, err := db.SQL().ExecContext(ctx, `UPDATE audit_log SET actor = 'someone else'`); err == nil {
			t.Error("UPDATE of the audit log accepted")
		}
		if _, err := db.SQL().ExecContext(ctx, `DELETE FROM audit_log WHERE action = 'user.update'`); err == nil {
			t.Error("DELETE of a recent audit entry accepted")
		}
		n, err := db.PurgeAudit(ctx, 365*24*time.Hour)
		if err != nil || n != 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
		if left, _ := db.AuditEntries(ctx, store.AuditFilter{OrgID: org.ID}); len(left) != 2 {
			t.Errorf("after purge: %d", len(left))
		}
	})
}
