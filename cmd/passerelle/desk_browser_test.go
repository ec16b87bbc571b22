package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle/internal/demo"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
)

// TestBrowserServiceDesk is issue 12's browser test, on the demo: the owner creates a
// placement on the Orsay WeChat account's desk page, downloads its QR code and its A4
// sheet (PDF), visitors
// scan it in the simulator and one writes a message; the page counts the follows, and
// the owner answers the visitor from the inbox; then takes the conversation, answers
// with a canned answer (and a glossary rendering offered for the draft) and tags the
// follower an ambassador. Fails on any console error.
func TestBrowserServiceDesk(t *testing.T) {
	t.Parallel()
	// Eight minutes: the desk's tools (desk13) added as many steps again.
	ctx, console := headless(t, 8*time.Minute)
	// The loop builds the desk from nothing (the demo seeds one otherwise).
	m := bootDemoTuned(t, func(m *Main) { m.EmptyDemoDesk = true })
	bg := context.Background()
	owner, _, _ := m.DB.UserByEmail(bg, demo.OwnerEmail)
	wx := demoAccount(t, m, owner, "gh_orsay")
	appID := sim.DemoWeChatAccount("").AppID
	base := m.URL()
	desk := fmt.Sprintf("%s/accounts/%d/desk", base, wx.ID)
	click := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.ScrollIntoView(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
	}
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 3*time.Minute)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			main, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
			t.Fatalf("%s: %v\n%s\n%s", what, err, loc, main)
		}
	}
	step("sign in and open the desk",
		chromedp.EmulateViewport(1280, 2400),
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), demo.OwnerEmail),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), demo.Password),
		click(`form[action="/login"] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.mainnav`)),
		chromedp.Navigate(fmt.Sprintf("%s/institutions/%d", base, wx.InstitutionID)),
		click(fmt.Sprintf(`a[href="/accounts/%d/desk"]`, wx.ID)),
		chromedp.WaitVisible(chromedp.CSS(`#placement-form`)),
	)
	step("create a placement",
		chromedp.SendKeys(chromedp.CSS(`#f-name`), "Entrée"),
		chromedp.SendKeys(chromedp.CSS(`#f-key`), "entrance"),
		chromedp.SendKeys(chromedp.CSS(`#f-welcome_text`), "欢迎来到奥赛博物馆！"),
		click(`#placement-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-placement="entrance"]`)),
	)
	// Download the sheet as the link does (same session), and check it is a PNG.
	size, err := chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
		const a = document.querySelector('tr[data-placement="entrance"] a[href$="/qr.png"]');
		const x = new XMLHttpRequest(); x.open('GET', a.href, false);
		x.overrideMimeType('text/plain; charset=x-user-defined'); x.send();
		return (x.status === 200 && x.getResponseHeader('Content-Type') === 'image/png' && x.response.charCodeAt(1) === 0x50) ? x.response.length : -x.status;
	})()`))
	if err != nil || size < 100 {
		t.Fatalf("QR code download: %d %v", size, err)
	}
	// And the printable A4 sheet through its link: a PDF.
	size, err = chromedp.Run(ctx, chromedp.Evaluate[int](`(() => {
		const a = document.querySelector('tr[data-placement="entrance"] a[data-sheet="a4"]');
		const x = new XMLHttpRequest(); x.open('GET', a.href, false);
		x.overrideMimeType('text/plain; charset=x-user-defined'); x.send();
		return (x.status === 200 && x.getResponseHeader('Content-Type') === 'application/pdf' && x.response.startsWith('%PDF-1.') && x.response.includes('/MediaBox [0 0 595.28 841.89]')) ? x.response.length : -x.status;
	})()`))
	if err != nil || size < 1000 {
		t.Fatalf("A4 sheet download: %d %v", size, err)
	}

	// Two visitors scan the code in the simulator; one writes.
	res, err := m.Sim.Scan(sim.ScanRequest{AppID: appID, Scene: "entrance", NewVisitors: 2})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.Sim.Message(bg, sim.MessageRequest{AppID: appID, OpenID: res.Subscribed[0], Text: "<i>请问</i>今天几点闭馆？"}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		follows, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`tr[data-placement="entrance"] td[data-stat="new_follows"]`)))
		if err != nil {
			t.Fatal(err)
		}
		convs, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-conversation]').length`))
		if err != nil {
			t.Fatal(err)
		}
		if strings.TrimSpace(follows) == "2" && convs == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("follows %q, conversations %d", follows, convs)
		}
		step("reload", chromedp.Sleep(time.Second), chromedp.Navigate(desk), chromedp.WaitVisible(chromedp.CSS(`#desk-inbox`)))
	}
	week, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#desk-week-follows`)))
	if strings.TrimSpace(week) != "2" {
		t.Fatalf("week's follows %q", week)
	}
	// The chart of follows by placement has the placement's bar.
	if bar, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(document.querySelector('#desk-follows-chart g[data-bar="entrance"]') || {}).textContent || ""`)); err != nil || !strings.Contains(bar, "Entrée") || !strings.Contains(bar, "2") {
		t.Fatalf("chart bar %q (%v)", bar, err)
	}
	// A keyword reply is added, then deleted from its row (the person confirms).
	step("add a reply",
		chromedp.SendKeys(chromedp.CSS(`#f-keywords`), "开放时间"),
		chromedp.SendKeys(chromedp.CSS(`#rule-form #f-text`), "周二至周日 9:30–18:00"),
		click(`#rule-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`button[data-delete-rule]`)),
	)
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(window.confirm = () => true, true)`)); err != nil {
		t.Fatal(err)
	}
	step("delete it",
		click(`button[data-delete-rule]`),
		chromedp.WaitVisible(chromedp.CSS(`#desk-replies`)),
		chromedp.WaitNotPresent(chromedp.CSS(`button[data-delete-rule]`)),
	)
	if rules, err := m.DB.ReplyRules(bg, wx.ID); err != nil || len(rules) != 0 {
		t.Fatalf("rules after delete: %d %v", len(rules), err)
	}
	// The dashboard counts the week's follows from QR codes.
	step("dashboard", chromedp.Navigate(base+"/"), chromedp.WaitVisible(chromedp.CSS(`#home-qr-follows`)))
	if n, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#home-qr-follows .stat-value`))); err != nil || strings.TrimSpace(n) != "2" {
		t.Fatalf("dashboard QR follows %q (%v)", n, err)
	}
	step("back to the desk", chromedp.Navigate(desk), chromedp.WaitVisible(chromedp.CSS(`#desk-inbox`)))
	console.check(t)

	// The inbox: the message shows as text, and is answered through WeChat.
	step("answer from the inbox",
		click(`[data-conversation] a`),
		chromedp.WaitVisible(chromedp.CSS(`#reply-form`)),
	)
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`li[data-direction="in"] p`)))
	if err != nil || !strings.Contains(text, "<i>请问</i>今天几点闭馆？") {
		t.Fatalf("message shown as %q (%v)", text, err)
	}
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#messages i').length`)); n != 0 {
		t.Fatal("a follower's message was rendered as HTML")
	}
	step("send",
		chromedp.SendKeys(chromedp.CSS(`#f-text`), "今天 18:00 闭馆，周四 21:45。"),
		click(`#reply-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`li[data-direction="out"]`)),
	)
	if sent := m.Sim.CustomMessages(appID); len(sent) != 1 || sent[0].OpenID != res.Subscribed[0] || sent[0].Text != "今天 18:00 闭馆，周四 21:45。" {
		t.Fatalf("customer-service messages %+v", sent)
	}
	console.check(t)
	conversation, _ := chromedp.Run(ctx, chromedp.Location())

	// The inbox's tools (desk13): the owner takes the conversation, and finds it under
	// "Assigned to me" (and no longer under "Unassigned").
	step("assign to me",
		chromedp.SetValue(chromedp.CSS(`#f-assignee`), fmt.Sprint(owner.ID)),
		click(`#manage-form button[type=submit]`),
		// The page again, from the server: the owner is the one selected now.
		chromedp.WaitReady(chromedp.CSS(fmt.Sprintf(`#f-assignee option[value="%d"][selected]`, owner.ID))),
		chromedp.Navigate(desk),
		click(`#inbox-filter a[data-inbox="me"]`),
		chromedp.WaitVisible(chromedp.CSS(`#inbox-filter a[data-inbox="me"][aria-current="page"]`)),
		chromedp.WaitVisible(chromedp.CSS(`[data-conversation] [data-assignee]`)),
		click(`#inbox-filter a[data-inbox="none"]`),
		chromedp.WaitVisible(chromedp.CSS(`#inbox-filter a[data-inbox="none"][aria-current="page"]`)),
	)
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('[data-conversation]').length`)); n != 0 {
		t.Fatalf("%d unassigned conversations after assigning the only one", n)
	}
	// A canned answer is added on the desk page and inserted into a reply with one
	// click; a glossary name typed in the draft brings its Chinese rendering.
	step("add a canned answer",
		chromedp.SendKeys(chromedp.CSS(`#f-answer-name`), "Horaires"),
		chromedp.SendKeys(chromedp.CSS(`#f-answer-text`), "周二至周日 9:30–18:00。"),
		click(`#answer-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-answer="Horaires"]`)),
		chromedp.Navigate(conversation),
		chromedp.WaitVisible(chromedp.CSS(`#reply-form`)),
		click(`#canned-answers button[data-answer="Horaires"]`),
		chromedp.SendKeys(chromedp.CSS(`#f-text`), " Musée d'Orsay"),
		chromedp.WaitVisible(chromedp.CSS(`#glossary-suggestions li[data-suggestion="奥赛博物馆"] button`)),
	)
	step("insert the glossary's rendering",
		click(`#glossary-suggestions li[data-suggestion="奥赛博物馆"] button`),
	)
	draft, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#f-text`)))
	if err != nil || draft != "周二至周日 9:30–18:00。 Musée d'Orsay奥赛博物馆" {
		t.Fatalf("draft %q (%v)", draft, err)
	}
	step("send the answer",
		// A fresh page: the reply is empty; one click on the answer fills it.
		chromedp.Navigate(conversation),
		chromedp.WaitVisible(chromedp.CSS(`#reply-form`)),
		click(`#canned-answers button[data-answer="Horaires"]`),
		click(`#reply-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`li[data-direction="out"]:nth-of-type(3)`)),
	)
	if sent := m.Sim.CustomMessages(appID); len(sent) != 2 || sent[1].Text != "周二至周日 9:30–18:00。" {
		t.Fatalf("customer-service messages %+v", sent)
	}
	// The follower is tagged an ambassador, and found under that tag on the desk.
	step("tag an ambassador",
		chromedp.SendKeys(chromedp.CSS(`#f-tags`), "ambassador"),
		click(`#tags-form button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`#follower-tags [data-follower-tag="ambassador"]`)),
		chromedp.Navigate(desk),
		click(`#tag-filter a[data-tag="ambassador"]`),
		chromedp.WaitVisible(chromedp.CSS(`#tag-filter a[data-tag="ambassador"][aria-current="page"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#followers-table [data-follower-tag="ambassador"]`)),
	)
	if html, _ := chromedp.Run(ctx, chromedp.OuterHTML(chromedp.CSS(`#desk-followers`))); strings.Contains(html, res.Subscribed[0]) {
		t.Fatal("the desk page shows a follower's openid")
	}
	console.check(t)
}
