package api

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/desk"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Desk serves the WeChat service desk: placements and their QR codes, attribution,
// keyword replies, the custom menu and the inbox.
type Desk struct {
	srv *server.Server
	svc *desk.Service
}

// RegisterDesk adds the service desk's routes.
func RegisterDesk(srv *server.Server, svc *desk.Service) *Desk {
	d := &Desk{srv: srv, svc: svc}
	srv.HandleFunc("GET /api/v1/institutions/{id}/placements", server.API, d.listPlacements)
	srv.HandleFunc("POST /api/v1/institutions/{id}/placements", server.API, d.createPlacement)
	srv.HandleFunc("GET /api/v1/institutions/{id}/placements/stats", server.API, d.stats)
	srv.HandleFunc("GET /api/v1/placements/{id}", server.API, d.getPlacement)
	srv.HandleFunc("DELETE /api/v1/placements/{id}", server.API, d.deletePlacement)
	srv.HandleFunc("GET /api/v1/placements/{id}/qr.png", server.API, d.qrPNG)
	srv.HandleFunc("GET /api/v1/placements/{id}/qr.svg", server.API, d.qrSVG)
	srv.HandleFunc("GET /api/v1/accounts/{id}/replies", server.API, byID(srv, http.StatusOK, d.listRules))
	srv.HandleFunc("POST /api/v1/accounts/{id}/replies", server.API, byIDWith(srv, http.StatusCreated, d.accountVisible, svc.CreateRule))
	srv.HandleFunc("DELETE /api/v1/accounts/{id}/replies/{rule}", server.API, d.deleteRule)
	srv.HandleFunc("GET /api/v1/accounts/{id}/menu", server.API, d.getMenu)
	srv.HandleFunc("PUT /api/v1/accounts/{id}/menu", server.API, d.putMenu)
	srv.HandleFunc("GET /api/v1/accounts/{id}/conversations", server.API, d.listConversations)
	srv.HandleFunc("GET /api/v1/conversations/{id}", server.API, byID(srv, http.StatusOK, d.getConversation))
	srv.HandleFunc("PATCH /api/v1/conversations/{id}", server.API, byIDWith(srv, http.StatusOK, d.conversationVisible, svc.UpdateConversation))
	srv.HandleFunc("POST /api/v1/conversations/{id}/replies", server.API, byIDWith(srv, http.StatusCreated, d.conversationVisible, d.reply))
	srv.HandleFunc("GET /api/v1/placements/{id}/sheet.pdf", server.API, d.sheetPDF)
	d.registerInboxTools()
	return d
}

func (d *Desk) fail(w http.ResponseWriter, r *http.Request, err error) { d.srv.Error(w, r, err) }

// placementJSON is the contract's shape of a placement.
type placementJSON struct {
	*store.Placement
	QRPNG string `json:"qr_png"`
	QRSVG string `json:"qr_svg"`
}

func placementOut(p *store.Placement) placementJSON {
	base := "/api/v1/placements/" + itoa(p.ID)
	return placementJSON{Placement: p, QRPNG: base + "/qr.png", QRSVG: base + "/qr.svg"}
}

func (d *Desk) listPlacements(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	ps, err := d.svc.Placements(r.Context(), server.User(r.Context()), id)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	out := list[placementJSON]{Items: []placementJSON{}}
	for _, p := range ps {
		out.Items = append(out.Items, placementOut(p))
	}
	server.WriteJSON(w, http.StatusOK, out)
}

func (d *Desk) stats(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	items, err := d.svc.Stats(r.Context(), server.User(r.Context()), id, q.Get("from"), q.Get("to"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"items": items})
}

func (d *Desk) placement(w http.ResponseWriter, r *http.Request) (*store.Placement, bool) {
	id, err := pathID(r)
	if err == nil {
		var p *store.Placement
		if p, err = d.svc.Placement(r.Context(), server.User(r.Context()), id); err == nil {
			return p, true
		}
	}
	d.fail(w, r, err)
	return nil, false
}

func (d *Desk) getPlacement(w http.ResponseWriter, r *http.Request) {
	if p, ok := d.placement(w, r); ok {
		server.WriteJSON(w, http.StatusOK, placementOut(p))
	}
}

func (d *Desk) deletePlacement(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = d.svc.DeletePlacement(r.Context(), server.User(r.Context()), id)
	}
	if err != nil {
		d.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (d *Desk) qrPNG(w http.ResponseWriter, r *http.Request) {
	p, ok := d.placement(w, r)
	if !ok {
		return
	}
	b, err := desk.QRPNG(p.QRURL)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/png")
	w.Header().Set("Content-Disposition", `attachment; filename="placement-`+itoa(p.ID)+`.png"`)
	w.Write(b)
}

func (d *Desk) qrSVG(w http.ResponseWriter, r *http.Request) {
	p, ok := d.placement(w, r)
	if !ok {
		return
	}
	b, err := desk.QRSVG(p.QRURL)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Disposition", `attachment; filename="placement-`+itoa(p.ID)+`.svg"`)
	w.Write(b)
}

// sheetPDF serves a placement's printable sheet, ?size=a4 (default) or a6.
func (d *Desk) sheetPDF(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	b, name, err := d.svc.Sheet(r.Context(), server.User(r.Context()), id, r.URL.Query().Get("size"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Write(b)
}

func (d *Desk) deleteRule(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	rule, err := strconv.ParseInt(r.PathValue("rule"), 10, 64)
	if err != nil || rule <= 0 {
		d.fail(w, r, passerelle.ErrNotFound)
		return
	}
	if err := d.svc.DeleteRule(r.Context(), server.User(r.Context()), id, rule); err != nil {
		d.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (d *Desk) getMenu(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	m, err := d.svc.GetMenu(r.Context(), server.User(r.Context()), id)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	writeMenu(w, m)
}

// writeMenu answers WeChat's menu JSON as stored, with pushed_at beside "button".
func writeMenu(w http.ResponseWriter, m *store.Menu) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(m.Menu, &obj); err != nil {
		obj = map[string]json.RawMessage{}
	}
	at, _ := json.Marshal(m.PushedAt)
	obj["pushed_at"] = at
	server.WriteJSON(w, http.StatusOK, obj)
}

func (d *Desk) putMenu(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	if _, err := d.svc.Tenancy.Account(r.Context(), u, id); err != nil {
		d.fail(w, r, err)
		return
	}
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			d.fail(w, r, err)
			return
		}
		d.fail(w, r, badRequest("The request body could not be read."))
		return
	}
	if !json.Valid(raw) {
		d.fail(w, r, badRequest("The request body is not valid JSON."))
		return
	}
	m, err := d.svc.PutMenu(r.Context(), u, id, raw)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	writeMenu(w, m)
}

func (d *Desk) listConversations(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	cs, err := d.svc.ListConversations(r.Context(), server.User(r.Context()), id, desk.ConversationQuery{Status: q.Get("status"), Assignee: q.Get("assignee")})
	if err != nil {
		d.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, list[*desk.ConversationView]{Items: cs})
}

// createPlacement answers 201 with the placement's Location; the institution is
// checked before the body.
func (d *Desk) createPlacement(w http.ResponseWriter, r *http.Request) {
	byIDWith(d.srv, http.StatusCreated, d.institutionVisible, func(ctx context.Context, u *passerelle.User, id int64, in desk.PlacementInput) (placementJSON, error) {
		p, err := d.svc.CreatePlacement(ctx, u, id, in)
		if err != nil {
			return placementJSON{}, err
		}
		w.Header().Set("Location", "/api/v1/placements/"+itoa(p.ID))
		return placementOut(p), nil
	})(w, r)
}

// Visibility checks run before a body is read: what the caller cannot see answers
// 404 whatever the body.
func (d *Desk) institutionVisible(ctx context.Context, u *passerelle.User, id int64) error {
	_, err := d.svc.Tenancy.Institution(ctx, u, id)
	return err
}

func (d *Desk) accountVisible(ctx context.Context, u *passerelle.User, id int64) error {
	_, err := d.svc.Tenancy.Account(ctx, u, id)
	return err
}

func (d *Desk) conversationVisible(ctx context.Context, u *passerelle.User, id int64) error {
	_, _, err := d.svc.Conversation(ctx, u, id)
	return err
}

func (d *Desk) listRules(ctx context.Context, u *passerelle.User, id int64) (list[*store.ReplyRule], error) {
	rules, err := d.svc.Rules(ctx, u, id)
	if rules == nil {
		rules = []*store.ReplyRule{}
	}
	return list[*store.ReplyRule]{Items: rules}, err
}

func (d *Desk) getConversation(ctx context.Context, u *passerelle.User, id int64) (*desk.ConversationView, error) {
	c, _, err := d.svc.Conversation(ctx, u, id)
	return c, err
}

// replyInput is a customer-service message from the inbox.
type replyInput struct {
	Text string `json:"text"`
}

func (d *Desk) reply(ctx context.Context, u *passerelle.User, id int64, in replyInput) (*store.Message, error) {
	return d.svc.Reply(ctx, u, id, in.Text)
}
