package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
)

// Saved templates and the reminder delay through the API, on both engines.
func TestCampaignTemplatesAPI(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		a := b.api
		inst := b.institution(b.org, "Petit Palais")
		weibo := b.account(b.org, inst.ID, passerelle.Weibo, passerelle.AccountManaged)
		var tpl struct {
			ID        int64
			Name      string
			MessageZH string `json:"message_zh"`
		}
		a.Do("POST", "/api/v1/campaign-templates", map[string]any{"name": "Musées", "message_zh": "{partner}您好，《{title}》：{link}"}).Want(t, 201).JSON(t, &tpl)
		a.Do("POST", "/api/v1/campaign-templates", map[string]any{"name": "Musées", "message_zh": "autre"}).Want(t, 422)
		a.Do("POST", "/api/v1/campaign-templates", map[string]any{"name": "", "message_zh": "x"}).Want(t, 422)
		a.Do("PATCH", "/api/v1/campaign-templates/"+fmt.Sprint(tpl.ID), map[string]any{"name": "Musées amis"}).Want(t, 200).JSON(t, &tpl)
		if tpl.Name != "Musées amis" || tpl.MessageZH != "{partner}您好，《{title}》：{link}" {
			t.Fatalf("patched %+v", tpl)
		}
		var list struct{ Items []struct{ ID int64 } }
		a.Do("GET", "/api/v1/campaign-templates", nil).Want(t, 200).JSON(t, &list)
		if len(list.Items) != 1 {
			t.Fatalf("list %+v", list)
		}
		var partner, post struct{ ID int64 }
		a.Do("POST", "/api/v1/partners", map[string]any{"name": "Shanghai Museum", "name_zh": "上海博物馆", "kind": "museum",
			"accounts": []any{map[string]any{"platform": "weibo", "handle": "shbwg"}}}).Want(t, 201).JSON(t, &partner)
		a.Do("POST", "/api/v1/posts", map[string]any{"institution_id": inst.ID, "title": "Les Nabis", "theme": "collection", "source_lang": "fr", "text_zh": "纳比派。",
			"publications": []any{map[string]any{"account_id": weibo.ID}}}).Want(t, 201).JSON(t, &post)
		a.Do("POST", "/api/v1/campaigns", map[string]any{"post_id": post.ID, "partner_ids": []int64{partner.ID}, "remind_after_days": 0.5}).Want(t, 422)
		a.Do("POST", "/api/v1/campaigns", map[string]any{"post_id": post.ID, "partner_ids": []int64{partner.ID}, "template_id": 987654}).Want(t, 404)
		var c struct {
			ID              int64
			RemindAfterDays int `json:"remind_after_days"`
			Relays          []struct {
				Invitation string
				Due        bool
				Reminders  int
			}
		}
		a.Do("POST", "/api/v1/campaigns", map[string]any{"post_id": post.ID, "partner_ids": []int64{partner.ID}, "template_id": tpl.ID, "remind_after_days": 5}).Want(t, 201).JSON(t, &c)
		if c.RemindAfterDays != 5 || !strings.HasPrefix(c.Relays[0].Invitation, "上海博物馆您好，《Les Nabis》：") || c.Relays[0].Due {
			t.Fatalf("campaign %+v", c)
		}
		a.Do("PATCH", "/api/v1/campaigns/"+fmt.Sprint(c.ID), map[string]any{"remind_after_days": 91}).Want(t, 422)
		a.Do("PATCH", "/api/v1/campaigns/"+fmt.Sprint(c.ID), map[string]any{"remind_after_days": 2}).Want(t, 200).JSON(t, &c)
		if c.RemindAfterDays != 2 {
			t.Fatalf("delay %d", c.RemindAfterDays)
		}
		a.Do("POST", "/api/v1/campaigns/"+fmt.Sprint(c.ID)+"/relays/"+fmt.Sprint(partner.ID)+"/reminder", nil).Want(t, 200)
		a.Do("GET", "/api/v1/campaigns/"+fmt.Sprint(c.ID), nil).Want(t, 200).JSON(t, &c)
		if c.Relays[0].Reminders != 1 {
			t.Fatalf("reminders %d", c.Relays[0].Reminders)
		}
		a.Do("DELETE", "/api/v1/campaign-templates/"+fmt.Sprint(tpl.ID), nil).Want(t, 204)
		a.Do("GET", "/api/v1/campaign-templates/"+fmt.Sprint(tpl.ID), nil).Want(t, 404)
	})
}
