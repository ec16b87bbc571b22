package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"go.yaml.in/yaml/v3"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/api"
	"github.com/passerelle-oss/passerelle/internal/store"
)

type institutionList struct {
	Items      []passerelle.Institution `json:"items"`
	NextCursor *string                  `json:"next_cursor"`
}

type accountList struct {
	Items      []passerelle.Account `json:"items"`
	NextCursor *string              `json:"next_cursor"`
}

// TestDocumentCoversRoutes: every route Register adds is documented. (That every
// documented operation is served by Main is cmd/passerelle's TestAPIRoutesDocumented:
// other packages register API routes too.)
func TestDocumentCoversRoutes(t *testing.T) {
	t.Parallel()
	b := sqlite(t)
	n := 0
	for pattern := range b.srv.Routes() {
		method, p, _ := strings.Cut(pattern, " ")
		if !strings.HasPrefix(p, "/api/") || p == "/api/" {
			continue // "/api/" is the JSON 404 of unknown paths, not an operation
		}
		n++
		item := b.v.Doc().Paths.Value(p)
		if item == nil || item.GetOperation(method) == nil {
			t.Errorf("route %q is not in openapi.yaml", pattern)
		}
	}
	if n < 20 {
		t.Errorf("Register added %d API routes", n)
	}
}

// TestDocumentExamples: the examples of the document conform to their schemas, so a
// reader who copies one gets a valid request.
func TestDocumentExamples(t *testing.T) {
	t.Parallel()
	doc := validator(t).Doc()
	check := func(where string, mt *openapi3.MediaType) {
		if mt == nil || mt.Example == nil || mt.Schema == nil {
			return
		}
		if err := mt.Schema.Value.VisitJSON(mt.Example, openapi3.EnableJSONSchema2020()); err != nil {
			t.Errorf("%s: example does not conform: %v", where, err)
		}
	}
	n := 0
	for p, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			if op.RequestBody != nil {
				check(method+" "+p+" request", op.RequestBody.Value.Content.Get("application/json"))
				n++
			}
		}
	}
	for name, r := range doc.Components.Responses {
		check("response "+name, r.Value.Content.Get("application/json"))
		n++
	}
	if n < 10 {
		t.Fatalf("checked %d examples; the document lost its examples", n)
	}
}

func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	b := sqlite(t)
	r := b.api.WithToken("").Do("GET", "/api/openapi.json", nil).Want(t, http.StatusOK)
	var fromYAML any
	if err := yaml.Unmarshal(api.OpenAPIYAML(), &fromYAML); err != nil {
		t.Fatal(err)
	}
	want, _ := json.Marshal(fromYAML)
	if !bytes.Equal(r.Body, want) {
		t.Error("served document differs from openapi.yaml")
	}
	doc, err := openapi3.NewLoader().LoadFromData(r.Body)
	if err != nil {
		t.Fatalf("served document does not load: %v", err)
	}
	if doc.OpenAPI != "3.1.0" || doc.Paths.Len() < 10 {
		t.Errorf("served document: openapi %q with %d paths", doc.OpenAPI, doc.Paths.Len())
	}
}

// TestInstitutionLifecycle follows the interface contract: create, list, read, change
// part, archive, read archived, restore.
func TestInstitutionLifecycle(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		sent := map[string]any{"name": "Musée Guimet", "name_zh": "吉美博物馆", "country": "FR"}
		r := b.api.Do("POST", "/api/v1/institutions", sent).Want(t, http.StatusCreated)
		var got map[string]any
		r.JSON(t, &got)
		for k, v := range sent {
			if got[k] != v {
				t.Errorf("created %s = %v, want %v", k, got[k], v)
			}
		}
		id, ok := got["id"].(float64)
		if !ok || id < 1 {
			t.Fatalf("created id = %v", got["id"])
		}
		if loc := r.Header.Get("Location"); loc != path("/api/v1/institutions/%d", int64(id)) {
			t.Errorf("Location = %q", loc)
		}
		if got["time_zone"] != passerelle.DefaultTimeZone || got["kind"] != "museum" || got["archived_at"] != nil {
			t.Errorf("defaults: %v", got)
		}
		p := path("/api/v1/institutions/%d", int64(id))

		var list institutionList
		b.api.Do("GET", "/api/v1/institutions", nil).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].Name != "Musée Guimet" || list.NextCursor != nil {
			t.Errorf("list = %+v", list)
		}

		var one passerelle.Institution
		b.api.Do("GET", p, nil).Want(t, http.StatusOK).JSON(t, &one)
		if one.NameZH != "吉美博物馆" || one.Country != "FR" {
			t.Errorf("get = %+v", one)
		}

		var patched passerelle.Institution
		b.api.Do("PATCH", p, map[string]any{"city": "Paris", "name_en": nil}).Want(t, http.StatusOK).JSON(t, &patched)
		if patched.City != "Paris" || patched.Name != "Musée Guimet" || patched.NameZH != "吉美博物馆" || patched.Country != "FR" || patched.TimeZone != passerelle.DefaultTimeZone {
			t.Errorf("PATCH lost fields: %+v", patched)
		}
		if !patched.UpdatedAt.After(one.UpdatedAt) && !patched.UpdatedAt.Equal(one.UpdatedAt) {
			t.Errorf("updated_at went back: %v → %v", one.UpdatedAt, patched.UpdatedAt)
		}

		b.api.Do("DELETE", p, nil).Want(t, http.StatusNoContent)
		if e := b.api.Do("GET", p, nil).Want(t, http.StatusNotFound).Err(t); e.Error.Code != passerelle.ENOTFOUND {
			t.Errorf("code = %q", e.Error.Code)
		}
		b.api.Do("DELETE", p, nil).Want(t, http.StatusNotFound)
		b.api.Do("PATCH", p, map[string]any{"city": "Lyon"}).Want(t, http.StatusNotFound)
		b.api.Do("POST", p+"/accounts", map[string]any{"platform": "weibo", "handle": "x"}).Want(t, http.StatusNotFound)
		var archived passerelle.Institution
		b.api.Do("GET", p+"?archived=true", nil).Want(t, http.StatusOK).JSON(t, &archived)
		if archived.ArchivedAt == nil || archived.City != "Paris" {
			t.Errorf("archived = %+v", archived)
		}
		b.api.Do("GET", "/api/v1/institutions", nil).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 0 {
			t.Errorf("archived institution listed: %+v", list.Items)
		}
		b.api.Do("GET", "/api/v1/institutions?archived=true", nil).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 {
			t.Errorf("archived=true lists %d", len(list.Items))
		}

		var restored passerelle.Institution
		b.api.Do("POST", p+"/restore", nil).Want(t, http.StatusOK).JSON(t, &restored)
		if restored.ArchivedAt != nil || restored.City != "Paris" {
			t.Errorf("restored = %+v", restored)
		}
		b.api.Do("GET", p, nil).Want(t, http.StatusOK)
	})
}

func TestPagination(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		var ids []int64
		for i := range 5 {
			ids = append(ids, b.institution(b.org, fmt.Sprintf("Musée %d", i)).ID)
		}
		b.institution(b.foreign, "Ailleurs")
		acc := b.institution(b.org, "Comptes")
		ids = append(ids, acc.ID)
		var accIDs []int64
		for range 4 {
			accIDs = append(accIDs, b.account(b.org, acc.ID, passerelle.Weibo, passerelle.AccountWatched).ID)
		}

		// pages reads every page and returns the ids and the page sizes.
		pages := func(first string, decode func(*testing.T, []byte) ([]int64, *string)) ([]int64, []int) {
			var all []int64
			var sizes []int
			next := first
			for range 10 {
				r := b.api.Do("GET", next, nil).Want(t, http.StatusOK)
				got, cursor := decode(t, r.Body)
				all = append(all, got...)
				sizes = append(sizes, len(got))
				if cursor == nil {
					if !bytes.Contains(r.Body, []byte(`"next_cursor":null`)) {
						t.Errorf("last page: next_cursor not null: %s", r.Body)
					}
					return all, sizes
				}
				sep := "&"
				next = first + sep + "cursor=" + *cursor
			}
			t.Fatal("pagination does not end")
			return nil, nil
		}
		insts := func(t *testing.T, body []byte) ([]int64, *string) {
			var l institutionList
			if err := json.Unmarshal(body, &l); err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, i := range l.Items {
				out = append(out, i.ID)
			}
			return out, l.NextCursor
		}
		accs := func(t *testing.T, body []byte) ([]int64, *string) {
			var l accountList
			if err := json.Unmarshal(body, &l); err != nil {
				t.Fatal(err)
			}
			var out []int64
			for _, a := range l.Items {
				out = append(out, a.ID)
			}
			return out, l.NextCursor
		}

		for _, tc := range []struct {
			name   string
			first  string
			decode func(*testing.T, []byte) ([]int64, *string)
			want   []int64
			sizes  []int
		}{
			{"institutions by 2", "/api/v1/institutions?limit=2", insts, ids, []int{2, 2, 2}},
			{"institutions by 4", "/api/v1/institutions?limit=4", insts, ids, []int{4, 2}},
			{"institutions in one", "/api/v1/institutions?limit=6", insts, ids, []int{6}},
			{"accounts by 2", path("/api/v1/institutions/%d/accounts?limit=2", acc.ID), accs, accIDs, []int{2, 2}},
			{"accounts by 3", path("/api/v1/institutions/%d/accounts?limit=3", acc.ID), accs, accIDs, []int{3, 1}},
		} {
			t.Run(tc.name, func(t *testing.T) {
				got, sizes := pages(tc.first, tc.decode)
				if !slices.Equal(got, tc.want) {
					t.Errorf("ids %v, want %v", got, tc.want)
				}
				if !slices.Equal(sizes, tc.sizes) {
					t.Errorf("page sizes %v, want %v", sizes, tc.sizes)
				}
			})
		}
	})
}

func TestPaginationParameters(t *testing.T) {
	t.Parallel()
	b := sqlite(t)
	inst := b.institution(b.org, "Musée")
	for _, tc := range []struct {
		name, query, field string
	}{
		{"zero limit", "limit=0", "limit"},
		{"limit over the maximum", "limit=501", "limit"},
		{"limit not a number", "limit=ten", "limit"},
		{"negative limit", "limit=-3", "limit"},
		{"cursor not a number", "cursor=abc", "cursor"},
		{"negative cursor", "cursor=-1", "cursor"},
	} {
		for _, p := range []string{"/api/v1/institutions", path("/api/v1/institutions/%d/accounts", inst.ID)} {
			t.Run(tc.name+" "+p, func(t *testing.T) {
				e := b.api.Do("GET", p+"?"+tc.query, nil).Want(t, http.StatusUnprocessableEntity).Err(t)
				if e.Error.Code != passerelle.EINVALID || e.Error.Fields[tc.field] == "" {
					t.Errorf("error = %+v, want a message for %s", e.Error, tc.field)
				}
			})
		}
	}
	// A cursor past the end is an empty last page.
	var l institutionList
	b.api.Do("GET", "/api/v1/institutions?cursor=999999", nil).Want(t, http.StatusOK).JSON(t, &l)
	if len(l.Items) != 0 || l.NextCursor != nil {
		t.Errorf("past the end: %+v", l)
	}
}

func TestAccountLifecycle(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		inst := b.institution(b.org, "Musée Guimet")
		base := path("/api/v1/institutions/%d/accounts", inst.ID)
		sent := map[string]any{"platform": "weibo", "kind": "watched", "handle": "guimet", "display_name": "吉美博物馆"}
		r := b.api.Do("POST", base, sent).Want(t, http.StatusCreated)
		var got map[string]any
		r.JSON(t, &got)
		for k, v := range sent {
			if got[k] != v {
				t.Errorf("created %s = %v, want %v", k, got[k], v)
			}
		}
		id, _ := got["id"].(float64)
		if id < 1 || got["institution_id"] != float64(inst.ID) || got["has_credentials"] != false {
			t.Fatalf("created = %v", got)
		}
		p := path("/api/v1/accounts/%d", int64(id))
		if loc := r.Header.Get("Location"); loc != p {
			t.Errorf("Location = %q, want %q", loc, p)
		}

		var list accountList
		b.api.Do("GET", base, nil).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 || list.Items[0].Handle != "guimet" {
			t.Errorf("list = %+v", list)
		}

		var patched passerelle.Account
		b.api.Do("PATCH", p, map[string]any{"followers": 1200}).Want(t, http.StatusOK).JSON(t, &patched)
		if patched.Followers == nil || *patched.Followers != 1200 || patched.FollowersAt == nil || patched.Handle != "guimet" || patched.DisplayName != "吉美博物馆" || patched.Kind != "watched" {
			t.Errorf("PATCH = %+v", patched)
		}
		e := b.api.Do("PATCH", p, map[string]any{"platform": "wechat"}).Want(t, http.StatusUnprocessableEntity).Err(t)
		if e.Error.Fields["platform"] == "" {
			t.Errorf("platform change: %+v", e.Error)
		}
		b.api.Do("PATCH", p, map[string]any{"platform": "weibo"}).Want(t, http.StatusOK)

		b.api.Do("DELETE", p, nil).Want(t, http.StatusNoContent)
		b.api.Do("GET", p, nil).Want(t, http.StatusNotFound)
		b.api.Do("DELETE", p, nil).Want(t, http.StatusNotFound)
		b.api.Do("PATCH", p, map[string]any{"handle": "x"}).Want(t, http.StatusNotFound)
		b.api.Do("GET", p+"?archived=true", nil).Want(t, http.StatusOK)
		b.api.Do("GET", base, nil).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 0 {
			t.Errorf("archived account listed")
		}
		b.api.Do("GET", base+"?archived=true", nil).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 1 {
			t.Errorf("archived=true lists %d", len(list.Items))
		}
	})
}

func TestCredentials(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		inst := b.institution(b.org, "Musée")
		wechat := b.account(b.org, inst.ID, passerelle.WeChat, passerelle.AccountManaged)
		watched := b.account(b.org, inst.ID, passerelle.WeChat, passerelle.AccountWatched)
		// A watched account may hold credentials (its push settings, say).
		b.api.Do("PUT", path("/api/v1/accounts/%d/credentials", watched.ID), map[string]any{"appid": "wx1", "token": "push-token"}).Want(t, http.StatusNoContent)
		p := path("/api/v1/accounts/%d/credentials", wechat.ID)
		secrets := map[string]string{
			"app_secret":       "s3cret-app-secret-value",
			"token":            "push-token-42",
			"encoding_aes_key": strings.Repeat("k", 43),
		}
		body := map[string]any{"appid": "wx0123456789abcdef"}
		for k, v := range secrets {
			body[k] = v
		}
		r := b.api.Do("PUT", p, body).Want(t, http.StatusNoContent)
		if len(r.Body) != 0 {
			t.Errorf("PUT answered a body: %s", r.Body)
		}
		var hints struct {
			Credentials map[string]string `json:"credentials"`
		}
		r = b.api.Do("GET", p, nil).Want(t, http.StatusOK)
		r.JSON(t, &hints)
		if hints.Credentials["appid"] != "wx0123456789abcdef" || len(hints.Credentials) != 4 {
			t.Errorf("hints = %v", hints.Credentials)
		}
		for k, v := range secrets {
			if hints.Credentials[k] == "" || hints.Credentials[k] == v {
				t.Errorf("hint of %s = %q, want masked", k, hints.Credentials[k])
			}
		}
		// No answer about the account ever carries a secret.
		for _, q := range []string{p, path("/api/v1/accounts/%d", wechat.ID), path("/api/v1/institutions/%d/accounts", inst.ID)} {
			body := b.api.Do("GET", q, nil).Want(t, http.StatusOK).Body
			for _, v := range secrets {
				if bytes.Contains(body, []byte(v)) {
					t.Errorf("GET %s shows a secret", q)
				}
			}
		}
		var acc passerelle.Account
		b.api.Do("GET", path("/api/v1/accounts/%d", wechat.ID), nil).Want(t, http.StatusOK).JSON(t, &acc)
		if !acc.HasCredentials {
			t.Error("has_credentials = false after PUT")
		}
		// A blank value keeps the stored one.
		b.api.Do("PUT", p, map[string]any{"app_secret": "", "appid": "wx2"}).Want(t, http.StatusNoContent)
		b.api.Do("GET", p, nil).Want(t, http.StatusOK).JSON(t, &hints)
		if hints.Credentials["appid"] != "wx2" || hints.Credentials["app_secret"] == "" {
			t.Errorf("after partial PUT: %v", hints.Credentials)
		}

		for _, tc := range []struct {
			name    string
			account int64
			body    any
			field   string
		}{
			{"field of another platform", wechat.ID, map[string]any{"app_key": "k"}, "app_key"},
			{"short AES key", wechat.ID, map[string]any{"encoding_aes_key": "short"}, "encoding_aes_key"},
			{"short token", wechat.ID, map[string]any{"token": "ab"}, "token"},
			{"too long", wechat.ID, map[string]any{"app_secret": strings.Repeat("s", 2049)}, "app_secret"},
			{"unknown field", wechat.ID, map[string]any{"password": "x"}, "password"},
			{"wrong type", wechat.ID, map[string]any{"appid": 12}, "appid"},
			{"nothing given", wechat.ID, map[string]any{}, ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := b.api.Do("PUT", path("/api/v1/accounts/%d/credentials", tc.account), tc.body).Want(t, http.StatusUnprocessableEntity).Err(t)
				if tc.field != "" && e.Error.Fields[tc.field] == "" {
					t.Errorf("error = %+v, want a message for %s", e.Error, tc.field)
				}
			})
		}
	})
}

// TestBadInput: each way a client can get a request wrong answers its 4xx with the
// error shape, never a 500, and changes nothing.
func TestBadInput(t *testing.T) {
	t.Parallel()
	b := sqlite(t)
	inst := b.institution(b.org, "Musée")
	acc := b.account(b.org, inst.ID, passerelle.Weibo, passerelle.AccountManaged)
	insts := "/api/v1/institutions"
	one := path("/api/v1/institutions/%d", inst.ID)
	accs := path("/api/v1/institutions/%d/accounts", inst.ID)
	oneAcc := path("/api/v1/accounts/%d", acc.ID)
	big := `{"name": "` + strings.Repeat("x", 1<<20) + `"}`

	for _, tc := range []struct {
		name         string
		method, path string
		body         string
		status       int
		code, field  string
	}{
		{"malformed JSON", "POST", insts, `{"name": "a"`, 400, "bad_request", ""},
		{"not JSON", "POST", insts, `name=a`, 400, "bad_request", ""},
		{"empty body", "POST", insts, ``, 400, "bad_request", ""},
		{"array body", "POST", insts, `[{"name": "a"}]`, 400, "bad_request", ""},
		{"string body", "POST", insts, `"a"`, 400, "bad_request", ""},
		{"null body", "PATCH", one, `null`, 400, "bad_request", ""},
		{"two objects", "POST", insts, `{"name": "a"} {"name": "b"}`, 400, "bad_request", ""},
		{"trailing garbage", "PATCH", one, `{"city": "a"} x`, 400, "bad_request", ""},
		{"unknown field", "POST", insts, `{"name": "a", "colour": "red"}`, 422, "invalid", "colour"},
		{"field in the wrong case", "POST", insts, `{"NAME": "a"}`, 422, "invalid", "NAME"},
		{"wrong type", "POST", insts, `{"name": 42}`, 422, "invalid", "name"},
		{"wrong type: array", "PATCH", one, `{"country": ["FR"]}`, 422, "invalid", "country"},
		{"wrong type: object", "PATCH", one, `{"city": {"fr": "Paris"}}`, 422, "invalid", "city"},
		{"missing name", "POST", insts, `{"city": "Paris"}`, 422, "invalid", "name"},
		{"blank name", "PATCH", one, `{"name": "  "}`, 422, "invalid", "name"},
		{"bad country", "POST", insts, `{"name": "a", "country": "FRA"}`, 422, "invalid", "country"},
		{"bad time zone", "PATCH", one, `{"time_zone": "Mars/Olympus"}`, 422, "invalid", "time_zone"},
		{"bad kind", "POST", insts, `{"name": "a", "kind": "zoo"}`, 422, "invalid", "kind"},
		{"bad website", "PATCH", one, `{"website": "javascript:alert(1)"}`, 422, "invalid", "website"},
		{"name too long", "POST", insts, `{"name": "` + strings.Repeat("é", 201) + `"}`, 422, "invalid", "name"},
		{"unknown platform", "POST", accs, `{"platform": "myspace", "handle": "a"}`, 422, "invalid", "platform"},
		{"no handle nor name", "POST", accs, `{"platform": "weibo"}`, 422, "invalid", "handle"},
		{"negative followers", "PATCH", oneAcc, `{"followers": -1}`, 422, "invalid", "followers"},
		{"followers not a number", "POST", accs, `{"platform": "weibo", "handle": "a", "followers": "many"}`, 422, "invalid", "followers"},
		{"fractional followers", "PATCH", oneAcc, `{"followers": 1.5}`, 422, "invalid", "followers"},
		{"bad account kind", "PATCH", oneAcc, `{"kind": "stolen"}`, 422, "invalid", "kind"},
		{"body over the limit", "POST", insts, big, 413, "too_large", ""},
		{"body over the limit on PATCH", "PATCH", oneAcc, big, 413, "too_large", ""},
		{"id not a number", "GET", "/api/v1/institutions/abc", "", 404, "not_found", ""},
		{"id zero", "GET", "/api/v1/accounts/0", "", 404, "not_found", ""},
		{"id out of range", "GET", "/api/v1/institutions/99999999999999999999", "", 404, "not_found", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var body any
			if tc.body != "" {
				body = tc.body
			}
			e := b.api.Do(tc.method, tc.path, body).Want(t, tc.status).Err(t)
			if e.Error.Code != tc.code || e.Error.Message == "" {
				t.Errorf("error = %+v, want code %s", e.Error, tc.code)
			}
			if tc.field != "" && e.Error.Fields[tc.field] == "" {
				t.Errorf("fields = %v, want a message for %q", e.Error.Fields, tc.field)
			}
		})
	}

	// Nothing above changed anything.
	var got passerelle.Institution
	b.api.Do("GET", one, nil).Want(t, http.StatusOK).JSON(t, &got)
	if got.Name != "Musée" || got.Country != "" || got.City != "" || got.TimeZone != passerelle.DefaultTimeZone {
		t.Errorf("institution changed: %+v", got)
	}
	var l institutionList
	b.api.Do("GET", insts, nil).Want(t, http.StatusOK).JSON(t, &l)
	if len(l.Items) != 1 {
		t.Errorf("%d institutions, want 1", len(l.Items))
	}
	var a passerelle.Account
	b.api.Do("GET", oneAcc, nil).Want(t, http.StatusOK).JSON(t, &a)
	if a.Followers != nil || a.Kind != passerelle.AccountManaged {
		t.Errorf("account changed: %+v", a)
	}
}

// TestBodyLimitWithoutLength: a chunked body (no Content-Length) over the limit is cut
// while read, and still answers 413.
func TestBodyLimitWithoutLength(t *testing.T) {
	t.Parallel()
	b := sqlite(t)
	body := io.MultiReader(strings.NewReader(`{"name": "`), strings.NewReader(strings.Repeat("x", 2<<20)), strings.NewReader(`"}`))
	req, err := http.NewRequest("POST", b.url+"/api/v1/institutions", struct{ io.Reader }{body})
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+b.token(b.owner))
	resp, err := b.v.Client(t).Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Errorf("status %d, want 413", resp.StatusCode)
	}
}

func TestAuthentication(t *testing.T) {
	t.Parallel()
	b := sqlite(t)
	revoked := b.user(b.org, true)
	revokedToken, tok, err := b.auth.CreateToken(t.Context(), revoked.ID, "gone", nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.db.RevokeAPIToken(t.Context(), revoked.ID, tok.ID); err != nil {
		t.Fatal(err)
	}
	disabled := b.user(b.org, false)
	disabledToken := b.token(disabled)
	if _, err := b.db.UpdateUser(t.Context(), b.org, disabled.ID, func(u *passerelle.User) error {
		now := time.Now()
		u.DisabledAt = &now
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, header string
	}{
		{"no header", ""},
		{"unknown token", "Bearer psl_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"},
		{"not a token", "Bearer hello"},
		{"basic scheme", "Basic dXNlcjpwYXNz"},
		{"empty bearer", "Bearer "},
		{"revoked token", "Bearer " + revokedToken},
		{"disabled user", "Bearer " + disabledToken},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest("GET", b.url+"/api/v1/institutions", nil)
			if tc.header != "" {
				req.Header.Set("Authorization", tc.header)
			}
			resp, err := b.v.Client(t).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", resp.StatusCode)
			}
		})
	}
}

// TestForeignIsNotFound: every route that names an object answers 404 for an object
// of another organization, for an object that does not exist, and for an object of an
// institution of the same organization that a member was not given, exactly as for
// nothing; and none of them changes the object.
func TestForeignIsNotFound(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		ctx := t.Context()
		fInst := b.institution(b.foreign, "Ailleurs")
		fAcc := b.account(b.foreign, fInst.ID, passerelle.WeChat, passerelle.AccountManaged)
		fUser := b.user(b.foreign, true)
		_, fTok, err := b.auth.CreateToken(ctx, fUser.ID, "theirs", nil)
		if err != nil {
			t.Fatal(err)
		}
		foreign, _ := b.editorialObjects(fUser, fInst.ID)
		maps.Copy(foreign, map[string]int64{"institutions": fInst.ID, "accounts": fAcc.ID, "users": fUser.ID, "tokens": fTok.ID})
		maps.Copy(foreign, b.partnerObjects(fUser, fInst.ID, foreign["posts"]))

		// A member of one institution, asking about another of the same organization.
		mine := b.institution(b.org, "Mien")
		other := b.institution(b.org, "Pas le mien")
		otherAcc := b.account(b.org, other.ID, passerelle.WeChat, passerelle.AccountManaged)
		admin := b.user(b.org, false, passerelle.Membership{InstitutionID: mine.ID, Role: passerelle.RoleAdmin})
		adminTok, _, err := b.auth.CreateToken(ctx, admin.ID, "admin", nil)
		if err != nil {
			t.Fatal(err)
		}
		unshared, _ := b.editorialObjects(b.owner, other.ID)
		maps.Copy(unshared, map[string]int64{"institutions": other.ID, "accounts": otherAcc.ID, "users": b.owner.ID, "tokens": fTok.ID})
		maps.Copy(unshared, b.partnerObjects(b.owner, other.ID, unshared["posts"]))

		future := time.Now().Add(48 * time.Hour).UTC().Format(time.RFC3339)
		bodies := map[string]any{
			"PATCH /api/v1/institutions/{id}":         map[string]any{"city": "Lyon"},
			"POST /api/v1/institutions/{id}/accounts": map[string]any{"platform": "weibo", "handle": "x"},
			"PATCH /api/v1/accounts/{id}":             map[string]any{"display_name": "x"},
			"PUT /api/v1/accounts/{id}/credentials":   map[string]any{"appid": "wx"},
			"PATCH /api/v1/users/{id}":                map[string]any{"name": "x"},
			"POST /api/v1/institutions/{id}/restore":  nil,
			"DELETE /api/v1/institutions/{id}":        nil,
			"DELETE /api/v1/accounts/{id}":            nil,
			"DELETE /api/v1/tokens/{id}":              nil,
			"GET /api/v1/institutions/{id}":           nil,
			"GET /api/v1/institutions/{id}/accounts":  nil,
			"GET /api/v1/accounts/{id}":               nil,
			"GET /api/v1/accounts/{id}/credentials":   nil,
			"GET /api/v1/accounts/{id}/collection":    nil,
			"GET /api/v1/users/{id}":                  nil,

			// Editorial routes.
			"GET /api/v1/posts/{id}":                                    nil,
			"PATCH /api/v1/posts/{id}":                                  map[string]any{"title": "Volé"},
			"DELETE /api/v1/posts/{id}":                                 nil,
			"POST /api/v1/posts/{id}/checks":                            nil,
			"POST /api/v1/posts/{id}/transitions":                       map[string]any{"to": "review"},
			"GET /api/v1/posts/{id}/history":                            nil,
			"GET /api/v1/posts/{id}/comments":                           nil,
			"PUT /api/v1/posts/{id}/coauthors/{partner_id}/publication": map[string]any{"url": "https://weibo.com/1234567890/XuBingAbCd"},
			"POST /api/v1/posts/{id}/comments":                          map[string]any{"body": "Intrus"},
			"GET /api/v1/posts/{id}/guest-links":                        nil,
			"POST /api/v1/posts/{id}/guest-links":                       map[string]any{"label": "Intrus"},
			"DELETE /api/v1/posts/{id}/guest-links/{link}":              nil,
			"PUT /api/v1/publications/{id}/schedule":                    map[string]any{"scheduled_at": future},
			"PATCH /api/v1/glossary/{id}":                               map[string]any{"zh": "偷"},
			"DELETE /api/v1/glossary/{id}":                              nil,
			"DELETE /api/v1/lexicon/{id}":                               nil,
			"PUT /api/v1/institutions/{id}/editorial":                   map[string]any{"two_step_approval": true},
			"GET /api/v1/institutions/{id}/quiet-hours":                 nil,
			"PUT /api/v1/institutions/{id}/quiet-hours":                 map[string]any{"start": "22:00", "end": "08:00"},
			"POST /api/v1/institutions/{id}/schedule-import":            "date,account,platform,title,text\n",
			"GET /api/v1/institutions/{id}/media":                       nil,
			"POST /api/v1/institutions/{id}/media":                      pngBytes(t, 8, 8),
			"GET /api/v1/media/{id}":                                    nil,
			"PATCH /api/v1/media/{id}":                                  map[string]any{"alt_zh": "偷"},
			"GET /api/v1/media/{id}/file":                               nil,
			"GET /api/v1/media/{id}/renditions/{spec}":                  nil,
			"PUT /api/v1/accounts/{id}/cadence":                         map[string]any{"min_per_week": 0, "max_per_week": 1},

			// Visitor pages.
			"POST /api/v1/institutions/{id}/tours":       map[string]any{"title_zh": "偷"},
			"GET /api/v1/tours/{id}":                     nil,
			"POST /api/v1/tours/{id}/stops":              map[string]any{"number": 1, "title_zh": "偷"},
			"POST /api/v1/tours/{id}/publish":            nil,
			"POST /api/v1/tours/{id}/unpublish":          nil,
			"POST /api/v1/institutions/{id}/exhibitions": map[string]any{"title_zh": "偷"},
			"POST /api/v1/exhibitions/{id}/publish":      nil,
			"POST /api/v1/exhibitions/{id}/unpublish":    nil,
			"GET /api/v1/tours/{id}/kiosk":               nil,
			"PUT /api/v1/tours/{id}/kiosk":               map[string]any{"pace_seconds": 20, "idle_seconds": 120},
			"GET /api/v1/exhibitions/{id}/kiosk":         nil,
			"PUT /api/v1/exhibitions/{id}/kiosk":         map[string]any{"pace_seconds": 20, "idle_seconds": 120},
			"POST /api/v1/exhibitions/{id}/move":         map[string]any{"room": 0, "to": 0},
			// Partnerships and networks.
			"GET /api/v1/partners/{id}":                                nil,
			"PATCH /api/v1/partners/{id}":                              map[string]any{"contacts": "x"},
			"GET /api/v1/partners/{id}/history":                        nil,
			"GET /api/v1/campaigns/{id}":                               nil,
			"PATCH /api/v1/campaigns/{id}":                             map[string]any{"own_views": 1},
			"PATCH /api/v1/campaigns/{id}/relays/{partner_id}":         map[string]any{"status": "accepted"},
			"POST /api/v1/campaigns/{id}/relays/{partner_id}/reminder": nil,
			"DELETE /api/v1/campaigns/{id}/relays/{partner_id}/link":   nil,
			"POST /api/v1/campaigns/{id}/relay-figures":                "partner,views\n微博艺术,1\n",
			"GET /api/v1/campaign-templates/{id}":                      nil,
			"PATCH /api/v1/campaign-templates/{id}":                    map[string]any{"name": "偷"},
			"DELETE /api/v1/campaign-templates/{id}":                   nil,
			"POST /api/v1/institutions/{id}/live-events":               map[string]any{"platform": "weibo", "starts_at": future, "title_zh": "直播"},
			"GET /api/v1/live-events/{id}":                             nil,
			"PATCH /api/v1/live-events/{id}":                           map[string]any{"total_viewers": 1},
			"GET /api/v1/accounts/{id}/members":                        nil,
			"PUT /api/v1/accounts/{id}/members":                        map[string]any{"institution_ids": []int64{}},
			"GET /api/v1/accounts/{id}/network":                        nil,
		}
		n := 0
		for _, pattern := range b.srv.RouteList() {
			method, p, _ := strings.Cut(pattern, " ")
			if !strings.HasPrefix(p, "/api/") || !strings.Contains(p, "{id}") {
				continue
			}
			body, ok := bodies[pattern]
			if !ok {
				t.Errorf("%s: add it to TestForeignIsNotFound with a valid body", pattern)
				continue
			}
			kind := strings.Split(strings.TrimPrefix(p, "/api/v1/"), "/")[0]
			n++
			for _, tc := range []struct {
				name string
				as   string
				ids  map[string]int64
				skip bool
			}{
				{"foreign", "", foreign, false},
				{"missing", "", map[string]int64{kind: 987654321, "link": 987654321}, false},
				// Users other than oneself answer 404 to non-owners and tokens are
				// always the caller's own: covered by the authorization matrix. The
				// vocabulary and the partner directory are the organization's, shared
				// by its institutions.
				{"unshared", adminTok, unshared, kind == "users" || kind == "tokens" || kind == "lexicon" || kind == "partners" || kind == "campaign-templates"},
			} {
				if tc.skip {
					continue
				}
				t.Run(tc.name+" "+pattern, func(t *testing.T) {
					c := b.api
					if tc.as != "" {
						c = c.WithToken(tc.as)
					}
					u := strings.NewReplacer("{id}", fmt.Sprint(tc.ids[kind]), "{link}", fmt.Sprint(tc.ids["link"]), "{spec}", "ui_thumb", "{partner_id}", fmt.Sprint(tc.ids["partners"])).Replace(p)
					e := c.Do(method, u, body).Want(t, http.StatusNotFound).Err(t)
					if e.Error.Code != passerelle.ENOTFOUND {
						t.Errorf("code %q", e.Error.Code)
					}
				})
			}
		}
		if n < len(bodies) {
			t.Errorf("checked %d routes with an id, want %d", n, len(bodies))
		}

		// Routes that name an institution in their query or body.
		for _, tc := range []struct {
			method, path string
			body         any
		}{
			{"GET", "/api/v1/posts?institution_id={inst}", nil},
			{"POST", "/api/v1/posts", map[string]any{"institution_id": "{inst}", "title": "x", "theme": "collection", "source_lang": "fr"}},
			// Its publications name an account of the institution: still 404, not a
			// complaint about the account.
			{"POST", "/api/v1/posts", map[string]any{"institution_id": "{inst}", "title": "x", "theme": "collection", "source_lang": "fr",
				"publications": []any{map[string]any{"account_id": fAcc.ID}}}},
			{"GET", "/api/v1/glossary?institution_id={inst}", nil},
			{"GET", "/api/v1/glossary/export?institution_id={inst}", nil},
			{"POST", "/api/v1/glossary", map[string]any{"institution_id": "{inst}", "source": "Edgar Degas", "zh": "德加"}},
			{"POST", "/api/v1/glossary/import?institution_id={inst}", "source,zh\nEdgar Degas,德加\n"},
			{"GET", "/api/v1/calendar?institution_id={inst}&from=2030-01-01&to=2030-01-31", nil},
		} {
			for _, who := range []struct {
				name string
				as   string
				inst int64
			}{{"foreign", "", fInst.ID}, {"missing", "", 987654321}, {"unshared", adminTok, other.ID}} {
				t.Run(who.name+" "+tc.method+" "+tc.path, func(t *testing.T) {
					c := b.api
					if who.as != "" {
						c = c.WithToken(who.as)
					}
					id := fmt.Sprint(who.inst)
					body := tc.body
					if m, ok := body.(map[string]any); ok {
						m = maps.Clone(m)
						m["institution_id"] = who.inst
						body = m
					}
					e := c.Do(tc.method, strings.ReplaceAll(tc.path, "{inst}", id), body).Want(t, http.StatusNotFound).Err(t)
					if e.Error.Code != passerelle.ENOTFOUND {
						t.Errorf("code %q", e.Error.Code)
					}
				})
			}
		}

		// A calendar filtered on an account one may not see.
		for _, who := range []struct {
			name    string
			as      string
			account int64
		}{{"foreign", "", fAcc.ID}, {"missing", "", 987654321}, {"unshared", adminTok, otherAcc.ID}} {
			t.Run(who.name+" calendar of an account", func(t *testing.T) {
				c := b.api
				if who.as != "" {
					c = c.WithToken(who.as)
				}
				c.Do("GET", path("/api/v1/calendar?account_id=%d&from=2030-01-01&to=2030-01-31", who.account), nil).Want(t, http.StatusNotFound)
			})
		}

		// The foreign data is untouched.
		got, err := b.db.Institution(ctx, b.foreign, fInst.ID)
		if err != nil || got.City != "" || got.ArchivedAt != nil {
			t.Errorf("foreign institution changed: %+v, %v", got, err)
		}
		creds, err := b.db.CredentialHints(ctx, fAcc.ID)
		if err != nil || len(creds) != 0 {
			t.Errorf("foreign credentials changed: %v, %v", creds, err)
		}
		toks, err := b.db.APITokens(ctx, fUser.ID)
		if err != nil || len(toks) != 1 || toks[0].RevokedAt != nil {
			t.Errorf("foreign token changed: %+v, %v", toks, err)
		}
		for _, tc := range []struct {
			name string
			org  int64
			ids  map[string]int64
		}{{"foreign", b.foreign, foreign}, {"unshared", b.org, unshared}} {
			post, err := b.db.Post(ctx, tc.org, tc.ids["posts"])
			if err != nil || post.Title != "Degas" || post.Status != passerelle.StatusDraft || post.Version != 1 || post.Publications[0].ScheduledAt != nil {
				t.Errorf("%s post changed: %+v, %v", tc.name, post, err)
			}
			if cs, err := b.db.Comments(ctx, post.ID); err != nil || len(cs) != 0 {
				t.Errorf("%s post commented: %+v, %v", tc.name, cs, err)
			}
			if ls, err := b.db.GuestLinks(ctx, post.ID); err != nil || len(ls) != 1 || ls[0].RevokedAt != nil {
				t.Errorf("%s guest links changed: %+v, %v", tc.name, ls, err)
			}
			if term, err := b.db.GlossaryTermByID(ctx, tc.org, tc.ids["glossary"]); err != nil || term.ZH != "术语" {
				t.Errorf("%s term changed: %+v, %v", tc.name, term, err)
			}
			if m, err := b.db.MediaAssetByID(ctx, tc.org, tc.ids["media"]); err != nil || m.AltZH != "" {
				t.Errorf("%s medium changed: %+v, %v", tc.name, m, err)
			}
			if terms, err := b.db.Glossary(ctx, store.GlossaryFilter{OrgID: tc.org, InstitutionID: post.InstitutionID, Search: "Degas"}); err != nil || len(terms) != 0 {
				t.Errorf("%s glossary written: %+v, %v", tc.name, terms, err)
			}
			if on, err := b.db.TwoStepApproval(ctx, tc.org, post.InstitutionID); err != nil || on {
				t.Errorf("%s settings changed: %v, %v", tc.name, on, err)
			}
		}
		if lex, err := b.db.Lexicon(ctx, b.foreign, 0, 0); err != nil || len(lex) != 1 {
			t.Errorf("foreign vocabulary changed: %+v, %v", lex, err)
		}
		if cad, err := b.db.Cadences(ctx, []int64{fAcc.ID, otherAcc.ID}); err != nil || len(cad) != 0 {
			t.Errorf("cadence written: %+v, %v", cad, err)
		}
	})
}

func TestUsers(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		inst := b.institution(b.org, "Musée")
		fInst := b.institution(b.foreign, "Ailleurs")
		var created passerelle.User
		b.api.Do("POST", "/api/v1/users", map[string]any{
			"email": "Li.Na@Example.org", "name": "Li Na", "password": "correct-horse-battery", "locale": "zh-Hans",
			"memberships": []map[string]any{{"institution_id": inst.ID, "role": "translator"}},
		}).Want(t, http.StatusCreated).JSON(t, &created)
		if created.Email != "li.na@example.org" || created.Owner || len(created.Memberships) != 1 || created.Memberships[0].Role != passerelle.RoleTranslator {
			t.Errorf("created = %+v", created)
		}
		for _, tc := range []struct {
			name   string
			body   map[string]any
			status int
			field  string
		}{
			{"duplicate e-mail", map[string]any{"email": "li.na@example.org", "password": "correct-horse-battery"}, 409, "email"},
			{"short password", map[string]any{"email": "a@example.org", "password": "short"}, 422, "password"},
			{"bad e-mail", map[string]any{"email": "not an address", "password": "correct-horse-battery"}, 422, "email"},
			{"owner role per institution", map[string]any{"email": "b@example.org", "password": "correct-horse-battery", "memberships": []map[string]any{{"institution_id": inst.ID, "role": "owner"}}}, 422, "memberships"},
			{"foreign institution", map[string]any{"email": "c@example.org", "password": "correct-horse-battery", "memberships": []map[string]any{{"institution_id": fInst.ID, "role": "viewer"}}}, 422, "memberships"},
			{"unknown membership field", map[string]any{"email": "d@example.org", "password": "correct-horse-battery", "memberships": []map[string]any{{"institution_id": inst.ID, "role": "viewer", "since": 2020}}}, 422, "memberships.since"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := b.api.Do("POST", "/api/v1/users", tc.body).Want(t, tc.status).Err(t)
				if e.Error.Fields[tc.field] == "" {
					t.Errorf("error = %+v, want a message for %s", e.Error, tc.field)
				}
			})
		}

		var list struct {
			Items      []passerelle.User `json:"items"`
			NextCursor *string           `json:"next_cursor"`
		}
		b.api.Do("GET", "/api/v1/users", nil).Want(t, http.StatusOK).JSON(t, &list)
		if len(list.Items) != 2 || list.NextCursor != nil {
			t.Errorf("users = %+v", list)
		}
		up := path("/api/v1/users/%d", created.ID)
		var patched passerelle.User
		b.api.Do("PATCH", up, map[string]any{"memberships": []map[string]any{{"institution_id": inst.ID, "role": "editor"}}}).Want(t, http.StatusOK).JSON(t, &patched)
		if patched.Name != "Li Na" || len(patched.Memberships) != 1 || patched.Memberships[0].Role != passerelle.RoleEditor {
			t.Errorf("patched = %+v", patched)
		}
		self := path("/api/v1/users/%d", b.owner.ID)
		b.api.Do("PATCH", self, map[string]any{"owner": false}).Want(t, http.StatusConflict)
		b.api.Do("PATCH", self, map[string]any{"disabled": true}).Want(t, http.StatusConflict)

		// The member sees themself only.
		li := b.as(&patched)
		li.Do("GET", up, nil).Want(t, http.StatusOK)
		li.Do("GET", self, nil).Want(t, http.StatusNotFound)
		li.Do("GET", "/api/v1/users", nil).Want(t, http.StatusForbidden)
		li.Do("PATCH", up, map[string]any{"owner": true}).Want(t, http.StatusForbidden)
		var me passerelle.User
		li.Do("GET", "/api/v1/me", nil).Want(t, http.StatusOK).JSON(t, &me)
		if me.ID != created.ID || me.Owner {
			t.Errorf("me = %+v", me)
		}

		// Disabling ends their tokens.
		b.api.Do("PATCH", up, map[string]any{"disabled": true}).Want(t, http.StatusOK)
		li.Do("GET", "/api/v1/me", nil).Want(t, http.StatusUnauthorized)
	})
}

func TestTokens(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		var created struct {
			ID        int64      `json:"id"`
			Token     string     `json:"token"`
			Prefix    string     `json:"prefix"`
			ExpiresAt *time.Time `json:"expires_at"`
		}
		expires := time.Now().Add(48 * time.Hour).UTC().Truncate(time.Second)
		b.api.Do("POST", "/api/v1/tokens", map[string]any{"name": "script", "expires_at": expires.Format(time.RFC3339)}).Want(t, http.StatusCreated).JSON(t, &created)
		if !strings.HasPrefix(created.Token, created.Prefix) || created.ExpiresAt == nil || !created.ExpiresAt.Equal(expires) {
			t.Errorf("created = %+v", created)
		}
		c := b.api.WithToken(created.Token)
		c.Do("GET", "/api/v1/me", nil).Want(t, http.StatusOK)
		list := c.Do("GET", "/api/v1/tokens", nil).Want(t, http.StatusOK)
		if bytes.Contains(list.Body, []byte(created.Token)) {
			t.Error("token list shows a secret")
		}
		var l struct {
			Items []passerelle.APIToken `json:"items"`
		}
		list.JSON(t, &l)
		if len(l.Items) != 2 || l.Items[0].ID != created.ID || l.Items[0].LastUsedAt == nil {
			t.Errorf("tokens = %+v", l.Items)
		}
		for _, tc := range []struct {
			name  string
			body  string
			field string
		}{
			{"past expiry", `{"expires_at": "2001-01-01T00:00:00Z"}`, "expires_at"},
			{"name too long", `{"name": "` + strings.Repeat("n", 101) + `"}`, "name"},
			{"expiry not a date", `{"expires_at": "tomorrow"}`, "expires_at"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				e := b.api.Do("POST", "/api/v1/tokens", tc.body).Want(t, http.StatusUnprocessableEntity).Err(t)
				if e.Error.Fields[tc.field] == "" {
					t.Errorf("error = %+v", e.Error)
				}
			})
		}
		b.api.Do("DELETE", path("/api/v1/tokens/%d", created.ID), nil).Want(t, http.StatusNoContent)
		c.Do("GET", "/api/v1/me", nil).Want(t, http.StatusUnauthorized)
		b.api.Do("DELETE", path("/api/v1/tokens/%d", created.ID), nil).Want(t, http.StatusNotFound)
	})
}
