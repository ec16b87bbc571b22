package analytics_test

import (
	"context"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// The import's bulk writer keeps the rules of RecordPublicationSnapshots: readings
// keyed (the last of a batch wins; again changes nothing), newest figures that never
// roll back, all or nothing.
func TestImportPublicationSnapshots(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, "bulk")
		published := at(2026, 11, 2, 10, 0)
		load := store.AudienceLoad{}
		for _, id := range []string{"7001", "7002"} {
			load.Posts = append(load.Posts, store.AudiencePost{InstitutionID: w.inst.ID, Title: id, Theme: "collection", PublishedAt: published,
				Publications: []store.AudiencePublication{{AccountID: w.weibo.ID, Format: passerelle.FormatPhotoText, PlatformPostID: id}}})
		}
		if err := db.LoadAudience(ctx, w.org.ID, load); err != nil {
			t.Fatal(err)
		}
		tracked, err := db.TrackedPublications(ctx, w.org.ID, w.weibo.ID)
		if err != nil || len(tracked) != 2 {
			t.Fatal(tracked, err)
		}
		a, b := tracked[0].ID, tracked[1].ID
		// A newer reading of a is already there.
		if _, err := db.RecordPublicationSnapshots(ctx, w.org.ID, []*store.PublicationSnapshot{{PublicationID: a, TakenAt: at(2026, 11, 10, 0, 0), Source: store.PubSourceAPI, Views: n(500)}}); err != nil {
			t.Fatal(err)
		}
		batch := func() []*store.PublicationSnapshot {
			return []*store.PublicationSnapshot{
				{PublicationID: a, TakenAt: at(2026, 11, 5, 0, 0), Source: store.PubSourceImport, Views: n(100)},
				{PublicationID: a, TakenAt: at(2026, 11, 5, 0, 0), Source: store.PubSourceImport, Views: n(120)},
				{PublicationID: b, TakenAt: at(2026, 11, 3, 0, 0), Source: store.PubSourceImport, Views: n(10), LowerBound: true, Likes: n(1)},
				{PublicationID: b, TakenAt: at(2026, 11, 4, 0, 0), Source: store.PubSourceImport, Likes: n(2), Comments: n(3)},
			}
		}
		for range 2 {
			var progress []int
			if _, err := db.ImportPublicationSnapshots(ctx, w.org.ID, batch(), func(done, total int) { progress = append(progress, done, total) }); err != nil {
				t.Fatal(err)
			}
			if len(progress) != 2 || progress[0] != 3 || progress[1] != 3 {
				t.Errorf("progress %v", progress)
			}
		}
		sa, _ := db.PublicationSnapshots(ctx, w.org.ID, a)
		sb, _ := db.PublicationSnapshots(ctx, w.org.ID, b)
		if len(sa) != 2 || *sa[0].Views != 120 || *sa[1].Views != 500 || len(sb) != 2 {
			t.Fatalf("readings: a %d, b %d", len(sa), len(sb))
		}
		rows, err := db.AnalyticsRows(ctx, w.org.ID, []int64{w.inst.ID}, at(2026, 11, 1, 0, 0), at(2026, 11, 30, 0, 0))
		if err != nil || len(rows) != 2 {
			t.Fatal(rows, err)
		}
		for _, r := range rows {
			switch r.PublicationID {
			case a:
				if *r.Views != 500 {
					t.Errorf("a's views rolled back to %d", *r.Views)
				}
			case b:
				if *r.Views != 10 || !r.LowerBound || *r.Likes != 2 || *r.Comments != 3 || r.Reposts != nil {
					t.Errorf("b's figures %+v", r)
				}
			}
		}
		// A publication of another organization: nothing of the batch is written.
		other := newWorld(t, db, "autre")
		bad := append(batch(), &store.PublicationSnapshot{PublicationID: b, TakenAt: at(2026, 11, 6, 0, 0), Source: store.PubSourceImport, Views: n(99)})
		if _, err := db.ImportPublicationSnapshots(ctx, other.org.ID, bad, nil); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Fatalf("foreign publications: %v", err)
		}
		bad[0].Views = n(-1)
		if _, err := db.ImportPublicationSnapshots(ctx, w.org.ID, bad, nil); passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Fatalf("a negative figure: %v", err)
		}
		if sb, _ := db.PublicationSnapshots(ctx, w.org.ID, b); len(sb) != 2 {
			t.Fatalf("a refused batch wrote readings: %d", len(sb))
		}
	})
}
