package checks

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/passerelle-oss/passerelle"

	"github.com/passerelle-oss/passerelle/internal/csvout"
)

func FuzzParseGlossaryCSV(f *testing.F) {
	f.Add(string(seedGlossaryCSV))
	f.Add("source,zh,zh_hant,aliases,accepted,variants,kind,note,birth_date,death_date\nMonet,莫奈,莫內,Claude Monet,克劳德·莫奈,莫内,artist,\"a, b\",1840,1926\n")
	f.Add("\ufeffsource,zh\n\"Mo\"\"net\",莫奈\n")
	f.Add("kind,fr,en,zh_hans,zh_hant,note\nartist,A,B,甲,,also 乙\n")
	f.Fuzz(func(t *testing.T, in string) {
		terms, err := ParseGlossaryCSV(strings.NewReader(in))
		if err != nil {
			if terms != nil {
				t.Fatal("terms returned with an error")
			}
			if passerelle.ErrorCode(err) != passerelle.EINVALID || !strings.HasPrefix(passerelle.ErrorMessage(err), "line ") {
				t.Fatalf("error %v: want EINVALID naming a line", err)
			}
			return
		}
		for _, term := range terms {
			if err := term.Validate(); err != nil {
				t.Fatalf("parsed term %+v does not validate: %v", term, err)
			}
		}
		var buf bytes.Buffer
		if err := WriteGlossaryCSV(&buf, terms, csvout.Options{}); err != nil {
			t.Fatal(err)
		}
		back, err := ParseGlossaryCSV(&buf)
		if err != nil {
			t.Fatalf("written glossary does not parse: %v\n%s", err, buf.String())
		}
		if len(back) != len(terms) {
			t.Fatalf("%d terms back, want %d", len(back), len(terms))
		}
		for i := range terms {
			if !termsEqual(terms[i], back[i]) {
				t.Fatalf("term %d: %+v, want %+v", i, back[i], terms[i])
			}
		}
		if _, err := NewChecker(Config{Glossary: terms}); err != nil {
			t.Fatalf("parsed glossary rejected by NewChecker: %v", err)
		}
	})
}

func FuzzParseLexiconCSV(f *testing.F) {
	f.Add("term,severity,note\n禁止词,block,never\n敏感,warn,\n")
	f.Add("severity,term\nWARN,\"a,b\"\n")
	f.Add("term,severity\n")
	f.Fuzz(func(t *testing.T, in string) {
		entries, err := ParseLexiconCSV(strings.NewReader(in))
		if err != nil {
			if entries != nil || passerelle.ErrorCode(err) != passerelle.EINVALID || !strings.HasPrefix(passerelle.ErrorMessage(err), "line ") {
				t.Fatalf("entries %v, error %v: want nil and EINVALID naming a line", entries, err)
			}
			return
		}
		var buf bytes.Buffer
		if err := WriteLexiconCSV(&buf, entries, csvout.Options{}); err != nil {
			t.Fatal(err)
		}
		back, err := ParseLexiconCSV(&buf)
		if err != nil || len(back) != len(entries) {
			t.Fatalf("round trip: %d entries, %v", len(back), err)
		}
		for i := range entries {
			if back[i] != entries[i] {
				t.Fatalf("entry %d: %+v, want %+v", i, back[i], entries[i])
			}
		}
		if _, err := NewChecker(Config{Lexicon: entries}); err != nil {
			t.Fatalf("parsed vocabulary rejected by NewChecker: %v", err)
		}
	})
}

func FuzzCheck(f *testing.F) {
	c := newTestChecker(f, Config{
		Glossary: append(SeedGlossary(), Term{Source: "Degas", ZH: "德加", Variants: []string{"德加斯", "竇加"}}),
		Lexicon: []LexiconEntry{
			{Term: "禁止词", Severity: LexiconBlock}, {Term: "敏感", Severity: LexiconWarn}, {Term: "ABC", Severity: LexiconBlock},
			{Term: "a", Severity: LexiconWarn}, {Term: "《", Severity: LexiconWarn},
		},
	})
	f.Add("Le Musée d’Orsay et Degas", "奥赛博物馆,德加斯《睡莲 禁止詞  ABC", "#话题 https://a.example/#x ＃", `<p onclick=x>卢浮<b>宫</b>&amp;&#x7981;止词</p><img src=http://x>`, "api")
	f.Add("", "🎨🎨羅浮宮", "##", "<script>", "assisted")
	f.Add("x", "\xff\xfe", "http://", "<p>&amp", "wechat_draft")
	f.Fuzz(func(t *testing.T, source, zh, weibo, body, mode string) {
		in := Input{
			Lang: "fr", SourceText: source, TextZH: zh,
			Publications: []PublicationInput{
				{ID: 1, Platform: passerelle.Weibo, Mode: mode, Text: weibo, Topics: []string{zh}, Images: len(zh) % 12, SafeDomain: "a.example"},
				{ID: 2, Platform: passerelle.WeChat, Mode: mode, WeChat: &WeChatFields{Title: zh, Author: source, Digest: weibo, BodyHTML: body, SourceURL: weibo}},
			},
		}
		fs := c.Check(in)
		checkInvariants(t, in, fs)
		for _, f := range fs {
			if !utf8.ValidString(f.Message) {
				t.Fatalf("invalid UTF-8 message %q", f.Message)
			}
		}
		if _, err := c.ToTraditional(zh, Traditional); err != nil {
			t.Fatal(err)
		}
	})
}

func FuzzSanitizeWeChatHTML(f *testing.F) {
	f.Add(`<p onclick="x()">文<script>alert(1)</script><img src="https://example.com/a.jpg"></p>`)
	f.Add(`<a href="  java&#x09;script:alert(1)">x</a><img data-src="https://mmbiz.qpic.cn/a"><svg><script>x</script></svg>`)
	f.Add(`<p style="color:red;background:url(javascript:x)">a</p><iframe srcdoc="<script>x</script>">`)
	f.Add(`<scr<script>ipt>alert(1)</script><IMG SRC=JaVaScRiPt:alert(1)><img src=x onerror=alert(1)//`)
	f.Fuzz(func(t *testing.T, body string) {
		clean, removed := SanitizeWeChatHTML(body, HostedImage)
		assertSafeWeChatHTML(t, clean, HostedImage)
		again, removedAgain := SanitizeWeChatHTML(clean, HostedImage)
		if len(removedAgain) != 0 {
			t.Fatalf("sanitised output %q still had %+v removed (first pass removed %+v)", clean, removedAgain, removed)
		}
		assertSafeWeChatHTML(t, again, HostedImage)
		for _, r := range removed {
			if r.Count <= 0 {
				t.Fatalf("removal %+v without count", r)
			}
		}
	})
}
