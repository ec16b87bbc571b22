package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/api/apitest"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// decodeTarget is one operation whose JSON body the fuzzer writes.
type decodeTarget struct {
	method, path string
	// fields are the body's fields and whether each is a number (else a string).
	fields map[string]bool
}

var institutionFields = map[string]bool{"name": false, "name_fr": false, "name_en": false, "name_zh": false, "city": false, "country": false, "website": false, "time_zone": false, "kind": false, "logo_url": false}

var accountFields = map[string]bool{"platform": false, "kind": false, "handle": false, "display_name": false, "profile_url": false, "followers": true}

// FuzzDecode sends arbitrary bodies to the operations that decode JSON and checks that
// the answer is never a 5xx, always conforms to the OpenAPI document, is a 400 for
// anything but one JSON object, and is a 2xx only for an object of known fields of the
// right types whose values the answer carries back, normalised; a refused change
// changes nothing.
func FuzzDecode(f *testing.F) {
	b := setup(f, storetest.SQLite(f))
	inst := b.institution(b.org, "Musée Guimet")
	acc := b.account(b.org, inst.ID, passerelle.WeChat, passerelle.AccountManaged)
	token := b.token(b.owner)
	handler := b.srv.Handler()
	targets := []decodeTarget{
		{"POST", "/api/v1/institutions", institutionFields},
		{"PATCH", path("/api/v1/institutions/%d", inst.ID), institutionFields},
		{"POST", path("/api/v1/institutions/%d/accounts", inst.ID), accountFields},
		{"PATCH", path("/api/v1/accounts/%d", acc.ID), accountFields},
	}
	for _, seed := range []string{
		`{"name": "Musée d'Orsay", "name_zh": "奥赛博物馆", "country": "fr"}`,
		`{"name": " Louvre ", "kind": "museum", "time_zone": "Europe/Paris", "website": "https://www.louvre.fr"}`,
		`{"platform": "WeChat", "kind": "watched", "handle": "gh_123", "display_name": "卢浮宫", "followers": 12}`,
		`{"platform": "wechat", "followers": null, "handle": null}`,
		`{"city": null}`, `{}`, `null`, `[]`, `"x"`, `{"name": 1}`, `{"NAME": "x"}`, `{"name": "a"}{}`,
		`{"name": "a", "name": "b"}`, `{"followers": 1e3}`, `{"followers": -1}`, `{"country": "\u0000F"}`,
		"{\"name\": \"\xff\xfe\"}", `{"name": "` + strings.Repeat("长", 201) + `"}`, ``, `{`,
	} {
		for i := range targets {
			f.Add(uint8(i), []byte(seed))
		}
	}
	f.Fuzz(func(t *testing.T, which uint8, body []byte) {
		tg := targets[int(which)%len(targets)]
		var before any
		if tg.method == "PATCH" {
			before = stored(t, b, tg.path)
		}

		req := httptest.NewRequest(tg.method, tg.path, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		resp := rec.Result()
		respBody, _ := io.ReadAll(resp.Body)

		if resp.StatusCode >= 500 {
			t.Fatalf("%s %s %q: %d %s", tg.method, tg.path, body, resp.StatusCode, respBody)
		}
		e := &apitest.Exchange{Request: httptest.NewRequest(tg.method, tg.path, nil), RequestBody: body, Status: resp.StatusCode, Header: resp.Header, ResponseBody: respBody}
		e.Request.Header = req.Header
		if err := b.v.ValidateResponse(e); err != nil {
			t.Fatalf("%s %s %q: answer does not conform: %v", tg.method, tg.path, body, err)
		}
		trimmed := bytes.TrimLeft(body, " \t\r\n")
		if (!json.Valid(body) || len(trimmed) == 0 || trimmed[0] != '{') && resp.StatusCode != http.StatusBadRequest {
			t.Fatalf("%q is not one JSON object, yet %d", body, resp.StatusCode)
		}
		if resp.StatusCode >= 300 {
			if after := stored(t, b, tg.path); before != nil && !reflect.DeepEqual(before, after) {
				t.Fatalf("refused PATCH %q (%d) changed %v into %v", body, resp.StatusCode, before, after)
			}
			return
		}
		var sent map[string]any
		d := json.NewDecoder(bytes.NewReader(body))
		d.UseNumber()
		if err := d.Decode(&sent); err != nil {
			t.Fatalf("accepted (%d) a body that is not an object: %q", resp.StatusCode, body)
		}
		var got map[string]any
		if err := json.Unmarshal(respBody, &got); err != nil {
			t.Fatal(err)
		}
		for k, v := range sent {
			number, known := tg.fields[k]
			if !known {
				t.Fatalf("accepted (%d) unknown field %q in %q", resp.StatusCode, k, body)
			}
			switch v := v.(type) {
			case nil:
			case json.Number:
				n, err := v.Int64()
				if !number || err != nil || got[k] != float64(n) {
					t.Fatalf("accepted %s = %v, answered %v", k, v, got[k])
				}
			case string:
				if number {
					t.Fatalf("accepted string %q for number %s", v, k)
				}
				if want := normalized(tg.fields, k, v); got[k] != want {
					t.Fatalf("sent %s = %q, answered %q, want %q", k, v, got[k], want)
				}
			default:
				t.Fatalf("accepted %s of type %T in %q", k, v, body)
			}
		}
	})
}

// normalized is what the server keeps of a text field: trimmed, with defaults, country
// upper-cased and platform lower-cased.
func normalized(fields map[string]bool, field, v string) string {
	v = strings.TrimSpace(v)
	switch {
	case field == "country":
		return strings.ToUpper(v)
	case field == "platform":
		return strings.ToLower(v)
	case field == "time_zone" && v == "":
		return passerelle.DefaultTimeZone
	case field == "kind" && v == "" && reflect.DeepEqual(fields, accountFields):
		return passerelle.AccountManaged
	case field == "kind" && v == "":
		return "museum"
	}
	return v
}

// stored reads the institution or account a PATCH path names, straight from the store.
func stored(t *testing.T, b *bundle, p string) any {
	var id int64
	if _, err := fmt.Sscanf(p, "/api/v1/institutions/%d", &id); err == nil {
		i, err := b.db.Institution(t.Context(), b.org, id)
		if err != nil {
			t.Fatal(err)
		}
		return *i
	}
	if _, err := fmt.Sscanf(p, "/api/v1/accounts/%d", &id); err == nil {
		a, err := b.db.Account(t.Context(), b.org, id)
		if err != nil {
			t.Fatal(err)
		}
		return *a
	}
	return nil
}
