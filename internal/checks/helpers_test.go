package checks

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle/internal/i18n"
)

// newTestChecker builds a checker or fails the test.
func newTestChecker(t testing.TB, cfg Config) *Checker {
	t.Helper()
	c, err := NewChecker(cfg)
	if err != nil {
		t.Fatalf("NewChecker: %v", err)
	}
	return c
}

// withRule returns the findings of rule.
func withRule(fs []Finding, rule string) []Finding {
	var out []Finding
	for _, f := range fs {
		if f.Rule == rule {
			out = append(out, f)
		}
	}
	return out
}

// spanText returns the text a finding's span covers in value.
func spanText(value string, f Finding) string {
	rs := []rune(value)
	if f.Start < 0 || f.End > len(rs) || f.Start > f.End {
		return "<out of bounds>"
	}
	return string(rs[f.Start:f.End])
}

// checkInvariants asserts what holds for every finding of every input: a known
// rule and severity, a message, a span inside the field it names.
func checkInvariants(t testing.TB, in Input, fs []Finding) {
	t.Helper()
	for _, f := range fs {
		if f.Severity != SeverityError && f.Severity != SeverityWarning {
			t.Errorf("%+v: bad severity", f)
		}
		if f.Message == "" {
			t.Errorf("%+v: no message", f)
		}
		e, ok := i18n.Shared().Lookup("en", msgPrefix+f.Code)
		if !ok {
			t.Errorf("%+v: code not in catalog", f)
		}
		for _, name := range placeholders(e.Text) {
			if _, ok := f.Params[name]; !ok {
				t.Errorf("%+v: placeholder {%s} not filled", f, name)
			}
		}
		if !strings.HasPrefix(f.Code, f.Rule+".") {
			t.Errorf("%+v: code does not belong to rule", f)
		}
		v, ok := fieldValue(in, f.Field)
		if !ok {
			t.Errorf("%+v: unknown field", f)
			continue
		}
		if n := utf8.RuneCountInString(v); f.Start < 0 || f.End < f.Start || f.End > n {
			t.Errorf("%+v: span outside field of %d runes", f, n)
		}
	}
}

// fieldValue returns the value of the field a finding names ("" for fields that
// are not text, such as images or cover).
func fieldValue(in Input, field string) (string, bool) {
	switch field {
	case "source_text":
		return in.SourceText, true
	case "text_zh":
		return in.TextZH, true
	}
	for i, p := range in.Publications {
		prefix := pubField(i, "")
		if !strings.HasPrefix(field, prefix) {
			continue
		}
		name := strings.TrimPrefix(field, prefix)
		switch {
		case name == "text":
			return p.Text, true
		case name == "images" || name == "wechat.cover":
			return "", true
		case strings.HasPrefix(name, "topics["):
			return "", true
		}
		if p.WeChat == nil {
			return "", false
		}
		switch name {
		case "wechat.title":
			return p.WeChat.Title, true
		case "wechat.author":
			return p.WeChat.Author, true
		case "wechat.digest":
			return p.WeChat.Digest, true
		case "wechat.body_html":
			return p.WeChat.BodyHTML, true
		case "wechat.source_url":
			return p.WeChat.SourceURL, true
		}
	}
	return "", false
}

func codes(fs []Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	slices.Sort(out)
	return out
}

// placeholders lists the {name} placeholders of a template.
func placeholders(tmpl string) []string {
	var out []string
	for {
		i := strings.IndexByte(tmpl, '{')
		if i < 0 {
			break
		}
		j := strings.IndexByte(tmpl[i:], '}')
		if j < 0 {
			break
		}
		out = append(out, tmpl[i+1:i+j])
		tmpl = tmpl[i+j+1:]
	}
	slices.Sort(out)
	return out
}
