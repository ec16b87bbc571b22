package store_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// setupWeChat creates an organization with a museum and its managed WeChat accounts
// of the given handles, for the service desk's tests.
func setupWeChat(t *testing.T, db *store.DB, handles ...string) (*passerelle.Organization, *passerelle.Institution, []*passerelle.Account) {
	t.Helper()
	ctx := context.Background()
	org := setupOrg(t, db)
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Musée", TimeZone: "Europe/Paris", Kind: "museum"}
	if err := db.CreateInstitution(ctx, inst); err != nil {
		t.Fatal(err)
	}
	var accs []*passerelle.Account
	for _, h := range handles {
		acc := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.WeChat, Kind: passerelle.AccountManaged, Handle: h}
		if err := db.CreateAccount(ctx, org.ID, acc); err != nil {
			t.Fatal(err)
		}
		accs = append(accs, acc)
	}
	return org, inst, accs
}

// TestRetentionAndErasure: old raw pushes go once applied (the follower count stays);
// one follower's pushes are erased on request, in the asking organization only.
func TestRetentionAndErasure(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, _, accs := setupWeChat(t, db, "musee")
		acc := accs[0]
		push := func(i int, openid string) {
			t.Helper()
			e := &store.WeChatEvent{AccountID: acc.ID, DedupKey: fmt.Sprintf("k%d", i), MsgType: "event", Event: "subscribe", FromUser: openid, SentAt: time.Now(), Payload: "<xml/>"}
			if _, err := db.StorePushes(ctx, []store.Push{{AccountID: acc.ID, SigKey: fmt.Sprintf("s%d", i), BodyHash: "h", Event: e}}, nil); err != nil {
				t.Fatal(err)
			}
		}
		push(1, "oA-old")
		push(2, "oB-old")
		push(3, "oA-new")
		if _, err := db.DrainWeChatEvents(ctx, 100, func(*store.Tx, *store.WeChatEvent) error { return nil }); err != nil {
			t.Fatal(err)
		}
		push(4, "oC-old-unprocessed")
		old := time.Now().UTC().Add(-100 * 24 * time.Hour).Format(store.TimeLayout)
		var oldArg any = old
		if db.Dialect() == store.Postgres {
			oldArg = time.Now().UTC().Add(-100 * 24 * time.Hour)
		}
		q := `UPDATE wechat_events SET received_at = ? WHERE from_user LIKE '%-old%'`
		if db.Dialect() == store.Postgres {
			q = `UPDATE wechat_events SET received_at = $1 WHERE from_user LIKE '%-old%'`
		}
		if _, err := db.SQL().ExecContext(ctx, q, oldArg); err != nil {
			t.Fatal(err)
		}
		n, err := db.PurgeWeChatEvents(ctx, 90*24*time.Hour)
		if err != nil || n != 2 {
			t.Fatalf("purge: %d %v", n, err)
		}
		if left, _ := db.CountWeChatEvents(ctx, acc.ID); left != 2 {
			t.Errorf("after purge: %d events, want the recent one and the unprocessed one", left)
		}
		other := setupOrg(t, db)
		if n, err := db.EraseFollower(ctx, other.ID, "oA-new"); err != nil || n != 0 {
			t.Errorf("erasure from another organization: %d %v", n, err)
		}
		if n, err := db.EraseFollower(ctx, org.ID, "oA-new"); err != nil || n != 1 {
			t.Errorf("erasure: %d %v", n, err)
		}
		if left, _ := db.CountWeChatEvents(ctx, acc.ID); left != 1 {
			t.Errorf("after erasure: %d events", left)
		}
	})
}
