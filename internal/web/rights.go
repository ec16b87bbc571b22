package web

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Image rights on the post page: a warning for each image a publication uses whose
// rights end before the publication's time (or have ended, for a publication not yet
// scheduled), and for each WeChat article a credit line made from its images' rights.

// pubImages are the library ids a publication shows: its own images, else the post's,
// and a WeChat article's cover.
func pubImages(p *passerelle.Post, b *passerelle.Publication) []int64 {
	ids := slices.Clone(b.MediaIDs)
	if len(ids) == 0 {
		ids = slices.Clone(p.MediaIDs)
	}
	if b.WeChat != nil && b.WeChat.CoverMediaID > 0 && !slices.Contains(ids, b.WeChat.CoverMediaID) {
		ids = append([]int64{b.WeChat.CoverMediaID}, ids...)
	}
	return ids
}

// postAssets loads the library assets a post's publications use.
func (h *handler) postAssets(ctx context.Context, orgID int64, p *passerelle.Post) (map[int64]*store.MediaAsset, error) {
	var ids []int64
	for _, b := range p.Publications {
		ids = append(ids, pubImages(p, b)...)
	}
	out := map[int64]*store.MediaAsset{}
	if len(ids) == 0 {
		return out, nil
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	assets, err := h.DB.MediaAssets(ctx, store.MediaFilter{OrgID: orgID, InstitutionID: p.InstitutionID, IDs: ids})
	if err != nil {
		return nil, err
	}
	for _, a := range assets {
		out[a.ID] = a
	}
	return out, nil
}

// rightsWarnings lists, in the reader's language, the images whose rights end before a
// publication that uses them; names name the accounts by id.
func rightsWarnings(l *localizer, p *passerelle.Post, assets map[int64]*store.MediaAsset, zone string, names map[int64]string, now time.Time) []string {
	loc := loadZone(zone)
	today := now.In(loc).Format(time.DateOnly)
	var out []string
	add := func(s string) {
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	for _, b := range p.Publications {
		for _, id := range pubImages(p, b) {
			a := assets[id]
			if a == nil || a.RightsUntil == "" {
				continue
			}
			name := cmp.Or(a.Filename, "#"+strconv.FormatInt(a.ID, 10))
			switch {
			case b.ScheduledAt != nil && b.ScheduledAt.In(loc).Format(time.DateOnly) > a.RightsUntil:
				add(l.T("rights.expires_before", name, a.RightsUntil, l.T("platform."+string(b.Platform))+" "+names[b.AccountID], l.DateTime(*b.ScheduledAt, zone)))
			case b.ScheduledAt == nil && a.RightsUntil < today:
				add(l.T("rights.expired", name, a.RightsUntil))
			}
		}
	}
	return out
}

// creditLine is the line an article prints under its images: who took them and who
// holds the rights. It is part of the Chinese article, whatever the reader's language.
func creditLine(p *passerelle.Post, b *passerelle.Publication, assets map[int64]*store.MediaAsset) string {
	var parts []string
	for _, id := range pubImages(p, b) {
		a := assets[id]
		if a == nil || !strings.HasPrefix(a.MIME, "image/") {
			continue
		}
		var bits []string
		if a.Photographer != "" {
			bits = append(bits, "摄影："+a.Photographer)
		}
		if a.RightsHolder != "" {
			bits = append(bits, "© "+a.RightsHolder)
		}
		if len(bits) == 0 && a.Credit != "" {
			bits = append(bits, a.Credit)
		}
		if s := strings.Join(bits, " "); s != "" && !slices.Contains(parts, s) {
			parts = append(parts, s)
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "图片来源：" + strings.Join(parts, "；")
}
