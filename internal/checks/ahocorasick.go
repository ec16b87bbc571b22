package checks

import (
	"slices"
	"unicode"
)

// matcher is an Aho–Corasick automaton over runes. Patterns are stored folded (see
// hanData.foldRune) and the folding is baked into the rune → class table, so a scan
// reads the original text directly and match offsets are rune offsets in it.
//
// No maintained Go library matches over runes with a custom folding and word
// boundaries, and the automaton is small, so it lives here. Transitions are kept as
// sorted edge lists (binary search) with a dense table for the root, whose fan-out is
// the alphabet; that keeps 100,000 states in a few megabytes while a scan costs a
// handful of nanoseconds per rune.
type matcher struct {
	classBMP    []int32 // class of each BMP rune, 0 when no pattern uses it
	classAstral map[rune]int32
	rootNext    []int32 // by class; 0 when the root has no such edge
	edgeOff     []int32 // edges of state s are edgeCls/edgeTo[edgeOff[s]:edgeOff[s+1]]
	edgeCls     []int32
	edgeTo      []int32
	fail        []int32
	out         []int32 // pattern ending at the state, -1 if none
	dict        []int32 // next state on the fail chain with an output, 0 if none
	patLen      []int32
	patEdges    []uint8 // bit 0: pattern starts with a word rune; bit 1: ends with one
}

const (
	edgeWordStart = 1 << iota
	edgeWordEnd
)

// newMatcher builds the automaton of patterns, which must be folded and non-empty.
// Pattern i is reported as i; duplicates are the caller's business (the last wins).
func newMatcher(h *hanData, patterns [][]rune) *matcher {
	m := &matcher{
		classBMP:    make([]int32, 0x10000),
		classAstral: map[rune]int32{},
		patLen:      make([]int32, len(patterns)),
		patEdges:    make([]uint8, len(patterns)),
	}
	// Classes for the runes patterns use; rune values of folded patterns are already
	// folded, so a text rune's class is the class of its folded form.
	class := map[rune]int32{}
	for i, p := range patterns {
		m.patLen[i] = int32(len(p))
		if len(p) > 0 && isWordRune(p[0]) {
			m.patEdges[i] |= edgeWordStart
		}
		if len(p) > 0 && isWordRune(p[len(p)-1]) {
			m.patEdges[i] |= edgeWordEnd
		}
		for _, r := range p {
			if _, ok := class[r]; !ok {
				class[r] = int32(len(class) + 1)
			}
		}
	}
	for r := range rune(0x10000) {
		m.classBMP[r] = class[h.foldRune(r)]
	}
	for r, c := range class {
		if r >= 0x10000 {
			m.classAstral[r] = c
		}
	}
	for t, s := range h.toSimp {
		if t >= 0x10000 {
			if c, ok := class[s]; ok {
				m.classAstral[t] = c
			}
		}
	}

	// Trie.
	type edge struct{ cls, to int32 }
	children := [][]edge{nil}
	m.out = []int32{-1}
	goTo := map[uint64]int32{}
	for i, p := range patterns {
		s := int32(0)
		for _, r := range p {
			c := class[r]
			key := uint64(s)<<32 | uint64(c)
			t, ok := goTo[key]
			if !ok {
				t = int32(len(children))
				children = append(children, nil)
				m.out = append(m.out, -1)
				goTo[key] = t
				children[s] = append(children[s], edge{c, t})
			}
			s = t
		}
		if len(p) > 0 {
			m.out[s] = int32(i)
		}
	}
	n := len(children)
	m.rootNext = make([]int32, len(class)+1)
	m.edgeOff = make([]int32, n+1)
	for s, es := range children {
		slices.SortFunc(es, func(a, b edge) int { return int(a.cls - b.cls) })
		m.edgeOff[s+1] = m.edgeOff[s] + int32(len(es))
	}
	m.edgeCls = make([]int32, 0, m.edgeOff[n])
	m.edgeTo = make([]int32, 0, m.edgeOff[n])
	for _, es := range children {
		for _, e := range es {
			m.edgeCls = append(m.edgeCls, e.cls)
			m.edgeTo = append(m.edgeTo, e.to)
		}
	}
	for _, e := range children[0] {
		m.rootNext[e.cls] = e.to
	}

	// Failure and dictionary links, breadth first.
	m.fail = make([]int32, n)
	m.dict = make([]int32, n)
	queue := make([]int32, 0, n)
	for _, e := range children[0] {
		queue = append(queue, e.to)
	}
	for len(queue) > 0 {
		s := queue[0]
		queue = queue[1:]
		for _, e := range children[s] {
			f := m.fail[s]
			for {
				if t := m.child(f, e.cls); t != 0 {
					f = t
					break
				}
				if f == 0 {
					break
				}
				f = m.fail[f]
			}
			m.fail[e.to] = f
			if m.out[f] >= 0 {
				m.dict[e.to] = f
			} else {
				m.dict[e.to] = m.dict[f]
			}
			queue = append(queue, e.to)
		}
	}
	return m
}

func (m *matcher) classOf(r rune) int32 {
	if r >= 0 && r < 0x10000 {
		return m.classBMP[r]
	}
	return m.classAstral[r]
}

// child returns the state reached from s on class c, 0 when there is no edge.
func (m *matcher) child(s, c int32) int32 {
	if s == 0 {
		return m.rootNext[c]
	}
	lo, hi := m.edgeOff[s], m.edgeOff[s+1]
	for lo < hi {
		mid := int32(uint32(lo+hi) >> 1)
		switch x := m.edgeCls[mid]; {
		case x == c:
			return m.edgeTo[mid]
		case x < c:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0
}

// scan calls fn for every occurrence of every pattern in text, in order of end
// offset, with rune offsets [start, end). A pattern that starts (ends) with a letter
// or digit only matches where the text has no letter or digit just before (after)
// it, so "Degas" is not found in "Degassing"; Chinese characters are not word runes,
// so 莫奈 is found anywhere.
func (m *matcher) scan(text []rune, fn func(pat, start, end int)) {
	s := int32(0)
	for i, r := range text {
		c := m.classOf(r)
		if c == 0 {
			s = 0
			continue
		}
		for {
			if t := m.child(s, c); t != 0 {
				s = t
				break
			}
			if s == 0 {
				break
			}
			s = m.fail[s]
		}
		o := s
		if m.out[o] < 0 {
			o = m.dict[o]
		}
		for o != 0 {
			p := m.out[o]
			end := i + 1
			start := end - int(m.patLen[p])
			if m.boundaryOK(text, p, start, end) {
				fn(int(p), start, end)
			}
			o = m.dict[o]
		}
	}
}

func (m *matcher) boundaryOK(text []rune, p int32, start, end int) bool {
	e := m.patEdges[p]
	if e&edgeWordStart != 0 && start > 0 && isWordRune(text[start-1]) {
		return false
	}
	if e&edgeWordEnd != 0 && end < len(text) && isWordRune(text[end]) {
		return false
	}
	return true
}

// isWordRune reports whether r belongs to a space-separated word: letters and digits
// of alphabetic scripts. Han, kana and hangul are written without spaces.
func isWordRune(r rune) bool {
	if r < 0x80 {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	if unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r) {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r)
}
