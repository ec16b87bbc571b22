package api

import (
	"net/http"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// The kiosk settings of tours and exhibitions, and the order of an exhibition's rooms
// and works.
func (v *Visit) registerKiosk() {
	v.srv.HandleFunc("GET /api/v1/tours/{id}/kiosk", server.API, v.getKiosk("t"))
	v.srv.HandleFunc("PUT /api/v1/tours/{id}/kiosk", server.API, v.setKiosk("t"))
	v.srv.HandleFunc("GET /api/v1/exhibitions/{id}/kiosk", server.API, v.getKiosk("e"))
	v.srv.HandleFunc("PUT /api/v1/exhibitions/{id}/kiosk", server.API, v.setKiosk("e"))
	v.srv.HandleFunc("POST /api/v1/exhibitions/{id}/move", server.API, v.moveInExhibition)
}

type kioskResponse struct {
	passerelle.Kiosk
	// URL is the kiosk's address and StatusURL its operator's page; they answer only
	// while the tour or exhibition is published.
	URL       string `json:"url"`
	StatusURL string `json:"status_url"`
}

func (v *Visit) getKiosk(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			v.srv.Error(w, r, err)
			return
		}
		k, token, err := v.svc.Kiosk(r.Context(), server.User(r.Context()), kind, id)
		if err != nil {
			v.srv.Error(w, r, err)
			return
		}
		server.WriteJSON(w, http.StatusOK, kioskResponse{Kiosk: k, URL: v.svc.KioskURL(kind, token), StatusURL: v.svc.KioskStatusURL(kind, token)})
	}
}

func (v *Visit) setKiosk(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			v.srv.Error(w, r, err)
			return
		}
		var k passerelle.Kiosk
		if err := decode(r, &k); err != nil {
			v.srv.Error(w, r, err)
			return
		}
		u := server.User(r.Context())
		if err := v.svc.SetKiosk(r.Context(), u, kind, id, k); err != nil {
			v.srv.Error(w, r, err)
			return
		}
		k, token, err := v.svc.Kiosk(r.Context(), u, kind, id)
		if err != nil {
			v.srv.Error(w, r, err)
			return
		}
		server.WriteJSON(w, http.StatusOK, kioskResponse{Kiosk: k, URL: v.svc.KioskURL(kind, token), StatusURL: v.svc.KioskStatusURL(kind, token)})
	}
}

type moveRequest struct {
	Room int `json:"room"`
	// Work is the work to move within its room; absent, the room itself moves.
	Work *int `json:"work"`
	To   int  `json:"to"`
}

func (v *Visit) moveInExhibition(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		v.srv.Error(w, r, err)
		return
	}
	var req moveRequest
	if err := decode(r, &req); err != nil {
		v.srv.Error(w, r, err)
		return
	}
	work := -1
	if req.Work != nil {
		work = *req.Work
		if work < 0 {
			v.srv.Error(w, r, &passerelle.Error{Code: passerelle.EINVALID, Message: "Choose a work.", Fields: passerelle.FieldErrors{"work": "Choose a work."}})
			return
		}
	}
	e, err := v.svc.MoveInExhibition(r.Context(), server.User(r.Context()), id, req.Room, work, req.To)
	if err != nil {
		v.srv.Error(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, exhibitionResponse{Exhibition: e, URL: v.svc.ExhibitionURL(e)})
}
