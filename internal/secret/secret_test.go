package secret

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpen(t *testing.T) {
	t.Parallel()
	k1, k2 := NewKey(), NewKey()
	old, err := NewKeyring(map[int][]byte{1: k1})
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := old.Seal([]byte("s3cret"), AAD("account_credentials", 7, "app_secret"))
	if err != nil {
		t.Fatal(err)
	}
	rotated, err := NewKeyring(map[int][]byte{1: k1, 2: k2})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name    string
		ring    *Keyring
		sealed  string
		aad     []byte
		wantErr bool
	}{
		{"same key and place", old, sealed, AAD("account_credentials", 7, "app_secret"), false},
		{"after rotation", rotated, sealed, AAD("account_credentials", 7, "app_secret"), false},
		{"other row", old, sealed, AAD("account_credentials", 8, "app_secret"), true},
		{"other column", old, sealed, AAD("account_credentials", 7, "token"), true},
		{"tampered", old, sealed[:len(sealed)-2] + "AA", AAD("account_credentials", 7, "app_secret"), true},
		{"unknown version", old, "v9" + sealed[2:], AAD("account_credentials", 7, "app_secret"), true},
		{"garbage", old, "not sealed", nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			pt, err := tt.ring.Open(tt.sealed, tt.aad)
			if tt.wantErr {
				if !errors.Is(err, ErrOpen) {
					t.Fatalf("Open: got %v, want ErrOpen", err)
				}
				return
			}
			if err != nil || string(pt) != "s3cret" {
				t.Fatalf("Open = %q, %v", pt, err)
			}
		})
	}
	resealed, _ := rotated.Seal([]byte("x"), nil)
	if Version(resealed) != 2 || Version(sealed) != 1 {
		t.Fatalf("versions: %d %d", Version(resealed), Version(sealed))
	}
}

func TestKeyFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "secret.key")
	keys, err := LoadOrCreateFile(path)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, %v", fi.Mode(), err)
	}
	again, err := LoadOrCreateFile(path)
	if err != nil || !bytes.Equal(again[1], keys[1]) {
		t.Fatalf("reload: %v", err)
	}
	os.Chmod(path, 0o644)
	if _, err := LoadOrCreateFile(path); err == nil {
		t.Fatal("a world-readable key file was accepted")
	}
}

func TestParseKeys(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		want     int
		wantErr  bool
	}{
		{"bare key", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 1, false},
		{"versions", "1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=,2:AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=", 2, false},
		{"short", "AAAA", 0, true},
		{"bad version", "x:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 0, true},
		{"duplicate", "1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n1:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", 0, true},
		{"empty", "# nothing\n", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			keys, err := ParseKeys(tt.in)
			if (err != nil) != tt.wantErr || len(keys) != tt.want {
				t.Fatalf("ParseKeys = %d keys, %v", len(keys), err)
			}
		})
	}
}

func FuzzOpen(f *testing.F) {
	ring, _ := NewKeyring(map[int][]byte{1: make([]byte, 32)})
	s, _ := ring.Seal([]byte("x"), nil)
	f.Add(s)
	f.Add("v1:")
	f.Fuzz(func(t *testing.T, sealed string) {
		if pt, err := ring.Open(sealed, nil); err == nil && string(pt) != "x" {
			t.Fatalf("opened forged value %q", pt)
		}
	})
}

// TestSignedToken: a token opens with its key and size only; any changed character, a
// non-canonical spelling, another key, another size or an over-long token is refused.
func TestSignedToken(t *testing.T) {
	key, other := []byte("key one"), []byte("key two")
	payload := []byte("0123456789abcdef-payload")
	tok := SignToken(key, payload)
	if got, ok := OpenToken(key, tok, len(payload), 200); !ok || string(got) != string(payload) {
		t.Fatalf("round trip: %q %v", got, ok)
	}
	for i := range tok {
		for _, c := range []byte("A_-.0z") {
			if c == tok[i] {
				continue
			}
			bad := tok[:i] + string(c) + tok[i+1:]
			if _, ok := OpenToken(key, bad, len(payload), 200); ok {
				t.Fatalf("changed at %d (%q) still opens", i, bad)
			}
		}
	}
	for _, c := range []struct {
		key    []byte
		size   int
		maxLen int
	}{{other, len(payload), 200}, {key, len(payload) + 1, 200}, {key, len(payload), len(tok) - 1}} {
		if _, ok := OpenToken(c.key, tok, c.size, c.maxLen); ok {
			t.Fatalf("opened with %+v", c)
		}
	}
	if _, ok := OpenToken(key, "no-dot", len(payload), 200); ok {
		t.Fatal("a token without its signature opened")
	}
}
