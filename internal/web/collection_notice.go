package web

import (
	"net/http"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// A notice when an account's collection of figures has stopped: its authorisation
// expired (until it is connected again), the platform rate-limited or refused it (until
// a time), or its budget of calls is used (until the next hour or Beijing day). Shown on
// the institution page beside the account, on the account's connection page and on the
// analytics pages, from the state GET /api/v1/accounts/{id}/collection answers.

// collectionNotice is one account's stopped collection.
type collectionNotice struct {
	AccountID int64
	Account   string // "Weibo — name"
	Text      string
	Detail    string // the platform's last error, as it answered
	// Reconnect links to the connection page (the user may manage the account).
	Reconnect bool
}

// collectionNotice says whether and why an account's collection has stopped ("" when it
// runs).
func (h *handler) collectionNotice(r *http.Request, a *passerelle.Account, zone string) (*collectionNotice, error) {
	if h.Analytics == nil || a.Kind != passerelle.AccountManaged || a.ArchivedAt != nil || (a.Platform != passerelle.Weibo && a.Platform != passerelle.WeChat) {
		return nil, nil
	}
	u := server.User(r.Context())
	st, err := h.Analytics.AccountCollection(r.Context(), u, a.ID)
	if err != nil {
		return nil, err
	}
	l := h.localizer(r)
	n := &collectionNotice{AccountID: a.ID, Account: l.T("analytics.platform."+string(a.Platform)) + " — " + accountName(a), Detail: st.LastError}
	now := h.Now()
	switch {
	case st.NeedsReauth:
		n.Text = l.T("charts11.collect.reauth", n.Account)
		n.Reconnect = u.Can(a.InstitutionID, passerelle.PermManage)
	case st.BlockedUntil != nil:
		n.Text = l.T("charts11.collect.blocked", n.Account, l.DateTime(*st.BlockedUntil, zone))
	case st.Limit > 0 && a.Platform == passerelle.Weibo && st.CallsThisHour >= st.Limit:
		n.Text = l.T("charts11.collect.quota_hour", n.Account, st.Limit, l.DateTime(now.UTC().Truncate(time.Hour).Add(time.Hour), zone))
		n.Detail = ""
	case st.Limit > 0 && a.Platform == passerelle.WeChat && st.CallsToday >= st.Limit:
		b := now.In(analytics.Beijing)
		next := time.Date(b.Year(), b.Month(), b.Day()+1, 0, 0, 0, 0, analytics.Beijing)
		n.Text = l.T("charts11.collect.quota_day", n.Account, st.Limit, l.DateTime(next, zone))
		n.Detail = ""
	default:
		return nil, nil
	}
	return n, nil
}

func accountName(a *passerelle.Account) string {
	if a.DisplayName != "" {
		return a.DisplayName
	}
	return a.Handle
}

// collectionNotices are the notices of an institution's accounts.
func (h *handler) collectionNotices(r *http.Request, institutionID int64) ([]collectionNotice, error) {
	if h.Analytics == nil {
		return nil, nil
	}
	u := server.User(r.Context())
	inst, err := h.Tenancy.Institution(r.Context(), u, institutionID)
	if err != nil {
		return nil, err
	}
	accounts, err := h.Tenancy.Accounts(r.Context(), u, institutionID, false, tenancy.Page{})
	if err != nil {
		return nil, err
	}
	return h.noticesOf(r, accounts, inst.TimeZone)
}

func (h *handler) noticesOf(r *http.Request, accounts []*passerelle.Account, zone string) ([]collectionNotice, error) {
	var out []collectionNotice
	for _, a := range accounts {
		n, err := h.collectionNotice(r, a, zone)
		if err != nil {
			return nil, err
		}
		if n != nil {
			out = append(out, *n)
		}
	}
	return out, nil
}
