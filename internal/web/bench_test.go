package web

import (
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// BenchmarkRenderHome measures one dashboard render: cloning the parsed view, binding
// the localizer and executing it with three institutions and six accounts.
func BenchmarkRenderHome(b *testing.B) {
	a, err := loadAssets()
	if err != nil {
		b.Fatal(err)
	}
	v, err := parseViews(a)
	if err != nil {
		b.Fatal(err)
	}
	c, err := loadCatalogs()
	if err != nil {
		b.Fatal(err)
	}
	l := c.localizer("zh-Hans")
	now := time.Now()
	n := int64(123456)
	var cards []*instCard
	for i := range 3 {
		inst := &passerelle.Institution{ID: int64(i + 1), Name: "Musée", NameZH: "博物馆", City: "Paris", Country: "FR", TimeZone: "Europe/Paris", Kind: "museum"}
		card := &instCard{Institution: inst, Display: inst.NameZH, CanManage: true}
		for _, p := range []passerelle.Platform{passerelle.Weibo, passerelle.WeChat} {
			card.Accounts = append(card.Accounts, &passerelle.Account{InstitutionID: inst.ID, Platform: p, Kind: "managed", Handle: "h", DisplayName: "显示名", Followers: &n, FollowersAt: &now})
			card.Followers += n
		}
		cards = append(cards, card)
	}
	p := &page{Lang: l.Lang, User: &passerelle.User{ID: 1, Name: "Claire", Email: "c@example.org", Owner: true}, Title: "home.title", Nav: "home", Path: "/",
		Data: &homePage{Cards: cards, Institutions: 3, Accounts: 6, Managed: 6, Followers: 6 * n}}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := v.render("home", l, p); err != nil {
			b.Fatal(err)
		}
	}
}
