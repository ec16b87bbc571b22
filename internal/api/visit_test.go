package api_test

import (
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/media"
)

// The visitor-page routes, through the validating client: requests and answers match
// openapi.yaml.
func TestVisitDocumented(t *testing.T) {
	t.Parallel()
	b := sqlite(t)
	inst := b.institution(b.org, "Louvre")
	do := func(method, p string, body any, want int) map[string]any {
		t.Helper()
		var out map[string]any
		b.api.Do(method, p, body).Want(t, want).JSON(t, &out)
		return out
	}
	m := do("POST", path("/api/v1/institutions/%d/media?filename=a.mp3", inst.ID), media.SilentMP3(time.Second), 201)
	tour := do("POST", path("/api/v1/institutions/%d/tours", inst.ID), map[string]any{"title_zh": "导览"}, 201)
	tid := int64(tour["id"].(float64))
	do("POST", path("/api/v1/tours/%d/stops", tid), map[string]any{"number": 12, "title_zh": "一", "audio_media_id": m["id"]}, 201)
	do("POST", path("/api/v1/tours/%d/stops", tid), map[string]any{"number": 12, "title_zh": "二"}, 422)
	do("GET", path("/api/v1/tours/%d", tid), nil, 200)
	pub := do("POST", path("/api/v1/tours/%d/publish", tid), nil, 200)
	if pub["url"] != tour["url"] {
		t.Errorf("published at %v, announced at %v", pub["url"], tour["url"])
	}
	do("POST", path("/api/v1/tours/%d/unpublish", tid), nil, 200)
	ex := do("POST", path("/api/v1/institutions/%d/exhibitions", inst.ID), map[string]any{"title_zh": "展", "rooms": []any{map[string]any{"title_zh": "厅", "works": []any{map[string]any{"title_zh": "作品"}}}}}, 201)
	do("POST", path("/api/v1/exhibitions/%d/publish", int64(ex["id"].(float64))), nil, 200)
	do("POST", path("/api/v1/exhibitions/%d/unpublish", int64(ex["id"].(float64))), nil, 200)
}
