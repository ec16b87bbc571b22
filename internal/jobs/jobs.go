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
	"github.com/riverqueue/river/rivertype"

	"github.com/passerelle-oss/passerelle"

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

// Job is what the admin pages show of a River job.
type Job struct {
	ID          int64
	Kind        string
	Queue       string
	State       string
	Attempt     int
	MaxAttempts int
	ScheduledAt time.Time
	AttemptedAt *time.Time
	FinalizedAt *time.Time
	// LastError is the error of the latest failed attempt, if any.
	LastError string
	// Args are the job's encoded arguments (JSON).
	Args []byte
}

func jobOf(r *rivertype.JobRow) *Job {
	j := &Job{ID: r.ID, Kind: r.Kind, Queue: r.Queue, State: string(r.State), Attempt: r.Attempt, MaxAttempts: r.MaxAttempts,
		ScheduledAt: r.ScheduledAt, AttemptedAt: r.AttemptedAt, FinalizedAt: r.FinalizedAt, Args: r.EncodedArgs}
	if n := len(r.Errors); n > 0 {
		j.LastError = r.Errors[n-1].Error
	}
	return j
}

// List returns the newest jobs of a queue, up to limit (at most 500).
func (c *Client) List(ctx context.Context, queue string, limit int) ([]*Job, error) {
	if limit <= 0 || limit > 500 {
		limit = 500
	}
	res, err := c.river.JobList(ctx, river.NewJobListParams().Queues(queue).OrderBy(river.JobListOrderByID, river.SortOrderDesc).First(limit))
	if err != nil {
		return nil, fmt.Errorf("jobs: list: %w", err)
	}
	out := make([]*Job, len(res.Jobs))
	for i, r := range res.Jobs {
		out[i] = jobOf(r)
	}
	return out, nil
}

// Get returns one job; a missing one is passerelle's not found.
func (c *Client) Get(ctx context.Context, id int64) (*Job, error) {
	r, err := c.river.JobGet(ctx, id)
	if errors.Is(err, river.ErrNotFound) {
		return nil, passerelle.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("jobs: get: %w", err)
	}
	return jobOf(r), nil
}

// Retry makes a job available to run again at once (a running job is left alone).
func (c *Client) Retry(ctx context.Context, id int64) error {
	_, err := c.river.JobRetry(ctx, id)
	if errors.Is(err, river.ErrNotFound) {
		return passerelle.ErrNotFound
	}
	return err
}

// Cancel cancels a job; a running job is cancelled when its worker next checks.
func (c *Client) Cancel(ctx context.Context, id int64) error {
	_, err := c.river.JobCancel(ctx, id)
	if errors.Is(err, river.ErrNotFound) {
		return passerelle.ErrNotFound
	}
	return err
}
