package jobs_test

import (
	"context"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestHousekeeping deletes expired sessions and old push replay keys, and keeps the
// live ones.
func TestHousekeeping(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, _ := db.CreateOrganization(ctx, "o")
		u := &passerelle.User{OrgID: org.ID, Email: "u@example.org", Owner: true}
		if err := db.CreateUser(ctx, u, "h"); err != nil {
			t.Fatal(err)
		}
		now := time.Now().UTC()
		for hash, exp := range map[string]time.Time{"expired": now.Add(-time.Minute), "live": now.Add(time.Hour)} {
			s := &store.Session{Hash: hash, UserID: u.ID, CSRF: "c", CreatedAt: now.Add(-2 * time.Hour), LastSeenAt: now.Add(-2 * time.Hour), ExpiresAt: exp}
			if err := db.CreateSession(ctx, s); err != nil {
				t.Fatal(err)
			}
		}
		w := &jobs.HousekeepingWorker{DB: db}
		if err := w.Work(ctx, &river.Job[jobs.HousekeepingArgs]{}); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.SessionUser(ctx, "live"); err != nil {
			t.Fatalf("live session removed: %v", err)
		}
		if n, _ := db.DeleteExpiredSessions(ctx); n != 0 {
			t.Fatalf("%d expired sessions left", n)
		}
	})
}

// TestJobsRunOnBothEngines: a job inserted in a transaction is worked.
func TestJobsRunOnBothEngines(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := jobs.Migrate(ctx, db, nil); err != nil {
			t.Fatal(err)
		}
		done := make(chan struct{}, 1)
		workers := river.NewWorkers()
		river.AddWorker(workers, river.WorkFunc(func(ctx context.Context, j *river.Job[pingArgs]) error {
			done <- struct{}{}
			return nil
		}))
		c, err := jobs.New(db, jobs.Options{Workers: workers, Work: true, FetchPollInterval: 100 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Start(ctx); err != nil {
			t.Fatal(err)
		}
		defer func() {
			stop, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			c.Stop(stop)
		}()
		if err := db.InTx(ctx, func(tx *store.Tx) error { return c.InsertTx(ctx, tx.Tx, pingArgs{}, nil) }); err != nil {
			t.Fatal(err)
		}
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Fatal("job not worked")
		}
	})
}

type pingArgs struct{}

func (pingArgs) Kind() string { return "ping" }

// TestListRetryCancel: the admin page's operations on a queue, on both engines.
func TestListRetryCancel(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if err := jobs.Migrate(ctx, db, nil); err != nil {
			t.Fatal(err)
		}
		c, err := jobs.New(db, jobs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		var ids []int64
		for range 2 {
			err := db.InTx(ctx, func(tx *store.Tx) error {
				id, err := c.InsertTxID(ctx, tx.Tx, pingArgs{}, &river.InsertOpts{Queue: jobs.QueuePublish, ScheduledAt: time.Now().Add(time.Hour)})
				ids = append(ids, id)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		list, err := c.List(ctx, jobs.QueuePublish, 10)
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != ids[1] || list[0].State != "scheduled" || list[0].Kind != "ping" {
			t.Fatalf("list %+v", list)
		}
		if err := c.Cancel(ctx, ids[0]); err != nil {
			t.Fatal(err)
		}
		if j, err := c.Get(ctx, ids[0]); err != nil || j.State != "cancelled" {
			t.Fatalf("after cancel: %+v %v", j, err)
		}
		if err := c.Retry(ctx, ids[0]); err != nil {
			t.Fatal(err)
		}
		if j, err := c.Get(ctx, ids[0]); err != nil || j.State != "available" {
			t.Fatalf("after retry: %+v %v", j, err)
		}
		if _, err := c.Get(ctx, 999999); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Fatalf("missing job: %v", err)
		}
		if err := c.Cancel(ctx, 999999); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Fatalf("cancel missing job: %v", err)
		}
	})
}
