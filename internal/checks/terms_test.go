package checks

import (
	"strings"
	"testing"
)

func TestSourceTerms(t *testing.T) {
	c := newTestChecker(t, Config{Glossary: []Term{
		{Source: "Claude Monet", Aliases: []string{"Monet"}, ZH: "莫奈", Accepted: []string{"克劳德·莫奈"}},
		{Source: "impressionnisme", ZH: "印象派"},
		{Source: "post-impressionnisme", ZH: "后印象派"},
		{Source: "Giverny", ZH: "吉维尼"},
	}})
	text := "Claude Monet peint à Giverny ; le post-impressionnisme suit. Monet encore."
	got := c.SourceTerms(text)
	var names []string
	rs := []rune(text)
	for _, s := range got {
		if string(rs[s.Start:s.End]) != s.Source {
			t.Errorf("span %d–%d is %q, not %q", s.Start, s.End, string(rs[s.Start:s.End]), s.Source)
		}
		names = append(names, s.Source+"="+s.ZH)
	}
	want := "Claude Monet=莫奈 Giverny=吉维尼 post-impressionnisme=后印象派 Monet=莫奈"
	if strings.Join(names, " ") != want {
		t.Errorf("SourceTerms = %q, want %q", strings.Join(names, " "), want)
	}
	if got[0].Accepted[0] != "克劳德·莫奈" {
		t.Errorf("accepted renderings: %v", got[0].Accepted)
	}
	if c.SourceTerms("") != nil || newTestChecker(t, Config{}).SourceTerms(text) != nil {
		t.Error("no text or no glossary: no terms")
	}
}

func TestWeiboFold(t *testing.T) {
	for _, c := range []struct {
		s     string
		limit int
		want  int
	}{
		{strings.Repeat("字", 140), 140, -1},
		{strings.Repeat("字", 141), 140, 140},
		{strings.Repeat("a", 280), 140, -1},
		{strings.Repeat("a", 281), 140, 280},
		{strings.Repeat("字", 5) + "abc", 5, 5},
	} {
		if got := WeiboFold(c.s, c.limit); got != c.want {
			t.Errorf("WeiboFold(%d runes, %d) = %d, want %d", len([]rune(c.s)), c.limit, got, c.want)
		}
	}
}

// FuzzSourceTerms: whatever the text, the terms' spans lie in it, in order, and name
// what they cover; the fold lies in the text.
func FuzzSourceTerms(f *testing.F) {
	c := newTestChecker(f, Config{Glossary: []Term{
		{Source: "Claude Monet", Aliases: []string{"Monet"}, ZH: "莫奈"},
		{Source: "impressionnisme", ZH: "印象派"},
		{Source: "post-impressionnisme", ZH: "后印象派"},
	}})
	for _, s := range []string{"Claude Monet", "post-impressionnisme de Monet", "", "\xff\xfeMonet", "MONET monet Mönet", "https://x.example/Monet 字字"} {
		f.Add(s, 5)
	}
	f.Fuzz(func(t *testing.T, s string, limit int) {
		rs := []rune(s)
		prev := 0
		for _, x := range c.SourceTerms(s) {
			if x.Start < prev || x.End <= x.Start || x.End > len(rs) || string(rs[x.Start:x.End]) != x.Source {
				t.Fatalf("term %+v in %q", x, s)
			}
			prev = x.End
		}
		if limit < 0 || limit > 1000 {
			return
		}
		if at := WeiboFold(s, limit); at < -1 || at > len(rs) {
			t.Fatalf("fold %d of %d runes", at, len(rs))
		}
	})
}
