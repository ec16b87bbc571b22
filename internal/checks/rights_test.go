package checks

import (
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// TestImageRights: an image whose rights end before the publication's day in the
// institution's zone is warned about on the field that shows it (the images, or a
// WeChat cover); rights that end that day or later are not; an unscheduled
// publication is warned only about rights already ended.
func TestImageRights(t *testing.T) {
	c := newTestChecker(t, Config{})
	now := time.Date(2030, 3, 10, 9, 0, 0, 0, time.UTC)
	// 23:30 UTC on 31 March is already 1 April in Paris (summer time).
	late := time.Date(2030, 3, 31, 23, 30, 0, 0, time.UTC)
	in := Input{Lang: "en", Zone: "Europe/Paris", Now: now, Publications: []PublicationInput{
		{ID: 1, Platform: passerelle.Weibo, Text: "图。", ScheduledAt: &late, Label: "louvre",
			Rights: []ImageRights{{Name: "a.jpg", Until: "2030-03-31"}, {Name: "b.jpg", Until: "2030-04-01"}, {Name: "c.jpg"}}},
		{ID: 2, Platform: passerelle.WeChat, WeChat: &WeChatFields{Title: "标题", BodyHTML: "<p>正文</p>", CoverSet: true},
			Rights: []ImageRights{{Name: "cover.jpg", Until: "2030-03-09", Cover: true}, {Name: "d.jpg", Until: "2030-03-10"}}},
	}}
	var got []Finding
	for _, f := range c.Check(in) {
		if f.Rule == RuleImageRights {
			got = append(got, f)
		}
	}
	if len(got) != 2 {
		t.Fatalf("findings: %+v", got)
	}
	if f := got[0]; f.PublicationID != 1 || f.Field != "publications[0].images" || f.Params["image"] != "a.jpg" || f.Params["when"] != "2030-04-01 01:30" ||
		!strings.Contains(f.Message, "louvre") || f.Severity != SeverityWarning {
		t.Errorf("scheduled: %+v", f)
	}
	if f := got[1]; f.PublicationID != 2 || f.Field != "publications[1].wechat.cover" || f.Code != "image_rights.expired" {
		t.Errorf("unscheduled: %+v", f)
	}
	for lang, want := range map[string]string{"fr": "Les droits de a.jpg prennent fin le 2030-03-31", "zh-Hans": "a.jpg 的授权于 2030-03-31 到期"} {
		if msg := got[0].Localize(lang); !strings.Contains(msg, want) {
			t.Errorf("%s: %q", lang, msg)
		}
	}
	c = newTestChecker(t, Config{Severity: map[string]string{RuleImageRights: "off"}})
	for _, f := range c.Check(in) {
		if f.Rule == RuleImageRights {
			t.Errorf("rule off, yet %+v", f)
		}
	}
}
