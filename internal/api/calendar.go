package api

import (
	"net/http"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

func (e *Editorial) calendar(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	inst, err := queryInt(r, "institution_id")
	if err != nil {
		e.fail(w, r, err)
		return
	}
	account, err := queryInt(r, "account_id")
	if err != nil {
		e.fail(w, r, err)
		return
	}
	cal, err := e.svc.Calendar(r.Context(), server.User(r.Context()), editorial.CalendarQuery{
		InstitutionID: inst, From: q.Get("from"), To: q.Get("to"), AccountID: account, Platform: passerelle.Platform(q.Get("platform")),
		Statuses: statuses(r), Theme: q.Get("theme"), Lang: lang(r),
	})
	if err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, cal)
}

type cadenceInput struct {
	MinPerWeek *int `json:"min_per_week"`
	MaxPerWeek *int `json:"max_per_week"`
}

func (e *Editorial) putCadence(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		e.fail(w, r, err)
		return
	}
	var in cadenceInput
	if err := decode(r, &in); err != nil {
		e.fail(w, r, err)
		return
	}
	if in.MinPerWeek == nil || in.MaxPerWeek == nil {
		e.fail(w, r, paramErr(map[string]string{"min_per_week": "Give min_per_week and max_per_week."}))
		return
	}
	c := store.Cadence{AccountID: id, MinPerWeek: *in.MinPerWeek, MaxPerWeek: *in.MaxPerWeek}
	if err := e.svc.SetCadence(r.Context(), server.User(r.Context()), c); err != nil {
		e.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, c)
}
