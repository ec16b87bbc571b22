package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/api/apitest"
)

// owner creates an organization and its owner through the real sign-up path and
// returns a token of theirs.
func owner(t testing.TB, m *Main) string {
	t.Helper()
	ctx := t.Context()
	org, err := m.DB.CreateOrganization(ctx, "Agence")
	if err != nil {
		t.Fatal(err)
	}
	u := &passerelle.User{OrgID: org.ID, Email: "owner@example.org", Owner: true, Memberships: []passerelle.Membership{}}
	if err := m.Auth.CreateUser(ctx, u, "correct-horse-battery"); err != nil {
		t.Fatal(err)
	}
	secret, _, err := m.Auth.CreateToken(ctx, u.ID, "e2e", nil)
	if err != nil {
		t.Fatal(err)
	}
	return secret
}

// TestEndToEnd boots the whole server on 127.0.0.1:0 over a temporary SQLite file and
// drives the JSON API as a client would, every exchange checked against the OpenAPI
// document.
func TestEndToEnd(t *testing.T) {
	m := boot(t)
	c := apitest.New(t).API(t, m.URL(), owner(t, m))

	resp, err := http.Get(m.URL() + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("/readyz %d", resp.StatusCode)
	}
	c.Do("GET", "/api/openapi.json", nil).Want(t, http.StatusOK)

	var inst map[string]any
	c.Do("POST", "/api/v1/institutions", map[string]any{"name": "Musée Guimet", "name_zh": "吉美博物馆", "country": "FR"}).Want(t, http.StatusCreated).JSON(t, &inst)
	for k, want := range map[string]any{"name": "Musée Guimet", "name_zh": "吉美博物馆", "country": "FR"} {
		if inst[k] != want {
			t.Errorf("institution %s = %v, want %v", k, inst[k], want)
		}
	}
	id := int64(inst["id"].(float64))
	ip := fmt.Sprintf("/api/v1/institutions/%d", id)

	var list struct {
		Items      []map[string]any `json:"items"`
		NextCursor *string          `json:"next_cursor"`
	}
	c.Do("GET", "/api/v1/institutions", nil).Want(t, http.StatusOK).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0]["id"] != inst["id"] || list.NextCursor != nil {
		t.Errorf("list = %+v", list)
	}

	var acc map[string]any
	c.Do("POST", ip+"/accounts", map[string]any{"platform": "weibo", "kind": "watched", "handle": "guimet", "display_name": "吉美博物馆"}).Want(t, http.StatusCreated).JSON(t, &acc)
	if acc["id"] == nil || acc["handle"] != "guimet" || acc["kind"] != "watched" {
		t.Errorf("account = %v", acc)
	}
	c.Do("GET", ip+"/accounts", nil).Want(t, http.StatusOK).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0]["id"] != acc["id"] {
		t.Errorf("accounts = %+v", list)
	}

	var patched map[string]any
	c.Do("PATCH", ip, map[string]any{"city": "Paris"}).Want(t, http.StatusOK).JSON(t, &patched)
	if patched["city"] != "Paris" || patched["name_zh"] != "吉美博物馆" {
		t.Errorf("patched = %v", patched)
	}

	for _, tc := range []struct {
		name   string
		token  string
		method string
		body   any
		status int
	}{
		{"no token", "-", "GET", nil, http.StatusUnauthorized},
		{"bad token", "psl_notatoken", "GET", nil, http.StatusUnauthorized},
		{"malformed JSON", "", "PATCH", `{"city":`, http.StatusBadRequest},
		{"invalid field", "", "PATCH", map[string]any{"country": "France"}, http.StatusUnprocessableEntity},
		{"unknown field", "", "PATCH", map[string]any{"colour": "red"}, http.StatusUnprocessableEntity},
		{"too large", "", "PATCH", `{"city": "` + strings.Repeat("x", 2<<20) + `"}`, http.StatusRequestEntityTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cc := c
			switch tc.token {
			case "-":
				cc = c.WithToken("")
			case "":
			default:
				cc = c.WithToken(tc.token)
			}
			cc.Do(tc.method, ip, tc.body).Want(t, tc.status)
		})
	}

	c.Do("DELETE", ip, nil).Want(t, http.StatusNoContent)
	c.Do("GET", ip, nil).Want(t, http.StatusNotFound)
	c.Do("POST", ip+"/restore", nil).Want(t, http.StatusOK)
	c.Do("GET", ip, nil).Want(t, http.StatusOK)
	c.Do("GET", "/api/v1/institutions/987654", nil).Want(t, http.StatusNotFound)
}

// BenchmarkListInstitutions: GET /api/v1/institutions with 50 institutions, through
// the whole server (token check, tenancy, SQLite, JSON), clients in parallel over
// keep-alive loopback connections.
func BenchmarkListInstitutions(b *testing.B) {
	m := boot(b)
	token := owner(b, m)
	c := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 64}}
	for i := range 50 {
		req, _ := http.NewRequest("POST", m.URL()+"/api/v1/institutions", strings.NewReader(fmt.Sprintf(`{"name": "Musée %d", "country": "FR"}`, i)))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := c.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusCreated {
			b.Fatalf("create: %d", resp.StatusCode)
		}
	}
	url := m.URL() + "/api/v1/institutions"
	b.SetParallelism(32) // 64 clients on 2 cores
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var buf bytes.Buffer
		for pb.Next() {
			req, _ := http.NewRequest("GET", url, nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err := c.Do(req)
			if err != nil {
				b.Error(err)
				return
			}
			buf.Reset()
			io.Copy(&buf, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK || bytes.Count(buf.Bytes(), []byte(`"id":`)) != 50 {
				b.Errorf("list: %d", resp.StatusCode)
				return
			}
		}
	})
}
