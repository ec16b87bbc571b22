package i18n

import (
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Domain errors are written in English in the code, some with values in them
// ("The image is %d × %d pixels; each side may be at most %d."). By the time a message
// reaches a page or an API answer it is one string (it may have crossed a redirect as a
// flash), so it is translated from the string: the catalog carries the format under
// "msg." + the English format, and a formatted message is recognised by matching it
// against the formats, its values taken back out and put in the translation's verbs
// (%[n]d reorders them); a value printed with %s that is a message itself is
// translated too.

// verb matches one fmt verb: an optional explicit argument index, flags, width,
// precision and the verb letter.
var verb = regexp.MustCompile(`%(?:\[(\d+)\])?[-+# 0]*(?:\d+|\*)?(?:\.(?:\d+|\*))?([a-zA-Z%])`)

// format is one message id whose English text holds verbs, compiled to recognise the
// messages it formats.
type format struct {
	id      string
	re      *regexp.Regexp
	texts   []bool // per argument: printed with %s or %v (it may be a message itself)
	literal int    // characters outside the verbs: the most specific format wins
}

// compileFormats builds the recognisers of the "msg." ids of messages (the fallback
// language's) that hold verbs, most specific first.
func compileFormats(messages map[string]Message) []format {
	var out []format
	for id, m := range messages {
		if !strings.HasPrefix(id, "msg.") || m.Forms != nil {
			continue
		}
		f := strings.TrimPrefix(id, "msg.")
		if f == "%s" || f == "%v" {
			continue // a message that is only a value has nothing to recognise
		}
		if re, texts, lit, ok := compileFormat(f); ok {
			out = append(out, format{id: id, re: re, texts: texts, literal: lit})
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].literal != out[j].literal {
			return out[i].literal > out[j].literal
		}
		return out[i].id < out[j].id
	})
	return out
}

// compileFormat returns the anchored expression that matches what f formats, with one
// group per argument verb, which of the arguments are texts (%s, %v), and how many
// literal characters f has. ok is false when f holds no argument verb.
func compileFormat(f string) (re *regexp.Regexp, texts []bool, literal int, ok bool) {
	var b strings.Builder
	b.WriteString(`(?s)^`)
	last := 0
	for _, loc := range verb.FindAllStringSubmatchIndex(f, -1) {
		lit := f[last:loc[0]]
		literal += len(lit)
		b.WriteString(regexp.QuoteMeta(lit))
		last = loc[1]
		v := f[loc[4]:loc[5]]
		if v == "%" {
			literal++
			b.WriteString(`%`)
			continue
		}
		texts = append(texts, v == "s" || v == "v")
		switch v {
		case "d":
			b.WriteString(`(-?\d+)`)
		case "f", "g", "e":
			b.WriteString(`(-?[0-9.eE+]+|NaN|[+-]Inf)`)
		case "q":
			b.WriteString(`("(?:[^"\\]|\\.)*")`)
		default:
			b.WriteString(`(.*?)`)
		}
	}
	lit := f[last:]
	literal += len(lit)
	b.WriteString(regexp.QuoteMeta(lit))
	b.WriteString(`$`)
	if len(texts) == 0 {
		return nil, nil, 0, false
	}
	return regexp.MustCompile(b.String()), texts, literal, true
}

// fill puts the values in the verbs of text, in order or by their explicit index, as
// they were printed in the English message. A verb without a value is left as it is.
func fill(text string, values []string) string {
	next := 0
	return verb.ReplaceAllStringFunc(text, func(v string) string {
		m := verb.FindStringSubmatch(v)
		if m[2] == "%" {
			return "%"
		}
		i := next
		if m[1] != "" {
			n, err := strconv.Atoi(m[1])
			if err != nil {
				return v
			}
			i = n - 1
		}
		next = i + 1
		if i < 0 || i >= len(values) {
			return v
		}
		return values[i]
	})
}

// Domain returns a user-safe domain message, written in English in the code, in the
// localizer's language: the catalog's "msg." + the text when it has it, else the
// translation of the format that produced it, with its values; else the message as it
// is.
func (l *Localizer) Domain(msg string) string {
	if msg == "" {
		return ""
	}
	if m, ok := l.lookup("msg." + msg); ok {
		return m.Text
	}
	for _, f := range l.formats {
		values := f.re.FindStringSubmatch(msg)
		if values == nil {
			continue
		}
		m, ok := l.lookup(f.id)
		if !ok {
			return msg
		}
		values = values[1:]
		for i, text := range f.texts {
			if text && i < len(values) {
				// "line 3: %s": the value may be a message of its own (shorter than
				// this one, so this ends).
				values[i] = l.Domain(values[i])
			}
		}
		return fill(m.Text, values)
	}
	return msg
}
