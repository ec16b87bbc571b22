// Package web is Passerelle's HTML interface: server-rendered pages (one handler per
// file), their templates, static assets and the fr / en / zh-Hans catalogs, all embedded.
// Handlers call the operations of internal/tenancy and internal/auth; they decide
// nothing about permissions beyond showing or hiding a button.
package web

import (
	"context"
	"fmt"
	"log/slog"
	"time"

	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/connect"
	"github.com/passerelle-oss/passerelle/internal/desk"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
	"github.com/passerelle-oss/passerelle/internal/visit"
)

// Deps are what the pages need.
type Deps struct {
	Server  *server.Server
	DB      *store.DB
	Auth    *auth.Service
	Tenancy *tenancy.Service
	// Connect tests and authorises platform connections.
	Connect *connect.Service
	// Editorial runs posts, the workflow, the calendar, the media library and the
	// glossary; the same instance serves the JSON API.
	Editorial *editorial.Service
	// Publish is the publishing engine (delivery, kits, outbox); Jobs, when set,
	// lets admins see and act on the publish queue.
	Publish *publish.Service
	// Analytics serves the analytics pages; nil leaves them out.
	Analytics *analytics.Service
	Jobs      *jobs.Client
	Logger    *slog.Logger
	// BaseURL is the public address, for links shown to users.
	BaseURL string
	// Demo tells the sign-in page to show the demo credentials.
	Demo bool
	// DemoScan, in the demo only, makes simulated visitors scan the QR code of an
	// account (the simulator's AppID and ticket); it returns how many scanned.
	DemoScan func(ctx context.Context, appID, ticket string, visitors int) (int, error)
	// Desk is the WeChat service desk (placements, replies, inbox); its pages are
	// served when it is set.
	Desk *desk.Service
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// Partners runs the partner directory, relay campaigns and partner links; its
	// pages are served when it is set.
	Partners *partners.Service
	// Visit runs the visitor pages (audioguides, exhibitions); their editors'
	// screens are served when it is set.
	Visit *visit.Service
}

// handler holds what every page handler shares; it is built once by Register.
type handler struct {
	Deps
	srv     *server.Server
	views   *views
	static  *assets
	catalog *catalogs
}

// Register parses the templates and catalogs, fingerprints the static files and adds
// the pages to d.Server. It fails when an embedded file is broken, so a bad build never
// starts serving.
func Register(d Deps) error {
	if d.Server == nil || d.Auth == nil || d.Tenancy == nil || d.DB == nil || d.Connect == nil || d.Editorial == nil || d.Publish == nil {
		return fmt.Errorf("web: Server, DB, Auth, Tenancy, Connect, Editorial and Publish are required")
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	var cat *catalogs
	if c := d.Server.Catalog(); c != nil {
		cat = wrapCatalog(c)
	} else {
		c, err := loadCatalogs()
		if err != nil {
			return fmt.Errorf("web: %w", err)
		}
		cat = c
	}
	st, err := loadAssets()
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	v, err := parseViews(st)
	if err != nil {
		return fmt.Errorf("web: %w", err)
	}
	h := &handler{Deps: d, srv: d.Server, views: v, static: st, catalog: cat}
	h.routes()
	h.registerAnalytics()
	h.registerOrgAnalytics()
	h.registerAnalyticsImport()
	return nil
}

// routes declares every page with its access rule.
func (h *handler) routes() {
	s := h.srv
	pub, in := server.Public, server.SignedIn

	s.HandleFunc("GET /static/{file}", pub, h.serveStatic)
	s.HandleFunc("GET /favicon.ico", pub, h.favicon)
	s.HandleFunc("GET /", pub, h.notFound)
	s.HandleFunc("POST /language", pub, h.setLanguage)

	s.HandleFunc("GET /login", pub, h.loginForm)
	s.HandleFunc("POST /login", pub, h.login)
	s.HandleFunc("POST /logout", in, h.logout)
	s.HandleFunc("GET /setup", pub, h.setupForm)
	s.HandleFunc("POST /setup", pub, h.setup)

	s.HandleFunc("GET /{$}", in, h.home)

	s.HandleFunc("GET /institutions", in, h.institutionList)
	s.HandleFunc("GET /institutions/new", in, h.institutionNew)
	s.HandleFunc("POST /institutions", in, h.institutionCreate)
	s.HandleFunc("GET /institutions/{id}", in, h.institutionShow)
	s.HandleFunc("GET /institutions/{id}/edit", in, h.institutionEdit)
	s.HandleFunc("POST /institutions/{id}", in, h.institutionUpdate)
	s.HandleFunc("POST /institutions/{id}/archive", in, h.institutionArchive)
	s.HandleFunc("POST /institutions/{id}/restore", in, h.institutionRestore)
	s.HandleFunc("POST /institutions/{id}/approval", in, h.institutionApproval)
	s.HandleFunc("POST /institutions/{id}/quiet-hours", in, h.institutionQuietHours)
	h.registerScheduleImport(s, in)
	h.registerRelayImport(s, in)

	s.HandleFunc("GET /institutions/{id}/accounts/new", in, h.accountNew)
	s.HandleFunc("POST /institutions/{id}/accounts", in, h.accountCreate)
	s.HandleFunc("GET /accounts/{id}/edit", in, h.accountEdit)
	s.HandleFunc("POST /accounts/{id}", in, h.accountUpdate)
	s.HandleFunc("POST /accounts/{id}/archive", in, h.accountArchive)
	s.HandleFunc("POST /accounts/{id}/restore", in, h.accountRestore)
	s.HandleFunc("GET /accounts/{id}/credentials", in, h.credentialsForm)
	s.HandleFunc("POST /accounts/{id}/credentials", in, h.credentialsSave)
	h.connectRoutes()
	h.editorialRoutes()
	h.publishingRoutes()
	h.partnerRoutes()
	h.kitPhoneRoutes()
	h.deskRoutes()
	h.visitRoutes()

	s.HandleFunc("GET /users", in, h.userList)
	s.HandleFunc("GET /users/new", in, h.userNew)
	s.HandleFunc("POST /users", in, h.userCreate)
	s.HandleFunc("GET /users/{id}/edit", in, h.userEdit)
	s.HandleFunc("POST /users/{id}", in, h.userUpdate)
	s.HandleFunc("POST /users/{id}/disable", in, h.userDisable)
	s.HandleFunc("POST /users/{id}/enable", in, h.userEnable)

	s.HandleFunc("GET /audit", in, h.auditLog)
	s.HandleFunc("GET /organization/export.zip", in, h.orgExport)
	s.HandleFunc("GET /audit.csv", in, h.auditCSV)
	s.HandleFunc("GET /tokens", in, h.tokenList)
	s.HandleFunc("POST /tokens", in, h.tokenCreate)
	s.HandleFunc("POST /tokens/{id}/revoke", in, h.tokenRevoke)

	s.HandleFunc("GET /settings", in, h.settings)
	s.HandleFunc("POST /settings/password", in, h.passwordChange)
	s.HandleFunc("POST /settings/sign-out-everywhere", in, h.signOutEverywhere)
}
