// Package apitest holds Passerelle's API contract in tests: an HTTP client whose every
// request and response under /api/ is checked against the embedded OpenAPI document,
// so the document and the handlers cannot drift apart. Only tests import it.
package apitest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/legacy"

	"github.com/passerelle-oss/passerelle/internal/api"
)

// Validator checks exchanges against the OpenAPI document. It is safe for concurrent
// use.
type Validator struct {
	doc    *openapi3.T
	router routers.Router
}

// Load parses and validates the embedded document.
func Load() (*Validator, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(api.OpenAPIYAML())
	if err != nil {
		return nil, fmt.Errorf("apitest: parse openapi.yaml: %w", err)
	}
	if !doc.IsOpenAPI31OrLater() {
		return nil, fmt.Errorf("apitest: openapi.yaml is OpenAPI %s, want 3.1", doc.OpenAPI)
	}
	// legacy.NewRouter validates the document too.
	router, err := legacy.NewRouter(doc)
	if err != nil {
		return nil, fmt.Errorf("apitest: openapi.yaml: %w", err)
	}
	csvAsText.Do(func() {
		// CSV exports may use ";" (?sep=semicolon): their schema is a string, so the
		// body is checked as text rather than parsed with a comma.
		openapi3filter.RegisterBodyDecoder("text/csv", func(r io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			b, err := io.ReadAll(r)
			return string(b), err
		})
		// SVG images (placement QR codes) are text checked as a string.
		openapi3filter.RegisterBodyDecoder("image/svg+xml", func(r io.Reader, _ http.Header, _ *openapi3.SchemaRef, _ openapi3filter.EncodingFn) (any, error) {
			b, err := io.ReadAll(r)
			return string(b), err
		})
	})
	return &Validator{doc: doc, router: router}, nil
}

var csvAsText sync.Once

// New is Load for tests: it fails the test when the document is broken.
func New(t testing.TB) *Validator {
	t.Helper()
	v, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// Doc returns the parsed document.
func (v *Validator) Doc() *openapi3.T { return v.doc }

// Documented reports whether the document describes method and path (a concrete
// path such as /api/v1/institutions/7).
func (v *Validator) Documented(method, path string) bool {
	req, err := http.NewRequest(method, path, nil)
	if err != nil {
		return false
	}
	_, _, err = v.router.FindRoute(req)
	return err == nil
}

// ErrUndocumented is returned for a request whose method and path are not in the
// document.
var ErrUndocumented = errors.New("not in the OpenAPI document")

// Exchange is one request and its response, bodies read.
type Exchange struct {
	Request      *http.Request
	RequestBody  []byte
	Status       int
	Header       http.Header
	ResponseBody []byte
}

// options require a documented status and a bearer-shaped Authorization header where
// the document asks for one; the token itself is the server's to judge.
func options() *openapi3filter.Options {
	return &openapi3filter.Options{
		IncludeResponseStatus: true,
		MultiError:            true,
		AuthenticationFunc: func(_ context.Context, in *openapi3filter.AuthenticationInput) error {
			h := in.RequestValidationInput.Request.Header.Get("Authorization")
			scheme, token, _ := strings.Cut(h, " ")
			if !strings.EqualFold(scheme, "Bearer") || strings.TrimSpace(token) == "" {
				return in.NewError(errors.New("no bearer token"))
			}
			return nil
		},
	}
}

func (v *Validator) input(e *Exchange) (*openapi3filter.RequestValidationInput, error) {
	route, params, err := v.router.FindRoute(e.Request)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", e.Request.Method, e.Request.URL.Path, ErrUndocumented)
	}
	r := e.Request.Clone(e.Request.Context())
	r.Body = io.NopCloser(bytes.NewReader(e.RequestBody))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(e.RequestBody)), nil }
	r.ContentLength = int64(len(e.RequestBody))
	return &openapi3filter.RequestValidationInput{Request: r, PathParams: params, Route: route, Options: options()}, nil
}

// ValidateRequest reports whether the request conforms to the document.
func (v *Validator) ValidateRequest(e *Exchange) error {
	in, err := v.input(e)
	if err != nil {
		return err
	}
	return openapi3filter.ValidateRequest(e.Request.Context(), in)
}

// ValidateResponse reports whether the response conforms to the document: a status
// the operation documents, the documented headers, and a body matching its schema.
// A 5xx is never documented, so it always fails.
func (v *Validator) ValidateResponse(e *Exchange) error {
	in, err := v.input(e)
	if err != nil {
		return err
	}
	return openapi3filter.ValidateResponse(e.Request.Context(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in,
		Status:                 e.Status,
		Header:                 e.Header,
		Body:                   io.NopCloser(bytes.NewReader(e.ResponseBody)),
		Options:                in.Options,
	})
}

// Check applies the contract to one exchange under /api/:
//   - the route is documented;
//   - the response conforms to the document;
//   - a request the document refuses is refused by the server with a 4xx, so the
//     server accepts nothing the document does not describe.
//
// Paths outside /api/ are not checked.
func (v *Validator) Check(e *Exchange) error {
	if !strings.HasPrefix(e.Request.URL.Path, "/api/") {
		return nil
	}
	reqErr := v.ValidateRequest(e)
	if errors.Is(reqErr, ErrUndocumented) {
		// The server agrees that the route does not exist when it answers the API's
		// JSON 404; anything else on an undocumented route is drift.
		var body struct {
			Error struct {
				Code string `json:"code"`
			} `json:"error"`
		}
		if e.Status == http.StatusNotFound && json.Unmarshal(e.ResponseBody, &body) == nil && body.Error.Code == "not_found" {
			return nil
		}
		// Likewise a method the API does not take, answered with its JSON 405.
		if e.Status == http.StatusMethodNotAllowed && json.Unmarshal(e.ResponseBody, &body) == nil && body.Error.Code == "method_not_allowed" {
			return nil
		}
		return reqErr
	}
	var errs []error
	if err := v.ValidateResponse(e); err != nil {
		errs = append(errs, fmt.Errorf("response %d does not conform: %w\nbody: %s", e.Status, err, clip(e.ResponseBody)))
	}
	if reqErr != nil && (e.Status < 400 || e.Status >= 500) {
		errs = append(errs, fmt.Errorf("the document refuses the request (%v) but the server answered %d\nrequest body: %s", reqErr, e.Status, clip(e.RequestBody)))
	}
	if len(errs) > 0 {
		return fmt.Errorf("%s %s: %w", e.Request.Method, e.Request.URL.RequestURI(), errors.Join(errs...))
	}
	return nil
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// Transport returns a RoundTripper that sends requests through next
// (http.DefaultTransport when nil) and reports every contract violation with
// t.Errorf, letting the test go on.
func (v *Validator) Transport(t testing.TB, next http.RoundTripper) http.RoundTripper {
	if next == nil {
		next = http.DefaultTransport
	}
	return &transport{t: t, v: v, next: next}
}

// Client returns an http.Client over Transport that does not follow redirects (a
// redirect is an answer to check, not to follow).
func (v *Validator) Client(t testing.TB) *http.Client {
	return &http.Client{
		Transport:     v.Transport(t, nil),
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

type transport struct {
	t    testing.TB
	v    *Validator
	next http.RoundTripper
}

func (tr *transport) RoundTrip(r *http.Request) (*http.Response, error) {
	var reqBody []byte
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		r.Body.Close()
		if err != nil {
			return nil, err
		}
		reqBody = b
		r = r.Clone(r.Context())
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(b)), nil }
	}
	resp, err := tr.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	respBody, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil {
		return nil, err
	}
	resp.Body = io.NopCloser(bytes.NewReader(respBody))
	if err := tr.v.Check(&Exchange{Request: r, RequestBody: reqBody, Status: resp.StatusCode, Header: resp.Header, ResponseBody: respBody}); err != nil {
		tr.t.Errorf("OpenAPI contract: %v", err)
	}
	return resp, nil
}

// API calls one server with one token through a validating client.
type API struct {
	t     testing.TB
	base  string
	token string
	http  *http.Client
}

// API returns a client of the server at base (http://127.0.0.1:PORT) sending token as
// a bearer token; an empty token sends none.
func (v *Validator) API(t testing.TB, base, token string) *API {
	return &API{t: t, base: strings.TrimRight(base, "/"), token: token, http: v.Client(t)}
}

// WithToken returns a copy of a sending another token.
func (a *API) WithToken(token string) *API {
	c := *a
	c.token = token
	return &c
}

// Response is an answer, body read.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends a request and fails the test on a transport error. body is nil (no body),
// a string or []byte sent as is, or any other value sent as JSON; a body is labelled
// application/json.
func (a *API) Do(method, path string, body any) *Response {
	a.t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		buf, err := json.Marshal(b)
		if err != nil {
			a.t.Fatalf("apitest: encode body: %v", err)
		}
		rd = bytes.NewReader(buf)
	}
	req, err := http.NewRequest(method, a.base+path, rd)
	if err != nil {
		a.t.Fatalf("apitest: %v", err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	resp, err := a.http.Do(req)
	if err != nil {
		a.t.Fatalf("apitest: %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		a.t.Fatalf("apitest: %s %s: read body: %v", method, path, err)
	}
	return &Response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// Want fails the test unless the status is want; it returns r for chaining.
func (r *Response) Want(t testing.TB, want int) *Response {
	t.Helper()
	if r.Status != want {
		t.Fatalf("status %d, want %d; body: %s", r.Status, want, clip(r.Body))
	}
	return r
}

// JSON decodes the body into v, failing the test when it cannot.
func (r *Response) JSON(t testing.TB, v any) {
	t.Helper()
	if err := json.Unmarshal(r.Body, v); err != nil {
		t.Fatalf("decode %s: %v", clip(r.Body), err)
	}
}

// ErrorBody is the error shape, for assertions.
type ErrorBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// Err decodes an error answer.
func (r *Response) Err(t testing.TB) ErrorBody {
	t.Helper()
	var e ErrorBody
	r.JSON(t, &e)
	return e
}
