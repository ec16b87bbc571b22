package store_test

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestDayWalkRanksAsThePeriod compares the top and bottom posts found by the day walk
// of migration 0080 (PostgreSQL) with the period's publications ranked here, for
// random periods of whole Beijing days, the whole organization or some of its
// institutions, while another organization's publications share the days, and after
// figures and instants of publication changed. The walk may decline (a scope holding
// few of its days' first publications) but must answer most whole-organization
// periods, and never wrongly.
//
// Not parallel: it shortens the walk (SetDayWalkExtra) so that the days' walks stop
// before their ends, and the threshold decides.
func TestDayWalkRanksAsThePeriod(t *testing.T) {
	db := storetest.Postgres(t)
	ctx := context.Background()
	end := time.Date(2026, 11, 15, 12, 0, 0, 0, analytics.Beijing)
	var orgs []int64
	for i, n := range []int{4, 2} {
		org, err := db.CreateOrganization(ctx, fmt.Sprintf("walk %d", i))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := analytics.Generate(ctx, db, analytics.GenerateOptions{OrgID: org.ID, Institutions: n, Years: 0.25, Seed: uint64(7 + i), End: end, Workers: 2}); err != nil {
			t.Fatal(err)
		}
		orgs = append(orgs, org.ID)
	}
	org := orgs[0]
	insts, err := db.Institutions(ctx, store.InstitutionFilter{OrgID: org})
	if err != nil || len(insts) != 4 {
		t.Fatal(insts, err)
	}
	var instIDs []int64
	for _, in := range insts {
		instIDs = append(instIDs, in.ID)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	interactions := func(r store.AnalyticsRow) int64 {
		var s int64
		for _, v := range []*int64{r.Likes, r.Comments, r.Reposts} {
			if v != nil {
				s += *v
			}
		}
		return s
	}
	ids := func(rs []store.AnalyticsRow) []int64 {
		out := []int64{}
		for _, r := range rs {
			out = append(out, r.PublicationID)
		}
		return out
	}
	day := time.Date(2026, 11, 16, 0, 0, 0, 0, analytics.Beijing)
	var checkWalk func(what string, extra int)
	check := func(what string) {
		t.Helper()
		for _, extra := range []int{10, 0} {
			checkWalk(fmt.Sprintf("%s, walk of n+%d", what, extra), extra)
		}
	}
	checkWalk = func(what string, extra int) {
		t.Helper()
		defer store.SetDayWalkExtra(extra)()
		answered, asked := 0, 0
		for range 40 {
			from := day.AddDate(0, 0, -1-rng.IntN(80))
			to := from.AddDate(0, 0, 1+rng.IntN(40))
			scope, whole := store.AllInstitutions(), true
			if rng.IntN(3) == 0 {
				scope, whole = instIDs[:1+rng.IntN(3)], false
			}
			rows, err := db.AnalyticsRows(ctx, org, scope, from, to)
			if err != nil {
				t.Fatal(err)
			}
			for _, desc := range []bool{true, false} {
				ranked := slices.Clone(rows)
				slices.SortFunc(ranked, func(a, b store.AnalyticsRow) int {
					if x, y := interactions(a), interactions(b); x != y {
						if desc {
							return cmp.Compare(y, x)
						}
						return cmp.Compare(x, y)
					}
					if desc {
						return cmp.Compare(a.PublicationID, b.PublicationID)
					}
					return cmp.Compare(b.PublicationID, a.PublicationID)
				})
				for _, n := range []int{1, 5, 12} {
					got, ok, err := db.DayWalk(ctx, org, scope, from, to, desc, n)
					if err != nil {
						t.Fatal(err)
					}
					if whole {
						asked++
					}
					if !ok {
						continue
					}
					if whole {
						answered++
					}
					want := ranked[:min(n, len(ranked))]
					if !slices.Equal(ids(got), ids(want)) {
						t.Errorf("%s: %s…%s, scope %v, desc %v, n %d: day walk %v, the period ranked %v", what, from.Format(time.DateOnly), to.Format(time.DateOnly), scope, desc, n, ids(got), ids(want))
					}
				}
			}
		}
		t.Logf("%s: the day walk answered %d of %d whole-organization rankings", what, answered, asked)
		if answered*4 < asked*3 {
			t.Errorf("%s: the day walk answered %d of %d whole-organization rankings", what, answered, asked)
		}
	}
	check("generated")
	// Figures and instants change: the figures' days and the index follow.
	rows, err := db.AnalyticsRows(ctx, org, store.AllInstitutions(), day.AddDate(0, 0, -90), day)
	if err != nil || len(rows) < 100 {
		t.Fatal(len(rows), err)
	}
	for i := range 60 {
		r := rows[rng.IntN(len(rows))]
		switch i % 3 {
		case 0:
			storetest.Exec(t, db, `UPDATE publications SET published_at = ? WHERE id = ?`, r.PublishedAt.AddDate(0, 0, rng.IntN(21)-10), r.PublicationID)
		case 1:
			storetest.Exec(t, db, `UPDATE publication_figures SET likes = ?, comments = NULL WHERE publication_id = ?`, rng.Int64N(50), r.PublicationID)
		case 2:
			storetest.Exec(t, db, `DELETE FROM publication_figures WHERE publication_id = ?`, r.PublicationID)
		}
	}
	check("after changes")
}

// TestFiguresDayFollowsThePublication checks the figures' day of publication (0080)
// on both engines: set when figures are first written, kept when the publication's
// instant changes.
func TestFiguresDayFollowsThePublication(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, err := db.CreateOrganization(ctx, "days")
		if err != nil {
			t.Fatal(err)
		}
		end := time.Date(2026, 11, 15, 12, 0, 0, 0, analytics.Beijing)
		if _, err := analytics.Generate(ctx, db, analytics.GenerateOptions{OrgID: org.ID, Institutions: 1, Years: 0.1, Seed: 5, End: end, Workers: 1}); err != nil {
			t.Fatal(err)
		}
		rows, err := db.AnalyticsRows(ctx, org.ID, store.AllInstitutions(), end.AddDate(0, -2, 0), end)
		if err != nil || len(rows) < 20 {
			t.Fatal(len(rows), err)
		}
		// Instants moved across Beijing midnights; figures deleted and written again.
		for i, r := range rows[:20] {
			switch i % 2 {
			case 0:
				storetest.Exec(t, db, `UPDATE publications SET published_at = ? WHERE id = ?`, r.PublishedAt.Add(time.Duration(i-10)*7*time.Hour).UTC(), r.PublicationID)
			case 1:
				storetest.Exec(t, db, `DELETE FROM publication_figures WHERE publication_id = ?`, r.PublicationID)
				if _, err := db.RecordPublicationSnapshots(ctx, org.ID, []*store.PublicationSnapshot{{PublicationID: r.PublicationID, TakenAt: end, Source: store.PubSourceManual, Likes: ptr(int64(i))}}); err != nil {
					t.Fatal(err)
				}
			}
		}
		got, err := db.ReadSQL().QueryContext(ctx, `SELECT f.day, p.published_at FROM publication_figures f JOIN publications p ON p.id = f.publication_id`)
		if err != nil {
			t.Fatal(err)
		}
		defer got.Close()
		n := 0
		for got.Next() {
			var day *string
			var at any
			if err := got.Scan(&day, &at); err != nil {
				t.Fatal(err)
			}
			var want string
			switch v := at.(type) {
			case time.Time:
				want = v.In(analytics.Beijing).Format(time.DateOnly)
			case string:
				ts, ok := store.ParseUTC(v)
				if !ok {
					t.Fatalf("published_at %q", v)
				}
				want = ts.In(analytics.Beijing).Format(time.DateOnly)
			default:
				t.Fatalf("published_at %T", at)
			}
			if day == nil || *day != want {
				got := "NULL"
				if day != nil {
					got = *day
				}
				t.Fatalf("figures' day %s, published %v (Beijing day %s)", got, at, want)
			}
			n++
		}
		if err := got.Err(); err != nil || n < 20 {
			t.Fatal(n, err)
		}
	})
}

func ptr[T any](v T) *T { return &v }
