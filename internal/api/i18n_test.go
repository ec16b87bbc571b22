package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle/internal/server"
)

// API error messages, and the messages of their fields, follow the request's
// Accept-Language.
func TestErrorsFollowAcceptLanguage(t *testing.T) {
	t.Parallel()
	b := sqlite(t)
	token := b.token(b.owner)
	tests := []struct {
		name, method, path, body, accept string
		status                           int
		lang, message, field, fieldMsg   string
	}{
		{"no header: English", "GET", "/api/v1/nothing-here", "", "", 404, "en", "No such API route: see /api/openapi.json.", "", ""},
		{"French", "GET", "/api/v1/nothing-here", "", "fr-FR,fr;q=0.9", 404, "fr", "Cette route d'API n'existe pas : voir /api/openapi.json.", "", ""},
		{"Chinese", "GET", "/api/v1/nothing-here", "", "zh-CN,zh;q=0.9", 404, "zh-Hans", "没有此 API 路由：请参阅 /api/openapi.json。", "", ""},
		{"unsupported: English", "GET", "/api/v1/nothing-here", "", "de-DE", 404, "en", "No such API route: see /api/openapi.json.", "", ""},
		{"fields in French", "POST", "/api/v1/institutions", `{"name": ""}`, "fr", 422, "fr", "Certains champs sont invalides.", "name", "Un nom est requis."},
		{"fields in Chinese", "POST", "/api/v1/institutions", `{"name": ""}`, "zh-Hans", 422, "zh-Hans", "", "name", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, b.url+tt.path, strings.NewReader(tt.body))
			req.Header.Set("Authorization", "Bearer "+token)
			req.Header.Set("Content-Type", "application/json")
			if tt.accept != "" {
				req.Header.Set("Accept-Language", tt.accept)
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			var body server.ErrorBody
			if err := json.NewDecoder(res.Body).Decode(&body); err != nil {
				t.Fatal(err)
			}
			if res.StatusCode != tt.status {
				t.Fatalf("status %d, want %d: %+v", res.StatusCode, tt.status, body)
			}
			if got := res.Header.Get("Content-Language"); got != tt.lang {
				t.Errorf("Content-Language %q, want %q", got, tt.lang)
			}
			if tt.message != "" && body.Error.Message != tt.message {
				t.Errorf("message %q, want %q", body.Error.Message, tt.message)
			}
			if tt.field != "" {
				m := body.Error.Fields[tt.field]
				switch {
				case tt.fieldMsg != "" && m != tt.fieldMsg:
					t.Errorf("%s: %q, want %q", tt.field, m, tt.fieldMsg)
				case tt.fieldMsg == "" && (m == "" || m == "A name is required."):
					t.Errorf("%s: %q is not translated", tt.field, m)
				}
			}
		})
	}
}
