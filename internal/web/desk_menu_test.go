package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
)

// TestDeskMenuEditor saves a menu from the desk page's form, pushed to the simulator
// (read back with menu/get), refuses an invalid one with its field's error and pushes
// nothing, and shows no form to a viewer, who cannot save either.
func TestDeskMenuEditor(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	owner := a.org("Agence", "owner@example.org", "correct horse battery")
	inst := a.institution(owner, "Musée d'Orsay")
	id := a.managedAccount(owner, inst.ID, passerelle.WeChat, map[string]string{"appid": simWeChatOK, "app_secret": simSecret, "token": "orsaytoken"})
	a.user(owner.OrgID, "viewer@example.org", "correct horse battery", false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleViewer})
	base := "/accounts/" + itoa(id)
	c := a.client()
	c.header.Set("Accept-Language", "en")
	c.login("owner@example.org", "correct horse battery")

	page := c.get(base + "/desk")
	if page.Status != 200 {
		t.Fatalf("desk: %d %s", page.Status, excerpt(page.Body))
	}
	wantContains(t, page.Body, `id="menu-form"`, `name="button[2].sub_button[4].pagepath"`, "No menu was pushed yet.", "Read back from WeChat")

	// Invalid: a button name beyond 16 bytes, and a view sub-button without an address.
	bad := url.Values{
		"button[0].name": {"开放时间与门票"}, "button[0].type": {"click"}, "button[0].key": {"HOURS"},
	}
	res := c.post(base+"/menu", bad)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid menu: %d %s", res.Status, excerpt(res.Body))
	}
	wantContains(t, res.Body, `id="f-button[0].name-error"`, "At most 16 bytes of UTF-8", `value="开放时间与门票"`)
	bad = url.Values{"button[0].name": {"参观"}, "button[0].sub_button[0].name": {"官网"}, "button[0].sub_button[0].type": {"view"}}
	res = c.post(base+"/menu", bad)
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid sub-button: %d", res.Status)
	}
	wantContains(t, res.Body, `id="f-button[0].sub_button[0].url-error"`, "Give an http(s) address")
	// The error in French, from desk/menu.go's message.
	fr := a.client()
	fr.header.Set("Accept-Language", "fr")
	fr.login("owner@example.org", "correct horse battery")
	res = fr.post(base+"/menu", bad)
	wantContains(t, res.Body, "Donnez une adresse http(s)")
	// Nothing reached WeChat.
	res = c.get(base + "/menu/wechat")
	if res.Status != 200 {
		t.Fatalf("read back: %d %s", res.Status, excerpt(res.Body))
	}
	wantContains(t, res.Body, "WeChat has no custom menu for this account.")

	// Valid: a click button, and a button with a view and a mini program sub-button.
	good := url.Values{
		"button[0].name": {"开放时间"}, "button[0].type": {"click"}, "button[0].key": {"HOURS"},
		"button[1].name": {"参观"}, "button[1].type": {""},
		"button[1].sub_button[0].name": {"官网"}, "button[1].sub_button[0].type": {"view"}, "button[1].sub_button[0].url": {"https://www.musee-orsay.fr/zh"},
		"button[1].sub_button[1].name": {"语音导览"}, "button[1].sub_button[1].type": {"miniprogram"}, "button[1].sub_button[1].url": {"https://www.musee-orsay.fr/zh/audio"},
		"button[1].sub_button[1].appid": {"wxminiprog0001"}, "button[1].sub_button[1].pagepath": {"pages/index"},
		// A stale key on a view button is not sent.
		"button[1].sub_button[0].key": {"STALE"},
	}
	res = c.post(base+"/menu", good)
	if res.Status != http.StatusSeeOther || !strings.HasSuffix(res.Location, base+"/desk#desk-menu") {
		t.Fatalf("save: %d %q %s", res.Status, res.Location, excerpt(res.Body))
	}
	page = c.follow(res)
	wantContains(t, page.Body, "The menu was pushed to WeChat.", `data-menu-button="开放时间"`, `data-menu-sub="语音导览"`, `value="pages/index"`)
	res = c.get(base + "/menu/wechat")
	wantContains(t, res.Body, "The form shows the menu WeChat has now.", `value="https://www.musee-orsay.fr/zh"`, `value="wxminiprog0001"`, `value="HOURS"`)
	if strings.Contains(res.Body, "STALE") {
		t.Error("the stale key of a view button was pushed")
	}

	// A viewer sees the preview, not the form, and cannot save nor read back.
	v := a.client()
	v.header.Set("Accept-Language", "en")
	v.login("viewer@example.org", "correct horse battery")
	page = v.get(base + "/desk")
	if page.Status != 200 {
		t.Fatalf("viewer desk: %d", page.Status)
	}
	wantContains(t, page.Body, `data-menu-button="参观"`)
	if strings.Contains(page.Body, `id="menu-form"`) || strings.Contains(page.Body, base+"/menu/wechat") {
		t.Error("a viewer sees the menu form")
	}
	if res := v.post(base+"/menu", url.Values{"button[0].name": {"X"}, "button[0].type": {"click"}, "button[0].key": {"X"}}); res.Status != http.StatusForbidden {
		t.Errorf("viewer save: %d", res.Status)
	}
	if res := v.get(base + "/menu/wechat"); res.Status != http.StatusForbidden {
		t.Errorf("viewer read back: %d", res.Status)
	}
	// The viewer's attempt changed nothing.
	res = c.get(base + "/menu/wechat")
	wantContains(t, res.Body, `value="开放时间"`)
}
