package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Partners gives the demo agency two partners (a Chinese museum and Weibo's art
// channel), a relay campaign on its first post with one relay recorded, and a live
// visit with its figures. Call it after Posts.
func Partners(ctx context.Context, db *store.DB, svc *partners.Service, orgID int64, now time.Time) error {
	owner, _, err := db.UserByEmail(ctx, OwnerEmail)
	if err != nil {
		return err
	}
	posts, err := db.Posts(ctx, store.PostFilter{OrgID: orgID, Limit: 1})
	if err != nil {
		return err
	}
	if len(posts) == 0 {
		return fmt.Errorf("demo partners: no post to relay")
	}
	n := func(v int64) *int64 { return &v }
	museum := &passerelle.Partner{Name: "Shanghai Museum", NameZH: "上海博物馆", Kind: passerelle.PartnerMuseum, Consent: passerelle.ConsentGranted,
		Topics: []string{"bronzes", "céramique"}, Contacts: "Service de la communication", Accounts: []passerelle.PartnerAccount{
			{Platform: passerelle.Weibo, Handle: "上海博物馆", ProfileURL: "https://weibo.com/shanghaimuseum", Followers: n(2_460_000)}}}
	channel := &passerelle.Partner{Name: "Weibo Art", NameZH: "微博艺术", Kind: passerelle.PartnerChannel, Consent: passerelle.ConsentGranted,
		Topics: []string{"arts"}, Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Weibo, Handle: "微博艺术", Followers: n(5_100_000)}}}
	for _, p := range []*passerelle.Partner{museum, channel} {
		if err := svc.CreatePartner(ctx, owner, p); err != nil {
			return fmt.Errorf("demo partner: %w", err)
		}
	}
	post := posts[0]
	tpl := &passerelle.CampaignTemplate{Name: "Musées partenaires", MessageZH: "{partner}您好！我们刚刚发布了《{title}》，期待您的转发与分享。素材与原帖链接：{link}"}
	if err := svc.SaveTemplate(ctx, owner, tpl); err != nil {
		return fmt.Errorf("demo campaign template: %w", err)
	}
	c, err := svc.CreateCampaign(ctx, owner, partners.CampaignInput{PostID: post.ID, PartnerIDs: []int64{museum.ID, channel.ID}, TemplateID: tpl.ID})
	if err != nil {
		return fmt.Errorf("demo campaign: %w", err)
	}
	relayed := passerelle.RelayRelayed
	if _, err := svc.UpdateRelay(ctx, owner, c.ID, channel.ID, partners.RelayInput{Status: &relayed, URL: ptr("https://weibo.com/5100000001/DemoRelay1"),
		Views: n(184_000), Reposts: n(1_240), Likes: n(6_300)}); err != nil {
		return fmt.Errorf("demo relay: %w", err)
	}
	if _, err := svc.SetOwnFigures(ctx, owner, c.ID, n(96_000), n(410)); err != nil {
		return err
	}
	live := &passerelle.LiveEvent{Platform: passerelle.Weibo, StartsAt: now.AddDate(0, 0, -10).Truncate(time.Hour), Title: "Visite en direct",
		TitleZH: "博物馆直播参观", Host: "Claire", PartnerID: &channel.ID, Route: []string{"入口", "《睡莲》", "雕塑长廊"}, PostIDs: []int64{post.ID},
		ScriptZH:    "大家好！欢迎来到我们的直播参观。我们先从入口出发，然后去看莫奈的《睡莲》。",
		ScriptFR:    "Bonjour à tous ! Bienvenue dans notre visite en direct. Nous partons de l'entrée, puis nous allons voir les Nymphéas de Monet.",
		PeakViewers: n(40_000), TotalViewers: n(70_000), Likes: n(21_000), Comments: n(3_400), NewFollowers: n(5_200)}
	if err := svc.CreateLiveEvent(ctx, owner, post.InstitutionID, live); err != nil {
		return fmt.Errorf("demo live visit: %w", err)
	}
	return coAuthored(ctx, db, svc, owner, orgID, now)
}

// coAuthored makes the demo's latest published post a co-created one (an artist's
// favourites): the artist co-authored and approved it, and published it on their
// own Weibo account, with its figures.
func coAuthored(ctx context.Context, db *store.DB, svc *partners.Service, owner *passerelle.User, orgID int64, now time.Time) error {
	published, err := db.Posts(ctx, store.PostFilter{OrgID: orgID, Statuses: []passerelle.Status{passerelle.StatusPublished}, Limit: 1})
	if err != nil || len(published) == 0 {
		return err
	}
	post := published[0]
	n := func(v int64) *int64 { return &v }
	artist := &passerelle.Partner{Name: "Xu Bing", NameZH: "徐冰", Kind: passerelle.PartnerArtist, Consent: passerelle.ConsentGranted,
		Topics: []string{"art contemporain", "calligraphie"}, Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Weibo, Handle: "徐冰", Followers: n(880_000)}}}
	if err := svc.CreatePartner(ctx, owner, artist); err != nil {
		return fmt.Errorf("demo artist: %w", err)
	}
	// Seeded as it would stand after the fact: the post is already out.
	if err := db.SetPostCoAuthors(ctx, orgID, post.ID, []int64{artist.ID}); err != nil {
		return fmt.Errorf("demo co-author: %w", err)
	}
	decided := now.Add(-72 * time.Hour).UTC()
	recorded := now.Add(-24 * time.Hour).UTC()
	if _, err := db.UpdatePostCoAuthor(ctx, orgID, post.ID, artist.ID, func(c *passerelle.CoAuthor) error {
		c.Decision, c.DecidedVersion, c.DecidedBy, c.DecidedAt = passerelle.CoAuthorApproved, post.Version, "徐冰 (guest link)", &decided
		c.URL, c.Platform, c.RecordedAt, c.FiguresAt = "https://weibo.com/8800000001/DemoXuBing", passerelle.Weibo, &recorded, &recorded
		c.Views, c.Reposts, c.Likes, c.Comments = n(240_000), n(1_860), n(9_400), n(610)
		return nil
	}); err != nil {
		return fmt.Errorf("demo co-author's publication: %w", err)
	}
	return nil
}
