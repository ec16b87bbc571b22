// Package secret seals credentials at rest with AES-256-GCM. Every sealed value names
// the key version that sealed it, so keys can be rotated: a Keyring holds the current
// key and the older ones still needed to open values sealed before a rotation.
//
// The associated data given to Seal and Open binds a value to where it is stored
// (table, row and column): a sealed value copied to another row does not open.
package secret

import (
	"bufio"
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"sort"
	"strconv"
	"strings"
)

// KeySize is the size of an AES-256 key.
const KeySize = 32

// Keyring holds keys by version; the highest version seals.
type Keyring struct {
	keys    map[int]cipher.AEAD
	current int
}

// ErrOpen is returned when a value cannot be opened: wrong key, wrong associated data,
// or tampering.
var ErrOpen = errors.New("secret: cannot open sealed value")

// NewKeyring builds a keyring from raw keys by version.
func NewKeyring(keys map[int][]byte) (*Keyring, error) {
	if len(keys) == 0 {
		return nil, errors.New("secret: no key")
	}
	k := &Keyring{keys: map[int]cipher.AEAD{}}
	for v, raw := range keys {
		if v <= 0 {
			return nil, fmt.Errorf("secret: key version %d must be positive", v)
		}
		if len(raw) != KeySize {
			return nil, fmt.Errorf("secret: key version %d has %d bytes, want %d", v, len(raw), KeySize)
		}
		block, err := aes.NewCipher(raw)
		if err != nil {
			return nil, err
		}
		aead, err := cipher.NewGCM(block)
		if err != nil {
			return nil, err
		}
		k.keys[v] = aead
		if v > k.current {
			k.current = v
		}
	}
	return k, nil
}

// Current is the version new values are sealed with.
func (k *Keyring) Current() int { return k.current }

// Seal encrypts plaintext under the current key. The result is text:
// "v<version>:" followed by base64(nonce ‖ ciphertext).
func (k *Keyring) Seal(plaintext, aad []byte) (string, error) {
	aead := k.keys[k.current]
	nonce := make([]byte, aead.NonceSize(), aead.NonceSize()+len(plaintext)+aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	out := aead.Seal(nonce, nonce, plaintext, aad)
	return "v" + strconv.Itoa(k.current) + ":" + base64.RawStdEncoding.EncodeToString(out), nil
}

// Open decrypts a value sealed by Seal with the same associated data.
func (k *Keyring) Open(sealed string, aad []byte) ([]byte, error) {
	v, body, ok := strings.Cut(sealed, ":")
	if !ok || !strings.HasPrefix(v, "v") {
		return nil, ErrOpen
	}
	version, err := strconv.Atoi(v[1:])
	if err != nil {
		return nil, ErrOpen
	}
	aead, ok := k.keys[version]
	if !ok {
		return nil, fmt.Errorf("%w: key version %d is not in the keyring", ErrOpen, version)
	}
	raw, err := base64.RawStdEncoding.DecodeString(body)
	if err != nil || len(raw) < aead.NonceSize()+aead.Overhead() {
		return nil, ErrOpen
	}
	pt, err := aead.Open(nil, raw[:aead.NonceSize()], raw[aead.NonceSize():], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}

// Version returns the key version a sealed value names, or 0.
func Version(sealed string) int {
	v, _, ok := strings.Cut(sealed, ":")
	if !ok || !strings.HasPrefix(v, "v") {
		return 0
	}
	n, _ := strconv.Atoi(v[1:])
	return n
}

// AAD builds the associated data that binds a value to its place.
func AAD(table string, row int64, column string) []byte {
	return []byte(table + "/" + strconv.FormatInt(row, 10) + "/" + column)
}

// ParseKeys reads keys in the text form used by PASSERELLE_SECRET_KEY and the key file:
// one "VERSION:BASE64" per line or comma-separated; a single bare BASE64 key is
// version 1. Blank lines and lines starting with # are ignored.
func ParseKeys(text string) (map[int][]byte, error) {
	keys := map[int][]byte{}
	fields := strings.FieldsFunc(text, func(r rune) bool { return r == '\n' || r == ',' || r == '\r' })
	for _, f := range fields {
		f = strings.TrimSpace(f)
		if f == "" || strings.HasPrefix(f, "#") {
			continue
		}
		version, b64 := 1, f
		if v, rest, ok := strings.Cut(f, ":"); ok {
			n, err := strconv.Atoi(v)
			if err != nil || n <= 0 {
				return nil, fmt.Errorf("secret: bad key version %q", v)
			}
			version, b64 = n, rest
		}
		raw, err := base64.StdEncoding.DecodeString(b64)
		if err != nil {
			raw, err = base64.RawStdEncoding.DecodeString(b64)
		}
		if err != nil || len(raw) != KeySize {
			return nil, fmt.Errorf("secret: key version %d is not %d base64-encoded bytes", version, KeySize)
		}
		if _, dup := keys[version]; dup {
			return nil, fmt.Errorf("secret: key version %d given twice", version)
		}
		keys[version] = raw
	}
	if len(keys) == 0 {
		return nil, errors.New("secret: no key found")
	}
	return keys, nil
}

// FormatKeys writes keys in the form ParseKeys reads, oldest first.
func FormatKeys(keys map[int][]byte) string {
	versions := make([]int, 0, len(keys))
	for v := range keys {
		versions = append(versions, v)
	}
	sort.Ints(versions)
	var b bytes.Buffer
	b.WriteString("# Passerelle secret keys: VERSION:BASE64. The highest version seals; keep older ones to open old values.\n")
	for _, v := range versions {
		fmt.Fprintf(&b, "%d:%s\n", v, base64.StdEncoding.EncodeToString(keys[v]))
	}
	return b.String()
}

// NewKey returns a fresh random key.
func NewKey() []byte {
	k := make([]byte, KeySize)
	if _, err := rand.Read(k); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return k
}

// LoadOrCreateFile reads the key file at path, creating it with one fresh key and mode
// 0600 when it does not exist.
func LoadOrCreateFile(path string) (map[int][]byte, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		keys := map[int][]byte{1: NewKey()}
		if err := WriteFile(path, keys); err != nil {
			return nil, err
		}
		return keys, nil
	}
	if err != nil {
		return nil, fmt.Errorf("secret: read key file: %w", err)
	}
	if fi, err := os.Stat(path); err == nil && fi.Mode().Perm()&0o077 != 0 {
		return nil, fmt.Errorf("secret: key file %s is readable by others (mode %o); run chmod 600", path, fi.Mode().Perm())
	}
	return ParseKeys(string(data))
}

// WriteFile atomically writes keys to path with mode 0600.
func WriteFile(path string, keys map[int][]byte) error {
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return fmt.Errorf("secret: write key file: %w", err)
	}
	w := bufio.NewWriter(f)
	w.WriteString(FormatKeys(keys))
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// SignToken returns a signed link token: the payload and its HMAC-SHA256 under key, in
// unpadded base64url, "payload.mac". The payload is readable; only the key makes it.
func SignToken(key, payload []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write(payload)
	enc := base64.RawURLEncoding
	return enc.EncodeToString(payload) + "." + enc.EncodeToString(mac.Sum(nil))
}

// OpenToken returns the payload of a SignToken token made with key, when the token is at
// most maxLen bytes, has one spelling only (strict base64url: trailing bits zero) and
// its payload is size bytes; ok is false otherwise.
func OpenToken(key []byte, token string, size, maxLen int) (payload []byte, ok bool) {
	if len(token) > maxLen {
		return nil, false
	}
	p64, s64, found := strings.Cut(token, ".")
	if !found {
		return nil, false
	}
	enc := base64.RawURLEncoding.Strict()
	payload, err1 := enc.DecodeString(p64)
	sig, err2 := enc.DecodeString(s64)
	if err1 != nil || err2 != nil || len(payload) != size {
		return nil, false
	}
	mac := hmac.New(sha256.New, key)
	mac.Write(payload)
	if !hmac.Equal(sig, mac.Sum(nil)) {
		return nil, false
	}
	return payload, true
}
