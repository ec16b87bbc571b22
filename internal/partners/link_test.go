package partners

import (
	"bytes"
	"testing"
	"time"
)

// FuzzPartnerToken: a partner link is outside input. Parsing never panics, and a
// token that parses is exactly what the key signs.
func FuzzPartnerToken(f *testing.F) {
	key := bytes.Repeat([]byte{7}, 32)
	valid := signToken(key, 42, time.Unix(1_900_000_000, 0), bytes.Repeat([]byte{1}, nonceSize))
	for _, s := range []string{valid, valid + "x", "", ".", "a.b", valid[:10], "AAAA.AAAA", valid[:len(valid)-1] + "A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		id, expires, n, ok := parseToken(key, token)
		if !ok {
			return
		}
		if id <= 0 || len(n) != nonceSize {
			t.Fatalf("accepted %q as id %d, nonce %x", token, id, n)
		}
		if again := signToken(key, id, expires, n); again != token {
			t.Fatalf("accepted %q, which the key signs as %q", token, again)
		}
		if _, _, _, ok := parseToken(bytes.Repeat([]byte{8}, 32), token); ok {
			t.Fatalf("accepted %q under another key", token)
		}
	})
}
