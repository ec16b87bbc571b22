package api_test

import (
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
)

// TestPartnersAcceptance follows issue 14's interface contract to the letter, through
// the validating client, on both engines.
func TestPartnersAcceptance(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		a := b.api
		inst := b.institution(b.org, "Petit Palais")
		weibo := b.account(b.org, inst.ID, passerelle.Weibo, passerelle.AccountManaged)

		var partner struct{ ID int64 }
		a.Do("POST", "/api/v1/partners", map[string]any{"name": "Shanghai Museum", "name_zh": "上海博物馆", "kind": "museum",
			"accounts": []any{map[string]any{"platform": "weibo", "handle": "shbwg", "followers": 2000000}}}).Want(t, 201).JSON(t, &partner)
		var kol struct{ ID int64 }
		a.Do("POST", "/api/v1/partners", map[string]any{"name": "Lin", "name_zh": "林", "kind": "influencer",
			"accounts": []any{map[string]any{"platform": "xiaohongshu", "handle": "lin", "followers": 50000}}}).Want(t, 201).JSON(t, &kol)
		if partner.ID == 0 || kol.ID == 0 {
			t.Fatal("no partner id")
		}
		a.Do("POST", "/api/v1/partners", map[string]any{"name": "X", "kind": "robot"}).Want(t, 422)
		a.Do("POST", "/api/v1/partners", map[string]any{"name": "X", "kind": "media", "accounts": []any{map[string]any{"platform": "weibo", "handle": "x", "followers": -1}}}).Want(t, 422)

		var post struct{ ID int64 }
		a.Do("POST", "/api/v1/posts", map[string]any{"institution_id": inst.ID, "title": "Les Nabis", "theme": "collection", "source_lang": "fr", "text_zh": "纳比派。",
			"publications": []any{map[string]any{"account_id": weibo.ID}}}).Want(t, 201).JSON(t, &post)

		var c struct {
			ID     int64
			Relays []struct {
				PartnerID int64 `json:"partner_id"`
				Status    string
				Link      string
			}
		}
		a.Do("POST", "/api/v1/campaigns", map[string]any{"post_id": post.ID, "partner_ids": []int64{partner.ID, kol.ID}, "message_zh": "您好，诚邀转发：{link}"}).Want(t, 201).JSON(t, &c)
		if c.ID == 0 || len(c.Relays) != 2 || c.Relays[0].PartnerID != partner.ID || c.Relays[0].Status != "invited" || !strings.Contains(c.Relays[0].Link, "/relay/") {
			t.Fatalf("campaign %+v", c)
		}
		relay := path("/api/v1/campaigns/%d/relays/%d", c.ID, partner.ID)
		// A URL of another platform, negative and absurd figures: 422, nothing changes.
		a.Do("PATCH", relay, map[string]any{"status": "relayed", "url": "https://mp.weixin.qq.com/s/abcdefghijklmnop", "views": 10}).Want(t, 422)
		a.Do("PATCH", relay, map[string]any{"status": "relayed", "url": "https://weibo.com/1234567890/NabisAbCd", "views": -5}).Want(t, 422)
		a.Do("PATCH", relay, map[string]any{"status": "relayed", "url": "https://weibo.com/1234567890/NabisAbCd", "views": 99999999999999}).Want(t, 422)
		type totals struct {
			Relays         int
			Relayed        int
			PartnerViews   int64 `json:"partner_views"`
			PartnerReposts int64 `json:"partner_reposts"`
		}
		var got struct{ Totals totals }
		a.Do("GET", path("/api/v1/campaigns/%d", c.ID), nil).Want(t, 200).JSON(t, &got)
		if got.Totals != (totals{Relays: 2}) {
			t.Fatalf("refused changes moved the totals: %+v", got.Totals)
		}
		a.Do("PATCH", relay, map[string]any{"status": "relayed", "url": "https://weibo.com/1234567890/NabisAbCd", "views": 120000, "reposts": 340}).Want(t, 200)
		a.Do("GET", path("/api/v1/campaigns/%d", c.ID), nil).Want(t, 200).JSON(t, &got)
		if got.Totals != (totals{Relays: 2, Relayed: 1, PartnerViews: 120000, PartnerReposts: 340}) {
			t.Fatalf("totals %+v", got.Totals)
		}

		// The partner's link, without an account.
		anon := b.v.API(t, b.url, "")
		kolToken := c.Relays[1].Link[strings.LastIndex(c.Relays[1].Link, "/")+1:]
		anon.Do("GET", "/api/v1/relay/"+kolToken, nil).Want(t, 200)
		anon.Do("POST", "/api/v1/relay/"+kolToken, map[string]any{"status": "relayed", "url": "https://weibo.com/1234567890/NabisAbCd"}).Want(t, 422)
		anon.Do("POST", "/api/v1/relay/"+kolToken, map[string]any{"status": "relayed", "url": "https://www.xiaohongshu.com/explore/0123456789abcdef01234567", "views": 3000}).Want(t, 200)
		a.Do("GET", path("/api/v1/campaigns/%d", c.ID), nil).Want(t, 200).JSON(t, &got)
		if got.Totals != (totals{Relays: 2, Relayed: 2, PartnerViews: 123000, PartnerReposts: 340}) {
			t.Fatalf("totals after the partner's answer %+v", got.Totals)
		}
		e := anon.Do("GET", "/api/v1/relay/"+kolToken[:len(kolToken)-2]+"AA", nil).Want(t, 404).Err(t)
		if !strings.Contains(e.Error.Message, "not valid") {
			t.Fatalf("message %q", e.Error.Message)
		}
		a.Do("DELETE", path("/api/v1/campaigns/%d/relays/%d/link", c.ID, kol.ID), nil).Want(t, 204)
		anon.Do("GET", "/api/v1/relay/"+kolToken, nil).Want(t, 404)

		// Live visits.
		var live struct{ ID int64 }
		a.Do("POST", path("/api/v1/institutions/%d/live-events", inst.ID), map[string]any{"platform": "weibo", "starts_at": "2026-06-01T20:00:00+08:00", "title_zh": "小皇宫直播"}).Want(t, 201).JSON(t, &live)
		a.Do("PATCH", path("/api/v1/live-events/%d", live.ID), map[string]any{"peak_viewers": 12000, "total_viewers": 70000, "new_followers": 1500}).Want(t, 200)
		a.Do("PATCH", path("/api/v1/live-events/%d", live.ID), map[string]any{"peak_viewers": -1}).Want(t, 422)
		a.Do("PATCH", path("/api/v1/live-events/%d", live.ID), map[string]any{"total_viewers": 99999999999999}).Want(t, 422)
		a.Do("POST", path("/api/v1/institutions/%d/live-events", inst.ID), map[string]any{"platform": "weibo", "starts_at": "demain", "title_zh": "x"}).Want(t, 422)
		var ev struct {
			TotalViewers  int64  `json:"total_viewers"`
			StartsBeijing string `json:"starts_beijing"`
			StartsParis   string `json:"starts_paris"`
		}
		a.Do("GET", path("/api/v1/live-events/%d", live.ID), nil).Want(t, 200).JSON(t, &ev)
		if ev.TotalViewers != 70000 || ev.StartsBeijing != "2026-06-01T20:00:00+08:00" || ev.StartsParis != "2026-06-01T14:00:00+02:00" {
			t.Fatalf("live %+v", ev)
		}

		// Network accounts.
		network := b.account(b.org, inst.ID, passerelle.Weibo, passerelle.AccountManaged)
		m1, m2 := b.institution(b.org, "Cognacq-Jay"), b.institution(b.org, "Zadkine")
		theirs := b.institution(b.foreign, "Ailleurs")
		a.Do("PUT", path("/api/v1/accounts/%d/members", network.ID), map[string]any{"institution_ids": []int64{m1.ID, theirs.ID}}).Want(t, 404)
		a.Do("PUT", path("/api/v1/accounts/%d/members", network.ID), map[string]any{"institution_ids": []int64{m1.ID, m2.ID}}).Want(t, 200)
		var featured struct {
			ID       int64
			Featured []int64 `json:"featured_institution_ids"`
		}
		a.Do("POST", "/api/v1/posts", map[string]any{"institution_id": inst.ID, "title": "Cognacq-Jay", "theme": "collection", "source_lang": "fr", "text_zh": "科涅克-杰博物馆。",
			"publications": []any{map[string]any{"account_id": network.ID}}, "featured_institution_ids": []int64{m1.ID}}).Want(t, 201).JSON(t, &featured)
		if len(featured.Featured) != 1 || featured.Featured[0] != m1.ID {
			t.Fatalf("featured %+v", featured)
		}
		var before struct{ Items []any }
		a.Do("GET", "/api/v1/posts", nil).Want(t, 200).JSON(t, &before)
		// On an ordinary account, or naming another organization's institution: refused, and no post.
		a.Do("POST", "/api/v1/posts", map[string]any{"institution_id": inst.ID, "title": "x", "theme": "collection", "source_lang": "fr", "text_zh": "x。",
			"publications": []any{map[string]any{"account_id": weibo.ID}}, "featured_institution_ids": []int64{m1.ID}}).Want(t, 422)
		a.Do("POST", "/api/v1/posts", map[string]any{"institution_id": inst.ID, "title": "x", "theme": "collection", "source_lang": "fr", "text_zh": "x。",
			"publications": []any{map[string]any{"account_id": network.ID}}, "featured_institution_ids": []int64{theirs.ID}}).Want(t, 404)
		var after struct{ Items []any }
		a.Do("GET", "/api/v1/posts", nil).Want(t, 200).JSON(t, &after)
		if len(after.Items) != len(before.Items) {
			t.Fatalf("refused posts were written: %d → %d", len(before.Items), len(after.Items))
		}
		a.Do("GET", path("/api/v1/accounts/%d/network?from=2026-01-01&to=2026-04-01", network.ID), nil).Want(t, 200)
		a.Do("GET", path("/api/v1/accounts/%d/network?from=2026-13-01", network.ID), nil).Want(t, 422)
	})
}
