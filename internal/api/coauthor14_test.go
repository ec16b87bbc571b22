package api_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/publish"
)

// TestCoAuthoredPost: a post names a partner as co-author (another organization's
// partner: 404, an unknown one: 422); scheduling waits for the co-author's approval
// through a review link bound to them as well as the museum's; a content change
// takes the approval back; the co-author's publication is recorded (URL of the
// partner's platform, figures within bounds) by an editor and through the link; an
// expired, revoked or forged co-author link answers 404. Both engines.
func TestCoAuthoredPost(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		a := b.api
		ctx := t.Context()
		inst := b.institution(b.org, "Musée d'Orsay")
		weibo := b.account(b.org, inst.ID, passerelle.Weibo, passerelle.AccountManaged)
		var artist struct{ ID int64 }
		a.Do("POST", "/api/v1/partners", map[string]any{"name": "Xu Bing", "name_zh": "徐冰", "kind": "artist",
			"accounts": []any{map[string]any{"platform": "weibo", "handle": "xubing", "followers": 900000}}}).Want(t, 201).JSON(t, &artist)
		theirs := &passerelle.Partner{OrgID: b.foreign, Name: "Ailleurs", Kind: passerelle.PartnerMuseum}
		if err := b.db.CreatePartner(ctx, theirs); err != nil {
			t.Fatal(err)
		}

		body := map[string]any{"institution_id": inst.ID, "title": "Les coups de cœur de Xu Bing", "theme": "collection", "source_lang": "fr",
			"source_text": "Les œuvres préférées de Xu Bing.", "text_zh": "徐冰的心头好。", "publications": []any{map[string]any{"account_id": weibo.ID}}}
		var before struct{ Items []any }
		a.Do("GET", "/api/v1/posts", nil).Want(t, 200).JSON(t, &before)
		body["coauthor_partner_ids"] = []int64{theirs.ID}
		a.Do("POST", "/api/v1/posts", body).Want(t, 404)
		body["coauthor_partner_ids"] = []int64{987654321}
		a.Do("POST", "/api/v1/posts", body).Want(t, 422)
		var after struct{ Items []any }
		a.Do("GET", "/api/v1/posts", nil).Want(t, 200).JSON(t, &after)
		if len(after.Items) != len(before.Items) {
			t.Fatal("a refused post was kept")
		}
		type coauthor struct {
			PartnerID       int64  `json:"partner_id"`
			Decision        string `json:"decision"`
			Approved        bool   `json:"approved"`
			URL             string `json:"url"`
			Views           *int64 `json:"views"`
			ViewsLowerBound bool   `json:"views_lower_bound"`
		}
		type postBody struct {
			ID           int64
			Version      int
			Status       string
			CoAuthorIDs  []int64    `json:"coauthor_partner_ids"`
			CoAuthors    []coauthor `json:"coauthors"`
			Publications []struct{ ID int64 }
		}
		body["coauthor_partner_ids"] = []int64{artist.ID}
		var post postBody
		a.Do("POST", "/api/v1/posts", body).Want(t, 201).JSON(t, &post)
		if len(post.CoAuthorIDs) != 1 || post.CoAuthorIDs[0] != artist.ID || post.CoAuthors[0].Decision != "pending" {
			t.Fatalf("created %+v", post)
		}
		var got postBody
		a.Do("GET", path("/api/v1/posts/%d", post.ID), nil).Want(t, 200).JSON(t, &got)
		if len(got.CoAuthorIDs) != 1 || got.CoAuthorIDs[0] != artist.ID {
			t.Fatalf("GET %+v", got)
		}
		a.Do("PATCH", path("/api/v1/posts/%d", post.ID), map[string]any{"coauthor_partner_ids": []int64{artist.ID, theirs.ID}}).Want(t, 404)

		// The museum's guest link cannot record a co-author's post; a link for a
		// partner that is not a co-author is refused.
		var museum struct{ Token string }
		a.Do("POST", path("/api/v1/posts/%d/guest-links", post.ID), map[string]any{"label": "Conservatrice"}).Want(t, 201).JSON(t, &museum)
		a.Do("POST", path("/api/v1/posts/%d/guest-links", post.ID), map[string]any{"partner_id": theirs.ID}).Want(t, 404)
		var other struct{ ID int64 }
		a.Do("POST", "/api/v1/partners", map[string]any{"name": "Lin", "kind": "influencer"}).Want(t, 201).JSON(t, &other)
		a.Do("POST", path("/api/v1/posts/%d/guest-links", post.ID), map[string]any{"partner_id": other.ID}).Want(t, 422)
		var link struct {
			Token string
			Link  struct {
				Label     string
				PartnerID int64 `json:"partner_id"`
			}
		}
		a.Do("POST", path("/api/v1/posts/%d/guest-links", post.ID), map[string]any{"partner_id": artist.ID}).Want(t, 201).JSON(t, &link)
		if link.Link.PartnerID != artist.ID || link.Link.Label != "徐冰" {
			t.Fatalf("link %+v", link.Link)
		}
		guest := b.v.API(t, b.url, "")
		var view struct {
			CanDecide bool      `json:"can_decide"`
			CoAuthor  *coauthor `json:"coauthor"`
			Post      struct {
				SourceText string `json:"source_text"`
			} `json:"post"`
		}
		guest.Do("GET", "/api/v1/guest/"+link.Token, nil).Want(t, 200).JSON(t, &view)
		if view.CoAuthor == nil || view.CoAuthor.PartnerID != artist.ID || view.CanDecide || view.Post.SourceText == "" {
			t.Fatalf("a draft's co-author view %+v", view)
		}

		// Review: the museum approves, scheduling waits for the co-author.
		a.Do("POST", path("/api/v1/posts/%d/transitions", post.ID), map[string]any{"to": "review"}).Want(t, 200)
		guest.Do("GET", "/api/v1/guest/"+link.Token, nil).Want(t, 200).JSON(t, &view)
		if !view.CanDecide {
			t.Fatal("the co-author cannot decide on a post in review")
		}
		guest.Do("POST", "/api/v1/guest/"+link.Token+"/decision", map[string]any{"to": "draft", "name": "徐冰"}).Want(t, 422)
		guest.Do("POST", "/api/v1/guest/"+link.Token+"/decision", map[string]any{"to": "draft", "comment": "请换一张图。", "name": "徐冰"}).Want(t, 200)
		a.Do("GET", path("/api/v1/posts/%d", post.ID), nil).Want(t, 200).JSON(t, &got)
		if got.Status != "review" || got.CoAuthors[0].Decision != "changes_requested" || got.CoAuthors[0].Approved {
			t.Fatalf("after changes asked %+v", got)
		}
		a.Do("POST", path("/api/v1/posts/%d/transitions", post.ID), map[string]any{"to": "approved"}).Want(t, 200)
		at := time.Now().Add(72 * time.Hour).UTC().Format(time.RFC3339)
		a.Do("PUT", path("/api/v1/publications/%d/schedule", post.Publications[0].ID), map[string]any{"scheduled_at": at}).Want(t, 200)
		e := a.Do("POST", path("/api/v1/posts/%d/transitions", post.ID), map[string]any{"to": "scheduled"}).Want(t, 409).Err(t)
		if !strings.Contains(e.Error.Message, "co-author") || !strings.Contains(e.Error.Message, "徐冰") {
			t.Fatalf("message %q", e.Error.Message)
		}
		// Before approval, the co-author's publication cannot be recorded.
		rec := path("/api/v1/posts/%d/coauthors/%d/publication", post.ID, artist.ID)
		a.Do("PUT", rec, map[string]any{"url": "https://weibo.com/1234567890/XuBingAbCd"}).Want(t, 409)

		guest.Do("POST", "/api/v1/guest/"+link.Token+"/decision", map[string]any{"to": "approved", "name": "徐冰"}).Want(t, 200)
		a.Do("GET", path("/api/v1/posts/%d", post.ID), nil).Want(t, 200).JSON(t, &got)
		if !got.CoAuthors[0].Approved || got.Status != "approved" {
			t.Fatalf("after approval %+v", got)
		}
		// A change of content takes the co-author's approval back.
		a.Do("PATCH", path("/api/v1/posts/%d", post.ID), map[string]any{"text_zh": "徐冰的心头好：五件作品。"}).Want(t, 200).JSON(t, &got)
		if got.CoAuthors[0].Approved || got.Status != "review" {
			t.Fatalf("after an edit %+v", got)
		}
		a.Do("POST", path("/api/v1/posts/%d/transitions", post.ID), map[string]any{"to": "approved"}).Want(t, 200)
		a.Do("POST", path("/api/v1/posts/%d/transitions", post.ID), map[string]any{"to": "scheduled"}).Want(t, 409)
		guest.Do("POST", "/api/v1/guest/"+link.Token+"/decision", map[string]any{"to": "approved", "name": "徐冰"}).Want(t, 200)
		a.Do("POST", path("/api/v1/posts/%d/transitions", post.ID), map[string]any{"to": "scheduled"}).Want(t, 200)
		// A scheduled post takes no new co-author.
		a.Do("PATCH", path("/api/v1/posts/%d", post.ID), map[string]any{"coauthor_partner_ids": []int64{artist.ID, other.ID}}).Want(t, 409)

		// The co-author's link records nothing before publication; the museum's link never.
		guest.Do("PUT", "/api/v1/guest/"+link.Token+"/publication", map[string]any{"url": "https://weibo.com/1234567890/XuBingAbCd"}).Want(t, 409)
		guest.Do("PUT", "/api/v1/guest/"+museum.Token+"/publication", map[string]any{"url": "https://weibo.com/1234567890/XuBingAbCd"}).Want(t, 403)
		// An editor records it: another platform's URL, figures without a URL,
		// negative or absurd figures are refused and change nothing.
		a.Do("PUT", rec, map[string]any{"views": 10}).Want(t, 422)
		a.Do("PUT", rec, map[string]any{"url": "https://mp.weixin.qq.com/s/abcdefghijklmnop"}).Want(t, 422)
		a.Do("PUT", rec, map[string]any{"url": "https://weibo.com/1234567890/XuBingAbCd", "views": -1}).Want(t, 422)
		a.Do("PUT", rec, map[string]any{"url": "https://weibo.com/1234567890/XuBingAbCd", "reposts": 99999999999999}).Want(t, 422)
		a.Do("PUT", rec, map[string]any{"url": "https://weibo.com/1234567890/XuBingAbCd", "views_lower_bound": true}).Want(t, 422)
		a.Do("GET", path("/api/v1/posts/%d", post.ID), nil).Want(t, 200).JSON(t, &got)
		if got.CoAuthors[0].URL != "" || got.CoAuthors[0].Views != nil {
			t.Fatalf("refused records changed the co-author %+v", got.CoAuthors[0])
		}
		var c coauthor
		a.Do("PUT", rec, map[string]any{"url": "https://weibo.com/1234567890/XuBingAbCd", "views": 100000, "views_lower_bound": true}).Want(t, 200).JSON(t, &c)
		if c.URL != "https://weibo.com/1234567890/XuBingAbCd" || c.Views == nil || *c.Views != 100000 || !c.ViewsLowerBound {
			t.Fatalf("recorded %+v", c)
		}
		a.Do("PUT", path("/api/v1/posts/%d/coauthors/%d/publication", post.ID, other.ID), map[string]any{"url": "https://weibo.com/1234567890/XuBingAbCd"}).Want(t, 404)

		// Our side is published: the co-author's link records the figures.
		if _, err := publish.New(publish.Options{DB: b.db}).MarkPublished(ctx, b.owner, post.Publications[0].ID, "https://weibo.com/5555555555/OrsayAbCdE"); err != nil {
			t.Fatal(err)
		}
		guest.Do("GET", "/api/v1/guest/"+link.Token, nil).Want(t, 200)
		guest.Do("PUT", "/api/v1/guest/"+link.Token+"/publication", map[string]any{"views": 150000, "likes": 4200}).Want(t, 200).JSON(t, &c)
		if *c.Views != 150000 || c.ViewsLowerBound {
			t.Fatalf("through the link %+v", c)
		}

		// The reports' side by side: own views (none read yet) and the co-author's.
		rows, err := b.db.CoAuthoredPosts(ctx, b.org, []int64{inst.ID}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 10)
		if err != nil || len(rows) != 1 || rows[0].PostID != post.ID || rows[0].CoAuthors != 1 || rows[0].Recorded != 1 ||
			rows[0].PartnerViews != 150000 || rows[0].PartnerLikes != 4200 || rows[0].OwnViews != 0 || rows[0].PartnerLowerBound {
			t.Fatalf("co-authored posts in the period: %+v %v", rows, err)
		}
		if rows, err := b.db.CoAuthoredPosts(ctx, b.foreign, []int64{inst.ID}, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), 10); err != nil || len(rows) != 0 {
			t.Fatalf("another organization sees %+v %v", rows, err)
		}

		// Forged, revoked and expired co-author links: 404 with a plain message.
		e = guest.Do("GET", "/api/v1/guest/"+link.Token[:len(link.Token)-2]+"AA", nil).Want(t, 404).Err(t)
		if !strings.Contains(e.Error.Message, "not valid") {
			t.Fatalf("forged %q", e.Error.Message)
		}
		var links struct {
			Items []struct {
				ID        int64
				PartnerID int64 `json:"partner_id"`
			}
		}
		a.Do("GET", path("/api/v1/posts/%d/guest-links", post.ID), nil).Want(t, 200).JSON(t, &links)
		for _, l := range links.Items {
			if l.PartnerID == artist.ID {
				a.Do("DELETE", path("/api/v1/posts/%d/guest-links/%d", post.ID, l.ID), nil).Want(t, 204)
			}
		}
		e = guest.Do("GET", "/api/v1/guest/"+link.Token, nil).Want(t, 404).Err(t)
		if !strings.Contains(e.Error.Message, "not valid") {
			t.Fatalf("revoked %q", e.Error.Message)
		}
		guest.Do("PUT", "/api/v1/guest/"+link.Token+"/publication", map[string]any{"views": 1}).Want(t, 404)
		var short struct{ Token string }
		a.Do("POST", path("/api/v1/posts/%d/guest-links", post.ID), map[string]any{"partner_id": artist.ID, "ttl_hours": 1}).Want(t, 201).JSON(t, &short)
		// The stored expiry is authoritative: a link whose row expired is refused.
		if _, err := b.db.SQL().ExecContext(ctx, fmt.Sprintf(`UPDATE guest_links SET expires_at = '2020-01-01T00:00:00.000000Z' WHERE partner_id = %d AND revoked_at IS NULL`, artist.ID)); err != nil {
			t.Fatal(err)
		}
		guest.Do("GET", "/api/v1/guest/"+short.Token, nil).Want(t, 404)
	})
}
