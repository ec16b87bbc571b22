package checks

import "time"

// RuleImageRights warns about an image whose rights (the library's "rights until"
// date) end before the publication that uses it, or have ended, for a publication not
// yet scheduled.
const RuleImageRights = "image_rights"

// ImageRights is one image a publication shows, with the last day its rights cover.
type ImageRights struct {
	// Name names the image to the reader: its file name, or "#id".
	Name string
	// Until is the last day of the rights, YYYY-MM-DD; "" when they do not end.
	Until string
	// Cover is true for a WeChat article's cover image.
	Cover bool
}

// checkRights adds a warning for each image of a publication whose rights end before
// its time (the day compared in the institution's zone, Input.Zone), or have ended
// before today (Input.Now) when the publication has no time yet.
func (c *Checker) checkRights(r *reporter, in Input) {
	if r.off(RuleImageRights) {
		return
	}
	loc := time.UTC
	if in.Zone != "" {
		if l, err := time.LoadLocation(in.Zone); err == nil {
			loc = l
		}
	}
	today := in.Now.In(loc).Format(time.DateOnly)
	for i := range in.Publications {
		p := &in.Publications[i]
		for _, img := range p.Rights {
			if img.Until == "" {
				continue
			}
			field := pubField(i, "images")
			if img.Cover {
				field = pubField(i, "wechat.cover")
			}
			switch {
			case p.ScheduledAt != nil && p.ScheduledAt.In(loc).Format(time.DateOnly) > img.Until:
				r.add(RuleImageRights, SeverityWarning, "image_rights.expires_before", p.ID, field, 0, 0,
					"image", img.Name, "until", img.Until, "publication", p.Label, "when", p.ScheduledAt.In(loc).Format("2006-01-02 15:04"))
			case p.ScheduledAt == nil && !in.Now.IsZero() && img.Until < today:
				r.add(RuleImageRights, SeverityWarning, "image_rights.expired", p.ID, field, 0, 0,
					"image", img.Name, "until", img.Until)
			}
		}
	}
}
