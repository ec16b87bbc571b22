package auth_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/auth"
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
