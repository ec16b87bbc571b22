package auth

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// Issue 9, finding 2: no more argon2id computations run at once than the gate's
// slots; past its queue or its wait, callers get ErrBusy (503 with Retry-After).
func TestArgonGate(t *testing.T) {
	t.Parallel()
	s := &Service{}
	s.LimitArgon(2, 20*time.Millisecond)
	var running, peak atomic.Int64
	var busy atomic.Int64
	var wg sync.WaitGroup
	for range 200 {
		wg.Go(func() {
			err := s.argon(context.Background(), func() {
				n := running.Add(1)
				for {
					p := peak.Load()
					if n <= p || peak.CompareAndSwap(p, n) {
						break
					}
				}
				time.Sleep(5 * time.Millisecond)
				running.Add(-1)
			})
			if err != nil {
				if passerelle.ErrorCode(err) != passerelle.EUNAVAILABLE {
					t.Errorf("error %v, want ErrBusy", err)
				}
				busy.Add(1)
			}
		})
	}
	wg.Wait()
	if p := peak.Load(); p > 2 {
		t.Fatalf("%d computations at once, want at most 2", p)
	}
	if busy.Load() == 0 {
		t.Fatal("200 callers on 2 slots with a 20 ms wait: nobody was told to come back")
	}
	if ArgonSlots() < 1 || ArgonSlots() > 4 {
		t.Fatalf("ArgonSlots %d", ArgonSlots())
	}
}
