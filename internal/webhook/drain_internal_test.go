package webhook

import (
	"testing"
	"time"

	"github.com/riverqueue/river/rivertype"
)

// TestDrainRecheck: a drain's first run looks once more a second later whatever it
// found (a push committed in its second enqueued no drain of its own), and a recheck
// that finds nothing ends.
func TestDrainRecheck(t *testing.T) {
	t.Parallel()
	now := time.Now()
	if isRecheck(&rivertype.JobRow{CreatedAt: now, ScheduledAt: now}) {
		t.Error("a first run taken for a recheck")
	}
	if isRecheck(&rivertype.JobRow{CreatedAt: now, ScheduledAt: now.Add(-time.Millisecond)}) {
		t.Error("a first run scheduled at its insert taken for a recheck")
	}
	if !isRecheck(&rivertype.JobRow{CreatedAt: now, ScheduledAt: now.Add(drainRecheck)}) {
		t.Error("a snoozed run not taken for a recheck")
	}
}
