package checks

import (
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
)

func TestWeiboLength(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		in   string
		want int
	}{
		{"empty", "", 0},
		{"ascii rounds up", "abc", 2},
		{"ascii even", "abcd", 2},
		{"chinese", "卢浮宫", 3},
		{"mixed", "Monet 莫奈", 5}, // 6 + 4 units
		{"emoji counts as one non-ascii character", "🎨", 1},
		{"url counts twenty units whatever its length", "https://example.com/a/very/long/path?with=query&and=more", 10},
		{"url inside chinese", "看https://passerelle.example/x展览", 13}, // 2 + 20 + 4 units
		{"http scheme too", "http://a.b", 10},
		{"two urls", "https://a.example https://b.example", 21}, // 20 + 1 + 20 units
		{"not a url without slashes", "https:example", 7},
		{"full-width punctuation", "，。", 2},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := WeiboLength(tt.in); got != tt.want {
				t.Errorf("WeiboLength(%q) = %d, want %d", tt.in, got, tt.want)
			}
		})
	}
}

func TestCheckWeibo(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t, Config{Limits: Limits{WeiboAPI: 140, WeiboLong: 2000}})
	long := strings.Repeat("莫", 2001)
	tests := []struct {
		name      string
		pub       PublicationInput
		rule      string
		wantCodes []string
		wantSpan  string // text covered by the first finding of rule, if set
	}{
		{"assisted long post fits 2000", PublicationInput{Mode: ModeAssisted, Text: strings.Repeat("莫", 2000)}, RuleWeiboLength, nil, ""},
		{"assisted post over 2000", PublicationInput{Mode: ModeAssisted, Text: long}, RuleWeiboLength, []string{"weibo_length.too_long"}, "莫"},
		{"api post over 140", PublicationInput{Mode: ModeAPI, SafeDomain: "passerelle.example",
			Text: strings.Repeat("展", 140) + "览 https://passerelle.example/x"}, RuleWeiboLength, []string{"weibo_length.too_long"}, "览 https://passerelle.example/x"},
		{"api post of 140 with url", PublicationInput{Mode: ModeAPI, SafeDomain: "passerelle.example",
			Text: strings.Repeat("展", 130) + "https://passerelle.example/very/long/url/counted/as/twenty"}, RuleWeiboLength, nil, ""},
		{"api url pushing over the limit is the span", PublicationInput{Mode: ModeAPI, SafeDomain: "passerelle.example",
			Text: strings.Repeat("展", 135) + "https://passerelle.example/x"}, RuleWeiboLength, []string{"weibo_length.too_long"}, "https://passerelle.example/x"},
		{"emoji text", PublicationInput{Mode: ModeAssisted, Text: strings.Repeat("🎨", 2001)}, RuleWeiboLength, []string{"weibo_length.too_long"}, "🎨"},

		{"nine images", PublicationInput{Mode: ModeAssisted, Images: 9}, RuleWeiboImages, nil, ""},
		{"ten images", PublicationInput{Mode: ModeAssisted, Images: 10}, RuleWeiboImages, []string{"weibo_images.too_many"}, ""},
		{"one video", PublicationInput{Mode: ModeAssisted, Videos: 1}, RuleWeiboImages, nil, ""},
		{"two videos", PublicationInput{Mode: ModeAssisted, Videos: 2}, RuleWeiboImages, []string{"weibo_images.too_many_videos"}, ""},
		{"images and video", PublicationInput{Mode: ModeAssisted, Images: 2, Videos: 1}, RuleWeiboImages, []string{"weibo_images.mixed"}, ""},
		{"api one picture", PublicationInput{Mode: ModeAPI, Images: 1, SafeDomain: "a.example", Text: "https://a.example"}, RuleWeiboImages, nil, ""},
		{"api two pictures", PublicationInput{Mode: ModeAPI, Images: 2, SafeDomain: "a.example", Text: "https://a.example"}, RuleWeiboImages, []string{"weibo_images.api"}, ""},

		{"topic in assisted mode", PublicationInput{Mode: ModeAssisted, Text: "#印象派# 莫奈"}, RuleWeiboTopic, nil, ""},
		{"two topics in assisted mode", PublicationInput{Mode: ModeAssisted, Text: "#印象派##莫奈# 看"}, RuleWeiboTopic, nil, ""},
		{"topic in api mode", PublicationInput{Mode: ModeAPI, SafeDomain: "a.example", Text: "#印象派# https://a.example"}, RuleWeiboTopic, []string{"weibo_topic.api"}, "#印象派#"},
		{"listed topic in api mode", PublicationInput{Mode: ModeAPI, SafeDomain: "a.example", Text: "https://a.example", Topics: []string{"印象派"}}, RuleWeiboTopic, []string{"weibo_topic.api"}, ""},
		{"unclosed topic", PublicationInput{Mode: ModeAssisted, Text: "看 #印象派 展览"}, RuleWeiboTopic, []string{"weibo_topic.unclosed"}, "#"},
		{"topic broken by a line", PublicationInput{Mode: ModeAssisted, Text: "#印象\n派#"}, RuleWeiboTopic, []string{"weibo_topic.unclosed", "weibo_topic.unclosed"}, "#"},
		{"empty topic", PublicationInput{Mode: ModeAssisted, Text: "看 ## 展览"}, RuleWeiboTopic, []string{"weibo_topic.empty"}, "##"},
		{"full-width hash", PublicationInput{Mode: ModeAssisted, Text: "＃印象派＃"}, RuleWeiboTopic, []string{"weibo_topic.fullwidth", "weibo_topic.fullwidth"}, "＃"},
		{"hash inside url is no topic", PublicationInput{Mode: ModeAssisted, Text: "看 https://a.example/#/x 展览"}, RuleWeiboTopic, nil, ""},
		{"invalid listed topic", PublicationInput{Mode: ModeAssisted, Topics: []string{"印象#派", ""}}, RuleWeiboTopic, []string{"weibo_topic.invalid", "weibo_topic.invalid"}, ""},

		{"api link on safe domain", PublicationInput{Mode: ModeAPI, SafeDomain: "passerelle.example", Text: "看 https://passerelle.example/expo"}, RuleWeiboSafeDomain, nil, ""},
		{"api link on a subdomain", PublicationInput{Mode: ModeAPI, SafeDomain: "passerelle.example", Text: "看 https://www.passerelle.example/expo"}, RuleWeiboSafeDomain, nil, ""},
		{"api link elsewhere", PublicationInput{Mode: ModeAPI, SafeDomain: "passerelle.example", Text: "看 https://evilpasserelle.example/expo"}, RuleWeiboSafeDomain, []string{"weibo_safe_domain.missing_url"}, ""},
		{"api without link", PublicationInput{Mode: ModeAPI, SafeDomain: "passerelle.example", Text: "看展览"}, RuleWeiboSafeDomain, []string{"weibo_safe_domain.missing_url"}, ""},
		{"api without safe domain", PublicationInput{Mode: ModeAPI, Text: "看 https://passerelle.example"}, RuleWeiboSafeDomain, []string{"weibo_safe_domain.no_domain"}, ""},
		{"assisted needs no link", PublicationInput{Mode: ModeAssisted, Text: "看展览"}, RuleWeiboSafeDomain, nil, ""},
		{"invalid url", PublicationInput{Mode: ModeAssisted, Text: "看 http://# 展览"}, RuleLink, []string{"link.invalid"}, "http://#"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.pub.ID = 42
			tt.pub.Platform = passerelle.Weibo
			in := Input{Lang: "en", Publications: []PublicationInput{tt.pub}}
			fs := c.Check(in)
			checkInvariants(t, in, fs)
			got := withRule(fs, tt.rule)
			if g, w := strings.Join(codes(got), ","), strings.Join(tt.wantCodes, ","); g != w {
				t.Fatalf("codes of %s = %q, want %q (all: %+v)", tt.rule, g, w, fs)
			}
			for _, f := range got {
				if f.PublicationID != 42 || !f.Blocking() && f.Rule != RuleWeiboTopic {
					t.Errorf("finding %+v: want publication 42, blocking", f)
				}
			}
			if tt.wantSpan != "" {
				if s := spanText(tt.pub.Text, got[0]); s != tt.wantSpan && got[0].Field == "publications[0].text" {
					t.Errorf("span covers %q, want %q", s, tt.wantSpan)
				}
			}
		})
	}
}

func TestWeiboLimitsConfigurable(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t, Config{Limits: Limits{WeiboLong: 10}})
	in := Input{Publications: []PublicationInput{{Platform: passerelle.Weibo, Mode: ModeAssisted, Text: strings.Repeat("字", 11)}}}
	fs := withRule(c.Check(in), RuleWeiboLength)
	if len(fs) != 1 || fs[0].Params["limit"] != "10" || fs[0].Start != 10 || fs[0].End != 11 {
		t.Fatalf("findings = %+v, want one over the limit of 10 at [10,11)", fs)
	}
}
