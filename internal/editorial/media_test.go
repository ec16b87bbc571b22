package editorial_test

import (
	"bytes"
	"context"
	"io"
	"sync"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestRenditionCropsWritersOnly is a regression test of issue 9, item 5: any viewer
// could make the server decode and store a new crop for every focus point.
func TestRenditionCropsWritersOnly(t *testing.T) {
	t.Parallel()
	b := setup(t, storetest.SQLite(t))
	ctx := context.Background()
	read := func(u *passerelle.User, spec string, f *passerelle.Focus) (*store.MediaRendition, error) {
		t.Helper()
		r, rc, err := b.svc.Rendition(ctx, u, b.cover, spec, f)
		if err == nil {
			io.Copy(io.Discard, rc)
			rc.Close()
		}
		return r, err
	}
	for _, role := range []passerelle.Role{passerelle.RoleViewer, passerelle.RoleReviewer} {
		// The plain renditions and the centred crop are there for everyone to see.
		if _, err := read(b.users[role], media.SpecUIThumb, nil); err != nil {
			t.Fatalf("%s, ui_thumb: %v", role, err)
		}
		if _, err := read(b.users[role], media.SpecWeChatCover11, &passerelle.Focus{X: 0.5, Y: 0.5}); err != nil {
			t.Fatalf("%s, centred crop: %v", role, err)
		}
		if _, err := read(b.users[role], media.SpecWeChatCover11, &passerelle.Focus{X: 0.2, Y: 0.3}); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN {
			t.Fatalf("%s making a new crop: err = %v, want forbidden", role, err)
		}
	}
	before := b.svc.Renders()
	if _, err := read(b.users[passerelle.RoleTranslator], media.SpecWeChatCover11, &passerelle.Focus{X: 0.2, Y: 0.3}); err != nil {
		t.Fatalf("translator making a crop: %v", err)
	}
	// Once made, the crop is everyone's, at any point that rounds to it.
	r, err := read(b.users[passerelle.RoleViewer], media.SpecWeChatCover11, &passerelle.Focus{X: 0.21, Y: 0.29})
	if err != nil {
		t.Fatalf("viewer reading the existing crop: %v", err)
	}
	if r.Spec != "wechat_cover_11@0.20,0.30" || b.svc.Renders() != before+1 {
		t.Errorf("spec %q after %d renders, want wechat_cover_11@0.20,0.30 after 1", r.Spec, b.svc.Renders()-before)
	}
}

// TestRenditionFocusQuantised: points that differ by less than the grid make one crop.
func TestRenditionFocusQuantised(t *testing.T) {
	t.Parallel()
	b := setup(t, storetest.SQLite(t))
	ctx := context.Background()
	before := b.svc.Renders()
	specs := map[string]bool{}
	for i := range 40 {
		f := &passerelle.Focus{X: 0.676 + float64(i)*0.001, Y: 0.324 - float64(i)*0.0005}
		r, rc, err := b.svc.Rendition(ctx, b.users[passerelle.RoleEditor], b.cover, media.SpecWeChatCover235, f)
		if err != nil {
			t.Fatal(err)
		}
		rc.Close()
		specs[r.Spec] = true
	}
	if n := b.svc.Renders() - before; n != 1 || len(specs) != 1 || !specs["wechat_cover_235@0.70,0.30"] {
		t.Errorf("40 nearby points made %d renders named %v, want 1 named wechat_cover_235@0.70,0.30", n, specs)
	}
	for _, f := range []passerelle.Focus{{X: -0.01, Y: 0.5}, {X: 0.5, Y: 1.2}} {
		if _, _, err := b.svc.Rendition(ctx, b.users[passerelle.RoleEditor], b.cover, media.SpecWeChatCover235, &f); passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Errorf("focus %v: err = %v, want invalid", f, err)
		}
	}
}

// TestRenditionMadeOnce: concurrent requests for one rendition, through two services
// on one database and one media store (two instances), render it once and all get
// the same bytes.
func TestRenditionMadeOnce(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		ctx := context.Background()
		// The second instance shares the first one's store: setup made it under its
		// own temporary directory, which a second Service must reach the same way.
		st := b.svc.MediaStore()
		other := editorial.New(editorial.Options{DB: db, Media: st})
		var wg sync.WaitGroup
		bodies := make([][]byte, 12)
		errs := make([]error, 12)
		for i := range bodies {
			svc := b.svc
			if i%2 == 1 {
				svc = other
			}
			wg.Go(func() {
				_, rc, err := svc.Rendition(ctx, b.users[passerelle.RoleEditor], b.cover, media.SpecWeChatCover11, &passerelle.Focus{X: 0.8, Y: 0.4})
				if err != nil {
					errs[i] = err
					return
				}
				defer rc.Close()
				bodies[i], errs[i] = io.ReadAll(rc)
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("request %d: %v", i, err)
			}
			if !bytes.Equal(bodies[i], bodies[0]) || len(bodies[i]) == 0 {
				t.Errorf("request %d got other bytes", i)
			}
		}
		if n := b.svc.Renders() + other.Renders(); n != 1 {
			t.Errorf("12 concurrent requests rendered %d times, want once", n)
		}
	})
}
