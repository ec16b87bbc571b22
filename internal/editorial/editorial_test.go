package editorial_test

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/checks"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

type bundle struct {
	cover   int64
	svc     *editorial.Service
	db      *store.DB
	clock   *clock
	inst    *passerelle.Institution
	weibo   *passerelle.Account
	wechat  *passerelle.Account
	users   map[passerelle.Role]*passerelle.User
	outside *passerelle.User
}

func setup(t testing.TB, db *store.DB) *bundle {
	t.Helper()
	ctx := context.Background()
	org, err := db.CreateOrganization(ctx, "Agence Pont")
	if err != nil {
		t.Fatal(err)
	}
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Musée d'Orsay", TimeZone: "Europe/Paris"}
	other := &passerelle.Institution{OrgID: org.ID, Name: "Louvre"}
	for _, i := range []*passerelle.Institution{inst, other} {
		if err := db.CreateInstitution(ctx, i); err != nil {
			t.Fatal(err)
		}
	}
	weibo := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Handle: "orsay"}
	wechat := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.WeChat, Handle: "orsay_wx"}
	for _, a := range []*passerelle.Account{weibo, wechat} {
		if err := db.CreateAccount(ctx, org.ID, a); err != nil {
			t.Fatal(err)
		}
	}
	c := &clock{t: time.Date(2030, 6, 3, 8, 0, 0, 0, time.UTC)}
	b := &bundle{db: db, clock: c, inst: inst, weibo: weibo, wechat: wechat, users: map[passerelle.Role]*passerelle.User{}}
	b.svc = editorial.New(editorial.Options{DB: db, DataDir: t.TempDir(), Now: c.Now})
	for i, r := range passerelle.InstitutionRoles {
		b.users[r] = &passerelle.User{ID: int64(100 + i), OrgID: org.ID, Name: string(r), Locale: "en", Memberships: []passerelle.Membership{{InstitutionID: inst.ID, Role: r}}}
	}
	b.users[passerelle.RoleOwner] = &passerelle.User{ID: 99, OrgID: org.ID, Owner: true, Name: "owner", Locale: "en"}
	b.outside = &passerelle.User{ID: 98, OrgID: org.ID, Name: "louvre editor", Memberships: []passerelle.Membership{{InstitutionID: other.ID, Role: passerelle.RoleEditor}}}
	m, _, err := b.svc.Upload(ctx, b.users[passerelle.RoleEditor], inst.ID, "danseuses.png", bytes.NewReader(testPNG(t, 940, 400)))
	if err != nil {
		t.Fatal(err)
	}
	b.cover = m.ID
	return b
}

func testPNG(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.RGBA{uint8(x), uint8(y), 128, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func ptr[T any](v T) *T { return &v }

func (b *bundle) input() *editorial.PostInput {
	return &editorial.PostInput{
		InstitutionID: &b.inst.ID, Title: ptr("Degas"), Theme: ptr("collection"), SourceLang: ptr("fr"),
		SourceText: ptr("Les danseuses d'Edgar Degas au musée d'Orsay."), TextZH: ptr("奥赛博物馆的德加舞者。"),
		Publications: &[]editorial.PublicationInput{
			{AccountID: b.weibo.ID, Format: "photo_text", Topics: []string{"德加"}},
			{AccountID: b.wechat.ID, Format: "article", WeChat: &editorial.ArticleInput{Title: "奥赛博物馆：德加的舞者", Author: "奥赛", Digest: "舞者", CoverMediaID: b.cover,
				BodyHTML: `<p>德加</p><script>alert(1)</script><img src="https://evil.example/x.jpg">`}},
		},
	}
}

func (b *bundle) create(t *testing.T) *passerelle.Post {
	t.Helper()
	s, err := b.svc.CreatePost(context.Background(), b.users[passerelle.RoleEditor], b.input())
	if err != nil {
		t.Fatalf("create: %v %v", err, passerelle.ErrorFields(err))
	}
	return s.Post
}

func TestCreateSanitisesAndChecks(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		s, err := b.svc.CreatePost(context.Background(), b.users[passerelle.RoleTranslator], b.input())
		if err != nil {
			t.Fatal(err)
		}
		body := s.Post.Publications[1].WeChat.BodyHTML
		if strings.Contains(body, "script") || strings.Contains(body, "evil.example") || !strings.Contains(body, "德加") {
			t.Fatalf("body not sanitised: %q", body)
		}
		kinds := map[string]bool{}
		for _, r := range s.Removed {
			kinds[r.Kind] = r.Message != ""
		}
		if !kinds["script"] || !kinds["external_image"] {
			t.Fatalf("removals not reported: %+v", s.Removed)
		}
		if s.Post.Status != passerelle.StatusDraft || s.Post.Version != 1 || s.Findings == nil {
			t.Fatalf("saved: %+v", s)
		}
		for _, r := range []passerelle.Role{passerelle.RoleReviewer, passerelle.RoleViewer} {
			if _, err := b.svc.CreatePost(context.Background(), b.users[r], b.input()); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN {
				t.Errorf("%s created a post: %v", r, err)
			}
		}
		if _, err := b.svc.CreatePost(context.Background(), b.outside, b.input()); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Errorf("other institution's editor: %v", err)
		}
	})
}

func TestWorkflowPerRole(t *testing.T) {
	t.Parallel()
	db := storetest.SQLite(t)
	type step struct {
		role    passerelle.Role
		to      passerelle.Status
		comment string
		want    string
	}
	cases := map[string][]step{
		"translator submits, reviewer approves, editor schedules": {
			{passerelle.RoleTranslator, passerelle.StatusTranslation, "", ""},
			{passerelle.RoleTranslator, passerelle.StatusReview, "", ""},
			{passerelle.RoleEditor, passerelle.StatusApproved, "", passerelle.EFORBIDDEN},
			{passerelle.RoleReviewer, passerelle.StatusApproved, "", ""},
			{passerelle.RoleReviewer, passerelle.StatusScheduled, "", passerelle.EFORBIDDEN},
			{passerelle.RoleEditor, passerelle.StatusScheduled, "", ""},
		},
		"reviewer rejects with a comment": {
			{passerelle.RoleEditor, passerelle.StatusReview, "", ""},
			{passerelle.RoleReviewer, passerelle.StatusDraft, "", passerelle.EINVALID},
			{passerelle.RoleReviewer, passerelle.StatusDraft, "Mauvais nom chinois.", ""},
		},
		"illegal moves conflict": {
			{passerelle.RoleOwner, passerelle.StatusApproved, "", passerelle.ECONFLICT},
			{passerelle.RoleOwner, passerelle.StatusScheduled, "", passerelle.ECONFLICT},
			{passerelle.RoleViewer, passerelle.StatusReview, "", passerelle.EFORBIDDEN},
		},
	}
	for name, steps := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			b := setup(t, db)
			ctx := context.Background()
			p := b.create(t)
			at := b.clock.Now().Add(48 * time.Hour)
			for _, pub := range p.Publications {
				if _, err := b.svc.Schedule(ctx, b.users[passerelle.RoleEditor], pub.ID, &at); err != nil {
					t.Fatal(err)
				}
			}
			for i, s := range steps {
				_, err := b.svc.Transition(ctx, b.users[s.role], p.ID, s.to, s.comment)
				if got := passerelle.ErrorCode(err); got != s.want {
					t.Fatalf("step %d (%s → %s): %q, want %q (%v)", i, s.role, s.to, got, s.want, err)
				}
			}
			h, err := b.svc.History(ctx, b.users[passerelle.RoleViewer], p.ID)
			if err != nil {
				t.Fatal(err)
			}
			ok := 0
			for _, s := range steps {
				if s.want == "" {
					ok++
				}
			}
			if len(h.Transitions) != ok+1 {
				t.Fatalf("%d transitions recorded, want %d", len(h.Transitions), ok+1)
			}
		})
	}
}

func TestEditingApprovedContentReopensReview(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		ctx := context.Background()
		ed, rev := b.users[passerelle.RoleEditor], b.users[passerelle.RoleReviewer]
		p := b.create(t)
		at := b.clock.Now().Add(24 * time.Hour)
		for _, pub := range p.Publications {
			if _, err := b.svc.Schedule(ctx, ed, pub.ID, &at); err != nil {
				t.Fatal(err)
			}
		}
		for _, s := range []struct {
			u  *passerelle.User
			to passerelle.Status
		}{{ed, passerelle.StatusReview}, {rev, passerelle.StatusApproved}, {ed, passerelle.StatusScheduled}} {
			if _, err := b.svc.Transition(ctx, s.u, p.ID, s.to, ""); err != nil {
				t.Fatalf("→ %s: %v", s.to, err)
			}
		}
		cur, _ := b.svc.Post(ctx, ed, p.ID)
		// A note is not content: the post stays scheduled.
		s, err := b.svc.UpdatePost(ctx, ed, p.ID, &editorial.PostInput{Notes: ptr("appeler le musée"), Version: &cur.Version})
		if err != nil || s.Post.Status != passerelle.StatusScheduled || s.Post.Version != cur.Version {
			t.Fatalf("note: %v %+v", err, s)
		}
		// A stale version is refused.
		stale := cur.Version - 1
		if _, err := b.svc.UpdatePost(ctx, ed, p.ID, &editorial.PostInput{TextZH: ptr("x"), Version: &stale}); passerelle.ErrorCode(err) != passerelle.ECONFLICT {
			t.Fatalf("stale patch: %v", err)
		}
		s, err = b.svc.UpdatePost(ctx, ed, p.ID, &editorial.PostInput{TextZH: ptr("奥赛博物馆的德加《舞蹈课》。"), Version: &cur.Version})
		if err != nil || s.Post.Status != passerelle.StatusReview || s.Post.Version != cur.Version+1 {
			t.Fatalf("content edit: %v %+v", err, s.Post)
		}
		h, _ := b.svc.History(ctx, ed, p.ID)
		last := h.Transitions[len(h.Transitions)-1]
		if last.From != passerelle.StatusScheduled || last.To != passerelle.StatusReview {
			t.Fatalf("reopen not recorded: %+v", last)
		}
		lastRev := h.Revisions[len(h.Revisions)-1]
		if len(lastRev.Changes["text_zh"]) == 0 {
			t.Fatalf("no diff: %+v", lastRev)
		}
		// Reviewers cannot edit; a time in the past is refused.
		if _, err := b.svc.UpdatePost(ctx, rev, p.ID, &editorial.PostInput{TextZH: ptr("y")}); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN {
			t.Fatalf("reviewer edit: %v", err)
		}
		past := b.clock.Now().Add(-time.Hour)
		if _, err := b.svc.Schedule(ctx, ed, p.Publications[0].ID, &past); passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Fatalf("past time: %v", err)
		}
		if _, err := b.svc.Schedule(ctx, b.outside, p.Publications[0].ID, &at); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Fatalf("outsider: %v", err)
		}
	})
}

func TestChecksBlockApproval(t *testing.T) {
	t.Parallel()
	b := setup(t, storetest.SQLite(t))
	ctx := context.Background()
	ed, rev := b.users[passerelle.RoleEditor], b.users[passerelle.RoleReviewer]
	// The seed has Degas: adding it as the seed has it answers the stored term; a
	// different rendering is a conflict.
	degas := &store.GlossaryTerm{Source: "Edgar Degas", ZH: "德加"}
	if err := b.svc.CreateTerm(ctx, ed, degas); err != nil || degas.ID == 0 || degas.ZHHant != "竇加" {
		t.Fatalf("Degas as seeded: %+v, %v", degas, err)
	}
	if err := b.svc.CreateTerm(ctx, ed, &store.GlossaryTerm{Source: "Edgar Degas", ZH: "埃德加"}); passerelle.ErrorCode(err) != passerelle.ECONFLICT {
		t.Fatalf("another rendering of Degas: %v", err)
	}
	in := b.input()
	in.TextZH = ptr("奥赛博物馆的舞者。") // Degas missing in Chinese
	(*in.Publications)[0].Topics = nil
	(*in.Publications)[1].WeChat.BodyHTML = "<p>舞者</p>" // the title keeps both names
	s, err := b.svc.CreatePost(ctx, ed, in)
	if err != nil {
		t.Fatal(err)
	}
	if !hasRule(s.Findings, checks.RuleGlossary) {
		t.Fatalf("no glossary finding: %+v", s.Findings)
	}
	if _, err := b.svc.Transition(ctx, ed, s.Post.ID, passerelle.StatusReview, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := b.svc.Transition(ctx, rev, s.Post.ID, passerelle.StatusApproved, ""); passerelle.ErrorCode(err) != passerelle.ECONFLICT {
		t.Fatalf("approved despite an error: %v", err)
	}
	cur, _ := b.svc.Post(ctx, ed, s.Post.ID)
	s, err = b.svc.UpdatePost(ctx, ed, cur.ID, &editorial.PostInput{TextZH: ptr("奥赛博物馆的德加舞者。")})
	if err != nil || hasRule(s.Findings, checks.RuleGlossary) {
		t.Fatalf("fixed text still flagged: %v %+v", err, s.Findings)
	}
	if _, err := b.svc.Transition(ctx, rev, s.Post.ID, passerelle.StatusApproved, ""); err != nil {
		t.Fatalf("approve: %v", err)
	}
}

func hasRule(fs []checks.Finding, rule string) bool {
	for _, f := range fs {
		if f.Rule == rule {
			return true
		}
	}
	return false
}

// TestSeedGlossaryHonoured: every row of the shared glossary, once seeded, flags a
// source that names it without its Chinese rendering, and accepts the rendering.
func TestSeedGlossaryHonoured(t *testing.T) {
	t.Parallel()
	b := setup(t, storetest.SQLite(t))
	ctx := context.Background()
	c, err := b.svc.Checker(ctx, b.inst.OrgID, b.inst.ID)
	if err != nil {
		t.Fatal(err)
	}
	seed := checks.SeedGlossary()
	if len(seed) < 50 {
		t.Fatalf("seed has %d terms", len(seed))
	}
	for _, term := range seed {
		missing := c.Check(checks.Input{Lang: "en", SourceLang: "fr", SourceText: "À propos : " + term.Source + ".", TextZH: "关于这个。"})
		if !hasRule(missing, checks.RuleGlossary) {
			t.Errorf("%s: missing rendering not flagged", term.Source)
		}
		present := c.Check(checks.Input{Lang: "en", SourceLang: "fr", SourceText: "À propos : " + term.Source + ".", TextZH: "关于" + term.ZH + "。"})
		for _, f := range present {
			if f.Rule == checks.RuleGlossary && strings.Contains(f.Message, term.ZH) {
				t.Errorf("%s: rendering %s not accepted: %s", term.Source, term.ZH, f.Message)
			}
		}
	}
}

func TestGuestLinks(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		ctx := context.Background()
		ed := b.users[passerelle.RoleEditor]
		p := b.create(t)
		if _, err := b.svc.Transition(ctx, ed, p.ID, passerelle.StatusReview, ""); err != nil {
			t.Fatal(err)
		}
		// An editor's link lets the guest comment only.
		_, edToken, err := b.svc.CreateGuestLink(ctx, ed, p.ID, "Conservatrice", 0)
		if err != nil {
			t.Fatal(err)
		}
		if v, err := b.svc.OpenGuest(ctx, edToken); err != nil || v.CanDecide || v.Link.Approves {
			t.Fatalf("editor's link: %v %+v", err, v)
		}
		if _, err := b.svc.GuestDecision(ctx, edToken, passerelle.StatusApproved, "", "Claire", "fr"); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN {
			t.Fatalf("approval through an editor's link: %v", err)
		}
		// A reviewer's link decides.
		rv := &passerelle.User{OrgID: b.inst.OrgID, Email: "relectrice@example.org", Name: "Relectrice", Memberships: []passerelle.Membership{{InstitutionID: b.inst.ID, Role: passerelle.RoleReviewer}}}
		if err := db.CreateUser(ctx, rv, "h"); err != nil {
			t.Fatal(err)
		}
		link, token, err := b.svc.CreateGuestLink(ctx, rv, p.ID, "Mme Martin", 0)
		if err != nil || !link.ExpiresAt.Equal(b.clock.Now().Add(7*24*time.Hour)) || !link.Approves {
			t.Fatalf("create: %v %+v", err, link)
		}
		v, err := b.svc.OpenGuest(ctx, token)
		if err != nil || !v.CanDecide || len(v.Previews) != 2 || !strings.Contains(v.Previews[0].Text, "#德加#") {
			t.Fatalf("open: %v %+v", err, v)
		}
		// Tampered tokens: a flipped character of the payload or signature, a
		// truncated one, another link's id.
		tampered := []string{flip(token, 3), flip(token, len(token)-2), token[:len(token)-5], "", "a.b", strings.Repeat("A", 300)}
		for _, tk := range tampered {
			if _, err := b.svc.OpenGuest(ctx, tk); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
				t.Errorf("tampered %q: %v", tk, err)
			}
		}
		if _, err := b.svc.GuestDecision(ctx, token, passerelle.StatusScheduled, "", "", "fr"); passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Fatalf("guest scheduling: %v", err)
		}
		if _, err := b.svc.GuestDecision(ctx, token, passerelle.StatusDraft, "", "", "fr"); passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Fatalf("rejection without comment: %v", err)
		}
		got, err := b.svc.GuestDecision(ctx, token, passerelle.StatusApproved, "", "Claire Martin", "fr")
		if err != nil || got.Status != passerelle.StatusApproved {
			t.Fatalf("approve: %v", err)
		}
		h, _ := b.svc.History(ctx, ed, p.ID)
		if last := h.Transitions[len(h.Transitions)-1]; last.GuestLinkID != link.ID || !strings.Contains(last.ActorName, "Claire Martin") || !strings.Contains(last.ActorName, "Relectrice") {
			t.Fatalf("guest move not recorded: %+v", last)
		}

		// Revoked.
		_, token2, _ := b.svc.CreateGuestLink(ctx, ed, p.ID, "", time.Hour)
		if err := b.svc.RevokeGuestLink(ctx, ed, p.ID, link.ID+1); err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.OpenGuest(ctx, token2); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN || !strings.Contains(passerelle.ErrorMessage(err), "revoked") {
			t.Fatalf("revoked: %v", err)
		}
		// Expired.
		b.clock.Add(7*24*time.Hour + time.Second)
		if _, err := b.svc.OpenGuest(ctx, token); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN || !strings.Contains(passerelle.ErrorMessage(err), "expired") {
			t.Fatalf("expired: %v", err)
		}
		if _, _, err := b.svc.CreateGuestLink(ctx, b.users[passerelle.RoleViewer], p.ID, "", 0); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN {
			t.Fatalf("viewer made a link: %v", err)
		}
	})
}

func flip(s string, i int) string {
	b := []byte(s)
	if b[i] == 'A' {
		b[i] = 'B'
	} else {
		b[i] = 'A'
	}
	return string(b)
}

func TestCalendar(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		b := setup(t, db)
		ctx := context.Background()
		ed := b.users[passerelle.RoleEditor]
		if err := b.svc.CreateTerm(ctx, ed, &store.GlossaryTerm{InstitutionID: b.inst.ID, Source: "Gustave Caillebotte", ZH: "卡耶博特", BirthDate: "1848-08-19", DeathDate: "1894-02-21"}); err != nil {
			t.Fatal(err)
		}
		p := b.create(t)
		// 23:30 in Paris on 9 June is 05:30 on 10 June in Shanghai.
		at := time.Date(2030, 6, 9, 21, 30, 0, 0, time.UTC)
		if _, err := b.svc.Schedule(ctx, ed, p.Publications[0].ID, &at); err != nil {
			t.Fatal(err)
		}
		cal, err := b.svc.Calendar(ctx, b.users[passerelle.RoleViewer], editorial.CalendarQuery{InstitutionID: b.inst.ID, From: "2030-06-01", To: "2030-08-31", Lang: "fr"})
		if err != nil {
			t.Fatal(err)
		}
		if len(cal.Items) != 1 || cal.Items[0].LocalDate != "2030-06-09" || cal.Items[0].ShanghaiDate != "2030-06-10" || cal.Items[0].LocalTime != "2030-06-09T23:30:00+02:00" {
			t.Fatalf("items: %+v", cal.Items)
		}
		var anniversary, below bool
		for _, o := range cal.Occasions {
			anniversary = anniversary || strings.Contains(o.Key, "Caillebotte")
		}
		for _, w := range cal.Cadence {
			if w.AccountID == b.weibo.ID && w.WeekStart == "2030-06-03" && w.Count == 1 && w.Flag == "below" {
				below = true
			}
		}
		if !anniversary || !below {
			t.Fatalf("anniversary %v, cadence flag %v: %+v", anniversary, below, cal.Cadence[:3])
		}
		for name, q := range map[string]editorial.CalendarQuery{
			"bad date":   {From: "2030-13-01", To: "2030-12-01"},
			"reversed":   {From: "2030-06-02", To: "2030-06-01"},
			"too long":   {From: "2030-01-01", To: "2032-01-01"},
			"bad status": {From: "2030-01-01", To: "2030-01-02", Statuses: []passerelle.Status{"gone"}},
		} {
			if _, err := b.svc.Calendar(ctx, ed, q); passerelle.ErrorCode(err) != passerelle.EINVALID {
				t.Errorf("%s: %v", name, err)
			}
		}
		if _, err := b.svc.Calendar(ctx, b.outside, editorial.CalendarQuery{InstitutionID: b.inst.ID, From: "2030-06-01", To: "2030-06-30"}); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Fatalf("outsider: %v", err)
		}
	})
}

func TestDiff(t *testing.T) {
	t.Parallel()
	cases := map[string]struct{ a, b, want string }{
		"same":          {"德加", "德加", "=德加"},
		"han character": {"奥赛博物馆的德加", "奥塞博物馆的德加", "=奥-赛+塞=博物馆的德加"},
		"word":          {"les danseuses de Degas", "les danseurs de Degas", "=les -danseuses+danseurs= de Degas"},
		"from empty":    {"", "新", "+新"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			var got strings.Builder
			for _, op := range editorial.Diff(c.a, c.b) {
				fmt.Fprintf(&got, "%s%s", op.Op, op.Text)
			}
			if got.String() != c.want {
				t.Fatalf("Diff = %q, want %q", got.String(), c.want)
			}
		})
	}
}
