package partners

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/secret"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Partner links are signed tokens like guest review links: base64url(relay id ‖
// expiry ‖ nonce) "." base64url(HMAC-SHA256) under a key of their own. The signature
// refuses tampering without a database read; the stored hash of the nonce makes a
// link revocable (and replaced by a reminder), the stored expiry authoritative.
// Every refusal answers the same 404 with a plain message: a partner cannot tell a
// forged link from an expired one, and neither can someone guessing.

const (
	linkKeyName = "partner_links"
	nonceSize   = 16
	payloadSize = 8 + 8 + nonceSize
)

// ErrBadLink answers every link that does not open.
var ErrBadLink = passerelle.Errorf(passerelle.ENOTFOUND, "This partner link is not valid: it may have expired or been withdrawn. Ask the team that sent it for a new one.")

func newNonce() ([]byte, string) {
	n := make([]byte, nonceSize)
	rand.Read(n)
	return n, nonceHash(n)
}

func nonceHash(nonce []byte) string {
	h := sha256.Sum256(nonce)
	return hex.EncodeToString(h[:])
}

func signToken(key []byte, id int64, expires time.Time, nonce []byte) string {
	payload := make([]byte, payloadSize)
	binary.BigEndian.PutUint64(payload[0:8], uint64(id))
	binary.BigEndian.PutUint64(payload[8:16], uint64(expires.Unix()))
	copy(payload[16:], nonce)
	return secret.SignToken(key, payload)
}

// parseToken checks the signature and returns the relay id, expiry and nonce.
func parseToken(key []byte, token string) (int64, time.Time, []byte, bool) {
	payload, ok := secret.OpenToken(key, token, payloadSize, 200)
	if !ok {
		return 0, time.Time{}, nil, false
	}
	id := int64(binary.BigEndian.Uint64(payload[0:8]))
	expires := time.Unix(int64(binary.BigEndian.Uint64(payload[8:16])), 0).UTC()
	return id, expires, payload[16:], id > 0
}

// link is the address a partner opens.
func (s *Service) link(token string) string { return s.baseURL + "/relay/" + token }

// resolve returns the relay a token opens, refusing tampered, expired, revoked and
// replaced links with ErrBadLink.
func (s *Service) resolve(ctx context.Context, token string) (*store.RelayLink, error) {
	key, err := s.db.SigningKey(ctx, linkKeyName)
	if err != nil {
		return nil, err
	}
	id, expires, nonce, ok := parseToken(key, token)
	if !ok {
		return nil, ErrBadLink
	}
	l, err := s.db.RelayLinkByID(ctx, id)
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		return nil, ErrBadLink
	}
	if err != nil {
		return nil, err
	}
	now := s.now()
	if !hmac.Equal([]byte(l.NonceHash), []byte(nonceHash(nonce))) || !expires.Equal(l.ExpiresAt.Truncate(time.Second)) ||
		!now.Before(l.ExpiresAt) || l.RevokedAt != nil {
		return nil, ErrBadLink
	}
	return l, nil
}
