package api

import (
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strconv"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// Partners serves partnerships and networks: the partner directory, relay campaigns
// and their partner links, live visits, and network accounts' members.
type Partners struct {
	srv *server.Server
	svc *partners.Service
}

// MaxPartnerImportBytes bounds a directory import.
const MaxPartnerImportBytes = 4 << 20

// RegisterPartners adds the routes; ed, when given, learns to check and record the
// institutions a post features.
func RegisterPartners(srv *server.Server, svc *partners.Service, ed *Editorial) *Partners {
	p := &Partners{srv: srv, svc: svc}
	if ed != nil {
		ed.partners = svc
	}
	srv.HandleFunc("GET /api/v1/partners", server.API, p.list)
	srv.HandleFunc("POST /api/v1/partners", server.API, p.create)
	srv.HandleFunc("POST /api/v1/partners/import", server.API, p.importCSV, server.BodyLimit(MaxPartnerImportBytes))
	srv.HandleFunc("GET /api/v1/partners/{id}", server.API, p.get)
	srv.HandleFunc("PATCH /api/v1/partners/{id}", server.API, p.update)
	srv.HandleFunc("GET /api/v1/partners/{id}/history", server.API, p.history)

	srv.HandleFunc("GET /api/v1/campaigns", server.API, p.listCampaigns)
	srv.HandleFunc("POST /api/v1/campaigns", server.API, p.createCampaign)
	srv.HandleFunc("GET /api/v1/campaigns/{id}", server.API, p.getCampaign)
	srv.HandleFunc("PATCH /api/v1/campaigns/{id}", server.API, p.updateCampaign)
	srv.HandleFunc("PATCH /api/v1/campaigns/{id}/relays/{partner_id}", server.API, p.updateRelay)
	srv.HandleFunc("POST /api/v1/campaigns/{id}/relay-figures", server.API, p.importRelayFigures, server.BodyLimit(partners.MaxRelayImportBytes+64<<10))
	srv.HandleFunc("POST /api/v1/campaigns/{id}/relays/{partner_id}/reminder", server.API, p.remind)
	srv.HandleFunc("DELETE /api/v1/campaigns/{id}/relays/{partner_id}/link", server.API, p.revoke)
	srv.HandleFunc("GET /api/v1/campaign-templates", server.API, p.listTemplates)
	srv.HandleFunc("POST /api/v1/campaign-templates", server.API, p.createTemplate)
	srv.HandleFunc("GET /api/v1/campaign-templates/{id}", server.API, p.getTemplate)
	srv.HandleFunc("PATCH /api/v1/campaign-templates/{id}", server.API, p.updateTemplate)
	srv.HandleFunc("DELETE /api/v1/campaign-templates/{id}", server.API, p.deleteTemplate)
	srv.HandleFunc("GET /api/v1/relay/{token}", server.Public, p.partnerPage)
	srv.HandleFunc("POST /api/v1/relay/{token}", server.Public, p.partnerAnswer)

	srv.HandleFunc("GET /api/v1/live-events", server.API, p.listLive)
	srv.HandleFunc("POST /api/v1/institutions/{id}/live-events", server.API, p.createLive)
	srv.HandleFunc("GET /api/v1/live-events/{id}", server.API, p.getLive)
	srv.HandleFunc("PATCH /api/v1/live-events/{id}", server.API, p.updateLive)

	srv.HandleFunc("GET /api/v1/accounts/{id}/members", server.API, p.getMembers)
	srv.HandleFunc("PUT /api/v1/accounts/{id}/members", server.API, p.putMembers)
	srv.HandleFunc("GET /api/v1/accounts/{id}/network", server.API, p.network)
	return p
}

func (p *Partners) fail(w http.ResponseWriter, r *http.Request, err error) { p.srv.Error(w, r, err) }

type partnerAccountInput struct {
	ID         int64  `json:"id"`
	Platform   string `json:"platform"`
	Handle     string `json:"handle"`
	ProfileURL string `json:"profile_url"`
	Followers  *int64 `json:"followers"`
}

type partnerInput struct {
	Name          *string                `json:"name"`
	NameZH        *string                `json:"name_zh"`
	Kind          *string                `json:"kind"`
	Language      *string                `json:"language"`
	Topics        *[]string              `json:"topics"`
	Contacts      *string                `json:"contacts"`
	AudienceNotes *string                `json:"audience_notes"`
	Consent       *string                `json:"consent"`
	ContactPrefs  *string                `json:"contact_prefs"`
	Accounts      *[]partnerAccountInput `json:"accounts"`
}

func (in *partnerInput) apply(pt *passerelle.Partner) {
	for _, f := range []struct {
		src *string
		dst *string
	}{{in.Name, &pt.Name}, {in.NameZH, &pt.NameZH}, {in.Language, &pt.Language}, {in.Contacts, &pt.Contacts}, {in.AudienceNotes, &pt.AudienceNotes}, {in.Consent, &pt.Consent}, {in.ContactPrefs, &pt.ContactPrefs}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if in.Kind != nil {
		pt.Kind = passerelle.PartnerKind(*in.Kind)
	}
	if in.Topics != nil {
		pt.Topics = *in.Topics
	}
	if in.Accounts != nil {
		pt.Accounts = make([]passerelle.PartnerAccount, len(*in.Accounts))
		for i, a := range *in.Accounts {
			pt.Accounts[i] = passerelle.PartnerAccount{ID: a.ID, Platform: passerelle.Platform(a.Platform), Handle: a.Handle, ProfileURL: a.ProfileURL, Followers: a.Followers}
		}
	}
}

func (p *Partners) list(w http.ResponseWriter, r *http.Request) {
	pg, err := page(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	min, err := queryInt(r, "min_followers")
	if err != nil {
		p.fail(w, r, err)
		return
	}
	items, err := p.svc.Partners(r.Context(), server.User(r.Context()), partners.Search{Query: q.Get("q"), Kind: passerelle.PartnerKind(q.Get("kind")),
		Platform: passerelle.Platform(q.Get("platform")), MinFollowers: min, AfterID: pg.AfterID, Limit: pg.Limit + 1})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, paged(items, pg.Limit, func(x *passerelle.Partner) int64 { return x.ID }))
}

func (p *Partners) create(w http.ResponseWriter, r *http.Request) {
	var in partnerInput
	if err := decode(r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	var pt passerelle.Partner
	in.apply(&pt)
	if err := p.svc.CreatePartner(r.Context(), server.User(r.Context()), &pt); err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/partners/"+itoa(pt.ID))
	server.WriteJSON(w, http.StatusCreated, &pt)
}

func (p *Partners) importCSV(w http.ResponseWriter, r *http.Request) {
	n, err := p.svc.ImportPartners(r.Context(), server.User(r.Context()), r.Body)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]int{"imported": n})
}

func (p *Partners) get(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var pt *passerelle.Partner
		if pt, err = p.svc.Partner(r.Context(), server.User(r.Context()), id); err == nil {
			server.WriteJSON(w, http.StatusOK, pt)
			return
		}
	}
	p.fail(w, r, err)
}

func (p *Partners) update(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	if _, err := p.svc.Partner(r.Context(), u, id); err != nil {
		p.fail(w, r, err)
		return
	}
	var in partnerInput
	if err := decode(r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	pt, err := p.svc.UpdatePartner(r.Context(), u, id, func(pt *passerelle.Partner) error { in.apply(pt); return nil })
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, pt)
}

func (p *Partners) history(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		h, err := p.svc.History(r.Context(), server.User(r.Context()), id)
		if err == nil {
			server.WriteJSON(w, http.StatusOK, map[string]any{"items": h})
			return
		}
		p.fail(w, r, err)
		return
	}
	p.fail(w, r, err)
}

type campaignInput struct {
	PostID     *int64  `json:"post_id"`
	PartnerIDs []int64 `json:"partner_ids"`
	Title      string  `json:"title"`
	MessageZH  string  `json:"message_zh"`
	TTLHours   *int64  `json:"ttl_hours"`
	// TemplateID takes a saved template's message when message_zh is empty.
	TemplateID      int64 `json:"template_id"`
	RemindAfterDays int   `json:"remind_after_days"`
}

func (p *Partners) createCampaign(w http.ResponseWriter, r *http.Request) {
	var in campaignInput
	if err := decode(r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	if in.PostID == nil {
		p.fail(w, r, paramErr(map[string]string{"post_id": "Required."}))
		return
	}
	var ttl time.Duration
	if in.TTLHours != nil {
		if *in.TTLHours < 1 || *in.TTLHours > 180*24 {
			p.fail(w, r, paramErr(map[string]string{"ttl_hours": "Choose from 1 hour to 180 days."}))
			return
		}
		ttl = time.Duration(*in.TTLHours) * time.Hour
	}
	c, err := p.svc.CreateCampaign(r.Context(), server.User(r.Context()), partners.CampaignInput{PostID: *in.PostID, PartnerIDs: in.PartnerIDs, Title: in.Title, MessageZH: in.MessageZH, TTL: ttl,
		TemplateID: in.TemplateID, RemindAfterDays: in.RemindAfterDays})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/campaigns/"+itoa(c.ID))
	server.WriteJSON(w, http.StatusCreated, c)
}

func (p *Partners) listCampaigns(w http.ResponseWriter, r *http.Request) {
	pg, err := page(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	post, err := queryInt(r, "post_id")
	if err != nil {
		p.fail(w, r, err)
		return
	}
	items, err := p.svc.Campaigns(r.Context(), server.User(r.Context()), partners.CampaignQuery{PostID: post, AfterID: pg.AfterID, Limit: pg.Limit + 1})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, paged(items, pg.Limit, func(c *passerelle.Campaign) int64 { return c.ID }))
}

func (p *Partners) getCampaign(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var c *passerelle.Campaign
		if c, err = p.svc.Campaign(r.Context(), server.User(r.Context()), id); err == nil {
			server.WriteJSON(w, http.StatusOK, c)
			return
		}
	}
	p.fail(w, r, err)
}

type ownFiguresInput struct {
	OwnViews   *int64 `json:"own_views"`
	OwnReposts *int64 `json:"own_reposts"`
	// RemindAfterDays changes the campaign's reminder delay when given.
	RemindAfterDays *int `json:"remind_after_days"`
}

func (p *Partners) updateCampaign(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	if _, err := p.svc.Campaign(r.Context(), u, id); err != nil {
		p.fail(w, r, err)
		return
	}
	var in ownFiguresInput
	if err := decode(r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	if in.RemindAfterDays != nil {
		// Checked before anything is saved, as the figures are.
		if d := *in.RemindAfterDays; d < passerelle.MinRemindAfterDays || d > passerelle.MaxRemindAfterDays {
			p.fail(w, r, paramErr(map[string]string{"remind_after_days": "Choose from 1 to 90 days."}))
			return
		}
	}
	c, err := p.svc.SetOwnFigures(r.Context(), u, id, in.OwnViews, in.OwnReposts)
	if err == nil && in.RemindAfterDays != nil {
		c, err = p.svc.SetRemindAfter(r.Context(), u, id, *in.RemindAfterDays)
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, c)
}

type relayInput struct {
	Status   *string `json:"status"`
	URL      *string `json:"url"`
	Views    *int64  `json:"views"`
	Reposts  *int64  `json:"reposts"`
	Likes    *int64  `json:"likes"`
	Comments *int64  `json:"comments"`
}

func (in relayInput) input() partners.RelayInput {
	out := partners.RelayInput{URL: in.URL, Views: in.Views, Reposts: in.Reposts, Likes: in.Likes, Comments: in.Comments}
	if in.Status != nil {
		st := passerelle.RelayStatus(*in.Status)
		out.Status = &st
	}
	return out
}

// relayIDs reads {id} and {partner_id}; the campaign must be visible before the body
// is judged.
func (p *Partners) relayIDs(r *http.Request) (int64, int64, error) {
	id, err := pathID(r)
	if err != nil {
		return 0, 0, err
	}
	partner, err := strconv.ParseInt(r.PathValue("partner_id"), 10, 64)
	if err != nil || partner <= 0 {
		return 0, 0, passerelle.ErrNotFound
	}
	if _, err := p.svc.Campaign(r.Context(), server.User(r.Context()), id); err != nil {
		return 0, 0, err
	}
	return id, partner, nil
}

func (p *Partners) updateRelay(w http.ResponseWriter, r *http.Request) {
	id, partner, err := p.relayIDs(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	var in relayInput
	if err := decode(r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	c, err := p.svc.UpdateRelay(r.Context(), server.User(r.Context()), id, partner, in.input())
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, c)
}

// importRelayFigures reads a file of the partners' figures for a campaign (the body,
// or the part named file of a multipart form): with dry_run=1 it only says what each
// row would do; a bad row writes nothing and answers 422 naming every bad line.
func (p *Partners) importRelayFigures(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	body := io.Reader(r.Body)
	if mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type")); mt == "multipart/form-data" {
		if body, err = filePart(r); err != nil {
			p.fail(w, r, err)
			return
		}
	}
	data, err := io.ReadAll(io.LimitReader(body, partners.MaxRelayImportBytes+1))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	if len(data) == 0 {
		p.fail(w, r, paramErr(map[string]string{"file": "Send a CSV or XLSX file of the relays' figures."}))
		return
	}
	dry := r.URL.Query().Get("dry_run")
	res, err := p.svc.ImportRelayFigures(r.Context(), server.User(r.Context()), id, data, dry == "1" || dry == "true")
	if err == nil && res.Errors > 0 {
		err = passerelle.Errorf(passerelle.EINVALID, "Some rows are invalid; nothing was imported.")
	}
	if err != nil {
		if res != nil && res.Errors > 0 {
			fields := map[string]string{}
			for _, row := range res.Rows {
				if row.Error != "" {
					fields["line "+strconv.Itoa(row.Line)] = row.Error
				}
			}
			err = &passerelle.Error{Code: passerelle.EINVALID, Message: passerelle.ErrorMessage(err), Fields: fields}
		}
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, res)
}

// filePart is the part named file of a multipart body.
func filePart(r *http.Request) (*multipart.Part, error) {
	mr, err := r.MultipartReader()
	if err != nil {
		return nil, badRequest("The multipart body cannot be read.")
	}
	for {
		part, err := mr.NextPart()
		if err != nil {
			return nil, paramErr(map[string]string{"file": "Send the file in a part named file."})
		}
		if part.FormName() == "file" {
			return part, nil
		}
	}
}

func (p *Partners) remind(w http.ResponseWriter, r *http.Request) {
	id, partner, err := p.relayIDs(r)
	if err == nil {
		rl, err := p.svc.Remind(r.Context(), server.User(r.Context()), id, partner)
		if err == nil {
			server.WriteJSON(w, http.StatusOK, rl)
			return
		}
		p.fail(w, r, err)
		return
	}
	p.fail(w, r, err)
}

func (p *Partners) revoke(w http.ResponseWriter, r *http.Request) {
	id, partner, err := p.relayIDs(r)
	if err == nil {
		err = p.svc.RevokeLink(r.Context(), server.User(r.Context()), id, partner)
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (p *Partners) partnerPage(w http.ResponseWriter, r *http.Request) {
	pg, err := p.svc.Page(r.Context(), r.PathValue("token"))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, pg)
}

func (p *Partners) partnerAnswer(w http.ResponseWriter, r *http.Request) {
	// A link that does not open answers 404 before the body is judged.
	if _, err := p.svc.Page(r.Context(), r.PathValue("token")); err != nil {
		p.fail(w, r, err)
		return
	}
	var in relayInput
	if err := decode(r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	pg, err := p.svc.Answer(r.Context(), r.PathValue("token"), in.input())
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, pg)
}

type liveInput struct {
	Platform     *string   `json:"platform"`
	StartsAt     *string   `json:"starts_at"`
	Title        *string   `json:"title"`
	TitleZH      *string   `json:"title_zh"`
	Host         *string   `json:"host"`
	PartnerID    *int64    `json:"partner_id"`
	Route        *[]string `json:"route"`
	ScriptZH     *string   `json:"script_zh"`
	ScriptFR     *string   `json:"script_fr"`
	PostIDs      *[]int64  `json:"promotion_post_ids"`
	PeakViewers  *int64    `json:"peak_viewers"`
	TotalViewers *int64    `json:"total_viewers"`
	Likes        *int64    `json:"likes"`
	Comments     *int64    `json:"comments"`
	NewFollowers *int64    `json:"new_followers"`
}

func (in *liveInput) apply(e *passerelle.LiveEvent) error {
	if in.StartsAt != nil {
		t, err := time.Parse(time.RFC3339, *in.StartsAt)
		if err != nil {
			return paramErr(map[string]string{"starts_at": "Give the start in RFC 3339, such as 2026-06-01T12:00:00+08:00."})
		}
		e.StartsAt = t
	}
	for _, f := range []struct {
		src *string
		dst *string
	}{{in.Title, &e.Title}, {in.TitleZH, &e.TitleZH}, {in.Host, &e.Host}, {in.ScriptZH, &e.ScriptZH}, {in.ScriptFR, &e.ScriptFR}} {
		if f.src != nil {
			*f.dst = *f.src
		}
	}
	if in.Platform != nil {
		e.Platform = passerelle.Platform(*in.Platform)
	}
	if in.PartnerID != nil {
		e.PartnerID = in.PartnerID
		if *in.PartnerID == 0 {
			e.PartnerID = nil
		}
	}
	if in.Route != nil {
		e.Route = *in.Route
	}
	if in.PostIDs != nil {
		e.PostIDs = *in.PostIDs
	}
	for _, f := range []struct{ src, dst **int64 }{{&in.PeakViewers, &e.PeakViewers}, {&in.TotalViewers, &e.TotalViewers}, {&in.Likes, &e.Likes}, {&in.Comments, &e.Comments}, {&in.NewFollowers, &e.NewFollowers}} {
		if *f.src != nil {
			*f.dst = *f.src
		}
	}
	return nil
}

func (p *Partners) createLive(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	if !u.Can(id, passerelle.PermView) {
		p.fail(w, r, passerelle.ErrNotFound)
		return
	}
	var in liveInput
	if err := decode(r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	var e passerelle.LiveEvent
	if err := in.apply(&e); err != nil {
		p.fail(w, r, err)
		return
	}
	if err := p.svc.CreateLiveEvent(r.Context(), u, id, &e); err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/live-events/"+itoa(e.ID))
	server.WriteJSON(w, http.StatusCreated, liveBody(&e))
}

// liveView is a live visit with its start on both clocks.
type liveView struct {
	*passerelle.LiveEvent
	StartsBeijing string `json:"starts_beijing"`
	StartsParis   string `json:"starts_paris"`
}

func liveBody(e *passerelle.LiveEvent) liveView {
	bj, pa := partners.Times(e.StartsAt)
	return liveView{e, bj.Format(time.RFC3339), pa.Format(time.RFC3339)}
}

func (p *Partners) getLive(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var e *passerelle.LiveEvent
		if e, err = p.svc.LiveEvent(r.Context(), server.User(r.Context()), id); err == nil {
			server.WriteJSON(w, http.StatusOK, liveBody(e))
			return
		}
	}
	p.fail(w, r, err)
}

func (p *Partners) updateLive(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	if _, err := p.svc.LiveEvent(r.Context(), u, id); err != nil {
		p.fail(w, r, err)
		return
	}
	var in liveInput
	if err := decode(r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	e, err := p.svc.UpdateLiveEvent(r.Context(), u, id, in.apply)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, liveBody(e))
}

func (p *Partners) listLive(w http.ResponseWriter, r *http.Request) {
	pg, err := page(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	inst, err := queryInt(r, "institution_id")
	if err != nil {
		p.fail(w, r, err)
		return
	}
	items, err := p.svc.LiveEvents(r.Context(), server.User(r.Context()), partners.LiveQuery{InstitutionID: inst, AfterID: pg.AfterID, Limit: pg.Limit + 1})
	if err != nil {
		p.fail(w, r, err)
		return
	}
	views := make([]liveView, len(items))
	for i, e := range items {
		views[i] = liveBody(e)
	}
	server.WriteJSON(w, http.StatusOK, paged(views, pg.Limit, func(v liveView) int64 { return v.ID }))
}

type membersInput struct {
	InstitutionIDs *[]int64 `json:"institution_ids"`
}

func (p *Partners) getMembers(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		var ids []int64
		if ids, err = p.svc.Members(r.Context(), server.User(r.Context()), id); err == nil {
			server.WriteJSON(w, http.StatusOK, map[string]any{"account_id": id, "institution_ids": ids, "network": len(ids) > 0})
			return
		}
	}
	p.fail(w, r, err)
}

func (p *Partners) putMembers(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	if _, err := p.svc.Members(r.Context(), u, id); err != nil {
		p.fail(w, r, err)
		return
	}
	var in membersInput
	if err := decode(r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	if in.InstitutionIDs == nil {
		p.fail(w, r, paramErr(map[string]string{"institution_ids": "Required (an empty list makes the account an ordinary one)."}))
		return
	}
	ids, err := p.svc.SetMembers(r.Context(), u, id, *in.InstitutionIDs)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"account_id": id, "institution_ids": ids, "network": len(ids) > 0})
}

func (p *Partners) network(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	day := func(name string, def time.Time) (time.Time, error) {
		s := q.Get(name)
		if s == "" {
			return def, nil
		}
		t, err := time.ParseInLocation(time.DateOnly, s, chinaZone)
		if err != nil {
			return time.Time{}, paramErr(map[string]string{name: "Give a day as YYYY-MM-DD (a day in China)."})
		}
		return t, nil
	}
	now := time.Now().In(chinaZone)
	qStart := time.Date(now.Year(), time.Month((int(now.Month())-1)/3*3+1), 1, 0, 0, 0, 0, chinaZone)
	from, err := day("from", qStart)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	to, err := day("to", qStart.AddDate(0, 3, 0))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	rep, err := p.svc.Network(r.Context(), server.User(r.Context()), id, from, to)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, rep)
}

var chinaZone = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return l
	}
	return time.FixedZone("CST", 8*3600)
}()

type templateInput struct {
	Name      *string `json:"name"`
	MessageZH *string `json:"message_zh"`
}

func (p *Partners) listTemplates(w http.ResponseWriter, r *http.Request) {
	ts, err := p.svc.Templates(r.Context(), server.User(r.Context()))
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, map[string]any{"items": ts})
}

func (p *Partners) createTemplate(w http.ResponseWriter, r *http.Request) {
	var in templateInput
	if err := decode(r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	t := &passerelle.CampaignTemplate{}
	if in.Name != nil {
		t.Name = *in.Name
	}
	if in.MessageZH != nil {
		t.MessageZH = *in.MessageZH
	}
	if err := p.svc.SaveTemplate(r.Context(), server.User(r.Context()), t); err != nil {
		p.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/api/v1/campaign-templates/"+itoa(t.ID))
	server.WriteJSON(w, http.StatusCreated, t)
}

func (p *Partners) getTemplate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	t, err := p.svc.Template(r.Context(), server.User(r.Context()), id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, t)
}

func (p *Partners) updateTemplate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	t, err := p.svc.Template(r.Context(), u, id)
	if err != nil {
		p.fail(w, r, err)
		return
	}
	var in templateInput
	if err := decode(r, &in); err != nil {
		p.fail(w, r, err)
		return
	}
	if in.Name != nil {
		t.Name = *in.Name
	}
	if in.MessageZH != nil {
		t.MessageZH = *in.MessageZH
	}
	if err := p.svc.SaveTemplate(r.Context(), u, t); err != nil {
		p.fail(w, r, err)
		return
	}
	server.WriteJSON(w, http.StatusOK, t)
}

func (p *Partners) deleteTemplate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = p.svc.DeleteTemplate(r.Context(), server.User(r.Context()), id)
	}
	if err != nil {
		p.fail(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
