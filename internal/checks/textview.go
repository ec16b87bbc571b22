package checks

import (
	"bytes"
	"html"
	"unicode/utf8"
)

// textView is the text a check reads, with a way back to the field it came from.
// For a plain field it is the field itself; for an article body it is the text
// between tags, entities decoded, with a line break where a block element starts or
// ends, and each rune remembers the span of the body it came from.
type textView struct {
	runes []rune
	// srcStart[i], srcEnd[i] are the rune offsets in the field of rune i; both nil
	// when the view is the field itself.
	srcStart, srcEnd []int32
}

func plainView(s string) textView { return textView{runes: []rune(s)} }

// span maps [start, end) in the view to rune offsets in the field.
func (v *textView) span(start, end int) (int, int) {
	if v.srcStart == nil {
		return start, end
	}
	if len(v.runes) == 0 {
		return 0, 0
	}
	start = min(max(start, 0), len(v.runes)-1)
	end = min(max(end, start+1), len(v.runes))
	return int(v.srcStart[start]), int(v.srcEnd[end-1])
}

func (v *textView) push(r rune, start, end int) {
	v.runes = append(v.runes, r)
	v.srcStart = append(v.srcStart, int32(start))
	v.srcEnd = append(v.srcEnd, int32(end))
}

// appendBreak adds a line break standing for a block element's tag.
func (v *textView) appendBreak(start, end int) {
	if n := len(v.runes); n > 0 && v.runes[n-1] == '\n' {
		return
	}
	v.push('\n', start, end)
}

// appendHTMLText adds the raw text of a text token found at rune offset start,
// decoding character references (each decoded rune maps to the whole reference).
func (v *textView) appendHTMLText(raw []byte, start int) {
	pos := start
	for i := 0; i < len(raw); {
		if raw[i] == '&' {
			if j := bytes.IndexByte(raw[i:min(len(raw), i+40)], ';'); j > 1 {
				ref := string(raw[i : i+j+1])
				if dec := html.UnescapeString(ref); dec != ref {
					n := utf8.RuneCountInString(ref)
					for _, r := range dec {
						v.push(r, pos, pos+n)
					}
					pos += n
					i += len(ref)
					continue
				}
			}
		}
		r, size := utf8.DecodeRune(raw[i:])
		v.push(r, pos, pos+1)
		pos++
		i += size
	}
}
