package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// HousekeepingArgs is the periodic clean-up of expired rows.
type HousekeepingArgs struct{}

// Kind implements river.JobArgs.
func (HousekeepingArgs) Kind() string { return "housekeeping" }

// HousekeepingWorker deletes expired sessions, push replay keys and sign-in counters.
// Idempotent.
type HousekeepingWorker struct {
	river.WorkerDefaults[HousekeepingArgs]
	DB     *store.DB
	Logger *slog.Logger
}

// loginWindow is at least auth's throttling window: older sign-in counters are spent.
const loginWindow = time.Hour

// replayWindow must exceed the push timestamp window (300 s each way).
const replayWindow = 15 * time.Minute

// Work implements river.Worker.
func (w *HousekeepingWorker) Work(ctx context.Context, job *river.Job[HousekeepingArgs]) error {
	sessions, err := w.DB.DeleteExpiredSessions(ctx)
	if err != nil {
		return err
	}
	replays, err := w.DB.PrunePushReplays(ctx, replayWindow)
	if err != nil {
		return err
	}
	attempts, err := w.DB.PruneLoginAttempts(ctx, loginWindow)
	if err != nil {
		return err
	}
	if w.Logger != nil && sessions+replays+attempts > 0 {
		w.Logger.DebugContext(ctx, "housekeeping", slog.Int64("sessions", sessions), slog.Int64("push_replays", replays), slog.Int64("login_attempts", attempts))
	}
	return nil
}

// Periodic returns a periodic job run every interval by the elected leader.
func Periodic(interval time.Duration, args river.JobArgs, opts *river.InsertOpts) *river.PeriodicJob {
	return river.NewPeriodicJob(river.PeriodicInterval(interval), func() (river.JobArgs, *river.InsertOpts) { return args, opts }, &river.PeriodicJobOpts{RunOnStart: true})
}
