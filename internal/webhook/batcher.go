package webhook

import (
	"context"
	"errors"
	"log/slog"
	"sync"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// maxBatch bounds one transaction.
const maxBatch = 512

// queueSize bounds the pushes waiting for the writer: past it a push waits for a
// place (its request's deadline bounds the wait), so that senders slow down instead
// of the queue growing without end.
const queueSize = 4 * maxBatch

// batcher is a group committer. One goroutine owns the writing: it takes every push
// queued while the previous transaction committed and stores them together in the
// next one, then answers each request with its own outcome. At low load a batch holds
// one push and adds no delay (no timer: the batch is what arrived during the last
// commit); under load it holds many, and one disk flush serves them all.
//
// A request is answered only after its batch committed: "success" means stored
// durably. When a batch fails, its pushes are stored one by one, so that one push the
// store refuses fails alone and the others of its batch are stored.
type batcher struct {
	commit func(context.Context, []store.Push) ([]store.PushOutcome, error)
	logger *slog.Logger
	in     chan *pending
	done   chan struct{}

	// mu guards closed and the sends on in: close waits for the senders in flight,
	// then closes in, so that no push is queued after the loop's last batch.
	mu     sync.RWMutex
	closed bool
}

type pending struct {
	push    store.Push
	outcome store.PushOutcome
	err     error
	ready   chan struct{}
}

var errClosed = errors.New("webhook: shutting down")

func newBatcher(commit func(context.Context, []store.Push) ([]store.PushOutcome, error), logger *slog.Logger) *batcher {
	b := &batcher{commit: commit, logger: logger, in: make(chan *pending, queueSize), done: make(chan struct{})}
	go b.loop()
	return b
}

// submit queues p and waits for its batch to commit. An error means p was not stored
// (or its request gave up before knowing): the push is answered with an error and
// WeChat sends it again, which de-duplication makes harmless.
func (b *batcher) submit(ctx context.Context, p store.Push) (store.PushOutcome, error) {
	pd := &pending{push: p, ready: make(chan struct{})}
	if err := b.enqueue(ctx, pd); err != nil {
		return 0, err
	}
	// Once queued the loop owns pd: a request that gives up leaves it to be stored.
	select {
	case <-pd.ready:
		return pd.outcome, pd.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (b *batcher) enqueue(ctx context.Context, pd *pending) error {
	b.mu.RLock()
	defer b.mu.RUnlock()
	if b.closed {
		return errClosed
	}
	select {
	case b.in <- pd:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (b *batcher) loop() {
	defer close(b.done)
	batch := make([]*pending, 0, maxBatch)
	for first := range b.in {
		batch = append(batch[:0], first)
	fill:
		for len(batch) < maxBatch {
			select {
			case p, ok := <-b.in:
				if !ok {
					break fill
				}
				batch = append(batch, p)
			default:
				break fill
			}
		}
		b.run(batch)
	}
}

// run stores a batch in one transaction; if that fails, each push alone.
func (b *batcher) run(batch []*pending) {
	outcomes, err := b.commit(context.Background(), pushesOf(batch))
	if err == nil {
		for i, p := range batch {
			p.outcome = outcomes[i]
			close(p.ready)
		}
		return
	}
	if len(batch) == 1 {
		batch[0].err = err
		close(batch[0].ready)
		return
	}
	b.logger.Warn("wechat push batch not stored; storing its pushes one by one", slog.Int("pushes", len(batch)), slog.Any("error", err))
	for _, p := range batch {
		b.run([]*pending{p})
	}
}

func pushesOf(batch []*pending) []store.Push {
	pushes := make([]store.Push, len(batch))
	for i, p := range batch {
		pushes[i] = p.push
	}
	return pushes
}

// close stops accepting pushes and returns once every queued push is stored (or
// refused) and answered. Pushes submitted after it are answered errClosed.
func (b *batcher) close() {
	b.mu.Lock()
	if !b.closed {
		b.closed = true
		close(b.in)
	}
	b.mu.Unlock()
	<-b.done
}
