package publish

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// The dispatcher puts the due instant, not the job queue, in charge of when a delivery
// starts. River hands a scheduled job to a worker only after its elected leader has
// promoted it (every 5 s) and an idle producer has polled for it (every second, no
// LISTEN/NOTIFY through database/sql), and with several instances a job can reach a
// worker seconds late (docs/publishing.md, "On time"). Every instance therefore reads
// the publications due in the next few seconds from the database and runs each one's
// delivery itself at its instant, while the delivery job stays in River as the durable
// carrier: it still runs (and claims, if nobody did), retries, follows a WeChat job, and
// covers a publication whose instances were all down at its time. In one process the
// dispatcher and the job share one delivery (flights.go): whichever starts first runs
// it and the job takes its result over. Between processes, which one makes the call is
// decided by ClaimAttempt, the conditional UPDATE that already keeps two workers of the
// same generation from both claiming it: the exactly-once argument is unchanged.

// Defaults of DispatchOptions.
const (
	// DefaultDispatchEvery is how often the dispatcher reads the due window: a
	// publication scheduled for less than Ahead + this from now may start late by up
	// to this much.
	DefaultDispatchEvery = time.Second
	// DefaultDispatchOverdue: a scheduled publication whose instant passed less than
	// this long ago is still dispatched (after a restart); older ones are left to their
	// job and the reconciler.
	DefaultDispatchOverdue = time.Minute
	// DefaultDispatchMax bounds the deliveries in flight on one instance (each mostly
	// waits for its instant); beyond it, River's workers carry the rest.
	DefaultDispatchMax = 2000
)

// DispatchOptions configure Dispatch; zero values take the defaults.
type DispatchOptions struct {
	Every   time.Duration
	Overdue time.Duration
	Max     int
}

// Dispatch runs the due-time dispatcher until ctx ends, then waits for the deliveries
// it started (a stopped delivery that had not called the platform goes back on the
// schedule, as a stopped worker's does).
func (s *Service) Dispatch(ctx context.Context, o DispatchOptions) {
	if o.Every <= 0 {
		o.Every = DefaultDispatchEvery
	}
	if o.Overdue <= 0 {
		o.Overdue = DefaultDispatchOverdue
	}
	if o.Max <= 0 {
		o.Max = DefaultDispatchMax
	}
	d := &dispatcher{s: s, o: o}
	defer d.wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-timer.C:
		}
		d.round(ctx)
		timer.Reset(o.Every)
	}
}

type dispatcher struct {
	s  *Service
	o  DispatchOptions
	wg sync.WaitGroup
}

// round starts a delivery for each publication due within the next Ahead + 2 rounds
// that is not already under way in this process (by a job or an earlier round); each
// waits for its own instant.
func (d *dispatcher) round(ctx context.Context) {
	now := d.s.now()
	busy := d.s.flights.size()
	if busy >= d.o.Max {
		return
	}
	due, err := d.s.db.DueDeliveries(ctx, now.Add(-d.o.Overdue), now.Add(d.s.ahead+2*d.o.Every), d.o.Max)
	if err != nil {
		if ctx.Err() == nil {
			d.s.logger.Warn("publish: dispatcher could not read due publications", slog.Any("err", err))
		}
		return
	}
	for _, p := range due {
		if busy >= d.o.Max {
			return
		}
		if !p.LastAttemptAt.IsZero() && !p.LastAttemptAt.Before(p.ScheduledAt.Add(-d.s.ahead)) {
			// A retry (after a retryable failure or a rate limit): its job is
			// scheduled at the retry instant, which the publication does not carry.
			continue
		}
		f := flight{p.PublicationID, p.Generation}
		c, first := d.s.flights.start(f)
		if !first {
			continue
		}
		busy++
		d.wg.Add(1)
		go func() {
			defer d.wg.Done()
			err := d.s.deliver(ctx, DeliverArgs{PublicationID: f.id, Generation: f.gen}, "dispatcher")
			joined := d.s.flights.done(f, c, err)
			d.settle(ctx, f, err, joined > 0)
		}()
	}
}

// settle handles the end of a dispatched delivery. One that ends waiting for the
// platform (a WeChat job being published) needs a job that follows it: the
// publication's own job does when it joined this delivery; otherwise it may have found
// the attempt claimed here and finished, so a follow-up job is inserted.
func (d *dispatcher) settle(ctx context.Context, f flight, err error, joined bool) {
	var snooze *river.JobSnoozeError
	switch {
	case err == nil:
	case errors.As(err, &snooze):
		if joined {
			return
		}
		wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
		defer cancel()
		err := d.s.db.InTx(wctx, func(tx *store.Tx) error {
			_, err := d.s.jobs.InsertTxID(wctx, tx.Tx, DeliverArgs{PublicationID: f.id, Generation: f.gen},
				&river.InsertOpts{Queue: jobs.QueuePublish, ScheduledAt: d.s.now().Add(snooze.Duration)})
			return err
		})
		if err != nil {
			// The reconciler follows a submitted WeChat job it finds without a worker.
			d.s.logger.Warn("publish: no follow-up job", slog.Int64("publication", f.id), slog.Any("err", err))
		}
	case ctx.Err() == nil && !joined:
		// Its job is still in River and delivers it.
		d.s.logger.Warn("publish: dispatched delivery", slog.Int64("publication", f.id), slog.Any("err", err))
	}
}
