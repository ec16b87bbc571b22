package web

import (
	"cmp"
	"context"
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// The publishing pages: each publication's delivery on the post page (state, mode and
// its reason, attempts, link, and the actions its state allows), the copy-ready kits,
// the outbox, the admin jobs page and the notifications. Every rule is the publishing
// engine's (internal/publish); the pages only choose which buttons to show.

func (h *handler) publishingRoutes() {
	s, in := h.srv, server.SignedIn
	s.HandleFunc("POST /publications/{id}/publish-now", in, h.publishNow)
	s.HandleFunc("POST /publications/{id}/mark-published", in, h.markPublished)
	s.HandleFunc("POST /publications/{id}/resolve", in, h.resolvePublication)
	s.HandleFunc("GET /publications/{id}/kit", in, h.kitPage)
	s.HandleFunc("GET /publications/{id}/kit/images.zip", in, h.kitZip)
	s.HandleFunc("GET /publications/{id}/kit/qr.png", in, h.kitQR)
	s.HandleFunc("GET /outbox", in, h.outbox)
	s.HandleFunc("GET /jobs", in, h.jobList)
	s.HandleFunc("POST /jobs/retry", in, h.jobRetry)
	s.HandleFunc("POST /jobs/cancel", in, h.jobCancel)
	s.HandleFunc("GET /notifications", in, h.notificationList)
	s.HandleFunc("POST /notifications/read", in, h.notificationRead)
}

// deliveryPanel is the post page's "Publishing" section.
type deliveryPanel struct {
	PostID      int64
	Zone        string
	CanSchedule bool
	Items       []*deliveryItem
}

// deliveryItem is one publication with its attempts and the actions its state allows.
type deliveryItem struct {
	*store.PublicationRow
	Account    string
	Attempts   []*passerelle.Attempt
	HasKit     bool
	PublishNow bool
	Mark       bool
	Resolve    bool
	// Overdue: a kit whose time has passed and that nobody has marked published.
	Overdue bool
	// ReadOnly says why no action is offered (an archived institution or account, a
	// watched account); empty otherwise.
	ReadOnly string
	// Figures are a published publication's readings (analytics_import.go).
	Figures *figuresPanel
}

// lock withdraws the actions of a publication whose account is read-only (err from
// publish.ReadOnly), and keeps the reason to show.
func (it *deliveryItem) lock(err error) {
	if err == nil {
		return
	}
	it.PublishNow, it.Mark, it.Resolve = false, false, false
	it.ReadOnly = server.Message(err)
}

// markStates are the states in which a person records a publication made by hand.
var markStates = []passerelle.DeliveryState{passerelle.DeliveryAwaitingManual, passerelle.DeliveryDraftUploaded,
	passerelle.DeliveryPending, passerelle.DeliveryScheduled, passerelle.DeliveryFailed, passerelle.DeliveryNeedsReauth}

// publishNowStates are the states from which "Publish now" starts a delivery.
var publishNowStates = []passerelle.DeliveryState{passerelle.DeliveryPending, passerelle.DeliveryScheduled, passerelle.DeliveryFailed,
	passerelle.DeliveryCancelled, passerelle.DeliveryNeedsReauth}

func approvedStatus(s passerelle.Status) bool {
	return s == passerelle.StatusApproved || s == passerelle.StatusScheduled
}

// newDeliveryItem decides which actions a publication offers to someone who may
// schedule: the engine refuses the others anyway.
func newDeliveryItem(row *store.PublicationRow, attempts []*passerelle.Attempt, canSchedule bool) *deliveryItem {
	it := &deliveryItem{PublicationRow: row, Account: row.AccountHandle, Attempts: attempts, HasKit: publish.HasKit(row.Publication)}
	if !canSchedule {
		return it
	}
	st := row.State
	approved := approvedStatus(row.PostStatus)
	it.PublishNow = approved && !it.HasKit && containsState(publishNowStates, st)
	it.Mark = (approved || row.PostStatus == passerelle.StatusPublished) &&
		(st == passerelle.DeliveryAwaitingManual || st == passerelle.DeliveryDraftUploaded || (it.HasKit && containsState(markStates, st)))
	it.Resolve = st == passerelle.DeliveryNeedsCheck
	return it
}

func containsState(list []passerelle.DeliveryState, s passerelle.DeliveryState) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// publishingPanel loads the delivery of each of a post's publications.
func (h *handler) publishingPanel(ctx context.Context, u *passerelle.User, post *passerelle.Post, inst *passerelle.Institution) (*deliveryPanel, error) {
	if h.Publish == nil || len(post.Publications) == 0 {
		return nil, nil
	}
	p := &deliveryPanel{PostID: post.ID, Zone: inst.TimeZone, CanSchedule: u.Can(post.InstitutionID, passerelle.PermSchedule)}
	names := map[int64]string{}
	for _, b := range post.Publications {
		row, attempts, err := h.Publish.Publication(ctx, u, b.ID)
		if err != nil {
			return nil, err
		}
		it := newDeliveryItem(row, attempts, p.CanSchedule)
		a, err := h.Tenancy.Account(ctx, u, b.AccountID)
		if err != nil {
			return nil, err
		}
		names[b.AccountID] = cmp.Or(a.DisplayName, a.Handle)
		it.lock(publish.ReadOnly(inst, a))
		it.Account = cmp.Or(names[b.AccountID], row.AccountHandle)
		h.publicationFiguresPanel(ctx, u, it, post.InstitutionID)
		p.Items = append(p.Items, it)
	}
	return p, nil
}

// actionTarget reads the form and where to go back to: the page the form was on, else
// the publication's post.
func (h *handler) actionTarget(w http.ResponseWriter, r *http.Request) (int64, string, bool) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return 0, "", false
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return 0, "", false
	}
	next := localPath(r.PostForm.Get("next"))
	if next == "/" {
		postID, err := h.DB.PublicationPost(r.Context(), server.User(r.Context()).OrgID, id)
		if err != nil {
			h.fail(w, r, err)
			return 0, "", false
		}
		next = postPath(postID) + "#publishing"
	}
	return id, next, true
}

func (h *handler) publishNow(w http.ResponseWriter, r *http.Request) {
	id, next, ok := h.actionTarget(w, r)
	if !ok {
		return
	}
	if _, err := h.Publish.PublishNow(r.Context(), server.User(r.Context()), id); err != nil {
		h.redirectError(w, r, next, err)
		return
	}
	h.redirect(w, r, next, "delivery.flash.publishing")
}

func (h *handler) markPublished(w http.ResponseWriter, r *http.Request) {
	id, next, ok := h.actionTarget(w, r)
	if !ok {
		return
	}
	if _, err := h.Publish.MarkPublished(r.Context(), server.User(r.Context()), id, r.PostForm.Get("url")); err != nil {
		h.redirectError(w, r, next, err)
		return
	}
	h.redirect(w, r, next, "delivery.flash.marked")
}

func (h *handler) resolvePublication(w http.ResponseWriter, r *http.Request) {
	id, next, ok := h.actionTarget(w, r)
	if !ok {
		return
	}
	outcome := r.PostForm.Get("outcome")
	if _, err := h.Publish.Resolve(r.Context(), server.User(r.Context()), id, outcome, r.PostForm.Get("url")); err != nil {
		h.redirectError(w, r, next, err)
		return
	}
	key := "delivery.flash.resolved_published"
	if outcome == "not_published" {
		key = "delivery.flash.resolved_again"
	}
	h.redirect(w, r, next, key)
}

func idString(n int64) string { return strconv.FormatInt(n, 10) }

// modeChoices are the modes the post form offers per platform: "auto" (Passerelle
// chooses, and says why) first, then the platform's own.
func modeChoices() map[passerelle.Platform][]string {
	out := make(map[passerelle.Platform][]string, len(passerelle.Modes))
	for p, modes := range passerelle.Modes {
		out[p] = append([]string{passerelle.ModeAuto}, modes...)
	}
	return out
}
