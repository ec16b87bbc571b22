// Command analytics measures the analytics pages' queries on a dataset written by
// `passerelle demo generate` (issue 11's benchmark: 1,000 institutions × 3 years). For
// each page it runs the service call the page makes, on random institutions and
// periods, and reports p50, p95 and max against the targets (p95 < 300 ms on SQLite,
// < 150 ms on PostgreSQL), then the monthly XLSX report (< 2 s) and the database size.
// It migrates the database first (the analytics indexes are migrations).
//
// Run from the repository root:
//
//	go run ./cmd/passerelle demo generate --data /tmp/scale --institutions 1000 --years 3 --seed 1
//	go run ./bench/analytics -data /tmp/scale
//
//	go run ./cmd/passerelle demo generate --data /tmp/scale-pg --database-url 'postgres://…&search_path=scale' --institutions 1000 --years 3 --seed 1
//	go run ./bench/analytics -data /tmp/scale-pg -database-url 'postgres://…&search_path=scale'
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"runtime/pprof"
	"slices"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/secret"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

func main() {
	data := flag.String("data", "", "the data directory (SQLite: passerelle.db in it)")
	dbURL := flag.String("database-url", "", "PostgreSQL URL of the dataset (with its search_path); empty: SQLite in -data")
	n := flag.Int("n", 40, "measured runs per query")
	orgN := flag.Int("org-n", 40, "measured runs per organization-wide query (the portfolio and its report; 40 so that the p95 is not the maximum)")
	orgID := flag.Int64("org", 0, "the organization (default: the newest)")
	seed := flag.Uint64("seed", 1, "the random seed of the institutions and periods drawn")
	only := flag.String("only", "", "measure only the queries whose name matches this regular expression")
	warm := flag.Int("warm", 10, "unmeasured runs before each query's measured ones (the first is reported as cold)")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the measured runs to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err != nil {
			fmt.Fprintln(os.Stderr, "analytics:", err)
			os.Exit(1)
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			fmt.Fprintln(os.Stderr, "analytics:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	match, err := regexp.Compile(*only)
	if err != nil {
		fmt.Fprintln(os.Stderr, "analytics: -only:", err)
		os.Exit(2)
	}
	if *data == "" && *dbURL == "" || *n < 1 || *orgN < 1 || *warm < 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(*data, *dbURL, *n, *orgN, *warm, *orgID, *seed, match); err != nil {
		pprof.StopCPUProfile()
		fmt.Fprintln(os.Stderr, "analytics:", err)
		os.Exit(1)
	}
}

// targets of issue 11, per engine.
var targets = map[store.Dialect]time.Duration{store.SQLite: 300 * time.Millisecond, store.Postgres: 150 * time.Millisecond}

const xlsxTarget = 2 * time.Second

func run(data, dbURL string, n, orgN, warm int, orgID int64, seed uint64, only *regexp.Regexp) error {
	ctx := context.Background()
	keys, err := secret.NewKeyring(map[int][]byte{1: secret.NewKey()})
	if err != nil {
		return err
	}
	db, err := store.Open(ctx, store.Options{DataDir: data, URL: dbURL, Keys: keys})
	if err != nil {
		return err
	}
	defer db.Close()
	t0 := time.Now()
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	fmt.Printf("%s, %d CPUs, %s; migrate %s; load before: %s", db.Dialect(), runtime.NumCPU(), runtime.Version(), time.Since(t0).Round(time.Millisecond), loadavg())
	if orgID == 0 {
		orgs, err := db.Organizations(ctx)
		if err != nil {
			return err
		}
		if len(orgs) == 0 {
			return fmt.Errorf("no organization: run `passerelle demo generate` first")
		}
		orgID = orgs[len(orgs)-1].ID
	}
	svc := &analytics.Service{DB: db, Tenancy: &tenancy.Service{DB: db}}
	owner := &passerelle.User{OrgID: orgID, Owner: true}
	insts, err := db.Institutions(ctx, store.InstitutionFilter{OrgID: orgID})
	if err != nil {
		return err
	}
	if len(insts) == 0 {
		return fmt.Errorf("organization %d has no institution", orgID)
	}
	var pubs, snaps int64
	db.ReadSQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM publications`).Scan(&pubs)
	db.ReadSQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM publication_snapshots`).Scan(&snaps)
	size, err := dbSize(ctx, db, data)
	if err != nil {
		return err
	}
	fmt.Printf("organization %d: %d institutions; database: %d publications, %d snapshots, %.2f GB\n", orgID, len(insts), pubs, snaps, float64(size)/1e9)

	r := rand.New(rand.NewPCG(seed, 11))
	now := time.Now().In(analytics.Beijing)
	thisMonth := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, analytics.Beijing)
	// A random whole month, quarter or year of the last two years (the previous period
	// is computed too, as the page does).
	month := func() analytics.Period {
		f := thisMonth.AddDate(0, -1-r.IntN(24), 0)
		return analytics.Period{From: f, To: f.AddDate(0, 1, 0)}
	}
	quarter := func() analytics.Period {
		q := time.Date(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1, 0, 0, 0, 0, analytics.Beijing)
		f := q.AddDate(0, -3*(1+r.IntN(7)), 0)
		return analytics.Period{From: f, To: f.AddDate(0, 3, 0)}
	}
	year := func() analytics.Period {
		t := thisMonth.AddDate(0, -r.IntN(12), 0)
		return analytics.Period{From: t.AddDate(-1, 0, 0), To: t}
	}
	inst := func() int64 { return insts[r.IntN(len(insts))].ID }
	institution := func(p func() analytics.Period) func() error {
		return func() error {
			_, _, err := svc.InstitutionSummary(ctx, owner, inst(), p())
			return err
		}
	}
	organization := func(p func() analytics.Period) func() error {
		return func() error {
			_, err := svc.OrganizationSummary(ctx, owner, p())
			return err
		}
	}
	// Publications to read the snapshots of: drawn from random institutions' months.
	var pubIDs []int64
	for try := 0; len(pubIDs) < 200 && try < 100; try++ {
		rows, err := db.AnalyticsRows(ctx, orgID, []int64{inst()}, thisMonth.AddDate(0, -3, 0), thisMonth)
		if err != nil {
			return err
		}
		for _, row := range rows {
			pubIDs = append(pubIDs, row.PublicationID)
		}
	}
	if len(pubIDs) == 0 {
		return fmt.Errorf("no publication in the last three months")
	}
	xlsx := func(scope string) func() error {
		return func() error {
			p := month()
			var s *analytics.Summary
			title := "Portfolio"
			if scope == "institution" {
				var i *passerelle.Institution
				s, i, err = svc.InstitutionSummary(ctx, owner, inst(), p)
				if err == nil {
					title = i.Name
				}
			} else {
				s, err = svc.OrganizationSummary(ctx, owner, p)
			}
			if err != nil {
				return err
			}
			_, err := (&analytics.Report{Title: title, Summary: s, Lang: "zh-Hans"}).Render(io.Discard, "xlsx")
			return err
		}
	}
	target := targets[db.Dialect()]
	cases := []struct {
		name   string
		target time.Duration
		fn     func() error
		runs   int
	}{
		{"institution month (+ previous)", target, institution(month), n},
		{"institution quarter (+ previous)", target, institution(quarter), n},
		{"institution year (+ previous)", target, institution(year), n},
		{"publication snapshots", target, func() error {
			_, err := svc.Snapshots(ctx, owner, pubIDs[r.IntN(len(pubIDs))])
			return err
		}, n},
		{"monthly XLSX report, institution", xlsxTarget, xlsx("institution"), n},
		{"organization month (+ previous)", target, organization(month), orgN},
		{"organization quarter (+ previous)", target, organization(quarter), orgN},
		{"organization year (+ previous)", target, organization(year), orgN},
		{"monthly XLSX report, organization", xlsxTarget, xlsx("organization"), orgN},
	}
	// The unmeasured runs are those of a server that has been serving: its pooled
	// connections' PostgreSQL backends have touched the pages and catalogs the
	// queries need (their first statements are slow; the pool keeps them an hour).
	// The first of them, on connections new to the query, is reported as cold.
	fmt.Printf("%d measured runs per query (%d organization-wide) after %d unmeasured, the first of which is \"cold\"; top posts, heatmap, formats, themes and findings come from the summary's breakdown\n", n, orgN, warm)
	fmt.Printf("%-36s %9s %9s %9s %9s %9s  %s\n", "query", "cold ms", "p50 ms", "p95 ms", "max ms", "target", "")
	failed := 0
	for _, c := range cases {
		if !only.MatchString(c.name) {
			continue
		}
		var cold time.Duration
		for i := range warm {
			start := time.Now()
			if err := c.fn(); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			if i == 0 {
				cold = time.Since(start)
			}
		}
		times := make([]time.Duration, 0, c.runs)
		for range c.runs {
			start := time.Now()
			if err := c.fn(); err != nil {
				return fmt.Errorf("%s: %w", c.name, err)
			}
			times = append(times, time.Since(start))
		}
		slices.Sort(times)
		p95 := quantile(times, 0.95)
		verdict := "ok"
		if p95 >= c.target {
			verdict = "OVER"
			failed++
		}
		fmt.Printf("%-36s %9.1f %9.1f %9.1f %9.1f %9d  %s\n", c.name, ms(cold), ms(quantile(times, 0.5)), ms(p95), ms(times[len(times)-1]), c.target.Milliseconds(), verdict)
	}
	fmt.Printf("load after: %s", loadavg())
	fmt.Printf("over target: %d of %d\n", failed, len(cases))
	return nil
}

func quantile(times []time.Duration, q float64) time.Duration {
	return times[int(q*float64(len(times)-1)+0.5)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown\n"
	}
	return string(b)
}

// dbSize is the SQLite file with its WAL, or the PostgreSQL schema's relations with
// their indexes and TOAST.
func dbSize(ctx context.Context, db *store.DB, data string) (int64, error) {
	if db.Dialect() == store.Postgres {
		var n int64
		err := db.ReadSQL().QueryRowContext(ctx, `SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::BIGINT FROM pg_class c
			JOIN pg_namespace ns ON ns.oid = c.relnamespace WHERE ns.nspname = current_schema() AND c.relkind IN ('r', 'm')`).Scan(&n)
		return n, err
	}
	var n int64
	for _, f := range []string{"passerelle.db", "passerelle.db-wal"} {
		st, err := os.Stat(filepath.Join(data, f))
		if err == nil {
			n += st.Size()
		} else if !os.IsNotExist(err) {
			return 0, err
		}
	}
	return n, nil
}
