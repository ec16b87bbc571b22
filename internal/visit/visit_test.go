package visit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/api"
	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/visit"
)

// bundle is a served Passerelle with the visitor pages, an organization with an
// institution and its owner's API token, and another organization's owner.
type bundle struct {
	t            testing.TB
	db           *store.DB
	url          string
	svc          *visit.Service
	institution  int64
	org          int64
	token        string
	foreignToken string
	// handler is the served stack, for benchmarks that call it without a socket.
	handler http.Handler
}

func setup(t testing.TB, db *store.DB) *bundle {
	t.Helper()
	ctx := context.Background()
	b := &bundle{t: t, db: db}
	a := auth.New(db, nil)
	srv := server.New(server.Options{DB: db, Auth: a})
	edit := editorial.New(editorial.Options{DB: db, DataDir: t.TempDir()})
	api.RegisterEditorial(srv, edit)
	var handler http.Handler
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { handler.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	b.url = ts.URL
	b.svc = visit.New(db, edit.MediaStore(), ts.URL, nil)
	if err := b.svc.Register(srv); err != nil {
		t.Fatal(err)
	}
	api.RegisterVisit(srv, b.svc)
	handler = srv.Handler()
	b.handler = handler

	for i, name := range []string{"Agence", "Autre agence"} {
		org, err := db.CreateOrganization(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		u := &passerelle.User{OrgID: org.ID, Email: fmt.Sprintf("owner%d@example.org", i), Owner: true}
		if err := db.CreateUser(ctx, u, "unused"); err != nil {
			t.Fatal(err)
		}
		secret, _, err := a.CreateToken(ctx, u.ID, "test", nil)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			inst := &passerelle.Institution{OrgID: org.ID, Name: "Musée du Louvre", NameZH: "卢浮宫"}
			if err := db.CreateInstitution(ctx, inst); err != nil {
				t.Fatal(err)
			}
			b.institution, b.token, b.org = inst.ID, secret, org.ID
		} else {
			b.foreignToken = secret
		}
	}
	return b
}

type response struct {
	status int
	header http.Header
	body   []byte
}

func (r response) json(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.body, &m); err != nil {
		t.Fatalf("not JSON (%d): %s", r.status, r.body)
	}
	return m
}

// do sends a request; header pairs follow the body.
func (b *bundle) do(method, url, token string, body []byte, header ...string) response {
	b.t.Helper()
	if strings.HasPrefix(url, "/") {
		url = b.url + url
	}
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		b.t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	res, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	if err != nil {
		b.t.Fatal(err)
	}
	return response{status: res.StatusCode, header: res.Header, body: data}
}

func (b *bundle) want(r response, status int) response {
	b.t.Helper()
	if r.status != status {
		b.t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	return r
}

func id(t testing.TB, r response) int64 {
	t.Helper()
	v, ok := r.json(t)["id"].(float64)
	if !ok || v <= 0 {
		t.Fatalf("no id in %s", r.body)
	}
	return int64(v)
}

// The interface contract of issue 13, on every engine.
func TestTourContract(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		mp3 := media.SilentMP3(5 * time.Second)
		upload := fmt.Sprintf("/api/v1/institutions/%d/media?filename=stop.mp3", b.institution)
		audio := id(t, b.want(b.do("POST", upload, b.token, mp3, "Content-Type", "audio/mpeg"), 201))

		// Bad input: audio that is not what it claims, truncated audio.
		b.want(b.do("POST", upload, b.token, []byte("ID3 but not really an mp3 file"), "Content-Type", "audio/mpeg"), 415)
		b.want(b.do("POST", upload, b.token, mp3[:len(mp3)-30], "Content-Type", "audio/mpeg"), 415)
		b.want(b.do("POST", upload, b.token, []byte("<html>hello</html>"), "Content-Type", "audio/mp4"), 415)

		tours := fmt.Sprintf("/api/v1/institutions/%d/tours", b.institution)
		tour := id(t, b.want(b.do("POST", tours, b.token, []byte(`{"title_zh": "卢浮宫语音导览", "title_fr": "Audioguide du Louvre"}`)), 201))
		stops := fmt.Sprintf("/api/v1/tours/%d/stops", tour)
		b.want(b.do("POST", stops, b.token, fmt.Appendf(nil, `{"number": 12, "title_zh": "蒙娜丽莎", "transcript_zh": "这是达·芬奇的作品。", "audio_media_id": %d}`, audio)), 201)
		b.want(b.do("POST", stops, b.token, fmt.Appendf(nil, `{"number": 13, "title_zh": "萨莫色雷斯的胜利女神", "title_fr": "La Victoire de Samothrace", "transcript_zh": "胜利女神像。", "audio_media_id": %d}`, audio)), 201)

		// A stop number used twice is 422 and changes nothing.
		dup := b.want(b.do("POST", stops, b.token, []byte(`{"number": 12, "title_zh": "另一个"}`)), 422)
		if _, ok := dup.json(t)["error"].(map[string]any)["fields"].(map[string]any)["number"]; !ok {
			t.Errorf("the 422 does not name the number: %s", dup.body)
		}
		// Other bad stops.
		for _, body := range []string{`{"number": 0, "title_zh": "x"}`, `{"number": 14}`, `{"number": 14, "title_zh": "x", "audio_media_id": 999999}`, `{"number": "14"}`, `{"number": 14, "title_zh": "x", "colour": 1}`} {
			if r := b.do("POST", stops, b.token, []byte(body)); r.status != 422 {
				t.Errorf("%s: %d %s", body, r.status, r.body)
			}
		}
		// Another organization sees nothing.
		b.want(b.do("POST", tours, b.foreignToken, []byte(`{"title_zh": "x"}`)), 404)
		b.want(b.do("POST", stops, b.foreignToken, []byte(`{"number": 20, "title_zh": "x"}`)), 404)
		b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/publish", tour), b.foreignToken, nil), 404)

		got := b.want(b.do("GET", fmt.Sprintf("/api/v1/tours/%d", tour), b.token, nil), 200).json(t)
		publicURL := got["url"].(string)
		if n := len(got["stops"].([]any)); n != 2 {
			t.Fatalf("%d stops, want 2", n)
		}
		// Unpublished: 404.
		b.want(b.do("GET", publicURL, "", nil), 404)

		pub := b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/publish", tour), b.token, nil), 200).json(t)
		if pub["url"] != publicURL || !strings.HasPrefix(publicURL, b.url+"/") {
			t.Fatalf("publish url %v, want %s on %s", pub["url"], publicURL, b.url)
		}
		page := b.want(b.do("GET", publicURL, "", nil), 200)
		for _, want := range []string{"卢浮宫语音导览", "蒙娜丽莎", "萨莫色雷斯的胜利女神", `lang="zh-Hans"`, "2 个讲解点"} {
			if !bytes.Contains(page.body, []byte(want)) {
				t.Errorf("the tour page lacks %q", want)
			}
		}
		if bytes.Contains(page.body, []byte("<script")) || bytes.Contains(page.body, []byte("style=")) || bytes.Contains(page.body, []byte("//cdn")) {
			t.Error("the tour page has a script, an inline style or an external origin")
		}
		if len(page.body) > 100<<10 {
			t.Errorf("the tour page weighs %d bytes", len(page.body))
		}
		// French, from the browser's language, with the plural of its catalog.
		fr := b.want(b.do("GET", publicURL, "", nil, "Accept-Language", "fr-FR,fr;q=0.9"), 200)
		for _, want := range []string{"Audioguide du Louvre", "2 arrêts", "La Victoire de Samothrace", "Tapez le numéro"} {
			if !bytes.Contains(fr.body, []byte(want)) {
				t.Errorf("the French page lacks %q", want)
			}
		}
		// Caching: an entity tag, revalidation, gzip.
		etag := page.header.Get("ETag")
		if etag == "" || !strings.Contains(page.header.Get("Cache-Control"), "public") {
			t.Errorf("page caching headers: %v", page.header)
		}
		b.want(b.do("GET", publicURL, "", nil, "If-None-Match", etag), 304)
		gz := b.want(b.do("GET", publicURL, "", nil, "Accept-Encoding", "gzip"), 200)
		if gz.header.Get("Content-Encoding") != "gzip" || len(gz.body) >= len(page.body) {
			t.Errorf("gzip: %q, %d bytes for %d", gz.header.Get("Content-Encoding"), len(gz.body), len(page.body))
		}
		// Brotli where the browser prefers it, smaller than gzip, decoding to the
		// same page, with its own entity tag; gzip where brotli is refused.
		br := b.want(b.do("GET", publicURL, "", nil, "Accept-Encoding", "gzip;q=0.8, br"), 200)
		if br.header.Get("Content-Encoding") != "br" || len(br.body) >= len(gz.body) {
			t.Errorf("brotli: %q, %d bytes (gzip %d)", br.header.Get("Content-Encoding"), len(br.body), len(gz.body))
		} else if plain, err := io.ReadAll(brotli.NewReader(bytes.NewReader(br.body))); err != nil || !bytes.Equal(plain, page.body) {
			t.Errorf("the brotli page does not decode to the page (%v)", err)
		}
		if !strings.Contains(br.header.Get("Vary"), "Accept-Encoding") || br.header.Get("ETag") == gz.header.Get("ETag") || br.header.Get("ETag") == etag {
			t.Errorf("brotli: Vary %q, ETag %s (gzip %s, identity %s)", br.header.Get("Vary"), br.header.Get("ETag"), gz.header.Get("ETag"), etag)
		}
		b.want(b.do("GET", publicURL, "", nil, "Accept-Encoding", "br", "If-None-Match", br.header.Get("ETag")), 304)
		if r := b.want(b.do("GET", publicURL, "", nil, "Accept-Encoding", "br;q=0, gzip"), 200); r.header.Get("Content-Encoding") != "gzip" {
			t.Errorf("brotli refused: %q", r.header.Get("Content-Encoding"))
		}
		css := "/v/static/" + between(string(page.body), `href="/v/static/`, `"`)
		if r := b.want(b.do("GET", css, "", nil, "Accept-Encoding", "br"), 200); r.header.Get("Content-Encoding") != "br" || !strings.Contains(r.header.Get("Cache-Control"), "immutable") {
			t.Errorf("stylesheet %s: %q, %q", css, r.header.Get("Content-Encoding"), r.header.Get("Cache-Control"))
		}

		stop := b.want(b.do("GET", publicURL+"/12", "", nil), 200)
		for _, want := range []string{"蒙娜丽莎", "这是达·芬奇的作品。", "<audio", `rel="next"`, publicURL[len(b.url):] + "/13"} {
			if !bytes.Contains(stop.body, []byte(want)) {
				t.Errorf("the stop page lacks %q", want)
			}
		}
		audioPath := between(string(stop.body), `<audio controls preload="none" src="`, `"`)
		if !strings.HasPrefix(audioPath, "/v/audio/") {
			t.Fatalf("no audio address in the stop page")
		}

		// Ranges.
		ranges := []struct {
			name, header string
			status, n    int
			from         int
		}{
			{"first 100 bytes", "bytes=0-99", 206, 100, 0},
			{"open-ended", "bytes=100-", 206, len(mp3) - 100, 100},
			{"suffix", "bytes=-10", 206, 10, len(mp3) - 10},
			{"unsatisfiable", fmt.Sprintf("bytes=%d-", len(mp3)+10), 416, -1, 0},
			{"whole", "", 200, len(mp3), 0},
		}
		for _, rg := range ranges {
			var r response
			if rg.header == "" {
				r = b.do("GET", audioPath, "", nil)
			} else {
				r = b.do("GET", audioPath, "", nil, "Range", rg.header)
			}
			if r.status != rg.status {
				t.Errorf("%s: status %d, want %d", rg.name, r.status, rg.status)
				continue
			}
			if rg.n >= 0 && !bytes.Equal(r.body, mp3[rg.from:rg.from+rg.n]) {
				t.Errorf("%s: %d bytes, want %d from %d", rg.name, len(r.body), rg.n, rg.from)
			}
			if rg.status != 416 {
				if cc := r.header.Get("Cache-Control"); !strings.Contains(cc, "immutable") || !strings.Contains(cc, "max-age=31536000") {
					t.Errorf("%s: Cache-Control %q", rg.name, cc)
				}
				if r.header.Get("Content-Type") != "audio/mpeg" || r.header.Get("Accept-Ranges") != "bytes" {
					t.Errorf("%s: headers %v", rg.name, r.header)
				}
			}
		}

		// Guessed and wrong addresses answer a 404 that reveals nothing.
		for _, path := range []string{"/v/t/aaaaaaaaaaaaaaaaaaaa", publicURL + "/99", publicURL + "/012", publicURL + "/x", fmt.Sprintf("/v/t/%d", tour), fmt.Sprintf("/v/t/%d/12", tour)} {
			r := b.want(b.do("GET", path, "", nil), 404)
			if bytes.Contains(r.body, []byte("卢浮宫")) || bytes.Contains(r.body, []byte("蒙娜丽莎")) {
				t.Errorf("%s: the 404 names the tour", path)
			}
		}
		b.want(b.do("GET", strings.Replace(audioPath, ".mp3", ".m4a", 1), "", nil), 404)
		b.want(b.do("GET", "/v/audio/"+strings.Repeat("0", 64)+".mp3", "", nil), 404)

		// The "type a stop number" form.
		r := b.want(b.do("GET", publicURL+"/go?n=13", "", nil), 303)
		if loc := r.header.Get("Location"); loc != publicURL[len(b.url):]+"/13" {
			t.Errorf("go to 13: %s", loc)
		}

		// Unpublished again: 404 at once.
		b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/unpublish", tour), b.token, nil), 200)
		b.want(b.do("GET", publicURL, "", nil), 404)
		b.want(b.do("GET", publicURL+"/12", "", nil), 404)
		time.Sleep(2100 * time.Millisecond) // the medium's answer is cached 2 s
		b.want(b.do("GET", audioPath, "", nil), 404)
	})
}

func TestExhibitionContract(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		mp3 := media.SilentMP3(2 * time.Second)
		audio := id(t, b.want(b.do("POST", fmt.Sprintf("/api/v1/institutions/%d/media?filename=a.mp3", b.institution), b.token, mp3), 201))
		exhibitions := fmt.Sprintf("/api/v1/institutions/%d/exhibitions", b.institution)
		body := fmt.Sprintf(`{"title_zh": "印象派之光", "title_fr": "La lumière impressionniste", "digest_zh": "足不出户看奥赛", "rooms": [
			{"title_zh": "第一展厅", "works": [{"title_zh": "睡莲", "artist": "Claude Monet", "story_zh": "莫奈晚年的作品。", "audio_media_id": %d}]},
			{"title_zh": "第二展厅", "works": [{"title_zh": "煎饼磨坊的舞会", "artist": "Renoir"}]}]}`, audio)
		ex := id(t, b.want(b.do("POST", exhibitions, b.token, []byte(body)), 201))
		b.want(b.do("POST", exhibitions, b.token, []byte(`{"title_zh": "x", "rooms": [{"title_zh": "", "works": []}]}`)), 422)
		b.want(b.do("POST", exhibitions, b.token, []byte(`{"title_zh": "x", "rooms": [{"title_zh": "a", "works": [{"title_zh": "w", "image_media_id": 424242}]}]}`)), 422)
		b.want(b.do("POST", exhibitions, b.foreignToken, []byte(body)), 404)
		b.want(b.do("POST", fmt.Sprintf("/api/v1/exhibitions/%d/publish", ex), b.foreignToken, nil), 404)
		pub := b.want(b.do("POST", fmt.Sprintf("/api/v1/exhibitions/%d/publish", ex), b.token, nil), 200).json(t)
		url, _ := pub["url"].(string)
		if !strings.HasPrefix(url, b.url+"/v/e/") {
			t.Fatalf("url %q", url)
		}
		page := b.want(b.do("GET", url, "", nil), 200)
		for _, want := range []string{"印象派之光", "睡莲", "煎饼磨坊的舞会", "Claude Monet", `property="og:title"`, `content="足不出户看奥赛"`, "2 个展厅", "<audio"} {
			if !bytes.Contains(page.body, []byte(want)) {
				t.Errorf("the exhibition page lacks %q", want)
			}
		}
		b.want(b.do("POST", fmt.Sprintf("/api/v1/exhibitions/%d/unpublish", ex), b.token, nil), 200)
		b.want(b.do("GET", url, "", nil), 404)
	})
}

func between(s, start, end string) string {
	_, after, ok := strings.Cut(s, start)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(after, end)
	return v
}
