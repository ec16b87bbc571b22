package main

import (
	"context"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/demo"
)

// TestDemoCollectsPublishedPosts: in the demo, a Weibo post published by the engine
// gains figures from the in-process simulator through the collection jobs, and the
// account's followers are read.
func TestDemoCollectsPublishedPosts(t *testing.T) {
	t.Parallel()
	m := bootDemoTuned(t, func(m *Main) { m.CollectEvery = time.Second })
	ctx := context.Background()
	owner, _, _ := m.DB.UserByEmail(ctx, demo.OwnerEmail)
	acc := demoAccount(t, m, owner, demoWeiboHandle(t, m, owner))
	weiboReady(t, m, owner, acc, "5012345690")
	ids := scheduleWeibo(t, m, owner, acc, 1, 2*time.Second, "collect")
	waitState(t, m, ids[0], passerelle.DeliveryPublished, 30*time.Second)
	// An hour later (the first slot): the instant is moved back rather than waited for.
	// The demo runs on SQLite, whose instants are text.
	at := time.Now().Add(-61 * time.Minute).UTC().Format("2006-01-02T15:04:05.000000Z")
	if _, err := m.DB.SQL().ExecContext(ctx, `UPDATE publications SET published_at = ? WHERE id = ?`, at, ids[0]); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		snaps, err := m.DB.PublicationSnapshots(ctx, owner.OrgID, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		_, ok, _ := m.DB.FollowersAt(ctx, acc.ID, time.Now())
		if len(snaps) == 1 && snaps[0].Source == "api" && snaps[0].Likes != nil && ok {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no figures collected in the demo: %d readings, followers %v", len(snaps), ok)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
