package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
)

// A WeChat account's type (which sets its mass-send quota) is chosen on the account
// form, kept on edit, and refused when it is neither subscription nor service; other
// platforms' edit forms do not offer it.
func TestAccountFormWeChatType(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	owner := a.org("Agence", "o@example.org", "owner-password")
	inst := a.institution(owner, "Musée Guimet")
	c := a.client()
	c.header.Set("Accept-Language", "fr-FR,fr;q=0.9")
	c.login("o@example.org", "owner-password")
	id := itoa(inst.ID)

	form := c.get("/institutions/" + id + "/accounts/new")
	wantContains(t, form.Body, `name="wechat_type"`, "Type de compte WeChat", "Compte de service (服务号)", "Comptes WeChat uniquement.")

	r := c.post("/institutions/"+id+"/accounts", url.Values{"platform": {"wechat"}, "kind": {"managed"}, "handle": {"guimet"}, "wechat_type": {"broadcast"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid type: %d", r.Status)
	}
	wantContains(t, r.Body, "Choisissez abonnement (subscription) ou service.", `id="f-wechat_type-error"`)

	r = c.post("/institutions/"+id+"/accounts", url.Values{"platform": {"wechat"}, "kind": {"managed"}, "handle": {"guimet"}, "wechat_type": {"service"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create: %d %s", r.Status, excerpt(r.Body))
	}
	// A Weibo account ignores the field.
	r = c.post("/institutions/"+id+"/accounts", url.Values{"platform": {"weibo"}, "kind": {"managed"}, "handle": {"guimet_wb"}, "wechat_type": {"service"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create weibo: %d %s", r.Status, excerpt(r.Body))
	}
	accounts, err := a.Ten.AllAccounts(context.Background(), owner)
	if err != nil || len(accounts) != 2 {
		t.Fatalf("accounts: %v %v", accounts, err)
	}
	var wc, wb *passerelle.Account
	for _, acc := range accounts {
		if acc.Platform == passerelle.WeChat {
			wc = acc
		} else {
			wb = acc
		}
	}
	if wc == nil || wb == nil || wc.WeChatType != passerelle.WeChatService || wb.WeChatType != "" {
		t.Fatalf("stored types: %+v %+v", wc, wb)
	}

	edit := c.get("/accounts/" + itoa(wc.ID) + "/edit")
	wantContains(t, edit.Body, `<option value="service" selected>`, "Il fixe le quota d’envois groupés")
	if r := c.post("/accounts/"+itoa(wc.ID), url.Values{"kind": {"managed"}, "handle": {"guimet"}, "wechat_type": {"subscription"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("edit: %d %s", r.Status, excerpt(r.Body))
	}
	if got, err := a.Ten.Account(context.Background(), owner, wc.ID); err != nil || got.WeChatType != passerelle.WeChatSubscription {
		t.Fatalf("after edit: %+v %v", got, err)
	}
	// A form without the field (an older page) keeps the stored type.
	if r := c.post("/accounts/"+itoa(wc.ID), url.Values{"kind": {"managed"}, "handle": {"guimet"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("edit without type: %d", r.Status)
	}
	if got, _ := a.Ten.Account(context.Background(), owner, wc.ID); got.WeChatType != passerelle.WeChatSubscription {
		t.Fatalf("type lost on edit without the field: %q", got.WeChatType)
	}

	if weibo := c.get("/accounts/" + itoa(wb.ID) + "/edit"); strings.Contains(weibo.Body, `name="wechat_type"`) {
		t.Error("Weibo account's form offers a WeChat type")
	}

	c.header.Set("Accept-Language", "zh-CN,zh;q=0.9")
	wantContains(t, c.get("/accounts/"+itoa(wc.ID)+"/edit").Body, "微信公众号类型", `<option value="subscription" selected>订阅号`)
}
