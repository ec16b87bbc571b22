package weibo

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

const base62 = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"

// StatusID is the numeric id statuses/count takes for the id a post's address
// carries: the id itself (digits), or the one its base62 mid stands for (the
// "bid" of weibo.com/UID/BID addresses). It is empty when s is neither.
func StatusID(s string) string {
	s = strings.TrimSpace(s)
	if s == "" {
		return ""
	}
	if isDigits(s) {
		return strings.TrimLeft(s, "0")
	}
	return midToID(s)
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != "" && len(s) <= 20
}

// midToID converts a base62 mid to its numeric id: from the right, every group of
// four characters is a base-62 number written as seven decimal digits.
func midToID(mid string) string {
	if len(mid) < 1 || len(mid) > 16 {
		return ""
	}
	var parts []string
	for end := len(mid); end > 0; end -= 4 {
		start := max(0, end-4)
		var n int64
		for _, r := range mid[start:end] {
			i := strings.IndexRune(base62, r)
			if i < 0 {
				return ""
			}
			n = n*62 + int64(i)
		}
		if start > 0 {
			parts = append(parts, fmt.Sprintf("%07d", n))
		} else {
			parts = append(parts, strconv.FormatInt(n, 10))
		}
	}
	slices.Reverse(parts)
	id := strings.TrimLeft(strings.Join(parts, ""), "0")
	if !isDigits(id) {
		return ""
	}
	return id
}

// Mid is the base62 form of a numeric status id (the inverse of StatusID): from the
// right, every group of seven digits becomes four base-62 characters. It is empty
// when id is not 1 to 20 digits.
func Mid(id string) string {
	if !isDigits(id) {
		return ""
	}
	var parts []string
	for end := len(id); end > 0; end -= 7 {
		start := max(0, end-7)
		n, _ := strconv.ParseInt(id[start:end], 10, 64)
		var b []byte
		for ; n > 0; n /= 62 {
			b = append(b, base62[n%62])
		}
		slices.Reverse(b)
		part := string(b)
		if start > 0 {
			part = strings.Repeat("0", 4-len(part)) + part
		}
		parts = append(parts, part)
	}
	slices.Reverse(parts)
	return strings.TrimLeft(strings.Join(parts, ""), "0")
}
