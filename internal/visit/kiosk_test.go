package visit_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestKiosk: a published tour's kiosk, its settings through the API, its service
// worker (the files it caches, a version that changes with the content), its
// operator's page, and nothing for an unpublished tour or a guessed token.
func TestKiosk(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		mp3 := media.SilentMP3(3 * time.Second)
		audio := id(t, b.want(b.do("POST", fmt.Sprintf("/api/v1/institutions/%d/media?filename=stop.mp3", b.institution), b.token, mp3, "Content-Type", "audio/mpeg"), 201))
		tour := id(t, b.want(b.do("POST", fmt.Sprintf("/api/v1/institutions/%d/tours", b.institution), b.token, []byte(`{"title_zh": "卢浮宫语音导览", "title_fr": "Audioguide du Louvre"}`)), 201))
		stops := fmt.Sprintf("/api/v1/tours/%d/stops", tour)
		b.want(b.do("POST", stops, b.token, fmt.Appendf(nil, `{"number": 12, "title_zh": "蒙娜丽莎", "title_fr": "La Joconde", "transcript_zh": "这是达·芬奇的作品。", "audio_media_id": %d}`, audio)), 201)
		b.want(b.do("POST", stops, b.token, []byte(`{"number": 13, "title_zh": "胜利女神", "transcript_zh": "胜利女神像。"}`)), 201)

		// Settings: defaults, bounds, another organization sees nothing.
		kiosk := fmt.Sprintf("/api/v1/tours/%d/kiosk", tour)
		k := b.want(b.do("GET", kiosk, b.token, nil), 200).json(t)
		if k["pace_seconds"] != 20.0 || k["idle_seconds"] != 120.0 {
			t.Errorf("default settings %v", k)
		}
		kioskURL, _ := k["url"].(string)
		if !strings.HasPrefix(kioskURL, b.url+"/v/k/t/") || !strings.HasSuffix(kioskURL, "/") {
			t.Fatalf("kiosk url %q", kioskURL)
		}
		for _, body := range []string{`{"pace_seconds": 4, "idle_seconds": 120}`, `{"pace_seconds": 20, "idle_seconds": 3601}`, `{"pace_seconds": "20"}`, `{"pace_seconds": 20, "idle_seconds": 60, "x": 1}`} {
			b.want(b.do("PUT", kiosk, b.token, []byte(body)), 422)
		}
		b.want(b.do("GET", kiosk, b.foreignToken, nil), 404)
		b.want(b.do("PUT", kiosk, b.foreignToken, []byte(`{"pace_seconds": 30, "idle_seconds": 60}`)), 404)
		k = b.want(b.do("PUT", kiosk, b.token, []byte(`{"pace_seconds": 7, "idle_seconds": 45}`)), 200).json(t)
		if k["pace_seconds"] != 7.0 || k["idle_seconds"] != 45.0 {
			t.Errorf("saved settings %v", k)
		}

		// Unpublished: the kiosk's addresses answer 404 and reveal nothing.
		for _, p := range []string{"", "fr", "status", "sw.js"} {
			r := b.want(b.do("GET", kioskURL+p, "", nil), 404)
			if bytes.Contains(r.body, []byte("蒙娜丽莎")) {
				t.Errorf("unpublished kiosk %q shows the tour", p)
			}
		}
		b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/publish", tour), b.token, nil), 200)

		page := b.want(b.do("GET", kioskURL, "", nil), 200)
		csp := page.header.Get("Content-Security-Policy")
		if !strings.Contains(csp, "worker-src 'self'") || !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
			t.Errorf("kiosk CSP %q", csp)
		}
		if cc := page.header.Get("Cache-Control"); cc != "no-cache" || page.header.Get("ETag") == "" {
			t.Errorf("kiosk page caching %q %q", cc, page.header.Get("ETag"))
		}
		html := string(page.body)
		for _, want := range []string{"蒙娜丽莎", "胜利女神", `data-pace="7"`, `data-idle="45"`, `data-sw="/v/k/t/`, "<audio", `lang="zh-Hans"`} {
			if !strings.Contains(html, want) {
				t.Errorf("the kiosk page lacks %q", want)
			}
		}
		if regexp.MustCompile(`<script>|<script [^>]*>[^<]`).MatchString(html) || strings.Contains(html, " on"+"click=") {
			t.Error("the kiosk page has an inline script")
		}
		fr := b.want(b.do("GET", kioskURL+"fr", "", nil), 200)
		if !bytes.Contains(fr.body, []byte("La Joconde")) || !bytes.Contains(fr.body, []byte(`lang="fr"`)) {
			t.Error("the French kiosk is not in French")
		}
		b.want(b.do("GET", strings.TrimSuffix(kioskURL, "/"), "", nil), 301)
		b.want(b.do("GET", b.url+"/v/k/t/"+strings.Repeat("a", 20)+"/", "", nil), 404)
		b.want(b.do("GET", b.url+"/v/k/x/"+strings.Repeat("a", 20)+"/", "", nil), 404)

		// The service worker: JavaScript, scoped to the kiosk, listing every file.
		sw := b.want(b.do("GET", kioskURL+"sw.js", "", nil), 200)
		if ct := sw.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
			t.Errorf("sw.js type %q", ct)
		}
		var head struct {
			Version, Cache, Prefix string
			Files                  []string
		}
		line := between(string(sw.body), "var KIOSK = ", ";\n")
		if err := json.Unmarshal([]byte(line), &head); err != nil {
			t.Fatalf("sw.js head %q: %v", line, err)
		}
		files := strings.Join(head.Files, " ")
		audioURL := between(html, `<audio controls preload="none" src="`, `"`)
		base := strings.TrimPrefix(kioskURL, b.url)
		for _, want := range []string{base + " ", base + "fr ", base + "en ", base + "status", base + "app.webmanifest", "/v/k/a/kiosk.", audioURL} {
			if audioURL == "" || !strings.Contains(files+" ", want) {
				t.Errorf("the worker does not cache %q: %v", want, head.Files)
			}
		}
		for _, f := range head.Files {
			b.want(b.do("GET", f, "", nil), 200)
		}
		if !strings.HasPrefix(head.Cache, head.Prefix) || !strings.HasSuffix(head.Cache, head.Version) {
			t.Errorf("cache %q prefix %q version %q", head.Cache, head.Prefix, head.Version)
		}

		// The operator's page lists each file, in the operator's language.
		st := b.want(b.do("GET", kioskURL+"status", "", nil, "Accept-Language", "fr-FR,fr;q=0.9"), 200)
		for _, f := range head.Files {
			if !bytes.Contains(st.body, []byte(`data-url="`+f+`"`)) {
				t.Errorf("the operator's page does not list %q", f)
			}
		}
		if !bytes.Contains(st.body, []byte("État de la borne")) || !bytes.Contains(st.body, []byte(head.Version)) {
			t.Error("the operator's page is not in French or lacks the version")
		}

		// A change of content is a new version; settings are too.
		b.want(b.do("POST", stops, b.token, []byte(`{"number": 14, "title_zh": "拿破仑加冕"}`)), 201)
		b.want(b.do("PUT", kiosk, b.token, []byte(`{"pace_seconds": 9, "idle_seconds": 45}`)), 200)
		sw2 := b.want(b.do("GET", kioskURL+"sw.js", "", nil), 200)
		if bytes.Equal(sw.body, sw2.body) || strings.Contains(string(sw2.body), head.Version) {
			t.Error("the worker's version did not change with the content")
		}
		if page := b.want(b.do("GET", kioskURL, "", nil), 200); !bytes.Contains(page.body, []byte("拿破仑加冕")) || !bytes.Contains(page.body, []byte(`data-pace="9"`)) {
			t.Error("the kiosk does not show the change")
		}

		// Unpublished again: gone.
		b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/unpublish", tour), b.token, nil), 200)
		b.want(b.do("GET", kioskURL, "", nil), 404)
		b.want(b.do("GET", kioskURL+"sw.js", "", nil), 404)
	})
}

// TestExhibitionMove: rooms and works change places through the API, out-of-range
// positions are 422 and change nothing, another organization gets 404.
func TestExhibitionMove(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		body := `{"title_zh": "印象派之光", "rooms": [
			{"title_zh": "甲厅", "works": [{"title_zh": "睡莲"}, {"title_zh": "日出"}, {"title_zh": "草垛"}]},
			{"title_zh": "乙厅", "works": [{"title_zh": "舞会"}]}]}`
		ex := id(t, b.want(b.do("POST", fmt.Sprintf("/api/v1/institutions/%d/exhibitions", b.institution), b.token, []byte(body)), 201))
		moveURL := fmt.Sprintf("/api/v1/exhibitions/%d/move", ex)
		order := func(r response) string {
			var e struct {
				Rooms []struct {
					TitleZH string `json:"title_zh"`
					Works   []struct {
						TitleZH string `json:"title_zh"`
					} `json:"works"`
				} `json:"rooms"`
			}
			if err := json.Unmarshal(r.body, &e); err != nil {
				t.Fatal(err)
			}
			var parts []string
			for _, room := range e.Rooms {
				s := room.TitleZH + ":"
				for _, w := range room.Works {
					s += w.TitleZH + ","
				}
				parts = append(parts, s)
			}
			return strings.Join(parts, " ")
		}
		if got := order(b.want(b.do("POST", moveURL, b.token, []byte(`{"room": 0, "work": 2, "to": 0}`)), 200)); got != "甲厅:草垛,睡莲,日出, 乙厅:舞会," {
			t.Errorf("after moving a work: %s", got)
		}
		if got := order(b.want(b.do("POST", moveURL, b.token, []byte(`{"room": 1, "to": 0}`)), 200)); got != "乙厅:舞会, 甲厅:草垛,睡莲,日出," {
			t.Errorf("after moving a room: %s", got)
		}
		for _, bad := range []string{`{"room": 2, "to": 0}`, `{"room": 0, "to": 2}`, `{"room": 0, "to": -1}`, `{"room": 1, "work": 3, "to": 0}`, `{"room": 1, "work": -1, "to": 0}`, `{"room": 1, "work": 0, "to": 3}`, `{"room": "a"}`} {
			b.want(b.do("POST", moveURL, b.token, []byte(bad)), 422)
		}
		b.want(b.do("POST", moveURL, b.foreignToken, []byte(`{"room": 1, "to": 0}`)), 404)
		b.want(b.do("POST", fmt.Sprintf("/api/v1/exhibitions/%d/move", ex+1000), b.token, []byte(`{"room": 1, "to": 0}`)), 404)
		b.want(b.do("POST", fmt.Sprintf("/api/v1/exhibitions/%d/publish", ex), b.token, nil), 200)
		k := b.want(b.do("GET", fmt.Sprintf("/api/v1/exhibitions/%d/kiosk", ex), b.token, nil), 200).json(t)
		kiosk := b.want(b.do("GET", k["url"].(string), "", nil), 200)
		if i, j := bytes.Index(kiosk.body, []byte("舞会")), bytes.Index(kiosk.body, []byte("草垛")); i < 0 || j < 0 || i > j {
			t.Errorf("the kiosk does not follow the order (%d, %d)", i, j)
		}
	})
}
