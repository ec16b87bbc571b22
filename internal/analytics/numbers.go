package analytics

import (
	"errors"
	"strings"
)

// errNumber and its kin are the reasons a figure is refused, shown per row.
var (
	errNumber   = errors.New("not a number")
	errNegative = errors.New("a figure cannot be negative")
	errAbsurd   = errors.New("the figure is absurdly large")
	errFraction = errors.New("not a whole number")
)

// countCleaner drops the thousands separators and spaces of a figure; built once, as
// an import reads hundreds of thousands of figures.
var countCleaner = strings.NewReplacer(",", "", "，", "", " ", "", "\u00a0", "", "\u3000", "", "'", "")

// ParseCount reads a figure as Chinese exports write it: "12,345", "1.2万" (12,000),
// "3亿" (300,000,000), "10万+" (at least 100,000: lowerBound), "1.5w". An empty cell
// is ok == false (not given).
func ParseCount(s string) (n int64, lowerBound, ok bool, err error) {
	s = strings.TrimSpace(s)
	s = countCleaner.Replace(s)
	if s == "" || s == "-" || s == "--" || s == "—" {
		return 0, false, false, nil
	}
	if strings.HasSuffix(s, "+") {
		lowerBound = true
		s = strings.TrimSuffix(s, "+")
	}
	if strings.HasPrefix(s, "-") {
		return 0, false, false, errNegative
	}
	s = strings.TrimPrefix(s, "+")
	unit := int64(1)
	switch {
	case strings.HasSuffix(s, "亿"):
		unit, s = 100_000_000, strings.TrimSuffix(s, "亿")
	case strings.HasSuffix(s, "万"):
		unit, s = 10_000, strings.TrimSuffix(s, "万")
	case strings.HasSuffix(s, "w"), strings.HasSuffix(s, "W"):
		unit, s = 10_000, s[:len(s)-1]
	}
	intPart, frac, _ := strings.Cut(s, ".")
	if intPart == "" && frac == "" {
		return 0, false, false, errNumber
	}
	if len(intPart) > 12 {
		return 0, false, false, errAbsurd
	}
	for _, c := range intPart + frac {
		if c < '0' || c > '9' {
			return 0, false, false, errNumber
		}
	}
	for _, c := range intPart {
		n = n*10 + int64(c-'0')
	}
	n *= unit
	// The fraction, exactly: "1.25万" is 12,500; a fraction finer than the unit is an
	// error unless it is zeros ("12.0").
	scale := unit
	for _, c := range frac {
		scale /= 10
		d := int64(c - '0')
		if scale == 0 {
			if d != 0 {
				return 0, false, false, errFraction
			}
			continue
		}
		n += d * scale
	}
	if n > maxFigure {
		return 0, false, false, errAbsurd
	}
	return n, lowerBound, true, nil
}

// maxFigure bounds a figure (the store refuses more).
const maxFigure = 10_000_000_000

// FormatCount writes a figure for people: "100k+" for a lower bound.
func FormatCount(n int64, lowerBound bool) string {
	s := groupThousands(n)
	if lowerBound {
		switch {
		case n >= 1_000_000 && n%1_000_000 == 0:
			s = groupThousands(n/1_000_000) + "M"
		case n >= 1_000 && n%1_000 == 0:
			s = groupThousands(n/1_000) + "k"
		}
		return s + "+"
	}
	return s
}

func groupThousands(n int64) string {
	neg := n < 0
	if neg {
		n = -n
	}
	digits := []byte{}
	for i := 0; n > 0 || i == 0; i++ {
		if i > 0 && i%3 == 0 {
			digits = append(digits, ',')
		}
		digits = append(digits, byte('0'+n%10))
		n /= 10
	}
	if neg {
		digits = append(digits, '-')
	}
	for i, j := 0, len(digits)-1; i < j; i, j = i+1, j-1 {
		digits[i], digits[j] = digits[j], digits[i]
	}
	return string(digits)
}
