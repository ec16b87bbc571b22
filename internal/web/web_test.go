package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/clients"
	"github.com/passerelle-oss/passerelle/internal/connect"
	"github.com/passerelle-oss/passerelle/internal/desk"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
	"github.com/passerelle-oss/passerelle/internal/visit"
	"github.com/passerelle-oss/passerelle/internal/web"
)

// app is a running server with the web pages over a real SQLite store.
type app struct {
	t      *testing.T
	URL    string
	DB     *store.DB
	Auth   *auth.Service
	Ten    *tenancy.Service
	Server *server.Server
	Ed     *editorial.Service
	// SimURL is the platform simulator's address.
	SimURL string
	// Publish is the publishing engine (no workers).
	Publish *publish.Service
}

// The simulator's accounts.
const (
	simWeChatOK   = "wxsimverified00001"
	simWeChatNoIP = "wxsimwhitelist0002"
	simWeiboApp   = "3490000009"
	simSecret     = "sim-secret"
)

// cheap argon2 parameters: the tests sign in many times.
var testParams = auth.Params{Time: 1, Memory: 8 * 1024, Threads: 1}

// migrateWithJobs migrates the store and the job queue's tables (the template of every
// app's database).
func migrateWithJobs(db *store.DB, ctx context.Context) error {
	if err := db.Migrate(ctx); err != nil {
		return err
	}
	return jobs.Migrate(ctx, db, nil)
}

func newApp(t *testing.T, demo bool) *app {
	t.Helper()
	db := storetest.SQLiteWith(t, "store+jobs", migrateWithJobs)
	a := auth.New(db, nil)
	a.Params = testParams
	if a.Logger == nil {
		a.Logger = discardLogger()
	}
	ten := &tenancy.Service{DB: db}
	srv := server.New(server.Options{DB: db, Auth: a})
	// The platforms are the simulator, with one verified WeChat account, one whose
	// server IP is not whitelisted, and a Weibo app.
	platforms := sim.New(sim.Config{Seed: 3,
		WeChatAccounts: []sim.WeChatAccount{
			{AppID: simWeChatOK, Secret: simSecret, Verified: true},
			{AppID: simWeChatNoIP, Secret: simSecret, Verified: true, WhitelistedIPs: []string{"203.0.113.7"}},
		},
		WeiboApps: []sim.WeiboApp{{ClientID: simWeiboApp, ClientSecret: simSecret, SafeDomain: "museum.example"}},
	})
	simServer := httptest.NewServer(platforms)
	t.Cleanup(func() { platforms.Close(); simServer.Close() })
	ts := httptest.NewUnstartedServer(nil)
	baseURL := "http://" + ts.Listener.Addr().String()
	conn := &connect.Service{DB: db, Tenancy: ten, WeiboAPI: simServer.URL, WeChatAPI: simServer.URL, BaseURL: baseURL}
	dataDir := t.TempDir()
	mediaStore := &media.DiskStore{Root: dataDir + "/media"}
	ed := editorial.New(editorial.Options{DB: db, DataDir: dataDir, Media: mediaStore})
	// An insert-only job client: the jobs page lists the publish queue and "Publish
	// now" enqueues, but nothing is delivered (no workers, no post hook).
	if err := jobs.Migrate(context.Background(), db, nil); err != nil {
		t.Fatal(err)
	}
	jc, err := jobs.New(db, jobs.Options{})
	if err != nil {
		t.Fatal(err)
	}
	pub := publish.New(publish.Options{DB: db, Jobs: jc, Media: mediaStore})
	vis := visit.New(db, mediaStore, baseURL, nil)
	if err := vis.Register(srv); err != nil {
		t.Fatal(err)
	}
	factory := &clients.Factory{DB: db, WeiboAPI: simServer.URL, WeChatAPI: simServer.URL, WeiboRedirectURI: baseURL + "/oauth/weibo/callback", Logger: discardLogger()}
	deps := web.Deps{Server: srv, DB: db, Auth: a, Tenancy: ten, Connect: conn, Editorial: ed, Publish: pub, Jobs: jc, Demo: demo, BaseURL: baseURL,
		Analytics: &analytics.Service{DB: db, Tenancy: ten},
		Desk:      &desk.Service{DB: db, Tenancy: ten, Clients: factory, Logger: discardLogger(), Glossary: ed.Checker},
		Partners:  partners.New(partners.Options{DB: db, BaseURL: baseURL}),
		Visit:     vis}
	if err := web.Register(deps); err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return &app{t: t, URL: ts.URL, DB: db, Auth: a, Ten: ten, Server: srv, Ed: ed, SimURL: simServer.URL, Publish: pub}
}

// org creates an organization with an owner and returns the owner.
func (a *app) org(name, email, password string) *passerelle.User {
	a.t.Helper()
	o, err := a.DB.CreateOrganization(context.Background(), name)
	if err != nil {
		a.t.Fatal(err)
	}
	return a.user(o.ID, email, password, true)
}

func (a *app) user(orgID int64, email, password string, owner bool, ms ...passerelle.Membership) *passerelle.User {
	a.t.Helper()
	u := &passerelle.User{OrgID: orgID, Email: email, Name: strings.Split(email, "@")[0], Owner: owner, Memberships: ms}
	if u.Memberships == nil {
		u.Memberships = []passerelle.Membership{}
	}
	if err := a.Auth.CreateUser(context.Background(), u, password); err != nil {
		a.t.Fatal(err)
	}
	return u
}

func (a *app) institution(u *passerelle.User, name string) *passerelle.Institution {
	a.t.Helper()
	i := &passerelle.Institution{Name: name}
	i.Normalize()
	if err := a.Ten.CreateInstitution(context.Background(), u, i); err != nil {
		a.t.Fatal(err)
	}
	return i
}

// client is a browser: it keeps cookies and does not follow redirects by itself.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
	// header is sent with every request.
	header http.Header
}

func (a *app) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: a.t, base: a.URL, header: http.Header{}, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

type resp struct {
	Status   int
	Body     string
	Location string
	Header   http.Header
}

func (c *client) do(method, path string, form url.Values) resp {
	c.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, c.base+path, body)
	if err != nil {
		c.t.Fatal(err)
	}
	for k, v := range c.header {
		req.Header[k] = v
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Body: string(b), Location: res.Header.Get("Location"), Header: res.Header}
}

func (c *client) get(path string) resp { c.t.Helper(); return c.do("GET", path, nil) }
func (c *client) post(path string, form url.Values) resp {
	c.t.Helper()
	return c.do("POST", path, form)
}

// follow GETs the redirect target of r.
func (c *client) follow(r resp) resp {
	c.t.Helper()
	if r.Status != http.StatusSeeOther && r.Status != http.StatusFound {
		c.t.Fatalf("want a redirect, got %d: %s", r.Status, excerpt(r.Body))
	}
	return c.get(r.Location)
}

func (c *client) login(email, password string) {
	c.t.Helper()
	r := c.post("/login", url.Values{"email": {email}, "password": {password}})
	if r.Status != http.StatusSeeOther {
		c.t.Fatalf("sign in %s: %d %s", email, r.Status, excerpt(r.Body))
	}
}

func excerpt(s string) string {
	if i := strings.Index(s, "<main"); i >= 0 {
		s = s[i:]
	}
	if len(s) > 1500 {
		s = s[:1500]
	}
	return s
}

func wantContains(t *testing.T, body string, subs ...string) {
	t.Helper()
	for _, s := range subs {
		if !strings.Contains(body, s) {
			t.Errorf("page lacks %q:\n%s", s, excerpt(body))
		}
	}
}
