package web

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// Live visits: the list of an institution's live visits, their plan (platform, start
// on the Beijing and Paris clocks, host, partner channel, route through the museum's
// works, script in Chinese beside its French source, promotion posts), the run sheet
// for the day on a phone, and the figures typed after the event.

// liveZones are the clocks a start may be typed in; the first is the default, the
// audience's.
var liveZones = []string{"Asia/Shanghai", "Europe/Paris"}

// liveListLimit bounds the visits a list shows.
const liveListLimit = 500

func (h *handler) liveRoutes() {
	s, in := h.srv, server.SignedIn
	s.HandleFunc("GET /live-events", in, h.liveList)
	s.HandleFunc("GET /live-events/new", in, h.liveNew)
	s.HandleFunc("POST /live-events", in, h.liveCreate)
	s.HandleFunc("GET /live-events/{id}", in, h.liveShow)
	s.HandleFunc("GET /live-events/{id}/edit", in, h.liveEdit)
	s.HandleFunc("POST /live-events/{id}", in, h.liveUpdate)
	s.HandleFunc("POST /live-events/{id}/figures", in, h.liveFigures)
	s.HandleFunc("GET /live-events/{id}/sheet", in, h.liveSheet)
	h.networkRoutes()
}

// liveItem is a live visit as the pages show it.
type liveItem struct {
	*passerelle.LiveEvent
	Institution string
	Partner     string
	// Stops are the route's works with their approved Chinese rendering.
	Stops   []liveStop
	Posts   []*passerelle.Post
	Past    bool
	CanEdit bool
}

// liveStop is one work of a route: ZH is the glossary's rendering, empty when the
// work is not in the glossary.
type liveStop struct {
	N      int
	Source string
	ZH     string
}

type liveListPage struct {
	Items        []*liveItem
	Institutions []*passerelle.Institution
	Names        map[int64]string
	Institution  int64
	// Schedulable are the institutions where the user may plan a visit.
	Schedulable []*passerelle.Institution
}

func (h *handler) liveList(w http.ResponseWriter, r *http.Request) {
	ctx, u := r.Context(), server.User(r.Context())
	p := &liveListPage{Names: map[int64]string{}}
	if v := r.URL.Query().Get("institution"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			h.fail(w, r, passerelle.ErrNotFound)
			return
		}
		p.Institution = id
	}
	var err error
	if p.Institutions, err = h.Tenancy.Institutions(ctx, u, false, tenancy.Page{}); err != nil {
		h.fail(w, r, err)
		return
	}
	lang := h.localizer(r).Lang
	for _, i := range p.Institutions {
		p.Names[i.ID] = instName(i, lang)
		if u.Can(i.ID, passerelle.PermSchedule) {
			p.Schedulable = append(p.Schedulable, i)
		}
	}
	events, err := h.Partners.LiveEvents(ctx, u, partners.LiveQuery{InstitutionID: p.Institution, Limit: liveListLimit})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	names, err := h.partnerNames(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	now := time.Now()
	for _, e := range events {
		it := &liveItem{LiveEvent: e, Institution: p.Names[e.InstitutionID], Past: e.StartsAt.Before(now), CanEdit: u.Can(e.InstitutionID, passerelle.PermSchedule)}
		if e.PartnerID != nil {
			it.Partner = names[*e.PartnerID]
		}
		p.Items = append(p.Items, it)
	}
	// Upcoming visits first, soonest first; then past ones, latest first.
	slices.SortStableFunc(p.Items, func(a, b *liveItem) int {
		switch {
		case a.Past != b.Past:
			if a.Past {
				return 1
			}
			return -1
		case a.Past:
			return b.StartsAt.Compare(a.StartsAt)
		}
		return a.StartsAt.Compare(b.StartsAt)
	})
	h.render(w, r, view{name: "live_list", title: "live.title", nav: "partners"}, p)
}

// partnerNames maps the organization's partners to their names.
func (h *handler) partnerNames(r *http.Request) (map[int64]string, error) {
	ps, err := h.Partners.Partners(r.Context(), server.User(r.Context()), partners.Search{Limit: 10000})
	if err != nil {
		return nil, err
	}
	names := make(map[int64]string, len(ps))
	for _, p := range ps {
		names[p.ID] = partnerLabel(p)
	}
	return names, nil
}

func partnerLabel(p *passerelle.Partner) string {
	switch {
	case p.Name != "" && p.NameZH != "":
		return p.Name + " · " + p.NameZH
	case p.Name != "":
		return p.Name
	}
	return p.NameZH
}

type liveFormPage struct {
	Event       *passerelle.LiveEvent
	Institution *passerelle.Institution
	Name        string
	Form        *form
	Platforms   []passerelle.Platform
	Zones       []string
	Partners    []*passerelle.Partner
	Posts       []*passerelle.Post
	// Selected are the promotion posts ticked.
	Selected map[int64]bool
	Works    []*store.GlossaryTerm
	// Choose lists the institutions to pick from when none is given.
	Choose []*passerelle.Institution
}

// liveFormData fills the choices of the form of a visit of institution inst.
func (h *handler) liveFormData(r *http.Request, inst int64, p *liveFormPage) error {
	ctx, u := r.Context(), server.User(r.Context())
	i, err := h.Tenancy.Institution(ctx, u, inst)
	if err != nil {
		return err
	}
	if err := u.Allow(inst, passerelle.PermSchedule); err != nil {
		return err
	}
	p.Institution, p.Name = i, instName(i, h.localizer(r).Lang)
	p.Platforms, p.Zones = passerelle.Platforms, liveZones
	if p.Partners, err = h.Partners.Partners(ctx, u, partners.Search{Limit: partnerListLimit}); err != nil {
		return err
	}
	if p.Posts, err = h.Editorial.Posts(ctx, u, editorial.PostQuery{InstitutionID: inst, Limit: 200}); err != nil {
		return err
	}
	p.Works, err = h.liveWorks(r, inst)
	if p.Selected == nil {
		p.Selected = map[int64]bool{}
		for _, id := range p.Form.Values["promotion_post_id"] {
			if n, err := strconv.ParseInt(id, 10, 64); err == nil {
				p.Selected[n] = true
			}
		}
	}
	return err
}

// liveWorks are the glossary's terms an institution's route may name: its own and the
// organization's artworks first, then the other terms.
func (h *handler) liveWorks(r *http.Request, inst int64) ([]*store.GlossaryTerm, error) {
	u := server.User(r.Context())
	var out []*store.GlossaryTerm
	for _, scope := range []int64{inst, 0} {
		ts, err := h.Editorial.Glossary(r.Context(), u, editorial.GlossaryQuery{InstitutionID: scope, Limit: 2000})
		if err != nil {
			return nil, err
		}
		out = append(out, ts...)
	}
	slices.SortStableFunc(out, func(a, b *store.GlossaryTerm) int {
		wa, wb := a.Kind == "artwork", b.Kind == "artwork"
		switch {
		case wa && !wb:
			return -1
		case wb && !wa:
			return 1
		}
		return strings.Compare(a.Source, b.Source)
	})
	return out, nil
}

// stops matches a route's works with the glossary (the institution's entries first).
func stops(route []string, works []*store.GlossaryTerm) []liveStop {
	out := make([]liveStop, len(route))
	for i, w := range route {
		out[i] = liveStop{N: i + 1, Source: w}
		key := strings.ToLower(strings.TrimSpace(w))
		for _, t := range works {
			if strings.ToLower(t.Source) == key || t.ZH == w || slices.ContainsFunc(t.Aliases, func(a string) bool { return strings.ToLower(a) == key }) {
				if t.ZH != w {
					out[i].ZH = t.ZH
				}
				break
			}
		}
	}
	return out
}

func (h *handler) liveNew(w http.ResponseWriter, r *http.Request) {
	u := server.User(r.Context())
	f := &form{Values: map[string][]string{"platform": {string(passerelle.Weibo)}, "zone": {liveZones[0]}}, Errors: map[string]string{}}
	p := &liveFormPage{Form: f}
	v := r.URL.Query().Get("institution")
	if v == "" {
		insts, err := h.Tenancy.Institutions(r.Context(), u, false, tenancy.Page{})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, i := range insts {
			if u.Can(i.ID, passerelle.PermSchedule) {
				p.Choose = append(p.Choose, i)
			}
		}
		if len(p.Choose) == 0 {
			h.fail(w, r, passerelle.ErrForbidden)
			return
		}
		if len(p.Choose) > 1 {
			h.render(w, r, view{name: "live_form", title: "live.new", nav: "partners"}, p)
			return
		}
		v = strconv.FormatInt(p.Choose[0].ID, 10)
		p.Choose = nil
	}
	inst, err := strconv.ParseInt(v, 10, 64)
	if err != nil || inst <= 0 {
		h.fail(w, r, passerelle.ErrNotFound)
		return
	}
	if err := h.liveFormData(r, inst, p); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, view{name: "live_form", title: "live.new", nav: "partners"}, p)
}

// liveFromForm applies the submitted plan to e; parse errors go to f, and are
// reported as one invalid error.
func liveFromForm(f *form, e *passerelle.LiveEvent) error {
	e.Platform = passerelle.Platform(f.Get("platform"))
	e.Title, e.TitleZH, e.Host = f.Get("title"), f.Get("title_zh"), f.Get("host")
	e.ScriptZH, e.ScriptFR = f.Get("script_zh"), f.Get("script_fr")
	e.StartsAt = time.Time{}
	zone := f.Get("zone")
	if !slices.Contains(liveZones, zone) {
		f.Errors["zone"] = "Choose Beijing or Paris time."
	} else if s := strings.TrimSpace(f.Get("starts_at")); s == "" {
		f.Errors["starts_at"] = "Give a date and a time."
	} else {
		t, err := time.ParseInLocation("2006-01-02T15:04", s, loadZone(zone))
		if err != nil {
			t, err = time.ParseInLocation("2006-01-02T15:04:05", s, loadZone(zone))
		}
		if err != nil {
			f.Errors["starts_at"] = "Give a date and a time."
		} else {
			e.StartsAt = t
		}
	}
	e.PartnerID = nil
	if v := f.Get("partner_id"); v != "" && v != "0" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			f.Errors["partner_id"] = "Choose a partner of the directory."
		} else {
			e.PartnerID = &n
		}
	}
	e.Route = strings.Split(strings.ReplaceAll(f.Get("route"), "\r\n", "\n"), "\n")
	e.PostIDs = nil
	for _, v := range f.Values["promotion_post_id"] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			f.Errors["promotion_post_ids"] = "Choose posts of the institution."
			continue
		}
		e.PostIDs = append(e.PostIDs, n)
	}
	if len(f.Errors) > 0 {
		return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: f.Errors}
	}
	return nil
}

// liveSaveError shows the form again with err, or the error page when err is not
// about the form. A partner or a post of another organization is not found: it was
// not among the choices, so the form says so.
func (h *handler) liveSaveError(w http.ResponseWriter, r *http.Request, p *liveFormPage, err error) {
	f := p.Form
	if passerelle.ErrorCode(err) == passerelle.ENOTFOUND && p.Institution != nil {
		f.Message = "A partner or a promotion post is not among the choices."
	} else if !f.setError(err) {
		h.fail(w, r, err)
		return
	}
	title := "live.new"
	if p.Event != nil && p.Event.ID != 0 {
		title = "live.edit"
	}
	h.render(w, r, view{name: "live_form", title: title, nav: "partners", status: http.StatusUnprocessableEntity}, p)
}

func (h *handler) liveCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	f := newForm(r)
	inst, err := strconv.ParseInt(f.Get("institution_id"), 10, 64)
	if err != nil || inst <= 0 {
		h.fail(w, r, passerelle.ErrNotFound)
		return
	}
	p := &liveFormPage{Form: f}
	if err := h.liveFormData(r, inst, p); err != nil {
		h.fail(w, r, err)
		return
	}
	e := &passerelle.LiveEvent{}
	if err := liveFromForm(f, e); err != nil {
		h.liveSaveError(w, r, p, err)
		return
	}
	if err := h.Partners.CreateLiveEvent(r.Context(), u, inst, e); err != nil {
		h.liveSaveError(w, r, p, err)
		return
	}
	h.redirect(w, r, "/live-events/"+strconv.FormatInt(e.ID, 10), "live.flash.created")
}

// liveValues are a stored visit's fields as the form shows them.
func liveValues(e *passerelle.LiveEvent) map[string][]string {
	bj, _ := partners.Times(e.StartsAt)
	v := map[string][]string{"platform": {string(e.Platform)}, "title": {e.Title}, "title_zh": {e.TitleZH}, "host": {e.Host},
		"script_zh": {e.ScriptZH}, "script_fr": {e.ScriptFR}, "zone": {liveZones[0]}, "starts_at": {bj.Format("2006-01-02T15:04")},
		"route": {strings.Join(e.Route, "\n")}}
	if e.PartnerID != nil {
		v["partner_id"] = []string{strconv.FormatInt(*e.PartnerID, 10)}
	}
	for _, id := range e.PostIDs {
		v["promotion_post_id"] = append(v["promotion_post_id"], strconv.FormatInt(id, 10))
	}
	for k, n := range map[string]*int64{"peak_viewers": e.PeakViewers, "total_viewers": e.TotalViewers, "likes": e.Likes, "comments": e.Comments, "new_followers": e.NewFollowers} {
		if n != nil {
			v[k] = []string{strconv.FormatInt(*n, 10)}
		}
	}
	return v
}

func (h *handler) liveEdit(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	e, err := h.Partners.LiveEvent(r.Context(), server.User(r.Context()), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &liveFormPage{Event: e, Form: &form{Values: liveValues(e), Errors: map[string]string{}}}
	if err := h.liveFormData(r, e.InstitutionID, p); err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, view{name: "live_form", title: "live.edit", nav: "partners"}, p)
}

func (h *handler) liveUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	e, err := h.Partners.LiveEvent(r.Context(), u, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm(r)
	p := &liveFormPage{Event: e, Form: f}
	if err := h.liveFormData(r, e.InstitutionID, p); err != nil {
		h.fail(w, r, err)
		return
	}
	if _, err = h.Partners.UpdateLiveEvent(r.Context(), u, id, func(e *passerelle.LiveEvent) error {
		return liveFromForm(f, e)
	}); err != nil {
		h.liveSaveError(w, r, p, err)
		return
	}
	h.redirect(w, r, "/live-events/"+strconv.FormatInt(id, 10), "live.flash.saved")
}

type liveShowPage struct {
	Item *liveItem
	Form *form
	// Figures are set once some are known.
	Figures bool
}

// liveItemOf loads a visit with what its pages show.
func (h *handler) liveItemOf(r *http.Request, id int64) (*liveItem, error) {
	ctx, u := r.Context(), server.User(r.Context())
	e, err := h.Partners.LiveEvent(ctx, u, id)
	if err != nil {
		return nil, err
	}
	i, err := h.Tenancy.Institution(ctx, u, e.InstitutionID)
	if err != nil {
		return nil, err
	}
	it := &liveItem{LiveEvent: e, Institution: instName(i, h.localizer(r).Lang), Past: e.StartsAt.Before(time.Now()), CanEdit: u.Can(e.InstitutionID, passerelle.PermSchedule)}
	if e.PartnerID != nil {
		if p, err := h.Partners.Partner(ctx, u, *e.PartnerID); err == nil {
			it.Partner = partnerLabel(p)
		}
	}
	works, err := h.liveWorks(r, e.InstitutionID)
	if err != nil {
		return nil, err
	}
	it.Stops = stops(e.Route, works)
	for _, pid := range e.PostIDs {
		if p, err := h.Editorial.Post(ctx, u, pid); err == nil {
			it.Posts = append(it.Posts, p)
		}
	}
	return it, nil
}

func (h *handler) liveShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	it, err := h.liveItemOf(r, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, view{name: "live_show", title: "live.event", nav: "partners"}, &liveShowPage{Item: it, Form: &form{Values: liveValues(it.LiveEvent), Errors: map[string]string{}}, Figures: it.FiguresAt != nil})
}

// liveFigureFields are the figures typed after the event.
var liveFigureFields = []string{"peak_viewers", "total_viewers", "likes", "comments", "new_followers"}

func (h *handler) liveFigures(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	f := newForm(r)
	values := map[string]*int64{}
	for _, k := range liveFigureFields {
		s := strings.ReplaceAll(strings.TrimSpace(f.Get(k)), " ", "")
		if s == "" {
			continue
		}
		n, err := strconv.ParseInt(strings.ReplaceAll(s, ",", ""), 10, 64)
		if err != nil {
			f.Errors[k] = "Give a whole number."
			continue
		}
		values[k] = &n
	}
	_, err = h.Partners.UpdateLiveEvent(r.Context(), u, id, func(e *passerelle.LiveEvent) error {
		if len(f.Errors) > 0 {
			return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: f.Errors}
		}
		e.PeakViewers, e.TotalViewers, e.Likes, e.Comments, e.NewFollowers = values["peak_viewers"], values["total_viewers"], values["likes"], values["comments"], values["new_followers"]
		return nil
	})
	if err == nil {
		h.redirect(w, r, "/live-events/"+strconv.FormatInt(id, 10)+"#figures", "live.flash.figures")
		return
	}
	if passerelle.ErrorCode(err) != passerelle.EINVALID {
		h.fail(w, r, err)
		return
	}
	it, lerr := h.liveItemOf(r, id)
	if lerr != nil {
		h.fail(w, r, lerr)
		return
	}
	f.setError(err)
	h.render(w, r, view{name: "live_show", title: "live.event", nav: "partners", status: http.StatusUnprocessableEntity}, &liveShowPage{Item: it, Form: f, Figures: it.FiguresAt != nil})
}

func (h *handler) liveSheet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	it, err := h.liveItemOf(r, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, view{name: "live_sheet", title: "live.sheet", nav: "partners"}, &liveShowPage{Item: it})
}
