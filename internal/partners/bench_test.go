package partners_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// The targets: a directory search over 10,000 partners, p95 under 50 ms on
// SQLite; a campaign report over 500 relays under 200 ms. Run with
//
//	go test ./internal/partners -run '^$' -bench . -benchtime 200x
//
// Each benchmark reports p50 and p95 per operation besides the mean.

var topics = []string{"impressionnisme", "bronzes", "céramique", "mode", "photographie", "art contemporain", "calligraphie", "jardins"}

func seedDirectory(b *testing.B, db *store.DB, bb *bundle, n int) {
	b.Helper()
	ctx := context.Background()
	batch := make([]*passerelle.Partner, 0, 500)
	for i := range n {
		f := int64(1000 + (i*7919)%3_000_000)
		p := &passerelle.Partner{OrgID: bb.org, Name: fmt.Sprintf("Partner %05d", i), NameZH: fmt.Sprintf("伙伴%05d", i),
			Kind: passerelle.PartnerKinds[i%len(passerelle.PartnerKinds)], Topics: []string{topics[i%len(topics)], topics[(i/3)%len(topics)]},
			Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Platforms[i%len(passerelle.Platforms)], Handle: fmt.Sprintf("handle%05d", i), Followers: &f}}}
		batch = append(batch, p)
		if len(batch) == cap(batch) || i == n-1 {
			if err := db.CreatePartners(ctx, batch); err != nil {
				b.Fatal(err)
			}
			batch = batch[:0]
		}
	}
}

func percentiles(b *testing.B, d []time.Duration) {
	slices.Sort(d)
	if len(d) == 0 {
		return
	}
	b.ReportMetric(float64(d[len(d)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(d[len(d)*95/100].Microseconds())/1000, "p95-ms")
	b.ReportMetric(float64(d[len(d)-1].Microseconds())/1000, "max-ms")
}

// BenchmarkDirectorySearch: one page (50) of a search over 10,000 partners, cycling
// through a text query, a kind, a platform with a follower floor, and no filter.
func BenchmarkDirectorySearch(b *testing.B) {
	db := storetest.SQLite(b)
	bb := setup(b, db)
	seedDirectory(b, db, bb, 10_000)
	ctx := context.Background()
	searches := []partners.Search{
		{Query: "impression", Limit: 51},
		{Query: "伙伴0999", Limit: 51},
		{Kind: passerelle.PartnerInfluencer, Limit: 51},
		{Platform: passerelle.Weibo, MinFollowers: 1_000_000, Limit: 51},
		{Query: "handle09", Kind: passerelle.PartnerMuseum, Limit: 51},
		{Limit: 51, AfterID: 5000},
	}
	// The reference, measured in the same loop under the same load: reading one
	// partner by its id (the cheapest read of the directory).
	var d, ref []time.Duration
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if _, err := bb.svc.Partners(ctx, bb.owner, searches[i%len(searches)]); err != nil {
			b.Fatal(err)
		}
		d = append(d, time.Since(start))
		start = time.Now()
		if _, err := bb.svc.Partner(ctx, bb.owner, int64(1+i%10_000)); err != nil {
			b.Fatal(err)
		}
		ref = append(ref, time.Since(start))
	}
	b.StopTimer()
	percentiles(b, d)
	slices.Sort(ref)
	b.ReportMetric(float64(ref[len(ref)*95/100].Microseconds())/1000, "ref-p95-ms")
	b.ReportMetric(float64(ref[len(ref)/2].Microseconds())/1000, "ref-p50-ms")
}

// BenchmarkCampaignReport: reading a campaign of 500 relays with its totals.
func BenchmarkCampaignReport(b *testing.B) {
	db := storetest.SQLite(b)
	bb := setup(b, db)
	seedDirectory(b, db, bb, 500)
	ctx := context.Background()
	ps, err := bb.svc.Partners(ctx, bb.owner, partners.Search{Limit: 500})
	if err != nil {
		b.Fatal(err)
	}
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	c, err := bb.svc.CreateCampaign(ctx, bb.owner, partners.CampaignInput{PostID: bb.post.ID, PartnerIDs: ids})
	if err != nil {
		b.Fatal(err)
	}
	for i, id := range ids[:250] {
		v := int64(1000 + i)
		if _, err := db.UpdateRelay(ctx, bb.org, c.ID, id, func(_ *passerelle.Campaign, r *passerelle.Relay) error {
			r.Status, r.URL, r.Views = passerelle.RelayRelayed, "https://weibo.com/1234567890/Relay"+fmt.Sprint(i), &v
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	var d []time.Duration
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		got, err := bb.svc.Campaign(ctx, bb.owner, c.ID)
		if err != nil || got.Totals.Relayed != 250 {
			b.Fatalf("%v %+v", err, got.Totals)
		}
		d = append(d, time.Since(start))
	}
	b.StopTimer()
	percentiles(b, d)
}
