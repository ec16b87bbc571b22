package i18n

import (
	"fmt"
	"testing"
	"testing/fstest"
)

func TestDomainTranslatesFormattedMessages(t *testing.T) {
	t.Parallel()
	c, err := Load(fstest.MapFS{
		"e.en.json": {Data: []byte(`{
			"msg.Not found.": "Not found.",
			"msg.The image is %d × %d pixels; each side may be at most %d.": "The image is %d × %d pixels; each side may be at most %d.",
			"msg.The export names an invalid column %q in %s.": "The export names an invalid column %q in %s.",
			"msg.line %d: %s": "line %d: %s",
			"msg.line 1: missing column %q (expected term,severity,note)": "line 1: missing column %q (expected term,severity,note)",
			"msg.line 1: missing column %q (expected %s or %s)": "line 1: missing column %q (expected %s or %s)",
			"msg.The limit is %.1f million (%d%%).": "The limit is %.1f million (%d%%).",
			"msg.%s": "%s"
		}`)},
		"e.fr.json": {Data: []byte(`{
			"msg.Not found.": "Introuvable.",
			"msg.The image is %d × %d pixels; each side may be at most %d.": "L'image fait %d × %d pixels ; chaque côté peut faire au plus %d.",
			"msg.The export names an invalid column %q in %s.": "L'export nomme une colonne invalide %q dans %s.",
			"msg.line %d: %s": "ligne %d : %s",
			"msg.line 1: missing column %q (expected term,severity,note)": "ligne 1 : colonne %q manquante (term,severity,note)",
			"msg.line 1: missing column %q (expected %s or %s)": "ligne 1 : colonne %q manquante (%s ou %s)",
			"msg.The limit is %.1f million (%d%%).": "La limite est de %.1f millions (%d %%).",
			"msg.%s": "%s"
		}`)},
		"e.zh-Hans.json": {Data: []byte(`{
			"msg.Not found.": "未找到。",
			"msg.The image is %d × %d pixels; each side may be at most %d.": "图片为 %d × %d 像素；每边最多 %d 像素。",
			"msg.The export names an invalid column %q in %s.": "导出文件在 %[2]s 中包含无效的列 %[1]q。",
			"msg.line %d: %s": "第 %d 行：%s",
			"msg.line 1: missing column %q (expected term,severity,note)": "第 1 行：缺少列 %q（term,severity,note）",
			"msg.line 1: missing column %q (expected %s or %s)": "第 1 行：缺少列 %q（%s 或 %s）",
			"msg.The limit is %.1f million (%d%%).": "上限为 %.1f 百万（%d%%）。",
			"msg.%s": "%s"
		}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	fr, zh := c.Localizer("fr"), c.Localizer("zh-Hans")
	for _, tc := range []struct {
		l        *Localizer
		msg, out string
	}{
		{fr, "Not found.", "Introuvable."},
		{fr, fmt.Sprintf("The image is %d × %d pixels; each side may be at most %d.", 9000, 120, 8192), "L'image fait 9000 × 120 pixels ; chaque côté peut faire au plus 8192."},
		// Values in another order, quoted values kept as printed.
		{zh, fmt.Sprintf("The export names an invalid column %q in %s.", `a "b"`, "posts.json"), `导出文件在 posts.json 中包含无效的列 "a \"b\""。`},
		// A value that is a message of its own is translated too.
		{fr, fmt.Sprintf("line %d: %s", 12, "Not found."), "ligne 12 : Introuvable."},
		{zh, fmt.Sprintf("line %d: %s", 12, "something else"), "第 12 行：something else"},
		// The most specific format wins.
		{fr, fmt.Sprintf("line 1: missing column %q (expected term,severity,note)", "term"), `ligne 1 : colonne "term" manquante (term,severity,note)`},
		{fr, fmt.Sprintf("line 1: missing column %q (expected %s or %s)", "date", "A", "B"), `ligne 1 : colonne "date" manquante (A ou B)`},
		{zh, fmt.Sprintf("The limit is %.1f million (%d%%).", 40.0, 12), "上限为 40.0 百万（12%）。"},
		// Nothing recognised: the message as it is.
		{fr, "The image is big.", "The image is big."},
		{fr, "The image is 9000 × wide pixels; each side may be at most 1.", "The image is 9000 × wide pixels; each side may be at most 1."},
		{fr, "", ""},
	} {
		if got := tc.l.Domain(tc.msg); got != tc.out {
			t.Errorf("%s: Domain(%q) = %q, want %q", tc.l.Lang, tc.msg, got, tc.out)
		}
	}
}

// Every formatted domain message of the real catalog comes back translated with its
// values.
func TestDomainFormatsOfTheCatalog(t *testing.T) {
	t.Parallel()
	fr := fullCatalog(t).Localizer("fr")
	msg := fmt.Sprintf("This post changed since you opened it (version %d, now %d); reload it and apply your changes again.", 3, 4)
	if got, want := fr.Domain(msg), "Ce post a changé depuis que vous l'avez ouvert (version 3, maintenant 4) ; rechargez-le et refaites vos modifications."; got != want {
		t.Errorf("Domain = %q, want %q", got, want)
	}
}
