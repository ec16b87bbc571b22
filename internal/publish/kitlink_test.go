package publish_test

import (
	"context"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// TestKitLinkExpires: a kit link opens until its expiry (KitLinkTTL, to the hour) and
// is refused with 403 from then on; the same link under another server's key is not
// found; a link made before the publication was rescheduled is closed.
func TestKitLinkExpires(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db, _, p, orgID := setup(t)
	owner := &passerelle.User{OrgID: orgID, Email: "o@example.org", Owner: true, Memberships: []passerelle.Membership{}}
	if err := db.CreateUser(ctx, owner, "h"); err != nil {
		t.Fatal(err)
	}
	clock := time.Date(2026, 3, 28, 10, 30, 0, 0, time.UTC)
	svc := publish.New(publish.Options{DB: db, Now: func() time.Time { return clock }})
	pub := p.Publications[0].ID
	token, expires, err := svc.KitLink(ctx, owner, pub)
	if err != nil {
		t.Fatal(err)
	}
	if want := clock.Add(publish.KitLinkTTL).Truncate(time.Hour); !expires.Equal(want) {
		t.Fatalf("expires %v, want %v", expires, want)
	}
	for _, c := range []struct {
		at   time.Time
		code string
	}{
		{clock, ""},
		{expires.Add(-time.Second), ""},
		{expires, passerelle.EFORBIDDEN},
		{expires.Add(30 * 24 * time.Hour), passerelle.EFORBIDDEN},
	} {
		clock = c.at
		k, _, err := svc.OpenKitLink(ctx, token)
		if passerelle.ErrorCode(err) != c.code && !(c.code == "" && err == nil) {
			t.Fatalf("at %v: %v, want %q", c.at, err, c.code)
		}
		if c.code == "" && (k == nil || k.Text == "") {
			t.Fatalf("at %v: kit %+v", c.at, k)
		}
	}

	// Another database (another server's key): the signature does not hold.
	other, _, _, _ := setup(t)
	if _, _, err := publish.New(publish.Options{DB: other}).OpenKitLink(ctx, token); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
		t.Fatalf("under another key: %v", err)
	}

	// A new generation (the publication was rescheduled) closes the older links.
	clock = time.Date(2026, 3, 28, 10, 30, 0, 0, time.UTC)
	ok, err := db.Reschedule(ctx, pub, []passerelle.DeliveryState{passerelle.DeliveryPending}, "", func(*store.Tx, int) (int64, error) { return 0, nil })
	if err != nil || !ok {
		t.Fatalf("reschedule: %v %v", ok, err)
	}
	if _, _, err := svc.OpenKitLink(ctx, token); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN {
		t.Fatalf("after rescheduling: %v", err)
	}
	fresh, _, err := svc.KitLink(ctx, owner, pub)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := svc.OpenKitLink(ctx, fresh); err != nil {
		t.Fatalf("a fresh link: %v", err)
	}
}

// FuzzOpenKitLink: no token, however malformed, opens a kit or fails otherwise than
// not found (the one valid token aside).
func FuzzOpenKitLink(f *testing.F) {
	ctx := context.Background()
	db, _, p, orgID := setup(f)
	owner := &passerelle.User{OrgID: orgID, Email: "o@example.org", Owner: true, Memberships: []passerelle.Membership{}}
	if err := db.CreateUser(ctx, owner, "h"); err != nil {
		f.Fatal(err)
	}
	svc := publish.New(publish.Options{DB: db})
	valid, _, err := svc.KitLink(ctx, owner, p.Publications[0].ID)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(valid)
	f.Add(valid[:len(valid)-1] + "A")
	f.Add("")
	f.Add(".")
	f.Add("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")
	f.Fuzz(func(t *testing.T, token string) {
		k, _, err := svc.OpenKitLink(ctx, token)
		if token == valid {
			if err != nil {
				t.Fatalf("the valid link: %v", err)
			}
			return
		}
		if k != nil || passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Fatalf("%q: %v", token, err)
		}
	})
}
