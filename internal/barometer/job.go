package barometer

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle"
)

// QuarterEndArgs is the daily job that publishes, for every organization, the edition
// of the quarter that ended most recently, once.
type QuarterEndArgs struct{}

// Kind implements river.JobArgs.
func (QuarterEndArgs) Kind() string { return "barometer_quarter_end" }

// QuarterEndWorker runs QuarterEndArgs. It runs daily rather than once at the quarter's
// end so that an instance down that day still publishes; SnapshotQuarter keeps an
// existing edition as it is, which makes the job idempotent.
type QuarterEndWorker struct {
	river.WorkerDefaults[QuarterEndArgs]
	Service *Service
	Logger  *slog.Logger
}

// Work implements river.Worker.
func (w *QuarterEndWorker) Work(ctx context.Context, job *river.Job[QuarterEndArgs]) error {
	// The last complete quarter: the one holding the eve of the current quarter's
	// first day, in China.
	today := w.Service.now().In(china)
	last := Quarter(time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, china)).From.AddDate(0, 0, -1)
	label := Quarter(last).Label
	orgs, err := w.Service.DB.Organizations(ctx)
	if err != nil {
		return err
	}
	for _, o := range orgs {
		eds, err := w.Service.SnapshotQuarter(ctx, o.ID, label)
		switch {
		case passerelle.ErrorCode(err) == passerelle.EINVALID:
			continue // no figures in that quarter: nothing to publish
		case err != nil:
			return err
		}
		if w.Logger != nil {
			w.Logger.DebugContext(ctx, "barometer edition", slog.Int64("org_id", o.ID), slog.String("quarter", label), slog.Int("tables", len(eds)))
		}
	}
	return nil
}
