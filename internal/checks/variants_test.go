package checks

import "testing"

// TestVariantTerms: a non-preferred rendering is found with the glossary's rendering;
// the approved rendering, and a variant inside an approved rendering, are not.
func TestVariantTerms(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t, Config{Glossary: []Term{
		{Source: "Edgar Degas", Aliases: []string{"Degas"}, ZH: "德加", Variants: []string{"德加斯"}},
		{Source: "Vincent van Gogh", ZH: "梵高", Variants: []string{"梵谷", "凡高"}},
		{Source: "Grand Palais", ZH: "大皇宫", Variants: []string{"大宫"}},
		{Source: "Petit Palais", ZH: "小宫殿", Accepted: []string{"巴黎小皇宫"}, Variants: []string{"小皇宫"}},
	}})
	tests := []struct {
		text string
		want []string // found→zh
	}{
		{"我喜欢梵高和德加", nil},
		{"我喜欢梵谷和德加斯的画", []string{"梵谷→梵高", "德加斯→德加"}},
		{"凡高", []string{"凡高→梵高"}},
		{"巴黎小皇宫几点开门", nil},
		{"小皇宫几点开门", []string{"小皇宫→小宫殿"}},
		{"", nil},
	}
	for _, tc := range tests {
		var got []string
		for _, v := range c.VariantTerms(tc.text) {
			got = append(got, v.Found+"→"+v.ZH)
			if string([]rune(tc.text)[v.Start:v.End]) != v.Found {
				t.Errorf("%q: offsets %d-%d do not give %q", tc.text, v.Start, v.End, v.Found)
			}
		}
		if len(got) != len(tc.want) {
			t.Errorf("%q: %v, want %v", tc.text, got, tc.want)
			continue
		}
		for i := range got {
			if got[i] != tc.want[i] {
				t.Errorf("%q: %v, want %v", tc.text, got, tc.want)
			}
		}
	}
	if n := newTestChecker(t, Config{}).VariantTerms("梵谷"); n != nil {
		t.Errorf("without a glossary: %v", n)
	}
}
