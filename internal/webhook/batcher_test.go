package webhook

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// gatedStore commits batches to db, holding the first one until release is closed
// so that the pushes submitted meanwhile queue up, and records each batch's size.
type gatedStore struct {
	db      *store.DB
	started chan struct{} // closed when the first commit begins
	release chan struct{}
	once    sync.Once
	mu      sync.Mutex
	sizes   []int
}

func (g *gatedStore) commit(ctx context.Context, pushes []store.Push) ([]store.PushOutcome, error) {
	g.once.Do(func() { close(g.started); <-g.release })
	g.mu.Lock()
	g.sizes = append(g.sizes, len(pushes))
	g.mu.Unlock()
	return g.db.StorePushes(ctx, pushes, nil)
}

func newGate(db *store.DB) *gatedStore {
	return &gatedStore{db: db, started: make(chan struct{}), release: make(chan struct{})}
}

func (g *gatedStore) batches() []int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return append([]int(nil), g.sizes...)
}

func account(t *testing.T, db *store.DB) int64 {
	t.Helper()
	ctx := context.Background()
	org, err := db.CreateOrganization(ctx, "Agence")
	if err != nil {
		t.Fatal(err)
	}
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Musée Guimet"}
	if err := db.CreateInstitution(ctx, inst); err != nil {
		t.Fatal(err)
	}
	a := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.WeChat, DisplayName: "吉美博物馆"}
	if err := db.CreateAccount(ctx, org.ID, a); err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// testPush is event n of the account, as sent by WeChat's try: each try is a request
// of its own (its signature), the event is the same.
func testPush(account int64, n, try int) store.Push {
	at := time.Date(2026, 12, 6, 10, 0, 0, 0, time.UTC).Add(time.Duration(n) * time.Second)
	return store.Push{
		AccountID: account,
		SigKey:    fmt.Sprintf("sig-%d-%d", n, try),
		BodyHash:  fmt.Sprintf("body-%d-%d", n, try),
		Event: &store.WeChatEvent{
			DedupKey: fmt.Sprintf("msg-%d", n),
			MsgType:  "text",
			FromUser: fmt.Sprintf("oUser%d", n%7),
			SentAt:   at,
			Payload:  fmt.Sprintf("<xml><MsgId>%d</MsgId></xml>", n),
		},
	}
}

// waitQueued waits until n pushes wait in the batcher's queue.
func waitQueued(t *testing.T, b *batcher, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for len(b.in) < n {
		if time.Now().After(deadline) {
			t.Fatalf("%d pushes queued, want %d", len(b.in), n)
		}
		time.Sleep(time.Millisecond)
	}
}

type answer struct {
	outcome store.PushOutcome
	err     error
}

// Pushes submitted concurrently while the writer is busy are stored together, each
// event exactly once, and each request learns its own outcome.
func TestBatcherStoresConcurrentPushesOnce(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		acc := account(t, db)
		g := newGate(db)
		b := newBatcher(g.commit, slog.New(slog.DiscardHandler))
		defer b.close()
		ctx := context.Background()

		// The first push holds the writer; 2 × events more queue behind it.
		first := make(chan answer, 1)
		go func() { o, err := b.submit(ctx, testPush(acc, 0, 0)); first <- answer{o, err} }()
		<-g.started
		const events = 100
		answers := make([][2]answer, events)
		var wg sync.WaitGroup
		for n := 1; n <= events; n++ {
			for try := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					o, err := b.submit(ctx, testPush(acc, n, try))
					answers[n-1][try] = answer{o, err}
				}()
			}
		}
		waitQueued(t, b, 2*events)
		close(g.release)
		wg.Wait()
		if a := <-first; a.err != nil || a.outcome != store.PushStored {
			t.Fatalf("first push: %v %v", a.outcome, a.err)
		}
		for n, a := range answers {
			if a[0].err != nil || a[1].err != nil {
				t.Fatalf("event %d: %v, %v", n+1, a[0].err, a[1].err)
			}
			// One try stored it, the other found it stored: which one is the order of
			// the queue.
			if got := []store.PushOutcome{a[0].outcome, a[1].outcome}; !(got[0] == store.PushStored && got[1] == store.PushDuplicate) && !(got[0] == store.PushDuplicate && got[1] == store.PushStored) {
				t.Fatalf("event %d: outcomes %v, want one stored and one duplicate", n+1, got)
			}
		}
		stored, err := db.CountWeChatEvents(ctx, acc)
		if err != nil {
			t.Fatal(err)
		}
		if stored != events+1 {
			t.Fatalf("%d events stored, want %d", stored, events+1)
		}
		// The queued pushes were committed together, not one transaction each.
		if sizes := g.batches(); len(sizes) != 2 || sizes[0] != 1 || sizes[1] != 2*events {
			t.Fatalf("batches %v: want [1 %d], the queued pushes in one transaction", sizes, 2*events)
		}
	})
}

// A push the store refuses fails alone: the others of its batch are stored.
func TestBatcherFailingPushDoesNotFailItsBatch(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		acc := account(t, db)
		g := newGate(db)
		b := newBatcher(g.commit, slog.New(slog.DiscardHandler))
		defer b.close()
		ctx := context.Background()

		const events, bad = 20, 7
		answers := make([]answer, events)
		var wg sync.WaitGroup
		for n := range events {
			p := testPush(acc, n, 0)
			if n == bad {
				// An instant no engine stores the same: the store refuses the push.
				p.Event.SentAt = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				o, err := b.submit(ctx, p)
				answers[n] = answer{o, err}
			}()
			if n == 0 {
				// The first holds the writer; the others form one batch behind it.
				<-g.started
			}
		}
		waitQueued(t, b, events-1)
		close(g.release)
		wg.Wait()
		for n, a := range answers {
			switch {
			case n == bad && a.err == nil:
				t.Fatalf("the refused push was answered %v", a.outcome)
			case n != bad && (a.err != nil || a.outcome != store.PushStored):
				t.Fatalf("push %d: %v %v, want stored", n, a.outcome, a.err)
			}
		}
		if code := passerelle.ErrorCode(answers[bad].err); code != passerelle.EINVALID {
			t.Fatalf("refused push: %v (code %q), want the store's EINVALID", answers[bad].err, code)
		}
		stored, err := db.CountWeChatEvents(ctx, acc)
		if err != nil {
			t.Fatal(err)
		}
		if stored != events-1 {
			t.Fatalf("%d events stored, want %d", stored, events-1)
		}
		// The batch of 19 failed as a whole, then its pushes were stored one by one.
		if sizes := g.batches(); len(sizes) != 2+events-1 || sizes[1] != events-1 {
			t.Fatalf("batches %v", sizes)
		}
	})
}

// Closing stores every queued push before returning; later pushes are refused, and
// pushes racing the close are either stored or refused, never lost unanswered.
func TestBatcherCloseDrainsTheQueue(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		acc := account(t, db)
		g := newGate(db)
		b := newBatcher(g.commit, slog.New(slog.DiscardHandler))
		ctx := context.Background()

		const queued, racing = 50, 50
		answers := make([]answer, queued+racing)
		var wg sync.WaitGroup
		for n := range queued {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o, err := b.submit(ctx, testPush(acc, n, 0))
				answers[n] = answer{o, err}
			}()
			if n == 0 {
				<-g.started // the first holds the writer, the others queue
			}
		}
		waitQueued(t, b, queued-1)
		closed := make(chan struct{})
		go func() { b.close(); close(closed) }()
		// Pushes submitted while the close waits: each is stored or refused.
		for n := queued; n < queued+racing; n++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				o, err := b.submit(ctx, testPush(acc, n, 0))
				answers[n] = answer{o, err}
			}()
		}
		select {
		case <-closed:
			t.Fatal("close returned before the queued pushes were stored")
		case <-time.After(50 * time.Millisecond):
		}
		close(g.release)
		<-closed
		wg.Wait()
		accepted := 0
		for n, a := range answers {
			switch {
			case a.err == nil && a.outcome == store.PushStored:
				accepted++
			case n < queued:
				t.Fatalf("queued push %d: %v %v, want stored", n, a.outcome, a.err)
			case !errors.Is(a.err, errClosed):
				t.Fatalf("push %d racing the close: %v %v, want stored or refused", n, a.outcome, a.err)
			}
		}
		stored, err := db.CountWeChatEvents(ctx, acc)
		if err != nil {
			t.Fatal(err)
		}
		if stored != accepted {
			t.Fatalf("%d events stored, %d answered stored", stored, accepted)
		}
		if _, err := b.submit(ctx, testPush(acc, queued+racing, 0)); !errors.Is(err, errClosed) {
			t.Fatalf("push after close: %v, want errClosed", err)
		}
	})
}

// A full queue makes a push wait for a place, bounded by its request's deadline: it is
// answered an error (WeChat retries), nothing is stored for it.
func TestBatcherFullQueueWaitsThenGivesUp(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	acc := account(t, db)
	g := newGate(db)
	b := newBatcher(g.commit, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	var wg sync.WaitGroup
	for n := range queueSize + 1 {
		wg.Add(1)
		go func() { defer wg.Done(); b.submit(ctx, testPush(acc, n, 0)) }()
		if n == 0 {
			<-g.started
		}
	}
	waitQueued(t, b, queueSize)
	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	if _, err := b.submit(short, testPush(acc, queueSize+1, 0)); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("push beyond the queue: %v, want its deadline", err)
	}
	close(g.release)
	wg.Wait()
	b.close()
	stored, err := db.CountWeChatEvents(ctx, acc)
	if err != nil {
		t.Fatal(err)
	}
	if stored != queueSize+1 {
		t.Fatalf("%d events stored, want the %d queued", stored, queueSize+1)
	}
}
