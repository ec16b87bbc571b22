package visit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/visit"
)

// TestExportIndexAndLabels: the export's index and a tour's label sheet link to the
// exported pages relatively; with a base URL their QR codes and printed addresses
// name the pages at that address, never the server; a bad base URL is refused before
// anything is written.
func TestExportIndexAndLabels(t *testing.T) {
	b := setup(t, storetest.SQLite(t))
	tour := id(t, b.want(b.do("POST", fmt.Sprintf("/api/v1/institutions/%d/tours", b.institution), b.token, []byte(`{"title_zh": "卢浮宫语音导览", "title_fr": "Audioguide"}`)), 201))
	for _, n := range []int{12, 15} {
		b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/stops", tour), b.token, fmt.Appendf(nil, `{"number": %d, "title_zh": "第%d站", "title_fr": "Étape %d"}`, n, n, n)), 201)
	}
	pub := b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/publish", tour), b.token, nil), 200).json(t)
	token := pub["url"].(string)[strings.LastIndex(pub["url"].(string), "/")+1:]
	sub := "tour-" + token
	ctx := context.Background()

	read := func(dir, name string) string {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	noServer := func(dir string) {
		t.Helper()
		filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
			if err == nil && !d.IsDir() && (strings.HasSuffix(path, ".html") || strings.HasSuffix(path, ".svg")) {
				if data, _ := os.ReadFile(path); strings.Contains(string(data), b.url) || strings.Contains(string(data), `"/v/`) {
					t.Errorf("%s names the server", path)
				}
			}
			return nil
		})
	}

	// Without a base URL: relative links, no QR code, a note saying how to get them.
	plain := t.TempDir()
	if _, err := b.svc.ExportSite(ctx, b.institution, plain); err != nil {
		t.Fatal(err)
	}
	index := read(plain, "index.html")
	for _, want := range []string{`href="` + sub + `/index.html"`, `href="` + sub + `/labels.html"`, "卢浮宫语音导览", "--base-url", `href="assets/visit.`, `href="assets/export.`} {
		if !strings.Contains(index, want) {
			t.Errorf("index lacks %q", want)
		}
	}
	labels := read(plain, sub+"/labels.html")
	for _, want := range []string{`href="12.html"`, `href="15.html"`, "第15站", "Étape 15", `href="../assets/export.`} {
		if !strings.Contains(labels, want) {
			t.Errorf("labels lack %q", want)
		}
	}
	if strings.Contains(labels, "<img") || strings.Contains(index, "<img") {
		t.Error("QR codes without a base URL")
	}
	noServer(plain)

	// With a base URL: QR codes of the pages there.
	withBase := t.TempDir()
	if _, err := b.svc.ExportSiteWith(ctx, b.institution, withBase, visit.ExportOptions{BaseURL: "https://visite.musee.cn/louvre/"}); err != nil {
		t.Fatal(err)
	}
	labels = read(withBase, sub+"/labels.html")
	for _, want := range []string{`src="qr-12.svg"`, `src="qr-15.svg"`, "https://visite.musee.cn/louvre/" + sub + "/15.html", `href="15.html"`} {
		if !strings.Contains(labels, want) {
			t.Errorf("labels with a base URL lack %q", want)
		}
	}
	index = read(withBase, "index.html")
	if !strings.Contains(index, `src="`+sub+`/qr-index.svg"`) || !strings.Contains(index, "https://visite.musee.cn/louvre/"+sub+"/index.html") {
		t.Errorf("index with a base URL:\n%s", index)
	}
	qr12, qr15 := read(withBase, sub+"/qr-12.svg"), read(withBase, sub+"/qr-15.svg")
	if !strings.HasPrefix(qr12, "<svg") || qr12 == qr15 {
		t.Error("the QR codes are not one per stop")
	}
	noServer(withBase)

	// A bad base URL: refused, nothing written.
	for _, bad := range []string{"visite.musee.cn", "ftp://musee.cn/", "https://musee.cn/?x=1", "https://musee.cn/#top", "https://user@musee.cn/", "https://"} {
		dir := t.TempDir()
		_, err := b.svc.ExportSiteWith(ctx, b.institution, dir, visit.ExportOptions{BaseURL: bad})
		if passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Errorf("%q: %v", bad, err)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%q: %d files written", bad, len(entries))
		}
	}
}
