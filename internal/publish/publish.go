// Package publish is the publishing engine: it takes scheduled publications to their
// platforms on time and exactly once, through crashes, rate limits and platform faults.
//
// A post write schedules, reschedules or unschedules its publications' delivery jobs in
// the write's own transaction (Sync, installed as the store's post hook). A delivery
// job becomes available Lead before its due instant (River promotes scheduled jobs only
// every few seconds) and its worker waits for the instant itself. Before a
// non-idempotent platform call the attempt is committed; an unknown outcome goes to
// needs_check and the reconciler looks for the post on the platform before anything is
// tried again. See docs/publishing.md.
package publish

import (
	"context"
	"database/sql"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/clients"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Jobs is what the engine needs of the job queue.
type Jobs interface {
	InsertTxID(ctx context.Context, tx *sql.Tx, args river.JobArgs, opts *river.InsertOpts) (int64, error)
	CancelTx(ctx context.Context, tx *sql.Tx, jobID int64) error
	Get(ctx context.Context, id int64) (*jobs.Job, error)
}

var _ Jobs = (*jobs.Client)(nil)

// Defaults of Options.
const (
	// DefaultLead: a delivery job becomes available this long before its due instant.
	// River's scheduler promotes scheduled jobs every 5 s (looking 5 s ahead) and idle
	// workers poll every second, so a job is running at least Lead − 6 s early and
	// waits for its instant; 15 s leaves room for a leader election after a restart.
	DefaultLead = 15 * time.Second
	// DefaultStale: an attempt still open after this long was abandoned by its worker
	// (River's job timeout cancels a worker well before).
	DefaultStale = 3 * time.Minute
	// DefaultSettle: the platform must have had this long to apply a lost request
	// before its absence counts as proof that it was not published.
	DefaultSettle = 2 * time.Minute
	// DefaultAhead: a delivery claims its attempt and prepares everything harmless to
	// repeat this long before its instant, so that only the publishing call remains at
	// the instant. The publication shows as publishing from then on.
	DefaultAhead = 2 * time.Second
	// MaxAttempts bounds retries of retryable failures.
	MaxAttempts = 8
)

// Options configure New.
type Options struct {
	DB      *store.DB
	Jobs    Jobs
	Clients *clients.Factory
	Media   media.Store
	Logger  *slog.Logger
	Now     func() time.Time
	Lead    time.Duration
	// Ahead: see DefaultAhead; at most Lead.
	Ahead  time.Duration
	Stale  time.Duration
	Settle time.Duration
	// PollEvery is how often a submitted WeChat publication is checked (3 s).
	PollEvery time.Duration
	// RetryBase is the first retry's delay, doubled after each (5 s).
	RetryBase time.Duration
	// RIP is the address Weibo is told the post comes from (rip).
	RIP string
}

// Service is the engine.
type Service struct {
	db        *store.DB
	jobs      Jobs
	clients   *clients.Factory
	media     media.Store
	logger    *slog.Logger
	now       func() time.Time
	lead      time.Duration
	ahead     time.Duration
	stale     time.Duration
	settle    time.Duration
	pollEvery time.Duration
	retryBase time.Duration
	rip       string
	holder    string
	// flights are the deliveries under way in this process (see flights.go).
	flights flights
}

// New returns the engine.
func New(o Options) *Service {
	s := &Service{db: o.DB, jobs: o.Jobs, clients: o.Clients, media: o.Media, logger: o.Logger, now: o.Now,
		lead: o.Lead, ahead: o.Ahead, stale: o.Stale, settle: o.Settle, pollEvery: o.PollEvery, retryBase: o.RetryBase, rip: o.RIP}
	if s.logger == nil {
		s.logger = slog.New(slog.DiscardHandler)
	}
	if s.now == nil {
		s.now = time.Now
	}
	if s.lead <= 0 {
		s.lead = DefaultLead
	}
	if s.ahead <= 0 {
		s.ahead = DefaultAhead
	}
	s.ahead = min(s.ahead, s.lead)
	if s.stale <= 0 {
		s.stale = DefaultStale
	}
	if s.settle <= 0 {
		s.settle = DefaultSettle
	}
	if s.pollEvery <= 0 {
		s.pollEvery = 3 * time.Second
	}
	if s.retryBase <= 0 {
		s.retryBase = 5 * time.Second
	}
	if s.rip == "" {
		s.rip = "127.0.0.1"
	}
	host, _ := os.Hostname()
	s.holder = host + ":" + strconv.Itoa(os.Getpid())
	return s
}

// DeliverArgs is the job that delivers one publication of one generation.
type DeliverArgs struct {
	PublicationID int64 `json:"publication_id"`
	Generation    int   `json:"generation"`
}

// Kind implements river.JobArgs.
func (DeliverArgs) Kind() string { return "publish.deliver" }

// InsertOpts implements river.JobArgsWithInsertOpts.
func (DeliverArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: jobs.QueuePublish, MaxAttempts: 25}
}

func (s *Service) enqueue(ctx context.Context, tx *store.Tx, pubID int64, gen int, due time.Time) (int64, error) {
	opts := &river.InsertOpts{Queue: jobs.QueuePublish, ScheduledAt: due.Add(-s.lead)}
	return s.jobs.InsertTxID(ctx, tx.Tx, DeliverArgs{PublicationID: pubID, Generation: gen}, opts)
}

// Sync is the store's post hook: in the transaction of a post write it schedules the
// publications of a post that is (still) scheduled, reschedules those whose time moved,
// and takes the others off the schedule, cancelling their jobs.
func (s *Service) Sync(ctx context.Context, tx *store.Tx, before []passerelle.Publication, after *passerelle.Post) error {
	old := map[int64]passerelle.Publication{}
	for _, b := range before {
		old[b.ID] = b
	}
	scheduled := after.Status == passerelle.StatusScheduled
	for _, b := range after.Publications {
		o, existed := old[b.ID]
		state := b.State
		if !existed {
			state = passerelle.DeliveryPending
		}
		switch {
		case existed && state == passerelle.DeliveryPublishing && !sameInstant(o.ScheduledAt, b.ScheduledAt):
			// Its attempt is claimed (the instant is at most DefaultAhead away, or the
			// call is under way): moving it now would not stop it.
			return passerelle.Errorf(passerelle.ECONFLICT, "The publication on this account is being published; its time can no longer change.")
		case scheduled && b.ScheduledAt != nil && (state == passerelle.DeliveryPending || state == passerelle.DeliveryCancelled || state == passerelle.DeliveryFailed):
			if err := s.schedule(ctx, tx, b, o.Generation, 0); err != nil {
				return err
			}
		case scheduled && state == passerelle.DeliveryScheduled && b.ScheduledAt != nil && (o.ScheduledAt == nil || !o.ScheduledAt.Equal(*b.ScheduledAt)):
			if err := s.schedule(ctx, tx, b, o.Generation, jobOf(ctx, tx, b.ID)); err != nil {
				return err
			}
		case scheduled && state == passerelle.DeliveryScheduled && b.ScheduledAt != nil && b.MassSend && !o.MassSend:
			// A mass send asked for on a publication already on the schedule.
			if err := s.checkMassQuota(ctx, tx, b); err != nil {
				return err
			}
		case state == passerelle.DeliveryScheduled && (!scheduled || b.ScheduledAt == nil):
			if job := jobOf(ctx, tx, b.ID); job > 0 {
				if err := s.jobs.CancelTx(ctx, tx.Tx, job); err != nil {
					return err
				}
			}
			b.Generation = o.Generation + 1
			b.State = passerelle.DeliveryPending
			if err := tx.SetSchedule(ctx, b.ID, b.State, b.Generation, 0); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) schedule(ctx context.Context, tx *store.Tx, b *passerelle.Publication, gen int, oldJob int64) error {
	// An account that cannot publish by API is refused now, with how to fix it, not at
	// the publication's time.
	if s.clients != nil {
		if err := s.usable(ctx, b); err != nil {
			return err
		}
	}
	if err := s.checkMassQuota(ctx, tx, b); err != nil {
		return err
	}
	if oldJob > 0 {
		if err := s.jobs.CancelTx(ctx, tx.Tx, oldJob); err != nil {
			return err
		}
	}
	b.Generation, b.State = gen+1, passerelle.DeliveryScheduled
	job, err := s.enqueue(ctx, tx, b.ID, b.Generation, *b.ScheduledAt)
	if err != nil {
		return err
	}
	return tx.SetSchedule(ctx, b.ID, b.State, b.Generation, job)
}

// sameInstant reports whether two optional instants are equal.
func sameInstant(a, b *time.Time) bool {
	if a == nil || b == nil {
		return a == b
	}
	return a.Equal(*b)
}

// jobOf reads the job id of a publication in the write's transaction (0 on error: a job
// left uncancelled finds its generation stale and does nothing).
func jobOf(ctx context.Context, tx *store.Tx, pubID int64) int64 {
	id, _ := tx.PublicationJob(ctx, pubID)
	return id
}

// checkMassQuota refuses to schedule a mass send beyond the account's quota, counting
// the mass sends made and the other publications scheduled in the same window: over
// quota is said when the editor schedules, not found at the publication's time.
func (s *Service) checkMassQuota(ctx context.Context, tx *store.Tx, b *passerelle.Publication) error {
	if !b.MassSend || b.Platform != passerelle.WeChat || b.Mode != passerelle.ModeAPI || b.ScheduledAt == nil {
		return nil
	}
	u, err := tx.MassQuotaTx(ctx, b.AccountID, *b.ScheduledAt, b.ID)
	if err != nil {
		return err
	}
	if u.Sent+u.Scheduled >= u.Limit {
		return store.MassQuotaError(u)
	}
	return nil
}
