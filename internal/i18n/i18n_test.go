package i18n

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
)

// The whole catalog the server speaks: the web interface's files and this package's.
func fullCatalog(t *testing.T) *Catalog {
	t.Helper()
	c, err := Load(os.DirFS("../web/i18n"), Messages)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestEveryIDInEveryLanguage(t *testing.T) {
	t.Parallel()
	for name, c := range map[string]*Catalog{"shared": Shared(), "full": fullCatalog(t)} {
		if n := len(c.IDs("en")); n < 100 {
			t.Fatalf("%s: only %d ids: the loader is broken", name, n)
		}
		for _, err := range Check(c) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestCheckFindsGaps(t *testing.T) {
	t.Parallel()
	c, err := Load(fstest.MapFS{
		"a.en.json":      {Data: []byte(`{"a.x": "X %s", "a.y": "Y {n}", "a.z": {"one": "%d thing", "other": "%d things"}}`)},
		"a.fr.json":      {Data: []byte(`{"a.x": "X", "a.y": "Y {n}", "a.z": {"one": "%d chose", "other": "%s choses"}}`)},
		"a.zh-Hans.json": {Data: []byte(`{"a.y": " "}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, e := range Check(c) {
		got[e.Error()] = true
	}
	for _, want := range []string{
		`fr "a.x": placeholders "", en has "%s"`,
		`zh-Hans lacks "a.x"`,
		`zh-Hans "a.y" is empty`,
		`zh-Hans "a.y": placeholders "", en has "{n}"`,
		`fr "a.z": placeholders "%s", en has "%d"`,
	} {
		if !got[want] {
			t.Errorf("Check missed %s; got %v", want, got)
		}
	}
}

func TestLoad(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		files   fstest.MapFS
		wantErr string
	}{
		{"any feature file", fstest.MapFS{"en.json": {Data: []byte(`{"a": "A"}`)}, "newfeature.en.json": {Data: []byte(`{"b": "B"}`)}}, ""},
		{"id twice", fstest.MapFS{"en.json": {Data: []byte(`{"a": "A"}`)}, "x.en.json": {Data: []byte(`{"a": "B"}`)}}, "defined twice"},
		{"id twice, same text", fstest.MapFS{"en.json": {Data: []byte(`{"a": "A"}`)}, "x.en.json": {Data: []byte(`{"a": "A", "b": "B"}`)}}, ""},
		{"unknown language", fstest.MapFS{"x.de.json": {Data: []byte(`{"a": "A"}`)}}, "not one of"},
		{"not json", fstest.MapFS{"x.fr.json": {Data: []byte(`{"a": `)}}, "x.fr.json"},
		{"plural without other", fstest.MapFS{"x.fr.json": {Data: []byte(`{"a": {"one": "un"}}`)}}, "other"},
		{"unknown plural form", fstest.MapFS{"x.fr.json": {Data: []byte(`{"a": {"other": "x", "several": "y"}}`)}}, "several"},
		{"number instead of text", fstest.MapFS{"x.fr.json": {Data: []byte(`{"a": 3}`)}}, "x.fr.json"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := Load(tt.files)
			if tt.wantErr == "" {
				if err != nil {
					t.Fatal(err)
				}
				if l := c.Localizer("en"); l.T("a") != "A" || l.T("b") != "B" {
					t.Errorf("got %q %q", l.T("a"), l.T("b"))
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error %v, want one containing %q", err, tt.wantErr)
			}
		})
	}
}

func TestPluralForms(t *testing.T) {
	t.Parallel()
	c, err := Load(fstest.MapFS{
		"x.en.json":      {Data: []byte(`{"stops": {"one": "%d stop", "other": "%d stops"}, "img": {"one": "{count} image", "other": "{count} images"}}`)},
		"x.fr.json":      {Data: []byte(`{"stops": {"one": "%d arrêt", "other": "%d arrêts"}, "img": {"one": "{count} image", "other": "{count} images"}}`)},
		"x.zh-Hans.json": {Data: []byte(`{"stops": {"other": "%d 站"}, "img": {"other": "{count} 张图片"}}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		lang string
		n    int
		want string
	}{
		{"en", 0, "0 stops"}, {"en", 1, "1 stop"}, {"en", 2, "2 stops"},
		// French treats 0 and 1 as singular (CLDR), unlike English.
		{"fr", 0, "0 arrêt"}, {"fr", 1, "1 arrêt"}, {"fr", 2, "2 arrêts"}, {"fr", 1_000_000, "1000000 arrêts"},
		{"zh-Hans", 1, "1 站"}, {"zh-Hans", 5, "5 站"},
		{"en", -1, "-1 stop"},
	}
	for _, tt := range tests {
		if got := c.Localizer(tt.lang).N("stops", tt.n, tt.n); got != tt.want {
			t.Errorf("%s N(%d) = %q, want %q", tt.lang, tt.n, got, tt.want)
		}
	}
	if got := c.Localizer("fr").Fill("img", map[string]string{"count": "1"}); got != "1 image" {
		t.Errorf("Fill singular: %q", got)
	}
	if got := c.Localizer("en").Fill("img", map[string]string{"count": "3"}); got != "3 images" {
		t.Errorf("Fill plural: %q", got)
	}
	if got := c.Localizer("en").T("nope"); got != "nope" {
		t.Errorf("a missing id shows itself: %q", got)
	}
}

func TestNegotiate(t *testing.T) {
	t.Parallel()
	c := Shared()
	tests := []struct{ accept, want string }{
		{"", "en"},
		{"fr-FR,fr;q=0.9,en;q=0.8", "fr"},
		{"fr-BE", "fr"},
		{"zh-CN,zh;q=0.9", "zh-Hans"},
		{"zh", "zh-Hans"},
		{"zh-Hans-CN", "zh-Hans"},
		{"en-GB,fr;q=0.5", "en"},
		{"de-DE,ja;q=0.5", "en"},
		{"en;q=0.2,zh-Hans;q=0.8", "zh-Hans"},
		{"!!;;q=x", "en"},
	}
	for _, tt := range tests {
		if got := c.Negotiate(tt.accept); got != tt.want {
			t.Errorf("Negotiate(%q) = %s, want %s", tt.accept, got, tt.want)
		}
	}
	if got := c.Match("de"); got != "" {
		t.Errorf("Match(de) = %q, want none", got)
	}
	for in, want := range map[string]string{"zh": "zh-Hans", "zh-TW": "zh-Hans", "fr-CA": "fr", "de": "en", "": "en"} {
		if got := Canonical(in); got != want {
			t.Errorf("Canonical(%q) = %q, want %q", in, got, want)
		}
	}
}

func FuzzLoad(f *testing.F) {
	f.Add([]byte(`{"a": "A", "b": {"one": "x", "other": "y"}}`))
	f.Add([]byte(`{"a": {"other": "%d"}}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		c, err := Load(fstest.MapFS{"x.fr.json": {Data: b}})
		if err != nil {
			return
		}
		l := c.Localizer("fr")
		for _, id := range c.IDs("fr") {
			_ = l.N(id, 2, 2)
			_ = l.Fill(id, map[string]string{"count": "1"})
		}
		_ = Check(c)
	})
}
