package api_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/api/apitest"
)

// Issue 9, finding 1: a writer who may not approve cannot approve their own post
// through a guest link they made; a reviewer's link can, and the history names the
// reviewer who made it.
func TestGuestLinkCarriesItsCreatorsPower(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		e := editorialSetup(t, b)
		editor := b.as(b.user(b.org, false, passerelle.Membership{InstitutionID: e.inst.ID, Role: passerelle.RoleEditor}))
		translator := b.as(b.user(b.org, false, passerelle.Membership{InstitutionID: e.inst.ID, Role: passerelle.RoleTranslator}))
		reviewer := b.user(b.org, false, passerelle.Membership{InstitutionID: e.inst.ID, Role: passerelle.RoleReviewer})
		guest := b.v.API(t, b.url, "")

		body := map[string]any{"institution_id": e.inst.ID, "title": "Degas", "theme": "collection", "source_lang": "fr", "text_zh": "舞者。",
			"publications": []any{map[string]any{"account_id": e.weibo.ID, "format": "text"}}}
		var created struct{ ID int64 }
		editor.Do("POST", "/api/v1/posts", body).Want(t, 201).JSON(t, &created)
		editor.Do("POST", path("/api/v1/posts/%d/transitions", created.ID), map[string]any{"to": "review"}).Want(t, 200)

		for name, writer := range map[string]*apitest.API{"editor": editor, "translator": translator} {
			var link struct {
				Token string
				Link  struct{ Approves bool }
			}
			writer.Do("POST", path("/api/v1/posts/%d/guest-links", created.ID), map[string]any{"label": "Conservatrice"}).Want(t, 201).JSON(t, &link)
			if link.Link.Approves {
				t.Fatalf("%s's link approves", name)
			}
			var view struct {
				CanDecide bool `json:"can_decide"`
			}
			guest.Do("GET", "/api/v1/guest/"+link.Token, nil).Want(t, 200).JSON(t, &view)
			if view.CanDecide {
				t.Fatalf("%s's link offers a decision", name)
			}
			for _, to := range []string{"approved", "draft"} {
				guest.Do("POST", "/api/v1/guest/"+link.Token+"/decision", map[string]any{"to": to, "name": "Conservatrice en chef", "comment": "ok"}).Want(t, 403)
			}
			guest.Do("POST", "/api/v1/guest/"+link.Token+"/comments", map[string]any{"body": "Très bien", "name": "Conservatrice"}).Want(t, 201)
		}
		var post struct{ Status string }
		editor.Do("GET", path("/api/v1/posts/%d", created.ID), nil).Want(t, 200).JSON(t, &post)
		if post.Status != "review" {
			t.Fatalf("a writer's link moved the post to %s", post.Status)
		}

		var link struct {
			Token string
			Link  struct{ Approves bool }
		}
		b.as(reviewer).Do("POST", path("/api/v1/posts/%d/guest-links", created.ID), map[string]any{"label": "Mme Martin"}).Want(t, 201).JSON(t, &link)
		if !link.Link.Approves {
			t.Fatal("a reviewer's link does not approve")
		}
		guest.Do("POST", "/api/v1/guest/"+link.Token+"/decision", map[string]any{"to": "approved", "name": "Claire"}).Want(t, 200)
		var hist struct {
			Transitions []struct {
				To        string
				ActorName string `json:"actor_name"`
			}
		}
		editor.Do("GET", path("/api/v1/posts/%d/history", created.ID), nil).Want(t, 200).JSON(t, &hist)
		last := hist.Transitions[len(hist.Transitions)-1]
		if last.To != "approved" || !strings.Contains(last.ActorName, "Claire") || !strings.Contains(last.ActorName, reviewer.Email) {
			t.Fatalf("history does not name the link's creator: %+v", last)
		}
	})
}

// Issue 9, finding 12: OPTIONS and TRACE on API paths answer the JSON error shape.
func TestAPIMethodsWithoutRouteAnswerJSON(t *testing.T) {
	t.Parallel()
	b := sqlite(t)
	for _, m := range []string{"OPTIONS", "TRACE"} {
		for _, p := range []string{"/api/v1/institutions", "/api/v1/institutions/1", "/api/v9/nothing"} {
			req, _ := http.NewRequest(m, b.url+p, nil)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var body struct {
				Error struct{ Code, Message string }
			}
			err = json.NewDecoder(resp.Body).Decode(&body)
			resp.Body.Close()
			if resp.StatusCode != 405 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") || err != nil || body.Error.Code != "method_not_allowed" {
				t.Errorf("%s %s: %d %q %+v %v", m, p, resp.StatusCode, resp.Header.Get("Content-Type"), body, err)
			}
		}
	}
}
