package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
)

// TestBrowserLiveVisit: an editor plans a live visit from the partner pages (start
// typed in Paris time, a partner channel, a route of works), reads its run sheet on a
// phone (390 px, nothing wider than the screen, the stops in order with their Chinese
// names), then enters the figures after the event: a negative figure is refused with
// the form, the right ones are shown.
func TestBrowserLiveVisit(t *testing.T) {
	t.Parallel()
	ctx, console := headless(t, 8*time.Minute) // generous: a busy machine
	m := boot(t)
	bg := context.Background()
	org, err := m.DB.CreateOrganization(bg, "Paris Musées")
	if err != nil {
		t.Fatal(err)
	}
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Petit Palais"}
	if err := m.DB.CreateInstitution(bg, inst); err != nil {
		t.Fatal(err)
	}
	const password = "correct-horse-battery"
	editor := &passerelle.User{OrgID: org.ID, Email: "editor@example.org", Name: "Claire", Memberships: []passerelle.Membership{{InstitutionID: inst.ID, Role: passerelle.RoleEditor}}}
	if err := m.Auth.CreateUser(bg, editor, password); err != nil {
		t.Fatal(err)
	}
	if err := m.Partners.CreatePartner(bg, editor, &passerelle.Partner{Name: "Weibo Art", NameZH: "微博艺术", Kind: passerelle.PartnerChannel,
		Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Weibo, Handle: "weiboart"}}}); err != nil {
		t.Fatal(err)
	}
	base := m.URL()
	click := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.ScrollIntoView(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
	}
	step := func(what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		sctx, cancel := context.WithTimeout(ctx, 2*time.Minute)
		defer cancel()
		if err := chromedp.Do(sctx, actions...); err != nil {
			loc, _ := chromedp.Run(ctx, chromedp.Location())
			main, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
			t.Fatalf("%s: %v\n%s\n%s", what, err, loc, main)
		}
	}
	text := func(sel string) string {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
		if err != nil {
			t.Fatalf("%s: %v", sel, err)
		}
		return strings.TrimSpace(s)
	}

	step("plan",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), editor.Email),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		click(`form[action="/login"] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.mainnav`)),
		click(`.mainnav a[href="/partners"]`),
		chromedp.WaitVisible(chromedp.CSS(`.page-actions a[href="/live-events"]`)),
		click(`.page-actions a[href="/live-events"]`),
		chromedp.WaitVisible(chromedp.CSS(`#live-new`)),
		click(`#live-new`),
		chromedp.WaitVisible(chromedp.CSS(`#live-form`)),
		chromedp.SendKeys(chromedp.CSS(`#f-title_zh`), "小皇宫直播"),
		chromedp.SendKeys(chromedp.CSS(`#f-host`), "Claire"),
		chromedp.SetValue(chromedp.CSS(`#f-starts_at`), "2026-06-01T12:00"),
		chromedp.SetValue(chromedp.CSS(`#f-zone`), "Europe/Paris"),
		chromedp.SetValue(chromedp.CSS(`#f-partner_id`), ""),
		chromedp.SendKeys(chromedp.CSS(`#f-route`), "Claude Monet\nLe Sommeil\nLa Vierge"),
		chromedp.SendKeys(chromedp.CSS(`#f-script_zh`), "大家好，欢迎来到小皇宫。"),
		chromedp.SendKeys(chromedp.CSS(`#f-script_fr`), "Bonjour, bienvenue au Petit Palais."),
	)
	// The partner channel, chosen as a person does: by its label.
	step("partner", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.querySelector('#f-partner_id');
		for (const o of s.options) { if (o.text.startsWith('Weibo Art')) { s.value = o.value; } } })()`))
	step("save", click(`#live-save`), chromedp.WaitVisible(chromedp.CSS(`#live-facts`)))
	// 12:00 in Paris on 1 June is 18:00 in Beijing.
	if bj, pa := text(`#live-beijing`), text(`#live-paris`); !strings.Contains(bj, "18:00") || !strings.Contains(pa, "12:00") {
		t.Errorf("clocks: Beijing %q, Paris %q", bj, pa)
	}
	if main := text(`main`); !strings.Contains(main, "Weibo Art") || !strings.Contains(main, "莫奈") {
		t.Errorf("the plan lacks its partner or the glossary's name of Monet:\n%s", main)
	}
	console.check(t)

	show, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	step("run sheet on a phone",
		chromedp.EmulateViewport(390, 844, chromedp.EmulateScale(2), chromedp.EmulateMobile),
		click(`#live-sheet`),
		chromedp.WaitVisible(chromedp.CSS(`#sheet-stops`)),
	)
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#sheet-stops li').length`)); err != nil || n != 3 {
		t.Errorf("stops on the run sheet: %d %v", n, err)
	}
	if w, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); err != nil || w > 390 {
		t.Errorf("the run sheet is %d px wide on a 390 px phone (%v)", w, err)
	}
	if first := text(`#sheet-stops li:first-child`); !strings.Contains(first, "莫奈") || !strings.Contains(first, "Claude Monet") {
		t.Errorf("first stop %q", first)
	}
	if dir := os.Getenv("PASSERELLE_SCREENSHOTS"); dir != "" {
		png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, "live-sheet-phone.png"), png, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	console.check(t)

	step("figures",
		chromedp.EmulateViewport(1280, 2400),
		chromedp.Navigate(show),
		chromedp.WaitVisible(chromedp.CSS(`#figures-form`)),
		chromedp.SendKeys(chromedp.CSS(`#f-total_viewers`), "-70000"),
		click(`#figures-save`),
		chromedp.WaitVisible(chromedp.CSS(`#f-total_viewers-error`)),
	)
	// The refused figures come back with the form and a 422, which Chromium logs as a
	// failed load: that one is expected, any other error is not.
	console.mu.Lock()
	kept := console.list[:0]
	for _, e := range console.list {
		if !strings.Contains(e, "status of 422") {
			kept = append(kept, e)
		}
	}
	console.list = kept
	console.mu.Unlock()
	step("figures again",
		chromedp.SetValue(chromedp.CSS(`#f-total_viewers`), "70000"),
		chromedp.SendKeys(chromedp.CSS(`#f-peak_viewers`), "9000"),
		chromedp.SendKeys(chromedp.CSS(`#f-new_followers`), "1200"),
		click(`#figures-save`),
		chromedp.WaitVisible(chromedp.CSS(`#fig-total`)),
	)
	if total, peak := text(`#fig-total`), text(`#fig-peak`); total != "70,000" || peak != "9,000" {
		t.Errorf("figures shown: total %q, peak %q", total, peak)
	}
	console.check(t)
}
