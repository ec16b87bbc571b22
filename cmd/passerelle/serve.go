package main

import (
	"context"

	"errors"
	"fmt"
	"github.com/riverqueue/river"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/api"
	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/backup"
	"github.com/passerelle-oss/passerelle/internal/barometer"
	"github.com/passerelle-oss/passerelle/internal/clients"
	"github.com/passerelle-oss/passerelle/internal/config"
	"github.com/passerelle-oss/passerelle/internal/connect"
	"github.com/passerelle-oss/passerelle/internal/demo"
	"github.com/passerelle-oss/passerelle/internal/desk"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/notify"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
	"github.com/passerelle-oss/passerelle/internal/visit"
	"github.com/passerelle-oss/passerelle/internal/web"
	"github.com/passerelle-oss/passerelle/internal/webhook"
)

// Main is a running Passerelle server. Tests boot one on 127.0.0.1:0 with Open and
// stop it with Close.
type Main struct {
	Config *config.Config
	Logger *slog.Logger
	// Out receives what a person starting the server should read (setup link, demo
	// sign-in).
	Out io.Writer

	DB      *store.DB
	Auth    *auth.Service
	Tenancy *tenancy.Service
	Server  *server.Server
	Jobs    *jobs.Client
	// Sim is the in-process platform simulator of the demo, nil otherwise.
	Sim       *sim.Simulator
	simServer *http.Server
	demo      demo.Result
	// demoWeibo is the demo's simulated Weibo app, when the demo runs.
	demoWeibo []sim.WeiboApp
	Connect   *connect.Service
	Webhook   *webhook.Handler
	Publish   *publish.Service
	// Visit is the visitor pages service (audioguides, exhibitions).
	Visit    *visit.Service
	Partners *partners.Service
	// Desk is the WeChat service desk (placements, replies, menu, inbox).
	Desk *desk.Service
	// ReconcileEvery is how often the publishing reconciler sweeps (15 s; tests lower it).
	ReconcileEvery time.Duration
	// EmptyDemoDesk leaves the demo's service desk empty (no placements, replies,
	// menu or conversations): the tests that build a desk from nothing set it.
	EmptyDemoDesk bool
	// PlatformTimeout bounds each platform call (the clients' 15 s default when zero;
	// fault-injection tests lower it).
	PlatformTimeout time.Duration
	// RetryBase is the first retry's delay after a retryable platform failure (5 s when
	// zero; tests lower it).
	RetryBase time.Duration
	// CollectEvery is how often the audience collection looks for what is due (5 min,
	// 1 min in the demo; tests lower it).
	CollectEvery time.Duration
	// Collector collects the platforms' figures (internal/analytics).
	Collector *analytics.Collector
	// BackupProgram is the passerelle binary that writes the scheduled backups in a
	// process of their own (backup.Apart), logging to BackupStderr; empty: they are
	// written in this process. serve sets it to itself.
	BackupProgram string
	BackupStderr  io.Writer

	ln net.Listener
	// metricsLn serves /metrics alone when --metrics-addr is set.
	metricsLn net.Listener
	cancel    context.CancelFunc
	done      chan error
	// dispatched is closed when the publishing dispatcher has stopped.
	dispatched chan struct{}
}

// Open opens the data, wires the server and starts listening.
func (m *Main) Open(ctx context.Context) (err error) {
	cfg := m.Config
	if m.Logger == nil {
		m.Logger = slog.New(slog.DiscardHandler)
	}
	if m.Out == nil {
		m.Out = io.Discard
	}
	db, err := openStore(ctx, cfg, m.Logger)
	if err != nil {
		return err
	}
	m.DB = db
	if cfg.DatabaseURL != "" && cfg.SecretKey == "" {
		// Every instance on the database must open what the others sealed.
		m.Logger.Warn("PostgreSQL with a key file in the data directory: give every instance the same PASSERELLE_SECRET_KEY", slog.String("key_file", keyFile(cfg)))
	}
	defer func() {
		if err == nil {
			return
		}
		if m.ln != nil {
			m.ln.Close()
		}
		if m.metricsLn != nil {
			m.metricsLn.Close()
		}
		if m.Webhook != nil {
			m.Webhook.Close()
		}
		m.closeSim()
		db.Close()
	}()
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	m.ln = ln
	if cfg.MetricsAddr != "" {
		if m.metricsLn, err = net.Listen("tcp", cfg.MetricsAddr); err != nil {
			return fmt.Errorf("listen on %s: %w", cfg.MetricsAddr, err)
		}
	}
	if cfg.BaseURL == "" {
		cfg.BaseURL = "http://" + displayAddr(ln.Addr())
	}
	m.Auth = auth.New(db, m.Logger)
	if cfg.LoginConcurrency > 0 {
		m.Auth.LimitArgon(cfg.LoginConcurrency, 5*time.Second)
	}
	m.Tenancy = &tenancy.Service{DB: db}
	if cfg.Demo {
		if err := startDemo(ctx, m); err != nil {
			return fmt.Errorf("demo: %w", err)
		}
	}
	catalog, err := web.Catalog()
	if err != nil {
		return err
	}
	m.Server = server.New(server.Options{
		Catalog:        catalog,
		Logger:         m.Logger,
		DB:             db,
		Auth:           m.Auth,
		MaxBodyBytes:   cfg.MaxBodyBytes,
		TrustProxy:     cfg.TrustProxy,
		TrustedProxies: cfg.TrustedProxies,
		MetricsToken:   cfg.MetricsToken,
		SecureCookies:  strings.HasPrefix(cfg.BaseURL, "https://"),
		Version:        version(),
	})
	db.AuditActor = func(ctx context.Context) int64 {
		if u := server.User(ctx); u != nil {
			return u.ID
		}
		return 0
	}
	api.Register(m.Server, m.Tenancy, m.Auth)
	factory := &clients.Factory{DB: db, WeiboAPI: cfg.WeiboAPI, WeChatAPI: cfg.WeChatAPI, WeiboRedirectURI: cfg.BaseURL + "/oauth/weibo/callback", Logger: m.Logger, Timeout: m.PlatformTimeout}
	m.Connect = &connect.Service{DB: db, Tenancy: m.Tenancy, WeiboAPI: cfg.WeiboAPI, WeChatAPI: cfg.WeChatAPI, BaseURL: cfg.BaseURL, Logger: m.Logger, Clients: factory}
	api.RegisterPlatforms(m.Server, m.Tenancy, db, m.Connect)
	registerBarometer(m.Server, m.Tenancy, db)

	// The job client comes before any post write: scheduling inserts delivery jobs in
	// the write's transaction (the store's post hook).
	workers := river.NewWorkers()
	mediaStore, err := openMediaStore(ctx, cfg)
	if err != nil {
		return err
	}
	reconcileEvery := m.ReconcileEvery
	if reconcileEvery <= 0 {
		reconcileEvery = 15 * time.Second
	}
	// Relay campaigns' reminders: the authors are told when a partner is due one.
	m.Partners = partners.New(partners.Options{DB: db, BaseURL: cfg.BaseURL})
	river.AddWorker(workers, &partners.RemindersWorker{Service: m.Partners, Logger: m.Logger})
	periodic := []*river.PeriodicJob{
		jobs.Periodic(time.Hour, partners.RemindersArgs{}, nil),
		jobs.Periodic(10*time.Minute, jobs.HousekeepingArgs{}, nil),
		jobs.Periodic(24*time.Hour, barometer.QuarterEndArgs{}, nil),
		jobs.Periodic(24*time.Hour, jobs.RetentionArgs{}, nil),
		// A safety net: pushes enqueue their own drain job.
		jobs.Periodic(time.Minute, webhook.DrainArgs{}, webhook.DrainInsertOpts()),
		jobs.Periodic(reconcileEvery, publish.ReconcileArgs{}, publish.ReconcileInsertOpts()),
		jobs.Periodic(10*time.Minute, notify.DigestArgs{}, nil),
		jobs.Periodic(time.Hour, analytics.MonthlyReportArgs{}, nil),
	}
	collectEvery := m.CollectEvery
	if collectEvery <= 0 {
		collectEvery = 5 * time.Minute
		if cfg.Demo {
			collectEvery = time.Minute
		}
	}
	periodic = append(periodic, jobs.Periodic(collectEvery, analytics.PlanArgs{}, analytics.PlanInsertOpts()))
	if cfg.BackupInterval > 0 {
		remote, err := backupRemote(ctx, cfg)
		if err != nil {
			return err
		}
		bw := &backup.Worker{
			Remote: remote,
			// Paced, for the disk: the backup process's priority (Apart) takes care of
			// the processor. In this process (no BackupProgram), an unpaced backup
			// doubled the p99 of requests on 2 cores.
			Options:  backup.Options{DB: db, DataDir: cfg.DataDir, Media: mediaStore, Version: version(), Logger: m.Logger, BytesPerSecond: scheduledBackupRate},
			Dir:      backupDir(cfg),
			Interval: cfg.BackupInterval,
			Keep:     cfg.BackupKeep,
		}
		if m.BackupProgram != "" {
			bw.Apart = &backup.Apart{Program: m.BackupProgram, Env: backupEnv(cfg, os.Environ()), Stderr: m.BackupStderr}
		}
		river.AddWorker(workers, bw)
		// The worker decides whether a backup is due; checking hourly survives restarts.
		periodic = append(periodic, jobs.Periodic(min(time.Hour, cfg.BackupInterval), backup.JobArgs{}, nil))
	}
	m.Jobs, err = jobs.New(db, jobs.Options{
		Logger:       m.Logger,
		Workers:      workers,
		Work:         true,
		PeriodicJobs: periodic,
		// A delivery job waits up to the lead for its instant, then calls the platform.
		RescueStuckJobsAfter: cfg.PublishLead + 10*time.Minute,
	})
	if err != nil {
		return err
	}
	gate := media.NewGate(media.GateOptions{Files: cfg.MediaWorkers, DecodeBytes: cfg.MediaDecodeBytes})
	m.Publish = publish.New(publish.Options{DB: db, Jobs: m.Jobs, Clients: factory, Media: mediaStore, Logger: m.Logger,
		Lead: cfg.PublishLead, Settle: cfg.PublishSettle, Stale: cfg.PublishSettle + 15*time.Second, RetryBase: m.RetryBase})
	db.SetPostHook(m.Publish.Sync)
	// Audience collection: River jobs planned periodically (internal/analytics).
	m.Collector = &analytics.Collector{DB: db, Clients: factory, Jobs: m.Jobs, Logger: m.Logger}
	m.Collector.AddWorkers(workers)
	// A reconnection that proves the account may publish again resumes what waited for
	// it: publications, then the account's collection.
	m.Connect.Resume = func(ctx context.Context, accountID int64) (int, error) {
		n, err := m.Publish.Reconnected(ctx, accountID)
		if err != nil {
			return n, err
		}
		if err := m.Collector.Resume(ctx, accountID); err != nil {
			m.Logger.Warn("collection not resumed", slog.Int64("account", accountID), slog.Any("err", err))
		}
		return n, nil
	}
	m.Desk = &desk.Service{DB: db, Tenancy: m.Tenancy, Clients: factory, Logger: m.Logger}
	river.AddWorker(workers, &webhook.DrainWorker{DB: db, Logger: m.Logger, Publish: m.Publish, Desk: m.Desk})
	river.AddWorker(workers, &jobs.HousekeepingWorker{DB: db, Logger: m.Logger})
	river.AddWorker(workers, &jobs.RetentionWorker{DB: db, Pushes: cfg.PushRetention, Conversations: cfg.ConversationRetention, Audit: cfg.AuditRetention, Logger: m.Logger})
	river.AddWorker(workers, &barometer.QuarterEndWorker{Service: &barometer.Service{DB: db}, Logger: m.Logger})
	river.AddWorker(workers, &publish.DeliverWorker{Service: m.Publish})
	river.AddWorker(workers, &publish.ReconcileWorker{Service: m.Publish})
	digest := &notify.DigestWorker{DB: db, BaseURL: cfg.BaseURL, Logger: m.Logger}
	if cfg.SMTPURL != "" {
		if digest.Mailer, err = notify.ParseURL(cfg.SMTPURL); err != nil {
			return err
		}
	}
	river.AddWorker(workers, digest)
	// The monthly reports to the reviewers, sent on the 1st when SMTP is configured.
	monthly := &analytics.MonthlyReportWorker{Service: &analytics.Service{DB: db, Tenancy: m.Tenancy}, Mailer: digest.Mailer, Logger: m.Logger}
	if monthly.Labels, err = web.Labels(); err != nil {
		return err
	}
	river.AddWorker(workers, monthly)

	edit := editorial.New(editorial.Options{DB: db, DataDir: cfg.DataDir, Media: mediaStore, Limits: media.Limits{Gate: gate}, Logger: m.Logger})
	m.Desk.Glossary = edit.Checker
	if m.demo.Seeded {
		if err := demo.Posts(ctx, db, edit, m.demo.OrgID, time.Now()); err != nil {
			return fmt.Errorf("demo posts: %w", err)
		}
	}
	editAPI := api.RegisterEditorial(m.Server, edit)
	m.Visit = visit.New(db, edit.MediaStore(), cfg.BaseURL, m.Logger)
	m.Visit.Limits = media.Limits{Gate: gate}
	if err := m.Visit.Register(m.Server); err != nil {
		return err
	}
	api.RegisterVisit(m.Server, m.Visit)
	if m.Desk != nil {
		m.Desk.StopLinks = m.Visit
	}
	if m.demo.Seeded {
		tourURL, exURL, err := demo.Visit(ctx, db, edit, m.Visit, m.demo.OrgID)
		if err != nil {
			return fmt.Errorf("demo visitor pages: %w", err)
		}
		m.Logger.Info("demo: the Louvre's audioguide and virtual exhibition are published", "tour", tourURL, "exhibition", exURL)
	}
	api.RegisterPublishing(m.Server, m.Publish, db)
	api.RegisterPartners(m.Server, m.Partners, editAPI)
	if m.demo.Seeded {
		if err := demo.Partners(ctx, db, m.Partners, m.demo.OrgID, time.Now()); err != nil {
			return fmt.Errorf("demo partners: %w", err)
		}
		if err := demo.Network(ctx, db, edit, m.Partners, m.demo.OrgID, time.Now()); err != nil {
			return fmt.Errorf("demo network account: %w", err)
		}
		if !m.EmptyDemoDesk {
			if err := demo.Desk(ctx, db, m.Desk, m.Sim, m.demo.OrgID, time.Now()); err != nil {
				return fmt.Errorf("demo service desk: %w", err)
			}
		}
		if err := demo.History(ctx, db, m.demo.OrgID, time.Now()); err != nil {
			return fmt.Errorf("demo history: %w", err)
		}
	}
	if m.Sim != nil && len(m.demoWeibo) > 0 {
		if err := demo.RelayedOnWeibo(ctx, db, m.Sim, m.demoWeibo[0], m.demo.OrgID); err != nil {
			return fmt.Errorf("demo relay: %w", err)
		}
	}
	api.RegisterDesk(m.Server, m.Desk)
	audience := &analytics.Service{DB: db, Tenancy: m.Tenancy}
	labels, err := web.Labels()
	if err != nil {
		return err
	}
	api.RegisterAnalytics(m.Server, audience, labels)
	api.RegisterCollection(m.Server, audience)

	m.Webhook = webhook.Register(webhook.Options{DB: db, Jobs: m.Jobs, Server: m.Server, Logger: m.Logger, Replier: m.Desk})

	var demoScan func(context.Context, string, string, int) (int, error)
	if m.Sim != nil {
		demoScan = func(_ context.Context, appID, ticket string, visitors int) (int, error) {
			res, err := m.Sim.Scan(sim.ScanRequest{AppID: appID, Ticket: ticket, NewVisitors: visitors})
			return len(res.Subscribed), err
		}
	}
	if err := web.Register(web.Deps{Server: m.Server, DB: db, Auth: m.Auth, Tenancy: m.Tenancy, Connect: m.Connect, Editorial: edit, Publish: m.Publish, Analytics: audience, Jobs: m.Jobs, Desk: m.Desk, Visit: m.Visit, Logger: m.Logger, BaseURL: cfg.BaseURL, Demo: cfg.Demo,
		DemoScan: demoScan, Partners: m.Partners}); err != nil {
		return err
	}
	if !cfg.Demo {
		if err := m.announceSetup(ctx); err != nil {
			return err
		}
	}

	sctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	m.cancel = cancel
	if err := m.Jobs.Start(sctx); err != nil {
		cancel()
		return fmt.Errorf("start jobs: %w", err)
	}
	// Every instance starts each due delivery at its instant (publish.Dispatch); River
	// carries the jobs behind it.
	m.dispatched = make(chan struct{})
	go func() { m.Publish.Dispatch(sctx, publish.DispatchOptions{}); close(m.dispatched) }()
	m.done = make(chan error, 1)
	go func() { m.done <- m.Server.Serve(sctx, ln, cfg.ShutdownTimeout) }()
	if m.metricsLn != nil {
		metrics := &http.Server{Handler: m.Server.MetricsHandler(), ReadHeaderTimeout: 10 * time.Second, WriteTimeout: 30 * time.Second}
		go metrics.Serve(m.metricsLn)
		go func() { <-sctx.Done(); metrics.Close() }()
	}
	m.Logger.Info("serving", slog.String("url", cfg.BaseURL), slog.String("database", string(db.Dialect())))
	return nil
}

// announceSetup prints the one-time setup link when no user exists yet.
func (m *Main) announceSetup(ctx context.Context) error {
	token, err := m.Auth.NewSetupLink(ctx)
	if err != nil || token == "" {
		return err
	}
	fmt.Fprintf(m.Out, "\nNo user yet. Create the first owner in your browser (link valid %s, usable once):\n\n    %s/setup?token=%s\n\nor from the shell: passerelle user create --email YOU@EXAMPLE.ORG --role owner\n\n",
		auth.SetupTTL, m.Config.BaseURL, token)
	return nil
}

func (m *Main) closeSim() {
	if m.simServer != nil {
		// The simulator first: it releases requests it holds for injected timeouts.
		m.Sim.Close()
		m.simServer.Close()
	}
}

// MetricsURL is the address of the separate /metrics listener, "" without one.
func (m *Main) MetricsURL() string {
	if m.metricsLn == nil {
		return ""
	}
	return "http://" + m.metricsLn.Addr().String() + "/metrics"
}

// URL is the server's base URL.
func (m *Main) URL() string { return m.Config.BaseURL }

// Close shuts the server down gracefully and closes the database.
func (m *Main) Close() error {
	var err error
	if m.cancel != nil {
		m.cancel()
		err = <-m.done
	}
	if m.Webhook != nil {
		m.Webhook.Close()
	}
	m.closeSim()
	if m.dispatched != nil {
		// Its deliveries end before the database closes; one under way finishes its
		// platform call and records it.
		<-m.dispatched
	}
	if m.Jobs != nil {
		ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
		err = errors.Join(err, m.Jobs.Stop(ctx))
		cancel()
	}
	if m.Visit != nil {
		// Its renditions under way finish, and the visitors' counts still in memory are
		// written.
		ctx, cancel := context.WithTimeout(context.Background(), m.Config.ShutdownTimeout)
		err = errors.Join(err, m.Visit.Close(ctx))
		cancel()
	}
	if m.DB != nil {
		err = errors.Join(err, m.DB.Close())
	}
	return err
}

// Wait blocks until ctx is done, then closes.
func (m *Main) Wait(ctx context.Context) error {
	select {
	case <-ctx.Done():
	case err := <-m.done:
		m.done <- err
	}
	return m.Close()
}

func displayAddr(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	if tcp.IP.IsUnspecified() {
		return fmt.Sprintf("localhost:%d", tcp.Port)
	}
	return tcp.String()
}

func runServe(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "serve", "serve [flags]")
	build := config.Flags(fs, env.Getenv)
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := build()
	if err != nil {
		return err
	}
	m := &Main{Config: cfg, Logger: newLogger(cfg, env.Stderr), Out: env.Stdout, BackupProgram: selfBinary, BackupStderr: env.Stderr}
	start := time.Now()
	if err := m.Open(ctx); err != nil {
		return err
	}
	m.Logger.Info("ready", slog.Duration("startup", time.Since(start)))
	return m.Wait(ctx)
}

// openMediaStore returns the store the configuration names: a bucket for an s3://
// media URL, else the media directory in the data directory.
func openMediaStore(ctx context.Context, cfg *config.Config) (media.Store, error) {
	if cfg.MediaURL == "" {
		return &media.DiskStore{Root: filepath.Join(cfg.DataDir, "media")}, nil
	}
	bucket, prefix, err := cfg.MediaBucket()
	if err != nil {
		return nil, err
	}
	st, err := media.NewS3Store(media.S3Options{Endpoint: cfg.S3.Endpoint, Region: cfg.S3.Region, AccessKey: cfg.S3.AccessKey, SecretKey: cfg.S3.SecretKey, Bucket: bucket, Prefix: prefix})
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	if err := st.Check(cctx); err != nil {
		return nil, err
	}
	return st, nil
}
