package passerelle_test

import (
	"testing"

	"github.com/passerelle-oss/passerelle"
)

func TestPostMovePerRole(t *testing.T) {
	t.Parallel()
	const (
		ok        = ""
		conflict  = passerelle.ECONFLICT
		forbidden = passerelle.EFORBIDDEN
		invalid   = passerelle.EINVALID
	)
	type tc struct {
		from    passerelle.Status
		to      passerelle.Status
		comment string
		want    map[passerelle.Role]string // role → error code ("" = allowed)
	}
	all := func(code string) map[passerelle.Role]string {
		m := map[passerelle.Role]string{}
		for _, r := range append([]passerelle.Role{passerelle.RoleOwner}, passerelle.InstitutionRoles...) {
			m[r] = code
		}
		return m
	}
	with := func(base map[passerelle.Role]string, over map[passerelle.Role]string) map[passerelle.Role]string {
		out := map[passerelle.Role]string{}
		for k, v := range base {
			out[k] = v
		}
		for k, v := range over {
			out[k] = v
		}
		return out
	}
	writers := map[passerelle.Role]string{passerelle.RoleOwner: ok, passerelle.RoleAdmin: ok, passerelle.RoleEditor: ok, passerelle.RoleTranslator: ok}
	reviewers := map[passerelle.Role]string{passerelle.RoleOwner: ok, passerelle.RoleAdmin: ok, passerelle.RoleReviewer: ok}
	schedulers := map[passerelle.Role]string{passerelle.RoleOwner: ok, passerelle.RoleAdmin: ok, passerelle.RoleEditor: ok}
	cases := map[string]tc{
		"submit for translation":       {passerelle.StatusDraft, passerelle.StatusTranslation, "", with(all(forbidden), writers)},
		"submit for review":            {passerelle.StatusDraft, passerelle.StatusReview, "", with(all(forbidden), writers)},
		"translated, to review":        {passerelle.StatusTranslation, passerelle.StatusReview, "", with(all(forbidden), writers)},
		"approve":                      {passerelle.StatusReview, passerelle.StatusApproved, "", with(all(forbidden), reviewers)},
		"reject with comment":          {passerelle.StatusReview, passerelle.StatusDraft, "Le nom de l'œuvre est faux.", with(all(forbidden), with(writers, reviewers))},
		"reject without comment":       {passerelle.StatusReview, passerelle.StatusDraft, "", with(all(forbidden), with(map[passerelle.Role]string{passerelle.RoleReviewer: invalid}, writers))},
		"schedule":                     {passerelle.StatusApproved, passerelle.StatusScheduled, "", with(all(forbidden), schedulers)},
		"unschedule":                   {passerelle.StatusScheduled, passerelle.StatusApproved, "", with(all(forbidden), schedulers)},
		"approve a draft":              {passerelle.StatusDraft, passerelle.StatusApproved, "", all(conflict)},
		"schedule a draft":             {passerelle.StatusDraft, passerelle.StatusScheduled, "", all(conflict)},
		"schedule in review":           {passerelle.StatusReview, passerelle.StatusScheduled, "", all(conflict)},
		"publish by hand":              {passerelle.StatusScheduled, passerelle.StatusPublished, "", all(conflict)},
		"reopen a published post":      {passerelle.StatusPublished, passerelle.StatusDraft, "x", all(conflict)},
		"stay where it is":             {passerelle.StatusReview, passerelle.StatusReview, "", all(conflict)},
		"reject approved with comment": {passerelle.StatusApproved, passerelle.StatusDraft, "Pas encore.", with(all(forbidden), reviewers)},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for role, want := range c.want {
				p := &passerelle.Post{ID: 1, Status: c.from}
				tr, err := p.Move(c.to, passerelle.Actor{UserID: 7, Role: role, Name: "x"}, c.comment, false)
				if got := passerelle.ErrorCode(err); got != want {
					t.Errorf("%s: code %q, want %q (%v)", role, got, want, err)
					continue
				}
				if want == ok && (p.Status != c.to || tr.From != c.from || tr.To != c.to || tr.UserID != 7) {
					t.Errorf("%s: status %s, transition %+v", role, p.Status, tr)
				}
				if want != ok && p.Status != c.from {
					t.Errorf("%s: refused move changed the status to %s", role, p.Status)
				}
			}
		})
	}
}

func TestPostMoveTwoStepAndGuest(t *testing.T) {
	t.Parallel()
	guest := passerelle.Actor{GuestLinkID: 3, Name: "Musée"}
	reviewer := passerelle.Actor{UserID: 2, Role: passerelle.RoleReviewer}
	lead := passerelle.Actor{UserID: 1, Role: passerelle.RoleAdmin}

	p := &passerelle.Post{Status: passerelle.StatusReview}
	if _, err := p.Move(passerelle.StatusApproved, reviewer, "", true); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN {
		t.Fatalf("museum before agency lead: %v", err)
	}
	tr, err := p.Move(passerelle.StatusApproved, lead, "", true)
	if err != nil || p.Status != passerelle.StatusReview || p.ApprovalStep != 1 || tr.To != passerelle.StatusReview {
		t.Fatalf("first step: %v %+v %+v", err, p, tr)
	}
	if _, err := p.Move(passerelle.StatusApproved, guest, "", true); err != nil || p.Status != passerelle.StatusApproved {
		t.Fatalf("guest second step: %v %+v", err, p)
	}
	if _, err := p.Move(passerelle.StatusScheduled, guest, "", true); passerelle.ErrorCode(err) != passerelle.ECONFLICT {
		t.Fatalf("guest scheduling: %v", err)
	}
	if tr, ok := p.Reopen(lead); !ok || p.Status != passerelle.StatusReview || p.ApprovalStep != 0 || tr.From != passerelle.StatusApproved {
		t.Fatalf("reopen: %v %+v", ok, p)
	}
	if _, ok := (&passerelle.Post{Status: passerelle.StatusDraft}).Reopen(lead); ok {
		t.Fatal("reopened a draft")
	}
	q := &passerelle.Post{Status: passerelle.StatusReview}
	if _, err := q.Move(passerelle.StatusDraft, guest, "", false); passerelle.ErrorCode(err) != passerelle.EINVALID {
		t.Fatalf("guest rejection without comment: %v", err)
	}
	if _, err := q.Move(passerelle.StatusDraft, guest, "Mauvais nom.", false); err != nil || q.Status != passerelle.StatusDraft {
		t.Fatalf("guest rejection: %v", err)
	}
}

func TestPostValidate(t *testing.T) {
	t.Parallel()
	valid := func() *passerelle.Post {
		return &passerelle.Post{InstitutionID: 1, Title: "Degas", Theme: "collection", SourceLang: "fr", TextZH: "德加",
			Publications: []*passerelle.Publication{
				{AccountID: 1, Platform: passerelle.Weibo, Topics: []string{"#德加#", "德加"}},
				{AccountID: 2, Platform: passerelle.WeChat, WeChat: &passerelle.Article{Title: "德加"}},
			}}
	}
	cases := map[string]struct {
		edit  func(*passerelle.Post)
		field string
	}{
		"valid":             {func(*passerelle.Post) {}, ""},
		"no title":          {func(p *passerelle.Post) { p.Title = " " }, "title"},
		"unknown theme":     {func(p *passerelle.Post) { p.Theme = "gossip" }, "theme"},
		"source in german":  {func(p *passerelle.Post) { p.SourceLang = "de" }, "source_lang"},
		"bad link":          {func(p *passerelle.Post) { p.Links = []string{"javascript:alert(1)"} }, "links"},
		"article on weibo":  {func(p *passerelle.Post) { p.Publications[0].Format = "article" }, "publications[0].format"},
		"repost sans url":   {func(p *passerelle.Post) { p.Publications[0].Format = "repost" }, "publications[0].repost_url"},
		"same account":      {func(p *passerelle.Post) { p.Publications[1].AccountID = 1 }, "publications[1].account_id"},
		"crop outside":      {func(p *passerelle.Post) { p.Publications[1].WeChat.Crop11 = passerelle.Focus{X: 2, Y: 0.5} }, "publications[1].wechat.crop_11"},
		"unknown platform":  {func(p *passerelle.Post) { p.Publications[0].Platform = "myspace" }, "publications[0].account_id"},
		"invalid utf-8":     {func(p *passerelle.Post) { p.TextZH = "\xff" }, "text_zh"},
		"negative media id": {func(p *passerelle.Post) { p.MediaIDs = []int64{-1} }, "media_ids"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			p := valid()
			c.edit(p)
			p.Normalize()
			err := p.Validate(passerelle.DefaultThemes)
			if c.field == "" {
				if err != nil {
					t.Fatalf("valid post refused: %v %v", err, passerelle.ErrorFields(err))
				}
				if got := p.Publications[0].Topics; len(got) != 1 || got[0] != "德加" {
					t.Fatalf("topics not normalised: %q", got)
				}
				return
			}
			if passerelle.ErrorFields(err)[c.field] == "" {
				t.Fatalf("want an error on %s, got %v %v", c.field, err, passerelle.ErrorFields(err))
			}
		})
	}
}

func TestContentEqual(t *testing.T) {
	t.Parallel()
	a := &passerelle.Post{Title: "x", TextZH: "德加", Notes: "n1", Publications: []*passerelle.Publication{{AccountID: 1, WeChat: &passerelle.Article{Title: "t"}}}}
	b := &passerelle.Post{Title: "x", TextZH: "德加", Notes: "n2", Publications: []*passerelle.Publication{{AccountID: 1, WeChat: &passerelle.Article{Title: "t"}}}}
	if !a.ContentEqual(b) {
		t.Fatal("notes are not content")
	}
	b.Publications[0].WeChat.Title = "u"
	if a.ContentEqual(b) {
		t.Fatal("an article title is content")
	}
}
