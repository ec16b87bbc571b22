package checks

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// naiveMatches finds every occurrence of every pattern the slow way, with the same
// folding and word boundaries as the automaton.
func naiveMatches(h *hanData, patterns [][]rune, text []rune) []string {
	folded := foldRunes(h, text)
	var out []string
	for p, pat := range patterns {
		for start := 0; start+len(pat) <= len(text); start++ {
			if !slices.Equal(folded[start:start+len(pat)], pat) {
				continue
			}
			end := start + len(pat)
			if isWordRune(pat[0]) && start > 0 && isWordRune(text[start-1]) {
				continue
			}
			if isWordRune(pat[len(pat)-1]) && end < len(text) && isWordRune(text[end]) {
				continue
			}
			out = append(out, fmt.Sprint(p, start, end))
		}
	}
	slices.Sort(out)
	return out
}

func automatonMatches(h *hanData, patterns [][]rune, text []rune) []string {
	var out []string
	newMatcher(h, patterns).scan(text, func(p, start, end int) { out = append(out, fmt.Sprint(p, start, end)) })
	slices.Sort(out)
	return out
}

func TestMatcherAgreesWithNaiveSearch(t *testing.T) {
	t.Parallel()
	h, err := hanTables()
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		patterns []string
		text     string
	}{
		{"overlaps", []string{"he", "she", "his", "hers"}, "ushers and his sheep"},
		{"word starts", []string{"degas", "gas", "as"}, "Degassing gas as degas, as-is"},
		{"phrase with spaces", []string{"musée d'orsay", "d'orsay", "orsay"}, "Le Musee d’Orsay, l'Orsay, d'orsay"},
		{"chinese inside chinese", []string{"印象派", "后印象派", "象"}, "后印象派与印象派"},
		{"mixed", []string{"vpn", "翻墙", "a"}, "用VPN翻墙 a vpnx ＶＰＮ"},
		{"traditional folded", []string{"罗浮宫"}, "羅浮宮和罗浮宫"},
		{"failure inside a word", []string{"abcd", "bcx", "cx", "b c"}, "abcx abcd ab c xb c"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var pats [][]rune
			for _, p := range tt.patterns {
				pats = append(pats, foldRunes(h, []rune(p)))
			}
			text := []rune(tt.text)
			want, got := naiveMatches(h, pats, text), automatonMatches(h, pats, text)
			if !slices.Equal(got, want) || len(want) == 0 {
				t.Errorf("automaton %v, naive %v", got, want)
			}
		})
	}
}

func FuzzMatcher(f *testing.F) {
	h, err := hanTables()
	if err != nil {
		f.Fatal(err)
	}
	f.Add("ab|b c|c|印象|象派", "ab c 印象派 abc b c")
	f.Add("aa|a a|aaa", "aaaa a aa")
	f.Fuzz(func(t *testing.T, patterns, text string) {
		var pats [][]rune
		seen := map[string]bool{}
		for p := range strings.SplitSeq(patterns, "|") {
			fp := foldRunes(h, []rune(p))
			if len(fp) == 0 || len(fp) > 20 || seen[string(fp)] || len(pats) == 50 {
				continue
			}
			seen[string(fp)] = true
			pats = append(pats, fp)
		}
		rs := []rune(text)
		if len(rs) > 500 {
			rs = rs[:500]
		}
		want, got := naiveMatches(h, pats, rs), automatonMatches(h, pats, rs)
		if !slices.Equal(got, want) {
			t.Fatalf("patterns %q text %q: automaton %v, naive %v", patterns, string(rs), got, want)
		}
	})
}

func TestClassTableMatchesFolding(t *testing.T) {
	t.Parallel()
	h, err := hanTables()
	if err != nil {
		t.Fatal(err)
	}
	pats := [][]rune{foldRunes(h, []rune("Musée 罗浮宫 ＡＢＣ’–"))}
	m := newMatcher(h, pats)
	class := map[rune]int32{}
	for _, r := range pats[0] {
		class[r] = m.classOf(r)
	}
	for r := range rune(0x10000) {
		if got, want := m.classOf(r), class[h.foldRune(r)]; got != want {
			t.Fatalf("class of %q = %d, want %d (folds to %q)", r, got, want, h.foldRune(r))
		}
	}
}
