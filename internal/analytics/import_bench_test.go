package analytics_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// BenchmarkImportWrite100k compares, in one run, the two ways of writing an import's
// 100,000 readings (1,000 posts × 100 days) into a fresh SQLite database: "rowwise" is
// the former path (RecordPublicationSnapshots in transactions of 5,000, two statements
// per reading), "bulk" the import's path now (ImportPublicationSnapshots: one
// transaction, multi-row INSERTs, each publication's figures written once).
func BenchmarkImportWrite100k(b *testing.B) {
	for _, mode := range []string{"rowwise", "bulk"} {
		b.Run(mode, func(b *testing.B) {
			ctx := context.Background()
			for b.Loop() {
				b.StopTimer()
				db := storetest.SQLite(b)
				org, _ := db.CreateOrganization(ctx, "import")
				inst := &passerelle.Institution{OrgID: org.ID, Name: "Musée"}
				if err := db.CreateInstitution(ctx, inst); err != nil {
					b.Fatal(err)
				}
				acct := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Handle: "wb"}
				if err := db.CreateAccount(ctx, org.ID, acct); err != nil {
					b.Fatal(err)
				}
				published := time.Date(2026, 1, 1, 10, 0, 0, 0, analytics.Beijing)
				var load store.AudienceLoad
				for i := range 1000 {
					id := strconv.Itoa(4900000000000000 + i)
					load.Posts = append(load.Posts, store.AudiencePost{InstitutionID: inst.ID, Title: id, Theme: "collection", PublishedAt: published,
						Publications: []store.AudiencePublication{{AccountID: acct.ID, Format: passerelle.FormatPhotoText, PlatformPostID: id}}})
				}
				if err := db.LoadAudience(ctx, org.ID, load); err != nil {
					b.Fatal(err)
				}
				tracked, err := db.TrackedPublications(ctx, org.ID, acct.ID)
				if err != nil || len(tracked) != 1000 {
					b.Fatal(len(tracked), err)
				}
				snaps := make([]*store.PublicationSnapshot, 0, 100000)
				for d := range 100 {
					at := published.AddDate(0, 0, d+1)
					for i, t := range tracked {
						v, l := int64((d+1)*10000+i), int64(i+d)
						snaps = append(snaps, &store.PublicationSnapshot{PublicationID: t.ID, TakenAt: at, Source: store.PubSourceImport, Views: &v, Likes: &l})
					}
				}
				b.StartTimer()
				if mode == "rowwise" {
					for i := 0; i < len(snaps); i += 5000 {
						if _, err := db.RecordPublicationSnapshots(ctx, org.ID, snaps[i:i+5000]); err != nil {
							b.Fatal(err)
						}
					}
				} else if _, err := db.ImportPublicationSnapshots(ctx, org.ID, snaps, nil); err != nil {
					b.Fatal(err)
				}
				b.StopTimer()
				// Both paths leave the same newest figures.
				rows, err := db.AnalyticsRows(ctx, org.ID, []int64{inst.ID}, published.AddDate(0, 0, -1), published.AddDate(0, 0, 1))
				if err != nil || len(rows) != 1000 {
					b.Fatal(len(rows), err)
				}
				b.StartTimer()
			}
		})
	}
}
