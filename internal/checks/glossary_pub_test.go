package checks

import (
	"testing"

	"github.com/passerelle-oss/passerelle"
)

// TestGlossaryPerPublication: each publication's own text is checked against the
// source; a rendering in another publication or in the post's text does not count,
// and the finding names the publication and its field.
func TestGlossaryPerPublication(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t, Config{Glossary: []Term{{Source: "Edgar Degas", Aliases: []string{"Degas"}, ZH: "德加"}}})
	wechat := func(title, body string) PublicationInput {
		return PublicationInput{ID: 2, Platform: passerelle.WeChat, Mode: ModeWeChatDraft, WeChat: &WeChatFields{Title: title, BodyHTML: body, CoverSet: true}}
	}
	weibo := func(text string) PublicationInput {
		return PublicationInput{ID: 1, Platform: passerelle.Weibo, Mode: ModeAssisted, Text: text}
	}
	tests := []struct {
		name   string
		zh     string
		pubs   []PublicationInput
		fields []string // fields of the glossary findings, in order
		pubIDs []int64
	}{
		{"every text has it", "德加的舞者", []PublicationInput{weibo("德加的舞者"), wechat("德加", "<p>德加的舞者</p>")}, nil, nil},
		{"wechat body misspelt, title has it", "德加的舞者", []PublicationInput{weibo("德加的舞者"), wechat("德加的舞者", "<p>戴加斯的舞者</p>")}, nil, nil},
		{"wechat lacks it everywhere", "德加的舞者", []PublicationInput{weibo("德加的舞者"), wechat("舞者", "<p>戴加斯的舞者</p>")},
			[]string{"publications[1].wechat.body_html"}, []int64{2}},
		{"weibo text of its own lacks it; the wechat title has it", "德加的舞者", []PublicationInput{weibo("芭蕾舞者"), wechat("德加", "<p>舞者</p>")},
			[]string{"publications[0].text"}, []int64{1}},
		{"post text lacks it, weibo is the post text", "芭蕾舞者", []PublicationInput{weibo("芭蕾舞者 #奥赛#"), wechat("德加", "<p>德加</p>")},
			[]string{"source_text"}, []int64{0}},
	}
	for _, tt := range tests {
		in := Input{Lang: "en", SourceLang: "fr", SourceText: "Les danseuses de Degas.", TextZH: tt.zh, Publications: tt.pubs}
		fs := withRule(c.Check(in), RuleGlossary)
		if len(fs) != len(tt.fields) {
			t.Errorf("%s: %d findings %v, want %v", tt.name, len(fs), codes(fs), tt.fields)
			continue
		}
		for i, f := range fs {
			if f.Field != tt.fields[i] || f.PublicationID != tt.pubIDs[i] {
				t.Errorf("%s: finding on %q (publication %d), want %q (%d)", tt.name, f.Field, f.PublicationID, tt.fields[i], tt.pubIDs[i])
			}
		}
	}
}
