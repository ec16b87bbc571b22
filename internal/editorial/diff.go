package editorial

import (
	"strings"
	"unicode"
)

// DiffOp is one run of a readable diff: "=" kept, "-" removed, "+" added.
type DiffOp struct {
	Op   string `json:"op"`
	Text string `json:"text"`
}

// maxDiffCells bounds the work of the exact diff; past it the texts are compared by
// lines, which stays readable for long articles.
const maxDiffCells = 4_000_000

// Diff compares two texts token by token: Han characters one by one (Chinese has no
// spaces), other words whole, so that a change of one name shows as that name.
func Diff(a, b string) []DiffOp {
	ta, tb := tokens(a), tokens(b)
	if len(ta)*len(tb) > maxDiffCells {
		ta, tb = lines(a), lines(b)
		if len(ta)*len(tb) > maxDiffCells {
			return []DiffOp{{"-", a}, {"+", b}}
		}
	}
	// Trim the common prefix and suffix before the quadratic part.
	pre := 0
	for pre < len(ta) && pre < len(tb) && ta[pre] == tb[pre] {
		pre++
	}
	suf := 0
	for suf < len(ta)-pre && suf < len(tb)-pre && ta[len(ta)-1-suf] == tb[len(tb)-1-suf] {
		suf++
	}
	var out []DiffOp
	add := func(op, text string) {
		if text == "" {
			return
		}
		if n := len(out); n > 0 && out[n-1].Op == op {
			out[n-1].Text += text
			return
		}
		out = append(out, DiffOp{op, text})
	}
	add("=", strings.Join(ta[:pre], ""))
	ma, mb := ta[pre:len(ta)-suf], tb[pre:len(tb)-suf]
	// Longest common subsequence, then walk it.
	n, m := len(ma), len(mb)
	lcs := make([][]int32, n+1)
	for i := range lcs {
		lcs[i] = make([]int32, m+1)
	}
	for i := n - 1; i >= 0; i-- {
		for j := m - 1; j >= 0; j-- {
			if ma[i] == mb[j] {
				lcs[i][j] = lcs[i+1][j+1] + 1
			} else {
				lcs[i][j] = max(lcs[i+1][j], lcs[i][j+1])
			}
		}
	}
	i, j := 0, 0
	for i < n || j < m {
		switch {
		case i < n && j < m && ma[i] == mb[j]:
			add("=", ma[i])
			i++
			j++
		case i < n && (j == m || lcs[i+1][j] >= lcs[i][j+1]):
			add("-", ma[i])
			i++
		default:
			add("+", mb[j])
			j++
		}
	}
	add("=", strings.Join(ta[len(ta)-suf:], ""))
	if out == nil {
		out = []DiffOp{}
	}
	return out
}

// tokens splits s into Han characters, runs of letters or digits, and single other
// characters (spaces and punctuation); joined, they give s back.
func tokens(s string) []string {
	var out []string
	rs := []rune(s)
	for i := 0; i < len(rs); {
		r := rs[i]
		if (unicode.IsLetter(r) || unicode.IsDigit(r)) && !unicode.Is(unicode.Han, r) {
			j := i + 1
			for j < len(rs) && (unicode.IsLetter(rs[j]) || unicode.IsDigit(rs[j])) && !unicode.Is(unicode.Han, rs[j]) {
				j++
			}
			out = append(out, string(rs[i:j]))
			i = j
			continue
		}
		out = append(out, string(r))
		i++
	}
	return out
}

func lines(s string) []string {
	return strings.SplitAfter(s, "\n")
}
