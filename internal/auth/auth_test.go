package auth_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

var cheap = auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1}

func TestPasswordHash(t *testing.T) {
	t.Parallel()
	h, err := auth.HashPassword("correct horse battery", cheap)
	if err != nil {
		t.Fatal(err)
	}
	h2, _ := auth.HashPassword("correct horse battery", cheap)
	if h == h2 || !strings.HasPrefix(h, "$argon2id$") {
		t.Fatalf("hashes %q %q: want salted argon2id", h, h2)
	}
	tests := []struct {
		name, hash, password string
		ok                   bool
	}{
		{"right", h, "correct horse battery", true},
		{"wrong", h, "correct horse batterie", false},
		{"empty", h, "", false},
		{"not a hash", "plain", "plain", false},
		{"other algorithm", strings.Replace(h, "argon2id", "argon2i", 1), "correct horse battery", false},
		{"absurd cost", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$aGFzaA", "x", false},
	}
	for _, tt := range tests {
		if got := auth.VerifyPassword(tt.hash, tt.password); got != tt.ok {
			t.Errorf("%s: %v", tt.name, got)
		}
	}
}

func FuzzVerifyPassword(f *testing.F) {
	h, _ := auth.HashPassword("pw", cheap)
	f.Add(h, "pw")
	f.Add("$argon2id$v=19$m=8,t=1,p=1$$", "")
	f.Fuzz(func(t *testing.T, hash, pw string) {
		auth.VerifyPassword(hash, pw) // must not panic or allocate without bound
	})
}

func TestLoginAndTokens(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.SQLite(t)
	s := auth.New(db, nil)
	s.Params = cheap
	org, _ := db.CreateOrganization(ctx, "o")
	u := &passerelle.User{OrgID: org.ID, Email: "li@example.org", Owner: true}
	if err := s.CreateUser(ctx, u, "short"); passerelle.ErrorCode(err) != passerelle.EINVALID {
		t.Fatalf("short password: %v", err)
	}
	if err := s.CreateUser(ctx, u, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	cookie, sess, got, err := s.Login(ctx, "LI@example.org", "correct horse battery", "192.0.2.1", "ua")
	if err != nil || got.ID != u.ID || sess.Hash == cookie || sess.Hash != auth.Hash(cookie) {
		t.Fatalf("login: %v %+v", err, sess)
	}
	if _, su, err := s.Session(ctx, cookie); err != nil || su.ID != u.ID {
		t.Fatalf("session: %v", err)
	}
	for range 5 {
		s.Login(ctx, "li@example.org", "wrong", "192.0.2.1", "ua")
	}
	if _, _, _, err := s.Login(ctx, "li@example.org", "correct horse battery", "192.0.2.1", "ua"); passerelle.ErrorCode(err) != passerelle.ERATELIMITED {
		t.Fatalf("after 5 failures: %v", err)
	}
	past := time.Now().Add(-time.Hour)
	if _, _, err := s.CreateToken(ctx, u.ID, "old", &past); passerelle.ErrorCode(err) != passerelle.EINVALID {
		t.Fatalf("token expiring in the past: %v", err)
	}
	secret, tok, err := s.CreateToken(ctx, u.ID, "ci", nil)
	if err != nil || !strings.HasPrefix(secret, auth.TokenPrefix) || !strings.HasPrefix(secret, tok.Prefix) {
		t.Fatalf("token: %q %+v %v", secret, tok, err)
	}
	if _, tu, err := s.Token(ctx, secret); err != nil || tu.ID != u.ID {
		t.Fatalf("token lookup: %v", err)
	}
	for _, bad := range []string{"", "psl_nope", "Bearer " + secret, strings.Repeat("x", 300)} {
		if _, _, err := s.Token(ctx, bad); passerelle.ErrorCode(err) != passerelle.EUNAUTHENTICATED {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}

// Issue 9, finding 2: concurrent wrong passwords cannot slip under the limits; each
// attempt is counted before its password is checked.
func TestLoginLimitsHoldUnderConcurrency(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		s := auth.New(db, nil)
		s.Params = cheap
		// The subject is the counting: the argon2id bound (TestArgonGate) is lifted so
		// that a slow machine cannot answer "busy" instead.
		s.LimitArgon(0, 0)
		org, _ := db.CreateOrganization(ctx, "o")
		if err := s.CreateUser(ctx, &passerelle.User{OrgID: org.ID, Email: "li@example.org", Owner: true}, "correct horse battery"); err != nil {
			t.Fatal(err)
		}
		codes := func(n int, email func(i int) string, ip string) map[string]int {
			var mu sync.Mutex
			got := map[string]int{}
			var wg sync.WaitGroup
			for i := range n {
				wg.Go(func() {
					_, _, _, err := s.Login(ctx, email(i), "wrong password", ip, "ua")
					mu.Lock()
					got[passerelle.ErrorCode(err)]++
					mu.Unlock()
				})
			}
			wg.Wait()
			return got
		}
		// 30 at once on one account from one address: 5 checked.
		got := codes(30, func(int) string { return "li@example.org" }, "192.0.2.1")
		if got[passerelle.EUNAUTHENTICATED] != 5 || got[passerelle.ERATELIMITED] != 25 {
			t.Fatalf("one account, 30 concurrent attempts: %v, want 5 checked", got)
		}
		// 60 at once on as many accounts from one address: 30 checked.
		got = codes(60, func(i int) string { return fmt.Sprintf("u%d@example.org", i) }, "192.0.2.2")
		if got[passerelle.EUNAUTHENTICATED] != 30 || got[passerelle.ERATELIMITED] != 30 {
			t.Fatalf("one address, 60 concurrent attempts: %v, want 30 checked", got)
		}
	})
}

// Issue 9, finding 3: whoever fails on an account from their address does not lock
// its owner out; the owner's own address is limited separately.
func TestLoginNoLockOutFromElsewhere(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.SQLite(t)
	s := auth.New(db, nil)
	s.Params = cheap
	org, _ := db.CreateOrganization(ctx, "o")
	if err := s.CreateUser(ctx, &passerelle.User{OrgID: org.ID, Email: "li@example.org", Owner: true}, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	for range 20 {
		s.Login(ctx, "li@example.org", "guess", "198.51.100.7", "attacker")
	}
	if _, _, _, err := s.Login(ctx, "li@example.org", "correct horse battery", "198.51.100.7", "attacker"); !errors.Is(err, auth.ErrThrottled) {
		t.Fatalf("the attacker's address is not throttled: %v", err)
	}
	if _, _, u, err := s.Login(ctx, "li@example.org", "correct horse battery", "192.0.2.1", "owner"); err != nil || u == nil {
		t.Fatalf("the owner is locked out by someone else's failures: %v", err)
	}
	if !strings.Contains(auth.ErrThrottled.Message, "not locked") {
		t.Errorf("the message does not say the account is not locked: %q", auth.ErrThrottled.Message)
	}
}

// TestSharedPasswordUsers: users created with one shared password (the demo team) each
// sign in with it, and a password too short creates nobody.
func TestSharedPasswordUsers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := storetest.SQLite(t)
	s := auth.New(db, nil)
	s.Params = cheap
	org, _ := db.CreateOrganization(ctx, "o")
	team := []*passerelle.User{{OrgID: org.ID, Email: "a@example.org", Owner: true}, {OrgID: org.ID, Email: "b@example.org", Memberships: []passerelle.Membership{}}}
	if err := s.CreateSharedPasswordUsers(ctx, team, "short"); passerelle.ErrorCode(err) != passerelle.EINVALID {
		t.Fatalf("short password: %v", err)
	}
	if users, _ := db.Users(ctx, org.ID); len(users) != 0 {
		t.Fatalf("%d users created with a refused password", len(users))
	}
	if err := s.CreateSharedPasswordUsers(ctx, team, "correct horse battery"); err != nil {
		t.Fatal(err)
	}
	for _, u := range team {
		if _, _, got, err := s.Login(ctx, u.Email, "correct horse battery", "192.0.2.1", "ua"); err != nil || got.ID != u.ID {
			t.Errorf("%s: %v", u.Email, err)
		}
		if _, _, _, err := s.Login(ctx, u.Email, "correct horse batterz", "192.0.2.2", "ua"); passerelle.ErrorCode(err) != passerelle.EUNAUTHENTICATED {
			t.Errorf("%s with a wrong password: %v", u.Email, err)
		}
	}
}
