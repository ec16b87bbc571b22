package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/desk"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// The WeChat service desk of an account: its placements with their QR codes and the
// week's counts, its keyword replies, and the inbox of followers' conversations. The
// pages call internal/desk, as the API does.

func (h *handler) deskRoutes() {
	if h.Desk == nil {
		return
	}
	s, in := h.srv, server.SignedIn
	s.HandleFunc("GET /accounts/{id}/desk", in, h.deskPage)
	s.HandleFunc("POST /accounts/{id}/placements", in, h.deskPlacementCreate)
	s.HandleFunc("POST /accounts/{id}/replies", in, h.deskRuleCreate)
	s.HandleFunc("GET /placements/{id}/qr.png", in, h.deskQRPNG)
	s.HandleFunc("GET /placements/{id}/qr.svg", in, h.deskQRSVG)
	s.HandleFunc("GET /conversations/{id}", in, h.conversationPage)
	s.HandleFunc("POST /conversations/{id}/reply", in, h.conversationReply)
	s.HandleFunc("GET /placements/{id}/sheet.pdf", in, h.deskSheet)
	s.HandleFunc("POST /accounts/{id}/replies/{rule}/delete", in, h.deskRuleDelete)
	s.HandleFunc("POST /accounts/{id}/menu", in, h.deskMenuSave)
	s.HandleFunc("GET /accounts/{id}/menu/wechat", in, h.deskMenuReadBack)
	h.deskInboxToolRoutes()
}

// deskRuleDelete deletes a keyword reply (managers).
func (h *handler) deskRuleDelete(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var rule int64
	if err == nil {
		rule, err = strconv.ParseInt(r.PathValue("rule"), 10, 64)
		if err != nil {
			err = passerelle.ErrNotFound
		}
	}
	if err == nil {
		err = h.Desk.DeleteRule(r.Context(), server.User(r.Context()), id, rule)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.redirect(w, r, "/accounts/"+strconv.FormatInt(id, 10)+"/desk#desk-replies", "desk12.rule_deleted")
}

// deskPage is the data of the desk view.
type deskPage struct {
	Account       *passerelle.Account
	CanManage     bool
	From, To      string // the week of the counts, Beijing days
	Placements    []*store.Placement
	Stats         map[int64]*store.PlacementStat
	Unattributed  *store.PlacementStat
	WeekFollows   int64
	Rules         []*store.ReplyRule
	Conversations []*desk.ConversationView
	PlacementForm *form
	RuleForm      *form
	// Chart is the week's new follows per placement, largest first, as bars.
	Chart *followChart
	// Menu is the custom-menu editor and its preview (desk_menu.go).
	Menu *menuEditor
	// The inbox's tools (desk13.go): the inbox filter (?inbox= "", me, none), the
	// members' names by id, canned answers, followers (?tag= filters) and the tags
	// in use.
	Inbox         string
	InboxFilters  []string
	AssigneeNames map[int64]string
	CanWrite      bool
	Answers       []*store.CannedAnswer
	AnswerForm    *form
	Followers     []*store.Follower
	Tags          []string
	Tag           string
}

// followChart is a horizontal bar chart drawn as SVG by the template.
type followChart struct {
	Bars   []followBar
	Height int
	Total  int64
}

type followBar struct {
	Label         string // the placement's name; "" for no placement
	Key           string
	Value         int64
	TextY, BarY   int    // baseline of the row's texts, top of its bar
	Width, ValueX string // the bar's width (out of chartBarSpace), where its count starts
}

// Chart geometry (SVG user units): label column, bar space, row height.
const (
	chartLabel    = 170
	chartBarSpace = 360
	chartRow      = 26
)

// followsChart builds the chart of the desk page's counts (nil without any follow).
func followsChart(p *deskPage) *followChart {
	c := &followChart{}
	for _, pl := range p.Placements {
		if s := p.Stats[pl.ID]; s != nil && s.NewFollows > 0 {
			c.Bars = append(c.Bars, followBar{Label: pl.Name, Key: pl.Key, Value: s.NewFollows})
		}
	}
	if s := p.Unattributed; s != nil && s.NewFollows > 0 {
		c.Bars = append(c.Bars, followBar{Value: s.NewFollows})
	}
	if len(c.Bars) == 0 {
		return nil
	}
	sort.SliceStable(c.Bars, func(i, j int) bool { return c.Bars[i].Value > c.Bars[j].Value })
	top := c.Bars[0].Value
	for i := range c.Bars {
		b := &c.Bars[i]
		w := max(2, float64(b.Value)/float64(top)*chartBarSpace)
		b.TextY, b.BarY = i*chartRow+17, i*chartRow+4
		b.Width, b.ValueX = strconv.FormatFloat(w, 'f', 1, 64), strconv.FormatFloat(chartLabel+w+6, 'f', 1, 64)
		c.Total += b.Value
		if r := []rune(b.Label); len(r) > 22 {
			b.Label = string(r[:21]) + "…"
		}
	}
	c.Height = len(c.Bars) * chartRow
	return c
}

var beijing = time.FixedZone("Asia/Shanghai", 8*3600)

func (h *handler) deskData(r *http.Request, id int64) (*deskPage, error) {
	ctx := r.Context()
	u := server.User(ctx)
	a, err := h.Tenancy.Account(ctx, u, id)
	if err != nil {
		return nil, err
	}
	if a.Platform != passerelle.WeChat || a.ArchivedAt != nil {
		return nil, passerelle.ErrNotFound
	}
	today := h.Now().In(beijing)
	p := &deskPage{Account: a, CanManage: u.Can(a.InstitutionID, passerelle.PermManage), Stats: map[int64]*store.PlacementStat{},
		From: today.AddDate(0, 0, -6).Format(time.DateOnly), To: today.Format(time.DateOnly),
		PlacementForm: &form{Errors: map[string]string{}}, RuleForm: &form{Errors: map[string]string{}}}
	all, err := h.Desk.Placements(ctx, u, a.InstitutionID)
	if err != nil {
		return nil, err
	}
	for _, pl := range all {
		if pl.AccountID == a.ID {
			p.Placements = append(p.Placements, pl)
		}
	}
	stats, err := h.Desk.Stats(ctx, u, a.InstitutionID, p.From, p.To)
	if err != nil {
		return nil, err
	}
	for _, s := range stats {
		if s.PlacementID == nil {
			p.Unattributed = s
			continue
		}
		p.Stats[*s.PlacementID] = s
		p.WeekFollows += s.NewFollows
	}
	p.Chart = followsChart(p)
	if p.Rules, err = h.Desk.Rules(ctx, u, a.ID); err != nil {
		return nil, err
	}
	if err := h.deskInboxData(r, p); err != nil {
		return nil, err
	}
	if err := h.deskMenu(r, p); err != nil {
		return nil, err
	}
	return p, nil
}

// deskView is the desk page of an account, shown by deskPage and again by the forms
// it holds when they are refused.
var deskView = view{name: "desk", title: "desk.title", nav: "institutions"}

func (h *handler) deskPage(w http.ResponseWriter, r *http.Request) {
	showPage(h, w, r, deskView, h.deskData)
}

// deskFormError shows the desk page again with a form's errors (422), or the error
// page for anything else.
func (h *handler) deskFormError(w http.ResponseWriter, r *http.Request, id int64, f *form, set func(*deskPage), err error) {
	showFormErrors(h, w, r, deskView, h.deskData, id, f, set, err)
}

func (h *handler) deskPlacementCreate(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(r)
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	ctx := r.Context()
	u := server.User(ctx)
	a, err := h.Tenancy.Account(ctx, u, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	f := newForm(r)
	_, err = h.Desk.CreatePlacement(ctx, u, a.InstitutionID, desk.PlacementInput{AccountID: a.ID, Name: f.Get("name"), Key: f.Get("key"), WelcomeText: f.Get("welcome_text")})
	if err != nil {
		h.deskFormError(w, r, id, f, func(p *deskPage) { p.PlacementForm = f }, err)
		return
	}
	h.redirect(w, r, "/accounts/"+strconv.FormatInt(id, 10)+"/desk", "desk.placement_created")
}

func (h *handler) deskRuleCreate(w http.ResponseWriter, r *http.Request) {
	id, f, ok := h.postedForm(w, r)
	if !ok {
		return
	}
	var keywords []string
	for _, k := range strings.FieldsFunc(f.Get("keywords"), func(r rune) bool { return r == ',' || r == '，' || r == '\n' }) {
		if k = strings.TrimSpace(k); k != "" {
			keywords = append(keywords, k)
		}
	}
	in := desk.RuleInput{Keywords: keywords, Match: f.Get("match"), Text: f.Get("text"), Default: f.Checked("default")}
	if _, err := h.Desk.CreateRule(r.Context(), server.User(r.Context()), id, in); err != nil {
		h.deskFormError(w, r, id, f, func(p *deskPage) { p.RuleForm = f }, err)
		return
	}
	h.redirect(w, r, "/accounts/"+strconv.FormatInt(id, 10)+"/desk", "desk.rule_created")
}

func (h *handler) deskQR(w http.ResponseWriter, r *http.Request, svg bool) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.Desk.Placement(r.Context(), server.User(r.Context()), id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	render, ctype, ext := desk.QRPNG, "image/png", "png"
	if svg {
		render, ctype, ext = desk.QRSVG, "image/svg+xml", "svg"
	}
	b, err := render(p.QRURL)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", `attachment; filename="qr-`+p.Key+`.`+ext+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

func (h *handler) deskQRPNG(w http.ResponseWriter, r *http.Request) { h.deskQR(w, r, false) }
func (h *handler) deskQRSVG(w http.ResponseWriter, r *http.Request) { h.deskQR(w, r, true) }

// deskSheet downloads a placement's printable sheet (?size=a4, the default, or a6).
func (h *handler) deskSheet(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	b, name, err := h.Desk.Sheet(r.Context(), server.User(r.Context()), id, r.URL.Query().Get("size"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	w.Header().Set("Cache-Control", "no-store")
	w.Write(b)
}

// conversationPage is the data of the conversation view.
type conversationPage struct {
	C        *desk.ConversationView
	Account  *passerelle.Account
	CanReply bool
	Hours    int64
	Minutes  int64
	Form     *form
	// Tools are the inbox's tools (desk13.go).
	Tools *conversationTools
}

func (h *handler) conversationData(r *http.Request, id int64) (*conversationPage, error) {
	u := server.User(r.Context())
	c, a, err := h.Desk.Conversation(r.Context(), u, id)
	if err != nil {
		return nil, err
	}
	p := &conversationPage{C: c, Account: a, CanReply: u.Can(a.InstitutionID, passerelle.PermWrite) && c.WindowRemainingS > 0,
		Hours: c.WindowRemainingS / 3600, Minutes: c.WindowRemainingS % 3600 / 60, Form: &form{Errors: map[string]string{}}}
	draft := ""
	if r.Method == http.MethodPost {
		draft = r.PostForm.Get("text")
	}
	if err := h.conversationToolsData(r, p, draft); err != nil {
		return nil, err
	}
	return p, nil
}

func (h *handler) conversationPage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := h.conversationData(r, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, view{name: "conversation", title: "desk.conversation", nav: "institutions"}, p)
}

func (h *handler) conversationReply(w http.ResponseWriter, r *http.Request) {
	id, f, ok := h.postedForm(w, r)
	if !ok {
		return
	}
	if _, err := h.Desk.Reply(r.Context(), server.User(r.Context()), id, f.Get("text")); err != nil {
		if !f.setError(err) {
			h.fail(w, r, err)
			return
		}
		p, derr := h.conversationData(r, id)
		if derr != nil {
			h.fail(w, r, derr)
			return
		}
		p.Form = f
		h.render(w, r, view{name: "conversation", title: "desk.conversation", nav: "institutions", status: server.Status(err)}, p)
		return
	}
	h.redirect(w, r, "/conversations/"+strconv.FormatInt(id, 10), "desk.reply_sent")
}
