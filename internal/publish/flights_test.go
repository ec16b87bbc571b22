package publish

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/riverqueue/river"
)

// TestFlightsOneDeliveryPerGeneration: the first caller runs a generation's delivery; a
// job that comes second waits and ends as it did (a snooze included), a dispatcher that
// comes second does not run it again; the runner learns that a job took its result over.
func TestFlightsOneDeliveryPerGeneration(t *testing.T) {
	var fs flights
	f := flight{id: 7, gen: 2}
	c, first := fs.start(f)
	if !first {
		t.Fatal("the first caller does not run it")
	}
	if _, again := fs.start(f); again {
		t.Fatal("a second dispatcher round runs it again")
	}
	if _, other := fs.start(flight{id: 7, gen: 3}); !other {
		t.Fatal("another generation is held back")
	}
	j, jfirst := fs.join(f)
	if jfirst || j != c {
		t.Fatal("the job does not join the delivery under way")
	}
	got := make(chan error, 1)
	go func() { got <- j.wait(context.Background()) }()
	if n := fs.done(f, c, river.JobSnooze(3*time.Second)); n != 1 {
		t.Fatalf("waiters %d", n)
	}
	var snooze *river.JobSnoozeError
	if err := <-got; !errors.As(err, &snooze) || snooze.Duration != 3*time.Second {
		t.Fatalf("the job ended with %v", err)
	}
	if _, first := fs.start(f); !first || fs.size() != 2 {
		t.Fatalf("after done: first=%v size=%d", first, fs.size())
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c2, _ := fs.join(flight{id: 7, gen: 3})
	if err := c2.wait(ctx); !errors.Is(err, context.Canceled) {
		t.Fatalf("a stopped job waits on: %v", err)
	}
}
