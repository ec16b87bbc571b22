package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

func setupInstitution(t *testing.T, db *store.DB) (org *passerelle.Organization, inst *passerelle.Institution, weibo, wechat *passerelle.Account) {
	t.Helper()
	ctx := context.Background()
	org = setupOrg(t, db)
	inst = &passerelle.Institution{OrgID: org.ID, Name: "Musée d'Orsay"}
	if err := db.CreateInstitution(ctx, inst); err != nil {
		t.Fatal(err)
	}
	weibo = &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Handle: "orsay"}
	wechat = &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.WeChat, Handle: "orsay_wx"}
	for _, a := range []*passerelle.Account{weibo, wechat} {
		if err := db.CreateAccount(ctx, org.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	return org, inst, weibo, wechat
}

func TestPosts(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, inst, weibo, wechat := setupInstitution(t, db)
		actor := passerelle.Actor{Name: "Léa"}
		at := time.Date(2031, 3, 4, 2, 0, 0, 0, time.UTC)
		p := &passerelle.Post{InstitutionID: inst.ID, Title: "Degas", Theme: "collection", SourceLang: "fr", SourceText: "Edgar Degas", TextZH: "德加",
			Status: passerelle.StatusDraft, Links: []string{"https://www.musee-orsay.fr"},
			Publications: []*passerelle.Publication{
				{AccountID: weibo.ID, Format: passerelle.FormatPhotoText, Topics: []string{"德加"}, ScheduledAt: &at},
				{AccountID: wechat.ID, Format: passerelle.FormatArticle, WeChat: &passerelle.Article{Title: "德加的舞者", Crop11: passerelle.CenterFocus}},
			}}
		if err := db.CreatePost(ctx, org.ID, p, actor); err != nil {
			t.Fatal(err)
		}
		got, err := db.Post(ctx, org.ID, p.ID)
		if err != nil || got.Version != 1 || len(got.Publications) != 2 || got.Publications[0].Platform != passerelle.Weibo ||
			got.Publications[1].WeChat == nil || got.Publications[1].WeChat.Title != "德加的舞者" || !got.Publications[0].ScheduledAt.Equal(at) || got.Links[0] != "https://www.musee-orsay.fr" {
			t.Fatalf("Post = %+v, %v", got, err)
		}
		weiboPub := got.Publications[0].ID

		// A content edit bumps the version and keeps the publication ids.
		upd, err := db.UpdatePost(ctx, org.ID, p.ID, actor, func(p *passerelle.Post) (store.PostWrite, error) {
			p.TextZH = "埃德加·德加"
			p.Status = passerelle.StatusReview
			return store.PostWrite{Revise: true, Transitions: []passerelle.Transition{{From: passerelle.StatusDraft, To: passerelle.StatusReview}}}, nil
		})
		if err != nil || upd.Version != 2 || upd.Publications[0].ID != weiboPub {
			t.Fatalf("update: %+v %v", upd, err)
		}
		trs, _ := db.Transitions(ctx, p.ID)
		revs, _ := db.Revisions(ctx, p.ID)
		if len(trs) != 2 || trs[1].To != passerelle.StatusReview || len(revs) != 2 || revs[1].TextZH != "埃德加·德加" {
			t.Fatalf("history: %+v %+v", trs, revs)
		}
		// A publication dropped is deleted; a failing fn writes nothing.
		if _, err := db.UpdatePost(ctx, org.ID, p.ID, actor, func(p *passerelle.Post) (store.PostWrite, error) {
			p.Publications = p.Publications[:1]
			p.Title = "changed"
			return store.PostWrite{}, passerelle.Errorf(passerelle.EINVALID, "no")
		}); passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Fatal(err)
		}
		if again, _ := db.Post(ctx, org.ID, p.ID); again.Title != "Degas" || len(again.Publications) != 2 {
			t.Fatalf("failed update wrote: %+v", again)
		}
		// An account of another institution is refused.
		_, other, otherWeibo, _ := setupInstitution(t, db)
		_ = other
		_, err = db.UpdatePost(ctx, org.ID, p.ID, actor, func(p *passerelle.Post) (store.PostWrite, error) {
			p.Publications = append(p.Publications, &passerelle.Publication{AccountID: otherWeibo.ID, Format: passerelle.FormatText})
			return store.PostWrite{Revise: true}, nil
		})
		if passerelle.ErrorFields(err)["publications[2].account_id"] == "" {
			t.Fatalf("foreign account: %v", err)
		}
		if _, err := db.Post(ctx, other.ID, p.ID); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Fatalf("other org sees the post: %v", err)
		}

		rows, err := db.Calendar(ctx, store.CalendarFilter{OrgID: org.ID, From: at.Add(-time.Hour), To: at.Add(time.Hour)})
		if err != nil || len(rows) != 1 || rows[0].PublicationID != weiboPub || rows[0].Status != passerelle.StatusReview || !rows[0].ScheduledAt.Equal(at) {
			t.Fatalf("calendar: %+v %v", rows, err)
		}
		rows, _ = db.Calendar(ctx, store.CalendarFilter{OrgID: org.ID, From: at.Add(-time.Hour), To: at.Add(time.Hour), Platform: passerelle.WeChat})
		if len(rows) != 0 {
			t.Fatalf("platform filter: %+v", rows)
		}
		list, err := db.Posts(ctx, store.PostFilter{OrgID: org.ID, Statuses: []passerelle.Status{passerelle.StatusReview}})
		if err != nil || len(list) != 1 || len(list[0].Publications) != 2 {
			t.Fatalf("posts: %+v %v", list, err)
		}

		c := &passerelle.Comment{PostID: p.ID, Body: "Le titre ?", AuthorName: "Léa"}
		if err := db.AddComment(ctx, c); err != nil {
			t.Fatal(err)
		}
		if err := db.AddComment(ctx, &passerelle.Comment{PostID: p.ID, ParentID: c.ID, Body: "OK"}); err != nil {
			t.Fatal(err)
		}
		if err := db.AddComment(ctx, &passerelle.Comment{PostID: p.ID, ParentID: 99999, Body: "x"}); passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Fatalf("reply to nothing: %v", err)
		}
		if cs, _ := db.Comments(ctx, p.ID); len(cs) != 2 || cs[1].ParentID != c.ID {
			t.Fatalf("comments: %+v", cs)
		}
	})
}

func TestGlossaryLexiconStore(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		org, inst, _, _ := setupInstitution(t, db)
		seed := []*store.GlossaryTerm{{Source: "Edgar Degas", ZH: "德加", BirthDate: "1834-07-19"}, {Source: "Claude Monet", ZH: "莫奈"}}
		if did, err := db.SeedGlossaryOnce(ctx, org.ID, seed); !did || err != nil {
			t.Fatal(did, err)
		}
		if did, err := db.SeedGlossaryOnce(ctx, org.ID, seed); did || err != nil {
			t.Fatal("seeded twice", err)
		}
		stamp1, _ := db.CheckStamp(ctx, org.ID)
		if err := db.CreateGlossaryTerm(ctx, org.ID, &store.GlossaryTerm{Source: "edgar degas", ZH: "x"}); passerelle.ErrorCode(err) != passerelle.ECONFLICT {
			t.Fatalf("duplicate term: %v", err)
		}
		if err := db.CreateGlossaryTerm(ctx, org.ID, &store.GlossaryTerm{InstitutionID: inst.ID, Source: "Edgar Degas", ZH: "埃德加·德加"}); err != nil {
			t.Fatal(err)
		}
		res, err := db.ImportGlossary(ctx, org.ID, 0, []*store.GlossaryTerm{{Source: "Claude Monet", ZH: "克劳德·莫奈"}, {Source: "Berthe Morisot", ZH: "莫里索"}}, true)
		if err != nil || res != (store.ImportResult{Created: 1, Updated: 1, Deleted: 1}) {
			t.Fatalf("import: %+v %v", res, err)
		}
		orgTerms, _ := db.Glossary(ctx, store.GlossaryFilter{OrgID: org.ID})
		all, _ := db.Glossary(ctx, store.GlossaryFilter{OrgID: org.ID, InstitutionID: -1})
		found, _ := db.Glossary(ctx, store.GlossaryFilter{OrgID: org.ID, InstitutionID: -1, Search: "MORI"})
		if len(orgTerms) != 2 || len(all) != 3 || len(found) != 1 || found[0].ZH != "莫里索" {
			t.Fatalf("glossary: %d %d %+v", len(orgTerms), len(all), found)
		}
		stamp2, _ := db.CheckStamp(ctx, org.ID)
		if stamp1 == stamp2 {
			t.Fatal("stamp did not change")
		}
		lres, err := db.ImportLexicon(ctx, org.ID, []*store.LexiconEntry{{Term: "敏感", Severity: "block"}, {Term: "注意", Severity: "warn"}}, false)
		if err != nil || lres.Created != 2 {
			t.Fatal(lres, err)
		}
		lres, err = db.ImportLexicon(ctx, org.ID, []*store.LexiconEntry{{Term: "注意", Severity: "block"}}, true)
		if err != nil || lres != (store.ImportResult{Updated: 1, Deleted: 1}) {
			t.Fatal(lres, err)
		}
		if lx, _ := db.Lexicon(ctx, org.ID, 0, 0); len(lx) != 1 || lx[0].Severity != "block" {
			t.Fatalf("lexicon: %+v", lx)
		}
		k1, err := db.SigningKey(ctx, "guest_links")
		k2, _ := db.SigningKey(ctx, "guest_links")
		if err != nil || len(k1) != 32 || string(k1) != string(k2) {
			t.Fatal("signing key", err)
		}
	})
}
