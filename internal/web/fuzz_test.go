package web

import (
	"encoding/base64"
	"net/url"
	"strings"
	"testing"
)

// The flash cookie, the next= parameter and the follower count come from the browser.

func FuzzParseFlash(f *testing.F) {
	for _, s := range []string{"k:flash.saved", "e:Not found.", "", "x:y", "k:", "e"} {
		f.Add(base64.RawURLEncoding.EncodeToString([]byte(s)))
	}
	f.Add("%%%")
	f.Fuzz(func(t *testing.T, v string) {
		fl := parseFlash(v)
		if fl == nil {
			return
		}
		if (fl.Key == "") == (fl.Text == "") {
			t.Fatalf("exactly one of key and text must be set: %+v", fl)
		}
		if fl.Error != (fl.Text != "") {
			t.Fatalf("errors carry text, successes a key: %+v", fl)
		}
		// Round trip through what setFlash writes.
		kind, text := "k", fl.Key
		if fl.Error {
			kind, text = "e", fl.Text
		}
		if again := parseFlash(base64.RawURLEncoding.EncodeToString([]byte(kind + ":" + text))); again == nil || *again != *fl {
			t.Fatalf("round trip: %+v != %+v", again, fl)
		}
	})
}

func FuzzLocalPath(f *testing.F) {
	for _, s := range []string{"/", "/institutions?archived=1", "//evil.example", "/\\evil.example", "https://evil.example/", "/a\r\nSet-Cookie: x", "", "javascript:alert(1)", "/%2F%2Fevil"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, next string) {
		got := localPath(next)
		if got != "/" && got != next {
			t.Fatalf("localPath rewrote %q to %q", next, got)
		}
		if !strings.HasPrefix(got, "/") || strings.HasPrefix(got, "//") || strings.ContainsAny(got, "\\\r\n") {
			t.Fatalf("unsafe redirect target %q", got)
		}
		// What a browser resolves it to stays on this site.
		base, _ := url.Parse("https://passerelle.example/login")
		ref, err := url.Parse(got)
		if err != nil {
			t.Fatalf("%q: %v", got, err)
		}
		if u := base.ResolveReference(ref); u.Host != "passerelle.example" {
			t.Fatalf("%q leads to %s", got, u)
		}
	})
}

func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"", "0", "1 284 300", "1,284,300", "12.345", "-5", "abc", "99999999999999999999", "1\u202f000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := parseCount(s)
		if err != nil {
			if n != nil {
				t.Fatal("value with an error")
			}
			return
		}
		if n == nil {
			if strings.TrimSpace(strings.NewReplacer(",", "", ".", "", "'", "", "\u00a0", "", "\u202f", "").Replace(s)) != "" {
				t.Fatalf("%q read as blank", s)
			}
			return
		}
		if *n < 0 {
			t.Fatalf("%q read as negative %d", s, *n)
		}
	})
}

func TestInitials(t *testing.T) {
	t.Parallel()
	tests := []struct{ in, want string }{
		{"Musée du Louvre", "ML"},
		{"Musée d'Orsay", "MO"},
		{"卢浮宫", "卢"},
		{"Château de Versailles", "CV"},
		{"", "·"},
		{"the", "·"},
		{"claire.martin@agence.example", "C"},
	}
	for _, tt := range tests {
		if got := initials(tt.in); got != tt.want {
			t.Errorf("initials(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
