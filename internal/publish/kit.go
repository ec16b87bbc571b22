package publish

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/checks"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// A copy-ready kit is what a person needs to post a publication by hand: the final
// text, the topics in the platform's syntax, the images in the platform's sizes and a
// checklist of the platform's rules. The rules are in docs/publishing.md ("Copy-ready
// kits") with their sources; most are unconfirmed by the platforms, so they live in
// one table here.

// KitRule is what a platform's app accepts for a post made by hand.
type KitRule struct {
	// TitleMax bounds the title in characters (0: the platform has no title).
	TitleMax int
	// TextMax bounds the body in characters (Weibo: its own length count).
	TextMax int
	// ImagesMax is the most images a post may carry.
	ImagesMax int
	// Fold is where the app folds a long text behind "全文" (0: no fold).
	Fold int
	// Video: the platform's posts are (mostly) videos; Ratio names the shape.
	Video bool
	Ratio string
	// Topics is how a topic is written: "#%s#" or "#%s" (empty: no topics).
	Topics string
	// Image is the rendition the kit's zip carries for each image.
	Image media.RenditionSpec
}

// portrait is a rendition of exactly w×h pixels, cropped around the focus.
func portrait(name string, w, h int) media.RenditionSpec {
	return media.RenditionSpec{Name: name, MaxBytes: 20_000_000, Width: w, Height: h, Quality: 90, MinQuality: 60}
}

func spec(name string) media.RenditionSpec {
	s, _ := media.SpecByName(name)
	return s
}

// KitRules are the rules of each platform a kit is made for.
var KitRules = map[passerelle.Platform]KitRule{
	passerelle.Xiaohongshu: {TitleMax: 20, TextMax: 1000, ImagesMax: 18, Ratio: "3:4", Topics: "#%s", Image: portrait("xiaohongshu_3x4", 1080, 1440)},
	passerelle.Douyin:      {TextMax: 1000, ImagesMax: 35, Video: true, Ratio: "9:16", Topics: "#%s", Image: portrait("douyin_9x16", 1080, 1920)},
	passerelle.Channels:    {TextMax: 1000, ImagesMax: 9, Video: true, Ratio: "3:4", Topics: "#%s", Image: portrait("channels_3x4", 1080, 1440)},
	passerelle.Weibo:       {TextMax: 2000, ImagesMax: 9, Fold: 140, Topics: "#%s#", Image: spec(media.SpecWeibo)},
	passerelle.WeChat:      {TitleMax: 32, TextMax: 20000, ImagesMax: 20, Image: spec(media.SpecWeChatBody)},
}

// Check is one line of a kit's checklist: Key is an English catalog key, N and Max
// its figures (Max 0: none), and State "ok", "fail" or "todo" (for the person to do).
type Check struct {
	Key   string
	N     int
	Max   int
	State string
}

// Kit is a publication made ready to post by hand.
type Kit struct {
	Platform passerelle.Platform
	Rule     KitRule
	Title    string
	Text     string
	// Topics are written in the platform's syntax.
	Topics []string
	// Copy is the text to paste: the body, then the topics not already in it.
	Copy      string
	Media     []*store.MediaAsset
	Checklist []Check
}

// HasKit reports whether a publication is posted from a kit: assisted mode, and every
// publication on a platform without a publishing API.
func HasKit(b *passerelle.Publication) bool {
	_, ok := KitRules[b.Platform]
	return ok && (b.Mode == passerelle.ModeAssisted || b.Platform == passerelle.Xiaohongshu || b.Platform == passerelle.Douyin || b.Platform == passerelle.Channels)
}

// Kit returns the kit of a publication the user may see.
func (s *Service) Kit(ctx context.Context, u *passerelle.User, id int64) (*Kit, *store.Delivery, error) {
	d, err := s.publication(ctx, u, id, passerelle.PermView)
	if err != nil {
		return nil, nil, err
	}
	if !HasKit(d.Publication) {
		return nil, nil, passerelle.Errorf(passerelle.ECONFLICT, "This publication goes out by API: it has no copy-ready kit.")
	}
	k, err := s.kitOf(ctx, u.OrgID, d)
	if err != nil {
		return nil, nil, err
	}
	return k, d, nil
}

// kitOf builds the kit of a delivery of organization orgID with its media.
func (s *Service) kitOf(ctx context.Context, orgID int64, d *store.Delivery) (*Kit, error) {
	ids := d.Publication.MediaIDs
	if len(ids) == 0 {
		ids = d.Post.MediaIDs
	}
	var assets []*store.MediaAsset
	for _, mid := range ids {
		m, err := s.db.MediaAssetByID(ctx, orgID, mid)
		if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
			continue
		}
		if err != nil {
			return nil, err
		}
		assets = append(assets, m)
	}
	return BuildKit(d.Post, d.Publication, assets), nil
}

// BuildKit makes the kit of publication b of post p with its media.
func BuildKit(p *passerelle.Post, b *passerelle.Publication, assets []*store.MediaAsset) *Kit {
	rule := KitRules[b.Platform]
	k := &Kit{Platform: b.Platform, Rule: rule, Text: strings.TrimSpace(b.Text(p)), Media: assets}
	if b.WeChat != nil {
		k.Title = b.WeChat.Title
		if k.Text == "" {
			k.Text = b.WeChat.Digest
		}
	} else if rule.TitleMax > 0 {
		k.Title, _, _ = strings.Cut(k.Text, "\n")
		k.Title = strings.TrimSpace(k.Title)
	}
	var missing []string
	if rule.Topics != "" {
		for _, t := range b.Topics {
			t = strings.Trim(strings.TrimSpace(t), "#＃")
			if t == "" {
				continue
			}
			w := strings.Replace(rule.Topics, "%s", t, 1)
			k.Topics = append(k.Topics, w)
			if !strings.Contains(k.Text, w) {
				missing = append(missing, w)
			}
		}
	}
	k.Copy = k.Text
	if len(missing) > 0 {
		k.Copy = strings.TrimSpace(k.Copy + "\n\n" + strings.Join(missing, " "))
	}
	images, videos := 0, 0
	var bad []*store.MediaAsset
	for _, m := range assets {
		switch {
		case strings.HasPrefix(m.MIME, "video/"):
			videos++
			if rule.Ratio == "9:16" && m.Width > 0 && m.Height > 0 && m.Width*16 != m.Height*9 {
				bad = append(bad, m)
			}
		case strings.HasPrefix(m.MIME, "image/"):
			images++
		}
	}
	check := func(key string, n, max int) {
		st := "ok"
		if max > 0 && n > max {
			st = "fail"
		}
		k.Checklist = append(k.Checklist, Check{Key: key, N: n, Max: max, State: st})
	}
	length := utf8.RuneCountInString(k.Copy)
	if b.Platform == passerelle.Weibo {
		length = checks.WeiboLength(k.Copy)
	}
	if rule.TitleMax > 0 {
		check("Title: %[1]d characters of %[2]d at most.", utf8.RuneCountInString(k.Title), rule.TitleMax)
	}
	check("Text: %[1]d characters of %[2]d at most.", length, rule.TextMax)
	if rule.Fold > 0 {
		st := "ok"
		if length > rule.Fold {
			st = "todo"
		}
		k.Checklist = append(k.Checklist, Check{Key: "The app folds the text after %[2]d characters behind 全文: the first lines must say the essential.", N: length, Max: rule.Fold, State: st})
	}
	if rule.Video && b.Format == passerelle.FormatVideo {
		st := "ok"
		if videos == 0 || len(bad) > 0 {
			st = "fail"
		}
		key := "One video."
		if rule.Ratio == "9:16" {
			key = "One vertical video (9:16)."
		}
		k.Checklist = append(k.Checklist, Check{Key: key, N: videos, State: st})
	} else {
		check("Images: %[1]d of %[2]d at most.", images, rule.ImagesMax)
		if images > 0 && rule.Image.Width > 0 {
			k.Checklist = append(k.Checklist, Check{Key: "Images in the zip are cropped to " + rule.Ratio + " portrait.", State: "ok"})
		}
	}
	if len(k.Topics) > 0 {
		k.Checklist = append(k.Checklist, Check{Key: "Pick each topic from the app's suggestions, so that it links.", State: "todo"})
	}
	switch b.Platform {
	case passerelle.Channels:
		k.Checklist = append(k.Checklist, Check{Key: "Channels posts have no stable address: paste the feed id from the Channels assistant.", State: "todo"})
	case passerelle.Xiaohongshu, passerelle.Douyin, passerelle.Weibo:
		k.Checklist = append(k.Checklist, Check{Key: "Once posted, copy the post's link from the app and paste it below.", State: "todo"})
	case passerelle.WeChat:
		k.Checklist = append(k.Checklist, Check{Key: "Once published, paste the article's address (https://mp.weixin.qq.com/s/…) below.", State: "todo"})
	}
	return k
}
