// Package api is Passerelle's JSON API under /api/v1, described by the OpenAPI document
// embedded beside it and served at /api/openapi.json. Lists answer
// {"items": [...], "next_cursor": ...}; errors answer
// {"error": {"code", "message", "fields"}}.
package api

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"sort"
	"strconv"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

//go:embed openapi.yaml
var openAPIYAML []byte

// OpenAPIYAML returns the embedded OpenAPI document, for tests that validate against it.
func OpenAPIYAML() []byte { return openAPIYAML }

// Handler serves the API.
type Handler struct {
	srv     *server.Server
	tenancy *tenancy.Service
	auth    *auth.Service

	specOnce sync.Once
	specJSON []byte
	specErr  error
}

// Register adds the API routes to srv.
func Register(srv *server.Server, t *tenancy.Service, a *auth.Service) *Handler {
	h := &Handler{srv: srv, tenancy: t, auth: a}
	srv.HandleFunc("GET /api/openapi.json", server.Public, h.openAPI)
	// Unknown API paths answer in JSON like the rest of the API.
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		srv.HandleFunc(m+" /api/", server.Public, h.noRoute)
	}
	// Methods no API route takes answer the JSON error shape too, not text/plain.
	for _, m := range []string{"OPTIONS", "TRACE"} {
		srv.HandleFunc(m+" /api/", server.Public, h.noMethod)
	}

	srv.HandleFunc("GET /api/v1/me", server.API, h.me)

	srv.HandleFunc("GET /api/v1/institutions", server.API, h.listInstitutions)
	srv.HandleFunc("POST /api/v1/institutions", server.API, h.createInstitution)
	srv.HandleFunc("GET /api/v1/institutions/{id}", server.API, h.getInstitution)
	srv.HandleFunc("PATCH /api/v1/institutions/{id}", server.API, h.updateInstitution)
	srv.HandleFunc("DELETE /api/v1/institutions/{id}", server.API, h.archiveInstitution)
	srv.HandleFunc("POST /api/v1/institutions/{id}/restore", server.API, h.restoreInstitution)

	srv.HandleFunc("GET /api/v1/institutions/{id}/accounts", server.API, h.listAccounts)
	srv.HandleFunc("POST /api/v1/institutions/{id}/accounts", server.API, h.createAccount)
	srv.HandleFunc("GET /api/v1/accounts/{id}", server.API, h.getAccount)
	srv.HandleFunc("PATCH /api/v1/accounts/{id}", server.API, h.updateAccount)
	srv.HandleFunc("DELETE /api/v1/accounts/{id}", server.API, h.archiveAccount)
	srv.HandleFunc("PUT /api/v1/accounts/{id}/credentials", server.API, h.putCredentials)
	srv.HandleFunc("GET /api/v1/accounts/{id}/credentials", server.API, h.getCredentials)

	srv.HandleFunc("GET /api/v1/users", server.API, h.listUsers)
	srv.HandleFunc("POST /api/v1/users", server.API, h.createUser)
	srv.HandleFunc("GET /api/v1/users/{id}", server.API, h.getUser)
	srv.HandleFunc("PATCH /api/v1/users/{id}", server.API, h.updateUser)

	srv.HandleFunc("GET /api/v1/tokens", server.API, h.listTokens)
	srv.HandleFunc("POST /api/v1/tokens", server.API, h.createToken)
	srv.HandleFunc("DELETE /api/v1/tokens/{id}", server.API, h.revokeToken)

	srv.HandleFunc("GET /api/v1/audit", server.API, h.listAudit)
	srv.HandleFunc("POST /api/v1/followers/erase", server.API, h.eraseFollower)
	return h
}

func (h *Handler) openAPI(w http.ResponseWriter, r *http.Request) {
	h.specOnce.Do(func() {
		var doc any
		if h.specErr = yaml.Unmarshal(openAPIYAML, &doc); h.specErr == nil {
			h.specJSON, h.specErr = json.Marshal(doc)
		}
	})
	if h.specErr != nil {
		h.srv.Error(w, r, fmt.Errorf("api: openapi document: %w", h.specErr))
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "public, max-age=300")
	w.Write(h.specJSON)
}

// list is the shape of every list answer.
type list[T any] struct {
	Items      []T     `json:"items"`
	NextCursor *string `json:"next_cursor"`
}

const (
	defaultLimit = 100
	maxLimit     = 500
)

// page reads ?limit= and ?cursor= (an opaque id).
func page(r *http.Request) (tenancy.Page, error) {
	p := tenancy.Page{Limit: defaultLimit}
	q := r.URL.Query()
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > maxLimit {
			return p, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some parameters are invalid.", Fields: map[string]string{"limit": fmt.Sprintf("Use a number from 1 to %d.", maxLimit)}}
		}
		p.Limit = n
	}
	if s := q.Get("cursor"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n < 0 {
			return p, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some parameters are invalid.", Fields: map[string]string{"cursor": "Invalid cursor."}}
		}
		p.AfterID = n
	}
	return p, nil
}

// paged trims items fetched with Limit+1 and computes the next cursor.
func paged[T any](items []T, limit int, id func(T) int64) list[T] {
	out := list[T]{Items: items}
	if out.Items == nil {
		out.Items = []T{}
	}
	if len(items) > limit {
		out.Items = items[:limit]
		c := strconv.FormatInt(id(items[limit-1]), 10)
		out.NextCursor = &c
	}
	return out
}

func pathID(r *http.Request) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || id <= 0 {
		return 0, passerelle.ErrNotFound
	}
	return id, nil
}

func badRequest(msg string) error {
	return &passerelle.Error{Code: server.ErrBadRequest, Message: msg}
}

// decode reads a JSON object into v: malformed JSON is a 400, a wrongly typed or
// unknown field a 422 naming the field, a body over the limit a 413. The Content-Type
// is not checked: clients such as curl -d label JSON as a form, and the body is what
// counts. Field names must match exactly: encoding/json alone would take "NAME" for
// "name", and null for {}, neither of which the OpenAPI document allows.
func decode(r *http.Request, v any) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return err
		}
		return badRequest("The request body could not be read.")
	}
	var raw json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	switch err := dec.Decode(&raw); {
	case errors.Is(err, io.EOF):
		return badRequest("The request body is empty; send a JSON object.")
	case err != nil:
		return badRequest("The request body is not valid JSON.")
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("The body must hold one JSON object and nothing after it.")
	}
	if raw[0] != '{' {
		return badRequest("The request body must be a JSON object.")
	}
	if name := unknownField(raw, reflect.TypeOf(v), ""); name != "" {
		return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{name: "Unknown field."}}
	}
	dec = json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	err = dec.Decode(v)
	var ute *json.UnmarshalTypeError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &ute) && ute.Field != "":
		return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{ute.Field: "Must be " + jsonKind(ute.Type.Kind().String()) + "."}}
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some fields are invalid.", Fields: map[string]string{name: "Unknown field."}}
	}
	return badRequest("The request body could not be read.")
}

// unknownField returns the dotted path of the first key, in sorted order, of the JSON
// value data that type t does not name exactly, or "" when there is none. Values of
// the wrong shape are left to the decoder to report.
func unknownField(data []byte, t reflect.Type, prefix string) string {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) != nil {
			return ""
		}
		fields := map[string]reflect.Type{}
		for i := range t.NumField() {
			f := t.Field(i)
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			if name == "" {
				name = f.Name
			}
			if f.IsExported() && name != "-" {
				fields[name] = f.Type
			}
		}
		keys := make([]string, 0, len(obj))
		for k := range obj {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ft, ok := fields[k]
			if !ok {
				return prefix + k
			}
			if name := unknownField(obj[k], ft, prefix+k+"."); name != "" {
				return name
			}
		}
	case reflect.Slice:
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return ""
		}
		for _, item := range items {
			if name := unknownField(item, t.Elem(), prefix); name != "" {
				return name
			}
		}
	}
	return ""
}

func jsonKind(k string) string {
	switch k {
	case "string":
		return "a string"
	case "int", "int64", "int32", "float64", "uint", "uint64":
		return "a number"
	case "bool":
		return "true or false"
	case "slice":
		return "an array"
	case "struct", "map":
		return "an object"
	case "ptr":
		return "a value of the right type"
	}
	return "of the right type"
}

func (h *Handler) fail(w http.ResponseWriter, r *http.Request, err error) { h.srv.Error(w, r, err) }

func (h *Handler) noRoute(w http.ResponseWriter, r *http.Request) {
	h.fail(w, r, passerelle.Errorf(passerelle.ENOTFOUND, "No such API route: see /api/openapi.json."))
}

func (h *Handler) noMethod(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Allow", "GET, HEAD, POST, PUT, PATCH, DELETE")
	h.fail(w, r, passerelle.Errorf(server.ErrMethodNotAllowed, "The API does not take %s requests: see /api/openapi.json.", r.Method))
}

func (h *Handler) me(w http.ResponseWriter, r *http.Request) {
	server.WriteJSON(w, http.StatusOK, server.User(r.Context()))
}
