package jobs

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// RetentionArgs is the daily deletion of personal and old data past its retention.
type RetentionArgs struct{}

// Kind implements river.JobArgs.
func (RetentionArgs) Kind() string { return "retention" }

// RetentionWorker deletes raw WeChat pushes older than Pushes (once applied to the
// aggregates), followers' inbox messages older than Conversations (and QR code origins
// past the 30 days of attribution), and audit entries older than Audit. Idempotent.
type RetentionWorker struct {
	river.WorkerDefaults[RetentionArgs]
	DB            *store.DB
	Pushes, Audit time.Duration
	// Conversations: zero keeps followers' messages as long as pushes.
	Conversations time.Duration
	Logger        *slog.Logger
}

// Work implements river.Worker.
func (w *RetentionWorker) Work(ctx context.Context, job *river.Job[RetentionArgs]) error {
	pushes, err := w.DB.PurgeWeChatEvents(ctx, w.Pushes)
	if err != nil {
		return err
	}
	keep := w.Conversations
	if keep == 0 {
		keep = w.Pushes
	}
	messages, err := w.DB.PurgeConversations(ctx, keep)
	if err != nil {
		return err
	}
	audit, err := w.DB.PurgeAudit(ctx, w.Audit)
	if err != nil {
		return err
	}
	if w.Logger != nil && pushes+messages+audit > 0 {
		w.Logger.InfoContext(ctx, "retention", slog.Int64("wechat_pushes", pushes), slog.Int64("inbox_messages", messages), slog.Int64("audit_entries", audit))
	}
	return nil
}
