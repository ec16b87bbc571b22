package checks

import (
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"golang.org/x/net/html"
)

func validArticle() WeChatFields {
	return WeChatFields{
		Title: "莫奈与印象派", Author: "编辑部", Digest: "走进奥赛博物馆",
		BodyHTML: `<p>莫奈的<strong>睡莲</strong>。</p><img src="https://mmbiz.qpic.cn/mmbiz_jpg/abc/0">`,
		CoverSet: true, SourceURL: "https://passerelle.example/expo",
	}
}

func TestCheckWeChat(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t, Config{})
	tests := []struct {
		name     string
		edit     func(w *WeChatFields)
		rule     string
		want     []string
		wantSpan string // text of the finding's span in its field, when set
	}{
		{"valid article", func(w *WeChatFields) {}, "", nil, ""},
		{"title of 32", func(w *WeChatFields) { w.Title = strings.Repeat("题", 32) }, RuleWeChatTitleLength, nil, ""},
		{"title of 33", func(w *WeChatFields) { w.Title = strings.Repeat("题", 32) + "长" }, RuleWeChatTitleLength, []string{"wechat_title_length.too_long"}, "长"},
		{"empty title", func(w *WeChatFields) { w.Title = " " }, RuleWeChatTitleLength, []string{"wechat_title_length.empty"}, ""},
		{"author of 17", func(w *WeChatFields) { w.Author = strings.Repeat("a", 17) }, RuleWeChatAuthorLength, []string{"wechat_author_length.too_long"}, "a"},
		{"digest of 129", func(w *WeChatFields) { w.Digest = strings.Repeat("摘", 129) }, RuleWeChatDigestLength, []string{"wechat_digest_length.too_long"}, "摘"},
		{"body of 20000 characters", func(w *WeChatFields) { w.BodyHTML = "<p>" + strings.Repeat("文", 19993) + "</p>" }, RuleWeChatBodyLength, []string{"wechat_body_length.too_long"}, ""},
		{"body of 19999 characters", func(w *WeChatFields) { w.BodyHTML = "<p>" + strings.Repeat("文", 19992) + "</p>" }, RuleWeChatBodyLength, nil, ""},
		{"body over 1 MB", func(w *WeChatFields) {
			w.BodyHTML = `<p style="color: red">` + strings.Repeat("<b></b>", 150_000) + "文</p>"
		}, RuleWeChatBodyLength, []string{"wechat_body_length.too_large", "wechat_body_length.too_long"}, ""},
		{"empty body", func(w *WeChatFields) { w.BodyHTML = "<p> </p>" }, RuleWeChatBodyLength, []string{"wechat_body_length.empty"}, ""},
		{"no cover", func(w *WeChatFields) { w.CoverSet = false }, RuleWeChatCover, []string{"wechat_cover.missing"}, ""},
		{"external image", func(w *WeChatFields) { w.BodyHTML = `<p>图</p><img src="https://example.com/a.jpg">` },
			RuleWeChatExternalImage, []string{"wechat_external_image.found"}, `<img src="https://example.com/a.jpg">`},
		{"image without src", func(w *WeChatFields) { w.BodyHTML = `<p>图</p><img alt="x">` }, RuleWeChatExternalImage, []string{"wechat_external_image.found"}, ""},
		{"local media counts as hosted", func(w *WeChatFields) { w.BodyHTML = `<p>图</p><img src="/media/12/large.jpg">` }, RuleWeChatExternalImage, nil, ""},
		{"script", func(w *WeChatFields) { w.BodyHTML = `<p>文</p><script>alert(1)</script>` }, RuleWeChatScript, []string{"wechat_script.script"}, "<script>"},
		{"event handler", func(w *WeChatFields) { w.BodyHTML = `<p onmouseover="x()">文</p>` }, RuleWeChatScript, []string{"wechat_script.event_handler"}, `<p onmouseover="x()">`},
		{"javascript link", func(w *WeChatFields) { w.BodyHTML = `<p><a href=" JaVaScript:alert(1)">文</a></p>` }, RuleWeChatScript, []string{"wechat_script.javascript_url"}, ""},
		{"iframe", func(w *WeChatFields) { w.BodyHTML = `<p>文</p><iframe src="https://v.qq.com/x"></iframe>` }, RuleWeChatScript, []string{"wechat_script.embed"}, ""},
		{"link to a wechat article", func(w *WeChatFields) { w.BodyHTML = `<p><a href="https://mp.weixin.qq.com/s/abc">文</a></p>` }, RuleLink, nil, ""},
		{"link elsewhere", func(w *WeChatFields) { w.BodyHTML = `<p><a href="https://www.musee-orsay.fr/">文</a></p>` }, RuleLink, []string{"link.not_wechat"}, `<a href="https://www.musee-orsay.fr/">`},
		{"broken link", func(w *WeChatFields) { w.BodyHTML = `<p><a href="htp:/broken">文</a></p>` }, RuleLink, []string{"link.invalid"}, ""},
		{"anchor link", func(w *WeChatFields) { w.BodyHTML = `<p><a href="#notes">文</a></p>` }, RuleLink, nil, ""},
		{"invalid source url", func(w *WeChatFields) { w.SourceURL = "passerelle.example/expo" }, RuleLink, []string{"link.invalid"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			w := validArticle()
			tt.edit(&w)
			in := Input{Lang: "zh-Hans", Publications: []PublicationInput{{ID: 9, Platform: passerelle.WeChat, Mode: ModeWeChatDraft, WeChat: &w}}}
			fs := c.Check(in)
			checkInvariants(t, in, fs)
			if tt.rule == "" {
				if len(fs) != 0 {
					t.Fatalf("findings = %+v, want none", fs)
				}
				return
			}
			got := withRule(fs, tt.rule)
			if g, w := strings.Join(codes(got), ","), strings.Join(tt.want, ","); g != w {
				t.Fatalf("codes = %q, want %q (all: %+v)", g, w, fs)
			}
			if tt.wantSpan != "" {
				v, _ := fieldValue(in, got[0].Field)
				if s := spanText(v, got[0]); s != tt.wantSpan {
					t.Errorf("span covers %q, want %q", s, tt.wantSpan)
				}
			}
		})
	}
}

func TestSanitizeWeChatHTML(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name        string
		in          string
		want        string
		wantRemoved []string // kinds
	}{
		{"clean html is kept", `<p style="text-align: center">莫奈<strong>睡莲</strong></p>`, `<p style="text-align: center">莫奈<strong>睡莲</strong></p>`, nil},
		{"script removed with its content", `<p>文</p><script>alert("x")</script>`, `<p>文</p>`, []string{"script"}},
		{"event handler removed", `<p onclick="steal()">文</p>`, `<p>文</p>`, []string{"event_handler"}},
		{"javascript link removed", `<a href="javascript:alert(1)">文</a>`, `文`, []string{"javascript_url"}},
		{"iframe removed", `<iframe src="https://x.example"><p>in</p></iframe><p>out</p>`, `<p>out</p>`, []string{"embed"}},
		{"external image removed", `<p>a</p><img src="https://example.com/a.jpg"><img src="https://mmbiz.qpic.cn/a/0">`, `<p>a</p><img src="https://mmbiz.qpic.cn/a/0">`, []string{"external_image"}},
		{"lazy wechat image kept", `<img data-src="https://mmbiz.qpic.cn/a/0">`, `<img src="https://mmbiz.qpic.cn/a/0">`, nil},
		{"unknown element unwrapped", `<font color="red">文</font>`, `文`, []string{"element"}},
		{"class dropped", `<p class="MsoNormal">文</p>`, `<p>文</p>`, []string{"attribute"}},
		{"style filtered", `<p style="color: red; position: fixed; background-image: url(x)">文</p>`, `<p style="color: red">文</p>`, []string{"style"}},
		{"entities survive", `<p>A &amp; B &lt;3</p>`, `<p>A &amp; B &lt;3</p>`, nil},
		{"style element removed", `<style>p{color:red}</style><p>文</p>`, `<p>文</p>`, []string{"style"}},
		{"nested same element", `<object><object></object><p>in</p></object><p>out</p>`, `<p>out</p>`, []string{"embed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, removed := SanitizeWeChatHTML(tt.in, nil)
			if got != tt.want {
				t.Errorf("clean = %q, want %q", got, tt.want)
			}
			var kinds []string
			for _, r := range removed {
				kinds = append(kinds, r.Kind)
				for _, lang := range []string{"en", "fr", "zh-Hans"} {
					if m := r.Message(lang); m == "" || strings.Contains(m, "{") {
						t.Errorf("message %q", m)
					}
				}
			}
			if strings.Join(kinds, ",") != strings.Join(tt.wantRemoved, ",") {
				t.Errorf("removed %v, want %v", kinds, tt.wantRemoved)
			}
			assertSafeWeChatHTML(t, got, HostedImage)
		})
	}
}

func TestSanitizeUsesIsHosted(t *testing.T) {
	t.Parallel()
	own := func(src string) bool { return strings.HasPrefix(src, "https://cdn.passerelle.example/") }
	got, removed := SanitizeWeChatHTML(`<img src="https://cdn.passerelle.example/a.jpg"><img src="https://mmbiz.qpic.cn/a">`, own)
	if got != `<img src="https://cdn.passerelle.example/a.jpg">` || len(removed) != 1 || removed[0].Details[0] != "https://mmbiz.qpic.cn/a" {
		t.Fatalf("got %q, %+v", got, removed)
	}
}

// assertSafeWeChatHTML fails when s holds a script, an event handler, a script URL
// or an image isHosted rejects.
func assertSafeWeChatHTML(t testing.TB, s string, isHosted func(string) bool) {
	t.Helper()
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			return
		}
		tok := z.Token()
		switch tok.Data {
		case "script", "iframe", "object", "embed", "style":
			if tt != html.TextToken {
				t.Fatalf("output %q contains <%s>", s, tok.Data)
			}
		}
		for _, a := range tok.Attr {
			if strings.HasPrefix(strings.ToLower(a.Key), "on") {
				t.Fatalf("output %q contains the attribute %s", s, a.Key)
			}
			if isScriptURL(a.Val) {
				t.Fatalf("output %q contains a script URL", s)
			}
			if tok.Data == "img" && a.Key == "src" && !isHosted(a.Val) {
				t.Fatalf("output %q contains the external image %s", s, a.Val)
			}
		}
	}
}
