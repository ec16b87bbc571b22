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

// Issue 9, finding 6: glossary and vocabulary exports neutralise formulas, and the
// import reads its own export back as it was.
func TestCSVExportsNeutraliseFormulas(t *testing.T) {
	t.Parallel()
	b := sqlite(t)
	a := b.api
	a.Do("POST", "/api/v1/glossary", map[string]any{"source": "=HYPERLINK(\"http://evil.example\",\"Louvre\")", "zh": "卢浮宫", "note": "@SUM(1+1)"}).Want(t, 201)
	a.Do("POST", "/api/v1/lexicon", map[string]any{"term": "+cmd|' /C calc'!A0", "severity": "warn", "note": "-2+3"}).Want(t, 201)
	for _, p := range []string{"/api/v1/glossary/export", "/api/v1/lexicon/export", "/api/v1/glossary/export?excel=fr&lang=fr", "/api/v1/lexicon/export?bom=1&sep=semicolon&lang=zh-Hans"} {
		r := a.Do("GET", p, nil).Want(t, 200)
		body := string(r.Body)
		for _, line := range strings.Split(strings.TrimPrefix(body, "\ufeff"), "\n") {
			for _, cell := range strings.FieldsFunc(line, func(c rune) bool { return c == ',' || c == ';' }) {
				cell = strings.TrimPrefix(cell, `"`)
				if cell != "" && strings.ContainsRune("=+-@", rune(cell[0])) {
					t.Errorf("%s: a cell starts with a formula: %q", p, line)
				}
			}
		}
		if strings.Contains(p, "excel=fr") && (!strings.HasPrefix(body, "\ufeffsource;chinois;") || !strings.Contains(body, ";")) {
			t.Errorf("%s: not for French Excel: %q", p, body)
		}
		if strings.Contains(p, "zh-Hans") && !strings.HasPrefix(body, "\ufeff词语;级别;备注") {
			t.Errorf("%s: headers not in Chinese: %q", p, body)
		}
	}
	// The French Excel export imports back unchanged.
	exported := a.Do("GET", "/api/v1/lexicon/export?excel=fr&lang=fr", nil).Want(t, 200).Body
	a.Do("POST", "/api/v1/lexicon/import?replace=true", string(exported)).Want(t, 200)
	var list struct{ Items []struct{ Term, Note string } }
	a.Do("GET", "/api/v1/lexicon", nil).Want(t, 200).JSON(t, &list)
	if len(list.Items) != 1 || list.Items[0].Term != "+cmd|' /C calc'!A0" || list.Items[0].Note != "-2+3" {
		t.Fatalf("round trip: %+v", list.Items)
	}
}
