package checks

import (
	"fmt"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"

	"github.com/longbridgeapp/opencc"
	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/width"
)

// The OpenCC dictionaries are embedded in the opencc module (go:embed), so conversion
// works offline and reads nothing from disk. Building a converter parses up to 1 MB of
// phrases (about 30 ms), so each converter and the derived character tables are built
// once per process, on first use, and never change afterwards: they are constants that
// happen to be computed lazily, not mutable state.
var (
	t2sConverter = sync.OnceValues(func() (*opencc.OpenCC, error) { return opencc.New("t2s") })
	hanTables    = sync.OnceValues(buildHanTables)
	converters   = map[Variant]func() (*opencc.OpenCC, error){
		Traditional: sync.OnceValues(func() (*opencc.OpenCC, error) { return opencc.New("s2t") }),
		Taiwan:      sync.OnceValues(func() (*opencc.OpenCC, error) { return opencc.New("s2twp") }),
		HongKong:    sync.OnceValues(func() (*opencc.OpenCC, error) { return opencc.New("s2hk") }),
	}
)

// Variant names a traditional Chinese standard a simplified text can be converted to.
type Variant string

const (
	// Traditional is OpenCC's standard traditional characters (no regional phrases).
	Traditional Variant = "zh-Hant"
	// Taiwan uses Taiwan's character forms and phrases (软件 → 軟體).
	Taiwan Variant = "zh-Hant-TW"
	// HongKong uses Hong Kong's character forms.
	HongKong Variant = "zh-Hant-HK"
)

// hanData is derived from OpenCC's TSCharacters dictionary.
type hanData struct {
	// toSimp maps a traditional character to its usual simplified form.
	toSimp map[rune]rune
	// tradOnly holds characters that simplified Chinese never uses: those the
	// dictionary converts and whose candidates do not include themselves (乾 stays
	// legitimate because 乾隆 keeps it; 羅 does not).
	tradOnly map[rune]bool
	// tradBMP is tradOnly as a bit set over the BMP, for the per-rune scan.
	tradBMP []uint64
	// fold maps every BMP rune to its matching form (see foldRune); unfold lists,
	// for a matching form, the other BMP runes that fold to it.
	fold   []rune
	unfold map[rune][]rune
}

func buildHanTables() (*hanData, error) {
	cc, err := t2sConverter()
	if err != nil {
		return nil, fmt.Errorf("load t2s dictionary: %w", err)
	}
	h := &hanData{toSimp: make(map[rune]rune, 4200), tradOnly: make(map[rune]bool, 4200)}
	found := false
	for _, g := range cc.DictChains {
		for i, file := range g.Files {
			if !strings.HasPrefix(file, "TSCharacters") {
				continue
			}
			found = true
			d := g.Dicts[i]
			for _, id := range d.Trie.PrefixPredict(nil, 0) {
				key, err := d.Trie.Key(id)
				if err != nil {
					continue
				}
				vi, err := d.Trie.Value(id)
				if err != nil || vi < 0 || vi >= len(d.Values) {
					continue
				}
				r, n := utf8.DecodeRune(key)
				if n != len(key) || r == utf8.RuneError {
					continue
				}
				cands := d.Values[vi]
				if len(cands) == 0 {
					continue
				}
				self := false
				for _, c := range cands {
					if c == string(r) {
						self = true
					}
				}
				first, n := utf8.DecodeRuneInString(cands[0])
				if n == len(cands[0]) && first != r {
					h.toSimp[r] = first
				}
				if !self {
					h.tradOnly[r] = true
				}
			}
		}
	}
	if !found || len(h.toSimp) < 1000 {
		return nil, fmt.Errorf("t2s dictionary: character table missing or short (%d entries)", len(h.toSimp))
	}
	h.tradBMP = make([]uint64, 0x10000/64)
	for r := range h.tradOnly {
		if r < 0x10000 {
			h.tradBMP[r/64] |= 1 << (r % 64)
		}
	}
	h.fold = make([]rune, 0x10000)
	h.unfold = map[rune][]rune{}
	for r := range rune(0x10000) {
		f := h.foldSlow(r)
		h.fold[r] = f
		if f != r {
			h.unfold[f] = append(h.unfold[f], r)
		}
	}
	return h, nil
}

// foldRune maps r to the form used for matching: full-width to half-width, lower
// case, Latin letters without accents, typographic apostrophes, dashes and spaces to
// their ASCII forms, traditional characters to simplified. It maps one rune to one
// rune so that offsets in folded text are offsets in the original.
func (h *hanData) foldRune(r rune) rune {
	if r >= 0 && int(r) < len(h.fold) {
		return h.fold[r]
	}
	if s, ok := h.toSimp[r]; ok {
		return s
	}
	return r
}

func (h *hanData) foldSlow(r rune) rune {
	if r >= 0xD800 && r <= 0xDFFF {
		return r
	}
	switch r {
	case '\u2019', '\u2018', '\u02bc', '\u2032', '`', '\u00b4':
		return '\''
	case '\u2010', '\u2011', '\u2012', '\u2013', '\u2014', '\u2212':
		return '-'
	case '\u00a0', '\u202f', '\u2007', '\u2009', '\t', '\n', '\r', '\u3000':
		return ' '
	}
	if p := width.LookupRune(r); p.Kind() == width.EastAsianFullwidth {
		if n := p.Narrow(); n != 0 {
			r = n
		}
	}
	if s, ok := h.toSimp[r]; ok {
		r = s
	}
	r = unicode.ToLower(r)
	if r >= 0xC0 && r < 0x250 {
		// Latin-1 and Latin Extended: keep the base letter of a decomposable character.
		d := norm.NFD.String(string(r))
		if b, n := utf8.DecodeRuneInString(d); n > 0 && b < 0x80 {
			r = b
		}
	}
	return r
}

// isTradOnly reports whether r is a character simplified Chinese does not use.
func (h *hanData) isTradOnly(r rune) bool {
	if r >= 0 && r < 0x10000 {
		return h.tradBMP[r/64]&(1<<(r%64)) != 0
	}
	return r > 0 && h.tradOnly[r]
}

// IsTraditionalOnly reports whether r is a traditional character that simplified
// Chinese replaces (羅, 館, 畫), as opposed to characters both scripts share.
func IsTraditionalOnly(r rune) (bool, error) {
	h, err := hanTables()
	if err != nil {
		return false, err
	}
	return h.isTradOnly(r), nil
}

// simplifiedRunes spells rs with the usual simplified form of each character: the
// suggestion shown next to a traditional character.
func simplifiedRunes(h *hanData, rs []rune) string {
	var b strings.Builder
	for _, r := range rs {
		if s, ok := h.toSimp[r]; ok {
			b.WriteRune(s)
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// ToTraditional converts simplified Chinese text to the traditional variant v with
// OpenCC's phrase and character dictionaries. Text in other scripts is unchanged.
// Checker.ToTraditional also applies the glossary's traditional renderings.
func ToTraditional(s string, v Variant) (string, error) {
	load, ok := converters[v]
	if !ok {
		return "", fmt.Errorf("convert to traditional: unknown variant %q", v)
	}
	cc, err := load()
	if err != nil {
		return "", fmt.Errorf("convert to traditional: %w", err)
	}
	out, err := cc.Convert(s)
	if err != nil {
		return "", fmt.Errorf("convert to traditional: %w", err)
	}
	return out, nil
}

// ToSimplified converts traditional Chinese text to simplified with OpenCC.
func ToSimplified(s string) (string, error) {
	cc, err := t2sConverter()
	if err != nil {
		return "", fmt.Errorf("convert to simplified: %w", err)
	}
	out, err := cc.Convert(s)
	if err != nil {
		return "", fmt.Errorf("convert to simplified: %w", err)
	}
	return out, nil
}
