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
	classBMP    *[0x10000]int32 // class of each BMP rune, 0 when no pattern uses it
	classAstral map[rune]int32
	rootNext    []int32 // by class; 0 when the root has no such edge
	// states and edges: what a step reads of a state sits in one cache line.
	states []state
	edges  []edge
	patLen []int32
	maxLen int // longest pattern, in runes
	// wordClass tells the classes of letters and digits (see isWordRune).
	wordClass []bool
	patEdges  []uint8 // bit 0: pattern starts with a word rune; bit 1: ends with one
}

const (
	edgeWordStart = 1 << iota
	edgeWordEnd
)

// newMatcher builds the automaton of patterns, which must be folded and non-empty.
// Pattern i is reported as i; duplicates are the caller's business (the last wins).
func newMatcher(h *hanData, patterns [][]rune) *matcher {
	m := &matcher{
		classBMP:    new([0x10000]int32),
		classAstral: map[rune]int32{},
		patLen:      make([]int32, len(patterns)),
		patEdges:    make([]uint8, len(patterns)),
	}
	// Classes for the runes patterns use; rune values of folded patterns are already
	// folded, so a text rune's class is the class of its folded form.
	class := map[rune]int32{}
	for i, p := range patterns {
		m.patLen[i] = int32(len(p))
		m.maxLen = max(m.maxLen, len(p))
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
	for p, c := range class {
		if h.foldRune(p) == p {
			if p < 0x10000 {
				m.classBMP[p] = c
			} else {
				m.classAstral[p] = c
			}
		}
		for _, r := range h.unfold[p] {
			m.classBMP[r] = c
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
	children := [][]edge{nil}
	out := []int32{-1}
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
				out = append(out, -1)
				goTo[key] = t
				children[s] = append(children[s], edge{c, t})
			}
			s = t
		}
		if len(p) > 0 {
			out[s] = int32(i)
		}
	}
	// Number states breadth first: the shallow states, where a scan spends most of
	// its time, are then packed together (fewer cache misses), and every failure
	// link points to a lower number, so one pass in order computes them.
	n := len(children)
	order := make([]int32, 0, n)
	order = append(order, 0)
	for i := 0; i < len(order); i++ {
		for _, e := range children[order[i]] {
			order = append(order, e.to)
		}
	}
	renum := make([]int32, n)
	for i, s := range order {
		renum[s] = int32(i)
	}
	m.rootNext = make([]int32, len(class)+1)
	m.states = make([]state, n)
	m.edges = make([]edge, 0, n-1)
	for i, old := range order {
		es := children[old]
		for j := range es {
			es[j].to = renum[es[j].to]
		}
		slices.SortFunc(es, func(a, b edge) int { return int(a.cls - b.cls) })
		m.states[i] = state{off: int32(len(m.edges)), n: int32(len(es)), out: out[old]}
		if len(es) > 0 {
			m.states[i].cls1, m.states[i].to1 = es[0].cls, es[0].to
		}
		m.edges = append(m.edges, es...)
	}
	for _, e := range m.edges[:m.states[0].n] {
		m.rootNext[e.cls] = e.to
	}

	// Failure and dictionary links.
	for s := range int32(n) {
		st := m.states[s]
		for _, e := range m.edges[st.off : st.off+st.n] {
			f := int32(0)
			if s != 0 {
				f = st.fail
				for {
					if t := m.child(f, e.cls); t != 0 {
						f = t
						break
					}
					if f == 0 {
						break
					}
					f = m.states[f].fail
				}
			}
			c := &m.states[e.to]
			c.fail = f
			if f != 0 && m.states[f].out >= 0 {
				c.dict = f
			} else {
				c.dict = m.states[f].dict
			}
		}
	}
	m.restrictFailLinks(class)
	return m
}

// restrictFailLinks makes failure links skip the suffixes that start inside a word.
// A pattern that starts with a letter only matches at the start of a word, so after
// "Degas" fails on "Degass", falling back to "egass", "gass"… can find nothing:
// on Latin text with thousands of names this halves the scan. The dictionary links
// stay complete; boundaryOK still filters what they report.
func (m *matcher) restrictFailLinks(class map[rune]int32) {
	n := len(m.states)
	m.wordClass = make([]bool, len(class)+1)
	for r, c := range class {
		m.wordClass[c] = isWordRune(r)
	}
	parent := make([]int32, n)
	inClass := make([]int32, n)
	first := make([]int32, n) // class of the state's first rune
	depth := make([]int32, n)
	for s := range int32(n) {
		st := m.states[s]
		for _, e := range m.edges[st.off : st.off+st.n] {
			parent[e.to], inClass[e.to], depth[e.to] = s, e.cls, depth[s]+1
			first[e.to] = first[s]
			if s == 0 {
				first[e.to] = e.cls
			}
		}
	}
	// viable reports whether the suffix v of w may start a match: it starts with a
	// rune that is not a letter, or follows one that is not.
	viable := func(w, v int32) bool {
		if !m.wordClass[first[v]] {
			return true
		}
		a := w
		for range depth[v] {
			a = parent[a]
		}
		return !m.wordClass[inClass[a]]
	}
	restricted := make([]int32, n)
	for w := int32(1); w < int32(n); w++ {
		v := m.states[w].fail
		for v != 0 && !viable(w, v) {
			v = m.states[v].fail
		}
		restricted[w] = v
	}
	for w := range m.states {
		m.states[w].fail = restricted[w]
	}
}

func (m *matcher) classOf(r rune) int32 {
	if uint32(r) < 0x10000 {
		return m.classBMP[uint16(r)]
	}
	return m.classAstral[r]
}

// child returns the state reached from s on class c, 0 when there is no edge.
func (m *matcher) child(s, c int32) int32 {
	if s == 0 {
		return m.rootNext[c]
	}
	st := &m.states[s]
	if st.n == 0 {
		return 0
	}
	if st.cls1 == c {
		return st.to1
	}
	return searchEdges(m.edges[st.off+1:st.off+st.n], c)
}

type edge struct{ cls, to int32 }

type state struct {
	// The first edge is kept in the state: most states deep in the trie have
	// only that one, and the scan then reads no edge list.
	cls1, to1 int32
	off, n    int32 // edges[off:off+n], sorted by class
	fail      int32
	out       int32 // pattern ending here, -1 if none
	dict      int32 // next state on the fail chain with an output, 0 if none
}

// scan calls fn for every occurrence of every pattern in text, in order of end
// offset, with rune offsets [start, end). A pattern that starts (ends) with a letter
// or digit only matches where the text has no letter or digit just before (after)
// it, so "Degas" is not found in "Degassing"; Chinese characters are not word runes,
// so 莫奈 is found anywhere.
func (m *matcher) scan(text []rune, fn func(pat, start, end int)) {
	// The transition function is written out here rather than calling child: this
	// loop is where Check spends most of its time.
	classBMP, states, edges, rootNext, wordClass := m.classBMP, m.states, m.edges, m.rootNext, m.wordClass
	s := int32(0)
	prevWord := false
	for i, r := range text {
		var c int32
		if uint32(r) < 0x10000 {
			c = classBMP[uint16(r)]
		} else {
			c = m.classAstral[r]
		}
		if c == 0 {
			s = 0
			prevWord = isWordRune(r)
			continue
		}
		word := wordClass[c]
	step:
		for {
			if s == 0 {
				// Inside a word no match starts (see restrictFailLinks).
				if !word || !prevWord {
					s = rootNext[c]
				}
				break
			}
			st := &states[s]
			switch {
			case st.n == 0:
			case st.cls1 == c:
				s = st.to1
				break step
			case st.n > 1:
				if t := searchEdges(edges[st.off+1:st.off+st.n], c); t != 0 {
					s = t
					break step
				}
			}
			s = st.fail
		}
		prevWord = word
		if s == 0 {
			continue
		}
		o := s
		if states[o].out < 0 {
			o = states[o].dict
		}
		for o != 0 {
			p := states[o].out
			end := i + 1
			start := end - int(m.patLen[p])
			if m.boundaryOK(text, p, start, end) {
				fn(int(p), start, end)
			}
			o = states[o].dict
		}
	}
}

// searchEdges returns the target of the edge on class c in es (sorted), 0 if none.
func searchEdges(es []edge, c int32) int32 {
	if len(es) <= 8 {
		for _, e := range es {
			if e.cls == c {
				return e.to
			}
		}
		return 0
	}
	lo, hi := 0, len(es)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		switch x := es[mid].cls; {
		case x == c:
			return es[mid].to
		case x < c:
			lo = mid + 1
		default:
			hi = mid
		}
	}
	return 0
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
