package analytics_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/clients"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// clock is the shared fake time of the simulator and the collector.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// callLog counts the requests the collector makes, and the ids of each counts call.
type callLog struct {
	mu    sync.Mutex
	paths map[string]int
	ids   []int
	next  http.RoundTripper
}

func (l *callLog) RoundTrip(r *http.Request) (*http.Response, error) {
	l.mu.Lock()
	l.paths[r.URL.Path]++
	if r.URL.Path == "/2/statuses/count.json" {
		l.ids = append(l.ids, len(strings.Split(r.URL.Query().Get("ids"), ",")))
	}
	l.mu.Unlock()
	return l.next.RoundTrip(r)
}

func (l *callLog) count(path string) int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.paths[path]
}

// queued records the jobs the planner inserts.
type queued struct {
	mu   sync.Mutex
	args []river.JobArgs
	opts []*river.InsertOpts
}

func (q *queued) Insert(_ context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	q.mu.Lock()
	q.args = append(q.args, args)
	q.opts = append(q.opts, opts)
	q.mu.Unlock()
	return nil
}

func (q *queued) kinds() map[string]int {
	q.mu.Lock()
	defer q.mu.Unlock()
	out := map[string]int{}
	for _, a := range q.args {
		out[a.Kind()]++
	}
	q.args, q.opts = nil, nil
	return out
}

type collectEnv struct {
	db        *store.DB
	sim       *sim.Simulator
	clk       *clock
	calls     *callLog
	jobs      *queued
	col       *analytics.Collector
	orgID     int64
	instID    int64
	weibo     int64
	wechat    int64
	uid       string
	token     string
	appID     string
	t0        time.Time // a Beijing morning twelve days ago
	published int
}

func newCollectEnv(t testing.TB, db *store.DB, cfg sim.Config) *collectEnv {
	t.Helper()
	ctx := context.Background()
	b := time.Now().In(analytics.Beijing).AddDate(0, 0, -12)
	t0 := time.Date(b.Year(), b.Month(), b.Day(), 10, 0, 0, 0, analytics.Beijing)
	e := &collectEnv{db: db, clk: &clock{t: t0}, t0: t0, uid: "1850000001", appID: "wxcollect0000001"}
	cfg.Clock, cfg.Start = e.clk.Now, t0
	cfg.WeiboApps = append(cfg.WeiboApps, sim.WeiboApp{ClientID: "3000001", ClientSecret: "wbsecret", SafeDomain: "museum.example", ReadsPerHour: 1000, TokenLifetimeSeconds: 30 * 86400})
	cfg.WeChatAccounts = append(cfg.WeChatAccounts, sim.WeChatAccount{AppID: e.appID, Secret: "wxsecret", Verified: true})
	e.sim = sim.New(cfg)
	srv := httptest.NewServer(e.sim)
	t.Cleanup(func() { e.sim.Close(); srv.Close() })

	org, err := db.CreateOrganization(ctx, "Agence")
	if err != nil {
		t.Fatal(err)
	}
	e.orgID = org.ID
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Louvre"}
	if err := db.CreateInstitution(ctx, inst); err != nil {
		t.Fatal(err)
	}
	e.instID = inst.ID
	wb := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Handle: "louvre"}
	wx := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.WeChat, Handle: "louvre-wx"}
	for _, a := range []*passerelle.Account{wb, wx} {
		if err := db.CreateAccount(ctx, org.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	e.weibo, e.wechat = wb.ID, wx.ID
	tok, err := e.sim.IssueWeiboToken("3000001", e.uid)
	if err != nil {
		t.Fatal(err)
	}
	e.token = tok.AccessToken
	if err := db.SetCredentials(ctx, org.ID, wb.ID, map[string]string{"app_key": "3000001", "app_secret": "wbsecret", "access_token": tok.AccessToken}); err != nil {
		t.Fatal(err)
	}
	if err := db.SaveConnection(ctx, &store.Connection{AccountID: wb.ID, Status: "ok", DiagnosisKey: "ok", CanPublish: true, PlatformUID: e.uid}); err != nil {
		t.Fatal(err)
	}
	if err := db.SetCredentials(ctx, org.ID, wx.ID, map[string]string{"appid": e.appID, "app_secret": "wxsecret"}); err != nil {
		t.Fatal(err)
	}
	e.calls = &callLog{paths: map[string]int{}, next: http.DefaultTransport}
	e.jobs = &queued{}
	e.col = &analytics.Collector{DB: db, Jobs: e.jobs, Now: e.clk.Now,
		Clients: &clients.Factory{DB: db, WeiboAPI: srv.URL, WeChatAPI: srv.URL, HTTPClient: &http.Client{Transport: e.calls, Timeout: 10 * time.Second}, Now: e.clk.Now}}
	return e
}

// publishWeibo posts n statuses now and records them as published publications.
func (e *collectEnv) publishWeibo(t testing.TB, n int) []int64 {
	t.Helper()
	now := e.clk.Now()
	load := store.AudienceLoad{}
	for i := range n {
		e.published++
		id, err := e.sim.AddWeiboStatus(e.uid, "Post "+strconv.Itoa(e.published))
		if err != nil {
			t.Fatal(err)
		}
		load.Posts = append(load.Posts, store.AudiencePost{InstitutionID: e.instID, Title: "Post " + strconv.Itoa(i), Theme: "collection", PublishedAt: now,
			Publications: []store.AudiencePublication{{AccountID: e.weibo, Format: passerelle.FormatText, PlatformPostID: id, URL: "https://weibo.com/" + e.uid + "/" + id}}})
	}
	return e.load(t, load, passerelle.Weibo)
}

func (e *collectEnv) load(t testing.TB, load store.AudienceLoad, p passerelle.Platform) []int64 {
	t.Helper()
	ctx := context.Background()
	if err := e.db.LoadAudience(ctx, e.orgID, load); err != nil {
		t.Fatal(err)
	}
	cands, err := e.db.CollectionCandidates(ctx, p, 0, e.t0.AddDate(0, 0, -1))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, c := range cands {
		ids = append(ids, c.PublicationID)
	}
	return ids
}

func (e *collectEnv) snapshots(t testing.TB, pub int64) []*store.PublicationSnapshot {
	t.Helper()
	s, err := e.db.PublicationSnapshots(context.Background(), e.orgID, pub)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func snoozed(err error) (time.Duration, bool) {
	var se *rivertype.JobSnoozeError
	if errors.As(err, &se) {
		return se.Duration, true
	}
	return 0, false
}

// TestCollectWeiboSlots: counts are read at their slots, 100 posts per call at most,
// once per slot however often the job runs; slots missed while the server was down are
// filled by one reading.
func TestCollectWeiboSlots(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newCollectEnv(t, db, sim.Config{Seed: 7})
		pubs := e.publishWeibo(t, 250)

		e.clk.Set(e.t0.Add(59 * time.Minute))
		if k := e.jobs.kinds(); k["collect.weibo_counts"] != 0 {
			e.col.Plan(ctx)
		}
		if _, err := e.col.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		if k := e.jobs.kinds(); k["collect.weibo_counts"] != 0 || k["collect.weibo_followers"] != 1 || k["collect.wechat_day"] != 1 {
			t.Fatalf("before the first slot the plan queued %v", k)
		}
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil || res.Calls != 0 {
			t.Fatalf("nothing due: %+v %v", res, err)
		}

		e.clk.Set(e.t0.Add(time.Hour))
		if _, err := e.col.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		if k := e.jobs.kinds(); k["collect.weibo_counts"] != 1 {
			t.Fatalf("at +1 h the plan queued %v", k)
		}
		res, err := e.col.CollectWeiboCounts(ctx, e.weibo)
		if err != nil || res.Calls != 3 || res.Readings != 250 {
			t.Fatalf("+1 h: %+v %v", res, err)
		}
		for _, n := range e.calls.ids {
			if n > 100 {
				t.Fatalf("a counts call carried %d ids", n)
			}
		}
		// The job again (River is at-least-once): nothing due, no call, no reading.
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil || res.Calls != 0 || res.Readings != 0 {
			t.Fatalf("run twice: %+v %v", res, err)
		}
		first := e.snapshots(t, pubs[0])
		if len(first) != 1 || first[0].Likes == nil || first[0].Views != nil || first[0].Source != "api" {
			t.Fatalf("first reading %+v", first)
		}

		// +3 h, then the server is down until +30 h: the slots of 6, 12 and 24 h are
		// filled by one reading.
		e.clk.Set(e.t0.Add(3 * time.Hour))
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil || res.Readings != 250 {
			t.Fatalf("+3 h: %+v %v", res, err)
		}
		e.clk.Set(e.t0.Add(30 * time.Hour))
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil || res.Readings != 250 || res.Calls != 3 {
			t.Fatalf("+30 h: %+v %v", res, err)
		}
		e.clk.Set(e.t0.Add(40 * time.Hour))
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil || res.Calls != 0 {
			t.Fatalf("+40 h, nothing due until day 2: %+v %v", res, err)
		}
		snaps := e.snapshots(t, pubs[0])
		if len(snaps) != 3 {
			t.Fatalf("%d readings, want 3", len(snaps))
		}
		for i := 1; i < len(snaps); i++ {
			if *snaps[i].Likes < *snaps[i-1].Likes || !snaps[i].TakenAt.After(snaps[i-1].TakenAt) {
				t.Fatalf("readings go backwards: %+v then %+v", snaps[i-1], snaps[i])
			}
		}
		// The figures are the platform's at the reading's instant.
		rows, err := db.AnalyticsRows(ctx, e.orgID, []int64{e.instID}, e.t0.Add(-time.Hour), e.t0.Add(time.Hour))
		if err != nil || len(rows) != 250 {
			t.Fatalf("%d rows %v", len(rows), err)
		}
		if *rows[0].Likes != *snaps[2].Likes {
			t.Fatalf("figures %d, newest reading %d", *rows[0].Likes, *snaps[2].Likes)
		}

		// Day 10 is the last reading; after it the publication is never asked again.
		e.clk.Set(e.t0.Add(10*24*time.Hour + time.Minute))
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil || res.Readings != 250 {
			t.Fatalf("day 10: %+v %v", res, err)
		}
		e.clk.Set(e.t0.Add(11*24*time.Hour + time.Minute))
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil || res.Calls != 0 {
			t.Fatalf("after day 10: %+v %v", res, err)
		}
		if n := len(e.snapshots(t, pubs[0])); n != 4 {
			t.Fatalf("%d readings after day 10, want 4", n)
		}

		// Followers: users/show, one reading.
		if err := e.col.CollectWeiboFollowers(ctx, e.weibo); err != nil {
			t.Fatal(err)
		}
		if n, ok, err := db.FollowersAt(ctx, e.weibo, e.clk.Now()); err != nil || !ok || n <= 0 {
			t.Fatalf("followers %d %v %v", n, ok, err)
		}
	})
}

// TestCollectWeiboFaults: a rate limit snoozes until the reset and writes nothing, a
// lost answer is retried without a second reading, the account's budget is never
// exceeded, and an expired authorisation stops the account's collection (keeping its
// figures) until it is connected again.
func TestCollectWeiboFaults(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newCollectEnv(t, db, sim.Config{Seed: 8})
		pubs := e.publishWeibo(t, 250)
		if err := db.SetCollectionSettings(ctx, e.orgID, store.CollectionSettings{Hours: []int{1, 3, 6, 12, 24}, WeiboDays: 10, WeChatDays: 7, WeiboReadsPerHour: 2, WeChatCallsPerDay: 100}); err != nil {
			t.Fatal(err)
		}

		// Rate limited by the platform: blocked until the next hour, nothing written.
		e.clk.Set(e.t0.Add(time.Hour + 5*time.Minute))
		if err := e.sim.AddFault(sim.Fault{Path: "/2/statuses/count.json", RateLimitBurst: 1, Count: 1}); err != nil {
			t.Fatal(err)
		}
		_, err := e.col.CollectWeiboCounts(ctx, e.weibo)
		d, ok := snoozed(err)
		if !ok || d != 55*time.Minute {
			t.Fatalf("rate limited: %v (%v)", err, d)
		}
		if n := len(e.snapshots(t, pubs[0])); n != 0 {
			t.Fatalf("%d readings after a refusal", n)
		}
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); res.Calls != 0 {
			t.Fatalf("called while blocked: %+v %v", res, err)
		}

		// The next hour: the budget (2 calls) allows 200 posts, then a snooze.
		e.clk.Set(e.t0.Add(2 * time.Hour))
		res, err := e.col.CollectWeiboCounts(ctx, e.weibo)
		if d, ok := snoozed(err); !ok || res.Calls != 2 || res.Readings != 200 || d != time.Hour {
			t.Fatalf("budget of 2: %+v %v", res, err)
		}
		// A lost answer (with a larger budget): an error River retries; the third batch
		// is written once.
		if err := db.SetCollectionSettings(ctx, e.orgID, store.CollectionSettings{Hours: []int{1, 3, 6, 12, 24}, WeiboDays: 10, WeChatDays: 7, WeiboReadsPerHour: 100, WeChatCallsPerDay: 100}); err != nil {
			t.Fatal(err)
		}
		e.clk.Set(e.t0.Add(3*time.Hour - time.Minute))
		if err := e.sim.AddFault(sim.Fault{Path: "/2/statuses/count.json", LostResponseRate: 1, Count: 2}); err != nil {
			t.Fatal(err)
		}
		res, err = e.col.CollectWeiboCounts(ctx, e.weibo)
		if _, snooze := snoozed(err); err == nil || snooze || res.Readings != 0 {
			t.Fatalf("lost answer: %+v %v", res, err)
		}
		// Go's transport may retry the lost GET itself on a reused connection, so the
		// second lost answer is met now or was met already: either way, 2 lost calls.
		res, err = e.col.CollectWeiboCounts(ctx, e.weibo)
		if err != nil {
			res, err = e.col.CollectWeiboCounts(ctx, e.weibo)
		}
		if err != nil || res.Readings != 50 {
			t.Fatalf("after the lost answer: %+v %v", res, err)
		}
		calls := e.calls.count("/2/statuses/count.json")
		if calls != 5 {
			t.Fatalf("%d counts calls, want 5", calls)
		}
		for _, p := range pubs {
			if n := len(e.snapshots(t, p)); n != 1 {
				t.Fatalf("publication %d has %d readings", p, n)
			}
		}

		// The authorisation expires: the account stops, figures kept, nothing planned.
		before, _ := db.AnalyticsRows(ctx, e.orgID, []int64{e.instID}, e.t0.Add(-time.Hour), e.t0.Add(time.Hour))
		if _, err := e.sim.ExpireWeiboTokens(e.token, ""); err != nil {
			t.Fatal(err)
		}
		e.clk.Set(e.t0.Add(4 * time.Hour))
		if _, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil {
			t.Fatalf("expired token: %v", err)
		}
		if st, _ := db.CollectionStateOf(ctx, e.weibo); !st.NeedsReauth {
			t.Fatalf("state %+v", st)
		}
		e.jobs.kinds()
		if _, err := e.col.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		if k := e.jobs.kinds(); k["collect.weibo_counts"] != 0 || k["collect.weibo_followers"] != 0 {
			t.Fatalf("planned for an expired account: %v", k)
		}
		after, _ := db.AnalyticsRows(ctx, e.orgID, []int64{e.instID}, e.t0.Add(-time.Hour), e.t0.Add(time.Hour))
		for i := range before {
			if *before[i].Likes != *after[i].Likes {
				t.Fatal("figures changed by a failed collection")
			}
		}

		// Reconnected: a new token, Resume, the plan queues the account again and the
		// missed slots are filled by one reading.
		tok, err := e.sim.IssueWeiboToken("3000001", e.uid)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetCredentials(ctx, e.orgID, e.weibo, map[string]string{"access_token": tok.AccessToken}); err != nil {
			t.Fatal(err)
		}
		if err := e.col.Resume(ctx, e.weibo); err != nil {
			t.Fatal(err)
		}
		if k := e.jobs.kinds(); k["collect.weibo_counts"] != 1 {
			t.Fatalf("after reconnecting the plan queued %v", k)
		}
		e.clk.Set(e.t0.Add(5 * time.Hour))
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil || res.Readings != 250 {
			t.Fatalf("after reconnecting: %+v %v", res, err)
		}
	})
}

// TestCollectWeChatDay: the day's figures are read the next morning; a late datacube
// snoozes the job without writing anything, the day once there gives followers,
// follower moves and each article's cumulated figures, a second run changes nothing,
// a quota answer snoozes, and a missed day is caught up from the cumulated totals.
func TestCollectWeChatDay(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newCollectEnv(t, db, sim.Config{Seed: 9, DatacubeDelay: 9 * time.Hour})
		msg, url, err := e.sim.AddWeChatArticle(e.appID, "船与博物馆")
		if err != nil {
			t.Fatal(err)
		}
		pubs := e.load(t, store.AudienceLoad{Posts: []store.AudiencePost{{InstitutionID: e.instID, Title: "船与博物馆", Theme: "collection", PublishedAt: e.t0,
			Publications: []store.AudiencePublication{{AccountID: e.wechat, Format: passerelle.FormatArticle, PlatformPostID: "art-" + msg, URL: url}}}}}, passerelle.WeChat)
		// A second article published by the engine: its address is unknown, its
		// msg_data_id is in the publication's ref (as freepublish/submit gave it).
		msg2, _, err := e.sim.AddWeChatArticle(e.appID, "德加的舞者")
		if err != nil {
			t.Fatal(err)
		}
		pubs2 := e.load(t, store.AudienceLoad{Posts: []store.AudiencePost{{InstitutionID: e.instID, Title: "德加的舞者", Theme: "collection", PublishedAt: e.t0.Add(time.Minute),
			Publications: []store.AudiencePublication{{AccountID: e.wechat, Format: passerelle.FormatArticle, PlatformPostID: "Kx9art2"}}}}}, passerelle.WeChat)
		second := pubs2[len(pubs2)-1]
		update := `UPDATE publications SET ref = ? WHERE id = ?`
		if db.Dialect() == store.Postgres {
			update = `UPDATE publications SET ref = $1 WHERE id = $2`
		}
		if _, err := db.SQL().ExecContext(ctx, update, `{"msg_data_id": "`+msg2+`", "publish_id": "1"}`, second); err != nil {
			t.Fatal(err)
		}
		day := e.t0.Format(time.DateOnly)
		next := time.Date(e.t0.Year(), e.t0.Month(), e.t0.Day()+1, 0, 0, 0, 0, analytics.Beijing)

		// The plan of the next morning queues the day's job for 08:00.
		e.clk.Set(next.Add(2 * time.Hour))
		if _, err := e.col.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		e.jobs.mu.Lock()
		var found bool
		for i, a := range e.jobs.args {
			if w, ok := a.(analytics.WeChatDayArgs); ok && w.Day == day && w.AccountID == e.wechat && e.jobs.opts[i].ScheduledAt.Equal(next.Add(8*time.Hour)) {
				found = true
			}
		}
		e.jobs.mu.Unlock()
		if !found {
			t.Fatalf("no WeChat job for %s at 08:00: %v", day, e.jobs.args)
		}

		// 08:30: the datacube is late (09:00 here): snooze, nothing written.
		e.clk.Set(next.Add(8*time.Hour + 30*time.Minute))
		res, err := e.col.CollectWeChatDay(ctx, e.wechat, day)
		if d, ok := snoozed(err); !ok || d != 30*time.Minute || res.Readings != 0 {
			t.Fatalf("late datacube: %+v %v", res, err)
		}
		if n := len(e.snapshots(t, pubs[0])); n != 0 {
			t.Fatalf("%d readings before the data", n)
		}
		if _, ok, _ := db.FollowersAt(ctx, e.wechat, next); ok {
			t.Fatal("followers written before the data")
		}

		// 09:30: there.
		e.clk.Set(next.Add(9*time.Hour + 30*time.Minute))
		res, err = e.col.CollectWeChatDay(ctx, e.wechat, day)
		if err != nil || res.Readings != 2 || !res.Ready {
			t.Fatalf("datacube there: %+v %v", res, err)
		}
		if n := len(e.snapshots(t, second)); n != 1 {
			t.Fatalf("the article known by its msg_data_id has %d readings", n)
		}
		snaps := e.snapshots(t, pubs[0])
		if len(snaps) != 1 || snaps[0].Views == nil || *snaps[0].Views <= 0 || !snaps[0].TakenAt.Equal(next) || snaps[0].Likes == nil {
			t.Fatalf("reading %+v", snaps)
		}
		if n, ok, err := db.FollowersAt(ctx, e.wechat, next); err != nil || !ok || n <= 0 {
			t.Fatalf("followers %d %v %v", n, ok, err)
		}
		if nw, _, known, err := db.FollowerMoves(ctx, []int64{e.wechat}, day, day); err != nil || !known || nw <= 0 {
			t.Fatalf("follower moves %d %v %v", nw, known, err)
		}
		// Run again: the same.
		if res, err := e.col.CollectWeChatDay(ctx, e.wechat, day); err != nil || res.Readings != 0 {
			t.Fatalf("second run: %+v %v", res, err)
		}
		if n := len(e.snapshots(t, pubs[0])); n != 1 {
			t.Fatalf("%d readings after a second run", n)
		}

		// Quota reached (45009): snooze to the next Beijing day, nothing written.
		day3 := next.AddDate(0, 0, 2)
		e.clk.Set(day3.Add(10 * time.Hour))
		if err := e.sim.AddFault(sim.Fault{Path: "/datacube/*", RateLimitBurst: 1, Count: 1}); err != nil {
			t.Fatal(err)
		}
		_, err = e.col.CollectWeChatDay(ctx, e.wechat, next.AddDate(0, 0, 1).Format(time.DateOnly))
		if d, ok := snoozed(err); !ok || d != 14*time.Hour+5*time.Minute {
			t.Fatalf("quota: %v", err)
		}
		// The next day: the missed days 2 and 3 come with day 4 from the cumulated totals.
		e.clk.Set(day3.Add(24*time.Hour + 10*time.Hour))
		res, err = e.col.CollectWeChatDay(ctx, e.wechat, day3.Format(time.DateOnly))
		if err != nil || res.Readings != 6 {
			t.Fatalf("catching up: %+v %v", res, err)
		}
		snaps = e.snapshots(t, pubs[0])
		if len(snaps) != 4 {
			t.Fatalf("%d readings, want 4", len(snaps))
		}
		for i := 1; i < len(snaps); i++ {
			if *snaps[i].Views < *snaps[i-1].Views {
				t.Fatalf("reads go backwards: %d then %d", *snaps[i-1].Views, *snaps[i].Views)
			}
		}
	})
}

// TestWeiboMidToID: addresses weibo.com/UID/MID carry the base62 mid; counts need the id.
func TestWeiboMidToID(t *testing.T) {
	for mid, id := range map[string]string{"z0JH2lOMb": "3501756485200075", "3501756485200075": "3501756485200075", "z0JH2l-Mb": "", "": "", "Ht4": "167094"} {
		if got := analytics.WeiboPostID(mid); got != id {
			t.Errorf("%q: %q, want %q", mid, got, id)
		}
	}
}

// TestCollectThroughRiver: the plan job, run by River, queues the accounts' jobs
// (unique per account and day), which River runs to readings.
func TestCollectThroughRiver(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newCollectEnv(t, db, sim.Config{Seed: 10})
		pubs := e.publishWeibo(t, 120)
		if err := jobs.Migrate(ctx, db, nil); err != nil {
			t.Fatal(err)
		}
		workers := river.NewWorkers()
		e.col.AddWorkers(workers)
		jc, err := jobs.New(db, jobs.Options{Workers: workers, Work: true, FetchPollInterval: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		e.col.Jobs = jc
		e.clk.Set(e.t0.Add(90 * time.Minute))
		if err := jc.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			jc.Stop(sctx)
		})
		// Two plans at once: still one job per account.
		for range 2 {
			if _, err := e.col.Plan(ctx); err != nil {
				t.Fatal(err)
			}
		}
		if err := jc.Insert(ctx, analytics.PlanArgs{}, analytics.PlanInsertOpts()); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			last := e.snapshots(t, pubs[len(pubs)-1])
			_, ok, _ := db.FollowersAt(ctx, e.weibo, e.clk.Now())
			if len(last) == 1 && ok {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("no readings through River: %d, followers %v", len(last), ok)
			}
			time.Sleep(100 * time.Millisecond)
		}
		list, err := jc.List(ctx, jobs.QueueDefault, 100)
		if err != nil {
			t.Fatal(err)
		}
		kinds := map[string]int{}
		for _, j := range list {
			kinds[j.Kind]++
		}
		if kinds["collect.weibo_counts"] != 1 || kinds["collect.weibo_followers"] != 1 {
			t.Fatalf("jobs %v", kinds)
		}
		if n := e.calls.count("/2/statuses/count.json"); n != 2 {
			t.Fatalf("%d counts calls for 120 posts", n)
		}
		for _, p := range pubs {
			if n := len(e.snapshots(t, p)); n != 1 {
				t.Fatalf("publication %d: %d readings", p, n)
			}
		}
	})
}

// FuzzWeiboPostID: any platform post id (from a pasted address) gives a numeric id of
// at most 20 digits or nothing, never a panic.
func FuzzWeiboPostID(f *testing.F) {
	for _, s := range []string{"z0JH2lOMb", "3501756485200075", "", "Ht4", "zzzzzzzzzzzzzzzz", "0000", "a_b", "４５６"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id := analytics.WeiboPostID(s)
		if id == "" {
			return
		}
		if len(id) > 20 || strings.Trim(id, "0123456789") != "" || id[0] == '0' {
			t.Fatalf("%q gave %q", s, id)
		}
	})
}
