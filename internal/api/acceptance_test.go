package api_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// finding is a check finding as the API sends it.
type finding struct {
	Rule          string `json:"rule"`
	Severity      string `json:"severity"`
	Message       string `json:"message"`
	PublicationID *int64 `json:"publication_id"`
}

// TestEditorialAcceptance follows the acceptance contract to the letter,
// through the validating client, on both engines.
func TestEditorialAcceptance(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		e := editorialSetup(t, b)
		a := e.api

		// An organization term, although the shared glossary the organization
		// starts with already knows Degas.
		var term struct {
			ID            int64
			Source, ZH    string
			InstitutionID int64 `json:"institution_id"`
		}
		a.Do("POST", "/api/v1/glossary", map[string]any{"source": "Edgar Degas", "zh": "德加", "institution_id": nil}).Want(t, 201).JSON(t, &term)
		if term.ID == 0 || term.Source != "Edgar Degas" || term.ZH != "德加" || term.InstitutionID != 0 {
			t.Fatalf("term %+v", term)
		}
		a.Do("POST", "/api/v1/glossary", map[string]any{"source": "Edgar Degas", "zh": "埃德加", "institution_id": nil}).Want(t, 409)

		body := map[string]any{
			"institution_id": e.inst.ID, "title": "Les danseuses", "theme": "collection", "source_lang": "fr",
			"source_text": "Les danseuses d'Edgar Degas.", "text_zh": "奥赛博物馆的舞者。",
			"publications": []any{
				map[string]any{"account_id": e.weibo.ID, "format": "photo_text"},
				map[string]any{"account_id": e.wechat.ID, "format": "article", "wechat": map[string]any{"title": "舞者", "author": "奥赛", "digest": "舞者"}},
			},
		}
		var raw map[string]json.RawMessage
		a.Do("POST", "/api/v1/posts", body).Want(t, 201).JSON(t, &raw)
		var created struct {
			ID           int64
			Status       string
			Version      int
			Publications []struct {
				ID     int64
				TextZH string `json:"text_zh"`
			}
		}
		a.Do("GET", path("/api/v1/posts/%s", raw["id"]), nil).Want(t, 200).JSON(t, &created)
		if string(raw["status"]) != `"draft"` || created.ID == 0 || len(created.Publications) != 2 {
			t.Fatalf("created %s", raw)
		}
		id := created.ID

		// A publication's text is the post's unless it carries its own: what the
		// guest sees is what will be posted.
		var link struct{ Token string }
		a.Do("POST", path("/api/v1/posts/%d/guest-links", id), map[string]any{"label": "Mme Martin"}).Want(t, 201).JSON(t, &link)
		weiboText := func() string {
			var v struct {
				Previews []struct {
					Platform string
					Text     string
				}
			}
			b.v.API(t, b.url, "").Do("GET", "/api/v1/guest/"+link.Token, nil).Want(t, 200).JSON(t, &v)
			for _, p := range v.Previews {
				if p.Platform == "weibo" {
					return p.Text
				}
			}
			t.Fatalf("no Weibo preview: %+v", v)
			return ""
		}
		if got := weiboText(); got != "奥赛博物馆的舞者。" {
			t.Fatalf("Weibo text %q, want the post's", got)
		}

		// PATCH takes the same fields; without version the last write wins, a stale
		// version is a conflict.
		own := slices.Clone(body["publications"].([]any))
		own[0] = map[string]any{"account_id": e.weibo.ID, "format": "photo_text", "text_zh": "德加的舞者，只在微博。"}
		a.Do("PATCH", path("/api/v1/posts/%d", id), map[string]any{"title": "Les danseuses de Degas", "publications": own}).Want(t, 200)
		if got := weiboText(); got != "德加的舞者，只在微博。" {
			t.Fatalf("Weibo text %q, want the publication's own", got)
		}
		a.Do("PATCH", path("/api/v1/posts/%d", id), map[string]any{"text_zh": "奥赛博物馆的舞者。", "version": created.Version}).Want(t, 409)
		var cur struct{ Version int }
		a.Do("GET", path("/api/v1/posts/%d", id), nil).Want(t, 200).JSON(t, &cur)
		a.Do("PATCH", path("/api/v1/posts/%d", id), map[string]any{"notes": "relu", "version": cur.Version}).Want(t, 200)

		// Back to the post's text, which mentions Degas without 德加: a glossary
		// finding, with the fields of the contract.
		var checked struct {
			Findings []json.RawMessage `json:"findings"`
		}
		a.Do("PATCH", path("/api/v1/posts/%d", id), map[string]any{"publications": body["publications"]}).Want(t, 200)
		a.Do("POST", path("/api/v1/posts/%d/checks", id), nil).Want(t, 200).JSON(t, &checked)
		glossary := false
		for _, raw := range checked.Findings {
			var f map[string]json.RawMessage
			if err := json.Unmarshal(raw, &f); err != nil {
				t.Fatal(err)
			}
			for _, k := range []string{"rule", "severity", "message", "publication_id"} {
				if _, ok := f[k]; !ok {
					t.Errorf("finding without %q: %s", k, raw)
				}
			}
			glossary = glossary || string(f["rule"]) == `"glossary"`
		}
		if !glossary {
			t.Fatalf("no glossary finding: %s", checked.Findings)
		}

		// Transitions: to review with a comment; an illegal move is a conflict.
		var moved struct{ Status string }
		a.Do("POST", path("/api/v1/posts/%d/transitions", id), map[string]any{"to": "review", "comment": "Prêt pour relecture"}).Want(t, 200).JSON(t, &moved)
		if moved.Status != "review" {
			t.Fatalf("status %q", moved.Status)
		}
		if got := a.Do("POST", path("/api/v1/posts/%d/transitions", id), map[string]any{"to": "scheduled"}).Want(t, 409).Err(t); got.Error.Code != passerelle.ECONFLICT {
			t.Fatalf("illegal move: %+v", got)
		}
		var hist struct {
			Transitions []struct{ To, Comment string }
		}
		a.Do("GET", path("/api/v1/posts/%d/history", id), nil).Want(t, 200).JSON(t, &hist)
		if n := len(hist.Transitions); n == 0 || hist.Transitions[n-1].To != "review" || hist.Transitions[n-1].Comment != "Prêt pour relecture" {
			t.Fatalf("history %+v", hist)
		}
	})
}

// TestChecksEachRule makes the API report each rule of the contract on a post built
// to break it, and only on that post.
func TestChecksEachRule(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		e := editorialSetup(t, b)
		a := e.api
		a.Do("POST", "/api/v1/lexicon", map[string]any{"term": "禁区词", "severity": "block"}).Want(t, 201)
		weibo := func(text string, topics ...string) map[string]any {
			return map[string]any{"account_id": e.weibo.ID, "format": "text", "text_zh": text, "topics": topics}
		}
		for _, tc := range []struct {
			rule       string
			sourceText string
			textZH     string
			pubs       []any
		}{
			{"glossary", "Les danseuses d'Edgar Degas.", "舞者。", []any{weibo("舞者。")}},
			{"weibo_length", "", "舞者。", []any{weibo(strings.Repeat("舞", 2100))}},
			{"weibo_topic", "", "舞者。", []any{weibo("舞者＃奥赛＃")}},
			{"wechat_title_length", "", "舞者。", []any{map[string]any{"account_id": e.wechat.ID, "format": "article",
				"wechat": map[string]any{"title": strings.Repeat("舞", 40), "author": "奥赛", "digest": "舞者"}}}},
			{"sensitive", "", "舞者在禁区词。", []any{weibo("舞者在禁区词。")}},
			{"typography", "", "舞者,奥赛。", []any{weibo("舞者,奥赛。")}},
		} {
			t.Run(tc.rule, func(t *testing.T) {
				var p struct{ ID int64 }
				a.Do("POST", "/api/v1/posts", map[string]any{"institution_id": e.inst.ID, "title": tc.rule, "theme": "collection", "source_lang": "fr",
					"source_text": tc.sourceText, "text_zh": tc.textZH, "publications": tc.pubs}).Want(t, 201).JSON(t, &p)
				var got struct{ Findings []finding }
				a.Do("POST", path("/api/v1/posts/%d/checks?lang=fr", p.ID), nil).Want(t, 200).JSON(t, &got)
				found := false
				for _, f := range got.Findings {
					if f.Rule == tc.rule {
						found = true
						if f.Message == "" || f.PublicationID == nil || (f.Severity != "error" && f.Severity != "warning" && f.Severity != "info") {
							t.Errorf("finding %+v", f)
						}
					}
				}
				if !found {
					t.Errorf("no %s finding: %+v", tc.rule, got.Findings)
				}
			})
		}
	})
}

// TestCalendarAcrossInstitutions: without institution_id the calendar spans every
// institution the caller sees, and only those.
func TestCalendarAcrossInstitutions(t *testing.T) {
	t.Parallel()
	engines(t, func(t *testing.T, b *bundle) {
		e := editorialSetup(t, b)
		second := b.institution(b.org, "Musée Guimet")
		secondAcc := b.account(b.org, second.ID, passerelle.Weibo, passerelle.AccountManaged)
		at := time.Now().Add(72 * time.Hour).UTC().Truncate(time.Second)
		schedule := func(inst, account int64) int64 {
			var p struct {
				ID           int64
				Publications []struct{ ID int64 }
			}
			e.api.Do("POST", "/api/v1/posts", map[string]any{"institution_id": inst, "title": "Degas", "theme": "collection", "source_lang": "fr",
				"text_zh": "舞者。", "publications": []any{map[string]any{"account_id": account, "format": "text"}}}).Want(t, 201).JSON(t, &p)
			e.api.Do("PUT", path("/api/v1/publications/%d/schedule", p.Publications[0].ID), map[string]any{"scheduled_at": at}).Want(t, 200)
			return p.ID
		}
		first, other := schedule(e.inst.ID, e.weibo.ID), schedule(second.ID, secondAcc.ID)
		day := localDay(t, at) // the calendar's days are the institution's (Paris)
		type calendar struct {
			Items []struct {
				PostID        int64 `json:"post_id"`
				InstitutionID int64 `json:"institution_id"`
			}
			Occasions []json.RawMessage
		}
		posts := func(c calendar) map[int64]bool {
			m := map[int64]bool{}
			for _, it := range c.Items {
				m[it.PostID] = true
			}
			return m
		}
		var all calendar
		e.api.Do("GET", path("/api/v1/calendar?from=%s&to=%s", day, day), nil).Want(t, 200).JSON(t, &all)
		if got := posts(all); !got[first] || !got[other] || all.Occasions == nil {
			t.Fatalf("calendar across institutions: %+v", all)
		}
		var one calendar
		e.api.Do("GET", path("/api/v1/calendar?institution_id=%d&from=%s&to=%s", second.ID, day, day), nil).Want(t, 200).JSON(t, &one)
		if got := posts(one); got[first] || !got[other] {
			t.Fatalf("calendar of one institution: %+v", one)
		}
		// A member of the first institution only sees its items.
		member := b.user(b.org, false, passerelle.Membership{InstitutionID: e.inst.ID, Role: passerelle.RoleViewer})
		var mine calendar
		b.as(member).Do("GET", path("/api/v1/calendar?from=%s&to=%s", day, day), nil).Want(t, 200).JSON(t, &mine)
		if got := posts(mine); !got[first] || got[other] {
			t.Fatalf("member's calendar: %+v", mine)
		}
	})
}
