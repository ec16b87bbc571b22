// Package jobs runs Passerelle's durable background work on River, over the same
// database as everything else: riversqlite on SQLite, riverdatabasesql (pgx's stdlib)
// on PostgreSQL. Both drivers share the *sql.Tx type, so a job is inserted in the same
// transaction as the state change that needs it. River is at-least-once: every worker
// must be idempotent.
package jobs

import (
	"context"
	"database/sql"
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
	cfg := &river.Config{Logger: quiet(o.Logger), PeriodicJobs: o.PeriodicJobs, FetchPollInterval: o.FetchPollInterval}
	if o.Work {
		cfg.Workers = o.Workers
		cfg.Queues = map[string]river.QueueConfig{
			QueueDefault: {MaxWorkers: 10},
			QueueIngest:  {MaxWorkers: 2},
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

// Insert enqueues a job in its own transaction.
func (c *Client) Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error {
	_, err := c.river.Insert(ctx, args, opts)
	return err
}

// River exposes the underlying client for subscriptions in tests.
func (c *Client) River() *river.Client[*sql.Tx] { return c.river }
