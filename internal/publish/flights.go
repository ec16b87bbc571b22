package publish

import (
	"context"
	"sync"
)

// flights makes one delivery per publication generation in a process: the dispatcher
// and the publication's River job, whichever comes first, runs it; a job that comes
// second waits for it and ends as it did, a dispatcher that comes second leaves it.
// Across processes the attempt's claim decides, as before; within one, this keeps the
// work at the instant to one delivery instead of two.
type flights struct {
	mu sync.Mutex
	m  map[flight]*call
}

// flight is one generation of one publication.
type flight struct {
	id  int64
	gen int
}

// call is a delivery under way and its result once done.
type call struct {
	done    chan struct{}
	err     error
	waiters int
}

// start registers f and reports whether the caller is to run it (false: already
// under way here).
func (fs *flights) start(f flight) (*call, bool) { return fs.register(f, false) }

// join is start for a caller that otherwise waits for the delivery under way
// (counted, so that its runner knows someone takes its result over).
func (fs *flights) join(f flight) (*call, bool) { return fs.register(f, true) }

func (fs *flights) register(f flight, wait bool) (*call, bool) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if c, ok := fs.m[f]; ok {
		if wait {
			c.waiters++
		}
		return c, false
	}
	if fs.m == nil {
		fs.m = map[flight]*call{}
	}
	c := &call{done: make(chan struct{})}
	fs.m[f] = c
	return c, true
}

// done records the result of f, releases its waiters and reports how many there were.
func (fs *flights) done(f flight, c *call, err error) int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	delete(fs.m, f)
	c.err = err
	close(c.done)
	return c.waiters
}

// size is the number of deliveries under way.
func (fs *flights) size() int {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	return len(fs.m)
}

// wait waits for the call's result, or for the end of ctx.
func (c *call) wait(ctx context.Context) error {
	select {
	case <-c.done:
		return c.err
	case <-ctx.Done():
		return ctx.Err()
	}
}
