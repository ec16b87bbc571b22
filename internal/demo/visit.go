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
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/visit"
)

// Visit loads the Louvre's visitor pages: a published audioguide of four stops whose
// recordings are silent MP3s made here (no recording of anyone), each with an image
// drawn here, and a small published virtual exhibition of two rooms. It returns the
// public addresses of the tour and of the exhibition.
func Visit(ctx context.Context, db *store.DB, edit *editorial.Service, vis *visit.Service, orgID int64) (tourURL, exhibitionURL string, err error) {
	owner, _, err := db.UserByEmail(ctx, OwnerEmail)
	if err != nil {
		return "", "", err
	}
	accounts, err := db.Accounts(ctx, store.AccountFilter{OrgID: orgID})
	if err != nil {
		return "", "", err
	}
	var inst int64
	for _, a := range accounts {
		if a.Handle == "gh_louvre" {
			inst = a.InstitutionID
		}
	}
	if inst == 0 {
		return "", "", fmt.Errorf("demo: no Louvre account")
	}
	upload := func(name string, data []byte) (int64, error) {
		m, _, err := edit.Upload(ctx, owner, inst, name, bytes.NewReader(data))
		if err != nil {
			return 0, fmt.Errorf("demo: %s: %w", name, err)
		}
		return m.ID, nil
	}
	tour := &passerelle.Tour{InstitutionID: inst, TitleZH: "卢浮宫镇馆之宝", TitleFR: "Les chefs-d'œuvre du Louvre", TitleEN: "Masterpieces of the Louvre",
		IntroZH: "四件镇馆之宝，每站约两分钟。输入展签上的编号即可收听。", IntroFR: "Quatre chefs-d'œuvre, environ deux minutes par étape. Tapez le numéro du cartel pour écouter.",
		IntroEN: "Four masterpieces, about two minutes each. Type the number on the label to listen."}
	if err := vis.CreateTour(ctx, owner, tour); err != nil {
		return "", "", err
	}
	stops := []struct {
		n                  int
		zh, fr, en, artist string
		text               string
		hue                uint8
	}{
		{1, "蒙娜丽莎", "La Joconde", "Mona Lisa", "列奥纳多·达·芬奇，约1503–1519年", "这幅肖像画于十六世纪初开始创作，画家一直随身携带，直到生命的最后几年。\n请注意人物的微笑和背景中朦胧的风景：这种柔和的过渡被称为“晕涂法”。", 30},
		{2, "米洛的维纳斯", "Vénus de Milo", "Venus de Milo", "希腊化时期，约公元前150–125年", "这尊大理石雕像于1820年在米洛斯岛被发现，次年进入卢浮宫。\n她失去的双臂至今仍是一个谜。", 90},
		{3, "萨莫色雷斯的胜利女神", "Victoire de Samothrace", "Winged Victory of Samothrace", "希腊化时期，约公元前190年", "胜利女神立于船首之上，衣褶仿佛被海风吹动。\n她位于达鲁楼梯的顶端，从远处就能看到。", 150},
		{4, "自由引导人民", "La Liberté guidant le peuple", "Liberty Leading the People", "欧仁·德拉克洛瓦，1830年", "这幅画纪念1830年七月革命的“光荣三日”。\n画中举着三色旗的女性是自由的寓意形象。", 210},
	}
	for i, s := range stops {
		audio, err := upload(fmt.Sprintf("stop-%d.mp3", s.n), media.SilentMP3(time.Duration(20+i)*time.Second))
		if err != nil {
			return "", "", err
		}
		img, err := upload(fmt.Sprintf("stop-%d.png", s.n), swatchPNG(s.hue))
		if err != nil {
			return "", "", err
		}
		st := &passerelle.Stop{TourID: tour.ID, Number: s.n, TitleZH: s.zh, TitleFR: s.fr, TitleEN: s.en, TranscriptZH: s.text, Artwork: s.artist, AudioMediaID: audio, ImageMediaID: img}
		if err := vis.AddStop(ctx, owner, st); err != nil {
			return "", "", err
		}
	}
	if _, tourURL, err = vis.PublishTour(ctx, owner, tour.ID, true); err != nil {
		return "", "", err
	}
	cover, err := upload("exhibition-cover.png", swatchPNG(250))
	if err != nil {
		return "", "", err
	}
	works := func(items ...passerelle.Work) []passerelle.Work { return items }
	ex := &passerelle.Exhibition{InstitutionID: inst, TitleZH: "从古希腊到浪漫主义", TitleFR: "De la Grèce antique au romantisme", TitleEN: "From Ancient Greece to Romanticism",
		DigestZH: "足不出户，漫步卢浮宫的两个展厅。", CoverMediaID: cover,
		Rooms: []passerelle.Room{
			{TitleZH: "古希腊雕塑", TitleFR: "Sculpture grecque", TitleEN: "Greek sculpture", Works: works(
				passerelle.Work{TitleZH: "米洛的维纳斯", TitleFR: "Vénus de Milo", Artist: "希腊化时期", StoryZH: "1820年发现于米洛斯岛。", ImageMediaID: cover},
				passerelle.Work{TitleZH: "萨莫色雷斯的胜利女神", TitleFR: "Victoire de Samothrace", Artist: "希腊化时期", StoryZH: "立于船首的胜利女神。"})},
			{TitleZH: "法国绘画", TitleFR: "Peinture française", TitleEN: "French painting", Works: works(
				passerelle.Work{TitleZH: "自由引导人民", TitleFR: "La Liberté guidant le peuple", Artist: "欧仁·德拉克洛瓦", StoryZH: "纪念1830年七月革命。"})},
		}}
	if err := vis.CreateExhibition(ctx, owner, ex); err != nil {
		return "", "", err
	}
	if _, exhibitionURL, err = vis.PublishExhibition(ctx, owner, ex.ID, true); err != nil {
		return "", "", err
	}
	return tourURL, exhibitionURL, nil
}

// swatchPNG draws a small gradient image of a hue (the demo's stand-in for a photo).
func swatchPNG(hue uint8) []byte {
	img := image.NewRGBA(image.Rect(0, 0, 640, 420))
	for y := range 420 {
		for x := range 640 {
			img.Set(x, y, color.RGBA{R: hue + uint8(x/10), G: uint8(60 + y/5), B: 255 - hue + uint8((x+y)/30), A: 255})
		}
	}
	var b bytes.Buffer
	png.Encode(&b, img)
	return b.Bytes()
}
