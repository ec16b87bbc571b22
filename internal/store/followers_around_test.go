package store_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestFollowersAroundIsFollowersOverTwice: the readings of two periods that meet, read
// at once, are those of each period read alone, for accounts whose readings fall on
// the bounds, just beside them, at one instant from two sources, without followers,
// only inside a period, or nowhere.
func TestFollowersAroundIsFollowersOverTwice(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org := setupOrg(t, db)
		inst := &passerelle.Institution{OrgID: org.ID, Name: "Musée Guimet"}
		if err := db.CreateInstitution(ctx, inst); err != nil {
			t.Fatal(err)
		}
		prevFrom := time.Date(2026, 8, 31, 16, 0, 0, 0, time.UTC) // Beijing midnights
		from := prevFrom.AddDate(0, 1, 0)
		to := from.AddDate(0, 1, 0)
		instants := []time.Time{
			prevFrom.Add(-24 * time.Hour), prevFrom.Add(-time.Second), prevFrom, prevFrom.Add(time.Second), prevFrom.Add(10 * 24 * time.Hour),
			from.Add(-time.Second), from, from.Add(time.Second), from.Add(12 * 24 * time.Hour),
			to.Add(-time.Second), to, to.Add(48 * time.Hour),
		}
		rng := rand.New(rand.NewPCG(7, uint64(len(db.Dialect()))))
		var ids []int64
		for i := range 40 {
			a := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Handle: fmt.Sprintf("guimet_%d", i)}
			if err := db.CreateAccount(ctx, org.ID, a); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, a.ID)
			var snaps []*store.AccountSnapshot
			for range rng.IntN(7) { // none for some accounts
				s := &store.AccountSnapshot{AccountID: a.ID, TakenAt: instants[rng.IntN(len(instants))], Source: "api"}
				if rng.IntN(2) == 0 {
					s.Source = "manual" // perhaps at the instant of an api reading
				}
				if rng.IntN(6) == 0 {
					s.Posts = ptr(int64(3)) // no followers: not a follower reading
				} else {
					s.Followers = ptr(rng.Int64N(100000))
				}
				snaps = append(snaps, s)
			}
			if _, err := db.RecordSnapshots(ctx, org.ID, snaps); err != nil {
				t.Fatal(err)
			}
		}
		prev, cur, err := db.FollowersAround(ctx, ids, prevFrom, from, to)
		if err != nil {
			t.Fatal(err)
		}
		wantPrev, err := db.FollowersOver(ctx, ids, prevFrom, from)
		if err != nil {
			t.Fatal(err)
		}
		wantCur, err := db.FollowersOver(ctx, ids, from, to)
		if err != nil {
			t.Fatal(err)
		}
		show := func(p *int64) string {
			if p == nil {
				return "nil"
			}
			return fmt.Sprint(*p)
		}
		same := func(a, b store.FollowerReadings) bool {
			return show(a.Start) == show(b.Start) && show(a.End) == show(b.End)
		}
		known := 0
		for _, id := range ids {
			if !same(prev[id], wantPrev[id]) || !same(cur[id], wantCur[id]) {
				t.Errorf("account %d: prev %s-%s cur %s-%s, want prev %s-%s cur %s-%s", id,
					show(prev[id].Start), show(prev[id].End), show(cur[id].Start), show(cur[id].End),
					show(wantPrev[id].Start), show(wantPrev[id].End), show(wantCur[id].Start), show(wantCur[id].End))
			}
			if cur[id].Start != nil && prev[id].End != nil {
				known++
			}
		}
		if known < 10 {
			t.Fatalf("only %d accounts known in both periods: the readings drawn test little", known)
		}
	})
}
