package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/connect"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// The connection page of a managed Weibo or WeChat account: what to paste into the
// platform's console, the "Test connection" button with its plain-language diagnosis,
// the capabilities found, and Weibo's OAuth authorisation.

func (h *handler) connectRoutes() {
	s, in := h.srv, server.SignedIn
	s.HandleFunc("GET /accounts/{id}/connection", in, h.connectionPage)
	s.HandleFunc("POST /accounts/{id}/connection/test", in, h.connectionTest)
	s.HandleFunc("POST /accounts/{id}/connection/weibo", in, h.weiboAuthorize)
	s.HandleFunc("GET /oauth/weibo/callback", in, h.weiboCallback)
	s.HandleFunc("POST /accounts/{id}/connection/demo-scan", in, h.demoScan)
}

// demoScanScene is the scene of the demo's entrance QR code.
const demoScanScene = "demo-entrance"

// demoScan plays, in the demo, visitors scanning the account's entrance QR code: the
// simulator pushes their events to the callback as WeChat would, and the page counts
// what arrived.
func (h *handler) demoScan(w http.ResponseWriter, r *http.Request) {
	if h.DemoScan == nil {
		h.notFound(w, r)
		return
	}
	a, _, err := h.connectionTarget(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	back := "/accounts/" + strconv.FormatInt(a.ID, 10) + "/connection#demo-scan"
	if a.Platform != passerelle.WeChat {
		h.notFound(w, r)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	n, err := strconv.Atoi(r.PostForm.Get("visitors"))
	if err != nil || n < 1 || n > 50 {
		h.redirectError(w, r, back, passerelle.Errorf(passerelle.EINVALID, "Choose from 1 to 50 visitors."))
		return
	}
	appID, ticket, err := h.Connect.CreateQRCode(r.Context(), server.User(r.Context()), a.ID, demoScanScene, h.localizer(r).Lang)
	if err != nil {
		h.redirectError(w, r, back, err)
		return
	}
	if _, err := h.DemoScan(r.Context(), appID, ticket, n); err != nil {
		h.redirectError(w, r, back, passerelle.Errorf(passerelle.EINVALID, "%s", err.Error()))
		return
	}
	h.redirect(w, r, back, "flash.demo_scanned")
}

type connectionPage struct {
	Institution *passerelle.Institution
	Display     string
	Account     *passerelle.Account
	Connection  *store.Connection
	// Result is the test just run, nil on a plain visit.
	Result      *connect.Result
	CallbackURL string
	OutboundIP  string
	RedirectURI string
	TokenSet    bool
	TokenHint   string
	// Demo offers the simulated QR code scan; Events counts the pushes received.
	Demo   bool
	Events int
	// Stopped says why the collection of the account's figures has stopped (nil: it
	// runs).
	Stopped *collectionNotice
}

// connectionTarget loads a managed Weibo or WeChat account the user manages.
func (h *handler) connectionTarget(r *http.Request) (*passerelle.Account, *passerelle.Institution, error) {
	u := server.User(r.Context())
	a, i, err := h.accountAndInstitution(r, u)
	if err != nil {
		return nil, nil, err
	}
	if a.Kind != passerelle.AccountManaged || (a.Platform != passerelle.Weibo && a.Platform != passerelle.WeChat) || a.ArchivedAt != nil {
		return nil, nil, passerelle.ErrNotFound
	}
	if !u.Can(a.InstitutionID, passerelle.PermManage) {
		return nil, nil, passerelle.Errorf(passerelle.EFORBIDDEN, "Your role does not allow this.")
	}
	return a, i, nil
}

func (h *handler) renderConnection(w http.ResponseWriter, r *http.Request, a *passerelle.Account, i *passerelle.Institution, res *connect.Result) {
	u := server.User(r.Context())
	c, err := h.Connect.Connection(r.Context(), u, a.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	hints, err := h.Tenancy.CredentialHints(r.Context(), u, a.ID)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &connectionPage{Institution: i, Display: instName(i, h.localizer(r).Lang), Account: a, Connection: c, Result: res}
	switch a.Platform {
	case passerelle.WeChat:
		p.CallbackURL, p.OutboundIP = h.Connect.CallbackURL(a.ID), h.Connect.OutboundIP()
		p.Demo = h.DemoScan != nil
		if p.Events, err = h.DB.CountWeChatEvents(r.Context(), a.ID); err != nil {
			h.fail(w, r, err)
			return
		}
		p.TokenHint = hints["token"]
		p.TokenSet = hints["appid"] != "" && hints["app_secret"] != ""
	case passerelle.Weibo:
		p.RedirectURI = h.Connect.WeiboRedirectURI()
		p.TokenSet = hints["app_key"] != "" && hints["app_secret"] != ""
	}
	if p.Stopped, err = h.collectionNotice(r, a, i.TimeZone); err != nil {
		h.fail(w, r, err)
		return
	}
	if a.Platform == passerelle.Weibo {
		h.allowWeiboForm(w)
	}
	h.render(w, r, view{name: "connection", title: "connection.title", nav: "institutions"}, p)
}

// allowWeiboForm lets this page's forms be redirected to Weibo's authorisation page:
// "Connect Weibo" posts here, and the answer sends the browser on to Weibo, which the
// default policy (form-action 'self') would block.
func (h *handler) allowWeiboForm(w http.ResponseWriter) {
	o := h.Connect.WeiboOrigin()
	if o == "" {
		return
	}
	w.Header().Set("Content-Security-Policy", strings.Replace(server.DefaultCSP, "form-action 'self'", "form-action 'self' "+o, 1))
}

func (h *handler) connectionPage(w http.ResponseWriter, r *http.Request) {
	a, i, err := h.connectionTarget(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderConnection(w, r, a, i, nil)
}

// connectionTest runs the test and shows its diagnosis on the page.
func (h *handler) connectionTest(w http.ResponseWriter, r *http.Request) {
	a, i, err := h.connectionTarget(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	res, err := h.Connect.Test(r.Context(), server.User(r.Context()), a.ID, h.localizer(r).Lang)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.renderConnection(w, r, a, i, res)
}

// weiboAuthorize sends the browser to Weibo's consent page; the state is bound to
// this session.
func (h *handler) weiboAuthorize(w http.ResponseWriter, r *http.Request) {
	a, _, err := h.connectionTarget(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	to, err := h.Connect.WeiboAuthorizeURL(r.Context(), server.User(r.Context()), server.Session(r.Context()).Hash, a.ID)
	if err != nil {
		h.redirectError(w, r, "/accounts/"+strconv.FormatInt(a.ID, 10)+"/connection", err)
		return
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// weiboCallback completes the authorisation Weibo sends the browser back with.
func (h *handler) weiboCallback(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("error") != "" || q.Get("error_code") != "" {
		// The person refused, or Weibo failed: nothing to store.
		h.setFlash(w, r, "e", h.localizer(r).T("connection.weibo_refused"))
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	id, resumed, err := h.Connect.WeiboCallback(r.Context(), server.User(r.Context()), server.Session(r.Context()).Hash, q.Get("state"), q.Get("code"), h.localizer(r).Lang)
	if err != nil {
		if id != 0 {
			h.redirectError(w, r, "/accounts/"+strconv.FormatInt(id, 10)+"/connection", err)
			return
		}
		h.fail(w, r, err)
		return
	}
	back := "/accounts/" + strconv.FormatInt(id, 10) + "/connection"
	if resumed > 0 {
		// The publications that waited for this authorisation are going out again.
		l := h.localizer(r)
		h.setFlash(w, r, "o", l.T("flash.weibo_connected")+" "+l.T("connection.resumed", resumed))
		http.Redirect(w, r, back, http.StatusSeeOther)
		return
	}
	h.redirect(w, r, back, "flash.weibo_connected")
}
