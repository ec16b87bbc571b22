package analytics_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/platform/weibo"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

// relayEnv is a campaign on the collect environment's institution whose partners
// relayed the post on Weibo (statuses of their own simulated accounts) or WeChat.
type relayEnv struct {
	*collectEnv
	svc      *partners.Service
	owner    *passerelle.User
	campaign int64
	// partners by role; statuses are the simulator's ids of the Weibo relays.
	weiboPartners []int64
	statuses      []string
	wechatPartner int64
}

func newRelayEnv(t *testing.T, db *store.DB, seed int64, relays int) *relayEnv {
	t.Helper()
	ctx := context.Background()
	e := &relayEnv{collectEnv: newCollectEnv(t, db, sim.Config{Seed: seed})}
	// An app whose level lets statuses/count read other accounts' public posts.
	if err := e.sim.AddWeiboApp(sim.WeiboApp{ClientID: "3000001", ClientSecret: "wbsecret", SafeDomain: "museum.example", ReadsPerHour: 1000, TokenLifetimeSeconds: 30 * 86400, CountsAnyAccount: true}); err != nil {
		t.Fatal(err)
	}
	e.svc = partners.New(partners.Options{DB: db, Now: e.clk.Now})
	e.owner = &passerelle.User{OrgID: e.orgID, Email: "owner@example.org", Owner: true}
	if err := db.CreateUser(ctx, e.owner, "unused"); err != nil {
		t.Fatal(err)
	}
	pub := e.publishWeibo(t, 1)[0]
	var post int64
	if err := db.SQL().QueryRowContext(ctx, `SELECT post_id FROM publications WHERE id = `+strconv.FormatInt(pub, 10)).Scan(&post); err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for i := range relays {
		name := "partner" + strconv.Itoa(i)
		p := &passerelle.Partner{Name: name, Kind: passerelle.PartnerMuseum, Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Weibo, Handle: name}}}
		if err := e.svc.CreatePartner(ctx, e.owner, p); err != nil {
			t.Fatal(err)
		}
		e.weiboPartners = append(e.weiboPartners, p.ID)
		ids = append(ids, p.ID)
	}
	wx := &passerelle.Partner{Name: "wx", Kind: passerelle.PartnerMedia, Accounts: []passerelle.PartnerAccount{{Platform: passerelle.WeChat, Handle: "wx"}}}
	if err := e.svc.CreatePartner(ctx, e.owner, wx); err != nil {
		t.Fatal(err)
	}
	e.wechatPartner = wx.ID
	c, err := e.svc.CreateCampaign(ctx, e.owner, partners.CampaignInput{PostID: post, PartnerIDs: append(ids, wx.ID)})
	if err != nil {
		t.Fatal(err)
	}
	e.campaign = c.ID
	relayed := partners.RelayInput{Status: ptrTo(passerelle.RelayRelayed)}
	for i, p := range e.weiboPartners {
		uid, err := e.sim.AddWeiboAccount("partner" + strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		id, err := e.sim.AddWeiboStatus(uid, "转发 "+strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		e.statuses = append(e.statuses, id)
		// Half the addresses carry the base62 mid, as copied from weibo.com.
		u := "https://m.weibo.cn/status/" + id + "?from=share#comments"
		if i%2 == 0 {
			u = "https://weibo.com/" + uid + "/" + weibo.Mid(id) + "?pagetype=profilefeed"
		}
		in := relayed
		in.URL = &u
		if _, err := e.svc.UpdateRelay(ctx, e.owner, c.ID, p, in); err != nil {
			t.Fatal(err)
		}
	}
	u := "https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOp"
	in := relayed
	in.URL = &u
	in.Views = ptrTo(int64(900))
	if _, err := e.svc.UpdateRelay(ctx, e.owner, c.ID, wx.ID, in); err != nil {
		t.Fatal(err)
	}
	return e
}

func ptrTo[T any](v T) *T { return &v }

func (e *relayEnv) campaignNow(t *testing.T) *passerelle.Campaign {
	t.Helper()
	c, err := e.svc.Campaign(context.Background(), e.owner, e.campaign)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func (e *relayEnv) relay(t *testing.T, c *passerelle.Campaign, partner int64) passerelle.Relay {
	t.Helper()
	for _, r := range c.Relays {
		if r.PartnerID == partner {
			return r
		}
	}
	t.Fatalf("no relay of partner %d", partner)
	return passerelle.Relay{}
}

// TestCollectRelays: partners' relayed Weibo posts are read with the institution's
// publications, through its account and in the same calls, at the posts' slots; each
// reading is a snapshot with source api next to the typed ones; typed views stay; the
// campaign's totals count each relay's newest figures once.
func TestCollectRelays(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newRelayEnv(t, db, 31, 150)
		// Views typed for the first relay before any collection.
		if _, err := e.svc.UpdateRelay(ctx, e.owner, e.campaign, e.weiboPartners[0], partners.RelayInput{Views: ptrTo(int64(5000)), Reposts: ptrTo(int64(1))}); err != nil {
			t.Fatal(err)
		}
		e.clk.Set(e.t0.Add(59 * time.Minute))
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil || res.Calls != 0 {
			t.Fatalf("nothing due: %+v %v", res, err)
		}
		e.clk.Set(e.t0.Add(time.Hour))
		if _, err := e.col.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		if k := e.jobs.kinds(); k["collect.weibo_counts"] != 1 {
			t.Fatalf("plan queued %v", k)
		}
		// 1 publication + 150 relays: two calls of at most 100 ids.
		res, err := e.col.CollectWeiboCounts(ctx, e.weibo)
		if err != nil || res.Calls != 2 || res.Readings != 1 || res.RelayReadings != 150 {
			t.Fatalf("+1 h: %+v %v", res, err)
		}
		for _, n := range e.calls.ids {
			if n > 100 {
				t.Fatalf("a counts call carried %d ids", n)
			}
		}
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil || res.Calls != 0 || res.RelayReadings != 0 {
			t.Fatalf("run twice: %+v %v", res, err)
		}
		c := e.campaignNow(t)
		r0 := e.relay(t, c, e.weiboPartners[0])
		if r0.FiguresSource != passerelle.FiguresAPI || r0.CollectedAt == nil || !r0.CollectedAt.Equal(e.t0.Add(time.Hour)) || r0.Likes == nil || r0.Reposts == nil {
			t.Fatalf("relay after collection %+v", r0)
		}
		if r0.Views == nil || *r0.Views != 5000 {
			t.Fatalf("typed views lost: %v", r0.Views)
		}
		snaps, err := db.RelaySnapshots(ctx, e.orgID, r0.ID)
		if err != nil || len(snaps) != 2 || snaps[0].Source != passerelle.FiguresManual || snaps[1].Source != passerelle.FiguresAPI || snaps[1].StatusID != e.statuses[0] {
			t.Fatalf("snapshots %+v %v", snaps, err)
		}
		// The totals sum each relay's newest figures once, the WeChat relay's typed views included.
		var reposts, views int64
		for _, r := range c.Relays {
			if r.Reposts != nil {
				reposts += *r.Reposts
			}
			if r.Views != nil {
				views += *r.Views
			}
		}
		if c.Totals.PartnerReposts != reposts || c.Totals.PartnerViews != 5900 || views != 5900 || c.Totals.Relayed != 151 {
			t.Fatalf("totals %+v (reposts %d)", c.Totals, reposts)
		}
		wx := e.relay(t, c, e.wechatPartner)
		if wx.FiguresSource != passerelle.FiguresManual || wx.CollectedAt != nil {
			t.Fatalf("WeChat relay %+v", wx)
		}
		// Later slots: +3 h, then nothing until +6 h; the figures grow.
		e.clk.Set(e.t0.Add(3 * time.Hour))
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil || res.RelayReadings != 150 {
			t.Fatalf("+3 h: %+v %v", res, err)
		}
		e.clk.Set(e.t0.Add(5 * time.Hour))
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil || res.Calls != 0 {
			t.Fatalf("+5 h: %+v %v", res, err)
		}
		r0b := e.relay(t, e.campaignNow(t), e.weiboPartners[0])
		if *r0b.Likes < *r0.Likes || !r0b.CollectedAt.Equal(e.t0.Add(3*time.Hour)) {
			t.Fatalf("+3 h figures %+v after %+v", r0b, r0)
		}
		// Typed after the collection: the typed figure is the newest and wins; the next
		// reading wins again over reposts but leaves the typed views.
		if _, err := e.svc.UpdateRelay(ctx, e.owner, e.campaign, e.weiboPartners[0], partners.RelayInput{Reposts: ptrTo(int64(7)), Views: ptrTo(int64(6000))}); err != nil {
			t.Fatal(err)
		}
		if r := e.relay(t, e.campaignNow(t), e.weiboPartners[0]); *r.Reposts != 7 || r.FiguresSource != passerelle.FiguresManual {
			t.Fatalf("typed after collection %+v", r)
		}
		e.clk.Set(e.t0.Add(6 * time.Hour))
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil || res.RelayReadings != 150 {
			t.Fatalf("+6 h: %+v %v", res, err)
		}
		r := e.relay(t, e.campaignNow(t), e.weiboPartners[0])
		snaps, _ = db.RelaySnapshots(ctx, e.orgID, r.ID)
		last := snaps[len(snaps)-1]
		if *r.Views != 6000 || r.FiguresSource != passerelle.FiguresAPI || last.Source != passerelle.FiguresAPI || *r.Reposts != *last.Reposts || *r.Likes != *last.Likes || len(snaps) != 5 {
			t.Fatalf("+6 h %+v, newest reading %+v of %d", r, last, len(snaps))
		}
	})
}

// TestCollectRelayFaults: a rate limit snoozes and writes nothing, an expired token
// stops the account's collection (relays' figures kept), a deleted status keeps its
// earlier figures and says it was missed; nothing is lost, nothing counted twice.
func TestCollectRelayFaults(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newRelayEnv(t, db, 32, 3)
		e.clk.Set(e.t0.Add(time.Hour))
		if _, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil {
			t.Fatal(err)
		}
		before := e.campaignNow(t)

		// Rate limited: snoozed to the next hour, nothing written, nothing called while blocked.
		e.clk.Set(e.t0.Add(3*time.Hour + 10*time.Minute))
		if err := e.sim.AddFault(sim.Fault{Path: "/2/statuses/count.json", RateLimitBurst: 1, Count: 1}); err != nil {
			t.Fatal(err)
		}
		_, err := e.col.CollectWeiboCounts(ctx, e.weibo)
		if d, ok := snoozed(err); !ok || d != 50*time.Minute {
			t.Fatalf("rate limited: %v (%v)", err, d)
		}
		if res, _ := e.col.CollectWeiboCounts(ctx, e.weibo); res.Calls != 0 {
			t.Fatalf("called while blocked: %+v", res)
		}
		mid := e.campaignNow(t)
		for i := range before.Relays {
			a, b := before.Relays[i], mid.Relays[i]
			if a.CollectedAt != nil && (!b.CollectedAt.Equal(*a.CollectedAt) || *a.Likes != *b.Likes) {
				t.Fatalf("a refused call changed %+v into %+v", a, b)
			}
		}

		// The next hour: the partner deleted relay 1; the others are read.
		if err := e.sim.DeleteWeiboStatus(e.statuses[1]); err != nil {
			t.Fatal(err)
		}
		e.clk.Set(e.t0.Add(4 * time.Hour))
		res, err := e.col.CollectWeiboCounts(ctx, e.weibo)
		if err != nil || res.RelayReadings != 2 {
			t.Fatalf("+4 h: %+v %v", res, err)
		}
		c := e.campaignNow(t)
		gone, prev := e.relay(t, c, e.weiboPartners[1]), e.relay(t, before, e.weiboPartners[1])
		if gone.MissedAt == nil || !gone.CollectedAt.Equal(*prev.CollectedAt) || *gone.Likes != *prev.Likes || *gone.Reposts != *prev.Reposts {
			t.Fatalf("deleted status: %+v, was %+v", gone, prev)
		}
		snaps, _ := db.RelaySnapshots(ctx, e.orgID, gone.ID)
		if len(snaps) != 1 {
			t.Fatalf("deleted status has %d readings", len(snaps))
		}
		if c.Totals.PartnerReposts < before.Totals.PartnerReposts {
			t.Fatalf("totals went down: %+v then %+v", before.Totals, c.Totals)
		}
		for _, r := range c.Relays {
			if r.Status != passerelle.RelayRelayed || r.StatusID == "" {
				continue
			}
			snaps, _ := db.RelaySnapshots(ctx, e.orgID, r.ID)
			want := 2
			if r.PartnerID == e.weiboPartners[1] {
				want = 1
			}
			if len(snaps) != want {
				t.Fatalf("relay %d: %d readings, want %d", r.PartnerID, len(snaps), want)
			}
		}

		// The token expires: collection stops and says so, figures kept, nothing planned.
		if _, err := e.sim.ExpireWeiboTokens(e.token, ""); err != nil {
			t.Fatal(err)
		}
		e.clk.Set(e.t0.Add(6 * time.Hour))
		if _, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil {
			t.Fatalf("expired token: %v", err)
		}
		if st, _ := db.CollectionStateOf(ctx, e.weibo); !st.NeedsReauth {
			t.Fatalf("state %+v", st)
		}
		e.jobs.kinds()
		if _, err := e.col.Plan(ctx); err != nil {
			t.Fatal(err)
		}
		if k := e.jobs.kinds(); k["collect.weibo_counts"] != 0 {
			t.Fatalf("planned for an expired account: %v", k)
		}
		after := e.campaignNow(t)
		if after.Totals != c.Totals {
			t.Fatalf("totals changed by a failed collection: %+v then %+v", c.Totals, after.Totals)
		}
		// Reconnected: the missed slot is read once.
		tok, err := e.sim.IssueWeiboToken("3000001", e.uid)
		if err != nil {
			t.Fatal(err)
		}
		if err := db.SetCredentials(ctx, e.orgID, e.weibo, map[string]string{"access_token": tok.AccessToken}); err != nil {
			t.Fatal(err)
		}
		if err := e.col.Resume(ctx, e.weibo); err != nil {
			t.Fatal(err)
		}
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil || res.RelayReadings != 2 {
			t.Fatalf("after reconnection: %+v %v", res, err)
		}
		if res, err := e.col.CollectWeiboCounts(ctx, e.weibo); err != nil || res.Calls != 0 {
			t.Fatalf("after reconnection, twice: %+v %v", res, err)
		}
	})
}

// TestRelayCountsOwnAccountOnly: with an app that may read only its own account's
// posts (the open API's documented rule), partners' posts are not returned: nothing
// is invented, the relays say they were missed, typed figures stay.
func TestRelayCountsOwnAccountOnly(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		e := newRelayEnv(t, db, 33, 2)
		if err := e.sim.AddWeiboApp(sim.WeiboApp{ClientID: "3000001", ClientSecret: "wbsecret", SafeDomain: "museum.example", ReadsPerHour: 1000, TokenLifetimeSeconds: 30 * 86400}); err != nil {
			t.Fatal(err)
		}
		if _, err := e.svc.UpdateRelay(ctx, e.owner, e.campaign, e.weiboPartners[0], partners.RelayInput{Reposts: ptrTo(int64(12))}); err != nil {
			t.Fatal(err)
		}
		e.clk.Set(e.t0.Add(time.Hour))
		res, err := e.col.CollectWeiboCounts(ctx, e.weibo)
		if err != nil || res.Readings != 1 || res.RelayReadings != 0 {
			t.Fatalf("%+v %v", res, err)
		}
		c := e.campaignNow(t)
		r := e.relay(t, c, e.weiboPartners[0])
		if r.MissedAt == nil || r.CollectedAt != nil || *r.Reposts != 12 || r.FiguresSource != passerelle.FiguresManual || c.Totals.PartnerReposts != 12 {
			t.Fatalf("relay %+v totals %+v", r, c.Totals)
		}
	})
}
