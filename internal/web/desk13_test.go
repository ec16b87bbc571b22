package web_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// TestDeskInboxToolsPages: on the desk and conversation pages, the owner keeps canned
// answers (a refused one shows its field's error, in French too), assigns a
// conversation and filters the inbox by it, tags the follower (markup in a tag is
// text), lists followers by tag, downloads their CSV and deletes the menu on WeChat;
// the suggestions endpoint answers the glossary's rendering as JSON. A viewer sees
// the lists, not the forms, and can change nothing nor download the openids.
func TestDeskInboxToolsPages(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	ctx := context.Background()
	owner := a.org("Agence", "owner13@example.org", "correct horse battery")
	inst := a.institution(owner, "Musée d'Orsay")
	id := a.managedAccount(owner, inst.ID, passerelle.WeChat, map[string]string{"appid": simWeChatOK, "app_secret": simSecret, "token": "orsaytoken"})
	viewer := a.user(owner.OrgID, "viewer13@example.org", "correct horse battery", false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleViewer})
	if err := a.DB.InTx(ctx, func(tx *store.Tx) error {
		return tx.RecordInbound(ctx, id, "oFollower13", "text", "Claude Monet 的睡莲在哪里？", time.Now().UTC())
	}); err != nil {
		t.Fatal(err)
	}
	cs, err := a.DB.Conversations(ctx, store.ConversationFilter{AccountID: id})
	if err != nil || len(cs) != 1 {
		t.Fatalf("conversations %v %v", cs, err)
	}
	base, conv := "/accounts/"+itoa(id), "/conversations/"+itoa(cs[0].ID)
	c := a.client()
	c.header.Set("Accept-Language", "en")
	c.login("owner13@example.org", "correct horse battery")

	// Canned answers.
	res := c.post(base+"/answers", url.Values{"name": {""}, "text": {"9:30"}})
	if res.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty name: %d %s", res.Status, excerpt(res.Body))
	}
	wantContains(t, res.Body, `id="f-answer-name-error"`, "Give the answer a name.")
	fr := a.client()
	fr.header.Set("Accept-Language", "fr")
	fr.login("owner13@example.org", "correct horse battery")
	wantContains(t, fr.post(base+"/answers", url.Values{"name": {""}, "text": {"9:30"}}).Body, "Donnez un nom à la réponse.")
	res = c.post(base+"/answers", url.Values{"name": {"Horaires"}, "text": {"周二至周日 9:30–18:00"}})
	wantContains(t, c.follow(res).Body, "The canned answer was added.", `data-answer="Horaires"`)
	res = c.post(base+"/answers", url.Values{"name": {"Horaires"}, "text": {"x"}})
	if res.Status != http.StatusUnprocessableEntity || !strings.Contains(res.Body, "This account already has an answer of that name.") {
		t.Fatalf("duplicate: %d %s", res.Status, excerpt(res.Body))
	}

	// The conversation page: the answer to insert, the glossary's rendering of the
	// name in the follower's message, the assignment form.
	page := c.get(conv)
	wantContains(t, page.Body, `data-insert="周二至周日 9:30–18:00"`, `data-suggestion="莫奈"`, `id="manage-form"`, `id="tags-form"`, "desk13")
	res = c.post(conv+"/manage", url.Values{"assignee": {itoa(viewer.ID)}, "status": {"closed"}})
	wantContains(t, c.follow(res).Body, "The conversation was updated.")
	res = c.post(conv+"/manage", url.Values{"assignee": {"987654321"}})
	if page := c.follow(res); !strings.Contains(page.Body, "Choose a member of the team who sees this institution.") {
		t.Fatalf("unknown assignee: %s", excerpt(page.Body))
	}
	if got, _ := a.DB.Conversation(ctx, owner.OrgID, cs[0].ID); got.AssigneeID == nil || *got.AssigneeID != viewer.ID || got.Status != "closed" {
		t.Fatalf("after the refusal: %+v", got)
	}
	if page := c.get(base + "/desk?inbox=none"); strings.Contains(page.Body, `data-conversation="`+itoa(cs[0].ID)+`"`) {
		t.Error("an assigned conversation is listed as unassigned")
	}
	if page := c.get(base + "/desk?inbox=bogus"); page.Status != 200 || !strings.Contains(page.Body, `data-conversation="`+itoa(cs[0].ID)+`"`) {
		t.Errorf("unknown inbox filter: %d", page.Status)
	}

	// Tags, shown as text; the desk lists the follower under each tag.
	res = c.post(conv+"/tags", url.Values{"tags": {"Ambassador, <b>press</b>"}})
	page = c.follow(res)
	wantContains(t, page.Body, "The tags were saved.", `data-follower-tag="ambassador"`, "&lt;b&gt;press&lt;/b&gt;")
	if strings.Contains(page.Body, "<b>press</b>") {
		t.Error("a tag was rendered as HTML")
	}
	page = c.get(base + "/desk?tag=ambassador")
	wantContains(t, page.Body, `id="followers-table"`, `data-follower="`+itoa(cs[0].ID)+`"`, `href="`+base+`/followers.csv?tag=ambassador"`)
	if strings.Contains(page.Body, "oFollower13") {
		t.Error("the desk page shows an openid")
	}
	if page := c.get(base + "/desk?tag=teacher"); strings.Contains(page.Body, `data-follower="`) {
		t.Error("the tag filter lists a follower without the tag")
	}
	res = c.get(base + "/followers.csv?tag=ambassador")
	if res.Status != 200 || !strings.HasPrefix(res.Body, "\ufeffopenid,") || !strings.Contains(res.Body, "oFollower13,1,") {
		t.Fatalf("csv: %d %q", res.Status, res.Body)
	}

	// Suggestions as JSON for the script.
	res = c.post(conv+"/suggestions", url.Values{"text": {"Vincent van Gogh"}})
	if res.Status != 200 || !strings.Contains(res.Body, `"zh":"梵高"`) || !strings.Contains(res.Body, `"in":"draft"`) || !strings.Contains(res.Body, `"zh":"莫奈"`) {
		t.Fatalf("suggestions: %d %s", res.Status, res.Body)
	}

	// The menu, pushed then deleted on WeChat.
	res = c.post(base+"/menu", url.Values{"button[0].name": {"开放时间"}, "button[0].type": {"click"}, "button[0].key": {"HOURS"}})
	wantContains(t, c.follow(res).Body, `id="menu-delete-form"`)
	res = c.post(base+"/menu/delete", nil)
	page = c.follow(res)
	wantContains(t, page.Body, "The menu was deleted on WeChat.", "No menu was pushed yet.")
	if strings.Contains(page.Body, `id="menu-delete-form"`) {
		t.Error("the delete button stays without a menu")
	}
	wantContains(t, c.get(base+"/menu/wechat").Body, "WeChat has no custom menu for this account.")

	// A viewer reads, changes nothing.
	v := a.client()
	v.header.Set("Accept-Language", "en")
	v.login("viewer13@example.org", "correct horse battery")
	page = v.get(base + "/desk")
	wantContains(t, page.Body, `data-answer="Horaires"`, `data-follower-tag="ambassador"`)
	for _, form := range []string{`id="answer-form"`, `data-delete-answer`, `id="followers-csv"`} {
		if strings.Contains(page.Body, form) {
			t.Errorf("a viewer sees %s", form)
		}
	}
	if page := v.get(conv); strings.Contains(page.Body, `id="manage-form"`) || strings.Contains(page.Body, `id="tags-form"`) {
		t.Error("a viewer sees the assignment or tag form")
	}
	for _, r := range []resp{
		v.post(base+"/answers", url.Values{"name": {"X"}, "text": {"x"}}),
		v.post(conv+"/tags", url.Values{"tags": {"x"}}),
		v.post(conv+"/manage", url.Values{"status": {"open"}}),
		v.get(base + "/followers.csv"),
		v.post(base+"/menu/delete", nil),
	} {
		if r.Status != http.StatusForbidden {
			t.Errorf("viewer: %d %s", r.Status, excerpt(r.Body))
		}
	}
	if tags, _ := a.DB.FollowerTags(ctx, cs[0].ID); strings.Join(tags, ",") != "<b>press</b>,ambassador" {
		t.Errorf("tags after the viewer: %v", tags)
	}
}
