package webhook

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// DrainArgs is the job that processes stored WeChat events.
type DrainArgs struct{}

// Kind implements river.JobArgs.
func (DrainArgs) Kind() string { return "wechat_events_drain" }

// DrainWorker processes stored events in batches until none is left. It is idempotent:
// an event is marked processed in the transaction that applies it.
type DrainWorker struct {
	river.WorkerDefaults[DrainArgs]
	DB     *store.DB
	Logger *slog.Logger
	// Publish ends publications from PUBLISHJOBFINISH events, in the event's
	// transaction; nil ignores them.
	Publish PublishFinisher
	// Desk applies pushes to the service desk (attribution, inbox), in the event's
	// transaction; nil ignores them.
	Desk DeskApplier
}

// DeskApplier is the service desk as the drain sees it.
type DeskApplier interface {
	ApplyTx(ctx context.Context, tx *store.Tx, e *store.WeChatEvent) error
}

// PublishFinisher is the publishing engine as the drain sees it.
type PublishFinisher interface {
	PublishFinishedTx(ctx context.Context, tx *store.Tx, accountID int64, ev *wechat.PublishEventInfo) error
	// MassSendFinishedTx takes a MASSSENDJOBFINISH report.
	MassSendFinishedTx(ctx context.Context, tx *store.Tx, accountID int64, m *wechat.Message) error
}

// drainBatch is the events applied per transaction. The drain and the push endpoint
// share SQLite's one writer, and a push's batch waits for the drain's transaction in
// progress: a short one keeps that wait, the endpoint's tail latency, short.
const drainBatch = 100

// Work implements river.Worker.
func (w *DrainWorker) Work(ctx context.Context, job *river.Job[DrainArgs]) error {
	total := 0
	for {
		n, err := w.DB.DrainWeChatEvents(ctx, drainBatch, func(tx *store.Tx, e *store.WeChatEvent) error { return w.apply(ctx, tx, e) })
		if err != nil {
			return err
		}
		total += n
		if n < drainBatch {
			break
		}
	}
	if total > 0 && w.Logger != nil {
		w.Logger.DebugContext(ctx, "wechat events processed", slog.Int("count", total))
	}
	// A push committed while this run finished found this job running in its second
	// and enqueued none (drain jobs are unique per second): look once more shortly, so
	// that it waits a second rather than the periodic drain's minute. A run that found
	// events looks again; so does a first run that found none (the periodic drain, or
	// one whose events another took), once: a recheck keeps its first second's unique
	// key, so a push arriving during it enqueues its own drain.
	if total > 0 || !isRecheck(job.JobRow) {
		return river.JobSnooze(drainRecheck)
	}
	return nil
}

// isRecheck reports whether a drain run is a snoozed job's recheck: scheduled after it
// was created, as a snooze moves it.
func isRecheck(j *rivertype.JobRow) bool {
	return j.ScheduledAt.Sub(j.CreatedAt) >= drainRecheck/2
}

// drainRecheck is how soon a drain that found events looks again.
const drainRecheck = time.Second

// apply makes an event's effects: the service desk's, follower counts follow
// subscriptions, publications end with their publish report.
func (w *DrainWorker) apply(ctx context.Context, tx *store.Tx, e *store.WeChatEvent) error {
	if w.Desk != nil {
		if err := w.Desk.ApplyTx(ctx, tx, e); err != nil {
			return err
		}
	}
	switch e.Event {
	case wechat.EventPublishJobFinish:
		if w.Publish == nil {
			return nil
		}
		m, err := wechat.ParseMessage([]byte(e.Payload))
		if err != nil {
			return nil // stored as received; nothing to apply
		}
		return w.Publish.PublishFinishedTx(ctx, tx, e.AccountID, m.Publish)
	case wechat.EventMassSendJobFinish:
		if w.Publish == nil {
			return nil
		}
		m, err := wechat.ParseMessage([]byte(e.Payload))
		if err != nil {
			return nil // stored as received; nothing to apply
		}
		return w.Publish.MassSendFinishedTx(ctx, tx, e.AccountID, m)
	case wechat.EventSubscribe:
		return tx.AddFollowers(ctx, e.AccountID, 1)
	case wechat.EventUnsubscribe:
		return tx.AddFollowers(ctx, e.AccountID, -1)
	}
	return nil
}
