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

// batcher is a group committer: pushes submitted while a transaction is committing
// wait and are stored together in the next one. At low load a batch holds one push and
// adds no delay; under load it holds many, and one disk flush serves them all.
type batcher struct {
	commit func(context.Context, []store.Push) ([]store.PushOutcome, error)
	logger *slog.Logger
	in     chan *pending
	done   chan struct{}
	once   sync.Once
}

type pending struct {
	push    store.Push
	outcome store.PushOutcome
	err     error
	ready   chan struct{}
}

var errClosed = errors.New("webhook: shutting down")

func newBatcher(commit func(context.Context, []store.Push) ([]store.PushOutcome, error), logger *slog.Logger) *batcher {
	b := &batcher{commit: commit, logger: logger, in: make(chan *pending, 4*maxBatch), done: make(chan struct{})}
	go b.loop()
	return b
}

func (b *batcher) submit(ctx context.Context, p store.Push) (store.PushOutcome, error) {
	pd := &pending{push: p, ready: make(chan struct{})}
	select {
	case b.in <- pd:
	case <-b.done:
		return 0, errClosed
	case <-ctx.Done():
		return 0, ctx.Err()
	}
	// Once queued, wait for the outcome even if the client gave up: the loop owns pd.
	select {
	case <-pd.ready:
		return pd.outcome, pd.err
	case <-ctx.Done():
		return 0, ctx.Err()
	}
}

func (b *batcher) loop() {
	defer close(b.done)
	for first := range b.in {
		batch := []*pending{first}
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

func (b *batcher) run(batch []*pending) {
	pushes := make([]store.Push, len(batch))
	for i, p := range batch {
		pushes[i] = p.push
	}
	outcomes, err := b.commit(context.Background(), pushes)
	for i, p := range batch {
		if err != nil {
			p.err = err
		} else {
			p.outcome = outcomes[i]
		}
		close(p.ready)
	}
}

// close stops accepting pushes and waits for the queued ones to be stored.
func (b *batcher) close() {
	b.once.Do(func() { close(b.in) })
	<-b.done
}
