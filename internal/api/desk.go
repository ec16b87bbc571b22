package api

import (
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
	srv.HandleFunc("GET /api/v1/accounts/{id}/replies", server.API, d.listRules)
	srv.HandleFunc("POST /api/v1/accounts/{id}/replies", server.API, d.createRule)
	srv.HandleFunc("DELETE /api/v1/accounts/{id}/replies/{rule}", server.API, d.deleteRule)
	srv.HandleFunc("GET /api/v1/accounts/{id}/menu", server.API, d.getMenu)
	srv.HandleFunc("PUT /api/v1/accounts/{id}/menu", server.API, d.putMenu)
	srv.HandleFunc("GET /api/v1/accounts/{id}/conversations", server.API, d.listConversations)
	srv.HandleFunc("GET /api/v1/conversations/{id}", server.API, d.getConversation)
	srv.HandleFunc("PATCH /api/v1/conversations/{id}", server.API, d.updateConversation)
	srv.HandleFunc("POST /api/v1/conversations/{id}/replies", server.API, d.reply)
	srv.HandleFunc("GET /api/v1/placements/{id}/sheet.pdf", server.API, d.sheetPDF)
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

func (d *Desk) createPlacement(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	if _, err := d.svc.Tenancy.Institution(r.Context(), u, id); err != nil {
		d.fail(w, r, err)
		return
	}
	var in desk.PlacementInput
	if err := decode(r, &in); err != nil {
		d.fail(w, r, err)
		return
	}
	p, err := d.svc.CreatePlacement(r.Context(), u, id, in)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/placements/"+itoa(p.ID))
	server.WriteJSON(w, http.StatusCreated, placementOut(p))
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

func (d *Desk) listRules(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	rules, err := d.svc.Rules(r.Context(), server.User(r.Context()), id)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	if rules == nil {
		rules = []*store.ReplyRule{}
	}
	server.WriteJSON(w, http.StatusOK, list[*store.ReplyRule]{Items: rules})
}

func (d *Desk) createRule(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	// Visibility first: an unknown account answers 404 whatever the body.
	if _, err := d.svc.Tenancy.Account(r.Context(), u, id); err != nil {
		d.fail(w, r, err)
		return
	}
	var in desk.RuleInput
	if err := decode(r, &in); err != nil {
		d.fail(w, r, err)
		return
	}
	rule, err := d.svc.CreateRule(r.Context(), u, id, in)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, rule)
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
	cs, err := d.svc.Conversations(r.Context(), server.User(r.Context()), id, r.URL.Query().Get("status"))
	if err != nil {
		d.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, list[*desk.ConversationView]{Items: cs})
}

func (d *Desk) getConversation(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	c, _, err := d.svc.Conversation(r.Context(), server.User(r.Context()), id)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, c)
}

func (d *Desk) updateConversation(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	if _, _, err := d.svc.Conversation(r.Context(), u, id); err != nil {
		d.fail(w, r, err)
		return
	}
	var in desk.ConversationChange
	if err := decode(r, &in); err != nil {
		d.fail(w, r, err)
		return
	}
	c, err := d.svc.UpdateConversation(r.Context(), u, id, in)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, c)
}

func (d *Desk) reply(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	if _, _, err := d.svc.Conversation(r.Context(), u, id); err != nil {
		d.fail(w, r, err)
		return
	}
	var in struct {
		Text string `json:"text"`
	}
	if err := decode(r, &in); err != nil {
		d.fail(w, r, err)
		return
	}
	m, err := d.svc.Reply(r.Context(), u, id, in.Text)
	if err != nil {
		d.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusCreated, m)
}
