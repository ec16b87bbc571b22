package editorial

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// FuzzGuestToken: a guest token is outside input. Parsing never panics; a token that
// parses was signed with the key (it is the signature of its payload); and any
// change to a signed token is refused.
func FuzzGuestToken(f *testing.F) {
	key := bytes.Repeat([]byte{7}, 32)
	nonce := bytes.Repeat([]byte{1}, guestNonceSize)
	valid := signGuestToken(key, 42, time.Unix(1_900_000_000, 0), nonce)
	// The payload of valid ends in "E": "G" decodes to the same bytes unless the
	// decoder is strict, which would give one link several spellings.
	p64, s64, _ := strings.Cut(valid, ".")
	malleable := p64[:len(p64)-1] + "G." + s64
	for _, s := range []string{valid, malleable, valid + "x", "", ".", "a.b", valid[:10], "AAAA.AAAA", valid[:len(valid)-1] + "A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, token string) {
		id, expires, n, ok := parseGuestToken(key, token)
		if !ok {
			return
		}
		if id <= 0 || len(n) != guestNonceSize {
			t.Fatalf("accepted %q as id %d, nonce %x", token, id, n)
		}
		// What parses is exactly what the key signs.
		if again := signGuestToken(key, id, expires, n); again != token {
			t.Fatalf("accepted %q, which the key signs as %q", token, again)
		}
		if _, _, _, ok := parseGuestToken(bytes.Repeat([]byte{8}, 32), token); ok {
			t.Fatalf("accepted %q under another key", token)
		}
	})
}

func TestGuestTokenTampering(t *testing.T) {
	t.Parallel()
	key := bytes.Repeat([]byte{7}, 32)
	nonce := bytes.Repeat([]byte{1}, guestNonceSize)
	exp := time.Unix(1_900_000_000, 0).UTC()
	token := signGuestToken(key, 42, exp, nonce)
	id, gotExp, gotNonce, ok := parseGuestToken(key, token)
	if !ok || id != 42 || !gotExp.Equal(exp) || !bytes.Equal(gotNonce, nonce) {
		t.Fatalf("round trip: %d %v %x %v", id, gotExp, gotNonce, ok)
	}
	for i := range len(token) {
		for _, c := range []byte{'A', '_', '.', '-'} {
			if token[i] == c {
				continue
			}
			tampered := token[:i] + string(c) + token[i+1:]
			if _, _, _, ok := parseGuestToken(key, tampered); ok {
				t.Fatalf("accepted a token changed at %d: %q", i, tampered)
			}
		}
	}
}
