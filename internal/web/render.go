package web

import (
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/server"
)

// page is what the layout receives; Data is the view's own.
type page struct {
	Lang  string
	User  *passerelle.User
	Title string // catalog key
	Nav   string // which navigation entry is current
	Path  string // the request's path and query, for the language switch
	Flash *flash
	Demo  bool
	// Unread counts the signed-in user's unread notifications, for the header.
	Unread int
	// JobsAdmin shows the jobs page in the navigation.
	JobsAdmin bool
	// Analytics shows the organization's analytics page in the navigation.
	Analytics bool
	Data      any
}

// view names a page to render with its title and navigation entry.
type view struct {
	name, title, nav string
	status           int
	// bare renders without the signed-in shell (no navigation, no account menu),
	// for pages shown to people without an account such as a guest reviewer.
	bare bool
}

func (h *handler) localizer(r *http.Request) *localizer {
	return h.catalog.localizer(h.catalog.negotiate(r, server.User(r.Context())))
}

// render writes a page. HTML pages are personal: never stored by caches.
func (h *handler) render(w http.ResponseWriter, r *http.Request, v view, data any) {
	l := h.localizer(r)
	p := &page{Lang: l.Lang, User: server.User(r.Context()), Title: v.title, Nav: v.nav, Path: r.URL.RequestURI(), Flash: h.takeFlash(w, r), Demo: h.Demo, Data: data}
	if v.bare {
		p.User = nil
	}
	if p.User != nil {
		p.Unread, _ = h.DB.UnreadNotifications(r.Context(), p.User.ID)
		p.JobsAdmin = canAdminJobs(p.User)
		p.Analytics = h.Analytics != nil
	}
	body, err := h.views.render(v.name, l, p)
	if err != nil {
		h.srv.LogError(r, err)
		http.Error(w, "Internal error.", http.StatusInternalServerError)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", "text/html; charset=utf-8")
	hd.Set("Cache-Control", "no-store")
	hd.Set("Content-Language", l.Lang)
	hd.Set("Vary", "Cookie, Accept-Language")
	status := v.status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	if r.Method != http.MethodHead {
		w.Write(body)
	}
}

// showPage renders v for the object named by the path's {id}, its data read by load.
func showPage[P any](h *handler, w http.ResponseWriter, r *http.Request, v view, load func(*http.Request, int64) (P, error)) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	p, err := load(r, id)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	h.render(w, r, v, p)
}

// showFormErrors renders v again after err refused the form f: the page of object id
// as showPage reads it, with set putting f in its place (set may be nil), and err's
// status (422, 409…). An error the form cannot show, or one reading the page, renders
// the error page.
func showFormErrors[P any](h *handler, w http.ResponseWriter, r *http.Request, v view, load func(*http.Request, int64) (P, error), id int64, f *form, set func(P), err error) {
	if !f.setError(err) {
		h.fail(w, r, err)
		return
	}
	p, lerr := load(r, id)
	if lerr != nil {
		h.fail(w, r, lerr)
		return
	}
	if set != nil {
		set(p)
	}
	v.status = server.Status(err)
	h.render(w, r, v, p)
}

// errorPage is the data of the error view.
type errorPage struct {
	Status  int
	Message string // a domain message, translated by the template
}

// fail renders err as an HTML error page: the one place where HTML errors are mapped
// through server.Status. Not-found answers the same page whatever the cause, so a
// foreign resource cannot be told from a missing one.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	h.failView(w, r, err, false)
}

// failView is fail, bare for the pages of people without an account.
func (h *handler) failView(w http.ResponseWriter, r *http.Request, err error, bare bool) {
	h.srv.LogError(r, err)
	status := server.Status(err)
	msg := server.Message(err)
	switch {
	case status == http.StatusNotFound:
		msg = ""
	case status >= 500:
		msg = "Internal error."
	}
	h.render(w, r, view{name: "error", title: "error." + strconv.Itoa(status), status: status, bare: bare}, errorPage{Status: status, Message: msg})
}

func (h *handler) notFound(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, passerelle.ErrNotFound)
}

// flash is a one-time message shown after a redirect (Post/Redirect/Get).
type flash struct {
	Error bool
	Key   string // catalog key, or "" when Text is a domain message
	Text  string
}

const flashCookie = "passerelle_flash"

// redirect answers 303 to a local path with a flash message from the catalog.
func (h *handler) redirect(w http.ResponseWriter, r *http.Request, to, key string) {
	if key != "" {
		h.setFlash(w, r, "k", key)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// redirectError answers 303 with err's message as a flash, for buttons that have no
// form to show the error beside: only for refusals that depend on the data (the last
// owner, oneself). Anything else — not found, not allowed, internal — renders its
// error page, so the status tells what happened.
func (h *handler) redirectError(w http.ResponseWriter, r *http.Request, to string, err error) {
	switch passerelle.ErrorCode(err) {
	case passerelle.ECONFLICT, passerelle.EINVALID:
		h.setFlash(w, r, "e", server.Message(err))
		http.Redirect(w, r, to, http.StatusSeeOther)
	default:
		h.fail(w, r, err)
	}
}

func (h *handler) setFlash(w http.ResponseWriter, r *http.Request, kind, text string) {
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + text)),
		Path: "/", MaxAge: 60, HttpOnly: true, Secure: h.srv.IsSecure(r), SameSite: http.SameSiteLaxMode})
}

// takeFlash reads and clears the flash cookie. Its content came from this server, but
// a cookie is outside input: anything malformed is dropped, and the text is escaped by
// the template like any other.
func (h *handler) takeFlash(w http.ResponseWriter, r *http.Request) *flash {
	c, err := r.Cookie(flashCookie)
	if err != nil {
		return nil
	}
	http.SetCookie(w, &http.Cookie{Name: flashCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: h.srv.IsSecure(r), SameSite: http.SameSiteLaxMode})
	return parseFlash(c.Value)
}

func parseFlash(v string) *flash {
	b, err := base64.RawURLEncoding.DecodeString(v)
	if err != nil || len(b) > 500 {
		return nil
	}
	kind, text, ok := strings.Cut(string(b), ":")
	if !ok || text == "" {
		return nil
	}
	switch kind {
	case "k":
		return &flash{Key: text}
	case "e":
		return &flash{Error: true, Text: text}
	case "o":
		return &flash{Text: text}
	}
	return nil
}

// localPath returns next when it is a path on this site, else "/": a sign-in link must
// not send anyone elsewhere.
func localPath(next string) string {
	if next == "" || next[0] != '/' || strings.HasPrefix(next, "//") || strings.ContainsAny(next, "\\\r\n\t") {
		return "/"
	}
	u, err := url.Parse(next)
	if err != nil || u.Scheme != "" || u.Host != "" {
		return "/"
	}
	return next
}

// pathID reads the {id} of the route; anything but a positive integer is not found.
func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, passerelle.ErrNotFound
	}
	return id, nil
}

// errBadForm reports a body that could not be read as a form.
var errBadForm = &passerelle.Error{Code: server.ErrBadRequest, Message: "The form could not be read."}

// parseForm reads a urlencoded body; a body over the route's limit keeps its own error.
func parseForm(r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return errBadForm
	}
	return nil
}

// form carries submitted values and their errors back to the page.
type form struct {
	Values  url.Values
	Errors  map[string]string
	Message string // the error's message, shown above the form
}

// postedForm reads the path's {id} and the posted form of a page that changes one
// object; on a bad id or form it answers (h.fail) and ok is false.
func (h *handler) postedForm(w http.ResponseWriter, r *http.Request) (id int64, f *form, ok bool) {
	id, err := pathID(r)
	if err == nil {
		err = parseForm(r)
	}
	if err != nil {
		h.fail(w, r, err)
		return 0, nil, false
	}
	return id, newForm(r), true
}

func newForm(r *http.Request) *form { return &form{Values: r.PostForm, Errors: map[string]string{}} }

// Get returns a submitted value.
func (f *form) Get(name string) string {
	if f == nil || f.Values == nil {
		return ""
	}
	return f.Values.Get(name)
}

// Err returns the error of a field.
func (f *form) Err(name string) string {
	if f == nil {
		return ""
	}
	return f.Errors[name]
}

// Checked reports whether a checkbox was ticked.
func (f *form) Checked(name string) bool { return f.Get(name) != "" }

// setError records err on the form; it reports false when err is not a validation
// or conflict error, which the caller then renders as an error page.
func (f *form) setError(err error) bool {
	switch passerelle.ErrorCode(err) {
	case passerelle.EINVALID, passerelle.ECONFLICT, passerelle.EUNAUTHENTICATED, passerelle.ERATELIMITED:
	default:
		return false
	}
	f.Message = server.Message(err)
	for k, v := range passerelle.ErrorFields(err) {
		f.Errors[k] = v
	}
	return true
}
