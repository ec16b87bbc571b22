package web_test

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

// TestKioskPanelAndOrder: the tour's screen has a kiosk panel whose settings an editor
// saves (out-of-bounds values are refused with their message and change nothing), the
// kiosk's address and QR code once published; a viewer sees no form and cannot save;
// another organization gets 404. On an exhibition's screen, up and down buttons
// reorder rooms and works without script, and a position outside the list is refused.
func TestKioskPanelAndOrder(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	inst := itoa(n.inst.ID)
	ed := a.signedIn("editor@example.org")
	owner := a.signedIn(n.owner.Email)

	r := ed.post("/institutions/"+inst+"/tours", url.Values{"title_zh": {"镇馆之宝"}})
	tour := strings.TrimPrefix(r.Location, "/tours/")
	page := ed.get("/tours/" + tour)
	wantContains(t, page.Body, `id="kiosk-form"`, `name="pace_seconds" type="number" value="20"`, `name="idle_seconds" type="number" value="120"`, `id="kiosk-not-published"`)

	for _, bad := range []url.Values{{"pace_seconds": {"4"}, "idle_seconds": {"120"}}, {"pace_seconds": {"20"}, "idle_seconds": {"abc"}}, {"pace_seconds": {""}, "idle_seconds": {"120"}}} {
		r := ed.post("/tours/"+tour+"/kiosk", bad)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("kiosk settings %v: %d", bad, r.Status)
		}
		wantContains(t, r.Body, `id="kiosk-form"`, `class="field-error"`)
	}
	r = ed.post("/tours/"+tour+"/kiosk", url.Values{"pace_seconds": {"12"}, "idle_seconds": {"90"}})
	if r.Status != http.StatusSeeOther || r.Location != "/tours/"+tour+"#kiosk" {
		t.Fatalf("save: %d %q", r.Status, r.Location)
	}
	page = ed.follow(r)
	wantContains(t, page.Body, "Kiosk settings saved.", `value="12"`, `value="90"`)

	if r := owner.post("/tours/"+tour+"/publish", url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("publish: %d", r.Status)
	}
	page = ed.get("/tours/" + tour)
	m := regexp.MustCompile(`<a href="([^"]+)" id="kiosk-url">`).FindStringSubmatch(page.Body)
	if m == nil || !strings.HasPrefix(m[1], a.URL+"/v/k/t/") {
		t.Fatalf("no kiosk address: %s", excerpt(page.Body))
	}
	wantContains(t, page.Body, `id="kiosk-qr"`, `href="`+m[1]+`status" id="kiosk-status"`)
	if qr := ed.get("/tours/" + tour + "/kiosk-qr.svg"); qr.Status != http.StatusOK || !strings.Contains(qr.Header.Get("Content-Type"), "svg") {
		t.Fatalf("kiosk QR: %d %q", qr.Status, qr.Header.Get("Content-Type"))
	}
	kiosk := a.signedIn("viewer@example.org").get(strings.TrimPrefix(m[1], a.URL))
	wantContains(t, kiosk.Body, `data-pace="12"`, `data-idle="90"`, "镇馆之宝")

	viewer := a.signedIn("viewer@example.org")
	if r := viewer.get("/tours/" + tour); r.Status != http.StatusOK || strings.Contains(r.Body, `id="kiosk-form"`) || !strings.Contains(r.Body, `id="kiosk-url"`) {
		t.Fatalf("viewer's tour page: %d", r.Status)
	}
	if r := viewer.post("/tours/"+tour+"/kiosk", url.Values{"pace_seconds": {"30"}, "idle_seconds": {"90"}}); r.Status != http.StatusForbidden {
		t.Fatalf("viewer saves the kiosk: %d", r.Status)
	}
	other := a.signedIn("other@example.org")
	for _, p := range []string{"/tours/" + tour + "/kiosk-qr.svg"} {
		if r := other.get(p); r.Status != http.StatusNotFound {
			t.Fatalf("foreign %s: %d", p, r.Status)
		}
	}
	if r := other.post("/tours/"+tour+"/kiosk", url.Values{"pace_seconds": {"30"}, "idle_seconds": {"90"}}); r.Status != http.StatusNotFound {
		t.Fatalf("foreign kiosk save: %d", r.Status)
	}

	// An exhibition with two rooms, the first with two works.
	r = ed.post("/institutions/"+inst+"/exhibitions", url.Values{"title_zh": {"印象派"}})
	ex := strings.TrimPrefix(r.Location, "/exhibitions/")
	for _, room := range []string{"甲厅", "乙厅"} {
		if r := ed.post("/exhibitions/"+ex+"/rooms", url.Values{"title_zh": {room}}); r.Status != http.StatusSeeOther {
			t.Fatalf("room: %d", r.Status)
		}
	}
	for _, w := range []string{"睡莲", "日出"} {
		if r := ed.post("/exhibitions/"+ex+"/works", url.Values{"room": {"0"}, "title_zh": {w}}); r.Status != http.StatusSeeOther {
			t.Fatalf("work: %d", r.Status)
		}
	}
	page = ed.get("/exhibitions/" + ex)
	wantContains(t, page.Body, `id="kiosk-form"`, "Move room 甲厅 down", "Move room 乙厅 up", "Move work 睡莲 down", "Move work 日出 up")
	if strings.Contains(page.Body, "Move room 甲厅 up") || strings.Contains(page.Body, "Move work 日出 down") {
		t.Error("the first room has an up button or the last work a down button")
	}
	order := func() string {
		b := ed.get("/exhibitions/" + ex).Body
		return strings.Join(regexp.MustCompile(`<strong lang="zh-Hans">([^<]+)</strong>|<h3><span lang="zh-Hans">([^<]+)</span>`).FindAllString(b, -1), "")
	}
	if r := ed.post("/exhibitions/"+ex+"/works/move", url.Values{"room": {"0"}, "work": {"1"}, "dir": {"up"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("move work: %d", r.Status)
	}
	if r := ed.post("/exhibitions/"+ex+"/rooms/move", url.Values{"room": {"0"}, "dir": {"down"}}); r.Status != http.StatusSeeOther || r.Location != "/exhibitions/"+ex+"#room-1" {
		t.Fatalf("move room: %d %q", r.Status, r.Location)
	}
	got := order()
	if i, j, k, l := strings.Index(got, "乙厅"), strings.Index(got, "甲厅"), strings.Index(got, "日出"), strings.Index(got, "睡莲"); !(i < j && j < k && k < l) {
		t.Errorf("order after moves: %s", got)
	}
	// Outside the list: refused with its message, nothing changed.
	r = ed.post("/exhibitions/"+ex+"/rooms/move", url.Values{"room": {"0"}, "dir": {"up"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("move outside: %d", r.Status)
	}
	wantContains(t, ed.follow(r).Body, "The new position is outside the list.")
	for _, bad := range []url.Values{{"room": {"0"}, "dir": {"sideways"}}, {"room": {"x"}, "dir": {"up"}}} {
		if r := ed.post("/exhibitions/"+ex+"/rooms/move", bad); r.Status != http.StatusBadRequest && r.Status != http.StatusSeeOther {
			t.Errorf("bad move %v: %d", bad, r.Status)
		}
	}
	if order() != got {
		t.Error("a refused move changed the order")
	}
	if r := viewer.post("/exhibitions/"+ex+"/rooms/move", url.Values{"room": {"1"}, "dir": {"up"}}); r.Status != http.StatusForbidden {
		t.Fatalf("viewer moves: %d", r.Status)
	}
	if r := other.post("/exhibitions/"+ex+"/rooms/move", url.Values{"room": {"1"}, "dir": {"up"}}); r.Status != http.StatusNotFound {
		t.Fatalf("foreign move: %d", r.Status)
	}
}
