package backup

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/riverqueue/river"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// ScheduledLabel ends the names of scheduled backups; Rotate only deletes those.
const ScheduledLabel = "scheduled"

// JobArgs is the periodic check for a scheduled backup.
type JobArgs struct{}

// Kind implements river.JobArgs.
func (JobArgs) Kind() string { return "backup" }

// Worker writes a scheduled backup to Dir when the newest one is older than Interval,
// then keeps the Keep newest. It runs often (hourly) and decides itself, so restarts do
// not postpone backups; a new installation gets its first one an interval after its
// schema was created. Idempotent: a second run in the same interval does nothing.
type Worker struct {
	river.WorkerDefaults[JobArgs]
	Options  Options
	Dir      string
	Interval time.Duration
	Keep     int
	// Remote, when set, receives the backups (written to Dir first, uploaded, then
	// removed from Dir); the newest is found and the old ones rotated there.
	Remote *Remote
	// Apart, when set, writes the backups in a process of its own (what serve does),
	// at Options' pace; nil: in this process, with Options.
	Apart *Apart
}

// Work implements river.Worker.
func (w *Worker) Work(ctx context.Context, job *river.Job[JobArgs]) error {
	o := w.Options
	o.defaults()
	now := o.Now()
	last, err := w.latest(ctx)
	if err != nil {
		return err
	}
	if last.IsZero() {
		if last, err = o.DB.SchemaCreatedAt(ctx); err != nil {
			return err
		}
	}
	if now.Sub(last) < w.Interval {
		return nil
	}
	name := FileName(now, ScheduledLabel)
	path := filepath.Join(w.Dir, name)
	if w.Remote != nil {
		// Not a .tar name: a partial file is never taken for a backup.
		path += ".part"
		defer RemoveFile(path)
	}
	start := time.Now()
	var m *Manifest
	switch {
	case w.Apart == nil:
		m, err = WriteFile(ctx, path, o)
	case o.DB.Dialect() == store.Postgres && !hasProgram(o.PGDump):
		err = ErrNoPGDump
	default:
		m, err = w.Apart.WriteFile(ctx, path, o.BytesPerSecond)
	}
	if errors.Is(err, ErrNoPGDump) {
		o.Logger.WarnContext(ctx, "scheduled backup skipped", slog.String("reason", err.Error()))
		return nil
	}
	if err != nil {
		return err
	}
	where := path
	if w.Remote != nil {
		if err := w.Remote.Upload(ctx, path, name); err != nil {
			return err
		}
		where = w.Remote.String() + "/" + name
	}
	mb, mf := m.MediaBytes()
	o.Logger.InfoContext(ctx, "scheduled backup written", slog.String("file", where), slog.Int("media_files", mf), slog.Int64("media_bytes", mb), slog.Duration("took", time.Since(start)))
	var removed []string
	if w.Remote != nil {
		removed, err = w.Remote.Rotate(ctx, w.Keep, ScheduledLabel)
	} else {
		removed, err = Rotate(w.Dir, w.Keep, ScheduledLabel)
	}
	if len(removed) > 0 {
		o.Logger.InfoContext(ctx, "old scheduled backups deleted", slog.Int("count", len(removed)))
	}
	return err
}

// latest is the instant of the newest scheduled backup in Dir (or Remote), zero when
// none.
func (w *Worker) latest(ctx context.Context) (time.Time, error) {
	var names []string
	if w.Remote != nil {
		var err error
		if names, err = w.Remote.Names(ctx, ScheduledLabel); err != nil {
			return time.Time{}, err
		}
	} else {
		entries, err := os.ReadDir(w.Dir)
		if errors.Is(err, os.ErrNotExist) {
			return time.Time{}, nil
		}
		if err != nil {
			return time.Time{}, err
		}
		for _, e := range entries {
			if strings.HasSuffix(e.Name(), "-"+ScheduledLabel+".tar") {
				names = append(names, e.Name())
			}
		}
	}
	if len(names) == 0 {
		return time.Time{}, nil
	}
	sort.Strings(names)
	stamp := strings.TrimPrefix(names[len(names)-1], "passerelle-")
	stamp, _, _ = strings.Cut(stamp, "-")
	t, err := time.Parse("20060102T150405Z", stamp)
	if err != nil {
		return time.Time{}, nil
	}
	return t, nil
}

// Timeout lets a large backup run longer than River's default minute.
func (w *Worker) Timeout(*river.Job[JobArgs]) time.Duration { return 12 * time.Hour }

func hasProgram(name string) bool {
	_, err := exec.LookPath(name)
	return err == nil
}
