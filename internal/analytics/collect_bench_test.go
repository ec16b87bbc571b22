package analytics_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/clients"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// BenchmarkCollectWeibo10k: the counts of 10,000 Weibo publications (40 accounts of
// 250 posts) collected against the simulator, one slot per iteration (+1 h, +3 h, …),
// within the batch rule (≤ 100 ids per statuses/count call) and the quota rules (the
// account's budget, 150 reads an hour by default, and the platform's 1,000: a 10023
// answer fails the benchmark). Reports calls, ids per call and readings per slot.
//
//	go test -run '^$' -bench CollectWeibo10k -benchtime 3x ./internal/analytics/
//
// (PostgreSQL too when PASSERELLE_TEST_POSTGRES_URL is set.)
func BenchmarkCollectWeibo10k(b *testing.B) {
	b.Run("sqlite", func(b *testing.B) { benchCollectWeibo(b, storetest.SQLite(b)) })
	b.Run("postgres", func(b *testing.B) { benchCollectWeibo(b, storetest.Postgres(b)) })
}

func benchCollectWeibo(b *testing.B, db *store.DB) {
	const accounts, perAccount = 40, 250
	ctx := context.Background()
	bt := time.Now().In(analytics.Beijing).AddDate(0, 0, -12)
	t0 := time.Date(bt.Year(), bt.Month(), bt.Day(), 10, 0, 0, 0, analytics.Beijing)
	clk := &clock{t: t0}
	sm := sim.New(sim.Config{Seed: 11, Clock: clk.Now, Start: t0,
		WeiboApps: []sim.WeiboApp{{ClientID: "3000001", ClientSecret: "wbsecret", SafeDomain: "museum.example", TokenLifetimeSeconds: 30 * 86400}}})
	srv := httptest.NewServer(sm)
	b.Cleanup(func() { sm.Close(); srv.Close() })
	org, err := db.CreateOrganization(ctx, "Agence")
	if err != nil {
		b.Fatal(err)
	}
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Louvre"}
	if err := db.CreateInstitution(ctx, inst); err != nil {
		b.Fatal(err)
	}
	var ids []int64
	for i := range accounts {
		uid := strconv.Itoa(1850000100 + i)
		a := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Handle: "museum" + uid}
		if err := db.CreateAccount(ctx, org.ID, a); err != nil {
			b.Fatal(err)
		}
		ids = append(ids, a.ID)
		tok, err := sm.IssueWeiboToken("3000001", uid)
		if err != nil {
			b.Fatal(err)
		}
		if err := db.SetCredentials(ctx, org.ID, a.ID, map[string]string{"app_key": "3000001", "app_secret": "wbsecret", "access_token": tok.AccessToken}); err != nil {
			b.Fatal(err)
		}
		if err := db.SaveConnection(ctx, &store.Connection{AccountID: a.ID, Status: "ok", DiagnosisKey: "ok", CanPublish: true, PlatformUID: uid}); err != nil {
			b.Fatal(err)
		}
		load := store.AudienceLoad{}
		for j := range perAccount {
			id, err := sm.AddWeiboStatus(uid, "Post "+strconv.Itoa(j))
			if err != nil {
				b.Fatal(err)
			}
			load.Posts = append(load.Posts, store.AudiencePost{InstitutionID: inst.ID, Title: "Post", Theme: "collection", PublishedAt: t0,
				Publications: []store.AudiencePublication{{AccountID: a.ID, Format: passerelle.FormatText, PlatformPostID: id}}})
		}
		if err := db.LoadAudience(ctx, org.ID, load); err != nil {
			b.Fatal(err)
		}
	}
	calls := &callLog{paths: map[string]int{}, next: http.DefaultTransport}
	col := &analytics.Collector{DB: db, Now: clk.Now, Jobs: &queued{},
		Clients: &clients.Factory{DB: db, WeiboAPI: srv.URL, HTTPClient: &http.Client{Transport: calls, Timeout: 30 * time.Second}, Now: clk.Now}}
	limit := store.DefaultCollectionSettings().WeiboReadsPerHour
	slots := []time.Duration{time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour, 24 * time.Hour, 48 * time.Hour, 72 * time.Hour, 96 * time.Hour, 120 * time.Hour, 144 * time.Hour}
	var totalCalls, totalReadings int
	var elapsed time.Duration
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		clk.Set(t0.Add(slots[i%len(slots)] + time.Duration(i/len(slots))*240*time.Hour))
		start := time.Now()
		for _, a := range ids {
			res, err := col.CollectWeiboCounts(ctx, a)
			if err != nil {
				b.Fatalf("account %d: %v", a, err)
			}
			if res.Calls > limit {
				b.Fatalf("account %d made %d calls in an hour (budget %d)", a, res.Calls, limit)
			}
			totalCalls += res.Calls
			totalReadings += res.Readings
		}
		elapsed += time.Since(start)
	}
	b.StopTimer()
	maxIDs, sum := 0, 0
	for _, n := range calls.ids {
		maxIDs = max(maxIDs, n)
		sum += n
	}
	if maxIDs > 100 {
		b.Fatalf("a call carried %d ids", maxIDs)
	}
	for _, a := range ids {
		st, err := db.CollectionStateOf(ctx, a)
		if err != nil || st.NeedsReauth || st.BlockedUntil != nil {
			b.Fatalf("account %d: %+v %v", a, st, err)
		}
	}
	b.ReportMetric(float64(totalCalls)/float64(b.N), "calls/slot")
	b.ReportMetric(float64(sum)/float64(max(1, len(calls.ids))), "ids/call")
	b.ReportMetric(float64(maxIDs), "max-ids/call")
	b.ReportMetric(float64(totalReadings)/float64(b.N), "readings/slot")
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/slot")
}
