package desk

import (
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"
)

func TestNormalizeTags(t *testing.T) {
	t.Parallel()
	tests := []struct {
		in   []string
		want string // joined by "|"; "!" for a refusal
	}{
		{nil, ""},
		{[]string{" Press ", "ambassador", "press", ""}, "ambassador|press"},
		{[]string{"老师", "Teacher"}, "teacher|老师"},
		{[]string{"a,b"}, "!"},
		{[]string{"a，b"}, "!"},
		{[]string{"tab\there"}, "!"},
		{[]string{"bell\u0007"}, "!"},
		{[]string{strings.Repeat("t", 32)}, strings.Repeat("t", 32)},
		{[]string{strings.Repeat("t", 33)}, "!"},
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10"}, "1|10|2|3|4|5|6|7|8|9"},
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}, "!"},
		{[]string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "1", " "}, "1|10|2|3|4|5|6|7|8|9"},
	}
	for _, tc := range tests {
		got, err := NormalizeTags(tc.in)
		if tc.want == "!" {
			if passerelle.ErrorCode(err) != passerelle.EINVALID || passerelle.ErrorFields(err)["tags"] == "" {
				t.Errorf("%q: %v, %v; want a refusal on tags", tc.in, got, err)
			}
			continue
		}
		if err != nil || strings.Join(got, "|") != tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// FuzzNormalizeTags: staff's tags come from a form or the API; whatever they are,
// they are refused as EINVALID or come out within the limits, clean and sorted.
func FuzzNormalizeTags(f *testing.F) {
	f.Add("ambassador, Press,teacher")
	f.Add("老师，记者")
	f.Add("\x00,\xff, ,,")
	f.Fuzz(func(t *testing.T, s string) {
		tags, err := NormalizeTags(strings.Split(s, ","))
		if err != nil {
			if passerelle.ErrorCode(err) != passerelle.EINVALID {
				t.Fatalf("not EINVALID: %v", err)
			}
			return
		}
		if len(tags) > maxTags || !slices.IsSorted(tags) {
			t.Fatalf("accepted %q", tags)
		}
		for i, tag := range tags {
			if tag == "" || utf8.RuneCountInString(tag) > maxTagRunes || !utf8.ValidString(tag) || strings.ContainsAny(tag, ",，\n\r\t") ||
				tag != strings.ToLower(strings.TrimSpace(tag)) || (i > 0 && tags[i-1] == tag) {
				t.Fatalf("accepted %q", tag)
			}
		}
	})
}
