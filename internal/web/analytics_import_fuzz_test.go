package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
)

// FuzzParseFigures: the manual entry form never panics, and what it accepts is what
// the store would accept (whole, non-negative, bounded figures; a lower bound on
// views only); what it refuses is an invalid-input error with a catalog message.
func FuzzParseFigures(f *testing.F) {
	for _, s := range [][5]string{{"1.2万", "17,609", "744", "10", ""}, {"10万+", "", "", "", ""}, {"-5", "", "", "", ""}, {"", "3", "", "", "1"},
		{"3亿", "1e9", "", "", ""}, {"99999999999999", "", "", "", ""}, {"", "", "", "", ""}, {"１２", "1.25w", "0", "0.0", "on"}} {
		f.Add(s[0], s[1], s[2], s[3], s[4])
	}
	c, err := loadCatalogs()
	if err != nil {
		f.Fatal(err)
	}
	zh := c.localizer("zh-Hans")
	f.Fuzz(func(t *testing.T, views, likes, comments, reposts, lower string) {
		v := url.Values{"views": {views}, "likes": {likes}, "comments": {comments}, "reposts": {reposts}, "lower_bound": {lower}}
		s, err := parseFigures(v.Get)
		if err != nil {
			if passerelle.ErrorCode(err) != passerelle.EINVALID {
				t.Fatalf("%v: %v", v, err)
			}
			if msg := passerelle.ErrorMessage(err); zh.Msg(msg) == msg {
				t.Fatalf("%q is not in the catalog", msg)
			}
			return
		}
		n := 0
		for _, p := range []*int64{s.Views, s.Likes, s.Comments, s.Reposts} {
			if p == nil {
				continue
			}
			n++
			if *p < 0 || *p > 10_000_000_000 {
				t.Fatalf("%v accepted as %d", v, *p)
			}
		}
		if n == 0 || (s.LowerBound && s.Views == nil) {
			t.Fatalf("%v accepted as %+v", v, s)
		}
	})
}

// FuzzRowReason: any reason, known or not, is shown without panicking, and the
// importer's reasons come out in the reader's language.
func FuzzRowReason(f *testing.F) {
	for _, s := range []string{`views "abc": not a number`, `the date "2026/13/45" is not in a known form (use YYYY-MM-DD)`, "the same post and date as line 7",
		`likes "10万+": only views can be a lower bound; no post id or URL`, "The CSV cannot be read here (bare \" in non-quoted field).", `reposts "\"": a`, ""} {
		f.Add(s)
	}
	c, err := loadCatalogs()
	if err != nil {
		f.Fatal(err)
	}
	fr := c.localizer("fr")
	if got := rowReason(fr, `views "abc": not a number`); got != "Vues « abc » : pas un nombre" {
		f.Fatalf("French reason %q", got)
	}
	f.Fuzz(func(t *testing.T, reason string) {
		got := rowReason(fr, reason)
		if reason != "" && got == "" {
			t.Fatalf("%q shown as nothing", reason)
		}
		if strings.Contains(got, "%!") && !strings.Contains(reason, "%!") {
			t.Fatalf("%q shown as %q", reason, got)
		}
	})
}
