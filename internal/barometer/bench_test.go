package barometer_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/barometer"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

const (
	benchAccounts = 2000
	benchDays     = 1095 // twelve quarters of daily readings
)

// benchDB opens the benchmark's SQLite database, building it on first use: 2,000
// watched Weibo accounts with a reading a day for 1,095 days (2.19 M readings),
// inserted in one transaction through one prepared statement. The file is kept in the
// temporary directory between runs, since building it takes a while.
func benchDB(b *testing.B) (*store.DB, int64) {
	b.Helper()
	ctx := context.Background()
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("passerelle-barometer-bench-v1-%d-%d", benchAccounts, benchDays))
	db, err := store.Open(ctx, store.Options{DataDir: dir, Keys: storetest.Keyring(b)})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if err := db.Migrate(ctx); err != nil {
		b.Fatal(err)
	}
	var n int
	if err := db.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM account_snapshots`).Scan(&n); err != nil {
		b.Fatal(err)
	}
	if n == benchAccounts*benchDays {
		return db, 1
	}
	if n != 0 {
		b.Fatalf("%s holds a partial benchmark database; remove it", dir)
	}
	start := time.Now()
	tx, err := db.SQL().BeginTx(ctx, nil)
	if err != nil {
		b.Fatal(err)
	}
	defer tx.Rollback()
	const ts = "2006-01-02T15:04:05.000000Z"
	now := time.Now().UTC().Format(ts)
	if _, err := tx.ExecContext(ctx, `INSERT INTO organizations (id, name, created_at) VALUES (1, 'Bench', ?)`, now); err != nil {
		b.Fatal(err)
	}
	inst, err := tx.PrepareContext(ctx, `INSERT INTO institutions (id, org_id, name, country, time_zone, kind, created_at, updated_at) VALUES (?, 1, ?, ?, 'Europe/Paris', 'museum', ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	acc, err := tx.PrepareContext(ctx, `INSERT INTO accounts (id, institution_id, platform, kind, display_name, created_at, updated_at) VALUES (?, ?, 'weibo', 'watched', ?, ?, ?)`)
	if err != nil {
		b.Fatal(err)
	}
	snap, err := tx.PrepareContext(ctx, `INSERT INTO account_snapshots (account_id, taken_at, followers, posts, views, interactions, source, created_at) VALUES (?, ?, ?, ?, ?, ?, 'api', ?)`)
	if err != nil {
		b.Fatal(err)
	}
	countries := []string{"FR", "US", "GB", "IT", "CN", "NL", "DE", "JP"}
	first := time.Date(2023, 10, 1, 0, 0, 0, 0, barometer.Zone())
	for a := 1; a <= benchAccounts; a++ {
		name := fmt.Sprintf("Museum %04d", a)
		if _, err := inst.ExecContext(ctx, a, name, countries[a%len(countries)], now, now); err != nil {
			b.Fatal(err)
		}
		if _, err := acc.ExecContext(ctx, a, a, name, now, now); err != nil {
			b.Fatal(err)
		}
		base := int64(1000 + (a*7919)%500_000)
		for d := range benchDays {
			at := first.AddDate(0, 0, d).UTC().Format(ts)
			f := base + int64(d*(a%37))
			if _, err := snap.ExecContext(ctx, a, at, f, int64(d/3), int64(d*(a%101)*10), int64(d*(a%53)), now); err != nil {
				b.Fatal(err)
			}
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	b.Logf("built %d readings in %s (cached in %s)", benchAccounts*benchDays, time.Since(start).Round(time.Millisecond), dir)
	return db, 1
}

// BenchmarkBarometer computes the Weibo barometer of a quarter (with growth and the
// previous quarter's ranks) over 2,000 accounts and 2.19 M daily readings on SQLite.
// Target: under 200 ms.
func BenchmarkBarometer(b *testing.B) {
	db, org := benchDB(b)
	svc := &barometer.Service{DB: db}
	q, _ := barometer.ParseQuarter("2026Q2")
	ctx := context.Background()
	b.ResetTimer()
	for b.Loop() {
		t, err := svc.Compute(ctx, org, q, "weibo", barometer.Filter{})
		if err != nil {
			b.Fatal(err)
		}
		if len(t.Rows) != benchAccounts || t.Rows[0].Rank == nil || t.Rows[0].Growth == nil || t.Rows[0].PreviousRank == nil {
			b.Fatalf("unexpected table: %d rows, first %+v", len(t.Rows), t.Rows[0])
		}
	}
}
