package analytics

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// TestSumsFollowEveryWrite checks the sums kept by migration 0052's triggers
// (analytics_days, analytics_months, read by AnalyticsTotal, AnalyticsInstitutionTotals
// and AnalyticsDays) against the same figures added up in Go from every publication
// (AnalyticsRows, which reads the publications and their figures), on a generated
// history to which random writes are applied: new readings of every source, the same
// batch imported again, late imports, publications withdrawn, published again, moved
// to another instant or account, figures, publications and posts deleted.
func TestSumsFollowEveryWrite(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, err := db.CreateOrganization(ctx, "sums")
		if err != nil {
			t.Fatal(err)
		}
		end := time.Date(2026, 11, 15, 12, 0, 0, 0, Beijing)
		if _, err := Generate(ctx, db, GenerateOptions{OrgID: org.ID, Institutions: 3, Years: 0.4, Seed: 11, End: end, Workers: 2}); err != nil {
			t.Fatal(err)
		}
		insts, err := db.Institutions(ctx, store.InstitutionFilter{OrgID: org.ID})
		if err != nil || len(insts) != 3 {
			t.Fatal(insts, err)
		}
		var instIDs []int64
		var accountIDs []int64
		for _, in := range insts {
			instIDs = append(instIDs, in.ID)
			accts, err := db.Accounts(ctx, store.AccountFilter{OrgID: org.ID, InstitutionID: in.ID, IncludeArchived: true})
			if err != nil {
				t.Fatal(err)
			}
			for _, a := range accts {
				accountIDs = append(accountIDs, a.ID)
			}
		}
		day := time.Date(2026, 11, 16, 0, 0, 0, 0, Beijing)
		all := Period{From: day.AddDate(-1, 0, 0), To: day}
		rows, err := db.AnalyticsRows(ctx, org.ID, instIDs, all.From, all.To)
		if err != nil || len(rows) < 100 {
			t.Fatalf("%d publications, %v", len(rows), err)
		}
		pubs := make([]int64, 0, len(rows))
		posts := map[int64]int64{}
		for _, r := range rows {
			pubs = append(pubs, r.PublicationID)
			posts[r.PublicationID] = r.PostID
		}
		exec := func(query string, args ...any) {
			t.Helper()
			storetest.Exec(t, db, query, args...)
		}
		rng := rand.New(rand.NewPCG(11, uint64(len(db.Dialect()))))
		figure := func() *int64 {
			if rng.IntN(5) == 0 {
				return nil
			}
			return ptr(rng.Int64N(200000))
		}
		var last []*store.PublicationSnapshot
		// A period of odd bounds crossing months, whole months, a quarter, the year.
		periods := []Period{
			{From: time.Date(2026, 9, 17, 0, 0, 0, 0, Beijing), To: time.Date(2026, 11, 3, 0, 0, 0, 0, Beijing)},
			{From: time.Date(2026, 10, 1, 0, 0, 0, 0, Beijing), To: time.Date(2026, 11, 1, 0, 0, 0, 0, Beijing)},
			{From: time.Date(2026, 10, 5, 0, 0, 0, 0, Beijing), To: time.Date(2026, 10, 12, 0, 0, 0, 0, Beijing)},
			{From: time.Date(2026, 7, 1, 0, 0, 0, 0, Beijing), To: time.Date(2026, 10, 1, 0, 0, 0, 0, Beijing)},
			// Months less their days outside the period (store's daySpans): at the
			// start, at the end, and both within one month.
			{From: time.Date(2026, 9, 3, 0, 0, 0, 0, Beijing), To: time.Date(2026, 11, 1, 0, 0, 0, 0, Beijing)},
			{From: time.Date(2026, 8, 1, 0, 0, 0, 0, Beijing), To: time.Date(2026, 10, 30, 0, 0, 0, 0, Beijing)},
			{From: time.Date(2026, 10, 3, 0, 0, 0, 0, Beijing), To: time.Date(2026, 10, 30, 0, 0, 0, 0, Beijing)},
			all,
			// Bounds that are not Beijing midnights: added up from the publications.
			{From: time.Date(2026, 8, 3, 13, 0, 0, 0, Beijing), To: time.Date(2026, 10, 9, 7, 30, 0, 0, Beijing)},
		}
		check := func(step int) {
			t.Helper()
			for _, p := range periods {
				compareSums(t, ctx, db, org.ID, instIDs, p, fmt.Sprintf("after %d writes, %s…%s", step, p.From.Format(time.DateOnly), p.Last().Format(time.DateOnly)))
			}
		}
		check(0)
		const writes = 240
		for step := 1; step <= writes; step++ {
			id := pubs[rng.IntN(len(pubs))]
			switch op := rng.IntN(14); op {
			case 0, 1, 2: // a new reading, from any source
				src := []string{store.PubSourceAPI, store.PubSourceImport, store.PubSourceManual}[rng.IntN(3)]
				s := &store.PublicationSnapshot{PublicationID: id, TakenAt: end.Add(time.Duration(step) * time.Minute), Source: src,
					Views: figure(), Likes: figure(), Comments: figure(), Reposts: figure()}
				if s.Views == nil && s.Likes == nil && s.Comments == nil && s.Reposts == nil {
					s.Likes = ptr(int64(step))
				}
				s.LowerBound = s.Views != nil && rng.IntN(4) == 0
				last = []*store.PublicationSnapshot{s}
				if _, err := db.RecordPublicationSnapshots(ctx, org.ID, last); err != nil {
					t.Fatal(err)
				}
			case 3: // the same batch imported again, or a late import of an old reading
				if last != nil && slices.Contains(pubs, last[0].PublicationID) && rng.IntN(2) == 0 {
					if _, err := db.RecordPublicationSnapshots(ctx, org.ID, last); err != nil {
						t.Fatal(err)
					}
					break
				}
				s := &store.PublicationSnapshot{PublicationID: id, TakenAt: end.AddDate(0, -6, 0), Source: store.PubSourceImport, Views: ptr(int64(1)), Likes: ptr(int64(1))}
				if _, err := db.RecordPublicationSnapshots(ctx, org.ID, []*store.PublicationSnapshot{s}); err != nil {
					t.Fatal(err)
				}
			case 4: // withdrawn, failed or cancelled
				state := []passerelle.DeliveryState{passerelle.DeliveryFailed, passerelle.DeliveryCancelled, passerelle.DeliveryPending}[rng.IntN(3)]
				exec(`UPDATE publications SET state = ? WHERE id = ?`, string(state), id)
			case 5: // published (again)
				exec(`UPDATE publications SET state = 'published' WHERE id = ?`, id)
			case 6: // moved in time, across days and months
				at := all.From.Add(time.Duration(rng.Int64N(int64(all.To.Sub(all.From)))))
				exec(`UPDATE publications SET published_at = ? WHERE id = ?`, at, id)
			case 7: // moved to another account of the organization
				exec(`UPDATE publications SET account_id = ? WHERE id = ?`, accountIDs[rng.IntN(len(accountIDs))], id)
			case 8: // figures deleted
				exec(`DELETE FROM publication_figures WHERE publication_id = ?`, id)
			case 9: // a publication deleted
				exec(`DELETE FROM publications WHERE id = ?`, id)
				pubs = slices.DeleteFunc(pubs, func(x int64) bool { return x == id })
			case 10: // a post deleted with its publications
				post := posts[id]
				exec(`DELETE FROM posts WHERE id = ?`, post)
				pubs = slices.DeleteFunc(pubs, func(x int64) bool { return posts[x] == post })
			case 11: // a post's theme changed
				exec(`UPDATE posts SET theme = ? WHERE id = ?`, []string{"collection", "history", "exhibition", "behind-the-scenes"}[rng.IntN(4)], posts[id])
			case 12: // a publication's format changed
				exec(`UPDATE publications SET format = ? WHERE id = ?`, []string{"photo", "video", "article", "repost"}[rng.IntN(4)], id)
			case 13: // an account moved to another institution of the organization
				exec(`UPDATE accounts SET institution_id = ? WHERE id = ?`, instIDs[rng.IntN(len(instIDs))], accountIDs[rng.IntN(len(accountIDs))])
			}
			if step%40 == 0 {
				check(step)
			}
		}
		// Everything gone: no sum is left behind.
		exec(`DELETE FROM posts WHERE id IN (SELECT post_id FROM publications p JOIN accounts a ON a.id = p.account_id JOIN institutions i ON i.id = a.institution_id WHERE i.org_id = ?)`, org.ID)
		check(writes + 1)
		var left int
		if err := db.SQL().QueryRowContext(ctx, storetest.Rebind(db, `SELECT (SELECT COUNT(*) FROM analytics_days d JOIN accounts a ON a.id = d.account_id JOIN institutions i ON i.id = a.institution_id WHERE i.org_id = ?)
			+ (SELECT COUNT(*) FROM analytics_months m JOIN accounts a ON a.id = m.account_id JOIN institutions i ON i.id = a.institution_id WHERE i.org_id = ?)
			+ (SELECT COUNT(*) FROM analytics_org_days WHERE org_id = ?)`), org.ID, org.ID, org.ID).Scan(&left); err != nil {
			t.Fatal(err)
		}
		if left != 0 {
			t.Errorf("%d sums left after every publication was deleted", left)
		}
	})
}

// compareSums compares the sums of a period with the publications' own figures.
func compareSums(t *testing.T, ctx context.Context, db *store.DB, orgID int64, instIDs []int64, p Period, what string) {
	t.Helper()
	rows, err := db.AnalyticsRows(ctx, orgID, instIDs, p.From, p.To)
	if err != nil {
		t.Fatal(err)
	}
	add := func(c *store.AnalyticsCell, r *store.AnalyticsRow) {
		c.Posts++
		c.Views += val(r.Views)
		c.LowerBound = c.LowerBound || r.Views != nil && r.LowerBound
		c.Likes += val(r.Likes)
		c.Comments += val(r.Comments)
		c.Reposts += val(r.Reposts)
		if r.Views != nil {
			c.ViewedInteractions += interactions(r)
		}
	}
	var total store.AnalyticsCell
	byInst := map[int64]store.AnalyticsCell{}
	byDay := map[string]*store.AnalyticsDay{}
	var days []string
	for i := range rows {
		r := &rows[i]
		add(&total, r)
		c := byInst[r.InstitutionID]
		c.InstitutionID = r.InstitutionID
		add(&c, r)
		byInst[r.InstitutionID] = c
		d := r.PublishedAt.In(Beijing).Format(time.DateOnly)
		if byDay[d] == nil {
			byDay[d] = &store.AnalyticsDay{Day: d}
			days = append(days, d)
		}
		byDay[d].Posts++
		byDay[d].Views += val(r.Views)
		byDay[d].Interactions += interactions(r)
	}
	gotTotal, err := db.AnalyticsTotal(ctx, orgID, instIDs, p.From, p.To)
	if err != nil {
		t.Fatal(err)
	}
	if gotTotal != total {
		t.Errorf("%s: total %+v, publications %+v", what, gotTotal, total)
	}
	gotInst, err := db.AnalyticsInstitutionTotals(ctx, orgID, instIDs, p.From, p.To)
	if err != nil {
		t.Fatal(err)
	}
	// instIDs are all the organization's institutions: AllInstitutions says the same.
	if all, err := db.AnalyticsTotal(ctx, orgID, store.AllInstitutions(), p.From, p.To); err != nil || all != total {
		t.Errorf("%s: total of all institutions %+v (%v), publications %+v", what, all, err, total)
	}
	if all, err := db.AnalyticsInstitutionTotals(ctx, orgID, store.AllInstitutions(), p.From, p.To); err != nil || !maps.Equal(all, byInst) {
		t.Errorf("%s: institutions' totals of all institutions %+v (%v), publications %+v", what, all, err, byInst)
	}
	if all, err := db.AnalyticsDays(ctx, orgID, store.AllInstitutions(), p.From, p.To); err != nil || len(all) != len(byDay) {
		t.Errorf("%s: %d days of all institutions (%v), publications %d", what, len(all), err, len(byDay))
	}
	if len(gotInst) != len(byInst) {
		t.Errorf("%s: %d institutions, publications %d", what, len(gotInst), len(byInst))
	}
	for id, want := range byInst {
		if gotInst[id] != want {
			t.Errorf("%s: institution %d %+v, publications %+v", what, id, gotInst[id], want)
		}
	}
	gotDays, err := db.AnalyticsDays(ctx, orgID, instIDs, p.From, p.To)
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(days)
	want := make([]store.AnalyticsDay, 0, len(days))
	for _, d := range days {
		want = append(want, *byDay[d])
	}
	if !slices.Equal(gotDays, want) {
		t.Errorf("%s: days differ from the publications':\n got %+v\nwant %+v", what, gotDays, want)
	}
	// The organization's sums (instIDs are all its institutions): the days, and each
	// dimension's breakdown against the publications' cells added up in Go.
	orgDays, ok, err := db.AnalyticsOrgDays(ctx, orgID, p.From, p.To)
	if err != nil {
		t.Fatal(err)
	}
	midnight := func(t time.Time) bool { return t.Equal(beijingMidnight(t)) }
	if whole := midnight(p.From) && midnight(p.To); ok != whole {
		t.Errorf("%s: organization days answered %v", what, ok)
	}
	if ok && !slices.Equal(orgDays, want) {
		t.Errorf("%s: organization days differ from the publications':\n got %+v\nwant %+v", what, orgDays, want)
	}
	cells, err := db.AnalyticsCells(ctx, orgID, instIDs, p.From, p.To)
	if err != nil {
		t.Fatal(err)
	}
	orgB, ok, err := db.AnalyticsOrgBreakdown(ctx, orgID, p.From, p.To)
	if err != nil {
		t.Fatal(err)
	}
	if ok {
		wantB := store.Breakdown(cells)
		byKey := func(a, b store.AnalyticsCell) int {
			return cmp.Or(cmp.Compare(a.Weekday, b.Weekday), cmp.Compare(a.Hour, b.Hour), cmp.Compare(a.Platform, b.Platform), cmp.Compare(a.Format, b.Format), cmp.Compare(a.Theme, b.Theme))
		}
		for _, l := range []struct {
			name      string
			got, want []store.AnalyticsCell
		}{{"formats", orgB.Formats, wantB.Formats}, {"themes", orgB.Themes, wantB.Themes}, {"platforms", orgB.Platforms, wantB.Platforms}, {"hours", orgB.Hours, wantB.Hours}} {
			slices.SortFunc(l.got, byKey)
			slices.SortFunc(l.want, byKey)
			if !slices.Equal(l.got, l.want) {
				t.Errorf("%s: organization %s differ from the publications':\n got %+v\nwant %+v", what, l.name, l.got, l.want)
			}
		}
	}
	// The top and bottom posts (the index walk of migration 0054, or the period ranked)
	// against the publications ranked here: most interactions first, ties by the lowest
	// id; fewest first, ties by the highest id.
	ranked := slices.Clone(rows)
	slices.SortFunc(ranked, func(a, b store.AnalyticsRow) int {
		if x, y := interactions(&a), interactions(&b); x != y {
			return cmp.Compare(y, x)
		}
		return cmp.Compare(a.PublicationID, b.PublicationID)
	})
	ids := func(rs []store.AnalyticsRow) []int64 {
		out := []int64{}
		for _, r := range rs {
			out = append(out, r.PublicationID)
		}
		return out
	}
	for _, n := range []int{1, 5, 12} {
		top, err := db.AnalyticsRanked(ctx, orgID, instIDs, p.From, p.To, true, n)
		if err != nil {
			t.Fatal(err)
		}
		wantTop := ranked[:min(n, len(ranked))]
		if !slices.Equal(ids(top), ids(wantTop)) || !slices.EqualFunc(top, wantTop, func(a, b store.AnalyticsRow) bool { return interactions(&a) == interactions(&b) }) {
			t.Errorf("%s: top %d %v, publications %v", what, n, ids(top), ids(wantTop))
		}
		if all, err := db.AnalyticsRanked(ctx, orgID, store.AllInstitutions(), p.From, p.To, true, n); err != nil || !slices.Equal(ids(all), ids(top)) {
			t.Errorf("%s: top %d of all institutions %v (%v), of each %v", what, n, ids(all), err, ids(top))
		}
		bottom, err := db.AnalyticsRanked(ctx, orgID, instIDs, p.From, p.To, false, n)
		if err != nil {
			t.Fatal(err)
		}
		if all, err := db.AnalyticsRanked(ctx, orgID, store.AllInstitutions(), p.From, p.To, false, n); err != nil || !slices.Equal(ids(all), ids(bottom)) {
			t.Errorf("%s: bottom %d of all institutions %v (%v), of each %v", what, n, ids(all), err, ids(bottom))
		}
		wantBottom := slices.Clone(ranked[max(0, len(ranked)-n):])
		slices.Reverse(wantBottom)
		if !slices.Equal(ids(bottom), ids(wantBottom)) {
			t.Errorf("%s: bottom %d %v, publications %v", what, n, ids(bottom), ids(wantBottom))
		}
	}
}

// TestSumsUnderConcurrentWriters loads the history of several accounts of one
// organization at once, each writer its own account, every batch spread over the same
// days in its own order: on PostgreSQL they all add to the same rows of the
// organization's sums, and deadlocked until migration 0079 made them take their turns.
// The sums must then still equal the publications' and readings' own figures.
func TestSumsUnderConcurrentWriters(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, err := db.CreateOrganization(ctx, "concurrent")
		if err != nil {
			t.Fatal(err)
		}
		const writers, batches, perBatch = 4, 6, 40
		day := time.Date(2026, 11, 16, 0, 0, 0, 0, Beijing)
		start := day.AddDate(0, 0, -20)
		var instIDs []int64
		var accts []*passerelle.Account
		for w := range writers {
			inst := &passerelle.Institution{OrgID: org.ID, Name: fmt.Sprintf("Musée %d", w)}
			if err := db.CreateInstitution(ctx, inst); err != nil {
				t.Fatal(err)
			}
			a := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Handle: fmt.Sprintf("musee%d", w)}
			if err := db.CreateAccount(ctx, org.ID, a); err != nil {
				t.Fatal(err)
			}
			instIDs = append(instIDs, inst.ID)
			accts = append(accts, a)
		}
		errs := make(chan error, writers)
		for w, a := range accts {
			go func() {
				rng := rand.New(rand.NewPCG(uint64(w), 79))
				for b := range batches {
					var load store.AudienceLoad
					for i := range perBatch {
						at := start.Add(time.Duration(rng.Int64N(int64(20 * 24 * time.Hour)))).Truncate(time.Second)
						load.Posts = append(load.Posts, store.AudiencePost{
							InstitutionID: a.InstitutionID, Title: fmt.Sprintf("Billet %d-%d-%d", w, b, i),
							Theme: passerelle.DefaultThemes[rng.IntN(len(passerelle.DefaultThemes))], PublishedAt: at,
							Publications: []store.AudiencePublication{{AccountID: a.ID, Format: passerelle.FormatPhotoText, Snapshots: []*store.PublicationSnapshot{{
								TakenAt: at.Add(24 * time.Hour), Source: "api", Views: ptr(rng.Int64N(100000)), Likes: ptr(rng.Int64N(1000)),
								Comments: ptr(rng.Int64N(100)), Reposts: ptr(rng.Int64N(100)),
							}}}},
						})
						load.Followers = append(load.Followers, store.AccountSnapshot{AccountID: a.ID, TakenAt: at, Followers: ptr(rng.Int64N(500000))})
					}
					if err := db.LoadAudience(ctx, org.ID, load); err != nil {
						errs <- fmt.Errorf("writer %d, batch %d: %w", w, b, err)
						return
					}
				}
				errs <- nil
			}()
		}
		for range writers {
			if err := <-errs; err != nil {
				t.Error(err)
			}
		}
		if t.Failed() {
			return
		}
		p := Period{From: start, To: day}
		compareSums(t, ctx, db, org.ID, instIDs, p, "after concurrent loads")
		svc := &Service{DB: db, Tenancy: &tenancy.Service{DB: db}}
		whole, _, err := svc.organizationScope(ctx, &passerelle.User{OrgID: org.ID, Owner: true})
		if err != nil || !whole.WholeOrg {
			t.Fatalf("scope %+v, %v", whole, err)
		}
		compareOrgFollowers(t, ctx, svc, whole, p, "after concurrent loads")
	})
}
