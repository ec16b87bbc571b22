package api

import (
	"net/http"
	"strconv"

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
}

// RegisterPlatforms adds the platform routes.
func RegisterPlatforms(srv *server.Server, t *tenancy.Service, db *store.DB) *Platforms {
	p := &Platforms{srv: srv, tenancy: t, db: db}
	srv.HandleFunc("GET /api/v1/accounts/{id}/events", server.API, p.events)
	return p
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
	f := store.EventFilter{AccountID: id, BeforeID: pg.AfterID, Limit: pg.Limit + 1, Event: r.URL.Query().Get("event")}
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
