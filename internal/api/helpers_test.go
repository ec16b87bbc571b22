package api_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"sync/atomic"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/api"
	"github.com/passerelle-oss/passerelle/internal/api/apitest"
	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/barometer"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/i18n"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
	"github.com/passerelle-oss/passerelle/internal/visit"
)

// bundle is a served API over a real store, with an organization and its owner, and a
// second organization whose data the owner must never reach.
type bundle struct {
	t       testing.TB
	db      *store.DB
	auth    *auth.Service
	srv     *server.Server
	url     string
	v       *apitest.Validator
	org     int64
	owner   *passerelle.User
	api     *apitest.API // as the owner
	foreign int64        // the other organization
	// dataDir holds the media library's files (dataDir/media).
	dataDir  string
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
	b := &bundle{t: t, db: db, v: validator(t), dataDir: t.TempDir()}
	b.auth = auth.New(db, nil)
	b.srv = server.New(server.Options{DB: db, Auth: b.auth, Catalog: catalog(t)})
	// Every route Main serves from this package, wired as cmd/passerelle/serve.go does.
	api.Register(b.srv, &tenancy.Service{DB: db}, b.auth)
	api.RegisterBarometer(b.srv, &tenancy.Service{DB: db}, &barometer.Service{DB: db})
	edit := editorial.New(editorial.Options{DB: db, DataDir: b.dataDir})
	ed := api.RegisterEditorial(b.srv, edit)
	api.RegisterVisit(b.srv, visit.New(db, edit.MediaStore(), "http://passerelle.test", nil))
	api.RegisterPartners(b.srv, partners.New(partners.Options{DB: db}), ed)
	api.RegisterCollection(b.srv, &analytics.Service{DB: db, Tenancy: &tenancy.Service{DB: db}})
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

// catalog is the server's catalog as serve.go builds it (web.Catalog): the
// interface's files and the shared ones.
func catalog(t testing.TB) *i18n.Catalog {
	t.Helper()
	c, err := i18n.Load(os.DirFS("../web/i18n"), i18n.Messages)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func path(format string, args ...any) string { return fmt.Sprintf(format, args...) }

// editorialObjects creates, as owner, one of each editorial object in an institution
// of owner's organization: a post with a Weibo publication, a medium, a glossary
// term, a vocabulary entry and a guest link. It returns their ids by the first
// segment of their API paths ("posts", "publications", "media", "glossary",
// "lexicon"; "link" for the guest link) and the guest link's token.
func (b *bundle) editorialObjects(owner *passerelle.User, institution int64) (map[string]int64, string) {
	b.t.Helper()
	ctx := context.Background()
	svc := editorial.New(editorial.Options{DB: b.db, DataDir: b.dataDir})
	acc := b.account(owner.OrgID, institution, passerelle.Weibo, passerelle.AccountManaged)
	m, _, err := svc.Upload(ctx, owner, institution, "cover.png", bytes.NewReader(pngBytes(b.t, 64, 48)))
	if err != nil {
		b.t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	saved, err := svc.CreatePost(ctx, owner, &editorial.PostInput{InstitutionID: &institution, Title: str("Degas"), Theme: str("collection"),
		SourceLang: str("fr"), TextZH: str("德加的舞者。"), MediaIDs: &[]int64{m.ID},
		Publications: &[]editorial.PublicationInput{{AccountID: acc.ID, MediaIDs: []int64{m.ID}}}})
	if err != nil {
		b.t.Fatal(err)
	}
	term := &store.GlossaryTerm{InstitutionID: institution, Source: fmt.Sprintf("Terme %d", b.sequence.Add(1)), ZH: "术语"}
	if err := b.db.CreateGlossaryTerm(ctx, owner.OrgID, term); err != nil {
		b.t.Fatal(err)
	}
	entry := &store.LexiconEntry{Term: fmt.Sprintf("词%d", b.sequence.Add(1)), Severity: "warn"}
	if err := b.db.CreateLexiconEntry(ctx, owner.OrgID, entry); err != nil {
		b.t.Fatal(err)
	}
	link, token, err := svc.CreateGuestLink(ctx, owner, saved.Post.ID, "Mme Martin", 0)
	if err != nil {
		b.t.Fatal(err)
	}
	tour := &passerelle.Tour{InstitutionID: institution, TitleZH: "导览"}
	if err := b.db.CreateTour(ctx, owner.OrgID, tour); err != nil {
		b.t.Fatal(err)
	}
	ex := &passerelle.Exhibition{InstitutionID: institution, TitleZH: "展览"}
	if err := b.db.CreateExhibition(ctx, owner.OrgID, ex); err != nil {
		b.t.Fatal(err)
	}
	return map[string]int64{"posts": saved.Post.ID, "publications": saved.Post.Publications[0].ID, "media": m.ID,
		"glossary": term.ID, "lexicon": entry.ID, "link": link.ID, "tours": tour.ID, "exhibitions": ex.ID}, token
}

// partnerObjects creates, as owner, a partner, a campaign on the post inviting it and a
// live visit of the institution; it returns their ids by the first segment of their
// API paths.
func (b *bundle) partnerObjects(owner *passerelle.User, institution, post int64) map[string]int64 {
	b.t.Helper()
	ctx := context.Background()
	svc := partners.New(partners.Options{DB: b.db})
	p := &passerelle.Partner{Name: fmt.Sprintf("Partenaire %d", b.sequence.Add(1)), Kind: passerelle.PartnerMuseum,
		Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Weibo, Handle: fmt.Sprintf("p%d", b.sequence.Add(1))}}}
	if err := svc.CreatePartner(ctx, owner, p); err != nil {
		b.t.Fatal(err)
	}
	c, err := svc.CreateCampaign(ctx, owner, partners.CampaignInput{PostID: post, PartnerIDs: []int64{p.ID}})
	if err != nil {
		b.t.Fatal(err)
	}
	e := &passerelle.LiveEvent{Platform: passerelle.Weibo, StartsAt: time.Now().Add(48 * time.Hour), TitleZH: "直播"}
	if err := svc.CreateLiveEvent(ctx, owner, institution, e); err != nil {
		b.t.Fatal(err)
	}
	tpl := &passerelle.CampaignTemplate{Name: fmt.Sprintf("Modèle %d", b.sequence.Add(1)), MessageZH: "您好 {link}"}
	if err := svc.SaveTemplate(ctx, owner, tpl); err != nil {
		b.t.Fatal(err)
	}
	return map[string]int64{"partners": p.ID, "campaigns": c.ID, "live-events": e.ID, "campaign-templates": tpl.ID}
}

// localDay is the day (YYYY-MM-DD) of at in an institution's default zone, the zone
// in which the calendar reads its days: at 23:30 UTC in winter, Paris is already on
// the next day.
func localDay(t *testing.T, at time.Time) string {
	t.Helper()
	loc, err := time.LoadLocation(passerelle.DefaultTimeZone)
	if err != nil {
		t.Fatal(err)
	}
	return at.In(loc).Format(time.DateOnly)
}
