package api

import (
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/connect"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// Platforms serves what the platform connectors produced: events pushed by WeChat and
// connection tests.
type Platforms struct {
	srv     *server.Server
	tenancy *tenancy.Service
	db      *store.DB
	connect *connect.Service
}

// RegisterPlatforms adds the platform routes.
func RegisterPlatforms(srv *server.Server, t *tenancy.Service, db *store.DB, c *connect.Service) *Platforms {
	p := &Platforms{srv: srv, tenancy: t, db: db, connect: c}
	srv.HandleFunc("GET /api/v1/accounts/{id}/events", server.API, p.events)
	srv.HandleFunc("GET /api/v1/accounts/{id}/connection", server.API, p.connection)
	srv.HandleFunc("POST /api/v1/accounts/{id}/connection/test", server.API, p.test)
	return p
}

// connectionInfo is what a person needs to connect an account, and what the last test
// found.
type connectionInfo struct {
	Connection  *store.Connection `json:"connection"`
	CallbackURL string            `json:"callback_url,omitempty"`
	OutboundIP  string            `json:"outbound_ip,omitempty"`
	RedirectURI string            `json:"redirect_uri,omitempty"`
}

func (p *Platforms) connection(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.srv.Error(w, r, err)
		return
	}
	u := server.User(r.Context())
	a, err := p.tenancy.Account(r.Context(), u, id)
	if err != nil {
		p.srv.Error(w, r, err)
		return
	}
	c, err := p.connect.Connection(r.Context(), u, id)
	if err != nil {
		p.srv.Error(w, r, err)
		return
	}
	info := connectionInfo{Connection: c}
	switch a.Platform {
	case passerelle.WeChat:
		info.CallbackURL, info.OutboundIP = p.connect.CallbackURL(id), p.connect.OutboundIP()
	case passerelle.Weibo:
		info.RedirectURI = p.connect.WeiboRedirectURI()
	}
	server.WriteJSON(w, http.StatusOK, info)
}

// test runs a connection test; the diagnosis is in ?lang= (fr, en, zh-Hans).
func (p *Platforms) test(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.srv.Error(w, r, err)
		return
	}
	lang := r.URL.Query().Get("lang")
	if lang == "" {
		lang = server.User(r.Context()).Locale
	}
	res, err := p.connect.Test(r.Context(), server.User(r.Context()), id, lang)
	if err != nil {
		p.srv.Error(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, res)
}

// events lists an account's pushed events, newest first; ?cursor= pages backwards.
func (p *Platforms) events(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.srv.Error(w, r, err)
		return
	}
	if _, err := p.tenancy.Account(r.Context(), server.User(r.Context()), id); err != nil {
		p.srv.Error(w, r, err)
		return
	}
	pg, err := page(r)
	if err != nil {
		p.srv.Error(w, r, err)
		return
	}
	f := store.EventFilter{AccountID: id, BeforeID: pg.AfterID, Limit: pg.Limit + 1, Event: r.URL.Query().Get("event"), State: r.URL.Query().Get("state")}
	switch f.State {
	case "", store.EventPending, store.EventProcessed, store.EventFailed:
	default:
		p.srv.Error(w, r, paramErr(map[string]string{"state": "Use pending, processed or failed."}))
		return
	}
	events, err := p.db.WeChatEvents(r.Context(), f)
	if err != nil {
		p.srv.Error(w, r, err)
		return
	}
	out := list[*store.WeChatEvent]{Items: events}
	if out.Items == nil {
		out.Items = []*store.WeChatEvent{}
	}
	if len(events) > pg.Limit {
		out.Items = events[:pg.Limit]
		c := strconv.FormatInt(events[pg.Limit-1].ID, 10)
		out.NextCursor = &c
	}
	server.WriteJSON(w, http.StatusOK, out)
}
