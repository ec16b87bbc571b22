package demo

import (
	"bytes"
	"context"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Posts writes the demo's editorial week through the editorial service, so every rule
// applies as for a person: a Weibo post of Musée d'Orsay waiting for review, a WeChat
// article of the Louvre scheduled in two days, and a Versailles draft whose Chinese
// text lacks the glossary's name for the château (a finding the editor shows).
func Posts(ctx context.Context, db *store.DB, svc *editorial.Service, orgID int64, now time.Time) error {
	owner, _, err := db.UserByEmail(ctx, OwnerEmail)
	if err != nil {
		return err
	}
	accounts, err := db.Accounts(ctx, store.AccountFilter{OrgID: orgID})
	if err != nil {
		return err
	}
	byHandle := map[string]*passerelle.Account{}
	for _, a := range accounts {
		byHandle[a.Handle] = a
	}
	need := func(h string) (*passerelle.Account, error) {
		if a := byHandle[h]; a != nil {
			return a, nil
		}
		return nil, fmt.Errorf("demo: no account %q", h)
	}
	orsay, err := need("museedorsay")
	if err != nil {
		return err
	}
	louvre, err := need("gh_louvre")
	if err != nil {
		return err
	}
	versailles, err := need("chateauversailles")
	if err != nil {
		return err
	}

	// Musée d'Orsay, Weibo, in review.
	p1, err := create(ctx, svc, owner, &editorial.PostInput{
		InstitutionID: &orsay.InstitutionID,
		Title:         ptr("Les Nymphéas de Monet"),
		Theme:         ptr("collection"),
		SourceLang:    ptr("fr"),
		SourceText:    ptr("Au musée d'Orsay, Claude Monet peint la lumière sur l'eau : Les Nymphéas, reflets d'un jardin à Giverny."),
		TextZH:        ptr("在奥赛博物馆，莫奈描绘水面上的光影：《睡莲》，映照着吉维尼的花园。"),
		Publications:  &[]editorial.PublicationInput{{AccountID: orsay.ID, Format: "photo_text", Topics: []string{"奥赛博物馆", "莫奈"}}},
	})
	if err != nil {
		return err
	}
	for _, to := range []passerelle.Status{passerelle.StatusTranslation, passerelle.StatusReview} {
		if _, err := svc.Transition(ctx, owner, p1.ID, to, ""); err != nil {
			return fmt.Errorf("demo: post 1 to %s: %w", to, err)
		}
	}

	// The Louvre, WeChat article with a cover, approved and scheduled.
	cover, _, err := svc.Upload(ctx, owner, louvre.InstitutionID, "joconde-cover.png", bytes.NewReader(coverPNG()))
	if err != nil {
		return fmt.Errorf("demo: cover: %w", err)
	}
	p2, err := create(ctx, svc, owner, &editorial.PostInput{
		InstitutionID: &louvre.InstitutionID,
		Title:         ptr("La Joconde, un sourire de cinq siècles"),
		Theme:         ptr("collection"),
		SourceLang:    ptr("fr"),
		SourceText:    ptr("Au musée du Louvre, La Joconde de Léonard de Vinci attire chaque jour des milliers de visiteurs."),
		TextZH:        ptr("在卢浮宫，达·芬奇的《蒙娜丽莎》每天吸引成千上万的观众。"),
		Publications: &[]editorial.PublicationInput{{AccountID: louvre.ID, Format: "article", WeChat: &editorial.ArticleInput{
			Title:        "蒙娜丽莎：五个世纪的微笑",
			Author:       "卢浮宫",
			Digest:       "走近达·芬奇的名作。",
			BodyHTML:     "<p>在卢浮宫，达·芬奇的《蒙娜丽莎》每天吸引成千上万的观众。</p><p>这幅画为何如此迷人？</p>",
			CoverMediaID: cover.ID,
		}}},
	})
	if err != nil {
		return err
	}
	for _, to := range []passerelle.Status{passerelle.StatusReview, passerelle.StatusApproved} {
		if _, err := svc.Transition(ctx, owner, p2.ID, to, ""); err != nil {
			return fmt.Errorf("demo: post 2 to %s: %w", to, err)
		}
	}
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return err
	}
	d := now.In(paris).AddDate(0, 0, 2)
	at := time.Date(d.Year(), d.Month(), d.Day(), 12, 0, 0, 0, paris)
	if _, err := svc.Schedule(ctx, owner, p2.Publications[0].ID, &at); err != nil {
		return fmt.Errorf("demo: schedule: %w", err)
	}
	if _, err := svc.Transition(ctx, owner, p2.ID, passerelle.StatusScheduled, ""); err != nil {
		return fmt.Errorf("demo: post 2 scheduled: %w", err)
	}

	// Versailles, a draft missing 凡尔赛宫.
	_, err = create(ctx, svc, owner, &editorial.PostInput{
		InstitutionID: &versailles.InstitutionID,
		Title:         ptr("La galerie des Glaces"),
		Theme:         ptr("history"),
		SourceLang:    ptr("fr"),
		SourceText:    ptr("Au château de Versailles, la galerie des Glaces reflète la lumière de 357 miroirs."),
		TextZH:        ptr("镜厅的357面镜子映照着阳光。"),
		Publications:  &[]editorial.PublicationInput{{AccountID: versailles.ID, Format: "photo_text"}},
	})
	return err
}

func create(ctx context.Context, svc *editorial.Service, u *passerelle.User, in *editorial.PostInput) (*passerelle.Post, error) {
	saved, err := svc.CreatePost(ctx, u, in)
	if err != nil {
		return nil, fmt.Errorf("demo: post %q: %w", *in.Title, err)
	}
	return saved.Post, nil
}

func ptr[T any](v T) *T { return &v }

// coverPNG draws a 900×600 cover in the Louvre's evening colours.
func coverPNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 900, 600))
	for y := range 600 {
		for x := range 900 {
			img.Set(x, y, color.RGBA{R: uint8(30 + x/8), G: uint8(40 + y/6), B: uint8(90 + (x+y)/20), A: 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
