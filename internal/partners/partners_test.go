package partners_test

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// clock is a test clock that moves only when told.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// bundle is an organization with an owner, an institution with a Weibo account, a
// post, the services over a real store, and a second organization.
type bundle struct {
	t       testing.TB
	db      *store.DB
	svc     *partners.Service
	edit    *editorial.Service
	clock   *clock
	org     int64
	owner   *passerelle.User
	inst    int64
	account int64
	post    *passerelle.Post
	foreign *passerelle.User
	seq     int
}

func setup(t testing.TB, db *store.DB) *bundle {
	t.Helper()
	ctx := context.Background()
	b := &bundle{t: t, db: db, clock: &clock{t: time.Now().UTC().Truncate(time.Second)}}
	b.svc = partners.New(partners.Options{DB: db, Now: b.clock.now, BaseURL: "https://passerelle.example"})
	b.edit = editorial.New(editorial.Options{DB: db, DataDir: t.TempDir()})
	org, err := db.CreateOrganization(ctx, "Agence")
	if err != nil {
		t.Fatal(err)
	}
	b.org = org.ID
	b.owner = b.user(b.org, true)
	b.inst = b.institution(b.org, "Petit Palais")
	b.account = b.accountOn(b.inst, passerelle.Weibo)
	b.post = b.newPost(b.inst, b.account)
	other, err := db.CreateOrganization(ctx, "Autre")
	if err != nil {
		t.Fatal(err)
	}
	b.foreign = b.user(other.ID, true)
	return b
}

func (b *bundle) user(org int64, owner bool, ms ...passerelle.Membership) *passerelle.User {
	b.t.Helper()
	b.seq++
	u := &passerelle.User{OrgID: org, Email: fmt.Sprintf("u%d@example.org", b.seq), Owner: owner, Memberships: ms}
	if err := b.db.CreateUser(context.Background(), u, "unused"); err != nil {
		b.t.Fatal(err)
	}
	return u
}

func (b *bundle) institution(org int64, name string) int64 {
	b.t.Helper()
	i := &passerelle.Institution{OrgID: org, Name: name}
	if err := b.db.CreateInstitution(context.Background(), i); err != nil {
		b.t.Fatal(err)
	}
	return i.ID
}

func (b *bundle) accountOn(inst int64, p passerelle.Platform) int64 {
	b.t.Helper()
	b.seq++
	a := &passerelle.Account{InstitutionID: inst, Platform: p, Kind: passerelle.AccountManaged, Handle: fmt.Sprintf("acc%d", b.seq)}
	if err := b.db.CreateAccount(context.Background(), b.org, a); err != nil {
		b.t.Fatal(err)
	}
	return a.ID
}

func (b *bundle) newPost(inst, account int64) *passerelle.Post {
	b.t.Helper()
	str := func(s string) *string { return &s }
	s, err := b.edit.CreatePost(context.Background(), b.owner, &editorial.PostInput{InstitutionID: &inst, Title: str("Les Nabis"), Theme: str("collection"),
		SourceLang: str("fr"), TextZH: str("纳比派的色彩。"), Publications: &[]editorial.PublicationInput{{AccountID: account}}})
	if err != nil {
		b.t.Fatal(err)
	}
	return s.Post
}

func (b *bundle) partner(name string, accounts ...passerelle.PartnerAccount) *passerelle.Partner {
	b.t.Helper()
	p := &passerelle.Partner{Name: name, Kind: passerelle.PartnerMuseum, Accounts: accounts}
	if err := b.svc.CreatePartner(context.Background(), b.owner, p); err != nil {
		b.t.Fatal(err)
	}
	return p
}

func i64(n int64) *int64 { return &n }

func status(s passerelle.RelayStatus) *passerelle.RelayStatus { return &s }

func str(s string) *string { return &s }

func token(link string) string { return link[strings.LastIndex(link, "/")+1:] }

func code(t *testing.T, err error, want string) {
	t.Helper()
	if got := passerelle.ErrorCode(err); got != want {
		t.Fatalf("error code %q (%v), want %q", got, err, want)
	}
}

func TestCampaignLifecycle(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		shanghai := b.partner("Shanghai Museum", passerelle.PartnerAccount{Platform: passerelle.Weibo, Handle: "上海博物馆", Followers: i64(2_000_000)})
		kol := b.partner("Art KOL", passerelle.PartnerAccount{Platform: passerelle.Xiaohongshu, Handle: "artkol"})
		c, err := b.svc.CreateCampaign(ctx, b.owner, partners.CampaignInput{PostID: b.post.ID, PartnerIDs: []int64{shanghai.ID, kol.ID}, MessageZH: "{partner}您好，请转发：{link}"})
		if err != nil {
			t.Fatal(err)
		}
		if len(c.Relays) != 2 || c.Totals.Relays != 2 || c.Totals.Invited != 2 {
			t.Fatalf("campaign %+v", c)
		}
		for _, r := range c.Relays {
			if r.Status != passerelle.RelayInvited || !strings.HasPrefix(r.Link, "https://passerelle.example/relay/") || !strings.Contains(r.Invitation, r.Link) {
				t.Fatalf("relay %+v", r)
			}
		}
		shLink, kolLink := token(c.Relays[0].Link), token(c.Relays[1].Link)

		// The partner opens the link: the kit and the campaign's message.
		pg, err := b.svc.Page(ctx, shLink)
		if err != nil {
			t.Fatal(err)
		}
		if pg.Partner != "Shanghai Museum" || len(pg.Kits) != 1 || !strings.Contains(pg.Kits[0].Copy, "纳比派") || !strings.Contains(pg.Message, "Shanghai Museum您好") {
			t.Fatalf("page %+v", pg)
		}
		// A URL of another platform is refused, and changes nothing.
		_, err = b.svc.Answer(ctx, shLink, partners.RelayInput{Status: status(passerelle.RelayRelayed), URL: str("https://www.xiaohongshu.com/explore/0123456789abcdef01234567")})
		code(t, err, passerelle.EINVALID)
		if got, _ := b.svc.Campaign(ctx, b.owner, c.ID); got.Relays[0].Status != passerelle.RelayInvited {
			t.Fatalf("a refused answer changed the relay: %+v", got.Relays[0])
		}
		if _, err := b.svc.Answer(ctx, shLink, partners.RelayInput{Status: status(passerelle.RelayAccepted)}); err != nil {
			t.Fatal(err)
		}
		pg, err = b.svc.Answer(ctx, shLink, partners.RelayInput{Status: status(passerelle.RelayRelayed), URL: str("https://weibo.com/1234567890/Nabis1234"), Views: i64(120_000)})
		if err != nil {
			t.Fatal(err)
		}
		if pg.Status != passerelle.RelayRelayed || pg.URL != "https://weibo.com/1234567890/Nabis1234" {
			t.Fatalf("page after relay %+v", pg)
		}
		// The team types the reposts; negative and absurd figures are refused.
		_, err = b.svc.UpdateRelay(ctx, b.owner, c.ID, shanghai.ID, partners.RelayInput{Reposts: i64(-1)})
		code(t, err, passerelle.EINVALID)
		_, err = b.svc.UpdateRelay(ctx, b.owner, c.ID, shanghai.ID, partners.RelayInput{Views: i64(passerelle.MaxFigure + 1)})
		code(t, err, passerelle.EINVALID)
		if _, err := b.svc.UpdateRelay(ctx, b.owner, c.ID, shanghai.ID, partners.RelayInput{Reposts: i64(340)}); err != nil {
			t.Fatal(err)
		}
		// The influencer declines; figures on a declined relay are refused.
		if _, err := b.svc.Answer(ctx, kolLink, partners.RelayInput{Status: status(passerelle.RelayDeclined)}); err != nil {
			t.Fatal(err)
		}
		_, err = b.svc.UpdateRelay(ctx, b.owner, c.ID, kol.ID, partners.RelayInput{Views: i64(10)})
		code(t, err, passerelle.EINVALID)
		got, err := b.svc.SetOwnFigures(ctx, b.owner, c.ID, i64(80_000), i64(100))
		if err != nil {
			t.Fatal(err)
		}
		want := passerelle.CampaignTotals{Relays: 2, Relayed: 1, Declined: 1, PartnerViews: 120_000, PartnerReposts: 340, OwnViews: 80_000, OwnReposts: 100, ReachAdded: 60}
		if got.Totals != want {
			t.Fatalf("totals %+v, want %+v", got.Totals, want)
		}
		// The partner's history names the campaign.
		h, err := b.svc.History(ctx, b.owner, shanghai.ID)
		if err != nil || len(h) != 1 || h[0].Status != "relayed" || h[0].ID != c.ID {
			t.Fatalf("history %+v %v", h, err)
		}
		// Another organization sees nothing of it.
		_, err = b.svc.Campaign(ctx, b.foreign, c.ID)
		code(t, err, passerelle.ENOTFOUND)
		_, err = b.svc.UpdateRelay(ctx, b.foreign, c.ID, shanghai.ID, partners.RelayInput{Views: i64(1)})
		code(t, err, passerelle.ENOTFOUND)
	})
}

func TestCampaignRefusals(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		p := b.partner("Musée de Suzhou", passerelle.PartnerAccount{Platform: passerelle.WeChat, Handle: "szmuseum"})
		refused := b.partner("Silent")
		if _, err := b.svc.UpdatePartner(ctx, b.owner, refused.ID, func(p *passerelle.Partner) error { p.Consent = passerelle.ConsentRefused; return nil }); err != nil {
			t.Fatal(err)
		}
		theirs := &passerelle.Partner{Name: "Theirs", Kind: passerelle.PartnerArtist}
		if err := b.svc.CreatePartner(ctx, b.foreign, theirs); err != nil {
			t.Fatal(err)
		}
		editor := b.user(b.org, false, passerelle.Membership{InstitutionID: b.inst, Role: passerelle.RoleEditor})
		reviewer := b.user(b.org, false, passerelle.Membership{InstitutionID: b.inst, Role: passerelle.RoleReviewer})
		for name, tc := range map[string]struct {
			u    *passerelle.User
			in   partners.CampaignInput
			code string
		}{
			"another organization's partner": {b.owner, partners.CampaignInput{PostID: b.post.ID, PartnerIDs: []int64{p.ID, theirs.ID}}, passerelle.ENOTFOUND},
			"another organization's post":    {b.foreign, partners.CampaignInput{PostID: b.post.ID, PartnerIDs: []int64{theirs.ID}}, passerelle.ENOTFOUND},
			"no partner":                     {b.owner, partners.CampaignInput{PostID: b.post.ID}, passerelle.EINVALID},
			"a partner twice":                {b.owner, partners.CampaignInput{PostID: b.post.ID, PartnerIDs: []int64{p.ID, p.ID}}, passerelle.EINVALID},
			"a partner who refused contact":  {b.owner, partners.CampaignInput{PostID: b.post.ID, PartnerIDs: []int64{refused.ID}}, passerelle.EINVALID},
			"a reviewer":                     {reviewer, partners.CampaignInput{PostID: b.post.ID, PartnerIDs: []int64{p.ID}}, passerelle.EFORBIDDEN},
		} {
			t.Run(name, func(t *testing.T) {
				_, err := b.svc.CreateCampaign(ctx, tc.u, tc.in)
				code(t, err, tc.code)
			})
		}
		if cs, err := b.svc.Campaigns(ctx, b.owner, partners.CampaignQuery{}); err != nil || len(cs) != 0 {
			t.Fatalf("refused campaigns left %d campaigns (%v)", len(cs), err)
		}
		if _, err := b.svc.CreateCampaign(ctx, editor, partners.CampaignInput{PostID: b.post.ID, PartnerIDs: []int64{p.ID}}); err != nil {
			t.Fatalf("an editor: %v", err)
		}
	})
}

// TestPartnerLinks: a link that is tampered with, expired, revoked, replaced by a
// reminder or of another campaign opens nothing else than its own relay.
func TestPartnerLinks(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		p := b.partner("Musée de Xi'an", passerelle.PartnerAccount{Platform: passerelle.Weibo, Handle: "xian"})
		q := b.partner("Musée de Nankin", passerelle.PartnerAccount{Platform: passerelle.Weibo, Handle: "nanjing"})
		a, err := b.svc.CreateCampaign(ctx, b.owner, partners.CampaignInput{PostID: b.post.ID, PartnerIDs: []int64{p.ID, q.ID}, TTL: 48 * time.Hour})
		if err != nil {
			t.Fatal(err)
		}
		other := b.newPost(b.inst, b.account)
		c2, err := b.svc.CreateCampaign(ctx, b.owner, partners.CampaignInput{PostID: other.ID, PartnerIDs: []int64{p.ID}})
		if err != nil {
			t.Fatal(err)
		}
		link := token(a.Relays[0].Link)
		if _, err := b.svc.Page(ctx, link); err != nil {
			t.Fatal(err)
		}
		t.Run("tampered", func(t *testing.T) {
			for i := range len(link) {
				c := byte('A')
				if link[i] == 'A' {
					c = 'B'
				}
				_, err := b.svc.Page(ctx, link[:i]+string(c)+link[i+1:])
				if err != partners.ErrBadLink {
					t.Fatalf("changed at %d: %v", i, err)
				}
			}
			for _, bad := range []string{"", ".", "x.y", strings.Repeat("A", 300), link + "A"} {
				if _, err := b.svc.Page(ctx, bad); err != partners.ErrBadLink {
					t.Fatalf("%q: %v", bad, err)
				}
			}
		})
		t.Run("another campaign's link answers for its own relay only", func(t *testing.T) {
			if _, err := b.svc.Answer(ctx, token(c2.Relays[0].Link), partners.RelayInput{Status: status(passerelle.RelayDeclined)}); err != nil {
				t.Fatal(err)
			}
			got, _ := b.svc.Campaign(ctx, b.owner, a.ID)
			if got.Relays[0].Status != passerelle.RelayInvited {
				t.Fatalf("campaign %d changed by campaign %d's link: %+v", a.ID, c2.ID, got.Relays[0])
			}
		})
		t.Run("revoked", func(t *testing.T) {
			l := token(a.Relays[1].Link)
			if err := b.svc.RevokeLink(ctx, b.owner, a.ID, q.ID); err != nil {
				t.Fatal(err)
			}
			_, err := b.svc.Answer(ctx, l, partners.RelayInput{Status: status(passerelle.RelayAccepted)})
			if err != partners.ErrBadLink {
				t.Fatalf("revoked link: %v", err)
			}
			if got, _ := b.svc.Campaign(ctx, b.owner, a.ID); got.Relays[1].Status != passerelle.RelayInvited {
				t.Fatalf("a revoked link changed the relay: %+v", got.Relays[1])
			}
		})
		t.Run("reminder replaces the link", func(t *testing.T) {
			r, err := b.svc.Remind(ctx, b.owner, a.ID, p.ID)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.svc.Page(ctx, link); err != partners.ErrBadLink {
				t.Fatalf("the old link still opens: %v", err)
			}
			if _, err := b.svc.Page(ctx, token(r.Link)); err != nil || r.RemindedAt == nil {
				t.Fatalf("the new link: %v (%+v)", err, r)
			}
			link = token(r.Link)
		})
		t.Run("expired", func(t *testing.T) {
			b.clock.add(partners.DefaultLinkTTL + time.Second)
			if _, err := b.svc.Page(ctx, link); err != partners.ErrBadLink {
				t.Fatalf("expired link: %v", err)
			}
		})
	})
}

func TestDirectorySearch(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		b.partner("Shanghai Museum", passerelle.PartnerAccount{Platform: passerelle.Weibo, Handle: "shbwg", Followers: i64(2_000_000)})
		inf := &passerelle.Partner{Name: "Lin 100%_art", NameZH: "林艺术", Kind: passerelle.PartnerInfluencer, Topics: []string{"impressionnisme", "mode"},
			Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Xiaohongshu, Handle: "lin", Followers: i64(50_000)}}}
		if err := b.svc.CreatePartner(ctx, b.owner, inf); err != nil {
			t.Fatal(err)
		}
		theirs := &passerelle.Partner{Name: "Shanghai Other", Kind: passerelle.PartnerMuseum}
		if err := b.svc.CreatePartner(ctx, b.foreign, theirs); err != nil {
			t.Fatal(err)
		}
		for name, tc := range map[string]struct {
			q    partners.Search
			want []string
		}{
			"all":                 {partners.Search{}, []string{"Shanghai Museum", "Lin 100%_art"}},
			"name, any case":      {partners.Search{Query: "SHANGHAI"}, []string{"Shanghai Museum"}},
			"chinese name":        {partners.Search{Query: "艺术"}, []string{"Lin 100%_art"}},
			"topic":               {partners.Search{Query: "impression"}, []string{"Lin 100%_art"}},
			"handle":              {partners.Search{Query: "shbwg"}, []string{"Shanghai Museum"}},
			"wildcards are text":  {partners.Search{Query: "%_"}, []string{"Lin 100%_art"}},
			"kind":                {partners.Search{Kind: passerelle.PartnerInfluencer}, []string{"Lin 100%_art"}},
			"platform":            {partners.Search{Platform: passerelle.Weibo}, []string{"Shanghai Museum"}},
			"followers":           {partners.Search{MinFollowers: 100_000}, []string{"Shanghai Museum"}},
			"platform, followers": {partners.Search{Platform: passerelle.Xiaohongshu, MinFollowers: 100_000}, nil},
		} {
			t.Run(name, func(t *testing.T) {
				ps, err := b.svc.Partners(ctx, b.owner, tc.q)
				if err != nil {
					t.Fatal(err)
				}
				var names []string
				for _, p := range ps {
					names = append(names, p.Name)
				}
				if fmt.Sprint(names) != fmt.Sprint(tc.want) {
					t.Fatalf("got %v, want %v", names, tc.want)
				}
			})
		}
		_, err := b.svc.Partners(ctx, b.owner, partners.Search{Kind: "robot"})
		code(t, err, passerelle.EINVALID)
		// Followers over time: an update keeps the history.
		p, err := b.svc.UpdatePartner(ctx, b.owner, inf.ID, func(p *passerelle.Partner) error {
			p.Accounts[0].Followers = i64(60_000)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		b.clock.add(time.Hour)
		readings, err := db.PartnerFollowers(ctx, b.org, p.Accounts[0].ID)
		if err != nil || len(readings) < 1 || readings[len(readings)-1].Followers != 60_000 {
			t.Fatalf("readings %+v %v", readings, err)
		}
		// A viewer sees the directory and may not change it.
		viewer := b.user(b.org, false, passerelle.Membership{InstitutionID: b.inst, Role: passerelle.RoleViewer})
		if _, err := b.svc.Partner(ctx, viewer, inf.ID); err != nil {
			t.Fatal(err)
		}
		code(t, b.svc.CreatePartner(ctx, viewer, &passerelle.Partner{Name: "X", Kind: passerelle.PartnerMedia}), passerelle.EFORBIDDEN)
		_, err = b.svc.Partner(ctx, b.foreign, inf.ID)
		code(t, err, passerelle.ENOTFOUND)
	})
}

func TestLiveEvents(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		host := b.partner("Weibo Art", passerelle.PartnerAccount{Platform: passerelle.Weibo, Handle: "weiboart"})
		start := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
		e := &passerelle.LiveEvent{Platform: passerelle.Weibo, StartsAt: start, TitleZH: "小皇宫直播", PartnerID: &host.ID, Route: []string{"《睡莲》", "  ", "《舞者》"}, PostIDs: []int64{b.post.ID}}
		if err := b.svc.CreateLiveEvent(ctx, b.owner, b.inst, e); err != nil {
			t.Fatal(err)
		}
		if len(e.Route) != 2 || e.FiguresAt != nil {
			t.Fatalf("event %+v", e)
		}
		bj, pa := partners.Times(e.StartsAt)
		if bj.Hour() != 20 || pa.Hour() != 13 {
			t.Fatalf("Beijing %v, Paris %v", bj, pa)
		}
		got, err := b.svc.UpdateLiveEvent(ctx, b.owner, e.ID, func(e *passerelle.LiveEvent) error {
			e.PeakViewers, e.TotalViewers, e.NewFollowers = i64(12_000), i64(70_000), i64(1_500)
			return nil
		})
		if err != nil || *got.TotalViewers != 70_000 || got.FiguresAt == nil {
			t.Fatalf("figures %+v %v", got, err)
		}
		for name, fn := range map[string]func(*passerelle.LiveEvent){
			"negative":          func(e *passerelle.LiveEvent) { e.Likes = i64(-3) },
			"absurd":            func(e *passerelle.LiveEvent) { e.TotalViewers = i64(passerelle.MaxFigure * 2) },
			"peak over total":   func(e *passerelle.LiveEvent) { e.PeakViewers = i64(80_000) },
			"no platform":       func(e *passerelle.LiveEvent) { e.Platform = "tv" },
			"another's partner": func(e *passerelle.LiveEvent) { id := int64(1 << 40); e.PartnerID = &id },
		} {
			t.Run(name, func(t *testing.T) {
				_, err := b.svc.UpdateLiveEvent(ctx, b.owner, e.ID, func(e *passerelle.LiveEvent) error { fn(e); return nil })
				if err == nil {
					t.Fatal("accepted")
				}
				again, _ := b.svc.LiveEvent(ctx, b.owner, e.ID)
				if *again.TotalViewers != 70_000 || again.Likes != nil || *again.PeakViewers != 12_000 || again.Platform != passerelle.Weibo {
					t.Fatalf("a refused update changed the event: %+v", again)
				}
			})
		}
		list, err := b.svc.LiveEvents(ctx, b.owner, partners.LiveQuery{InstitutionID: b.inst})
		if err != nil || len(list) != 1 {
			t.Fatalf("list %v %v", list, err)
		}
		_, err = b.svc.LiveEvent(ctx, b.foreign, e.ID)
		code(t, err, passerelle.ENOTFOUND)
		code(t, b.svc.CreateLiveEvent(ctx, b.foreign, b.inst, &passerelle.LiveEvent{Platform: passerelle.Weibo, StartsAt: start, TitleZH: "x"}), passerelle.ENOTFOUND)
	})
}

// exec runs a statement written with ? placeholders on either engine (test data
// the services do not write directly: publication instants and states).
func exec(t *testing.T, db *store.DB, query string, args ...any) {
	t.Helper()
	if db.Dialect() == store.Postgres {
		n := 0
		var sb strings.Builder
		for _, c := range query {
			if c == '?' {
				n++
				fmt.Fprintf(&sb, "$%d", n)
				continue
			}
			sb.WriteRune(c)
		}
		query = sb.String()
	} else {
		for i, a := range args {
			if tm, ok := a.(time.Time); ok {
				args[i] = tm.UTC().Format("2006-01-02T15:04:05.000000Z")
			}
		}
	}
	if _, err := db.SQL().ExecContext(context.Background(), query, args...); err != nil {
		t.Fatal(err)
	}
}

// TestNetworkAnalytics: a network account for three member institutions, five posts
// on it, computed by hand.
func TestNetworkAnalytics(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		network := b.accountOn(b.inst, passerelle.Weibo)
		a, bb, c := b.institution(b.org, "Cognacq-Jay"), b.institution(b.org, "Maison de Victor Hugo"), b.institution(b.org, "Musée Zadkine")
		outsider := b.institution(b.org, "Hors réseau")
		theirs := b.institution(b.foreign.OrgID, "Ailleurs")
		if _, err := b.svc.SetMembers(ctx, b.owner, network, []int64{a, bb, theirs}); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Fatalf("another organization's member: %v", err)
		}
		if ids, _ := b.svc.Members(ctx, b.owner, network); len(ids) != 0 {
			t.Fatalf("a refused change left members %v", ids)
		}
		if ids, err := b.svc.SetMembers(ctx, b.owner, network, []int64{c, a, bb, a}); err != nil || fmt.Sprint(ids) != fmt.Sprint([]int64{a, bb, c}) {
			t.Fatalf("members %v %v", ids, err)
		}
		admin := b.user(b.org, false, passerelle.Membership{InstitutionID: b.inst, Role: passerelle.RoleEditor})
		if _, err := b.svc.SetMembers(ctx, admin, network, []int64{a}); passerelle.ErrorCode(err) != passerelle.EFORBIDDEN {
			t.Fatalf("an editor changed the members: %v", err)
		}
		// Featured institutions: members of a network account the post is on.
		code(t, b.svc.CheckFeatured(ctx, b.owner, []int64{network}, []int64{outsider}), passerelle.EINVALID)
		code(t, b.svc.CheckFeatured(ctx, b.owner, []int64{b.account}, []int64{a}), passerelle.EINVALID)
		code(t, b.svc.CheckFeatured(ctx, b.owner, []int64{network}, []int64{theirs}), passerelle.ENOTFOUND)

		q1 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))
		type post struct {
			at        time.Time
			published bool
			featured  []int64
			views     int64 // a partner's relay
			seen      int64 // the publication's own views, newest reading
		}
		posts := []post{
			{q1.AddDate(0, 0, 9), true, []int64{a, bb}, 5000, 300_000},
			{q1.AddDate(0, 1, 0), true, []int64{a}, 0, 110_000},
			{q1.AddDate(0, 2, 19), false, []int64{c}, 0, 0},
			{q1.AddDate(0, 0, -12), true, []int64{a}, 999, 777}, // last quarter
			{q1.AddDate(0, 1, 14), true, nil, 0, 50_000},
		}
		relayer := b.partner("Relais", passerelle.PartnerAccount{Platform: passerelle.Weibo, Handle: "relais"})
		for i, p := range posts {
			saved := b.newPost(b.inst, network)
			if err := b.svc.CheckFeatured(ctx, b.owner, []int64{network}, p.featured); err != nil {
				t.Fatal(err)
			}
			if err := b.svc.SetFeatured(ctx, b.owner, saved.ID, p.featured); err != nil {
				t.Fatal(err)
			}
			if p.published {
				exec(t, db, `UPDATE publications SET scheduled_at = ?, published_at = ?, state = 'published' WHERE post_id = ?`, p.at, p.at, saved.ID)
			} else {
				exec(t, db, `UPDATE publications SET scheduled_at = ?, state = 'scheduled' WHERE post_id = ?`, p.at, saved.ID)
			}
			if p.seen > 0 {
				// An older, smaller reading first: the newest figure counts.
				now := time.Now().UTC()
				older, newest := p.seen/3, p.seen
				if _, err := db.RecordPublicationSnapshots(ctx, b.org, []*store.PublicationSnapshot{
					{PublicationID: saved.Publications[0].ID, TakenAt: now.Add(-2 * time.Hour), Source: store.PubSourceManual, Views: &older},
					{PublicationID: saved.Publications[0].ID, TakenAt: now.Add(-time.Hour), Source: store.PubSourceManual, Views: &newest},
				}); err != nil {
					t.Fatal(err)
				}
			}
			if p.views > 0 {
				camp, err := b.svc.CreateCampaign(ctx, b.owner, partners.CampaignInput{PostID: saved.ID, PartnerIDs: []int64{relayer.ID}})
				if err != nil {
					t.Fatal(err)
				}
				if _, err := b.svc.UpdateRelay(ctx, b.owner, camp.ID, relayer.ID, partners.RelayInput{Status: status(passerelle.RelayRelayed),
					URL: str(fmt.Sprintf("https://weibo.com/1234567890/Post%05d", i)), Views: i64(p.views)}); err != nil {
					t.Fatal(err)
				}
			}
		}
		rep, err := b.svc.Network(ctx, b.owner, network, q1, q1.AddDate(0, 3, 0))
		if err != nil {
			t.Fatal(err)
		}
		want := []store.MemberShare{
			// Views: 300,000 + 110,000 (last quarter's 777 and the unfeatured post's 50,000 are not counted).
			{InstitutionID: a, Name: "Cognacq-Jay", Posts: 2, Published: 2, SharePercent: 50, PartnerViews: 5000, Views: 410_000},
			{InstitutionID: bb, Name: "Maison de Victor Hugo", Posts: 1, Published: 1, SharePercent: 25, PartnerViews: 5000, Views: 300_000},
			{InstitutionID: c, Name: "Musée Zadkine", Posts: 1, Published: 0, SharePercent: 25, PartnerViews: 0, Views: 0},
		}
		if rep.Posts != 4 || fmt.Sprint(rep.Members) != fmt.Sprint(want) {
			t.Fatalf("report: %d posts, %+v\nwant 4 posts, %+v", rep.Posts, rep.Members, want)
		}
		_, err = b.svc.Network(ctx, b.foreign, network, q1, q1.AddDate(0, 3, 0))
		code(t, err, passerelle.ENOTFOUND)
	})
}
