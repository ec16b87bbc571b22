package web_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// TestBrowserComposer acts as an editor writing in the composer at 1366 px: the source
// and the Chinese text sit side by side; the glossary names of the source are marked
// and one click inserts a rendering; each publication's count and phone follow the
// typing (the Weibo card folds behind 全文 after 140 characters and opens on a click;
// the WeChat article shows its styled body; the Xiaohongshu note its title); an image
// uploaded from the composer becomes the post's image and the article's cover, with
// its crops previewed. Any console error (a policy violation included) fails the test.
func TestBrowserComposer(t *testing.T) {
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	accs := assistedAccounts(t, a, n)
	ctx := context.Background()
	pubs := []editorial.PublicationInput{
		{AccountID: n.weibo.ID, Format: passerelle.FormatText},
		{AccountID: n.wechat.ID, WeChat: &editorial.ArticleInput{Title: "莫奈", Digest: "花园", BodyHTML: "<p>花园</p>"}},
		{AccountID: accs[passerelle.Xiaohongshu].ID, Format: passerelle.FormatPhotoText, TextZH: "睡莲笔记\n正文"},
	}
	saved, err := a.Ed.CreatePost(ctx, n.editor, &editorial.PostInput{InstitutionID: &n.inst.ID, Title: ptr("Les Nymphéas"), Theme: ptr("exhibition"), SourceLang: ptr("fr"),
		SourceText: ptr("Claude Monet et Edgar Degas peignent."), TextZH: ptr("莫奈作画。"), Publications: &pubs})
	if err != nil {
		t.Fatal(err)
	}
	png := filepath.Join(t.TempDir(), "nympheas.png")
	if err := os.WriteFile(png, pngFile(t, 900, 600), 0o600); err != nil {
		t.Fatal(err)
	}
	wb, wx, xhs := "pub_"+itoa(n.weibo.ID), "pub_"+itoa(n.wechat.ID), "pub_"+itoa(accs[passerelle.Xiaohongshu].ID)
	b := browser(t, 120*time.Second)
	steps := append(signIn(a, "editor@example.org", pw), viewport(1366, 900, false),
		chromedp.Navigate(a.URL+"/posts/"+itoa(saved.Post.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#term-list li.term-missing`)),
		chromedp.WaitVisible(chromedp.CSS(`#phone-`+wb+` .wb-text`)),
	)
	if err := chromedp.Do(b, steps...); err != nil {
		t.Fatal(err)
	}
	side, err := chromedp.Run(b, chromedp.Evaluate[bool](`(function(){var s=document.getElementById("f-source_text").getBoundingClientRect(), z=document.getElementById("f-text_zh").getBoundingClientRect(); return Math.abs(s.top-z.top) < 2 && z.left >= s.right;})()`))
	if err != nil || !side {
		t.Errorf("source and Chinese are not side by side at 1366 px (%v)", err)
	}
	marks, err := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#source-view`)))
	if err != nil || marks != "Claude Monet et Edgar Degas peignent." {
		t.Errorf("source view %q %v", marks, err)
	}

	// Insert Degas's rendering with a click: the name is then rendered.
	err = chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`#f-text_zh`)),
		chromedp.Evaluate[chromedp.Void](`(function(){var t=document.getElementById("f-text_zh"); t.setSelectionRange(t.value.length, t.value.length);})()`),
		chromedp.Click(chromedp.CSS(`#term-list li.term-missing button.term-insert[data-zh="德加"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#term-list li.term-missing`)),
	)
	if err != nil {
		t.Fatalf("inserting a rendering: %v", err)
	}
	zh, _ := chromedp.Run(b, chromedp.Value(chromedp.CSS(`#f-text_zh`)))
	if zh != "莫奈作画。德加" {
		t.Errorf("Chinese text after the insertion: %q", zh)
	}

	// A long Weibo text: the count follows, the card folds after 140 characters.
	long := strings.Repeat("睡莲", 75)
	err = chromedp.Do(b,
		chromedp.SetValue(chromedp.CSS(`textarea[name="`+wb+`.text_zh"]`), long[:len(long)-len("睡莲")]),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="`+wb+`.text_zh"]`), "睡莲"),
		chromedp.WaitVisible(chromedp.CSS(`#phone-`+wb+` .wb-fold`)),
	)
	if err != nil {
		t.Fatalf("typing the Weibo text: %v", err)
	}
	count, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#count-`+wb)))
	if count != "Text: 150 characters of 2000" {
		t.Errorf("Weibo count %q", count)
	}
	shown, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#phone-`+wb+` .wb-shown`)))
	if len([]rune(shown)) != 140 {
		t.Errorf("the card shows %d characters before 全文", len([]rune(shown)))
	}
	err = chromedp.Do(b,
		chromedp.Click(chromedp.CSS(`#phone-`+wb+` .wb-fold`)),
		chromedp.WaitVisible(chromedp.CSS(`#phone-`+wb+` .wb-rest`)),
	)
	if err != nil {
		t.Fatalf("opening 全文: %v", err)
	}

	// The WeChat article: title and styled body as typed.
	err = chromedp.Do(b,
		chromedp.SetValue(chromedp.CSS(`#f-`+wx+`\.wechat_body_html`), `<p style="color:#c00">红色的花园</p>`),
		chromedp.Click(chromedp.CSS(`#f-`+wx+`\.wechat_title`)),
		chromedp.KeyEvent(kb.End),
		chromedp.KeyEvent("的睡莲"),
		chromedp.WaitVisible(chromedp.CSS(`#count-`+wx+`-title`)),
	)
	if err != nil {
		t.Fatalf("typing the article: %v", err)
	}
	if err := waitJS(b, `document.querySelector("#phone-`+wx+` .wx-title").textContent === "莫奈的睡莲"`); err != nil {
		t.Errorf("WeChat title in the phone: %v", err)
	}
	if err := waitJS(b, `(function(){var d=document.querySelector("#phone-`+wx+` iframe.wx-live").contentDocument; var p=d && d.querySelector("p"); return !!p && p.textContent==="红色的花园" && getComputedStyle(p).color==="rgb(204, 0, 0)";})()`); err != nil {
		t.Errorf("WeChat body in the phone: %v", err)
	}
	title, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#count-`+wx+`-title`)))
	if title != "Title: 5 characters of 32" {
		t.Errorf("WeChat title count %q", title)
	}
	note, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#phone-`+xhs+` .note-title`)))
	if note != "睡莲笔记" {
		t.Errorf("Xiaohongshu note title %q", note)
	}

	// Upload an image from the composer: it joins the post's images and becomes the
	// article's cover, whose crops are previewed and follow the focus.
	err = chromedp.Do(b,
		chromedp.SetUploadFiles(chromedp.CSS(`#upload-files`), []string{png}),
		chromedp.WaitVisible(chromedp.CSS(`.media-pick[data-name="media_ids"] input:checked`)),
		chromedp.WaitVisible(chromedp.CSS(`fieldset.crop[data-spec="wechat_cover_235"] img.crop-img`)),
		chromedp.SetValue(chromedp.CSS(`#f-`+wx+`\.crop_235-x`), "0"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("f-`+wx+`.crop_235-x").dispatchEvent(new Event("change",{bubbles:true}))`),
	)
	if err != nil {
		t.Fatalf("upload: %v", err)
	}
	if err := waitJS(b, `(function(){var i=document.querySelector('fieldset.crop[data-spec="wechat_cover_235"] img.crop-img'); return i.complete && i.naturalWidth > 0 && i.getAttribute("src").indexOf("x=0&") > 0;})()`); err != nil {
		t.Errorf("crop preview: %v", err)
	}
	if err := waitJS(b, `(function(){var i=document.querySelector("#phone-`+wx+` .wx-cover"); return !i.hidden && i.complete && i.naturalWidth > 0;})()`); err != nil {
		t.Errorf("cover in the phone: %v", err)
	}
	status, _ := chromedp.Run(b, chromedp.Text(chromedp.CSS(`#upload-status`)))
	if !strings.Contains(status, "nympheas.png") {
		t.Errorf("upload status %q", status)
	}

	// Save: the publication keeps what was typed, the cover is the uploaded image.
	err = chromedp.Do(b, chromedp.Click(chromedp.CSS(`#save-post`)), chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)))
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Ed.Post(ctx, n.editor, saved.Post.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.TextZH != "莫奈作画。德加" || len(p.MediaIDs) != 1 {
		t.Errorf("saved: %q %v", p.TextZH, p.MediaIDs)
	}
	for _, pub := range p.Publications {
		if pub.WeChat != nil && (pub.WeChat.CoverMediaID != p.MediaIDs[0] || pub.WeChat.Title != "莫奈的睡莲" || pub.WeChat.Crop235.X != 0) {
			t.Errorf("article %+v", pub.WeChat)
		}
	}
}

// waitJS polls a JavaScript condition for a few seconds.
func waitJS(ctx context.Context, cond string) error {
	return waitJSWithin(ctx, cond, 10*time.Second)
}

// waitJSWithin is waitJS with its own bound, for conditions that wait on the server's
// work (renditions made on first request are slow under -race on a loaded machine).
func waitJSWithin(ctx context.Context, cond string, bound time.Duration) error {
	var last error
	for deadline := time.Now().Add(bound); time.Now().Before(deadline); {
		ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond))
		if err == nil && ok {
			return nil
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	if last == nil {
		last = errFalse
	}
	return last
}

type condError string

func (e condError) Error() string { return string(e) }

const errFalse = condError("the condition stayed false")

// TestBrowserComposerNewPost: the composer is live before the post is saved: an editor
// opens "New post", ticks the Weibo publication and types; its count and phone follow,
// and the glossary names of the source are offered. Nothing is saved until "Save".
func TestBrowserComposerNewPost(t *testing.T) {
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	wb := "pub_" + itoa(n.weibo.ID)
	b := browser(t, 120*time.Second)
	steps := append(signIn(a, "editor@example.org", pw), viewport(1366, 900, false),
		chromedp.Navigate(a.URL+"/posts"),
		chromedp.WaitVisible(chromedp.CSS(`#new-post`)),
		chromedp.Click(chromedp.CSS(`#new-post`)),
		chromedp.WaitVisible(chromedp.CSS(`form.editor[data-check]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-source_text`), "Claude Monet peint."),
	)
	if err := chromedp.Do(b, steps...); err != nil {
		t.Fatal(err)
	}
	// The institution's publications may come ticked; tick the Weibo one if not.
	ticked, err := chromedp.Run(b, chromedp.Evaluate[bool](`document.getElementById("f-`+wb+`").checked`))
	if err != nil {
		t.Fatal(err)
	}
	if !ticked {
		if err := chromedp.Do(b, chromedp.Click(chromedp.CSS(`#f-`+wb))); err != nil {
			t.Fatal(err)
		}
	}
	if err := chromedp.Do(b, chromedp.SendKeys(chromedp.CSS(`[name="`+wb+`.text_zh"]`), "莫奈画睡莲。")); err != nil {
		t.Fatal(err)
	}
	if err := waitJSWithin(b, `(function(){var c=document.getElementById("count-`+wb+`"), p=document.querySelector("#phone-`+wb+` .wb-shown"), t=document.querySelector("#term-list li");
		return !!c && c.textContent.indexOf("6") >= 0 && !!p && p.textContent.indexOf("莫奈画睡莲") >= 0 && !!t && t.textContent.indexOf("莫奈") >= 0;})()`, 30*time.Second); err != nil {
		state, _ := chromedp.Run(b, chromedp.Evaluate[string](`JSON.stringify({count: (document.getElementById("count-`+wb+`")||{}).textContent, phone: (document.querySelector("#phone-`+wb+` .wb-shown")||{}).textContent,
			terms: (document.getElementById("term-list")||{}).textContent, checked: document.querySelector("form.editor").getAttribute("data-checked")})`))
		t.Errorf("the new post's count, phone and terms: %v; the page shows %s", err, state)
	}
	posts, err := a.Ed.Posts(context.Background(), n.editor, editorial.PostQuery{})
	if err != nil || len(posts) != 0 {
		t.Errorf("typing saved a post: %d %v", len(posts), err)
	}
}
