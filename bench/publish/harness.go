package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/bench/internal/proc"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/secret"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Run is one publishing run: publications due in a window across accounts, delivered
// by child `passerelle serve` processes against a simulator on loopback.
type Run struct {
	Bin         string
	DataDir     string
	DatabaseURL string // empty: SQLite in DataDir
	Instances   int
	Accounts    int
	N           int
	Window      time.Duration // due instants spread over it
	Lead        time.Duration // time between the end of scheduling and the first due instant
	Latency     sim.Fault     // applied to every platform call
	Log         io.Writer     // children's output
	Logger      *slog.Logger
	// First is the first publication's instant (set by Start).
	First time.Time

	keys    string
	sim     *sim.Simulator
	simURL  string
	mu      sync.Mutex
	servers []*proc.Server
	db      *store.DB
	ids     []int64
	uids    map[int64]string // account id → uid
	orgID   int64
	Kills   int
}

// Result is what a run measured.
type Result struct {
	Published, Duplicates, Lost, NeedsCheck, Failed int
	Lateness                                        []time.Duration // per published publication, at the platform
	// ClaimLateness is, per published publication, when its first attempt was claimed
	// minus when the engine means to claim it (its instant less the Ahead): late claims
	// come from the job queue (promotion, fetch), late calls after an early claim from
	// the worker's wait and the machine.
	ClaimLateness []time.Duration
	// ClaimPath says, per entry of ClaimLateness, which path claimed the first attempt:
	// "dispatcher" (the instance's due-time dispatcher) or "job" (the River job).
	ClaimPath []string
	// Offsets are the published publications' instants from the first one, in the same
	// order as Lateness: where in the window the late ones fall.
	Offsets []time.Duration
	Elapsed time.Duration
	// LostDetails describes each lost publication (its state, its attempts and what
	// the simulator holds under the post id it recorded), for the failure message.
	LostDetails []string
}

// Start seeds the data and starts the simulator and the servers.
func (r *Run) Start(ctx context.Context) error {
	if r.Logger == nil {
		r.Logger = slog.New(slog.DiscardHandler)
	}
	r.keys = secret.FormatKeys(map[int][]byte{1: secret.NewKey()})
	cfg := sim.Config{Seed: 7, Logger: r.Logger}
	if r.Latency.Path != "" {
		cfg.Faults = []sim.Fault{r.Latency}
	}
	r.sim = sim.New(cfg)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	go (&http.Server{Handler: r.sim, ReadHeaderTimeout: 10 * time.Second}).Serve(ln)
	r.simURL = "http://" + ln.Addr().String()
	keys, err := secret.ParseKeys(r.keys)
	if err != nil {
		return err
	}
	ring, err := secret.NewKeyring(keys)
	if err != nil {
		return err
	}
	r.db, err = store.Open(ctx, store.Options{URL: r.DatabaseURL, DataDir: r.DataDir, Keys: ring})
	if err != nil {
		return err
	}
	if err := r.db.Migrate(ctx); err != nil {
		return err
	}
	if err := jobs.Migrate(ctx, r.db, nil); err != nil {
		return err
	}
	if err := r.seed(ctx); err != nil {
		return err
	}
	for range r.Instances {
		if err := r.startServer(); err != nil {
			return err
		}
	}
	return nil
}

func (r *Run) serverFlags() []string {
	f := []string{"--secret-key", r.keys, "--weibo-api", r.simURL, "--wechat-api", r.simURL, "--log-level", "error",
		"--publish-lead", "10s", "--publish-settle", "3s"}
	if r.DatabaseURL != "" {
		f = append(f, "--database-url", r.DatabaseURL)
	}
	return f
}

func (r *Run) startServer() error {
	addr, err := proc.FreeAddr()
	if err != nil {
		return err
	}
	s, err := proc.Serve(r.Bin, addr, r.DataDir, r.Log, r.serverFlags()...)
	if err != nil {
		return err
	}
	if _, err := s.WaitReady(60 * time.Second); err != nil {
		s.Cmd.Process.Kill()
		return err
	}
	r.mu.Lock()
	r.servers = append(r.servers, s)
	r.mu.Unlock()
	return nil
}

// Kill SIGKILLs server i and starts a new one in its place.
func (r *Run) Kill(i int) error {
	r.mu.Lock()
	s := r.servers[i]
	r.mu.Unlock()
	s.Cmd.Process.Signal(syscall.SIGKILL)
	s.Cmd.Wait()
	r.Kills++
	addr, err := proc.FreeAddr()
	if err != nil {
		return err
	}
	n, err := proc.Serve(r.Bin, addr, r.DataDir, r.Log, r.serverFlags()...)
	if err != nil {
		return err
	}
	r.mu.Lock()
	r.servers[i] = n
	r.mu.Unlock()
	_, err = n.WaitReady(60 * time.Second)
	return err
}

// Close stops the servers and the simulator.
func (r *Run) Close() {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, s := range r.servers {
		s.Stop()
	}
	if r.sim != nil {
		r.sim.Close()
	}
	if r.db != nil {
		r.db.Close()
	}
}

// seed makes the accounts, their simulator apps and tokens, and the approved posts,
// then schedules them all with the engine's own hook (jobs in the same transactions).
func (r *Run) seed(ctx context.Context) error {
	org, err := r.db.CreateOrganization(ctx, "Bench agency")
	if err != nil {
		return err
	}
	r.orgID = org.ID
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Musée du Louvre", NameZH: "卢浮宫", Country: "FR", TimeZone: "Europe/Paris"}
	if err := r.db.CreateInstitution(ctx, inst); err != nil {
		return err
	}
	r.uids = map[int64]string{}
	accounts := make([]*passerelle.Account, r.Accounts)
	var mu sync.Mutex
	err = parallel(r.Accounts, func(i int) error {
		uid := strconv.Itoa(5_100_000_000 + i)
		app := sim.WeiboApp{ClientID: "35" + uid, ClientSecret: "s" + uid, SafeDomain: "127.0.0.1", MinShareIntervalSeconds: -1, SharesPerHour: -1, ReadsPerHour: -1}
		if err := r.sim.AddWeiboApp(app); err != nil {
			return err
		}
		tok, err := r.sim.IssueWeiboToken(app.ClientID, uid)
		if err != nil {
			return err
		}
		a := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Kind: passerelle.AccountManaged, Handle: "louvre" + uid}
		if err := r.db.CreateAccount(ctx, org.ID, a); err != nil {
			return err
		}
		if err := r.db.SetCredentials(ctx, org.ID, a.ID, map[string]string{"app_key": app.ClientID, "app_secret": app.ClientSecret, "access_token": tok.AccessToken, "safe_domain": "127.0.0.1"}); err != nil {
			return err
		}
		if err := r.db.SaveConnection(ctx, &store.Connection{AccountID: a.ID, Status: "ok", DiagnosisKey: "ok", CanPublish: true, PlatformUID: uid}); err != nil {
			return err
		}
		mu.Lock()
		r.uids[a.ID] = uid
		mu.Unlock()
		accounts[i] = a
		return nil
	})
	if err != nil {
		return err
	}
	// The engine's hook, with an insert-only job client, as a post write in the server
	// would run it.
	jc, err := jobs.New(r.db, jobs.Options{})
	if err != nil {
		return err
	}
	svc := publish.New(publish.Options{DB: r.db, Jobs: jc, Lead: 10 * time.Second})
	r.db.SetPostHook(svc.Sync)
	posts := make([]*passerelle.Post, r.N)
	created := time.Now()
	err = parallel(r.N, func(i int) error {
		a := accounts[i%len(accounts)]
		p := &passerelle.Post{InstitutionID: inst.ID, Title: fmt.Sprintf("Post %d", i), Theme: "collection", SourceLang: "fr",
			TextZH: fmt.Sprintf("卢浮宫的船 第%d篇 http://127.0.0.1/p/%d", i, i), Status: passerelle.StatusApproved,
			Publications: []*passerelle.Publication{{AccountID: a.ID, Format: passerelle.FormatText, Mode: passerelle.ModeAPI}}}
		if err := r.db.CreatePost(ctx, org.ID, p, passerelle.Actor{Name: "bench"}); err != nil {
			return err
		}
		posts[i] = p
		return nil
	})
	if err != nil {
		return err
	}
	// Due instants: spread evenly over the window, starting Lead after the scheduling
	// pass is expected to end (it costs about three times the creation pass: a job
	// insert and the hook's reads besides the write).
	start := time.Now()
	first := start.Add(r.Lead + 3*start.Sub(created))
	r.First = first
	r.ids = make([]int64, len(posts))
	err = parallel(len(posts), func(i int) error {
		p := posts[i]
		due := first.Add(time.Duration(int64(r.Window) * int64(i) / int64(max(r.N, 1)))).UTC().Truncate(time.Millisecond)
		_, err := r.db.UpdatePost(ctx, org.ID, p.ID, passerelle.Actor{Name: "bench"}, func(q *passerelle.Post) (store.PostWrite, error) {
			q.Publications[0].ScheduledAt = &due
			q.Status = passerelle.StatusScheduled
			return store.PostWrite{Transitions: []passerelle.Transition{{From: passerelle.StatusApproved, To: passerelle.StatusScheduled, ActorName: "bench"}}}, nil
		})
		if err != nil {
			return err
		}
		r.ids[i] = p.Publications[0].ID
		return nil
	})
	if err != nil {
		return err
	}
	if time.Now().After(first) {
		return fmt.Errorf("scheduling took %s: the first publications were due before it ended", time.Since(start))
	}
	r.db.SetPostHook(nil)
	return nil
}

// parallel runs fn for 0..n-1 on a few goroutines (seeding: each call is its own
// transaction, which PostgreSQL commits concurrently) and returns the first error.
func parallel(n int, fn func(i int) error) error {
	var wg sync.WaitGroup
	var mu sync.Mutex
	var first error
	next := 0
	for range 8 {
		wg.Go(func() {
			for {
				mu.Lock()
				i := next
				next++
				stop := first != nil
				mu.Unlock()
				if i >= n || stop {
					return
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}

// Wait waits until every publication is final (published, failed) or in needs_check
// with no attempt open, or until timeout; then measures.
func (r *Run) Wait(ctx context.Context, timeout time.Duration) (Result, error) {
	deadline := time.Now().Add(timeout)
	for {
		rows, err := r.db.PublicationRows(ctx, store.PublicationFilter{OrgID: r.orgID})
		if err != nil {
			return Result{}, err
		}
		done := 0
		for _, b := range rows {
			if b.State == passerelle.DeliveryPublished || b.State == passerelle.DeliveryFailed || b.State == passerelle.DeliveryNeedsCheck {
				done++
			}
		}
		if done == len(r.ids) || time.Now().After(deadline) {
			break
		}
		time.Sleep(500 * time.Millisecond)
	}
	return r.measure(ctx)
}

// measure compares what the database says with what the simulator received.
func (r *Run) measure(ctx context.Context) (Result, error) {
	var res Result
	rows, err := r.db.PublicationRows(ctx, store.PublicationFilter{OrgID: r.orgID})
	if err != nil {
		return res, err
	}
	var first time.Time
	for _, b := range rows {
		if b.ScheduledAt != nil && (first.IsZero() || b.ScheduledAt.Before(first)) {
			first = *b.ScheduledAt
		}
	}
	byText := map[string][]sim.WeiboStatus{}
	byID := map[string]sim.WeiboStatus{}
	for _, uid := range r.uids {
		for _, st := range r.sim.WeiboStatuses(uid) {
			byText[st.Text] = append(byText[st.Text], st)
			byID[st.IDStr] = st
		}
	}
	for _, sts := range byText {
		if len(sts) > 1 {
			res.Duplicates += len(sts) - 1
		}
	}
	paths, err := r.claimPaths(ctx)
	if err != nil {
		return res, err
	}
	for _, b := range rows {
		d, err := r.db.Delivery(ctx, b.ID)
		if err != nil {
			return res, err
		}
		text := d.Post.TextZH
		sts := byText[text]
		switch b.State {
		case passerelle.DeliveryPublished:
			if len(sts) == 0 {
				res.Lost++ // says published, the platform has nothing
				res.LostDetails = append(res.LostDetails, r.describe(ctx, d, byID))
				continue
			}
			res.Published++
			res.Lateness = append(res.Lateness, sts[0].CreatedAt.Sub(*b.ScheduledAt))
			res.Offsets = append(res.Offsets, b.ScheduledAt.Sub(first))
			if as, err := r.db.Attempts(ctx, b.ID); err == nil && len(as) > 0 {
				res.ClaimLateness = append(res.ClaimLateness, as[0].StartedAt.Sub(b.ScheduledAt.Add(-publish.DefaultAhead)))
				res.ClaimPath = append(res.ClaimPath, paths[b.ID])
			}
		case passerelle.DeliveryNeedsCheck:
			res.NeedsCheck++
		case passerelle.DeliveryFailed:
			res.Failed++
			if len(sts) > 0 {
				res.Lost++ // failed here, yet out there
				res.LostDetails = append(res.LostDetails, r.describe(ctx, d, byID))
			}
		default:
			res.Lost++
			res.LostDetails = append(res.LostDetails, r.describe(ctx, d, byID))
		}
	}
	return res, nil
}

// describe says what is known of a lost publication: its state and post id, each
// attempt (holder, outcome, post id, error) and what the simulator holds under the
// post ids recorded.
func (r *Run) describe(ctx context.Context, d *store.Delivery, byID map[string]sim.WeiboStatus) string {
	b := d.Publication
	var w strings.Builder
	fmt.Fprintf(&w, "publication %d (account %d, text %q): state %s, generation %d, post id %q", b.ID, b.AccountID, d.Post.TextZH, b.State, b.Generation, b.PlatformPostID)
	holders := map[int]string{}
	if rows, err := r.db.SQL().QueryContext(ctx, `SELECT number, holder FROM publication_attempts WHERE publication_id = ?`, b.ID); err == nil {
		for rows.Next() {
			var n int
			var h string
			if rows.Scan(&n, &h) == nil {
				holders[n] = h
			}
		}
		rows.Close()
	}
	as, err := r.db.Attempts(ctx, b.ID)
	if err != nil {
		fmt.Fprintf(&w, "; attempts: %v", err)
	}
	for _, a := range as {
		fmt.Fprintf(&w, "; attempt %d by %q at %s: %s, post id %q, ref %v, error %q", a.Number, holders[a.Number], a.StartedAt.Format(time.RFC3339Nano), a.Outcome, a.PlatformPostID, a.Ref, a.Error)
	}
	for _, id := range []string{b.PlatformPostID} {
		if st, ok := byID[id]; ok {
			fmt.Fprintf(&w, "; the simulator holds %s: uid %s, text %q, at %s", id, st.UID, st.Text, st.CreatedAt.Format(time.RFC3339Nano))
		} else if id != "" {
			fmt.Fprintf(&w, "; the simulator holds no status %s", id)
		}
	}
	return w.String()
}

// claimPaths reads, per publication, which path claimed its first attempt (the
// attempt's holder is "host:pid dispatcher" or "host:pid job N").
func (r *Run) claimPaths(ctx context.Context) (map[int64]string, error) {
	rows, err := r.db.SQL().QueryContext(ctx, `SELECT publication_id, holder FROM publication_attempts WHERE number = 1`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]string{}
	for rows.Next() {
		var id int64
		var holder string
		if err := rows.Scan(&id, &holder); err != nil {
			return nil, err
		}
		switch {
		case strings.HasSuffix(holder, " dispatcher"):
			out[id] = "dispatcher"
		case strings.Contains(holder, " job"):
			out[id] = "job"
		default:
			out[id] = "other"
		}
	}
	return out, rows.Err()
}

// Percentile returns the p-th percentile of ds (sorted in place).
func Percentile(ds []time.Duration, p float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
	i := int(float64(len(ds)-1) * p)
	return ds[i]
}

// KillAtRandom SIGKILLs a random server every 0.5–2.5 s until stop is closed or n kills.
func (r *Run) KillAtRandom(stop <-chan struct{}, n int, rng *rand.Rand) error {
	for r.Kills < n {
		select {
		case <-stop:
			return nil
		case <-time.After(500*time.Millisecond + time.Duration(rng.IntN(2000))*time.Millisecond):
		}
		if err := r.Kill(rng.IntN(len(r.servers))); err != nil {
			return err
		}
	}
	return nil
}

// Decompose says where lateness comes from: the claims' lateness (the job queue), and
// for the publications more than a second late, where their instants fall in the
// window (at its start: the servers were not ready; spread: steady contention).
func Decompose(res Result) string {
	var b strings.Builder
	if all := slices.Clone(res.ClaimLateness); len(all) > 0 {
		fmt.Fprintf(&b, "claim lateness (first attempt − (instant − %s)): p50_ms=%d p99_ms=%d max_ms=%d\n", publish.DefaultAhead,
			Percentile(all, 0.5).Milliseconds(), Percentile(all, 0.99).Milliseconds(), Percentile(all, 1).Milliseconds())
	}
	byPath := map[string][]time.Duration{}
	for i, p := range res.ClaimPath {
		byPath[p] = append(byPath[p], res.ClaimLateness[i])
	}
	paths := make([]string, 0, len(byPath))
	for p := range byPath {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		ls := slices.Clone(byPath[p])
		fmt.Fprintf(&b, "  claimed by %s: %d, p50_ms=%d p99_ms=%d max_ms=%d\n", p, len(ls),
			Percentile(ls, 0.5).Milliseconds(), Percentile(ls, 0.99).Milliseconds(), Percentile(ls, 1).Milliseconds())
	}
	buckets := map[int]int{}
	late := 0
	for i, l := range res.Lateness {
		if l > time.Second && i < len(res.Offsets) {
			late++
			buckets[int(res.Offsets[i]/(5*time.Second))]++
		}
	}
	if late > 0 {
		keys := make([]int, 0, len(buckets))
		for k := range buckets {
			keys = append(keys, k)
		}
		sort.Ints(keys)
		fmt.Fprintf(&b, "%d publications more than 1 s late, by their instant in the window:", late)
		for _, k := range keys {
			fmt.Fprintf(&b, " %ds–%ds: %d", k*5, k*5+5, buckets[k])
		}
		b.WriteString("\n")
	}
	return b.String()
}
