package checks

import (
	"unicode"
)

// bracketPairs lists the paired marks whose balance is checked, opening then
// closing. ‘’ is left out: ’ is also the apostrophe of Latin text.
const bracketPairs = "《》「」『』“”（）()【】[]〈〉〔〕"

// bracket reports whether r is a paired mark, which one (its opening form), and
// whether it opens.
func bracket(r rune) (pair rune, opens, ok bool) {
	switch {
	case r == '(' || r == ')' || r == '[' || r == ']' || r == '“' || r == '”' || r == '（' || r == '）':
	case r >= '〈' && r <= '〕':
	default:
		return 0, false, false
	}
	var prev rune
	i := 0
	for _, p := range bracketPairs {
		if i%2 == 0 {
			prev = p
		}
		if p == r {
			return prev, i%2 == 0, true
		}
		i++
	}
	return 0, false, false
}

// fullWidthOf is the full-width form suggested for half-width punctuation found in
// a Chinese sentence.
var fullWidthOf = map[rune]string{
	',': "，", ';': "；", ':': "：", '!': "！", '?': "？", '.': "。", '(': "（", ')': "）", '"': "“”",
}

// isHan reports whether r is a Chinese character.
func isHan(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF || r >= 0x20000 && r <= 0x3134F ||
		r >= 0xF900 && r <= 0xFAFF || (r > 0x7F && unicode.Is(unicode.Han, r))
}

// typoIssue is a typography problem at view offsets.
type typoIssue struct {
	code       string
	start, end int
	params     map[string]string
}

// checkTypography finds half-width punctuation in Chinese sentences, unbalanced
// paired marks and runs of spaces. URLs are skipped. In an HTML body spaces collapse,
// so runs of spaces are not reported there.
func checkTypography(rs []rune, urls [][2]int, isHTML bool) []typoIssue {
	var out []typoIssue
	type open struct {
		r   rune
		pos int
	}
	var stack []open
	u := 0
	prevHan := func(i int) bool { return i > 0 && isHan(rs[i-1]) }
	nextHan := func(i int) bool { return i+1 < len(rs) && isHan(rs[i+1]) }
	for i := 0; i < len(rs); i++ {
		for u < len(urls) && urls[u][1] <= i {
			u++
		}
		if u < len(urls) && urls[u][0] <= i {
			i = urls[u][1] - 1
			continue
		}
		r := rs[i]
		switch r {
		case ',', ';', ':', '!', '?':
			if prevHan(i) {
				out = append(out, typoIssue{"typography.halfwidth_punct", i, i + 1, map[string]string{"char": string(r), "suggestion": fullWidthOf[r]}})
			}
		case '.':
			if !prevHan(i) {
				break
			}
			j := i
			for j < len(rs) && rs[j] == '.' {
				j++
			}
			if j-i == 1 && j < len(rs) && (isWordRune(rs[j]) && rs[j] < 0x80) {
				break
			}
			sugg := "。"
			if j-i > 1 {
				sugg = "……"
			}
			out = append(out, typoIssue{"typography.halfwidth_punct", i, j, map[string]string{"char": string(rs[i:j]), "suggestion": sugg}})
			i = j - 1
			continue
		case '"':
			if prevHan(i) || nextHan(i) {
				out = append(out, typoIssue{"typography.halfwidth_punct", i, i + 1, map[string]string{"char": `"`, "suggestion": "“”"}})
			}
			continue
		case ' ', '\u3000', '\u00a0':
			j := i
			for j < len(rs) && (rs[j] == ' ' || rs[j] == '\u3000' || rs[j] == '\u00a0') {
				j++
			}
			atLineStart := i == 0 || rs[i-1] == '\n'
			atLineEnd := j == len(rs) || rs[j] == '\n' || rs[j] == '\r'
			if j-i >= 2 && !isHTML && !atLineStart && !atLineEnd {
				out = append(out, typoIssue{code: "typography.double_space", start: i, end: j})
			}
			i = j - 1
			continue
		}
		if r == '(' && (prevHan(i) || nextHan(i)) || r == ')' && prevHan(i) {
			out = append(out, typoIssue{"typography.halfwidth_punct", i, i + 1, map[string]string{"char": string(r), "suggestion": fullWidthOf[r]}})
		}
		o, opens, ok := bracket(r)
		switch {
		case !ok:
		case opens:
			stack = append(stack, open{r, i})
		default:
			k := len(stack) - 1
			for k >= 0 && stack[k].r != o {
				k--
			}
			if k < 0 {
				out = append(out, typoIssue{"typography.unopened", i, i + 1, map[string]string{"char": string(r)}})
				continue
			}
			// Marks opened after the matching one and never closed.
			for _, s := range stack[k+1:] {
				out = append(out, typoIssue{"typography.unclosed", s.pos, s.pos + 1, map[string]string{"char": string(s.r)}})
			}
			stack = stack[:k]
		}
	}
	for _, s := range stack {
		out = append(out, typoIssue{"typography.unclosed", s.pos, s.pos + 1, map[string]string{"char": string(s.r)}})
	}
	return out
}

// findURLs returns the [start, end) rune spans of the http(s) URLs in rs: from the
// scheme to the first space, non-ASCII character or quote, without trailing
// sentence punctuation.
func findURLs(rs []rune) [][2]int {
	var out [][2]int
	for i := 0; i+7 <= len(rs); i++ {
		if rs[i] != 'h' && rs[i] != 'H' {
			continue
		}
		n := schemeLen(rs[i:])
		if n == 0 || (i > 0 && isWordRune(rs[i-1])) {
			continue
		}
		j := i + n
		for j < len(rs) && rs[j] > ' ' && rs[j] < 0x7F && rs[j] != '"' && rs[j] != '<' && rs[j] != '>' && rs[j] != '\'' {
			j++
		}
		for j > i+n && (rs[j-1] == '.' || rs[j-1] == ',' || rs[j-1] == ';' || rs[j-1] == ':' || rs[j-1] == '!' || rs[j-1] == '?' || rs[j-1] == ')') {
			if rs[j-1] == ')' && containsRune(rs[i:j-1], '(') {
				break
			}
			j--
		}
		out = append(out, [2]int{i, j})
		i = j - 1
	}
	return out
}

// schemeLen returns the length of "http://" or "https://" (any case) at the start
// of rs, or 0.
func schemeLen(rs []rune) int {
	lower := func(r rune) rune { return unicode.ToLower(r) }
	if len(rs) < 7 || lower(rs[0]) != 'h' || lower(rs[1]) != 't' || lower(rs[2]) != 't' || lower(rs[3]) != 'p' {
		return 0
	}
	k := 4
	if lower(rs[k]) == 's' {
		k++
	}
	if k+3 > len(rs) || rs[k] != ':' || rs[k+1] != '/' || rs[k+2] != '/' {
		return 0
	}
	return k + 3
}

func containsRune(rs []rune, r rune) bool {
	for _, x := range rs {
		if x == r {
			return true
		}
	}
	return false
}
