package web

import (
	"net/http"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/connect"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// instCard is an institution with its live accounts, as the dashboard and the list
// show it.
type instCard struct {
	*passerelle.Institution
	Display   string // the name in the UI language
	Accounts  []*passerelle.Account
	Followers int64
	CanManage bool
}

type homePage struct {
	Cards        []*instCard
	Institutions int64
	Accounts     int64
	Managed      int64
	Followers    int64
	ByPlatform   []platformTotal
	// ToReview are the posts waiting for review; ThisWeek the publications
	// scheduled from today to seven days on.
	ToReview []*passerelle.Post
	ThisWeek []editorial.CalendarItem
	// Work is the user's own queues, by role (work.go); HasWork: the user has a role
	// that has queues at all.
	Work    []workQueue
	HasWork bool
	Names   map[int64]string
	// Expiring are the Weibo authorisations the user manages that end within
	// connect.ReminderLead (or have ended): renewing takes one click.
	Expiring []expiring
	// QRFollows is the week's follows through QR codes (the service desk's
	// attribution, Beijing days) over the institutions shown; HasDesk: one of them has
	// a WeChat account.
	QRFollows int64
	HasDesk   bool
	// Setup steps still to do, for a new organization.
	NeedInstitution, NeedAccount, NeedCredentials, NeedColleague bool
}

type expiring struct {
	Account *passerelle.Account
	Until   time.Time
	Zone    string
}

type platformTotal struct {
	Platform  passerelle.Platform
	Accounts  int64
	Followers int64
}

// cards loads the institutions the user may see with their live accounts.
func (h *handler) cards(r *http.Request, lang string, archived bool) ([]*instCard, error) {
	u := server.User(r.Context())
	insts, err := h.Tenancy.Institutions(r.Context(), u, archived, tenancy.Page{})
	if err != nil {
		return nil, err
	}
	accounts, err := h.Tenancy.AllAccounts(r.Context(), u)
	if err != nil {
		return nil, err
	}
	byInst := map[int64]*instCard{}
	cards := make([]*instCard, 0, len(insts))
	for _, i := range insts {
		c := &instCard{Institution: i, Display: instName(i, lang), CanManage: u.Can(i.ID, passerelle.PermManage)}
		byInst[i.ID] = c
		cards = append(cards, c)
	}
	for _, a := range accounts {
		if c := byInst[a.InstitutionID]; c != nil {
			c.Accounts = append(c.Accounts, a)
			if a.Followers != nil {
				c.Followers += *a.Followers
			}
		}
	}
	return cards, nil
}

func (h *handler) home(w http.ResponseWriter, r *http.Request) {
	u := server.User(r.Context())
	cards, err := h.cards(r, h.localizer(r).Lang, false)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &homePage{Cards: cards, Institutions: int64(len(cards))}
	totals := map[passerelle.Platform]*platformTotal{}
	creds := false
	for _, c := range cards {
		for _, a := range c.Accounts {
			p.Accounts++
			if a.Kind == passerelle.AccountManaged {
				p.Managed++
			}
			creds = creds || a.HasCredentials
			t := totals[a.Platform]
			if t == nil {
				t = &platformTotal{Platform: a.Platform}
				totals[a.Platform] = t
			}
			t.Accounts++
			if a.Followers != nil {
				t.Followers += *a.Followers
				p.Followers += *a.Followers
			}
		}
	}
	for _, pl := range passerelle.Platforms {
		if t := totals[pl]; t != nil {
			p.ByPlatform = append(p.ByPlatform, *t)
		}
	}
	p.NeedInstitution = len(cards) == 0 && u.Owner
	p.NeedAccount = len(cards) > 0 && p.Accounts == 0
	p.NeedCredentials = p.Managed > 0 && !creds
	if u.Owner {
		if users, err := h.Tenancy.Users(r.Context(), u); err == nil && len(users) < 2 {
			p.NeedColleague = true
		}
	}
	if err := h.weekQRFollows(r, p); err != nil {
		h.fail(w, r, err)
		return
	}
	if err := h.editorialSummary(r, p); err != nil {
		h.fail(w, r, err)
		return
	}
	if p.Expiring, err = h.expiringAuthorisations(r, cards); err != nil {
		h.fail(w, r, err)
		return
	}
	if len(p.Expiring) > 0 {
		h.allowWeiboForm(w)
	}
	h.render(w, r, view{name: "home", title: "home.title", nav: "home"}, p)
}

// weekQRFollows adds up the follows through QR codes of the last seven Beijing days,
// today included, in the institutions with a WeChat account.
func (h *handler) weekQRFollows(r *http.Request, p *homePage) error {
	if h.Desk == nil {
		return nil
	}
	today := h.Now().In(beijing)
	from, to := today.AddDate(0, 0, -6).Format(time.DateOnly), today.Format(time.DateOnly)
	for _, c := range p.Cards {
		wechat := false
		for _, a := range c.Accounts {
			wechat = wechat || a.Platform == passerelle.WeChat
		}
		if !wechat {
			continue
		}
		p.HasDesk = true
		stats, err := h.Desk.Stats(r.Context(), server.User(r.Context()), c.ID, from, to)
		if err != nil {
			return err
		}
		for _, s := range stats {
			p.QRFollows += s.NewFollows
		}
	}
	return nil
}

// expiringAuthorisations lists the Weibo authorisations that end soon among the
// accounts the user manages.
func (h *handler) expiringAuthorisations(r *http.Request, cards []*instCard) ([]expiring, error) {
	conns, err := h.DB.ExpiringConnections(r.Context(), h.Now().Add(connect.ReminderLead))
	if err != nil || len(conns) == 0 {
		return nil, err
	}
	until := map[int64]time.Time{}
	for _, c := range conns {
		until[c.AccountID] = *c.TokenExpiresAt
	}
	var out []expiring
	for _, c := range cards {
		if !c.CanManage {
			continue
		}
		for _, a := range c.Accounts {
			if t, ok := until[a.ID]; ok && a.Platform == passerelle.Weibo {
				out = append(out, expiring{Account: a, Until: t, Zone: c.TimeZone})
			}
		}
	}
	return out, nil
}

// editorialSummary fills the dashboard's "to review" and "this week" lists.
func (h *handler) editorialSummary(r *http.Request, p *homePage) error {
	ctx := r.Context()
	u := server.User(ctx)
	p.Names = map[int64]string{}
	for _, c := range p.Cards {
		p.Names[c.ID] = c.Display
	}
	if len(p.Cards) == 0 {
		return nil
	}
	var err error
	if p.ToReview, err = h.Editorial.Posts(ctx, u, editorial.PostQuery{Statuses: []passerelle.Status{passerelle.StatusReview}, Limit: 6}); err != nil {
		return err
	}
	today := h.Now().In(loadZone(""))
	cal, err := h.Editorial.Calendar(ctx, u, editorial.CalendarQuery{From: today.Format(dayLayout), To: today.AddDate(0, 0, 7).Format(dayLayout),
		Statuses: []passerelle.Status{passerelle.StatusScheduled}, Lang: h.localizer(r).Lang})
	if err != nil {
		return err
	}
	p.ThisWeek = cal.Items
	zones := map[int64]string{}
	for _, c := range p.Cards {
		zones[c.ID] = c.TimeZone
	}
	p.Work, p.HasWork, err = h.myWork(ctx, u, zones)
	return err
}
