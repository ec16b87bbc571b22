package web_test

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// publishingDemo fills the publishing pages of the demo organization seeded by
// seedMuseums, with the longest texts they must hold: a Xiaohongshu kit that is due, a
// Weibo publication going out now (a job in the queue), one whose outcome is unknown
// and one that failed with a long platform error — each with its notification. It
// returns the kit's publication id.
func publishingDemo(t *testing.T, a *app, instID int64) int64 {
	t.Helper()
	ctx := context.Background()
	owner, _, err := a.DB.UserByEmail(ctx, "demo@passerelle.example")
	if err != nil {
		t.Fatal(err)
	}
	xhs := &passerelle.Account{InstitutionID: instID, Platform: passerelle.Xiaohongshu, Kind: passerelle.AccountManaged, Handle: "louvre_museum_officiel_xiaohongshu", DisplayName: "卢浮宫博物馆官方小红书账号"}
	if err := a.Ten.CreateAccount(ctx, owner, xhs); err != nil {
		t.Fatal(err)
	}
	accounts, err := a.DB.Accounts(ctx, store.AccountFilter{OrgID: owner.OrgID, InstitutionID: instID})
	if err != nil {
		t.Fatal(err)
	}
	byPlatform := map[passerelle.Platform]int64{}
	for _, acc := range accounts {
		if acc.Kind == passerelle.AccountManaged {
			byPlatform[acc.Platform] = acc.ID
		}
	}
	m, _, err := a.Ed.Upload(ctx, owner, instID, "nympheas.png", bytes.NewReader(pngFile(t, 900, 600)))
	if err != nil {
		t.Fatal(err)
	}
	post := func(title string, in editorial.PublicationInput) *passerelle.Publication {
		t.Helper()
		text := "1914年起，莫奈在吉维尼的花园里画下了巨幅《睡莲》。橘园美术馆的椭圆形展厅让观众置身于水与光之中。"
		saved, err := a.Ed.CreatePost(ctx, owner, &editorial.PostInput{InstitutionID: &instID, Title: &title, Theme: ptr("exhibition"), SourceLang: ptr("fr"),
			TextZH: &text, MediaIDs: &[]int64{m.ID}, Publications: &[]editorial.PublicationInput{in}})
		if err != nil {
			t.Fatal(err)
		}
		for _, to := range []passerelle.Status{passerelle.StatusReview, passerelle.StatusApproved} {
			if _, err := a.Ed.Transition(ctx, owner, saved.Post.ID, to, ""); err != nil {
				t.Fatal(err)
			}
		}
		b := saved.Post.Publications[0]
		at := time.Now().Add(3 * time.Hour)
		if _, err := a.Ed.Schedule(ctx, owner, b.ID, &at); err != nil {
			t.Fatal(err)
		}
		return b
	}
	long := "Les Nymphéas de Monet : le cycle complet présenté à l'Orangerie pour le centenaire de la donation"
	kit := post(long, editorial.PublicationInput{AccountID: xhs.ID, Format: passerelle.FormatPhotoText, Topics: []string{"印象派", "莫奈", "橘园美术馆"}})
	move := func(b *passerelle.Publication, to passerelle.DeliveryState, reason, kind string) {
		t.Helper()
		if ok, err := a.DB.MoveDelivery(ctx, b.ID, []passerelle.DeliveryState{passerelle.DeliveryPending}, to, reason, kind); err != nil || !ok {
			t.Fatalf("move %d to %s: %v %v", b.ID, to, ok, err)
		}
	}
	move(kit, passerelle.DeliveryAwaitingManual, "", store.KindKitDue)

	now := post("Weibo : "+long, editorial.PublicationInput{AccountID: byPlatform[passerelle.Weibo], Format: passerelle.FormatPhotoText})
	if _, err := a.Publish.PublishNow(ctx, owner, now.ID); err != nil {
		t.Fatal(err)
	}
	check := post("WeChat : "+long, editorial.PublicationInput{AccountID: byPlatform[passerelle.Weibo], Format: passerelle.FormatText})
	move(check, passerelle.DeliveryNeedsCheck, "The platform's answer was lost (timeout after 10 s): Passerelle looks for the post before publishing again.", store.KindNeedsCheck)
	failed := post("Échec : "+long, editorial.PublicationInput{AccountID: byPlatform[passerelle.Weibo], Format: passerelle.FormatText})
	move(failed, passerelle.DeliveryFailed, "weibo 20016: "+strings.Repeat("update_weibo_too_fast_", 6)+"https://api.weibo.com/2/statuses/share.json?access_token=…", store.KindFailed)
	return kit.ID
}
