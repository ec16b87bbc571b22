package sim

import (
	"regexp"
	"unicode/utf8"
)

// The simulator's own copy of Weibo's length rule (internal/checks has the product's):
// ASCII counts 1 unit, any other character 2, each http(s) URL 20 units, and the length
// is ceil(units/2). Kept private so that the simulator judges texts independently.

var urlPattern = regexp.MustCompile(`https?://[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+`)

func weiboLength(text string) int {
	units := 0
	rest := text
	for _, loc := range urlPattern.FindAllStringIndex(text, -1) {
		units += textUnits(text[len(text)-len(rest) : loc[0]])
		units += 20
		rest = text[loc[1]:]
	}
	units += textUnits(rest)
	return (units + 1) / 2
}

func textUnits(s string) int {
	n := 0
	for len(s) > 0 {
		r, size := utf8.DecodeRuneInString(s)
		s = s[size:]
		if r < utf8.RuneSelf {
			n++
		} else {
			n += 2
		}
	}
	return n
}
