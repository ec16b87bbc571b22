package web_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// The editorial round trip as people do it in the browser: an editor writes a post
// and sees the glossary finding beside the text, fixes it, submits it for review and
// makes a review link; a museum person without an account approves it through the
// link; the editor schedules it and finds it on the calendar.
func TestBrowserEditorialWorkflow(t *testing.T) {
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	ctx := browser(t, 150*time.Second)
	weibo, wechat := "pub_"+itoa(n.weibo.ID), "pub_"+itoa(n.wechat.ID)

	err := chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "editor@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), pw),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.stats`)),

		// Write the post from the navigation.
		chromedp.Click(chromedp.CSS(`.mainnav a[href="/posts"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-post`)),
		chromedp.Click(chromedp.CSS(`#new-post`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-title`)),
		chromedp.SendKeys(chromedp.CSS(`#f-title`), "Les Nymphéas"),
		chromedp.SendKeys(chromedp.CSS(`#f-source_text`), "Claude Monet peint les Nymphéas à Giverny."),
		chromedp.SendKeys(chromedp.CSS(`#f-text_zh`), "莫内在吉维尼画睡莲。"),
		chromedp.Click(chromedp.CSS(`#f-`+wechat)), // this post is for Weibo only
		setSelect(`select[name="`+weibo+`.format"]`, "text"),
		chromedp.SendKeys(chromedp.CSS(`textarea[name="`+weibo+`.topics"]`), "奥赛博物馆"),
		chromedp.Click(chromedp.CSS(`#save-post`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-source_text-findings .finding-error mark`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	finding, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#f-source_text-findings`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(finding, "Claude Monet") || !strings.Contains(finding, "莫奈") {
		t.Errorf("the glossary finding does not name the term and its rendering: %q", finding)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`/posts/(\d+)`).FindStringSubmatch(loc)
	if m == nil {
		t.Fatalf("not on the post's page: %s", loc)
	}
	postPath := "/posts/" + m[1]

	err = chromedp.Do(ctx,
		// Fix the name: the finding goes away.
		chromedp.SetValue(chromedp.CSS(`#f-text_zh`), "莫奈在吉维尼画睡莲。"),
		chromedp.Click(chromedp.CSS(`#save-post`)),
		chromedp.WaitVisible(chromedp.CSS(`#checks`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#f-source_text-findings`)),
		// Submit for review; the reviewer makes a review link (an editor's link could
		// only comment).
		chromedp.Click(chromedp.CSS(`button[data-move="review"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.status-review`)),
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "reviewer@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), pw),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.stats`)),
		chromedp.Navigate(a.URL+postPath),
		chromedp.SendKeys(chromedp.CSS(`#link-label`), "Conservatrice"),
		chromedp.Click(chromedp.CSS(`#create-link`)),
		chromedp.WaitVisible(chromedp.CSS(`#new-link`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	link, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#new-link`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(link, "/review/") {
		t.Fatalf("review link %q", link)
	}

	// The museum person has no account: sign out, open the link, approve.
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`form[action="/logout"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`.weibo-card`)),
		chromedp.WaitNotPresent(chromedp.CSS(`.mainnav`)),
		chromedp.SendKeys(chromedp.CSS(`#r-comment`), "Parfait."),
		chromedp.Click(chromedp.CSS(`#approve`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
		chromedp.WaitVisible(chromedp.CSS(`#decided`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	card, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.weibo-card .wb-text`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(card, "莫奈在吉维尼画睡莲") || !strings.Contains(card, "#奥赛博物馆#") {
		t.Errorf("the Weibo card shows %q", card)
	}

	// The editor schedules it in three days at 10:00 Paris time and finds it on the
	// calendar, at 17:00 or 16:00 in Beijing.
	day := time.Now().AddDate(0, 0, 3).Format("2006-01-02")
	err = chromedp.Do(ctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "editor@example.org"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), pw),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.stats`)),
		chromedp.Navigate(a.URL+postPath),
		chromedp.WaitVisible(chromedp.CSS(`.status-approved`)),
		chromedp.SetValue(chromedp.CSS(`.sched-form input[name=at]`), day+"T10:00"),
		chromedp.Click(chromedp.CSS(`.sched-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
	)
	if err != nil {
		t.Fatalf("scheduling: %v", err)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`button[data-move="scheduled"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.status-scheduled`)),
		chromedp.Click(chromedp.CSS(`.mainnav a[href="/calendar"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.cal-month`)),
		chromedp.Navigate(a.URL+"/calendar?view=week&date="+day),
		chromedp.WaitVisible(chromedp.CSS(`.cal-day[data-date="`+day+`"] .cal-item`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	item, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`.cal-day[data-date="`+day+`"] .cal-item`)))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(item, "Les Nymphéas") || !strings.Contains(item, "10:00") || !(strings.Contains(item, "17:00") || strings.Contains(item, "16:00")) {
		t.Errorf("calendar item %q", item)
	}
}
