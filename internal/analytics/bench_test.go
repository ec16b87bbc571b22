package analytics_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// benchDB opens the dataset of PASSERELLE_BENCH_DATA (a data directory filled by
// `passerelle demo generate`), or generates a small one.
func benchDB(b *testing.B) (*store.DB, int64) {
	b.Helper()
	ctx := context.Background()
	if dir := os.Getenv("PASSERELLE_BENCH_DATA"); dir != "" {
		db, err := store.Open(ctx, store.Options{DataDir: dir, URL: os.Getenv("PASSERELLE_BENCH_DATABASE_URL"), Keys: storetest.Keyring(b)})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		orgs, err := db.Organizations(ctx)
		if err != nil || len(orgs) == 0 {
			b.Fatal("no organization", err)
		}
		return db, orgs[len(orgs)-1].ID
	}
	db := storetest.SQLite(b)
	org, err := db.CreateOrganization(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := analytics.Generate(ctx, db, analytics.GenerateOptions{OrgID: org.ID, Institutions: 3, Years: 1, Seed: 1}); err != nil {
		b.Fatal(err)
	}
	return db, org.ID
}

// BenchmarkInstitutionMonth times the analytics page's queries (the summary of one
// institution over one month, with the previous month) on random institutions and
// months; it reports the p50, p95 and max.
func BenchmarkInstitutionMonth(b *testing.B) {
	db, orgID := benchDB(b)
	ctx := context.Background()
	svc := &analytics.Service{DB: db, Tenancy: &tenancy.Service{DB: db}}
	owner := &passerelle.User{OrgID: orgID, Owner: true}
	insts, err := db.Institutions(ctx, store.InstitutionFilter{OrgID: orgID})
	if err != nil {
		b.Fatal(err)
	}
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Now().In(analytics.Beijing)
	var times []time.Duration
	b.ResetTimer()
	for b.Loop() {
		inst := insts[r.IntN(len(insts))]
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, analytics.Beijing).AddDate(0, -1-r.IntN(10), 0)
		p := analytics.Period{From: first, To: first.AddDate(0, 1, 0)}
		start := time.Now()
		if _, _, err := svc.InstitutionSummary(ctx, owner, inst.ID, p); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	report(b, times)
}

// BenchmarkOrganizationMonth times the organization page's queries (the summary of
// every institution over one month with the previous month, the days, and the
// portfolio) on random months; it reports the p50, p95 and max.
func BenchmarkOrganizationMonth(b *testing.B) {
	db, orgID := benchDB(b)
	ctx := context.Background()
	svc := &analytics.Service{DB: db, Tenancy: &tenancy.Service{DB: db}}
	owner := &passerelle.User{OrgID: orgID, Owner: true}
	r := rand.New(rand.NewPCG(1, 2))
	now := time.Now().In(analytics.Beijing)
	var times []time.Duration
	b.ResetTimer()
	for b.Loop() {
		first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, analytics.Beijing).AddDate(0, -1-r.IntN(10), 0)
		start := time.Now()
		s, err := svc.OrganizationSummary(ctx, owner, analytics.Period{From: first, To: first.AddDate(0, 1, 0)})
		if err != nil {
			b.Fatal(err)
		}
		if len(s.Institutions) == 0 || len(s.Daily) == 0 {
			b.Fatal("no portfolio or no days")
		}
		times = append(times, time.Since(start))
	}
	report(b, times)
}

func report(b *testing.B, times []time.Duration) {
	slices.Sort(times)
	q := func(f float64) float64 { return float64(times[int(f*float64(len(times)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.95), "p95-ms")
	b.ReportMetric(q(1), "max-ms")
}

// BenchmarkMonthlyXLSX times a monthly report of an institution in XLSX, from the
// queries to the file.
func BenchmarkMonthlyXLSX(b *testing.B) {
	db, orgID := benchDB(b)
	ctx := context.Background()
	svc := &analytics.Service{DB: db, Tenancy: &tenancy.Service{DB: db}}
	owner := &passerelle.User{OrgID: orgID, Owner: true}
	insts, _ := db.Institutions(ctx, store.InstitutionFilter{OrgID: orgID})
	now := time.Now().In(analytics.Beijing)
	first := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, analytics.Beijing).AddDate(0, -1, 0)
	p := analytics.Period{From: first, To: first.AddDate(0, 1, 0)}
	var times []time.Duration
	for b.Loop() {
		start := time.Now()
		s, inst, err := svc.InstitutionSummary(ctx, owner, insts[0].ID, p)
		if err != nil {
			b.Fatal(err)
		}
		rep := &analytics.Report{Title: inst.Name, Summary: s}
		if _, err := rep.Render(io.Discard, "xlsx"); err != nil {
			b.Fatal(err)
		}
		times = append(times, time.Since(start))
	}
	report(b, times)
}

// BenchmarkImport100k imports a 100,000-row CSV (1,000 posts × 100 days) into a fresh
// SQLite database each time.
func BenchmarkImport100k(b *testing.B) {
	ctx := context.Background()
	var times []time.Duration
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
		var buf bytes.Buffer
		buf.WriteString("博文ID,日期,阅读数,转发数,评论数,点赞数\n")
		for d := range 100 {
			day := published.AddDate(0, 0, d+1).Format(time.DateOnly)
			for i := range 1000 {
				fmt.Fprintf(&buf, "%d,%s,%d.%d万,%d,%d,%d\n", 4900000000000000+i, day, d+1, i%10, i, d, i+d)
			}
		}
		svc := &analytics.Service{DB: db}
		b.StartTimer()
		start := time.Now()
		res, err := svc.Import(ctx, org.ID, acct.ID, buf.Bytes(), analytics.ImportOptions{})
		if err != nil || res.Imported != 100000 {
			b.Fatal(res, err)
		}
		times = append(times, time.Since(start))
	}
	report(b, times)
}
