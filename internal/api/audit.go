package api

import (
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

func (h *Handler) listAudit(w http.ResponseWriter, r *http.Request) {
	p, err := page(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	aq := tenancy.AuditQuery{From: q.Get("from"), To: q.Get("to"), Action: q.Get("action")}
	if s := q.Get("actor_id"); s != "" {
		if aq.ActorID, err = strconv.ParseInt(s, 10, 64); err != nil || aq.ActorID <= 0 {
			h.fail(w, r, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some parameters are invalid.", Fields: map[string]string{"actor_id": "Use a user id."}})
			return
		}
	}
	f, err := aq.Filter()
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f.BeforeID, f.Limit = p.AfterID, p.Limit+1
	entries, err := h.tenancy.AuditLog(r.Context(), server.User(r.Context()), f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, paged(entries, p.Limit, func(e *store.AuditEntry) int64 { return e.ID }))
}

type eraseInput struct {
	OpenID string `json:"openid"`
}

type erased struct {
	Erased int64 `json:"erased"`
}

func (h *Handler) eraseFollower(w http.ResponseWriter, r *http.Request) {
	var in eraseInput
	if err := decode(r, &in); err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := h.tenancy.EraseFollower(r.Context(), server.User(r.Context()), in.OpenID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, erased{Erased: n})
}
