package api_test

import (
	"bytes"
	"io/fs"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// mediaFiles counts the files of the media library on disk.
func mediaFiles(t *testing.T, b *bundle) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(filepath.Join(b.dataDir, "media"), func(_ string, d fs.DirEntry, err error) error {
		if err != nil {
			if os.IsNotExist(err) {
				return nil
			}
			return err
		}
		if !d.IsDir() {
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestRefusedUploadsStoreNothing: an upload refused for its size or type leaves no
// file on disk and no row, whether sent raw or as a multipart form; a huge image is
// refused from its header, before any decoding.
func TestRefusedUploadsStoreNothing(t *testing.T) {
	t.Parallel()
	e := editorialSetup(t, sqlite(t))
	url := path("/api/v1/institutions/%d/media", e.inst.ID)
	multipartBody := func(data []byte) (string, []byte) {
		var buf bytes.Buffer
		w := multipart.NewWriter(&buf)
		part, err := w.CreateFormFile("file", "photo.png")
		if err != nil {
			t.Fatal(err)
		}
		part.Write(data)
		w.Close()
		return w.FormDataContentType(), buf.Bytes()
	}
	for _, tc := range []struct {
		name   string
		body   []byte
		status int
	}{
		{"pdf", []byte("%PDF-1.4 not an image"), http.StatusUnsupportedMediaType},
		{"html", []byte("<!doctype html><script>alert(1)</script>"), http.StatusUnsupportedMediaType},
		{"empty", nil, http.StatusUnsupportedMediaType},
		{"truncated png", pngBytes(t, 50, 50)[:60], http.StatusUnsupportedMediaType},
		{"100000×100000 png", hugePNG(100_000, 100_000), http.StatusRequestEntityTooLarge},
		{"oversize", append(pngBytes(t, 10, 10), bytes.Repeat([]byte{0}, 22<<20)...), http.StatusRequestEntityTooLarge},
	} {
		for _, multi := range []bool{false, true} {
			name := tc.name
			if multi {
				name += " multipart"
			}
			t.Run(name, func(t *testing.T) {
				ct, body := "application/octet-stream", tc.body
				if multi {
					ct, body = multipartBody(tc.body)
				}
				req, err := http.NewRequest("POST", e.url+url, bytes.NewReader(body))
				if err != nil {
					t.Fatal(err)
				}
				req.Header.Set("Content-Type", ct)
				req.Header.Set("Authorization", "Bearer "+e.token(e.owner))
				resp, err := e.v.Client(t).Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				if resp.StatusCode != tc.status {
					t.Fatalf("status %d, want %d", resp.StatusCode, tc.status)
				}
			})
		}
	}
	if n := mediaFiles(t, e.bundle); n != 0 {
		t.Errorf("%d files stored by refused uploads", n)
	}
	if rows, err := e.db.MediaAssets(t.Context(), store.MediaFilter{OrgID: e.org}); err != nil || len(rows) != 0 {
		t.Errorf("rows stored by refused uploads: %d, %v", len(rows), err)
	}
	// An accepted one is stored once.
	e.api.Do("POST", url+"?filename=ok.png", pngBytes(t, 30, 20)).Want(t, 201)
	if n := mediaFiles(t, e.bundle); n != 1 {
		t.Errorf("%d files after one upload", n)
	}
}

// TestArticleBodyCleaned: scripts, event handlers and external images leave an
// article body, and the answer says what was removed, in the caller's language.
func TestArticleBodyCleaned(t *testing.T) {
	t.Parallel()
	e := editorialSetup(t, sqlite(t))
	body := e.postBody("奥赛博物馆的德加舞者。")
	body["publications"].([]any)[1].(map[string]any)["wechat"].(map[string]any)["body_html"] =
		`<p onclick="steal()">舞者</p><script>alert(1)</script><img src="http://tracker.example.com/a.jpg"><a href="javascript:alert(1)">x</a>`
	var got struct {
		Publications []struct {
			WeChat *struct {
				BodyHTML string `json:"body_html"`
			} `json:"wechat"`
		}
		Removed []struct {
			PublicationIndex int `json:"publication_index"`
			Kind, Message    string
			Details          []string
		}
	}
	e.api.Do("POST", "/api/v1/posts?lang=fr", body).Want(t, 201).JSON(t, &got)
	clean := got.Publications[1].WeChat.BodyHTML
	for _, bad := range []string{"script", "onclick", "tracker.example.com", "javascript:"} {
		if strings.Contains(clean, bad) {
			t.Errorf("body still has %q: %s", bad, clean)
		}
	}
	if !strings.Contains(clean, "舞者") {
		t.Errorf("the text was lost: %s", clean)
	}
	kinds := map[string]bool{}
	for _, r := range got.Removed {
		kinds[r.Kind] = true
		if r.PublicationIndex != 1 || r.Message == "" {
			t.Errorf("removal %+v", r)
		}
	}
	for _, k := range []string{"script", "event_handler", "external_image", "javascript_url"} {
		if !kinds[k] {
			t.Errorf("no %s removal reported: %+v", k, got.Removed)
		}
	}
}
