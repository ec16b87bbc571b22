package wechat

import (
	"bytes"
	"encoding/xml"
	"unicode/utf8"
)

// A small exact reader for WeChat's flat pushes. Nearly every push is one <xml> root
// holding elements of text or one CDATA section, nothing else: the safe-mode envelope,
// text messages, subscribe, SCAN and click events. encoding/xml spends most of the push
// endpoint's parsing time on its generality (a fifth of the endpoint's CPU with its
// drain, profile of bench/desk). scanFlat reads only that strict subset and declines
// everything else (a declaration, attributes, comments, nested or empty-tag elements,
// entities, carriage returns, a repeated field, characters XML forbids): the callers
// then read the body with encoding/xml as before, so the result is always what
// encoding/xml gives (FuzzFlatMatchesXML holds it to that).

// isFlatSpace is the whitespace scanFlat accepts between elements. Carriage returns
// are declined: encoding/xml rewrites them, and WeChat does not send them.
func isFlatSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' }

// scanFlat calls field with the name and the text of each child element of body's
// <xml> root, in order, and returns true when body is a flat document it read
// entirely. It returns false, perhaps after some calls, when body is anything else or
// when field returns false; the caller then discards what it saw.
func scanFlat(body []byte, field func(name, value []byte) bool) bool {
	i := skipFlatSpace(body, 0)
	if !bytes.HasPrefix(body[i:], []byte("<xml>")) {
		return false
	}
	i += len("<xml>")
	for {
		i = skipFlatSpace(body, i)
		if i >= len(body) || body[i] != '<' {
			return false
		}
		i++
		if i < len(body) && body[i] == '/' {
			// The root's end: only whitespace may follow.
			if !bytes.HasPrefix(body[i:], []byte("/xml>")) {
				return false
			}
			return skipFlatSpace(body, i+len("/xml>")) == len(body)
		}
		name, n := flatName(body[i:])
		if n == 0 || i+n >= len(body) || body[i+n] != '>' {
			return false
		}
		i += n + 1
		value, next, ok := flatValue(body, i)
		if !ok {
			return false
		}
		i = next
		// The end tag: </name>.
		if !bytes.HasPrefix(body[i:], []byte("</")) || !bytes.HasPrefix(body[i+2:], name) {
			return false
		}
		i += 2 + len(name)
		if i >= len(body) || body[i] != '>' {
			return false
		}
		i++
		if !field(name, value) {
			return false
		}
	}
}

func skipFlatSpace(b []byte, i int) int {
	for i < len(b) && isFlatSpace(b[i]) {
		i++
	}
	return i
}

// flatName reads an element name of ASCII letters, digits and underscores, not
// starting with a digit; n is 0 when there is none.
func flatName(b []byte) (name []byte, n int) {
	for n < len(b) {
		c := b[n]
		if c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || n > 0 && '0' <= c && c <= '9' {
			n++
			continue
		}
		break
	}
	return b[:n], n
}

// flatValue reads an element's content from i: one CDATA section, or plain text
// without markup or entities, or nothing. next is where the end tag starts.
func flatValue(b []byte, i int) (value []byte, next int, ok bool) {
	const open, end = "<![CDATA[", "]]>"
	if bytes.HasPrefix(b[i:], []byte(open)) {
		start := i + len(open)
		k := bytes.Index(b[start:], []byte(end))
		if k < 0 {
			return nil, 0, false
		}
		value = b[start : start+k]
		if !flatChars(value, false) {
			return nil, 0, false
		}
		return value, start + k + len(end), true
	}
	k := bytes.IndexByte(b[i:], '<')
	if k < 0 {
		return nil, 0, false
	}
	value = b[i : i+k]
	if !flatChars(value, true) {
		return nil, 0, false
	}
	return value, i + k, true
}

// flatChars reports whether s is valid UTF-8 of characters XML allows, without
// carriage returns, and, for plain text, without '&' and '>' (entities and the
// sequences XML forbids in text are left to encoding/xml).
func flatChars(s []byte, plain bool) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			switch {
			case c == '\r':
				return false
			case c < 0x20 && c != '\t' && c != '\n':
				return false
			case plain && (c == '&' || c == '>'):
				return false
			}
			i++
			continue
		}
		r, size := utf8.DecodeRune(s[i:])
		if r == utf8.RuneError && size == 1 || r > 0xFFFD && r < 0x10000 || r >= 0xD800 && r < 0xE000 {
			return false
		}
		i += size
	}
	return true
}

// parseFlat fills x from a flat push; false (x then partly filled) when body is not
// one, or names an element whose content is structured (PublishEventInfo,
// ArticleUrlResult) or repeats a field.
func (x *messageXML) parseFlat(body []byte) bool {
	x.XMLName = xml.Name{Local: "xml"}
	var seen uint32
	return scanFlat(body, func(name, value []byte) bool {
		var dst *string
		var bit uint32
		switch string(name) {
		case "ToUserName":
			dst, bit = &x.ToUserName, 1<<0
		case "FromUserName":
			dst, bit = &x.FromUserName, 1<<1
		case "CreateTime":
			dst, bit = &x.CreateTime, 1<<2
		case "MsgType":
			dst, bit = &x.MsgType, 1<<3
		case "Event":
			dst, bit = &x.Event, 1<<4
		case "EventKey":
			dst, bit = &x.EventKey, 1<<5
		case "Ticket":
			dst, bit = &x.Ticket, 1<<6
		case "MsgId":
			dst, bit = &x.MsgId, 1<<7
		case "MsgID":
			dst, bit = &x.MsgID, 1<<8
		case "Content":
			dst, bit = &x.Content, 1<<9
		case "PicUrl":
			dst, bit = &x.PicURL, 1<<10
		case "MediaId":
			dst, bit = &x.MediaID, 1<<11
		case "Recognition":
			dst, bit = &x.Recognition, 1<<12
		case "Status":
			dst, bit = &x.Status, 1<<13
		case "TotalCount":
			dst, bit = &x.TotalCount, 1<<14
		case "FilterCount":
			dst, bit = &x.FilterCount, 1<<15
		case "SentCount":
			dst, bit = &x.SentCount, 1<<16
		case "ErrorCount":
			dst, bit = &x.ErrorCount, 1<<17
		case "PublishEventInfo", "ArticleUrlResult":
			return false
		default:
			return true // ignored, as encoding/xml ignores it
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		*dst = string(value)
		return true
	})
}

// parseFlat fills e from a flat envelope; false as messageXML.parseFlat.
func (e *envelopeXML) parseFlat(body []byte) bool {
	e.XMLName = xml.Name{Local: "xml"}
	var seen uint32
	return scanFlat(body, func(name, value []byte) bool {
		var dst *string
		var bit uint32
		switch string(name) {
		case "ToUserName":
			dst, bit = &e.ToUserName, 1<<0
		case "Encrypt":
			dst, bit = &e.Encrypt, 1<<1
		default:
			return true
		}
		if seen&bit != 0 {
			return false
		}
		seen |= bit
		*dst = string(value)
		return true
	})
}
