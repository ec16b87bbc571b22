package api

import (
	"net/http"

	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Collection serves the settings and state of the audience collection.
type Collection struct {
	srv *server.Server
	svc *analytics.Service
}

// RegisterCollection adds the collection routes.
func RegisterCollection(srv *server.Server, svc *analytics.Service) {
	c := &Collection{srv: srv, svc: svc}
	srv.HandleFunc("GET /api/v1/analytics/collection-settings", server.API, c.settings)
	srv.HandleFunc("PUT /api/v1/analytics/collection-settings", server.API, c.putSettings)
	srv.HandleFunc("GET /api/v1/accounts/{id}/collection", server.API, c.account)
}

func (c *Collection) settings(w http.ResponseWriter, r *http.Request) {
	s, err := c.svc.CollectionSettings(r.Context(), server.User(r.Context()))
	if err != nil {
		c.srv.Error(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, s)
}

func (c *Collection) putSettings(w http.ResponseWriter, r *http.Request) {
	var in store.CollectionSettings
	if err := decode(r, &in); err != nil {
		c.srv.Error(w, r, err)
		return
	}
	s, err := c.svc.SetCollectionSettings(r.Context(), server.User(r.Context()), in)
	if err != nil {
		c.srv.Error(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, s)
}

func (c *Collection) account(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		c.srv.Error(w, r, err)
		return
	}
	st, err := c.svc.AccountCollection(r.Context(), server.User(r.Context()), id)
	if err != nil {
		c.srv.Error(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, st)
}
