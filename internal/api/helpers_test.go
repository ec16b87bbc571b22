package api_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/api"
	"github.com/passerelle-oss/passerelle/internal/api/apitest"
	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/barometer"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// bundle is a served API over a real store, with an organization and its owner, and a
// second organization whose data the owner must never reach.
type bundle struct {
	t        testing.TB
	db       *store.DB
	auth     *auth.Service
	srv      *server.Server
	url      string
	v        *apitest.Validator
	org      int64
	owner    *passerelle.User
	api      *apitest.API // as the owner
	foreign  int64        // the other organization
	sequence atomic.Int64
}

// validator is parsed once per test binary; it is safe for concurrent use.
var validator = func() func(testing.TB) *apitest.Validator {
	var v atomic.Pointer[apitest.Validator]
	return func(t testing.TB) *apitest.Validator {
		if p := v.Load(); p != nil {
			return p
		}
		p := apitest.New(t)
		v.Store(p)
		return p
	}
}()

func setup(t testing.TB, db *store.DB) *bundle {
	t.Helper()
	ctx := context.Background()
	b := &bundle{t: t, db: db, v: validator(t)}
	b.auth = auth.New(db, nil)
	b.srv = server.New(server.Options{DB: db, Auth: b.auth})
	api.Register(b.srv, &tenancy.Service{DB: db}, b.auth)
	api.RegisterBarometer(b.srv, &tenancy.Service{DB: db}, &barometer.Service{DB: db})
	ts := httptest.NewServer(b.srv.Handler())
	t.Cleanup(ts.Close)
	b.url = ts.URL

	org, err := db.CreateOrganization(ctx, "Agence")
	if err != nil {
		t.Fatal(err)
	}
	b.org = org.ID
	b.owner = b.user(b.org, true)
	b.api = b.as(b.owner)
	other, err := db.CreateOrganization(ctx, "Autre agence")
	if err != nil {
		t.Fatal(err)
	}
	b.foreign = other.ID
	return b
}

// user creates a user straight in the store (the password is never used: the API
// takes tokens), with the given memberships.
func (b *bundle) user(org int64, owner bool, ms ...passerelle.Membership) *passerelle.User {
	b.t.Helper()
	u := &passerelle.User{OrgID: org, Email: fmt.Sprintf("u%d@example.org", b.sequence.Add(1)), Owner: owner, Memberships: append([]passerelle.Membership{}, ms...)}
	if err := b.db.CreateUser(context.Background(), u, "unused"); err != nil {
		b.t.Fatal(err)
	}
	return u
}

// token returns a new API token of u.
func (b *bundle) token(u *passerelle.User) string {
	b.t.Helper()
	secret, _, err := b.auth.CreateToken(context.Background(), u.ID, "test", nil)
	if err != nil {
		b.t.Fatal(err)
	}
	return secret
}

// as returns a validating client acting as u.
func (b *bundle) as(u *passerelle.User) *apitest.API {
	return b.v.API(b.t, b.url, b.token(u))
}

// institution creates an institution straight in the store.
func (b *bundle) institution(org int64, name string) *passerelle.Institution {
	b.t.Helper()
	i := &passerelle.Institution{OrgID: org, Name: name}
	if err := b.db.CreateInstitution(context.Background(), i); err != nil {
		b.t.Fatal(err)
	}
	return i
}

// account creates an account straight in the store.
func (b *bundle) account(org, institution int64, p passerelle.Platform, kind string) *passerelle.Account {
	b.t.Helper()
	a := &passerelle.Account{InstitutionID: institution, Platform: p, Kind: kind, Handle: fmt.Sprintf("h%d", b.sequence.Add(1))}
	if err := b.db.CreateAccount(context.Background(), org, a); err != nil {
		b.t.Fatal(err)
	}
	return a
}

// engines runs fn on SQLite and, when configured, PostgreSQL, each with a fresh bundle.
func engines(t *testing.T, fn func(t *testing.T, b *bundle)) {
	t.Helper()
	storetest.Engines(t, func(t *testing.T, db *store.DB) { fn(t, setup(t, db)) })
}

// sqlite runs fn on a fresh SQLite bundle only, for tests whose subject is the HTTP
// layer rather than the SQL.
func sqlite(t *testing.T) *bundle {
	t.Helper()
	return setup(t, storetest.SQLite(t))
}

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }
