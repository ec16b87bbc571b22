package api_test

import (
	"bytes"
	"encoding/binary"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/api/apitest"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// edBundle is the API bundle with the editorial routes and an institution with a
// Weibo and a WeChat account.
type edBundle struct {
	*bundle
	inst          *passerelle.Institution
	weibo, wechat *passerelle.Account
}

func editorialSetup(t testing.TB, b *bundle) *edBundle {
	t.Helper()
	e := &edBundle{bundle: b, inst: b.institution(b.org, "Musée d'Orsay")}
	e.weibo = b.account(b.org, e.inst.ID, passerelle.Weibo, passerelle.AccountManaged)
	e.wechat = b.account(b.org, e.inst.ID, passerelle.WeChat, passerelle.AccountManaged)
	return e
}

func (e *edBundle) postBody(textZH string) map[string]any {
	return map[string]any{
		"institution_id": e.inst.ID, "title": "Degas", "theme": "collection", "source_lang": "fr",
		"source_text": "Les danseuses d'Edgar Degas.", "text_zh": textZH,
		"publications": []any{
			map[string]any{"account_id": e.weibo.ID, "format": "photo_text"},
			map[string]any{"account_id": e.wechat.ID, "format": "article", "wechat": map[string]any{"title": "德加的舞者", "author": "奥赛", "digest": "舞者",
				"body_html": `<p>舞者</p><script>alert(1)</script><img src="http://example.com/a.jpg">`}},
		},
	}
}

func pngBytes(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x * 7), uint8(y * 3), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// hugePNG is a valid PNG header claiming w × h pixels, with no pixel data worth the
// name: it must be refused before anything is decoded.
func hugePNG(w, h uint32) []byte {
	var buf bytes.Buffer
	buf.WriteString("\x89PNG\r\n\x1a\n")
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 6
	chunk := func(typ string, data []byte) {
		binary.Write(&buf, binary.BigEndian, uint32(len(data)))
		c := append([]byte(typ), data...)
		buf.Write(c)
		binary.Write(&buf, binary.BigEndian, crc32.ChecksumIEEE(c))
	}
	chunk("IHDR", ihdr)
	chunk("IEND", nil)
	return buf.Bytes()
}

func TestEditorialContract(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		e := editorialSetup(t, b)
		a := e.api

		// A glossary term of the organization.
		a.Do("POST", "/api/v1/glossary", map[string]any{"source": "Gustave Caillebotte", "zh": "卡耶博特", "institution_id": nil, "birth_date": "1848-08-19"}).Want(t, 201)
		a.Do("POST", "/api/v1/glossary", map[string]any{"source": "Gustave Caillebotte", "zh": "x"}).Want(t, 409)

		var created struct {
			ID           int64
			Status       string
			Version      int
			Publications []struct{ ID int64 }
			Findings     []struct{ Rule, Severity string }
			Removed      []struct{ Kind, Message string }
		}
		a.Do("POST", "/api/v1/posts", e.postBody("奥赛博物馆的舞者。")).Want(t, 201).JSON(t, &created)
		if created.ID == 0 || created.Status != "draft" || len(created.Publications) != 2 || len(created.Removed) < 2 {
			t.Fatalf("created %+v", created)
		}
		var checked struct {
			Findings []struct {
				Rule, Severity, Message string
				PublicationID           int64 `json:"publication_id"`
			}
		}
		a.Do("POST", path("/api/v1/posts/%d/checks?lang=zh-Hans", created.ID), nil).Want(t, 200).JSON(t, &checked)
		rules := map[string]bool{}
		for _, f := range checked.Findings {
			rules[f.Rule] = true
		}
		if !rules["glossary"] || !rules["wechat_cover"] {
			t.Fatalf("findings %+v", checked.Findings)
		}

		// Illegal move: 409 conflict. Submitting: 200.
		if got := a.Do("POST", path("/api/v1/posts/%d/transitions", created.ID), map[string]any{"to": "scheduled"}).Want(t, 409).Err(t); got.Error.Code != "conflict" {
			t.Fatalf("illegal move: %+v", got)
		}
		a.Do("POST", path("/api/v1/posts/%d/transitions", created.ID), map[string]any{"to": "review"}).Want(t, 200)
		// Approval is blocked by the errors.
		a.Do("POST", path("/api/v1/posts/%d/transitions", created.ID), map[string]any{"to": "approved"}).Want(t, 409)

		// Upload a cover, fix the text: stale version refused, current accepted.
		var m struct{ ID int64 }
		a.Do("POST", path("/api/v1/institutions/%d/media?filename=cover.png", e.inst.ID), pngBytes(t, 700, 300)).Want(t, 201).JSON(t, &m)
		fix := e.postBody("奥赛博物馆的德加舞者。")
		fix["version"] = created.Version + 5
		delete(fix, "institution_id")
		fix["publications"].([]any)[1].(map[string]any)["wechat"].(map[string]any)["cover_media_id"] = m.ID
		a.Do("PATCH", path("/api/v1/posts/%d", created.ID), fix).Want(t, 409)
		fix["version"] = created.Version
		var patched struct {
			Status   string
			Findings []struct{ Rule, Severity string }
		}
		a.Do("PATCH", path("/api/v1/posts/%d", created.ID), fix).Want(t, 200).JSON(t, &patched)
		for _, f := range patched.Findings {
			if f.Severity == "error" {
				t.Fatalf("still an error: %+v", patched.Findings)
			}
		}
		a.Do("POST", path("/api/v1/posts/%d/transitions", created.ID), map[string]any{"to": "review"}).Want(t, 409) // already in review

		// Guest link: approve without an account.
		var gl struct{ Token string }
		a.Do("POST", path("/api/v1/posts/%d/guest-links", created.ID), map[string]any{"label": "Mme Martin"}).Want(t, 201).JSON(t, &gl)
		guest := b.v.API(t, b.url, "")
		guest.Do("GET", "/api/v1/guest/"+gl.Token, nil).Want(t, 200)
		guest.Do("GET", "/api/v1/guest/"+gl.Token+"x", nil).Want(t, 404)
		guest.Do("POST", "/api/v1/guest/"+gl.Token+"/decision", map[string]any{"to": "approved", "name": "Claire"}).Want(t, 200)
		var post struct{ Status string }
		a.Do("GET", path("/api/v1/posts/%d", created.ID), nil).Want(t, 200).JSON(t, &post)
		if post.Status != "approved" {
			t.Fatalf("status %s", post.Status)
		}

		// Schedule in the past: 422; in the future: on the calendar with both zones.
		a.Do("PUT", path("/api/v1/publications/%d/schedule", created.Publications[0].ID), map[string]any{"scheduled_at": "2001-01-01T00:00:00Z"}).Want(t, 422)
		at := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
		for _, p := range created.Publications {
			a.Do("PUT", path("/api/v1/publications/%d/schedule", p.ID), map[string]any{"scheduled_at": at}).Want(t, 200)
		}
		a.Do("POST", path("/api/v1/posts/%d/transitions", created.ID), map[string]any{"to": "scheduled"}).Want(t, 200)
		day := localDay(t, at) // the calendar's days are the institution's (Paris)
		var cal struct {
			Items []struct {
				PostID       int64 `json:"post_id"`
				Status       string
				ShanghaiTime string `json:"shanghai_time"`
			}
			Occasions []struct{ Key string }
		}
		a.Do("GET", path("/api/v1/calendar?institution_id=%d&from=%s&to=%s", e.inst.ID, day, day), nil).Want(t, 200).JSON(t, &cal)
		if len(cal.Items) != 2 || cal.Items[0].PostID != created.ID || cal.Items[0].Status != "scheduled" || !strings.HasSuffix(cal.Items[0].ShanghaiTime, "+08:00") {
			t.Fatalf("calendar %+v", cal)
		}
		a.Do("GET", "/api/v1/calendar?from=2030-02-30&to=2030-03-01", nil).Want(t, 422)

		var hist struct {
			Transitions []struct{ From, To string }
		}
		a.Do("GET", path("/api/v1/posts/%d/history", created.ID), nil).Want(t, 200).JSON(t, &hist)
		if n := len(hist.Transitions); n < 4 || hist.Transitions[n-1].To != "scheduled" {
			t.Fatalf("history %+v", hist)
		}
		a.Do("POST", path("/api/v1/posts/%d/comments", created.ID), map[string]any{"body": "Bravo"}).Want(t, 201)
		a.Do("GET", path("/api/v1/posts/%d/comments", created.ID), nil).Want(t, 200)
		a.Do("GET", "/api/v1/posts?status=scheduled", nil).Want(t, 200)
	})
}

func TestEditorialBadInput(t *testing.T) {
	t.Parallel()
	e := editorialSetup(t, sqlite(t))
	a := e.api
	media := path("/api/v1/institutions/%d/media", e.inst.ID)
	a.Do("POST", media, []byte("%PDF-1.4 not an image")).Want(t, 415)
	if msg := a.Do("POST", media, hugePNG(100_000, 100_000)).Want(t, 413).Err(t).Error.Message; msg == "" {
		t.Fatal("no message")
	}
	a.Do("POST", media, bytes.Repeat([]byte{0xff}, 22<<20)).Want(t, 413)
	var list struct{ Items []any }
	a.Do("GET", media, nil).Want(t, 200).JSON(t, &list)
	if len(list.Items) != 0 {
		t.Fatalf("refused uploads were stored: %d", len(list.Items))
	}

	// An atomic CSV import names the failing line and imports nothing.
	csv := "source,zh\nClaude Monet,莫奈\nJeanne Essai,\n"
	if got := a.Do("POST", "/api/v1/glossary/import", csv).Want(t, 422).Err(t); !strings.Contains(got.Error.Message, "line 3") {
		t.Fatalf("import error: %+v", got)
	}
	var terms struct{ Items []struct{ Source string } }
	a.Do("GET", "/api/v1/glossary?q=Essai", nil).Want(t, 200).JSON(t, &terms)
	if len(terms.Items) != 0 {
		t.Fatalf("partial import: %+v", terms)
	}
	a.Do("POST", "/api/v1/lexicon/import", "term,severity,note\n敏感词,block,\n").Want(t, 200)
	a.Do("POST", "/api/v1/lexicon/import", "term,severity\n坏,maybe\n").Want(t, 422)

	for name, body := range map[string]string{
		"not json":        `{`,
		"wrong type":      `{"title": 3}`,
		"unknown field":   `{"titel": "x"}`,
		"no institution":  `{"title": "x"}`,
		"foreign account": path(`{"institution_id": %d, "title": "x", "theme": "collection", "source_lang": "fr", "publications": [{"account_id": 999999}]}`, e.inst.ID),
		"bad theme":       path(`{"institution_id": %d, "title": "x", "theme": "gossip", "source_lang": "fr"}`, e.inst.ID),
	} {
		r := a.Do("POST", "/api/v1/posts", body)
		if r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
	a.Do("POST", "/api/v1/posts", path(`{"institution_id": %d, "title": "x", "theme": "collection", "source_lang": "fr"}`, e.inst.ID+1000)).Want(t, 404)
}

// FuzzPostsDecode sends arbitrary bodies to the post operations: never a 5xx, always
// an answer the OpenAPI document allows.
func FuzzPostsDecode(f *testing.F) {
	b := setup(f, storetest.SQLite(f))
	e := editorialSetup(f, b)
	handler := b.srv.Handler()
	token := b.token(b.owner)
	seed := `{"institution_id": ` + strconv.FormatInt(e.inst.ID, 10) + `, "title": "Degas", "theme": "collection", "source_lang": "fr", "text_zh": "德加", "publications": [{"account_id": ` + strconv.FormatInt(e.weibo.ID, 10) + `, "topics": ["德加"]}, {"account_id": ` + strconv.FormatInt(e.wechat.ID, 10) + `, "wechat": {"title": "t", "body_html": "<p onclick=x>a</p>"}}]}`
	for _, s := range []string{seed, `{}`, `null`, `[]`, `{"publications": null}`, `{"publications": [{}]}`, `{"version": -1}`, `{"title": "\u0000"}`, "{\"text_zh\": \"\xff\"}", `{"publications": [{"account_id": 1, "wechat": {"crop_11": {"x": 9}}}]}`} {
		f.Add(false, []byte(s))
		f.Add(true, []byte(s))
	}
	var postID int64
	{
		r := b.api.Do("POST", "/api/v1/posts", seed).Want(f, 201)
		var p struct{ ID int64 }
		r.JSON(f, &p)
		postID = p.ID
	}
	f.Fuzz(func(t *testing.T, patch bool, body []byte) {
		method, p := "POST", "/api/v1/posts"
		if patch {
			method, p = "PATCH", path("/api/v1/posts/%d", postID)
		}
		req := httptest.NewRequest(method, p, bytes.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("Content-Type", "application/json")
		rec := httptest.NewRecorder()
		handler.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s: %d %s", method, body, rec.Code, rec.Body)
		}
		ex := &apitest.Exchange{Request: req, Status: rec.Code, Header: rec.Header(), RequestBody: body, ResponseBody: rec.Body.Bytes()}
		if err := b.v.Check(ex); err != nil {
			t.Fatalf("%s %q: %v", method, body, err)
		}
	})
}
