package publish_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/clients"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// TestDispatcherDeliversWithoutTheQueue: with no River worker running at all, two
// dispatchers on one database (two instances) deliver a Weibo publication at its
// instant, exactly once: one status at the platform, one attempt, claimed by a
// dispatcher and not before its claim time. Its job stays in River as the carrier.
func TestDispatcherDeliversWithoutTheQueue(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _, p, orgID := setup(t)
	platform := sim.New(sim.Config{Seed: 3})
	srv := httptest.NewServer(platform)
	t.Cleanup(func() { platform.Close(); srv.Close() })
	const uid = "5100000042"
	app := sim.WeiboApp{ClientID: "35" + uid, ClientSecret: "s" + uid, SafeDomain: "127.0.0.1", MinShareIntervalSeconds: -1, SharesPerHour: -1, ReadsPerHour: -1}
	if err := platform.AddWeiboApp(app); err != nil {
		t.Fatal(err)
	}
	tok, err := platform.IssueWeiboToken(app.ClientID, uid)
	if err != nil {
		t.Fatal(err)
	}
	accID := p.Publications[0].AccountID
	if err := db.SetCredentials(ctx, orgID, accID, map[string]string{"app_key": app.ClientID, "app_secret": app.ClientSecret, "access_token": tok.AccessToken, "safe_domain": "127.0.0.1"}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveConnection(ctx, &store.Connection{AccountID: accID, Status: "ok", DiagnosisKey: "ok", CanPublish: true, PlatformUID: uid}); err != nil {
		t.Fatal(err)
	}
	// Two instances: each its own engine (insert-only job client, no worker).
	var svcs []*publish.Service
	for range 2 {
		jc, err := jobs.New(db, jobs.Options{})
		if err != nil {
			t.Fatal(err)
		}
		svcs = append(svcs, publish.New(publish.Options{DB: db, Jobs: jc, Clients: &clients.Factory{DB: db, WeiboAPI: srv.URL, WeChatAPI: srv.URL}}))
	}
	db.SetPostHook(svcs[0].Sync)
	at := time.Now().Add(3 * time.Second).UTC().Truncate(time.Millisecond)
	if _, err := db.UpdatePost(ctx, orgID, p.ID, passerelle.Actor{Name: "Léa"}, func(q *passerelle.Post) (store.PostWrite, error) {
		q.TextZH = "卢浮宫的船 http://127.0.0.1/p/1"
		q.Publications[0].Mode = passerelle.ModeAPI
		q.Publications[0].ScheduledAt = &at
		q.Status = passerelle.StatusScheduled
		return store.PostWrite{}, nil
	}); err != nil {
		t.Fatal(err)
	}
	dctx, stop := context.WithCancel(ctx)
	var wg sync.WaitGroup
	for _, s := range svcs {
		wg.Go(func() { s.Dispatch(dctx, publish.DispatchOptions{Every: 100 * time.Millisecond}) })
	}
	pubID := p.Publications[0].ID
	deadline := time.Now().Add(time.Minute)
	var d *store.Delivery
	for {
		d, err = db.Delivery(ctx, pubID)
		if err != nil {
			t.Fatal(err)
		}
		if d.Publication.State != passerelle.DeliveryScheduled && d.Publication.State != passerelle.DeliveryPublishing || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	stop()
	wg.Wait()
	if d.Publication.State != passerelle.DeliveryPublished {
		t.Fatalf("state %s (%s)", d.Publication.State, d.Publication.LastError)
	}
	if sts := platform.WeiboStatuses(uid); len(sts) != 1 || sts[0].CreatedAt.Before(at) {
		t.Fatalf("the platform received %d statuses (%v), due at %v", len(sts), sts, at)
	}
	as, err := db.Attempts(ctx, pubID)
	if err != nil || len(as) != 1 || as[0].StartedAt.Before(at.Add(-publish.DefaultAhead)) {
		t.Fatalf("attempts %v %v", as, err)
	}
	var holder string
	if err := db.SQL().QueryRowContext(ctx, `SELECT holder FROM publication_attempts WHERE publication_id = ?`, pubID).Scan(&holder); err != nil || !strings.HasSuffix(holder, " dispatcher") {
		t.Fatalf("claimed by %q (%v)", holder, err)
	}
	if d.JobID == 0 {
		t.Fatal("no job behind the dispatcher")
	}
}
