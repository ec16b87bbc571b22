package publish_test

import (
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/publish"
	"github.com/passerelle-oss/passerelle/internal/store"
)

func TestBuildKit(t *testing.T) {
	t.Parallel()
	text := "莫奈的睡莲：光与水的诗，在奥赛博物馆的展厅里重新绽放\n1914年起，莫奈在吉维尼的花园里画下了巨幅《睡莲》。#莫奈#"
	post := &passerelle.Post{TextZH: text}
	img := &store.MediaAsset{ID: 1, MIME: "image/jpeg", Width: 900, Height: 600}
	tests := []struct {
		name     string
		platform passerelle.Platform
		format   string
		media    []*store.MediaAsset
		copy     []string
		fail     []string
	}{
		{"xiaohongshu", passerelle.Xiaohongshu, passerelle.FormatPhotoText, []*store.MediaAsset{img}, []string{"#卢浮宫", "#莫奈#"}, []string{"Title: %[1]d characters of %[2]d at most."}},
		{"weibo", passerelle.Weibo, passerelle.FormatPhotoText, []*store.MediaAsset{img}, []string{"#卢浮宫#"}, nil},
		{"douyin without video", passerelle.Douyin, passerelle.FormatVideo, []*store.MediaAsset{img}, []string{"#卢浮宫"}, []string{"One vertical video (9:16)."}},
		{"douyin", passerelle.Douyin, passerelle.FormatVideo, []*store.MediaAsset{{MIME: "video/mp4", Width: 1080, Height: 1920}}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := &passerelle.Publication{Platform: tt.platform, Format: tt.format, Mode: passerelle.ModeAssisted, Topics: []string{"卢浮宫", "#莫奈#"}}
			if !publish.HasKit(b) {
				t.Fatal("no kit")
			}
			k := publish.BuildKit(post, b, tt.media)
			for _, w := range tt.copy {
				if !strings.Contains(k.Copy, w) {
					t.Errorf("copy lacks %q:\n%s", w, k.Copy)
				}
			}
			if strings.Count(k.Copy, "莫奈#") > 1 {
				t.Errorf("a topic already in the text is added again:\n%s", k.Copy)
			}
			var failed []string
			for _, c := range k.Checklist {
				if c.State == "fail" {
					failed = append(failed, c.Key)
				}
			}
			if strings.Join(failed, "|") != strings.Join(tt.fail, "|") {
				t.Errorf("failed checks %q, want %q", failed, tt.fail)
			}
		})
	}
	if publish.HasKit(&passerelle.Publication{Platform: passerelle.WeChat, Mode: passerelle.ModeAPI}) {
		t.Error("an API publication has a kit")
	}
}
