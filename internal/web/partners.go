package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// Partnerships: the partner directory, relay campaigns (a campaign's page shows each
// partner's link once, when the campaign is made) and the page a partner opens through
// their link, without an account.

func (h *handler) partnerRoutes() {
	if h.Partners == nil {
		return
	}
	s, in, pub := h.srv, server.SignedIn, server.Public
	s.HandleFunc("GET /partners", in, h.partnerList)
	s.HandleFunc("POST /partners", in, h.partnerCreate)
	s.HandleFunc("GET /campaigns", in, h.campaignList)
	s.HandleFunc("POST /campaigns", in, h.campaignCreate)
	s.HandleFunc("GET /campaigns/{id}", in, h.campaignShow)
	s.HandleFunc("POST /campaigns/{id}/remind-after", in, h.campaignRemindAfter)
	s.HandleFunc("POST /campaigns/{id}/relays/{partner_id}/remind", in, h.campaignRemind)
	s.HandleFunc("POST /campaign-templates", in, h.templateCreate)
	s.HandleFunc("POST /campaign-templates/{id}", in, h.templateUpdate)
	s.HandleFunc("POST /campaign-templates/{id}/delete", in, h.templateDelete)
	s.HandleFunc("GET /relay/{token}", pub, h.relayPage)
	s.HandleFunc("POST /relay/{token}", pub, h.relayAnswer)
	h.liveRoutes()
}

type partnerListPage struct {
	Items  []*passerelle.Partner
	Search string
	Kind   string
	Kinds  []passerelle.PartnerKind
	// CanEdit shows the form that adds a partner.
	CanEdit   bool
	Platforms []passerelle.Platform
	Form      partnerForm
	Errors    map[string]string
}

type partnerForm struct {
	Name, NameZH, Kind, Platform, Handle, Followers string
}

const partnerListLimit = 200

func (h *handler) partnerListPage(r *http.Request, form partnerForm, errs map[string]string) (*partnerListPage, error) {
	u := server.User(r.Context())
	q := r.URL.Query()
	p := &partnerListPage{Search: q.Get("q"), Kind: q.Get("kind"), Kinds: passerelle.PartnerKinds, Platforms: passerelle.Platforms,
		CanEdit: u.CanAnywhere(passerelle.PermSchedule), Form: form, Errors: errs}
	var err error
	p.Items, err = h.Partners.Partners(r.Context(), u, partners.Search{Query: p.Search, Kind: passerelle.PartnerKind(p.Kind), Limit: partnerListLimit})
	return p, err
}

func (h *handler) partnerList(w http.ResponseWriter, r *http.Request) {
	p, err := h.partnerListPage(r, partnerForm{Kind: string(passerelle.PartnerMuseum), Platform: string(passerelle.Weibo)}, nil)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, view{name: "partners", title: "partners.title", nav: "partners"}, p)
}

func (h *handler) partnerCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	f := partnerForm{Name: r.PostForm.Get("name"), NameZH: r.PostForm.Get("name_zh"), Kind: r.PostForm.Get("kind"),
		Platform: r.PostForm.Get("platform"), Handle: r.PostForm.Get("handle"), Followers: r.PostForm.Get("followers")}
	pt := &passerelle.Partner{Name: f.Name, NameZH: f.NameZH, Kind: passerelle.PartnerKind(f.Kind)}
	var err error
	if strings.TrimSpace(f.Handle) != "" {
		a := passerelle.PartnerAccount{Platform: passerelle.Platform(f.Platform), Handle: f.Handle}
		if s := strings.TrimSpace(f.Followers); s != "" {
			n, perr := strconv.ParseInt(s, 10, 64)
			if perr != nil {
				err = &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{"followers": "Give a whole number."}}
			}
			a.Followers = &n
		}
		pt.Accounts = []passerelle.PartnerAccount{a}
	}
	if err == nil {
		err = h.Partners.CreatePartner(r.Context(), server.User(r.Context()), pt)
	}
	if passerelle.ErrorCode(err) == passerelle.EINVALID {
		fields := map[string]string{}
		for k, v := range passerelle.ErrorFields(err) {
			fields[strings.TrimPrefix(k, "accounts.0.")] = v
		}
		p, lerr := h.partnerListPage(r, f, fields)
		if lerr != nil {
			h.fail(w, r, lerr)
			return
		}
		h.render(w, r, view{name: "partners", title: "partners.title", nav: "partners", status: http.StatusUnprocessableEntity}, p)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/partners", "partners.flash.created")
}

type campaignListPage struct {
	Items    []*passerelle.Campaign
	Posts    []*passerelle.Post
	Partners []*passerelle.Partner
	Errors   map[string]string
	Message  string
	// Templates are the saved messages; RemindDays the default reminder delay.
	Templates  []*passerelle.CampaignTemplate
	RemindDays int
}

func (h *handler) campaignListPage(r *http.Request) (*campaignListPage, error) {
	ctx, u := r.Context(), server.User(r.Context())
	p := &campaignListPage{Message: partners.DefaultMessageZH, RemindDays: passerelle.DefaultRemindAfterDays}
	var err error
	if p.Templates, err = h.Partners.Templates(ctx, u); err != nil {
		return nil, err
	}
	if p.Items, err = h.Partners.Campaigns(ctx, u, partners.CampaignQuery{Limit: 200}); err != nil {
		return nil, err
	}
	if p.Posts, err = h.Editorial.Posts(ctx, u, editorial.PostQuery{Limit: 200}); err != nil {
		return nil, err
	}
	p.Partners, err = h.Partners.Partners(ctx, u, partners.Search{Limit: partnerListLimit})
	return p, err
}

func (h *handler) campaignList(w http.ResponseWriter, r *http.Request) {
	p, err := h.campaignListPage(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, view{name: "campaigns", title: "campaigns.title", nav: "partners"}, p)
}

type campaignPage struct {
	Campaign *passerelle.Campaign
	// Fresh is set right after the campaign is made: its links are shown once.
	Fresh bool
	// Reminded is the relay just given a new link by a reminder, shown once.
	Reminded *passerelle.Relay
	Errors   map[string]string
	// Now is the instant the figures' ages are told from (time.Now when zero).
	Now time.Time
	// CanImport: the user may import the relays' figures (relay_import.go).
	CanImport bool
}

func (h *handler) campaignCreate(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	in := partners.CampaignInput{MessageZH: r.PostForm.Get("message_zh"), Title: r.PostForm.Get("title")}
	post, err := strconv.ParseInt(r.PostForm.Get("post_id"), 10, 64)
	if err != nil {
		post = 0
	}
	in.PostID = post
	if v := r.PostForm.Get("template_id"); v != "" {
		if in.TemplateID, err = strconv.ParseInt(v, 10, 64); err != nil || in.TemplateID <= 0 {
			h.fail(w, r, passerelle.ErrNotFound)
			return
		}
		// A chosen template replaces the message of the form.
		in.MessageZH = ""
	}
	if v := strings.TrimSpace(r.PostForm.Get("remind_after_days")); v != "" {
		if in.RemindAfterDays, err = strconv.Atoi(v); err != nil {
			in.RemindAfterDays = -1 // refused by the service with its message
		}
	}
	for _, v := range r.PostForm["partner_id"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			h.fail(w, r, passerelle.ErrNotFound)
			return
		}
		in.PartnerIDs = append(in.PartnerIDs, id)
	}
	c, err := h.Partners.CreateCampaign(r.Context(), server.User(r.Context()), in)
	if passerelle.ErrorCode(err) == passerelle.EINVALID {
		p, lerr := h.campaignListPage(r)
		if lerr != nil {
			h.fail(w, r, lerr)
			return
		}
		p.Errors, p.Message = passerelle.ErrorFields(err), in.MessageZH
		h.render(w, r, view{name: "campaigns", title: "campaigns.title", nav: "partners", status: http.StatusUnprocessableEntity}, p)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, view{name: "campaign", title: "campaign.title", nav: "partners", status: http.StatusCreated}, &campaignPage{Campaign: c, Fresh: true})
}

func (h *handler) campaignShow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.Partners.Campaign(r.Context(), server.User(r.Context()), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, view{name: "campaign", title: "campaign.title", nav: "partners"}, &campaignPage{Campaign: c, CanImport: server.User(r.Context()).Can(c.InstitutionID, passerelle.PermSchedule)})
}

type relayPage struct {
	Page   *partners.PartnerPage
	Token  string
	Errors map[string]string
	URL    string
	Views  string
	Done   bool
}

func (h *handler) relayPage(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	pg, err := h.Partners.Page(r.Context(), token)
	if err != nil {
		h.failView(w, r, err, true)
		return
	}
	h.render(w, r, view{name: "relay", title: "relay.title", bare: true}, &relayPage{Page: pg, Token: token, URL: pg.URL, Done: r.URL.Query().Get("done") == "1"})
}

func (h *handler) relayAnswer(w http.ResponseWriter, r *http.Request) {
	token := r.PathValue("token")
	pg, err := h.Partners.Page(r.Context(), token)
	if err != nil {
		h.failView(w, r, err, true)
		return
	}
	if err := parseForm(r); err != nil {
		h.failView(w, r, err, true)
		return
	}
	st := passerelle.RelayStatus(r.PostForm.Get("status"))
	in := partners.RelayInput{Status: &st}
	url, views := strings.TrimSpace(r.PostForm.Get("url")), strings.TrimSpace(r.PostForm.Get("views"))
	if st == passerelle.RelayRelayed {
		in.URL = &url
		if views != "" {
			n, perr := strconv.ParseInt(views, 10, 64)
			if perr != nil {
				n = -1 // refused below as not a figure
			}
			in.Views = &n
		}
	}
	if _, err = h.Partners.Answer(r.Context(), token, in); err != nil {
		if passerelle.ErrorCode(err) == passerelle.EINVALID {
			h.render(w, r, view{name: "relay", title: "relay.title", bare: true, status: http.StatusUnprocessableEntity},
				&relayPage{Page: pg, Token: token, Errors: passerelle.ErrorFields(err), URL: url, Views: views})
			return
		}
		h.failView(w, r, err, true)
		return
	}
	http.Redirect(w, r, "/relay/"+token+"?done=1", http.StatusSeeOther)
}

func (h *handler) campaignRemindAfter(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	u := server.User(r.Context())
	days, perr := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("remind_after_days")))
	if perr != nil {
		days = -1
	}
	c, err := h.Partners.SetRemindAfter(r.Context(), u, id, days)
	if passerelle.ErrorCode(err) == passerelle.EINVALID {
		cur, cerr := h.Partners.Campaign(r.Context(), u, id)
		if cerr != nil {
			h.fail(w, r, cerr)
			return
		}
		h.render(w, r, view{name: "campaign", title: "campaign.title", nav: "partners", status: http.StatusUnprocessableEntity},
			&campaignPage{Campaign: cur, Errors: passerelle.ErrorFields(err)})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/campaigns/"+strconv.FormatInt(c.ID, 10), "flash.remind_after_saved")
}

// campaignRemind gives a partner a new link and shows it with the invitation to send
// again, once.
func (h *handler) campaignRemind(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	partner, err := strconv.ParseInt(r.PathValue("partner_id"), 10, 64)
	if err != nil || partner <= 0 {
		h.fail(w, r, passerelle.ErrNotFound)
		return
	}
	u := server.User(r.Context())
	rel, err := h.Partners.Remind(r.Context(), u, id, partner)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	c, err := h.Partners.Campaign(r.Context(), u, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, view{name: "campaign", title: "campaign.title", nav: "partners"}, &campaignPage{Campaign: c, Reminded: rel})
}

func (h *handler) templateForm(r *http.Request, t *passerelle.CampaignTemplate) error {
	if err := parseForm(r); err != nil {
		return err
	}
	t.Name, t.MessageZH = r.PostForm.Get("name"), r.PostForm.Get("message_zh")
	return h.Partners.SaveTemplate(r.Context(), server.User(r.Context()), t)
}

// templateRefused shows the campaigns page with the template form's errors.
func (h *handler) templateRefused(w http.ResponseWriter, r *http.Request, t *passerelle.CampaignTemplate, err error) {
	p, lerr := h.campaignListPage(r)
	if lerr != nil {
		h.fail(w, r, lerr)
		return
	}
	p.Errors = map[string]string{}
	for k, v := range passerelle.ErrorFields(err) {
		p.Errors["template_"+k] = v
	}
	p.Errors["template_id"] = strconv.FormatInt(t.ID, 10)
	h.render(w, r, view{name: "campaigns", title: "campaigns.title", nav: "partners", status: http.StatusUnprocessableEntity}, p)
}

func (h *handler) templateCreate(w http.ResponseWriter, r *http.Request) {
	t := &passerelle.CampaignTemplate{}
	err := h.templateForm(r, t)
	if passerelle.ErrorCode(err) == passerelle.EINVALID {
		h.templateRefused(w, r, t, err)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/campaigns#templates", "flash.template_saved")
}

func (h *handler) templateUpdate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	t, err := h.Partners.Template(r.Context(), server.User(r.Context()), id)
	if err == nil {
		err = h.templateForm(r, t)
	}
	if passerelle.ErrorCode(err) == passerelle.EINVALID {
		h.templateRefused(w, r, t, err)
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/campaigns#templates", "flash.template_saved")
}

func (h *handler) templateDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = h.Partners.DeleteTemplate(r.Context(), server.User(r.Context()), id)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/campaigns#templates", "flash.template_deleted")
}
