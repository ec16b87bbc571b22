package checks

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
)

// benchData builds, deterministically, a 5,000-term glossary, a 20,000-term
// vocabulary and a post whose WeChat article has 20,000 characters of Chinese text.
func benchData() (Config, Input) {
	rng := rand.New(rand.NewPCG(1, 2))
	han := func(n int) string {
		var b strings.Builder
		for range n {
			b.WriteRune(rune(0x4E00 + rng.IntN(0x9FA5-0x4E00)))
		}
		return b.String()
	}
	latin := func(n int) string {
		const letters = "abcdefghijklmnopqrstuvwxyz"
		b := make([]byte, n)
		for i := range b {
			b[i] = letters[rng.IntN(len(letters))]
		}
		b[0] -= 'a' - 'A'
		return string(b)
	}
	var cfg Config
	for i := range 5000 {
		cfg.Glossary = append(cfg.Glossary, Term{
			Source:   fmt.Sprintf("%s %s %d", latin(6), latin(8), i),
			ZH:       han(3 + rng.IntN(3)),
			Variants: []string{han(4)},
		})
	}
	for i := range 20000 {
		sev := LexiconWarn
		if i%3 == 0 {
			sev = LexiconBlock
		}
		cfg.Lexicon = append(cfg.Lexicon, LexiconEntry{Term: han(2 + rng.IntN(3)), Severity: sev})
	}
	var zh, src strings.Builder
	for zh.Len() < 3*20000-300 {
		switch k := rng.IntN(40); {
		case k == 0:
			t := cfg.Glossary[rng.IntN(len(cfg.Glossary))]
			zh.WriteString(t.ZH)
			src.WriteString(t.Source + " ")
		case k == 1:
			zh.WriteString(cfg.Lexicon[rng.IntN(len(cfg.Lexicon))].Term)
		case k < 6:
			zh.WriteString("，")
		default:
			zh.WriteString(han(5))
			src.WriteString(latin(5) + " ")
		}
	}
	text := []rune(zh.String())[:19000]
	var body strings.Builder
	for i := 0; i < len(text); i += 500 {
		body.WriteString("<p>" + string(text[i:min(i+500, len(text))]) + "</p>")
	}
	in := Input{
		Lang:       "fr",
		SourceText: src.String(),
		TextZH:     string(text),
		Publications: []PublicationInput{{
			ID: 1, Platform: passerelle.WeChat, Mode: ModeWeChatDraft,
			WeChat: &WeChatFields{Title: "标题", Author: "作者", Digest: "摘要", BodyHTML: body.String(), CoverSet: true},
		}},
	}
	return cfg, in
}

func BenchmarkCheckArticle(b *testing.B) {
	cfg, in := benchData()
	c, err := NewChecker(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	var n int
	cpu := processCPU()
	for b.Loop() {
		n = len(c.Check(in))
	}
	b.ReportMetric(float64(n), "findings")
	if d := processCPU() - cpu; d > 0 {
		// CPU time (all threads, GC included) per run: steadier than wall time on a
		// machine shared with other work.
		b.ReportMetric(float64(d.Nanoseconds())/float64(b.N), "cpu-ns/op")
	}
}

func BenchmarkNewChecker(b *testing.B) {
	cfg, _ := benchData()
	for b.Loop() {
		if _, err := NewChecker(cfg); err != nil {
			b.Fatal(err)
		}
	}
}
