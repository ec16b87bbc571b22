package visit_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// TestStaticExport: a published tour and exhibition exported as a static site have
// relative links only and their media beside them; unpublished work is left out. With
// a browser, the tour opened from disk (file://) lists its stops, a stop opens by a
// click and its recording loads, with a clean console.
func TestStaticExport(t *testing.T) {
	b := setup(t, storetest.SQLite(t))
	audio := id(t, b.want(b.do("POST", fmt.Sprintf("/api/v1/institutions/%d/media?filename=a.mp3", b.institution), b.token, media.SilentMP3(4*time.Second)), 201))
	tour := id(t, b.want(b.do("POST", fmt.Sprintf("/api/v1/institutions/%d/tours", b.institution), b.token, []byte(`{"title_zh": "卢浮宫语音导览", "title_fr": "Audioguide"}`)), 201))
	for _, n := range []int{12, 15} {
		b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/stops", tour), b.token, fmt.Appendf(nil, `{"number": %d, "title_zh": "第%d站", "title_fr": "Étape %d", "audio_media_id": %d}`, n, n, n, audio)), 201)
	}
	draft := id(t, b.want(b.do("POST", fmt.Sprintf("/api/v1/institutions/%d/tours", b.institution), b.token, []byte(`{"title_zh": "草稿"}`)), 201))
	_ = draft
	pub := b.want(b.do("POST", fmt.Sprintf("/api/v1/tours/%d/publish", tour), b.token, nil), 200).json(t)
	token := pub["url"].(string)[strings.LastIndex(pub["url"].(string), "/")+1:]
	ex := id(t, b.want(b.do("POST", fmt.Sprintf("/api/v1/institutions/%d/exhibitions", b.institution), b.token, []byte(`{"title_zh": "印象派", "rooms": [{"title_zh": "第一展厅", "works": [{"title_zh": "睡莲", "audio_media_id": `+fmt.Sprint(audio)+`}]}]}`)), 201))
	b.want(b.do("POST", fmt.Sprintf("/api/v1/exhibitions/%d/publish", ex), b.token, nil), 200)

	dir := t.TempDir()
	rep, err := b.svc.ExportSite(context.Background(), b.institution, dir)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Tours != 1 || rep.Exhibitions != 1 || rep.Pages != 3*3+3 || rep.Files != 1 {
		t.Fatalf("report %+v", rep)
	}
	index, err := os.ReadFile(filepath.Join(dir, "tour-"+token, "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`href="12.html"`, `href="15.html"`, `href="index.fr.html"`, `href="../assets/visit.`} {
		if !strings.Contains(string(index), want) {
			t.Errorf("index lacks %s", want)
		}
	}
	if strings.Contains(string(index), `"/v/`) || strings.Contains(string(index), "http://") || strings.Contains(string(index), "/go") {
		t.Errorf("an absolute or server link in the export:\n%s", index)
	}
	stop, _ := os.ReadFile(filepath.Join(dir, "tour-"+token, "15.fr.html"))
	if !strings.Contains(string(stop), `src="../media/`) || !strings.Contains(string(stop), `href="12.fr.html"`) || !strings.Contains(string(stop), "Étape 15") {
		t.Errorf("stop 15 in French:\n%s", stop)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 5 { // index.html, assets, media, the tour, the exhibition
		t.Errorf("%d entries: the draft was exported?", len(entries))
	}

	ctx, consoleErrs := headless(t, chromiumPath(t))
	if err := chromedp.Do(ctx, chromedp.Navigate("file://"+filepath.Join(dir, "tour-"+token, "index.html")), chromedp.WaitVisible(chromedp.CSS(`ol.stops`))); err != nil {
		t.Fatal(err)
	}
	list, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`ol.stops`)))
	if err != nil || !strings.Contains(list, "第12站") || !strings.Contains(list, "第15站") {
		t.Fatalf("the exported tour lists %q (%v)", list, err)
	}
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`ol.stops li:last-child a`)), chromedp.WaitVisible(chromedp.CSS(`audio`))); err != nil {
		t.Fatal(err)
	}
	d, err := chromedp.Run(ctx, chromedp.Evaluate[float64](`new Promise((ok, fail) => {
		const a = document.querySelector("audio");
		a.addEventListener("error", () => fail("audio error " + (a.error && a.error.code)));
		a.addEventListener("loadedmetadata", () => ok(a.duration));
		a.preload = "metadata"; a.load();
	})`, chromedp.EvalAwaitPromise))
	if err != nil || d < 3 {
		t.Fatalf("the exported recording: %v %v", d, err)
	}
	h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`h1`)))
	if !strings.Contains(h1, "第15站") {
		t.Errorf("the stop page says %q", h1)
	}
	for _, e := range consoleErrs() {
		t.Errorf("console: %s", e)
	}
}
