package web

import (
	"context"
	"slices"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/checks"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Image rights on the post page: the checks' warnings for images whose rights end
// before a publication that uses them (rule image_rights, shown in their own list),
// and for each WeChat article a credit line made from its images' rights.

// splitRights takes the image-rights findings out of fs and returns their messages,
// each once, and the other findings.
func splitRights(fs []checks.Finding) (rights []string, rest []checks.Finding) {
	rights = []string{}
	for _, f := range fs {
		if f.Rule != checks.RuleImageRights {
			rest = append(rest, f)
		} else if !slices.Contains(rights, f.Message) {
			rights = append(rights, f.Message)
		}
	}
	return rights, rest
}

// postAssets loads the library assets a post's publications use.
func (h *handler) postAssets(ctx context.Context, orgID int64, p *passerelle.Post) (map[int64]*store.MediaAsset, error) {
	var ids []int64
	for _, b := range p.Publications {
		ids = append(ids, b.ImageIDs(p)...)
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

// creditLine is the line an article prints under its images: who took them and who
// holds the rights. It is part of the Chinese article, whatever the reader's language.
func creditLine(p *passerelle.Post, b *passerelle.Publication, assets map[int64]*store.MediaAsset) string {
	var parts []string
	for _, id := range b.ImageIDs(p) {
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
