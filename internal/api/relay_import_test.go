package api_test

import (
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
)

// TestRelayFiguresImportAPI: a CSV of the partners' figures through the validating
// client, on both engines: a dry run writes nothing, a bad row answers 422 naming its
// line, the import records the figures with source import, and a second import of the
// same file changes nothing.
func TestRelayFiguresImportAPI(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		a := b.api
		inst := b.institution(b.org, "Petit Palais")
		weibo := b.account(b.org, inst.ID, passerelle.Weibo, passerelle.AccountManaged)
		var partner, post struct{ ID int64 }
		a.Do("POST", "/api/v1/partners", map[string]any{"name": "Shanghai Museum", "name_zh": "上海博物馆", "kind": "museum",
			"accounts": []any{map[string]any{"platform": "weibo", "handle": "shbwg"}}}).Want(t, 201).JSON(t, &partner)
		a.Do("POST", "/api/v1/posts", map[string]any{"institution_id": inst.ID, "title": "Les Nabis", "theme": "collection", "source_lang": "fr", "text_zh": "纳比派。",
			"publications": []any{map[string]any{"account_id": weibo.ID}}}).Want(t, 201).JSON(t, &post)
		var c struct{ ID int64 }
		a.Do("POST", "/api/v1/campaigns", map[string]any{"post_id": post.ID, "partner_ids": []int64{partner.ID}}).Want(t, 201).JSON(t, &c)
		figures := path("/api/v1/campaigns/%d/relay-figures", c.ID)
		file := "合作方,链接,阅读数,转发数\n上海博物馆,https://weibo.com/1234567890/Nabis1234,1.2万,340\n"

		var res struct {
			Imported, Unchanged, Errors int
			DryRun                      bool `json:"dry_run"`
			Rows                        []struct {
				Line      int
				PartnerID int64 `json:"partner_id"`
				Relayed   bool
				Views     *int64
			}
		}
		a.Do("POST", figures+"?dry_run=1", file).Want(t, 200).JSON(t, &res)
		if !res.DryRun || res.Imported != 1 || len(res.Rows) != 1 || res.Rows[0].PartnerID != partner.ID || !res.Rows[0].Relayed || *res.Rows[0].Views != 12000 {
			t.Fatalf("dry run %+v", res)
		}
		bad := a.Do("POST", figures, "合作方,阅读数\n上海博物馆,-3\n").Want(t, 422)
		if !strings.Contains(string(bad.Body), `"line 2"`) {
			t.Fatalf("bad rows: %s", bad.Body)
		}
		a.Do("POST", figures, "").Want(t, 422)
		var got struct {
			Relays []struct {
				Status        string
				Views         *int64
				FiguresSource string `json:"figures_source"`
			}
		}
		a.Do("GET", path("/api/v1/campaigns/%d", c.ID), nil).Want(t, 200).JSON(t, &got)
		if got.Relays[0].Status != "invited" || got.Relays[0].Views != nil {
			t.Fatalf("a dry run or a refused file wrote: %+v", got)
		}
		a.Do("POST", figures, file).Want(t, 200).JSON(t, &res)
		if res.Imported != 1 {
			t.Fatalf("import %+v", res)
		}
		a.Do("GET", path("/api/v1/campaigns/%d", c.ID), nil).Want(t, 200).JSON(t, &got)
		if got.Relays[0].Status != "relayed" || *got.Relays[0].Views != 12000 || got.Relays[0].FiguresSource != "import" {
			t.Fatalf("after import %+v", got)
		}
		a.Do("POST", figures, file).Want(t, 200).JSON(t, &res)
		if res.Imported != 0 || res.Unchanged != 1 {
			t.Fatalf("second import %+v", res)
		}
		// Another organization's campaign is not found.
		b.as(b.user(b.foreign, true)).Do("POST", figures+"?dry_run=1", file).Want(t, 404)
	})
}
