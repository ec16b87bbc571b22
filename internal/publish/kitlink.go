package publish

import (
	"context"
	"encoding/binary"
	"io"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/secret"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// A kit link opens a copy-ready kit on the phone that posts it, without signing in:
// the kit page's QR code carries it. Like a guest review link it is a signed token,
// base64url(publication id ‖ generation ‖ expiry) "." base64url(HMAC-SHA256), with a
// key of the server's own (store.SigningKey). It needs no row of its own: it stops
// opening when it expires, and as soon as the publication no longer waits for a person
// to post it — published, cancelled, taken off the schedule (the generation moves on),
// its post no longer approved, or its account read-only. It shows the kit and its
// images, nothing else.

const (
	kitKeyName     = "kit_links"
	kitLinkPayload = 8 + 8 + 8
	// KitLinkTTL is how long a kit link opens.
	KitLinkTTL = 72 * time.Hour
)

var (
	errBadKitLink     = passerelle.Errorf(passerelle.ENOTFOUND, "This kit link is not valid.")
	errExpiredKitLink = passerelle.Errorf(passerelle.EFORBIDDEN, "This kit link has expired: scan the QR code on the kit page again.")
	errClosedKitLink  = passerelle.Errorf(passerelle.EFORBIDDEN, "This kit is closed: the publication was published, cancelled or taken off the schedule.")
)

// kitOpen reports whether a publication still waits for a person to post it.
func kitOpen(d *store.Delivery) bool {
	switch d.Publication.State {
	case passerelle.DeliveryPublished, passerelle.DeliveryCancelled, passerelle.DeliveryPublishing:
		return false
	}
	return HasKit(d.Publication) && (d.Post.Status == passerelle.StatusApproved || d.Post.Status == passerelle.StatusScheduled)
}

// KitLink makes the phone link of a kit the user may see, for a publication that waits
// for a person to post it (approved content, not yet published). It returns the token
// and when it expires; every link of the same hour is the same.
func (s *Service) KitLink(ctx context.Context, u *passerelle.User, id int64) (string, time.Time, error) {
	d, err := s.publication(ctx, u, id, passerelle.PermView)
	if err != nil {
		return "", time.Time{}, err
	}
	if !kitOpen(d) {
		return "", time.Time{}, errClosedKitLink
	}
	if err := s.ReadOnlyAccount(ctx, u.OrgID, d.Publication.AccountID); err != nil {
		return "", time.Time{}, err
	}
	key, err := s.db.SigningKey(ctx, kitKeyName)
	if err != nil {
		return "", time.Time{}, err
	}
	expires := s.now().UTC().Add(KitLinkTTL).Truncate(time.Hour)
	return signKitLink(key, id, d.Publication.Generation, expires), expires, nil
}

func signKitLink(key []byte, id int64, generation int, expires time.Time) string {
	payload := make([]byte, kitLinkPayload)
	binary.BigEndian.PutUint64(payload[0:8], uint64(id))
	binary.BigEndian.PutUint64(payload[8:16], uint64(generation))
	binary.BigEndian.PutUint64(payload[16:24], uint64(expires.Unix()))
	return secret.SignToken(key, payload)
}

// parseKitLink checks a token's signature and returns what it carries.
func parseKitLink(key []byte, token string) (id int64, generation int, expires time.Time, ok bool) {
	payload, ok := secret.OpenToken(key, token, kitLinkPayload, 120)
	if !ok {
		return 0, 0, time.Time{}, false
	}
	id = int64(binary.BigEndian.Uint64(payload[0:8]))
	gen := binary.BigEndian.Uint64(payload[8:16])
	exp := int64(binary.BigEndian.Uint64(payload[16:24]))
	if id <= 0 || gen > 1<<31 || exp <= 0 {
		return 0, 0, time.Time{}, false
	}
	return id, int(gen), time.Unix(exp, 0).UTC(), true
}

// OpenKitLink returns the kit a phone link opens, refusing a tampered or expired link
// and a kit that no longer waits for a person.
func (s *Service) OpenKitLink(ctx context.Context, token string) (*Kit, *store.Delivery, error) {
	key, err := s.db.SigningKey(ctx, kitKeyName)
	if err != nil {
		return nil, nil, err
	}
	id, gen, expires, ok := parseKitLink(key, token)
	if !ok {
		return nil, nil, errBadKitLink
	}
	if !s.now().Before(expires) {
		return nil, nil, errExpiredKitLink
	}
	d, err := s.db.Delivery(ctx, id)
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
		return nil, nil, errBadKitLink
	}
	if err != nil {
		return nil, nil, err
	}
	if d.Publication.Generation != gen || !kitOpen(d) {
		return nil, nil, errClosedKitLink
	}
	orgID, err := s.db.PostOrg(ctx, d.Post.ID)
	if err != nil {
		return nil, nil, err
	}
	if err := s.ReadOnlyAccount(ctx, orgID, d.Publication.AccountID); err != nil {
		return nil, nil, errClosedKitLink
	}
	k, err := s.kitOf(ctx, orgID, d)
	if err != nil {
		return nil, nil, err
	}
	return k, d, nil
}

// OpenKitLinkMedia opens the n-th medium (from 0) of the kit a phone link opens, and
// returns the kit with it.
func (s *Service) OpenKitLinkMedia(ctx context.Context, token string, n int) (*Kit, *store.MediaAsset, io.ReadCloser, error) {
	k, _, err := s.OpenKitLink(ctx, token)
	if err != nil {
		return nil, nil, nil, err
	}
	if n < 0 || n >= len(k.Media) || s.media == nil {
		return nil, nil, nil, passerelle.ErrNotFound
	}
	m := k.Media[n]
	rc, err := s.media.Open(ctx, m.StorageKey)
	if err != nil {
		return nil, nil, nil, err
	}
	return k, m, rc, nil
}
