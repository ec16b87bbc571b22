package analytics

import (
	"context"
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// TestFollowerSumsFollowEveryWrite checks the follower sums kept by migration 0076's
// triggers against the readings themselves, on a generated history to which random
// writes are applied: readings added in and out of order (same instant included),
// changed, moved in time, cleared and deleted, and WeChat's daily follower moves
// added, changed and deleted. The organization's daily followers (from
// analytics_org_followers) must equal those carried forward account by account from
// the readings, and each account's moves (whole months from follower_months) the sums
// of its days.
func TestFollowerSumsFollowEveryWrite(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, err := db.CreateOrganization(ctx, "followers")
		if err != nil {
			t.Fatal(err)
		}
		end := time.Date(2026, 11, 15, 12, 0, 0, 0, Beijing)
		if _, err := Generate(ctx, db, GenerateOptions{OrgID: org.ID, Institutions: 2, Years: 0.3, Seed: 5, End: end, Workers: 2}); err != nil {
			t.Fatal(err)
		}
		accounts, err := db.Accounts(ctx, store.AccountFilter{OrgID: org.ID, IncludeArchived: true})
		if err != nil || len(accounts) < 2 {
			t.Fatal(accounts, err)
		}
		owner := &passerelle.User{OrgID: org.ID, Owner: true}
		svc := &Service{DB: db, Tenancy: &tenancy.Service{DB: db}}
		whole, _, err := svc.organizationScope(ctx, owner)
		if err != nil || !whole.WholeOrg || len(whole.Accounts) != len(accounts) {
			t.Fatalf("scope %+v, %v", whole, err)
		}
		exec := func(query string, args ...any) {
			t.Helper()
			storetest.Exec(t, db, query, args...)
		}
		ids := func(query string, args ...any) []int64 {
			t.Helper()
			rows, err := db.SQL().QueryContext(ctx, storetest.Rebind(db, query), args...)
			if err != nil {
				t.Fatal(err)
			}
			defer rows.Close()
			var out []int64
			for rows.Next() {
				var id int64
				if err := rows.Scan(&id); err != nil {
					t.Fatal(err)
				}
				out = append(out, id)
			}
			return out
		}
		acctIDs := make([]int64, 0, len(accounts))
		for _, a := range accounts {
			acctIDs = append(acctIDs, a.ID)
		}
		day := time.Date(2026, 11, 16, 0, 0, 0, 0, Beijing)
		periods := []Period{
			{From: time.Date(2026, 9, 17, 0, 0, 0, 0, Beijing), To: time.Date(2026, 11, 3, 0, 0, 0, 0, Beijing)},
			{From: time.Date(2026, 10, 1, 0, 0, 0, 0, Beijing), To: time.Date(2026, 11, 1, 0, 0, 0, 0, Beijing)},
			{From: time.Date(2026, 8, 31, 0, 0, 0, 0, Beijing), To: time.Date(2026, 10, 1, 0, 0, 0, 0, Beijing)},
			{From: day.AddDate(-1, 0, 0), To: day},
			// Months less their days outside the period (store's daySpans): at the
			// start, at the end, and both within one month.
			{From: time.Date(2026, 9, 3, 0, 0, 0, 0, Beijing), To: time.Date(2026, 11, 1, 0, 0, 0, 0, Beijing)},
			{From: time.Date(2026, 8, 1, 0, 0, 0, 0, Beijing), To: time.Date(2026, 10, 30, 0, 0, 0, 0, Beijing)},
			{From: time.Date(2026, 10, 3, 0, 0, 0, 0, Beijing), To: time.Date(2026, 10, 30, 0, 0, 0, 0, Beijing)},
		}
		check := func(step int) {
			t.Helper()
			for _, p := range periods {
				what := fmt.Sprintf("after %d writes, %s…%s", step, p.From.Format(time.DateOnly), p.Last().Format(time.DateOnly))
				known := compareOrgFollowers(t, ctx, svc, whole, p, what)
				if step == 0 && known == 0 {
					t.Fatalf("%s: no follower reading at all", what)
				}
				from, to := p.From.Format(time.DateOnly), p.Last().Format(time.DateOnly)
				moves, err := db.FollowerMovesEach(ctx, acctIDs, from, to)
				if err != nil {
					t.Fatal(err)
				}
				for _, id := range acctIDs {
					var n, newF, lost int64
					if err := db.SQL().QueryRowContext(ctx, storetest.Rebind(db, `SELECT COUNT(*), COALESCE(SUM(new_followers), 0), COALESCE(SUM(lost_followers), 0) FROM follower_days
						WHERE account_id = ? AND day >= ? AND day <= ?`), id, from, to).Scan(&n, &newF, &lost); err != nil {
						t.Fatal(err)
					}
					m, ok := moves[id]
					if ok != (n > 0) || m.New != newF || m.Lost != lost {
						t.Fatalf("%s: account %d moves %+v (%v), days %d/%d over %d days", what, id, m, ok, newF, lost, n)
					}
				}
			}
		}
		check(0)
		rng := rand.New(rand.NewPCG(5, uint64(len(db.Dialect()))))
		span := periods[3].To.Sub(periods[3].From)
		at := func() time.Time {
			return periods[3].From.Add(time.Duration(rng.Int64N(int64(span)))).Truncate(time.Second)
		}
		const writes = 200
		for step := 1; step <= writes; step++ {
			acct := acctIDs[rng.IntN(len(acctIDs))]
			readings := ids(`SELECT id FROM account_snapshots WHERE account_id = ?`, acct)
			reading := func() int64 { return readings[rng.IntN(len(readings))] }
			switch op := rng.IntN(9); {
			case op <= 1 || len(readings) == 0: // a reading, anywhere in time
				exec(`INSERT INTO account_snapshots (account_id, taken_at, followers, source, created_at) VALUES (?, ?, ?, ?, ?)`,
					acct, at(), rng.Int64N(500000), []string{"api", "csv", "manual"}[rng.IntN(3)], end)
			case op == 2: // a second reading at the instant of another
				var taken any
				var src string
				if err := db.SQL().QueryRowContext(ctx, storetest.Rebind(db, `SELECT taken_at, source FROM account_snapshots WHERE id = ?`), reading()).Scan(&taken, &src); err != nil {
					t.Fatal(err)
				}
				other := map[string]string{"api": "manual", "manual": "csv", "csv": "api", "push": "api"}[src]
				exec(`INSERT INTO account_snapshots (account_id, taken_at, followers, source, created_at) VALUES (?, ?, ?, ?, ?)
					ON CONFLICT (account_id, taken_at, source) DO NOTHING`, acct, taken, rng.Int64N(500000), other, end)
			case op == 3: // a reading corrected
				exec(`UPDATE account_snapshots SET followers = ? WHERE id = ?`, rng.Int64N(500000), reading())
			case op == 4: // a reading moved in time
				exec(`UPDATE account_snapshots SET taken_at = ? WHERE id = ?`, at(), reading())
			case op == 5: // a reading without followers (a posts count alone), or given them back
				if rng.IntN(2) == 0 {
					exec(`UPDATE account_snapshots SET followers = NULL WHERE id = ?`, reading())
				} else {
					exec(`UPDATE account_snapshots SET followers = ? WHERE id = ? AND followers IS NULL`, rng.Int64N(500000), reading())
				}
			case op == 6: // a reading deleted
				exec(`DELETE FROM account_snapshots WHERE id = ?`, reading())
			case op == 7: // a day of follower moves recorded or corrected
				d := at().In(Beijing).Format(time.DateOnly)
				if err := db.RecordFollowerDays(ctx, []store.FollowerDay{{AccountID: acct, Day: d, New: rng.Int64N(300), Lost: rng.Int64N(100), Source: "api"}}); err != nil {
					t.Fatal(err)
				}
			case op == 8: // a day of follower moves deleted
				exec(`DELETE FROM follower_days WHERE account_id = ? AND day = (SELECT MIN(day) FROM follower_days WHERE account_id = ? AND day >= ?)`,
					acct, acct, at().In(Beijing).Format(time.DateOnly))
			}
			if step%40 == 0 {
				check(step)
			}
		}
		// Every reading gone: no change is left behind.
		exec(`DELETE FROM account_snapshots WHERE account_id IN (SELECT a.id FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE i.org_id = ?)`, org.ID)
		exec(`DELETE FROM follower_days WHERE account_id IN (SELECT a.id FROM accounts a JOIN institutions i ON i.id = a.institution_id WHERE i.org_id = ?)`, org.ID)
		var left int
		if err := db.SQL().QueryRowContext(ctx, storetest.Rebind(db, `SELECT (SELECT COUNT(*) FROM analytics_org_followers WHERE org_id = ?)
			+ (SELECT COUNT(*) FROM follower_months m JOIN accounts a ON a.id = m.account_id JOIN institutions i ON i.id = a.institution_id WHERE i.org_id = ?)`), org.ID, org.ID).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != 0 {
			t.Errorf("%d follower sums left after every reading was deleted", left)
		}
	})
}

// compareOrgFollowers compares the whole organization's daily followers over p (from
// analytics_org_followers) with those carried forward account by account from the
// readings, and returns on how many days the readings knew them.
func compareOrgFollowers(t *testing.T, ctx context.Context, svc *Service, whole Scope, p Period, what string) (known int) {
	t.Helper()
	byReadings := whole
	byReadings.WholeOrg = false
	got, err := svc.daily(ctx, whole, p)
	if err != nil {
		t.Fatal(err)
	}
	want, err := svc.daily(ctx, byReadings, p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range want {
		g, w := got[i].Followers, want[i].Followers
		if (g == nil) != (w == nil) || g != nil && *g != *w {
			t.Fatalf("%s: %s followers %v, from the readings %v", what, want[i].Day, deref(g), deref(w))
		}
		if w != nil {
			known++
		}
	}
	return known
}

func deref(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}
