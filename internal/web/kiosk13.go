package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// The kiosk panel of a tour's and an exhibition's screens (its address, QR code,
// operator's page and settings), and the reordering of an exhibition's rooms and
// works with up and down buttons.

func (h *handler) kioskRoutes() {
	s, in := h.srv, server.SignedIn
	s.HandleFunc("POST /tours/{id}/kiosk", in, h.kioskSave("t"))
	s.HandleFunc("POST /exhibitions/{id}/kiosk", in, h.kioskSave("e"))
	s.HandleFunc("GET /tours/{id}/kiosk-qr.svg", in, h.kioskQR("t"))
	s.HandleFunc("GET /exhibitions/{id}/kiosk-qr.svg", in, h.kioskQR("e"))
	s.HandleFunc("POST /exhibitions/{id}/rooms/move", in, h.exhibitionMove(false))
	s.HandleFunc("POST /exhibitions/{id}/works/move", in, h.exhibitionMove(true))
}

// kioskPanel is the data of the kiosk panel.
type kioskPanel struct {
	Kind      string // "t" or "e"
	Path      string // the tour's or exhibition's screen
	Published bool
	URL       string
	StatusURL string
	CanWrite  bool
	Form      *form
}

func (h *handler) kioskPanelData(r *http.Request, kind string, id int64, published bool) (*kioskPanel, error) {
	ctx := r.Context()
	u := server.User(ctx)
	k, token, err := h.Visit.Kiosk(ctx, u, kind, id)
	if err != nil {
		return nil, err
	}
	p := &kioskPanel{Kind: kind, Path: tourPath(id), Published: published, URL: h.Visit.KioskURL(kind, token), StatusURL: h.Visit.KioskStatusURL(kind, token),
		Form: &form{Values: url.Values{"pace_seconds": {strconv.Itoa(k.PaceSeconds)}, "idle_seconds": {strconv.Itoa(k.IdleSeconds)}}, Errors: map[string]string{}}}
	if kind == "e" {
		p.Path = exhibitionPath(id)
	}
	return p, nil
}

// seconds reads a whole number of seconds; anything else is -1, which the settings'
// validation refuses with its message.
func seconds(f *form, name string) int {
	n, err := strconv.Atoi(strings.TrimSpace(f.Get(name)))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

func (h *handler) kioskSave(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, f, ok := h.postedForm(w, r)
		if !ok {
			return
		}
		k := passerelle.Kiosk{PaceSeconds: seconds(f, "pace_seconds"), IdleSeconds: seconds(f, "idle_seconds")}
		if err := h.Visit.SetKiosk(r.Context(), server.User(r.Context()), kind, id, k); err != nil {
			if kind == "e" {
				h.exhibitionError(w, r, id, f, func(p *exhibitionPageData) { p.Kiosk.Form = f }, err)
			} else {
				h.tourError(w, r, id, f, func(p *tourPageData) { p.Kiosk.Form = f }, err)
			}
			return
		}
		to := tourPath(id)
		if kind == "e" {
			to = exhibitionPath(id)
		}
		h.redirect(w, r, to+"#kiosk", "kiosk13.saved")
	}
}

func (h *handler) kioskQR(kind string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, err := pathID(r)
		if err != nil {
			h.fail(w, r, err)
			return
		}
		_, token, err := h.Visit.Kiosk(r.Context(), server.User(r.Context()), kind, id)
		if err == nil {
			name := "tour"
			if kind == "e" {
				name = "exhibition"
			}
			err = writeQR(w, h.Visit.KioskURL(kind, token), "kiosk-"+name+"-"+strconv.FormatInt(id, 10)+".svg")
		}
		if err != nil {
			h.fail(w, r, err)
		}
	}
}

// exhibitionMove moves a room (or a work within its room) one place up or down.
func (h *handler) exhibitionMove(work bool) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id, f, ok := h.postedForm(w, r)
		if !ok {
			return
		}
		room, err := strconv.Atoi(f.Get("room"))
		if err != nil {
			room = -1
		}
		from, to := -1, 0
		if work {
			if from, err = strconv.Atoi(f.Get("work")); err != nil || from < 0 {
				h.redirectError(w, r, exhibitionPath(id)+"#rooms", &passerelle.Error{Code: passerelle.EINVALID, Message: "Choose a work."})
				return
			}
		}
		at := room
		if work {
			at = from
		}
		switch f.Get("dir") {
		case "up":
			to = at - 1
		case "down":
			to = at + 1
		default:
			h.fail(w, r, errBadForm)
			return
		}
		if _, err := h.Visit.MoveInExhibition(r.Context(), server.User(r.Context()), id, room, from, to); err != nil {
			if passerelle.ErrorCode(err) == passerelle.EINVALID {
				h.redirectError(w, r, exhibitionPath(id)+"#rooms", err)
				return
			}
			h.fail(w, r, err)
			return
		}
		anchor := "#room-" + strconv.Itoa(to)
		if work {
			anchor = "#room-" + strconv.Itoa(room)
		}
		h.redirect(w, r, exhibitionPath(id)+anchor, "kiosk13.moved")
	}
}

// NotLast says whether position i of a list of n has an element after it (the down
// button).
func (p *exhibitionPageData) NotLast(i, n int) bool { return i+1 < n }
