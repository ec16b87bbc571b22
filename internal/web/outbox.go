package web

import (
	"cmp"
	"net/http"
	"strconv"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// outboxPage is the organization's outbox: what goes out soon, what is going out, and
// what needs a person.
type outboxPage struct {
	DueSoon, Publishing, Attention []*deliveryItem
	Institutions                   []*passerelle.Institution
	Accounts                       []*passerelle.Account
	Names                          map[int64]string
	Zones                          map[int64]string
	InstitutionID, AccountID       int64
	State                          string
	States                         []passerelle.DeliveryState
	Next                           string
}

// outboxStates are the states the outbox lists, in its filter's order.
var outboxStates = []passerelle.DeliveryState{passerelle.DeliveryScheduled, passerelle.DeliveryPublishing, passerelle.DeliveryFailed,
	passerelle.DeliveryNeedsCheck, passerelle.DeliveryNeedsReauth, passerelle.DeliveryAwaitingManual, passerelle.DeliveryDraftUploaded}

// outboxHorizon is how far ahead "due soon" looks.
const outboxHorizon = 7 * 24 * time.Hour

func (h *handler) outbox(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := server.User(ctx)
	q := r.URL.Query()
	p := &outboxPage{Names: map[int64]string{}, Zones: map[int64]string{}, States: outboxStates, Next: r.URL.RequestURI()}
	p.InstitutionID, _ = strconv.ParseInt(q.Get("institution_id"), 10, 64)
	p.AccountID, _ = strconv.ParseInt(q.Get("account_id"), 10, 64)
	p.State = q.Get("state")
	insts, err := h.Tenancy.Institutions(ctx, u, false, tenancy.Page{})
	if err != nil {
		h.fail(w, r, err)
		return
	}
	lang := h.localizer(r).Lang
	for _, i := range insts {
		p.Names[i.ID], p.Zones[i.ID] = instName(i, lang), i.TimeZone
		accs, err := h.Tenancy.Accounts(ctx, u, i.ID, false, tenancy.Page{})
		if err != nil {
			h.fail(w, r, err)
			return
		}
		for _, a := range accs {
			if a.Kind == passerelle.AccountManaged {
				p.Accounts = append(p.Accounts, a)
			}
		}
	}
	p.Institutions = insts
	f := store.PublicationFilter{AccountID: p.AccountID, States: outboxStates}
	if st := passerelle.DeliveryState(p.State); containsState(outboxStates, st) {
		f.States = []passerelle.DeliveryState{st}
	} else {
		p.State = ""
	}
	rows, err := h.Publish.Publications(ctx, u, f)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	horizon := h.Now().Add(outboxHorizon)
	accName := map[int64]string{}
	readOnly := map[int64]error{}
	for _, a := range p.Accounts {
		accName[a.ID] = cmp.Or(a.DisplayName, a.Handle)
	}
	for _, row := range rows {
		if p.InstitutionID > 0 && row.InstitutionID != p.InstitutionID {
			continue
		}
		it := newDeliveryItem(row, nil, u.Can(row.InstitutionID, passerelle.PermSchedule))
		it.Account = cmp.Or(accName[row.AccountID], row.AccountHandle)
		ro, seen := readOnly[row.AccountID]
		if !seen {
			ro = h.Publish.ReadOnlyAccount(ctx, u.OrgID, row.AccountID)
			if ro != nil && passerelle.ErrorCode(ro) != passerelle.EINVALID {
				h.fail(w, r, ro)
				return
			}
			readOnly[row.AccountID] = ro
		}
		it.lock(ro)
		it.Overdue = row.State == passerelle.DeliveryAwaitingManual && row.ScheduledAt != nil && row.ScheduledAt.Before(h.Now())
		switch {
		case row.State == passerelle.DeliveryScheduled:
			if p.State != "" || (row.ScheduledAt != nil && row.ScheduledAt.Before(horizon)) {
				p.DueSoon = append(p.DueSoon, it)
			}
		case row.State == passerelle.DeliveryPublishing:
			p.Publishing = append(p.Publishing, it)
		default:
			p.Attention = append(p.Attention, it)
		}
	}
	h.render(w, r, view{name: "outbox", title: "outbox.title", nav: "outbox"}, p)
}
