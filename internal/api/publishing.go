package api

import (
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Publishing serves the publications' deliveries: their states and attempts, publish
// now, a kit marked as published, a person's decision on an unknown outcome, and the
// user's notifications.
type Publishing struct {
	srv *server.Server
	svc *publish.Service
	db  *store.DB
}

// RegisterPublishing adds the publishing routes.
func RegisterPublishing(srv *server.Server, svc *publish.Service, db *store.DB) *Publishing {
	p := &Publishing{srv: srv, svc: svc, db: db}
	srv.HandleFunc("GET /api/v1/publications", server.API, p.list)
	srv.HandleFunc("GET /api/v1/publications/{id}", server.API, p.get)
	srv.HandleFunc("POST /api/v1/publications/{id}/publish-now", server.API, p.publishNow)
	srv.HandleFunc("POST /api/v1/publications/{id}/mark-published", server.API, p.markPublished)
	srv.HandleFunc("POST /api/v1/publications/{id}/resolve", server.API, p.resolve)
	srv.HandleFunc("GET /api/v1/notifications", server.API, p.notifications)
	srv.HandleFunc("POST /api/v1/notifications/read", server.API, p.readNotifications)
	return p
}

func (p *Publishing) fail(w http.ResponseWriter, r *http.Request, err error) { p.srv.Error(w, r, err) }

// publicationJSON is the contract's shape of a publication.
type publicationJSON struct {
	*store.PublicationRow
	Attempts []*passerelle.Attempt `json:"attempt_log,omitempty"`
}

func (p *Publishing) list(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := store.PublicationFilter{}
	for name, dst := range map[string]*int64{"post_id": &f.PostID, "account_id": &f.AccountID} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n <= 0 {
				p.fail(w, r, paramErr(map[string]string{name: "Give a positive id."}))
				return
			}
			*dst = n
		}
	}
	for _, s := range q["state"] {
		st := passerelle.DeliveryState(s)
		if !st.Valid() {
			p.fail(w, r, paramErr(map[string]string{"state": "Unknown state."}))
			return
		}
		f.States = append(f.States, st)
	}
	rows, err := p.svc.Publications(r.Context(), server.User(r.Context()), f)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if rows == nil {
		rows = []*store.PublicationRow{}
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"items": rows})
}

func (p *Publishing) get(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	row, attempts, err := p.svc.Publication(r.Context(), server.User(r.Context()), id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if attempts == nil {
		attempts = []*passerelle.Attempt{}
	}
	server.WriteJSON(w, http.StatusOK, publicationJSON{PublicationRow: row, Attempts: attempts})
}

func (p *Publishing) publishNow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	row, err := p.svc.PublishNow(r.Context(), server.User(r.Context()), id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, row)
}

func (p *Publishing) markPublished(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	var in struct {
		URL string `json:"url"`
	}
	if err := decode(r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	row, err := p.svc.MarkPublished(r.Context(), server.User(r.Context()), id, in.URL)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, row)
}

func (p *Publishing) resolve(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	var in struct {
		Outcome string `json:"outcome"`
		URL     string `json:"url"`
	}
	if err := decode(r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	row, err := p.svc.Resolve(r.Context(), server.User(r.Context()), id, in.Outcome, in.URL)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, row)
}

func (p *Publishing) notifications(w http.ResponseWriter, r *http.Request) {
	u := server.User(r.Context())
	items, err := p.db.Notifications(r.Context(), u.ID, r.URL.Query().Get("unread") == "true", 200)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if items == nil {
		items = []*store.Notification{}
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (p *Publishing) readNotifications(w http.ResponseWriter, r *http.Request) {
	var in struct {
		ID int64 `json:"id"`
	}
	if err := decode(r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	if err := p.db.MarkNotificationsRead(r.Context(), server.User(r.Context()).ID, in.ID); err != nil {
		p.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
