package web

import (
	"net/http"
	"strconv"

	"github.com/passerelle-oss/passerelle"

	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// The signed-in user's notifications: failures, unknown outcomes, authorisations to
// renew, kits and drafts that are due.

// notificationsLimit bounds the page: the newest notifications.
const notificationsLimit = 200

type notificationsPage struct {
	Items  []*store.Notification
	Unread int
}

func (h *handler) notificationList(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := server.User(ctx)
	items, err := h.DB.Notifications(ctx, u.ID, false, notificationsLimit)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p := &notificationsPage{Items: items}
	for _, n := range items {
		if n.ReadAt == nil {
			p.Unread++
		}
	}
	h.render(w, r, view{name: "notifications", title: "notifications.title", nav: "notifications"}, p)
}

// notificationRead marks one of the user's notifications read (the form's id), or
// all of them when no id is given. The store matches the user too, so another user's
// id changes nothing.
func (h *handler) notificationRead(w http.ResponseWriter, r *http.Request) {
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	var id int64
	if v := r.PostForm.Get("id"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			h.fail(w, r, passerelle.ErrNotFound)
			return
		}
		id = n
	}
	if err := h.DB.MarkNotificationsRead(r.Context(), server.User(r.Context()).ID, id); err != nil {
		h.fail(w, r, err)
		return
	}
	key := "notifications.flash.all_read"
	if id > 0 {
		key = ""
	}
	h.redirect(w, r, "/notifications", key)
}
