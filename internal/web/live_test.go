package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/connect"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
	"github.com/passerelle-oss/passerelle/internal/web"
)

// newPartnersApp is newApp with the partnership pages (and without the platform
// simulator, which they do not use).
func newPartnersApp(t *testing.T) (*app, *partners.Service) {
	t.Helper()
	db := storetest.SQLite(t)
	a := auth.New(db, nil)
	a.Params = testParams
	a.Logger = discardLogger()
	ten := &tenancy.Service{DB: db}
	srv := server.New(server.Options{DB: db, Auth: a})
	ts := httptest.NewUnstartedServer(nil)
	baseURL := "http://" + ts.Listener.Addr().String()
	dataDir := t.TempDir()
	mediaStore := &media.DiskStore{Root: dataDir + "/media"}
	ed := editorial.New(editorial.Options{DB: db, DataDir: dataDir, Media: mediaStore})
	pub := publish.New(publish.Options{DB: db, Media: mediaStore})
	ps := partners.New(partners.Options{DB: db, BaseURL: baseURL})
	if err := web.Register(web.Deps{Server: srv, DB: db, Auth: a, Tenancy: ten, Connect: &connect.Service{DB: db, Tenancy: ten, BaseURL: baseURL},
		Editorial: ed, Publish: pub, BaseURL: baseURL, Partners: ps}); err != nil {
		t.Fatal(err)
	}
	ts.Config.Handler = srv.Handler()
	ts.Start()
	t.Cleanup(ts.Close)
	return &app{t: t, URL: ts.URL, DB: db, Auth: a, Ten: ten, Server: srv, Ed: ed, Publish: pub}, ps
}

// TestLiveVisitPages plans a live visit through the pages (start typed in Paris time,
// shown on both clocks; route matched with the glossary; a promotion post), edits it,
// reads its run sheet, and enters its figures: bad figures are refused with the form
// (422) and change nothing; good ones are shown and kept. A viewer reads but may not
// plan; another organization's visit is not found.
func TestLiveVisitPages(t *testing.T) {
	t.Parallel()
	a, ps := newPartnersApp(t)
	ctx := context.Background()
	owner := a.org("Paris Musées", "owner@example.org", "correct-horse-battery")
	inst := a.institution(owner, "Petit Palais")
	other := a.institution(owner, "Musée Carnavalet")
	if err := a.Ed.CreateTerm(ctx, owner, &store.GlossaryTerm{InstitutionID: inst.ID, Source: "Le Sommeil", ZH: "睡眠", Kind: "artwork"}); err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	saved, err := a.Ed.CreatePost(ctx, owner, &editorial.PostInput{InstitutionID: &inst.ID, Title: str("Annonce du direct"), Theme: str("event"), SourceLang: str("fr"), TextZH: str("直播预告")})
	if err != nil {
		t.Fatal(err)
	}
	foreignPost, err := a.Ed.CreatePost(ctx, owner, &editorial.PostInput{InstitutionID: &other.ID, Title: str("Autre"), Theme: str("event"), SourceLang: str("fr"), TextZH: str("其他")})
	if err != nil {
		t.Fatal(err)
	}
	followers := int64(1_200_000)
	channel := &passerelle.Partner{Name: "Weibo Art", NameZH: "微博艺术", Kind: passerelle.PartnerChannel, Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Weibo, Handle: "weiboart", Followers: &followers}}}
	if err := ps.CreatePartner(ctx, owner, channel); err != nil {
		t.Fatal(err)
	}

	c := a.client()
	c.login("owner@example.org", "correct-horse-battery")
	if r := c.get("/live-events"); r.Status != http.StatusOK || !strings.Contains(r.Body, `id="live-new"`) {
		t.Fatalf("list: %d %s", r.Status, excerpt(r.Body))
	}
	// Two institutions: the new page asks which.
	if r := c.get("/live-events/new"); r.Status != http.StatusOK || !strings.Contains(r.Body, `id="live-choose"`) {
		t.Fatalf("choose: %d %s", r.Status, excerpt(r.Body))
	}
	r := c.get("/live-events/new?institution=" + itoa(inst.ID))
	if r.Status != http.StatusOK {
		t.Fatalf("new: %d %s", r.Status, excerpt(r.Body))
	}
	wantContains(t, r.Body, "Weibo Art", "Annonce du direct", "Le Sommeil")

	plan := url.Values{"institution_id": {itoa(inst.ID)}, "platform": {"weibo"}, "title_zh": {"小皇宫直播"}, "title": {"Le Petit Palais en direct"},
		"host": {"Claire"}, "starts_at": {"2026-06-01T12:00"}, "zone": {"Europe/Paris"}, "partner_id": {itoa(channel.ID)},
		"route": {"Le Sommeil\r\n\r\nLa Vierge  \r\n"}, "script_zh": {"大家好，欢迎来到小皇宫。"}, "script_fr": {"Bonjour, bienvenue au Petit Palais."},
		"promotion_post_id": {itoa(saved.Post.ID)}}

	// Refusals keep what was typed and save nothing.
	bad := url.Values{}
	for k, v := range plan {
		bad[k] = v
	}
	bad.Set("starts_at", "demain")
	bad.Set("title_zh", "")
	if r := c.post("/live-events", bad); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad plan: %d %s", r.Status, excerpt(r.Body))
	} else {
		wantContains(t, r.Body, "Give a date and a time.", "Le Petit Palais en direct", "大家好")
	}
	bad = url.Values{}
	for k, v := range plan {
		bad[k] = v
	}
	bad.Set("promotion_post_id", itoa(foreignPost.Post.ID))
	if r := c.post("/live-events", bad); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("another institution's post: %d %s", r.Status, excerpt(r.Body))
	}
	if es, err := ps.LiveEvents(ctx, owner, partners.LiveQuery{}); err != nil || len(es) != 0 {
		t.Fatalf("refused plans were saved: %v %v", es, err)
	}

	r = c.post("/live-events", plan)
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/live-events/") {
		t.Fatalf("create: %d %s", r.Status, excerpt(r.Body))
	}
	show := r.Location
	es, err := ps.LiveEvents(ctx, owner, partners.LiveQuery{})
	if err != nil || len(es) != 1 {
		t.Fatalf("saved: %v %v", es, err)
	}
	e := es[0]
	// 12:00 in Paris on 1 June (summer time) is 10:00 UTC, 18:00 in Beijing.
	if want := time.Date(2026, 6, 1, 10, 0, 0, 0, time.UTC); !e.StartsAt.Equal(want) {
		t.Errorf("start %v, want %v", e.StartsAt, want)
	}
	if len(e.Route) != 2 || e.Route[0] != "Le Sommeil" || e.Route[1] != "La Vierge" || e.PartnerID == nil || *e.PartnerID != channel.ID ||
		len(e.PostIDs) != 1 || e.PostIDs[0] != saved.Post.ID || e.Host != "Claire" {
		t.Errorf("saved visit %+v", e)
	}
	r = c.get(show)
	if r.Status != http.StatusOK {
		t.Fatalf("show: %d", r.Status)
	}
	wantContains(t, r.Body, "18:00", "12:00", "睡眠", "Weibo Art", `href="/posts/`+itoa(saved.Post.ID)+`"`, `id="figures-form"`)

	// The run sheet: both clocks, the stops in order with their Chinese names.
	r = c.get(show + "/sheet")
	if r.Status != http.StatusOK {
		t.Fatalf("sheet: %d", r.Status)
	}
	wantContains(t, r.Body, `id="sheet-stops"`, "睡眠", "La Vierge", "大家好，欢迎来到小皇宫。", "18:00", "12:00")
	if i, j := strings.Index(r.Body, "Le Sommeil"), strings.Index(r.Body, "La Vierge"); i < 0 || j < i {
		t.Errorf("stops out of order")
	}

	// Edit: the form shows the stored plan in Beijing time.
	r = c.get(show + "/edit")
	if r.Status != http.StatusOK {
		t.Fatalf("edit: %d", r.Status)
	}
	wantContains(t, r.Body, `value="2026-06-01T18:00"`, "大家好", `value="`+itoa(saved.Post.ID)+`" checked`)
	plan.Set("starts_at", "2026-06-02T19:30")
	plan.Set("zone", "Asia/Shanghai")
	plan.Del("partner_id")
	if r := c.post(show, plan); r.Status != http.StatusSeeOther {
		t.Fatalf("update: %d %s", r.Status, excerpt(r.Body))
	}
	if e, err = ps.LiveEvent(ctx, owner, e.ID); err != nil || !e.StartsAt.Equal(time.Date(2026, 6, 2, 11, 30, 0, 0, time.UTC)) || e.PartnerID != nil {
		t.Fatalf("updated %+v %v", e, err)
	}

	// Figures: negative, absurd, a peak above the total, or not a number are refused.
	for name, f := range map[string]url.Values{
		"negative":     {"total_viewers": {"-5"}},
		"absurd":       {"total_viewers": {"99999999999999"}},
		"peak > total": {"peak_viewers": {"80000"}, "total_viewers": {"70000"}},
		"not a number": {"likes": {"beaucoup"}},
	} {
		r := c.post(show+"/figures", f)
		if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, `id="figures-form"`) {
			t.Errorf("%s: %d %s", name, r.Status, excerpt(r.Body))
		}
	}
	if e, _ = ps.LiveEvent(ctx, owner, e.ID); e.TotalViewers != nil || e.FiguresAt != nil {
		t.Fatalf("refused figures were saved: %+v", e)
	}
	if r := c.post(show+"/figures", url.Values{"peak_viewers": {"12000"}, "total_viewers": {"70 000"}, "likes": {"3,400"}, "comments": {"812"}, "new_followers": {"1500"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("figures: %d %s", r.Status, excerpt(r.Body))
	}
	e, _ = ps.LiveEvent(ctx, owner, e.ID)
	if e.TotalViewers == nil || *e.TotalViewers != 70000 || *e.PeakViewers != 12000 || *e.Likes != 3400 || *e.NewFollowers != 1500 || e.FiguresAt == nil {
		t.Fatalf("figures saved %+v", e)
	}
	wantContains(t, c.get(show).Body, `id="fig-total">70,000<`, `id="fig-followers">1,500<`)
	wantContains(t, c.get("/live-events?institution="+itoa(inst.ID)).Body, "小皇宫直播", "70,000")

	// A viewer of the institution reads the visit and its run sheet, may not plan or
	// enter figures; a stranger does not see it.
	a.user(owner.OrgID, "viewer@example.org", "correct-horse-battery", false, passerelle.Membership{InstitutionID: inst.ID, Role: passerelle.RoleViewer})
	v := a.client()
	v.login("viewer@example.org", "correct-horse-battery")
	if r := v.get(show); r.Status != http.StatusOK || strings.Contains(r.Body, `id="figures-form"`) || strings.Contains(r.Body, `id="live-edit"`) {
		t.Errorf("viewer's page: %d", r.Status)
	}
	if r := v.get(show + "/sheet"); r.Status != http.StatusOK {
		t.Errorf("viewer's run sheet: %d", r.Status)
	}
	if r := v.post(show+"/figures", url.Values{"total_viewers": {"1"}}); r.Status != http.StatusForbidden {
		t.Errorf("viewer's figures: %d", r.Status)
	}
	if r := v.get(show + "/edit"); r.Status != http.StatusForbidden {
		t.Errorf("viewer's edit: %d", r.Status)
	}
	a.org("Autre", "stranger@example.org", "correct-horse-battery")
	s := a.client()
	s.login("stranger@example.org", "correct-horse-battery")
	for _, p := range []string{show, show + "/sheet", show + "/edit"} {
		if r := s.get(p); r.Status != http.StatusNotFound {
			t.Errorf("stranger GET %s: %d", p, r.Status)
		}
	}
	if r := s.post(show+"/figures", url.Values{"total_viewers": {"1"}}); r.Status != http.StatusNotFound {
		t.Errorf("stranger's figures: %d", r.Status)
	}
}

// TestNetworkPage makes an account a network account through its page: the members
// are saved and listed with their share; an institution of another organization is
// not found; an editor reads the page but may not choose the members.
func TestNetworkPage(t *testing.T) {
	t.Parallel()
	a, ps := newPartnersApp(t)
	ctx := context.Background()
	owner := a.org("Paris Musées", "owner@example.org", "correct-horse-battery")
	hub := a.institution(owner, "Paris Musées")
	cognacq := a.institution(owner, "Musée Cognacq-Jay")
	balzac := a.institution(owner, "Maison de Balzac")
	acc := &passerelle.Account{InstitutionID: hub.ID, Platform: passerelle.Weibo, Kind: passerelle.AccountManaged, Handle: "parismusees"}
	if err := a.DB.CreateAccount(ctx, owner.OrgID, acc); err != nil {
		t.Fatal(err)
	}
	stranger := a.org("Autre", "stranger@example.org", "correct-horse-battery")
	foreign := a.institution(stranger, "Ailleurs")

	c := a.client()
	c.login("owner@example.org", "correct-horse-battery")
	page := "/accounts/" + itoa(acc.ID) + "/network"
	if r := c.get(page); r.Status != http.StatusOK || !strings.Contains(r.Body, `id="members-form"`) || strings.Contains(r.Body, `id="network-shares"`) {
		t.Fatalf("page before: %d %s", r.Status, excerpt(r.Body))
	}
	if r := c.post("/accounts/"+itoa(acc.ID)+"/members", url.Values{"institution_id": {itoa(cognacq.ID), itoa(foreign.ID)}}); r.Status != http.StatusNotFound {
		t.Errorf("foreign member: %d", r.Status)
	}
	if ids, _ := ps.Members(ctx, owner, acc.ID); len(ids) != 0 {
		t.Fatalf("refused members saved: %v", ids)
	}
	r := c.post("/accounts/"+itoa(acc.ID)+"/members", url.Values{"institution_id": {itoa(cognacq.ID), itoa(balzac.ID)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("members: %d %s", r.Status, excerpt(r.Body))
	}
	if ids, _ := ps.Members(ctx, owner, acc.ID); len(ids) != 2 {
		t.Fatalf("members saved: %v", ids)
	}
	r = c.follow(r)
	wantContains(t, r.Body, `id="network-shares"`, `data-member="`+itoa(cognacq.ID)+`"`, `data-member="`+itoa(balzac.ID)+`"`, "Musée Cognacq-Jay")

	a.user(owner.OrgID, "editor@example.org", "correct-horse-battery", false, passerelle.Membership{InstitutionID: hub.ID, Role: passerelle.RoleEditor})
	e := a.client()
	e.login("editor@example.org", "correct-horse-battery")
	if r := e.get(page); r.Status != http.StatusOK || strings.Contains(r.Body, `id="members-form"`) {
		t.Errorf("editor's page: %d", r.Status)
	}
	if r := e.post("/accounts/"+itoa(acc.ID)+"/members", url.Values{}); r.Status != http.StatusForbidden {
		t.Errorf("editor's members: %d", r.Status)
	}
}
