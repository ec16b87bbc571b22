package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// TestBrowserLibraryBulkUpload: an editor picks three files at once in the library
// (one of them not an image); the two images are uploaded with their progress and
// the refused one is named with its reason; then the editor tags one, finds it by its
// tag and opens its renditions, whose thumbnails load. Any console error fails.
func TestBrowserLibraryBulkUpload(t *testing.T) {
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	dir := t.TempDir()
	files := []string{filepath.Join(dir, "un.png"), filepath.Join(dir, "deux.png"), filepath.Join(dir, "notes.txt")}
	os.WriteFile(files[0], pngFile(t, 400, 300), 0o600)
	os.WriteFile(files[1], pngFile(t, 300, 400), 0o600)
	os.WriteFile(files[2], []byte("pas une image"), 0o600)
	lib := a.URL + "/institutions/" + itoa(n.inst.ID) + "/media"
	b := browser(t, 240*time.Second)
	steps := append(signIn(a, "editor@example.org", pw),
		chromedp.Navigate(lib),
		chromedp.SetUploadFiles(chromedp.CSS(`#f-file`), files),
		chromedp.Click(chromedp.CSS(`#upload`)),
		chromedp.WaitVisible(chromedp.CSS(`.bulk-files li.bulk-failed`)),
	)
	if err := chromedp.Do(b, steps...); err != nil {
		t.Fatal(err)
	}
	outcome, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`.bulk-files`)))
	if strings.Count(outcome, "Uploaded:") != 2 || !strings.Contains(outcome, "notes.txt") {
		t.Errorf("bulk outcome %q", outcome)
	}
	ms, err := a.Ed.Media(context.Background(), n.editor, editorial.MediaQuery{InstitutionID: n.inst.ID})
	if err != nil || len(ms) != 2 {
		t.Fatalf("%d assets, %v", len(ms), err)
	}
	id := itoa(ms[0].ID)
	err = chromedp.Do(b,
		chromedp.Navigate(lib),
		chromedp.WaitVisible(chromedp.CSS(`#media-`+id+` details.rights-form summary`)),
		chromedp.Click(chromedp.CSS(`#media-`+id+` details.rights-form summary`)),
		chromedp.SendKeys(chromedp.CSS(`#tags-`+id), "Degas, danse"),
		chromedp.SendKeys(chromedp.CSS(`#photographer-`+id), "Hervé Lewandowski"),
		chromedp.Click(chromedp.CSS(`#media-`+id+` form.media-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
		chromedp.SendKeys(chromedp.CSS(`#media-q`), "danse"),
		chromedp.Click(chromedp.CSS(`form.media-search button`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The search is a new page: wait for it, not for the tags the page before already
	// showed (clicking in that page as it went made the step below fail now and then).
	if err := waitJSWithin(b, `new URLSearchParams(location.search).get("q") === "danse" && document.readyState === "complete"`, 30*time.Second); err != nil {
		t.Fatalf("the search page: %v", err)
	}
	err = chromedp.Do(b,
		chromedp.WaitVisible(chromedp.CSS(`#media-`+id+` .tags`)),
		chromedp.Click(chromedp.CSS(`#media-`+id+` details.renditions summary`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	// The five renditions are made on their first request (seconds each under -race on
	// a loaded machine), and the thumbnails load lazily: bring them on screen and give
	// the server time.
	if err := chromedp.Do(b, chromedp.ScrollIntoView(chromedp.CSS(`#media-`+id+` .rendition-thumbs`))); err != nil {
		t.Fatal(err)
	}
	if err := waitJSWithin(b, `(function(){var imgs=document.querySelectorAll("#media-`+id+` .rendition-thumbs img"); if (imgs.length < 5) return false; for (var i=0;i<imgs.length;i++){ if (!imgs[i].complete || imgs[i].naturalWidth === 0) return false; } return document.querySelectorAll(".media-card").length === 1;})()`, 90*time.Second); err != nil {
		t.Errorf("rendition thumbnails of the one match: %v", err)
	}
}
