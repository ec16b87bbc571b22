package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// runDemo is `passerelle demo generate --data DIR --institutions N --years Y --seed S`:
// a large, realistic audience history for benchmarks and for trying the UI at scale.
func runDemo(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "generate" {
		fmt.Fprintln(env.Stderr, "Usage: passerelle demo generate --data DIR --institutions N --years Y --seed S [--org-id ID] [--workers K]")
		return errUsage
	}
	fs := flags(env, "demo generate", "demo generate --data DIR --institutions N --years Y --seed S [--org-id ID] [--workers K]")
	institutions := fs.Int("institutions", 10, "how many institutions (each with a Weibo and a WeChat account)")
	years := fs.Float64("years", 1, "years of history up to today")
	seed := fs.Uint64("seed", 1, "the random seed (the same seed writes the same data)")
	orgID := fs.Int64("org-id", 0, "the organization to fill (default: a new one)")
	workers := fs.Int("workers", 0, "institutions written at once (default: 4 on PostgreSQL, 1 on SQLite)")
	data := dataFlags(fs, env)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *institutions < 1 || *institutions > 100000 || *years <= 0 || *years > 20 || *workers < 0 || *workers > 64 || fs.NArg() > 0 {
		fs.Usage()
		return errUsage
	}
	db, err := data.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	if *orgID == 0 {
		org, err := db.CreateOrganization(ctx, fmt.Sprintf("Demo scale %d×%gy seed %d", *institutions, *years, *seed))
		if err != nil {
			return err
		}
		*orgID = org.ID
	} else if _, err := db.Organization(ctx, *orgID); err != nil {
		return fmt.Errorf("organization %d: %w", *orgID, err)
	}
	if *workers == 0 {
		*workers = 1
		if db.Dialect() == store.Postgres {
			*workers = 4
		}
	}
	started := time.Now()
	res, err := analytics.Generate(ctx, db, analytics.GenerateOptions{OrgID: *orgID, Institutions: *institutions, Years: *years, Seed: *seed, Workers: *workers,
		Progress: func(done, total int) {
			filled := done * 30 / total
			fmt.Fprintf(env.Stderr, "\r[%s%s] %d/%d institutions", strings.Repeat("#", filled), strings.Repeat(".", 30-filled), done, total)
			if done == total {
				fmt.Fprintln(env.Stderr)
			}
		}})
	if err != nil {
		return err
	}
	if err := db.AnalyzeAfterLoad(ctx); err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "organization %d: %d institutions, %d publications, %d snapshots in %s\n", *orgID, res.Institutions, res.Publications, res.Snapshots, time.Since(started).Round(time.Second))
	return nil
}
