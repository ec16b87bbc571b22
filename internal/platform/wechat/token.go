package wechat

import (
	"context"
	"sync"
	"time"
)

// TokenStore shares one account's access_token between all Passerelle processes, so
// that exactly one of them calls stable_token at a time and the others reuse its answer.
// The database-backed implementation lives in internal/store; MemoryTokenStore serves
// tests and single-process use.
//
// Contract, for every method: appID names the account; errors are only for the store
// itself failing (the client turns them into a Retryable platform error); all methods
// are safe for concurrent use by many goroutines and processes.
//
//   - Get returns the token last Put for appID and its expiry, or ("", zero time, nil)
//     when there is none. It never returns a token whose Put was not complete.
//   - Lease atomically grants the refresh lease of appID to holder for ttl and reports
//     true when: nobody holds it, the previous lease has expired, or holder already
//     holds it (which extends it). Otherwise it reports false and changes nothing. The
//     expiry is measured on one clock for all processes (for a database, its own clock),
//     so two processes never both hold a lease.
//   - Put stores token and expiresAt for appID, replacing the previous pair. The client
//     calls it only while holding the lease.
//   - Release gives the lease up if holder holds it, and does nothing otherwise (a lease
//     that expired and was taken by someone else stays theirs).
//
// Tokens are secrets: an implementation must not log them, and should encrypt them at
// rest the way it encrypts other credentials.
type TokenStore interface {
	Get(ctx context.Context, appID string) (token string, expiresAt time.Time, err error)
	Lease(ctx context.Context, appID, holder string, ttl time.Duration) (bool, error)
	Put(ctx context.Context, appID, token string, expiresAt time.Time) error
	Release(ctx context.Context, appID, holder string) error
}

var _ TokenStore = (*MemoryTokenStore)(nil)

// MemoryTokenStore is a TokenStore for one process. The zero value is ready to use.
type MemoryTokenStore struct {
	// Clock measures lease expiry; nil means time.Now.
	Clock func() time.Time

	mu     sync.Mutex
	tokens map[string]memToken
	leases map[string]memLease
}

type memToken struct {
	token     string
	expiresAt time.Time
}

type memLease struct {
	holder string
	until  time.Time
}

func (s *MemoryTokenStore) now() time.Time {
	if s.Clock != nil {
		return s.Clock()
	}
	return time.Now()
}

// Get implements TokenStore.
func (s *MemoryTokenStore) Get(ctx context.Context, appID string) (string, time.Time, error) {
	if err := ctx.Err(); err != nil {
		return "", time.Time{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t := s.tokens[appID]
	return t.token, t.expiresAt, nil
}

// Lease implements TokenStore.
func (s *MemoryTokenStore) Lease(ctx context.Context, appID, holder string, ttl time.Duration) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	if l, ok := s.leases[appID]; ok && l.holder != holder && now.Before(l.until) {
		return false, nil
	}
	if s.leases == nil {
		s.leases = make(map[string]memLease)
	}
	s.leases[appID] = memLease{holder: holder, until: now.Add(ttl)}
	return true, nil
}

// Put implements TokenStore.
func (s *MemoryTokenStore) Put(ctx context.Context, appID, token string, expiresAt time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tokens == nil {
		s.tokens = make(map[string]memToken)
	}
	s.tokens[appID] = memToken{token: token, expiresAt: expiresAt}
	return nil
}

// Release implements TokenStore.
func (s *MemoryTokenStore) Release(ctx context.Context, appID, holder string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[appID]; ok && l.holder == holder {
		delete(s.leases, appID)
	}
	return nil
}
