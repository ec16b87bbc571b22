package server

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"sync"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/i18n"
)

// statuses maps each domain error code to its HTTP status: the one place it is done.
var statuses = map[string]int{
	passerelle.EINVALID:         http.StatusUnprocessableEntity,
	passerelle.ENOTFOUND:        http.StatusNotFound,
	passerelle.ECONFLICT:        http.StatusConflict,
	passerelle.EFORBIDDEN:       http.StatusForbidden,
	passerelle.EUNAUTHENTICATED: http.StatusUnauthorized,
	passerelle.ERATELIMITED:     http.StatusTooManyRequests,
	passerelle.EUNAVAILABLE:     http.StatusServiceUnavailable,
	passerelle.ETOOLARGE:        http.StatusRequestEntityTooLarge,
	passerelle.EUNSUPPORTED:     http.StatusUnsupportedMediaType,
	passerelle.EINTERNAL:        http.StatusInternalServerError,
}

// ErrBadRequest is the code of an unreadable request (malformed JSON or form): 400.
const ErrBadRequest = "bad_request"

// ErrMethodNotAllowed is the code of a method no route takes (OPTIONS, TRACE): 405.
const ErrMethodNotAllowed = "method_not_allowed"

// Status returns the HTTP status for err.
func Status(err error) int {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return http.StatusRequestEntityTooLarge
	}
	code := passerelle.ErrorCode(err)
	if code == ErrBadRequest {
		return http.StatusBadRequest
	}
	if code == ErrMethodNotAllowed {
		return http.StatusMethodNotAllowed
	}
	if st, ok := statuses[code]; ok {
		return st
	}
	return http.StatusInternalServerError
}

// Code returns the error code shown to clients.
func Code(err error) string {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return passerelle.ETOOLARGE
	}
	code := passerelle.ErrorCode(err)
	if _, ok := statuses[code]; ok || code == ErrBadRequest || code == ErrMethodNotAllowed {
		return code
	}
	return passerelle.EINTERNAL
}

// Message returns the message shown to clients.
func Message(err error) string {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return "The request body is too large."
	}
	return passerelle.ErrorMessage(err)
}

// LogError logs err when it is internal; other codes are the client's doing.
func (s *Server) LogError(r *http.Request, err error) {
	if Status(err) >= 500 {
		s.opts.Logger.ErrorContext(r.Context(), "request failed", slog.String("route", r.Pattern), slog.Any("error", err), slog.String("request_id", RequestID(r.Context())))
	}
}

// ErrorBody is the JSON form of an error.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is inside ErrorBody.
type ErrorDetail struct {
	Code    string            `json:"code"`
	Message string            `json:"message"`
	Fields  map[string]string `json:"fields,omitempty"`
}

// Error writes err as JSON and logs it when internal. The message and the fields'
// messages are in the language of the request's Accept-Language (else the signed-in
// user's, else English), and Content-Language says which.
func (s *Server) Error(w http.ResponseWriter, r *http.Request, err error) {
	s.LogError(r, err)
	d := ErrorDetail{Code: Code(err), Message: Message(err), Fields: passerelle.ErrorFields(err)}
	if c := s.opts.Catalog; c != nil {
		lang := c.Match(r.Header.Get("Accept-Language"))
		if u := User(r.Context()); lang == "" && u != nil && i18n.Valid(u.Locale) {
			lang = u.Locale
		}
		if lang == "" {
			lang = i18n.Fallback
		}
		l := c.Localizer(lang)
		d.Message = Translate(l, d.Message)
		if len(d.Fields) > 0 {
			fields := make(map[string]string, len(d.Fields))
			for k, v := range d.Fields {
				fields[k] = Translate(l, v)
			}
			d.Fields = fields
		}
		w.Header().Set("Content-Language", l.Lang)
	}
	WriteJSON(w, Status(err), ErrorBody{Error: d})
}

// Translate returns a user-safe domain message (written in English in the code) in
// l's language: the catalog carries it under "msg." + the English text, or under
// "msg." + the English format for a message with values (i18n.Localizer.Domain). A
// message the catalog lacks is returned as it is.
func Translate(l *i18n.Localizer, msg string) string {
	return l.Domain(msg)
}

// Catalog is the catalog given in Options (nil when none was).
func (s *Server) Catalog() *i18n.Catalog { return s.opts.Catalog }

var jsonBuffers = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// WriteJSON writes v with status. The body is encoded before the header goes out, so
// an encoding failure is a clean 500 and the response carries a Content-Length.
func WriteJSON(w http.ResponseWriter, status int, v any) {
	buf := jsonBuffers.Get().(*bytes.Buffer)
	defer func() {
		if buf.Cap() <= 1<<20 {
			buf.Reset()
			jsonBuffers.Put(buf)
		}
	}()
	enc := json.NewEncoder(buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		http.Error(w, `{"error":{"code":"internal","message":"Internal error."}}`, http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Content-Length", strconv.Itoa(buf.Len()))
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
