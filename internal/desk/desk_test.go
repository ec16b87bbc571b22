package desk

import (
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

func TestParseMenu(t *testing.T) {
	t.Parallel()
	long := strings.Repeat("x", 1025)
	tests := []struct {
		name, menu, field string
	}{
		{"ok", `{"button": [{"type": "click", "name": "开放时间", "key": "hours"}, {"name": "参观", "sub_button": [{"type": "view", "name": "语音导览", "url": "https://example.org/a"}, {"type": "miniprogram", "name": "票", "url": "https://example.org", "appid": "wx1", "pagepath": "p/index"}]}]}`, ""},
		{"no buttons", `{"button": []}`, "button"},
		{"four buttons", `{"button": [{"type":"click","name":"a","key":"a"},{"type":"click","name":"b","key":"b"},{"type":"click","name":"c","key":"c"},{"type":"click","name":"d","key":"d"}]}`, "button"},
		{"six sub-buttons", `{"button": [{"name": "x", "sub_button": [{"type":"click","name":"a","key":"a"},{"type":"click","name":"a","key":"a"},{"type":"click","name":"a","key":"a"},{"type":"click","name":"a","key":"a"},{"type":"click","name":"a","key":"a"},{"type":"click","name":"a","key":"a"}]}]}`, "button[0].sub_button"},
		{"name 17 bytes", `{"button": [{"type": "click", "name": "开放时间开放时", "key": "k"}]}`, "button[0].name"},
		{"sub name 61 bytes", `{"button": [{"name": "x", "sub_button": [{"type": "click", "name": "` + strings.Repeat("a", 61) + `", "key": "k"}]}]}`, "button[0].sub_button[0].name"},
		{"key too long", `{"button": [{"type": "click", "name": "a", "key": "` + strings.Repeat("k", 129) + `"}]}`, "button[0].key"},
		{"url too long", `{"button": [{"type": "view", "name": "a", "url": "https://e.org/` + long + `"}]}`, "button[0].url"},
		{"javascript url", `{"button": [{"type": "view", "name": "a", "url": "javascript:alert(1)"}]}`, "button[0].url"},
		{"unknown type", `{"button": [{"type": "scancode", "name": "a"}]}`, "button[0].type"},
		{"no type", `{"button": [{"name": "a"}]}`, "button[0].type"},
		{"miniprogram without page", `{"button": [{"type": "miniprogram", "name": "a", "url": "https://e.org", "appid": "wx"}]}`, "button[0].appid"},
		{"nested sub", `{"button": [{"name": "x", "sub_button": [{"name": "y", "sub_button": [{"type":"click","name":"z","key":"z"}]}]}]}`, "button[0].sub_button[0].sub_button"},
		{"unknown field", `{"button": [{"type": "click", "name": "a", "key": "a", "media_id": "m"}]}`, "button"},
		{"not json", `{"button": [`, "button"},
		{"control char", `{"button": [{"type": "click", "name": "a\u0007", "key": "a"}]}`, "button[0].name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseMenu([]byte(tt.menu))
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if passerelle.ErrorCode(err) != passerelle.EINVALID || passerelle.ErrorFields(err)[tt.field] == "" {
				t.Fatalf("err %v fields %v, want %s", err, passerelle.ErrorFields(err), tt.field)
			}
		})
	}
}

func FuzzParseMenu(f *testing.F) {
	f.Add([]byte(`{"button": [{"type": "click", "name": "开放时间", "key": "hours"}]}`))
	f.Add([]byte(`{"button": [{"name": "x", "sub_button": [{"type": "view", "name": "y", "url": "https://e.org"}]}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		m, err := ParseMenu(b)
		if err != nil {
			if passerelle.ErrorCode(err) != passerelle.EINVALID {
				t.Fatalf("not EINVALID: %v", err)
			}
			return
		}
		if len(m.Button) == 0 || len(m.Button) > maxButtons {
			t.Fatalf("accepted %d buttons", len(m.Button))
		}
		for _, b := range m.Button {
			if len(b.Name) > maxButtonBytes || len(b.SubButton) > maxSubButtons {
				t.Fatalf("accepted %+v", b)
			}
		}
	})
}

func TestRuleInput(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		in    RuleInput
		field string
	}{
		{"ok", RuleInput{Keywords: []string{"开放时间", "几点"}, Match: "contains", Text: "9:30"}, ""},
		{"default without keywords", RuleInput{Default: true, Text: "您好"}, ""},
		{"no keyword", RuleInput{Text: "x"}, "keywords"},
		{"blank keyword", RuleInput{Keywords: []string{" "}, Text: "x"}, "keywords"},
		{"long keyword", RuleInput{Keywords: []string{strings.Repeat("长", 31)}, Text: "x"}, "keywords"},
		{"bad match", RuleInput{Keywords: []string{"a"}, Match: "regex", Text: "x"}, "match"},
		{"no text", RuleInput{Keywords: []string{"a"}}, "text"},
		{"text 2049 bytes", RuleInput{Keywords: []string{"a"}, Text: strings.Repeat("a", 2049)}, "text"},
		{"half hours", RuleInput{Keywords: []string{"a"}, Text: "x", ActiveFrom: "09:00"}, "active_from"},
		{"bad hour", RuleInput{Keywords: []string{"a"}, Text: "x", ActiveFrom: "25:00", ActiveTo: "10:00"}, "active_from"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := tt.in.rule(1)
			if tt.field == "" {
				if err != nil {
					t.Fatal(err)
				}
				return
			}
			if passerelle.ErrorFields(err)[tt.field] == "" {
				t.Fatalf("err %v, want field %s", err, tt.field)
			}
		})
	}
}

func TestRuleSetAnswer(t *testing.T) {
	t.Parallel()
	// In the store's order: priority, then age.
	rules := []*store.ReplyRule{
		{Keywords: []string{"Hello"}, Match: MatchExact, Text: "hello", Priority: 0},
		{Keywords: []string{"开放"}, Match: MatchContains, Text: "night", ActiveFrom: "22:00", ActiveTo: "06:00", Priority: 0},
		{Keywords: []string{"开放时间"}, Match: MatchContains, Text: "hours", Priority: 1},
		{Default: true, Text: "default", Priority: 5},
	}
	rs := ruleSet{}
	for _, r := range rules {
		rs = append(rs, compile(r))
	}
	day := time.Date(2026, 5, 18, 3, 0, 0, 0, time.UTC)     // 11:00 in Beijing
	night := time.Date(2026, 5, 18, 15, 30, 0, 0, time.UTC) // 23:30 in Beijing
	tests := []struct {
		text string
		at   time.Time
		want string
	}{
		{"请问开放时间？", day, "hours"},
		{"请问开放时间？", night, "night"}, // priority 0, active at night
		{" hello ", day, "hello"},
		{"hello there", day, "default"},
		{"", day, "default"},
		{"门票", night, "default"},
	}
	for _, tt := range tests {
		if got := rs.answer(tt.text, tt.at); got != tt.want {
			t.Errorf("%q at %s: %q, want %q", tt.text, tt.at, got, tt.want)
		}
	}
}

func TestQRImages(t *testing.T) {
	t.Parallel()
	png, err := QRPNG("http://weixin.qq.com/q/02abc")
	if err != nil || len(png) < 100 || string(png[1:4]) != "PNG" {
		t.Fatalf("png %d %v", len(png), err)
	}
	svg, err := QRSVG("http://weixin.qq.com/q/02abc")
	if err != nil || !strings.HasPrefix(string(svg), "<svg") || !strings.Contains(string(svg), "h1v1h-1z") {
		t.Fatalf("svg %.60s %v", svg, err)
	}
	if _, err := QRPNG(""); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
		t.Fatalf("empty: %v", err)
	}
}
