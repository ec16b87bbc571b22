// Package jobs runs Passerelle's durable background work on River, over the same
// database as everything else: riversqlite on SQLite, riverdatabasesql (pgx's stdlib)
// on PostgreSQL. Both drivers share the *sql.Tx type, so a job is inserted in the same
// transaction as the state change that needs it. River is at-least-once: every worker
// must be idempotent.
package jobs

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver"
	"github.com/riverqueue/river/riverdriver/riverdatabasesql"
	"github.com/riverqueue/river/riverdriver/riversqlite"
	"github.com/riverqueue/river/rivermigrate"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// Queue names.
const (
	QueueDefault = river.QueueDefault
	// QueueIngest drains stored platform events.
	QueueIngest = "ingest"
	// QueuePublish delivers publications. Its workers mostly wait for a due instant
	// (jobs become available a lead time before it), so it runs many at once.
	QueuePublish = "publish"
)

// Client wraps the River client.
type Client struct {
	river  *river.Client[*sql.Tx]
	logger *slog.Logger
}

// Options configure New.
type Options struct {
	Logger  *slog.Logger
	Workers *river.Workers
	// Work starts workers; false makes an insert-only client (CLI commands).
	Work bool
	// PeriodicJobs are housekeeping jobs run by the elected leader.
	PeriodicJobs []*river.PeriodicJob
	// FetchPollInterval is how often idle workers look for jobs (default 1 s; tests
	// lower it).
	FetchPollInterval time.Duration
	// PublishWorkers bounds the publish queue's concurrent jobs (default 2,000).
	PublishWorkers int
	// JobTimeout bounds a job's run (River's default, 1 min, when zero).
	JobTimeout time.Duration
	// RescueStuckJobsAfter is when a job left running by a dead process is retried
	// (River's default, 1 h, when zero).
	RescueStuckJobsAfter time.Duration
}

func driver(db *store.DB) riverdriver.Driver[*sql.Tx] {
	if db.Dialect() == store.Postgres {
		return riverdatabasesql.New(db.SQL())
	}
	return riversqlite.New(db.SQL())
}

// Migrate creates or upgrades River's tables.
func Migrate(ctx context.Context, db *store.DB, logger *slog.Logger) error {
	m, err := rivermigrate.New(driver(db), &rivermigrate.Config{Logger: quiet(logger)})
	if err != nil {
		return fmt.Errorf("jobs: migrator: %w", err)
	}
	if _, err := m.Migrate(ctx, rivermigrate.DirectionUp, nil); err != nil {
		return fmt.Errorf("jobs: migrate: %w", err)
	}
	return nil
}

// quiet keeps River's own info logs out of the product's logs.
func quiet(l *slog.Logger) *slog.Logger {
	if l == nil {
		return slog.New(slog.DiscardHandler)
	}
	return slog.New(levelFilter{l.Handler(), slog.LevelWarn})
}

type levelFilter struct {
	slog.Handler
	min slog.Level
}

func (f levelFilter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= f.min && f.Handler.Enabled(ctx, l)
}

// New returns a client; call Start to work jobs.
func New(db *store.DB, o Options) (*Client, error) {
	cfg := &river.Config{Logger: quiet(o.Logger), PeriodicJobs: o.PeriodicJobs, FetchPollInterval: o.FetchPollInterval,
		JobTimeout: o.JobTimeout, RescueStuckJobsAfter: o.RescueStuckJobsAfter}
	if o.Work {
		cfg.Workers = o.Workers
		pw := o.PublishWorkers
		if pw <= 0 {
			pw = 2000
		}
		cfg.Queues = map[string]river.QueueConfig{
			QueueDefault: {MaxWorkers: 10},
			QueueIngest:  {MaxWorkers: 2},
			QueuePublish: {MaxWorkers: pw},
		}
	}
	c, err := river.NewClient(driver(db), cfg)
	if err != nil {
		return nil, fmt.Errorf("jobs: %w", err)
	}
	return &Client{river: c, logger: o.Logger}, nil
}

// Start starts working jobs.
func (c *Client) Start(ctx context.Context) error { return c.river.Start(ctx) }

// Stop waits for running jobs to finish.
func (c *Client) Stop(ctx context.Context) error { return c.river.Stop(ctx) }

// InsertTx enqueues a job in tx.
func (c *Client) InsertTx(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := c.river.InsertTx(ctx, tx, args, opts)
	return err
}

// InsertTxID enqueues a job in tx and returns its id.
func (c *Client) InsertTxID(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (int64, error) {
	res, err := c.river.InsertTx(ctx, tx, args, opts)
	if err != nil {
		return 0, err
	}
	return res.Job.ID, nil
}

// CancelTx cancels a job in tx; a job that already finished or does not exist is not
// an error.
func (c *Client) CancelTx(ctx context.Context, tx *sql.Tx, jobID int64) error {
	if _, err := c.river.JobCancelTx(ctx, tx, jobID); err != nil && !errors.Is(err, river.ErrNotFound) {
		return err
	}
	return nil
}

// Insert enqueues a job in its own transaction.
func (c *Client) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := c.river.Insert(ctx, args, opts)
	return err
}

// River exposes the underlying client for subscriptions in tests.
func (c *Client) River() *river.Client[*sql.Tx] { return c.river }
