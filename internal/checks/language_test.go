package checks

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"

	"github.com/passerelle-oss/passerelle/internal/csvout"
	"github.com/passerelle-oss/passerelle/internal/i18n"
)

func TestGlossary(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t, Config{Glossary: []Term{
		{Source: "Musée d'Orsay", ZH: "奥赛博物馆"},
		{Source: "Edgar Degas", Aliases: []string{"Degas"}, ZH: "德加", Variants: []string{"德加斯"}},
		{Source: "Vincent van Gogh", ZH: "梵高", Variants: []string{"梵谷", "凡高"}},
		{Source: "impressionnisme", Aliases: []string{"Impressionism"}, ZH: "印象派"},
		{Source: "post-impressionnisme", ZH: "后印象派"},
		{Source: "Claude Monet", ZH: "莫奈", Accepted: []string{"克劳德·莫奈"}},
	}})
	tests := []struct {
		name      string
		source    string
		zh        string
		wantRule  string
		want      []string // source terms missing, or variants found
		wantField string
	}{
		{"rendering present", "Le Musée d'Orsay ouvre.", "奥赛博物馆开放。", RuleGlossary, nil, ""},
		{"rendering missing", "Le Musée d'Orsay ouvre.", "博物馆开放。", RuleGlossary, []string{"Musée d'Orsay"}, "source_text"},
		{"accents, case and apostrophes tolerated", "le MUSEE D’ORSAY ouvre", "博物馆开放。", RuleGlossary, []string{"MUSEE D’ORSAY"}, "source_text"},
		{"no-break space tolerated", "Musée\u00a0d'Orsay", "博物馆。", RuleGlossary, []string{"Musée\u00a0d'Orsay"}, "source_text"},
		{"word boundary", "Degassing the tank.", "排气。", RuleGlossary, nil, ""},
		{"alias in english", "A painting by Degas.", "一幅画。", RuleGlossary, []string{"Degas"}, "source_text"},
		{"elision", "L'impressionnisme naît.", "印象派诞生。", RuleGlossary, nil, ""},
		{"name inside a longer name", "Le post-impressionnisme.", "后印象派。", RuleGlossary, nil, ""},
		{"longer name missing reported once", "Le post-impressionnisme.", "艺术。", RuleGlossary, []string{"post-impressionnisme"}, "source_text"},
		{"accepted rendering", "Claude Monet peint.", "克劳德·莫奈作画。", RuleGlossary, nil, ""},
		{"traditional rendering counts as the same", "Claude Monet", "莫奈", RuleGlossary, nil, ""},
		{"no chinese yet, nothing to check", "Claude Monet", "", RuleGlossary, nil, ""},
		{"each missing term once", "Degas, Degas et Claude Monet", "画家。", RuleGlossary, []string{"Degas", "Claude Monet"}, "source_text"},
		{"variant flagged", "", "梵谷的向日葵", RuleGlossaryVariant, []string{"梵谷"}, "text_zh"},
		{"second variant flagged", "", "凡高的向日葵", RuleGlossaryVariant, []string{"凡高"}, "text_zh"},
		{"variant containing the rendering", "Degas", "德加斯的舞者", RuleGlossaryVariant, []string{"德加斯"}, "text_zh"},
		{"rendering inside its variant does not count", "Degas", "德加斯的舞者", RuleGlossary, []string{"Degas"}, "source_text"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := Input{Lang: "fr", SourceLang: "fr", SourceText: tt.source, TextZH: tt.zh}
			fs := c.Check(in)
			checkInvariants(t, in, fs)
			got := withRule(fs, tt.wantRule)
			if len(got) != len(tt.want) {
				t.Fatalf("findings = %+v, want %d of %s", fs, len(tt.want), tt.wantRule)
			}
			for i, f := range got {
				v, _ := fieldValue(in, f.Field)
				if f.Field != tt.wantField || spanText(v, f) != tt.want[i] {
					t.Errorf("finding %d covers %q of %s, want %q of %s", i, spanText(v, f), f.Field, tt.want[i], tt.wantField)
				}
			}
		})
	}
}

// TestSeedGlossaryEveryRow checks each row of the shared glossary: a source text
// naming the French name passes with the Chinese rendering and fails without it.
func TestSeedGlossaryEveryRow(t *testing.T) {
	t.Parallel()
	f, err := os.Open("testdata/glossary-fr-zh.csv")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	terms, err := ParseGlossaryCSV(f)
	if err != nil {
		t.Fatal(err)
	}
	if seed := SeedGlossary(); len(seed) != len(terms) || len(terms) != 60 {
		t.Fatalf("seed has %d terms, testdata %d, want 60", len(seed), len(terms))
	}
	c := newTestChecker(t, Config{Glossary: terms})
	for _, term := range terms {
		t.Run(term.Source, func(t *testing.T) {
			t.Parallel()
			src := "Notre article présente " + term.Source + " aux lecteurs."
			with := c.Check(Input{SourceText: src, TextZH: "本文向读者介绍" + term.ZH + "。"})
			if g := withRule(with, RuleGlossary); len(g) != 0 {
				t.Errorf("with %s: findings %+v", term.ZH, g)
			}
			without := withRule(c.Check(Input{SourceText: src, TextZH: "本文向读者介绍这件作品。"}), RuleGlossary)
			found := false
			for _, g := range without {
				if spanText(src, g) == term.Source && g.Params["zh"] == term.ZH {
					found = true
				}
			}
			if !found {
				t.Errorf("without %s: findings %+v, want one on %q", term.ZH, without, term.Source)
			}
		})
	}
}

func TestSeedGlossaryNotes(t *testing.T) {
	t.Parallel()
	byName := map[string]Term{}
	for _, term := range SeedGlossary() {
		byName[term.Source] = term
	}
	tests := []struct{ source, accepted string }{
		{"Musée du Louvre", "卢浮宫博物馆"},
		{"Claude Monet", "克劳德·莫奈"},
		{"Léonard de Vinci", "列奥纳多·达·芬奇"},
	}
	for _, tt := range tests {
		if got := byName[tt.source].Accepted; len(got) != 1 || got[0] != tt.accepted {
			t.Errorf("%s: accepted %v, want [%s]", tt.source, got, tt.accepted)
		}
	}
	if a := byName["Léonard de Vinci"].Aliases; len(a) != 1 || a[0] != "Leonardo da Vinci" {
		t.Errorf("aliases of Léonard de Vinci = %v", a)
	}
	if a := byName["Musée d'Orsay"].Aliases; len(a) != 0 {
		t.Errorf("aliases of Musée d'Orsay = %v, want none (same as the source)", a)
	}
}

func TestSensitive(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t, Config{Lexicon: []LexiconEntry{
		{Term: "禁止词", Severity: LexiconBlock, Note: "never"},
		{Term: "敏感", Severity: LexiconWarn},
		{Term: "敏感话题", Severity: LexiconWarn},
		{Term: "ABC", Severity: LexiconBlock},
		{Term: "臺灣", Severity: LexiconWarn},
	}})
	tests := []struct {
		name     string
		text     string
		want     []string // covered texts
		severity string
	}{
		{"simplified", "这是禁止词。", []string{"禁止词"}, SeverityError},
		{"traditional text matches simplified term", "這是禁止詞。", []string{"禁止詞"}, SeverityError},
		{"simplified text matches traditional term", "台湾", []string{"台湾"}, SeverityWarning},
		{"both forms", "臺灣与台湾", []string{"臺灣", "台湾"}, SeverityWarning},
		{"full-width latin", "用ＡＢＣ翻墙", []string{"ＡＢＣ"}, SeverityError},
		{"case folded", "abc", []string{"abc"}, SeverityError},
		{"latin inside a word is not matched", "ABCD", nil, ""},
		{"longest term only", "一个敏感话题", []string{"敏感话题"}, SeverityWarning},
		{"warn only", "有点敏感", []string{"敏感"}, SeverityWarning},
		{"emoji before the term keeps offsets", "🎨🎨禁止词", []string{"禁止词"}, SeverityError},
		{"none", "莫奈的睡莲", nil, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := Input{Lang: "en", TextZH: tt.text}
			fs := c.Check(in)
			checkInvariants(t, in, fs)
			got := withRule(fs, RuleSensitive)
			if len(got) != len(tt.want) {
				t.Fatalf("findings %+v, want %v", got, tt.want)
			}
			for i, f := range got {
				if s := spanText(tt.text, f); s != tt.want[i] || f.Severity != tt.severity {
					t.Errorf("finding covers %q (%s), want %q (%s)", s, f.Severity, tt.want[i], tt.severity)
				}
			}
		})
	}
	note := withRule(c.Check(Input{Lang: "fr", TextZH: "禁止词"}), RuleSensitive)
	if len(note) != 1 || !strings.Contains(note[0].Message, "never") || !strings.Contains(note[0].Message, "vocabulaire") {
		t.Errorf("note not in the French message: %+v", note)
	}
}

func TestTypography(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t, Config{})
	tests := []struct {
		name string
		text string
		want []string // covered texts
	}{
		{"clean", "莫奈的《睡莲》，“印象派”（1874年）。", nil},
		{"half-width comma", "莫奈,雷诺阿", []string{","}},
		{"half-width period", "这是莫奈.", []string{"."}},
		{"ellipsis", "还有很多...", []string{"..."}},
		{"decimal and latin are fine", "门票3.5欧元。Price 3.5, e.g. Monet.", nil},
		{"half-width colon and question", "地址:巴黎?", []string{":", "?"}},
		{"half-width parentheses", "莫奈(法国画家)", []string{"(", ")"}},
		{"latin parentheses are fine", "Claude Monet (1840) is", nil},
		{"half-width quote", `他说"你好"`, []string{`"`, `"`}},
		{"unclosed book title", "莫奈的《睡莲", []string{"《"}},
		{"unopened corner bracket", "睡莲」很美", []string{"」"}},
		{"crossed marks", "《睡莲「》」", []string{"「", "」"}},
		{"unclosed quote", "“印象派", []string{"“"}},
		{"doubled spaces", "莫奈  雷诺阿", []string{"  "}},
		{"ideographic indentation is fine", "\u3000\u3000莫奈的画。\n\u3000\u3000雷诺阿。", nil},
		{"url skipped", "请看 https://a.example/x?a=1,b=2 (链接)。", []string{"(", ")"}},
		{"emoji", "🎨莫奈,🎨", []string{","}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := Input{Lang: "zh-Hans", TextZH: tt.text}
			fs := c.Check(in)
			checkInvariants(t, in, fs)
			got := withRule(fs, RuleTypography)
			if len(got) != len(tt.want) {
				t.Fatalf("findings %+v, want %q", got, tt.want)
			}
			for i, f := range got {
				if s := spanText(tt.text, f); s != tt.want[i] || f.Severity != SeverityWarning {
					t.Errorf("finding %d covers %q, want %q", i, s, tt.want[i])
				}
			}
		})
	}
}

func TestTraditionalChars(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t, Config{})
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"simplified", "卢浮宫博物馆的蒙娜丽莎", nil},
		{"shared characters", "乾隆皇帝著名的画", nil},
		{"one character", "羅浮宫很美", []string{"羅"}},
		{"runs", "罗浮宮博物館", []string{"宮", "館"}},
		{"astral and emoji around", "🎨畫🎨", []string{"畫"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			in := Input{TextZH: tt.text}
			fs := c.Check(in)
			checkInvariants(t, in, fs)
			got := withRule(fs, RuleTraditionalChars)
			if len(got) != len(tt.want) {
				t.Fatalf("findings %+v, want %q", got, tt.want)
			}
			for i, f := range got {
				if s := spanText(tt.text, f); s != tt.want[i] {
					t.Errorf("finding %d covers %q, want %q", i, s, tt.want[i])
				}
			}
		})
	}
	many := strings.Repeat("羅的", 50)
	got := withRule(c.Check(Input{TextZH: many}), RuleTraditionalChars)
	if len(got) != maxTraditionalFindings+1 || got[len(got)-1].Code != "traditional_chars.more" || got[len(got)-1].Params["count"] != "30" {
		t.Errorf("a traditional text gives %d findings, last %+v", len(got), got[len(got)-1])
	}
}

func TestTraditionalOnly(t *testing.T) {
	t.Parallel()
	for r, want := range map[rune]bool{'羅': true, '館': true, '罗': false, '乾': false, '的': false, 'a': false, '著': false, '麼': true} {
		got, err := IsTraditionalOnly(r)
		if err != nil || got != want {
			t.Errorf("IsTraditionalOnly(%q) = %v, %v; want %v", r, got, err, want)
		}
	}
}

func TestToTraditional(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in string
		v        Variant
		want     string
	}{
		{"standard", "卢浮宫的头发", Traditional, "盧浮宮的頭髮"},
		{"taiwan phrases", "软件和鼠标", Taiwan, "軟體和滑鼠"},
		{"hong kong", "头发", HongKong, "頭髮"},
		{"latin untouched", "Monet 莫奈", Traditional, "Monet 莫奈"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := ToTraditional(tt.in, tt.v)
			if err != nil || got != tt.want {
				t.Errorf("ToTraditional(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
	if _, err := ToTraditional("x", "zh-Hant-XX"); err == nil {
		t.Error("unknown variant accepted")
	}
	c := newTestChecker(t, Config{Glossary: SeedGlossary()})
	got, err := c.ToTraditional("梵高和卢浮宫的蒙娜丽莎，毕加索的头发", Traditional)
	if want := "梵谷和羅浮宮的蒙娜麗莎，畢卡索的頭髮"; err != nil || got != want {
		t.Errorf("Checker.ToTraditional = %q, %v; want %q", got, err, want)
	}
	back, err := ToSimplified("羅浮宮的頭髮")
	if err != nil || back != "罗浮宫的头发" {
		t.Errorf("ToSimplified = %q, %v", back, err)
	}
}

func TestSeverityOverride(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t, Config{
		Glossary: []Term{{Source: "Monet", ZH: "莫奈"}},
		Severity: map[string]string{RuleGlossary: SeverityWarning, RuleTypography: "off"},
	})
	fs := c.Check(Input{SourceText: "Monet", TextZH: "画家,画"})
	if len(fs) != 1 || fs[0].Rule != RuleGlossary || fs[0].Severity != SeverityWarning || HasBlocking(fs) {
		t.Fatalf("findings %+v, want one glossary warning", fs)
	}
	if _, err := NewChecker(Config{Severity: map[string]string{RuleGlossary: "fatal"}}); passerelle.ErrorCode(err) != passerelle.EINVALID {
		t.Errorf("bad severity: err = %v", err)
	}
}

func TestNewCheckerRejectsInvalidTerms(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		cfg  Config
	}{
		{"empty source", Config{Glossary: []Term{{ZH: "莫奈"}}}},
		{"empty zh", Config{Glossary: []Term{{Source: "Monet"}}}},
		{"bad date", Config{Glossary: []Term{{Source: "Monet", ZH: "莫奈", BirthDate: "14 Nov 1840"}}}},
		{"bad severity", Config{Lexicon: []LexiconEntry{{Term: "x", Severity: "maybe"}}}},
		{"punctuation-only term", Config{Lexicon: []LexiconEntry{{Term: "   ", Severity: LexiconWarn}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if _, err := NewChecker(tt.cfg); passerelle.ErrorCode(err) != passerelle.EINVALID {
				t.Errorf("err = %v, want EINVALID", err)
			}
		})
	}
}

func TestHTMLBodySpans(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t, Config{
		Glossary: []Term{{Source: "Musée du Louvre", ZH: "卢浮宫"}},
		Lexicon:  []LexiconEntry{{Term: "禁止词", Severity: LexiconBlock}},
	})
	body := `<p>参观<b>卢浮</b>宫&amp;禁止<i>词</i>,</p><p>羅</p>`
	w := validArticle()
	w.BodyHTML = body
	in := Input{SourceText: "Le Musée du Louvre", Publications: []PublicationInput{{Platform: passerelle.WeChat, WeChat: &w}}}
	fs := c.Check(in)
	checkInvariants(t, in, fs)
	if g := withRule(fs, RuleGlossary); len(g) != 0 {
		t.Errorf("rendering split by tags not found: %+v", g)
	}
	want := map[string]string{RuleSensitive: "禁止<i>词", RuleTraditionalChars: "羅", RuleTypography: ","}
	for rule, span := range want {
		got := withRule(fs, rule)
		if len(got) != 1 || spanText(body, got[0]) != span {
			t.Errorf("%s: findings %+v, want one covering %q", rule, got, span)
		}
	}
}

func TestMessagesInEveryLanguage(t *testing.T) {
	t.Parallel()
	c := i18n.Shared()
	for _, id := range c.IDs("en") {
		if !strings.HasPrefix(id, msgPrefix) {
			continue
		}
		en, _ := c.Lookup("en", id)
		p := strings.Join(placeholders(en.Text), ",")
		for _, lang := range []string{"fr", "zh-Hans"} {
			m, ok := c.Lookup(lang, id)
			if !ok || m.Text == "" {
				t.Errorf("%s: missing in %s", id, lang)
			}
			for _, text := range m.Texts() {
				if strings.Join(placeholders(text), ",") != p {
					t.Errorf("%s: placeholders differ between languages", id)
				}
			}
		}
	}
	f := Finding{Code: "weibo_length.too_long", Params: map[string]string{"length": "141", "limit": "140"}}
	for lang, want := range map[string]string{"fr-FR": "Weibo compte 141", "zh-CN": "按微博规则计为 141", "de": "Weibo counts 141"} {
		if got := f.Localize(lang); !strings.HasPrefix(got, want) {
			t.Errorf("Localize(%s) = %q", lang, got)
		}
	}
}

func TestGlossaryCSVRoundTrip(t *testing.T) {
	t.Parallel()
	terms := append(SeedGlossary(), Term{Source: "Salle des États", Aliases: []string{"Room of the States"}, ZH: "国家厅",
		Variants: []string{"国事厅"}, Kind: "place", Note: "a \"quoted\", note", BirthDate: "1793", DeathDate: "-0044-03-15"})
	var buf bytes.Buffer
	if err := WriteGlossaryCSV(&buf, terms, csvout.Options{}); err != nil {
		t.Fatal(err)
	}
	back, err := ParseGlossaryCSV(&buf)
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(terms) {
		t.Fatalf("%d terms back, want %d", len(back), len(terms))
	}
	for i := range terms {
		if !termsEqual(terms[i], back[i]) {
			t.Errorf("term %d: %+v, want %+v", i, back[i], terms[i])
		}
	}
}

func TestParseGlossaryCSVErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "line 1:"},
		{"unknown column", "source,zh,colour\nMonet,莫奈,red\n", `line 1: unknown column "colour"`},
		{"missing zh", "source,note\nMonet,x\n", `line 1: missing column "zh"`},
		{"shared without zh_hans", "kind,fr,en\nartist,Monet,Monet\n", "line 1:"},
		{"row without zh", "source,zh\nMonet,莫奈\nManet,\n", "line 3: zh: Required."},
		{"wrong field count", "source,zh\nMonet,莫奈,extra\n", "line 2: wrong number of fields"},
		{"bad quote", "source,zh\n\"Monet,莫奈\n", "line 2:"},
		{"duplicate", "source,zh\nMonet,莫奈\nMONET,莫奈\n", `line 3: "MONET" is already defined on line 2`},
		{"bad kind", "source,zh,kind\nMonet,莫奈,Artist!\n", "line 2: kind:"},
		{"control character", "source,zh\nMo\x01net,莫奈\n", "line 2: source:"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			terms, err := ParseGlossaryCSV(strings.NewReader(tt.in))
			if err == nil || terms != nil {
				t.Fatalf("got %v, %v; want an error and no terms", terms, err)
			}
			if passerelle.ErrorCode(err) != passerelle.EINVALID || !strings.HasPrefix(passerelle.ErrorMessage(err), tt.want) {
				t.Errorf("err = %v, want EINVALID starting %q", err, tt.want)
			}
		})
	}
	// A byte order mark and blank lines are accepted.
	terms, err := ParseGlossaryCSV(strings.NewReader("\ufeffsource,zh,variants\nMonet,莫奈, 莫内 | 莫奈特 \n,,\n"))
	if err != nil || len(terms) != 1 || strings.Join(terms[0].Variants, "/") != "莫内/莫奈特" {
		t.Errorf("got %+v, %v", terms, err)
	}
}

func TestParseLexiconCSV(t *testing.T) {
	t.Parallel()
	got, err := ParseLexiconCSV(strings.NewReader("term,severity,note\n禁止词,block,never\n敏感,WARN,\n敏感詞,warn,traditional form\n"))
	if err != nil || len(got) != 3 || got[1].Severity != LexiconWarn || got[0].Note != "never" {
		t.Fatalf("got %+v, %v", got, err)
	}
	var buf bytes.Buffer
	if err := WriteLexiconCSV(&buf, got, csvout.Options{}); err != nil {
		t.Fatal(err)
	}
	back, err := ParseLexiconCSV(&buf)
	if err != nil || len(back) != 3 || back[2] != got[2] {
		t.Fatalf("round trip: %+v, %v", back, err)
	}
	errs := []struct{ name, in, want string }{
		{"empty", "", "line 1:"},
		{"missing severity", "term,note\nx,y\n", `line 1: missing column "severity"`},
		{"bad severity", "term,severity\nx,block\ny,maybe\n", "line 3: severity: Use block or warn."},
		{"empty term", "term,severity\n,block\n", "line 2: term: Required."},
		{"duplicate", "term,severity\nx,block\nx,warn\n", `line 3: "x" is already listed on line 2`},
		{"field count", "term,severity\nx\n", "line 2: wrong number of fields"},
	}
	for _, tt := range errs {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			entries, err := ParseLexiconCSV(strings.NewReader(tt.in))
			if err == nil || entries != nil || !strings.HasPrefix(passerelle.ErrorMessage(err), tt.want) {
				t.Errorf("got %v, %v; want error starting %q", entries, err, tt.want)
			}
		})
	}
}

func TestMergeGlossaries(t *testing.T) {
	t.Parallel()
	org := []Term{{Source: "Louvre", ZH: "卢浮宫"}, {Source: "Monet", ZH: "莫奈"}}
	inst := []Term{{Source: "louvre", ZH: "卢浮宫博物馆"}}
	got := MergeGlossaries(org, inst)
	if len(got) != 2 || got[0].Source != "Monet" || got[1].ZH != "卢浮宫博物馆" {
		t.Errorf("merged %+v", got)
	}
}

func termsEqual(a, b Term) bool {
	eq := func(x, y []string) bool { return strings.Join(x, "|") == strings.Join(y, "|") }
	return a.Source == b.Source && a.ZH == b.ZH && a.ZHHant == b.ZHHant && eq(a.Aliases, b.Aliases) &&
		eq(a.Accepted, b.Accepted) && eq(a.Variants, b.Variants) && a.Kind == b.Kind && a.Note == b.Note &&
		a.BirthDate == b.BirthDate && a.DeathDate == b.DeathDate
}

func TestCheckerConcurrentUse(t *testing.T) {
	t.Parallel()
	c := newTestChecker(t, Config{Glossary: SeedGlossary(), Lexicon: []LexiconEntry{{Term: "禁止词", Severity: LexiconBlock}}})
	in := Input{SourceText: "Claude Monet au Musée d'Orsay", TextZH: "莫奈,禁止词。羅"}
	want := len(c.Check(in))
	done := make(chan error, 8)
	for range 8 {
		go func() {
			for range 20 {
				if got := len(c.Check(in)); got != want {
					done <- fmt.Errorf("%d findings, want %d", got, want)
					return
				}
				if _, err := c.ToTraditional(in.TextZH, Taiwan); err != nil {
					done <- err
					return
				}
			}
			done <- nil
		}()
	}
	for range 8 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}

// Removal messages take the plural form of their count in each language's rules.
func TestRemovalPlurals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		r          Removal
		lang, want string
	}{
		{Removal{Kind: "script", Count: 1}, "en", "Removed 1 script."},
		{Removal{Kind: "script", Count: 2}, "en", "Removed 2 scripts."},
		{Removal{Kind: "script", Count: 1}, "fr", "1 script retiré."},
		{Removal{Kind: "script", Count: 3}, "fr", "3 scripts retirés."},
		{Removal{Kind: "script", Count: 3}, "zh-Hans", "已删除 3 个脚本。"},
		{Removal{Kind: "external_image", Count: 1, Details: []string{"http://x/a.png"}}, "en", "Removed 1 image not hosted on WeChat (http://x/a.png); upload it again."},
	}
	for _, tt := range tests {
		if got := tt.r.Message(tt.lang); got != tt.want {
			t.Errorf("%+v in %s: %q, want %q", tt.r, tt.lang, got, tt.want)
		}
	}
}
