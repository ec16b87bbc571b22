package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/media"
)

// TestVisitEditorScreens: an editor builds an audioguide on the screens (tour, a stop
// with audio uploaded from the tour's screen), the owner publishes it, the public page
// names the stop, a play counted by the anonymous beacon shows on the tour's screen,
// the label sheet has the stop's QR code; a viewer cannot write, another organization
// sees nothing; an exhibition with a room and a work is built and published.
func TestVisitEditorScreens(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	inst := itoa(n.inst.ID)
	ed := a.signedIn("editor@example.org")

	list := ed.get("/institutions/" + inst + "/visit")
	if list.Status != http.StatusOK {
		t.Fatalf("visit page: %d", list.Status)
	}
	wantContains(t, list.Body, "Audioguides", "No tour yet.")
	wantContains(t, ed.get("/institutions/"+inst).Body, `href="/institutions/`+inst+`/visit"`)

	// A tour without a Chinese title is refused on the page.
	if r := ed.post("/institutions/"+inst+"/tours", url.Values{"title_fr": {"Chefs-d'œuvre"}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("tour without title: %d", r.Status)
	}
	r := ed.post("/institutions/"+inst+"/tours", url.Values{"title_zh": {"镇馆之宝"}, "title_fr": {"Chefs-d'œuvre"}})
	tourPage := ed.follow(r)
	tour := strings.TrimPrefix(r.Location, "/tours/")
	wantContains(t, tourPage.Body, "镇馆之宝", "Tour created. Add its stops.", "No stop yet.", `src="/tours/`+tour+`/preview?lang=en"`)

	// Audio uploaded from the tour's screen is offered in the selects; a fake is refused.
	if r := ed.upload("/tours/"+tour+"/media", "fake.mp3", []byte("ID3 not really audio"), nil); r.Status != http.StatusSeeOther {
		t.Fatalf("fake upload: %d", r.Status)
	}
	page := ed.get("/tours/" + tour)
	if strings.Contains(page.Body, "fake.mp3") {
		t.Fatal("a fake MP3 reached the library")
	}
	if r := ed.upload("/tours/"+tour+"/media", "joconde.mp3", media.SilentMP3(3*time.Second), nil); r.Status != http.StatusSeeOther {
		t.Fatalf("upload: %d", r.Status)
	}
	page = ed.get("/tours/" + tour)
	m := regexp.MustCompile(`<option value="(\d+)">joconde.mp3</option>`).FindStringSubmatch(page.Body)
	if m == nil {
		t.Fatalf("the audio is not offered: %s", excerpt(page.Body))
	}
	stop := url.Values{"number": {"12"}, "title_zh": {"蒙娜丽莎"}, "title_fr": {"La Joconde"}, "transcript_zh": {"这幅画……"}, "audio_media_id": {m[1]}}
	if r := ed.post("/tours/"+tour+"/stops", stop); r.Status != http.StatusSeeOther {
		t.Fatalf("add stop: %d %s", r.Status, excerpt(r.Body))
	}
	// The same number twice: 422 with the field's message.
	r = ed.post("/tours/"+tour+"/stops", stop)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("duplicate number: %d", r.Status)
	}
	wantContains(t, r.Body, "This tour already has a stop with this number.")

	// The preview renders the unpublished tour and its stop, with its audio.
	pv := ed.get("/tours/" + tour + "/preview?lang=zh-Hans")
	if pv.Status != http.StatusOK || !strings.Contains(pv.Body, "蒙娜丽莎") {
		t.Fatalf("preview: %d %s", pv.Status, pv.Body)
	}
	pv = ed.get("/tours/" + tour + "/preview/12?lang=zh-Hans")
	wantContains(t, pv.Body, `src="/visit-media/`+m[1]+`"`, "这幅画……")
	if r := ed.get("/visit-media/" + m[1]); r.Status != http.StatusOK || r.Header.Get("Content-Type") != "audio/mpeg" {
		t.Fatalf("preview audio: %d %s", r.Status, r.Header.Get("Content-Type"))
	}

	// A viewer may not publish; the owner may.
	owner := a.signedIn(n.owner.Email)
	if r := a.signedIn("viewer@example.org").post("/tours/"+tour+"/publish", url.Values{}); r.Status != http.StatusForbidden {
		t.Fatalf("viewer publishes: %d", r.Status)
	}
	page = owner.follow(owner.post("/tours/"+tour+"/publish", url.Values{}))
	wantContains(t, page.Body, "Published: the public address answers.", `id="public-url"`, `/tours/`+tour+`/qr.svg`)
	pub := regexp.MustCompile(`id="public-url"[^>]*>([^<]+)<`).FindStringSubmatch(page.Body)
	if pub == nil {
		t.Fatal("no public URL")
	}
	publicURL := pub[1]
	res, err := http.Get(publicURL)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("public page: %d", res.StatusCode)
	}
	if qr := owner.get("/tours/" + tour + "/qr.svg"); qr.Status != http.StatusOK || !strings.HasPrefix(qr.Body, "<svg") {
		t.Fatalf("QR: %d", qr.Status)
	}
	labels := owner.get("/tours/" + tour + "/labels")
	wantContains(t, labels.Body, `class="label" data-stop="12"`, `src="data:image/svg`, "蒙娜丽莎")

	// A play counted by the beacon (start, then the end) shows on the screen; garbage
	// is 400, a guessed token 204 and counted nowhere.
	token := publicURL[strings.LastIndex(publicURL, "/")+1:]
	anon := a.client()
	for _, e := range []string{"start", "start", "end"} {
		if r := anon.post("/v/b", url.Values{"k": {"t"}, "t": {token}, "n": {"12"}, "e": {e}}); r.Status != http.StatusNoContent {
			t.Fatalf("beacon: %d", r.Status)
		}
	}
	if r := anon.post("/v/b", url.Values{"k": {"t"}, "t": {"aaaaaaaaaaaaaaaaaaaa"}, "n": {"12"}, "e": {"start"}}); r.Status != http.StatusNoContent {
		t.Fatalf("guessed beacon: %d", r.Status)
	}
	for _, bad := range []url.Values{{"k": {"t"}, "t": {token}, "n": {"x"}, "e": {"start"}}, {"k": {"z"}}, {"k": {"t"}, "t": {token}, "n": {"12"}, "e": {"boom"}}} {
		if r := anon.post("/v/b", bad); r.Status != http.StatusBadRequest {
			t.Fatalf("bad beacon %v: %d", bad, r.Status)
		}
	}
	if r := anon.post("/v/b", url.Values{"k": {"t"}, "t": {token}, "n": {"12"}, "e": {strings.Repeat("x", 5000)}}); r.Status < 400 || r.Status >= 500 {
		t.Fatalf("oversized beacon: %d", r.Status)
	}
	page = owner.get("/tours/" + tour)
	row := regexp.MustCompile(`(?s)data-stop="12".*?data-stat="plays">(\d+)</td><td class="num" data-stat="completion">(\d+) %`).FindStringSubmatch(page.Body)
	if row == nil || row[1] != "2" || row[2] != "50" {
		t.Fatalf("counts on the screen: %v", row)
	}

	// A viewer reads but cannot write; another organization sees nothing.
	viewer := a.signedIn("viewer@example.org")
	if r := viewer.get("/tours/" + tour); r.Status != http.StatusOK || strings.Contains(r.Body, `id="stop-form"`) {
		t.Fatalf("viewer's tour page: %d", r.Status)
	}
	if r := viewer.post("/tours/"+tour+"/stops", url.Values{"number": {"13"}, "title_zh": {"x"}}); r.Status != http.StatusForbidden {
		t.Fatalf("viewer adds a stop: %d", r.Status)
	}
	other := a.signedIn("other@example.org")
	for _, p := range []string{"/tours/" + tour, "/tours/" + tour + "/preview", "/tours/" + tour + "/labels", "/visit-media/" + m[1], "/institutions/" + inst + "/visit"} {
		if r := other.get(p); r.Status != http.StatusNotFound {
			t.Fatalf("foreign %s: %d", p, r.Status)
		}
	}

	// An exhibition: a room, a work, published, the public page names the work.
	r = ed.post("/institutions/"+inst+"/exhibitions", url.Values{"title_zh": {"印象派"}, "digest_zh": {"莫奈与朋友们"}})
	ex := strings.TrimPrefix(r.Location, "/exhibitions/")
	if r.Status != http.StatusSeeOther || ex == "" {
		t.Fatalf("exhibition: %d", r.Status)
	}
	if r := ed.post("/exhibitions/"+ex+"/works", url.Values{"room": {"0"}, "title_zh": {"睡莲"}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("work without room: %d", r.Status)
	}
	if r := ed.post("/exhibitions/"+ex+"/rooms", url.Values{"title_zh": {"第一展厅"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("room: %d", r.Status)
	}
	if r := ed.post("/exhibitions/"+ex+"/works", url.Values{"room": {"0"}, "title_zh": {"睡莲"}, "artist": {"Claude Monet"}, "story_zh": {"莫奈在吉维尼……"}, "audio_media_id": {m[1]}}); r.Status != http.StatusSeeOther {
		t.Fatalf("work: %d %s", r.Status, excerpt(r.Body))
	}
	page = owner.follow(owner.post("/exhibitions/"+ex+"/publish", url.Values{}))
	pub = regexp.MustCompile(`id="public-url"[^>]*>([^<]+)<`).FindStringSubmatch(page.Body)
	if pub == nil {
		t.Fatal("no exhibition URL")
	}
	anonPage := anon.get(strings.TrimPrefix(pub[1], a.URL))
	wantContains(t, anonPage.Body, "睡莲", "第一展厅", "Claude Monet")
	etoken := pub[1][strings.LastIndex(pub[1], "/")+1:]
	anon.post("/v/b", url.Values{"k": {"e"}, "t": {etoken}, "e": {"view"}})
	page = owner.get("/exhibitions/" + ex)
	if !regexp.MustCompile(`Views <strong>1</strong>`).MatchString(page.Body) {
		t.Fatalf("exhibition views not shown: %s", excerpt(page.Body))
	}
	if r := ed.post("/exhibitions/"+ex+"/works/remove", url.Values{"room": {"0"}, "work": {"0"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("remove work: %d", r.Status)
	}

	// Deleting the stop: the public stop page is gone.
	stopID := regexp.MustCompile(`href="/stops/(\d+)/edit"`).FindStringSubmatch(owner.get("/tours/" + tour).Body)
	if stopID == nil {
		t.Fatal("no stop edit link")
	}
	if r := owner.post("/stops/"+stopID[1], url.Values{"number": {"7"}, "title_zh": {"蒙娜丽莎"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("stop update: %d %s", r.Status, excerpt(r.Body))
	}
	if r := anon.get(strings.TrimPrefix(publicURL, a.URL) + "/7"); r.Status != http.StatusOK {
		t.Fatalf("renumbered stop: %d", r.Status)
	}
	if r := owner.post("/stops/"+stopID[1]+"/delete", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("stop delete: %d", r.Status)
	}
	if r := anon.get(strings.TrimPrefix(publicURL, a.URL) + "/7"); r.Status != http.StatusNotFound {
		t.Fatalf("deleted stop: %d", r.Status)
	}
}
