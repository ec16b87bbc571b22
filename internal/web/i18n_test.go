package web

import (
	"io/fs"
	"net/http/httptest"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
)

func TestCatalogsHaveTheSameKeys(t *testing.T) {
	t.Parallel()
	c, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	en := c.byLang["en"]
	for _, lang := range passerelle.Locales {
		m := c.byLang[lang]
		for k := range en {
			if strings.TrimSpace(m[k]) == "" {
				t.Errorf("%s lacks %q", lang, k)
			}
		}
		for k := range m {
			if _, ok := en[k]; !ok {
				t.Errorf("%s has %q, which en lacks", lang, k)
			}
		}
		// The same formatting verbs in every language, so no argument goes missing.
		for k, v := range m {
			if verbs(v) != verbs(en[k]) {
				t.Errorf("%s %q: verbs %q, en has %q", lang, k, verbs(v), verbs(en[k]))
			}
		}
	}
}

var verbRe = regexp.MustCompile(`%(\[\d+\])?[sdvq]`)

func verbs(s string) string {
	found := verbRe.FindAllString(s, -1)
	for i, v := range found {
		found[i] = v[len(v)-1:]
	}
	sort.Strings(found)
	return strings.Join(found, "")
}

// keyLiteral matches the string literals of templates and Go files that look like
// catalog keys ("nav.home"), file names excepted.
var keyLiteral = regexp.MustCompile(`"([a-z][a-z0-9_]*(?:\.[a-z0-9_]+)+)"`)

// usedKeys lists every literal key of the templates and of the handlers, plus the keys
// built from a prefix and a domain value.
func usedKeys(t *testing.T) map[string]string {
	t.Helper()
	keys := map[string]string{}
	add := func(where, src string) {
		for _, m := range keyLiteral.FindAllStringSubmatch(src, -1) {
			k := m[1]
			if strings.HasSuffix(k, ".css") || strings.HasSuffix(k, ".js") || strings.HasSuffix(k, ".svg") || strings.HasSuffix(k, ".html") || strings.HasSuffix(k, ".json") {
				continue
			}
			keys[k] = where
		}
	}
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(templateFS, p)
		add(p, string(b))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	goFiles, err := fs.Glob(osDirFS("."), "*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range goFiles {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := fs.ReadFile(osDirFS("."), f)
		if err != nil {
			t.Fatal(err)
		}
		add(f, string(b))
	}
	for _, p := range passerelle.Platforms {
		keys["platform."+string(p)] = "platform"
		if len(passerelle.CredentialNames[p]) > 0 {
			keys["credentials.legend."+string(p)] = "credentials"
		}
		for _, n := range passerelle.CredentialNames[p] {
			keys["credential."+n] = "credentials"
		}
	}
	for _, k := range append(passerelle.InstitutionKinds, passerelle.AccountManaged, passerelle.AccountWatched) {
		keys["kind."+k] = "kind"
	}
	for _, r := range append(passerelle.InstitutionRoles, passerelle.RoleOwner) {
		keys["role."+string(r)] = "role"
	}
	for _, st := range []int{400, 401, 403, 404, 409, 413, 415, 422, 429, 500, 503} {
		keys["error."+strconv.Itoa(st)] = "error page"
		keys["error."+strconv.Itoa(st)+".text"] = "error page"
	}
	return keys
}

func TestEveryUsedKeyIsInTheCatalogs(t *testing.T) {
	t.Parallel()
	c, err := loadCatalogs()
	if err != nil {
		t.Fatal(err)
	}
	keys := usedKeys(t)
	if len(keys) < 100 {
		t.Fatalf("found only %d keys: the scan is broken", len(keys))
	}
	for k, where := range keys {
		for _, lang := range passerelle.Locales {
			if _, ok := c.byLang[lang][k]; !ok {
				t.Errorf("%s uses %q, missing from %s.json", where, k, lang)
			}
		}
	}
}

// Every status server.Status can give has its error page title.
func TestErrorPagesForEveryStatus(t *testing.T) {
	t.Parallel()
	c, _ := loadCatalogs()
	codes := []string{passerelle.EINVALID, passerelle.ENOTFOUND, passerelle.ECONFLICT, passerelle.EFORBIDDEN, passerelle.EUNAUTHENTICATED,
		passerelle.ERATELIMITED, passerelle.EUNAVAILABLE, passerelle.ETOOLARGE, passerelle.EUNSUPPORTED, passerelle.EINTERNAL, "bad_request"}
	for _, code := range codes {
		st := statusOf(code)
		if _, ok := c.byLang["fr"]["error."+strconv.Itoa(st)]; !ok {
			t.Errorf("no error page title for %s (%d)", code, st)
		}
	}
}

// The domain's messages that the pages show are translated.
func TestDomainMessagesTranslated(t *testing.T) {
	t.Parallel()
	c, _ := loadCatalogs()
	zh := c.localizer("zh-Hans")
	tests := []struct {
		name string
		err  error
	}{
		{"institution", (&passerelle.Institution{Country: "France", TimeZone: "Nowhere/City", Kind: "zoo", Website: "x"}).Validate()},
		{"account", (&passerelle.Account{Platform: "myspace", Kind: "x"}).Validate()},
		{"user", (&passerelle.User{Email: "nope", Locale: "de"}).Validate()},
		{"password", passerelle.ValidatePassword("short")},
	}
	for _, tt := range tests {
		for field, msg := range passerelle.ErrorFields(tt.err) {
			if got := zh.Msg(msg); got == msg {
				t.Errorf("%s.%s: %q has no Chinese translation", tt.name, field, msg)
			}
		}
	}
}

func TestNegotiate(t *testing.T) {
	t.Parallel()
	c, _ := loadCatalogs()
	tests := []struct {
		name, accept, cookie string
		user                 *passerelle.User
		want                 string
	}{
		{name: "no header", want: "en"},
		{name: "French browser", accept: "fr-FR,fr;q=0.9,en;q=0.8", want: "fr"},
		{name: "Belgian French", accept: "fr-BE", want: "fr"},
		{name: "mainland Chinese", accept: "zh-CN,zh;q=0.9", want: "zh-Hans"},
		{name: "plain zh", accept: "zh", want: "zh-Hans"},
		{name: "English before French", accept: "en-GB,fr;q=0.5", want: "en"},
		{name: "unsupported falls back", accept: "de-DE,ja;q=0.5", want: "en"},
		{name: "quality order", accept: "en;q=0.2,zh-Hans;q=0.8", want: "zh-Hans"},
		{name: "garbage", accept: "!!;;q=x", want: "en"},
		{name: "cookie beats browser", accept: "fr", cookie: "zh-Hans", want: "zh-Hans"},
		{name: "bad cookie ignored", accept: "fr", cookie: "xx", want: "fr"},
		{name: "user beats cookie", accept: "fr", cookie: "zh-Hans", user: &passerelle.User{Locale: "en"}, want: "en"},
		{name: "user following the browser", accept: "zh-CN", user: &passerelle.User{Locale: ""}, want: "zh-Hans"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := httptest.NewRequest("GET", "/", nil)
			if tt.accept != "" {
				r.Header.Set("Accept-Language", tt.accept)
			}
			if tt.cookie != "" {
				r.Header.Set("Cookie", langCookie+"="+tt.cookie)
			}
			if got := c.negotiate(r, tt.user); got != tt.want {
				t.Errorf("got %s, want %s", got, tt.want)
			}
		})
	}
}

func TestLocalizedFormats(t *testing.T) {
	t.Parallel()
	c, _ := loadCatalogs()
	at := time.Date(2026, 3, 5, 23, 30, 0, 0, time.UTC)
	tests := []struct {
		lang, compact, number, date, datetimeShanghai string
		n                                             int64
	}{
		{"en", "1.3M", "1,284,300", "6 Mar 2026", "6 Mar 2026, 07:30", 1284300},
		{"fr", "1,3M", "1\u00a0284\u00a0300", "06/03/2026", "06/03/2026 à 07:30", 1284300},
		{"zh-Hans", "128.4万", "1,284,300", "2026年3月6日", "2026年3月6日 07:30", 1284300},
	}
	for _, tt := range tests {
		l := c.localizer(tt.lang)
		if got := l.Compact(tt.n); got != tt.compact {
			t.Errorf("%s compact %q, want %q", tt.lang, got, tt.compact)
		}
		if got := l.Number(tt.n); got != tt.number {
			t.Errorf("%s number %q, want %q", tt.lang, got, tt.number)
		}
		if got := l.Date(at, ""); got != tt.date {
			t.Errorf("%s date in Paris %q, want %q", tt.lang, got, tt.date)
		}
		if got := l.DateTime(at, "Asia/Shanghai"); got != tt.datetimeShanghai {
			t.Errorf("%s datetime in Shanghai %q, want %q", tt.lang, got, tt.datetimeShanghai)
		}
	}
	if got := c.localizer("zh-Hans").Compact(250_000_000); got != "2.5亿" {
		t.Errorf("zh 亿: %q", got)
	}
	if got := c.localizer("en").Compact(9_999); got != "9,999" {
		t.Errorf("small numbers stay whole: %q", got)
	}
}
