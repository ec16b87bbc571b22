package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestFollowersTagsAndErasure: followers are listed by how much they wrote, with the
// placement they came through and their tags; the tag filters; the inbox filters by
// assignee; erasing a follower erases their tags; retention keeps the origin of a
// follower still in the inbox and drops the tags of one no longer in it.
func TestFollowersTagsAndErasure(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, inst, accs := setupWeChat(t, db, "musee")
		acc := accs[0]
		if err := db.CreatePlacement(ctx, &store.Placement{InstitutionID: inst.ID, AccountID: acc.ID, Key: "hall", Name: "Hall", Scene: "hall", Attributed: true}); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC().Add(-time.Hour).Truncate(time.Second)
		must := func(err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		must(db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.RecordFollow(ctx, acc.ID, "oMany", "hall", now.Format(time.DateOnly), now.Add(-40*24*time.Hour)); err != nil {
				return err
			}
			for i, who := range []string{"oMany", "oOne", "oMany", "oMany"} {
				if err := tx.RecordInbound(ctx, acc.ID, who, "text", "你好", now.Add(time.Duration(i)*time.Minute)); err != nil {
					return err
				}
			}
			return nil
		}))
		fs, err := db.Followers(ctx, store.FollowerFilter{AccountID: acc.ID})
		if err != nil || len(fs) != 2 {
			t.Fatalf("followers %v %v", fs, err)
		}
		if fs[0].OpenID != "oMany" || fs[0].Messages != 3 || fs[0].PlacementKey == nil || *fs[0].PlacementKey != "hall" || fs[1].Messages != 1 || fs[1].PlacementID != nil {
			t.Fatalf("followers %+v %+v", fs[0], fs[1])
		}
		many, one := fs[0].ConversationID, fs[1].ConversationID
		must(db.SetFollowerTags(ctx, many, []string{"ambassador", "press"}))
		must(db.SetFollowerTags(ctx, one, []string{"teacher"}))
		must(db.SetFollowerTags(ctx, one, []string{"press"})) // replaces
		if tags, _ := db.FollowerTags(ctx, one); len(tags) != 1 || tags[0] != "press" {
			t.Fatalf("tags %v", tags)
		}
		press, _ := db.Followers(ctx, store.FollowerFilter{AccountID: acc.ID, Tag: "press"})
		amb, _ := db.Followers(ctx, store.FollowerFilter{AccountID: acc.ID, Tag: "ambassador"})
		if len(press) != 2 || len(amb) != 1 || amb[0].ConversationID != many || len(amb[0].Tags) != 2 {
			t.Fatalf("by tag: press %d ambassador %+v", len(press), amb)
		}
		if all, _ := db.AccountTags(ctx, acc.ID); len(all) != 2 {
			t.Fatalf("account tags %v", all)
		}

		// The inbox by assignee.
		user := &passerelle.User{OrgID: org.ID, Email: "desk13@example.org", Name: "Lin", Locale: "fr"}
		must(db.CreateUser(ctx, user, ""))
		must(db.UpdateConversation(ctx, many, store.ConversationOpen, &user.ID))
		mine, _ := db.Conversations(ctx, store.ConversationFilter{AccountID: acc.ID, AssigneeID: user.ID})
		none, _ := db.Conversations(ctx, store.ConversationFilter{AccountID: acc.ID, Unassigned: true})
		if len(mine) != 1 || mine[0].ID != many || len(none) != 1 || none[0].ID != one {
			t.Fatalf("assigned %v unassigned %v", mine, none)
		}

		// Retention: oMany's origin (40 days old) stays while they are in the inbox.
		if _, err := db.PurgeConversations(ctx, 90*24*time.Hour); err != nil {
			t.Fatal(err)
		}
		if fs, _ := db.Followers(ctx, store.FollowerFilter{AccountID: acc.ID, Tag: "ambassador"}); len(fs) != 1 || fs[0].PlacementKey == nil {
			t.Fatalf("after retention: %+v", fs)
		}
		// A conversation goes whole after a year without activity, not message by
		// message: oActive's 400-day-old message stays while they still write.
		must(db.InTx(ctx, func(tx *store.Tx) error {
			if err := tx.RecordInbound(ctx, acc.ID, "oActive", "text", "去年", now.Add(-400*24*time.Hour)); err != nil {
				return err
			}
			return tx.RecordInbound(ctx, acc.ID, "oActive", "text", "今天", now)
		}))
		must(db.InTx(ctx, func(tx *store.Tx) error {
			return tx.RecordInbound(ctx, acc.ID, "oGone", "text", "很久以前", now.Add(-400*24*time.Hour))
		}))
		deleted, err := db.PurgeConversations(ctx, 365*24*time.Hour)
		must(err)
		var active, gone int
		must(db.SQL().QueryRowContext(ctx, `SELECT
			(SELECT COUNT(*) FROM conversation_messages m JOIN conversations c ON c.id = m.conversation_id WHERE c.openid = 'oActive'),
			(SELECT COUNT(*) FROM conversations WHERE openid = 'oGone')`).Scan(&active, &gone))
		if deleted != 1 || active != 2 || gone != 0 {
			t.Fatalf("a year's retention deleted %d messages; oActive keeps %d of 2, oGone %d conversations", deleted, active, gone)
		}

		// Their messages expire: the conversation, the origin and the tags go.
		if _, err := db.PurgeConversations(ctx, -time.Hour); err != nil {
			t.Fatal(err)
		}
		var left int
		if err := db.SQL().QueryRowContext(ctx, `SELECT (SELECT COUNT(*) FROM follower_tags) + (SELECT COUNT(*) FROM follower_origins)`).Scan(&left); err != nil || left != 0 {
			t.Fatalf("after the conversations expired: %d tags and origins left (%v)", left, err)
		}

		// Erasure takes the tags with the rest, in the asking organization only.
		must(db.InTx(ctx, func(tx *store.Tx) error { return tx.RecordInbound(ctx, acc.ID, "oErase", "text", "你好", now) }))
		cs, _ := db.Conversations(ctx, store.ConversationFilter{AccountID: acc.ID})
		if len(cs) != 1 {
			t.Fatalf("conversations %v", cs)
		}
		must(db.SetFollowerTags(ctx, cs[0].ID, []string{"press"}))
		other := setupOrg(t, db)
		if n, err := db.EraseFollower(ctx, other.ID, "oErase"); err != nil || n != 0 {
			t.Fatalf("erasure from another organization: %d %v", n, err)
		}
		if n, err := db.EraseFollower(ctx, org.ID, "oErase"); err != nil || n != 3 {
			t.Fatalf("erasure: %d %v", n, err)
		}
		if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM follower_tags`).Scan(&left); err != nil || left != 0 {
			t.Fatalf("after erasure: %d tags", left)
		}
	})
}

// TestCannedAnswers: names are unique per account; deleting another account's
// answer finds nothing.
func TestCannedAnswers(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		_, _, accs := setupWeChat(t, db, "a", "b")
		a := &store.CannedAnswer{AccountID: accs[0].ID, Name: "Horaires", Text: "9:30–18:00"}
		if err := db.CreateCannedAnswer(ctx, a); err != nil {
			t.Fatal(err)
		}
		if err := db.CreateCannedAnswer(ctx, &store.CannedAnswer{AccountID: accs[0].ID, Name: "Horaires", Text: "x"}); passerelle.ErrorCode(err) != passerelle.ECONFLICT {
			t.Fatalf("duplicate name: %v", err)
		}
		if err := db.CreateCannedAnswer(ctx, &store.CannedAnswer{AccountID: accs[1].ID, Name: "Horaires", Text: "x"}); err != nil {
			t.Fatalf("same name on another account: %v", err)
		}
		if err := db.DeleteCannedAnswer(ctx, accs[1].ID, a.ID); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Fatalf("delete through another account: %v", err)
		}
		if err := db.DeleteCannedAnswer(ctx, accs[0].ID, a.ID); err != nil {
			t.Fatal(err)
		}
		if as, _ := db.CannedAnswers(ctx, accs[0].ID); len(as) != 0 {
			t.Fatalf("after delete: %v", as)
		}
	})
}
