package web_test

import (
	"context"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// TestCampaignFiguresSources: the campaign page says where each relay's figures came
// from and when, in fr, en and zh-Hans: collected from Weibo hours ago (views typed),
// typed, a post Weibo did not return, a Weibo post not yet collected, and a WeChat
// article whose figures can only be typed or imported.
func TestCampaignFiguresSources(t *testing.T) {
	t.Parallel()
	a, ps := newPartnersApp(t)
	ctx := context.Background()
	owner := a.org("Agence", "owner@example.org", "correct-horse-battery")
	inst := a.institution(owner, "Petit Palais")
	acc := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Kind: passerelle.AccountManaged, Handle: "petitpalais"}
	if err := a.DB.CreateAccount(ctx, owner.OrgID, acc); err != nil {
		t.Fatal(err)
	}
	str := func(s string) *string { return &s }
	n := func(v int64) *int64 { return &v }
	s, err := a.Ed.CreatePost(ctx, owner, &editorial.PostInput{InstitutionID: &inst.ID, Title: str("Les Nabis"), Theme: str("collection"), SourceLang: str("fr"),
		TextZH: str("纳比派。"), Publications: &[]editorial.PublicationInput{{AccountID: acc.ID, Mode: passerelle.ModeAssisted}}})
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range []*passerelle.Partner{
		{Name: "Collected", Kind: passerelle.PartnerMuseum, Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Weibo, Handle: "a"}}},
		{Name: "Typed", Kind: passerelle.PartnerMuseum, Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Weibo, Handle: "b"}}},
		{Name: "Gone", Kind: passerelle.PartnerMuseum, Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Weibo, Handle: "c"}}},
		{Name: "Waiting", Kind: passerelle.PartnerMuseum, Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Weibo, Handle: "d"}}},
		{Name: "Magazine", Kind: passerelle.PartnerMedia, Accounts: []passerelle.PartnerAccount{{Platform: passerelle.WeChat, Handle: "e"}}},
	} {
		if err := ps.CreatePartner(ctx, owner, p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	camp, err := ps.CreateCampaign(ctx, owner, partners.CampaignInput{PostID: s.Post.ID, PartnerIDs: ids})
	if err != nil {
		t.Fatal(err)
	}
	relayed := passerelle.RelayRelayed
	for i, u := range []string{"https://weibo.com/1642088277/z0JH2lOMb", "https://m.weibo.cn/status/4885639100630954", "https://m.weibo.cn/detail/3491273850170657",
		"https://weibo.com/detail/3501756485200074", "https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOp"} {
		in := partners.RelayInput{Status: &relayed, URL: str(u)}
		if i == 0 || i == 1 || i == 4 {
			in.Views = n(1000)
		}
		if _, err := ps.UpdateRelay(ctx, owner, camp.ID, ids[i], in); err != nil {
			t.Fatal(err)
		}
	}
	c, _ := ps.Campaign(ctx, owner, camp.ID)
	// The first relay's views were typed four hours ago, before the collection.
	if _, err := a.DB.SQL().ExecContext(ctx, `UPDATE campaign_relays SET figures_at = ? WHERE id = ?`, time.Now().UTC().Add(-4*time.Hour).Format("2006-01-02T15:04:05.000000Z"), c.Relays[0].ID); err != nil {
		t.Fatal(err)
	}
	at := time.Now().Add(-3*time.Hour - 5*time.Minute)
	if _, err := a.DB.RecordRelayReadings(ctx, []store.CollectedRelayReading{
		{RelayID: c.Relays[0].ID, StatusID: "3501756485200075", Slots: []int{60}, At: at, Counts: &passerelle.RelayFigures{Reposts: n(12), Likes: n(40), Comments: n(3)}},
		{RelayID: c.Relays[2].ID, StatusID: "3491273850170657", Slots: []int{60}, At: at},
	}); err != nil {
		t.Fatal(err)
	}
	cl := a.client()
	cl.login("owner@example.org", "correct-horse-battery")
	for lang, want := range map[string][]string{
		"en":      {"Collected 3 h ago", "views typed (Weibo&#39;s API gives none)", `data-source="manual">Typed</span>`, "Weibo did not return this post 3 h ago", "collected from Weibo from 1 h after", "WeChat gives no figures of other accounts&#39; articles"},
		"fr":      {"Relevés il y a 3 h", `data-source="manual">Saisis</span>`, "Weibo n&#39;a pas renvoyé cette publication il y a 3 h", "WeChat ne donne pas les chiffres"},
		"zh-Hans": {"3 小时前采集", `data-source="manual">手动录入</span>`, "3 小时前微博未返回该帖子", "微信不提供其他账号文章的数据"},
	} {
		cl.header.Set("Accept-Language", lang)
		page := cl.get("/campaigns/" + itoa(camp.ID))
		wantContains(t, page.Body, want...)
	}
	// The totals: typed views of every relay, the collected reposts once.
	got, _ := ps.Campaign(ctx, owner, camp.ID)
	if got.Totals.PartnerViews != 3000 || got.Totals.PartnerReposts != 12 || got.Totals.PartnerLikes != 40 {
		t.Fatalf("totals %+v", got.Totals)
	}
}
