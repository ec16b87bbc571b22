package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// TestBrowserRelayCampaign is issue 14's browser test: an editor invites a partner to
// relay a post; the partner opens their link in a fresh browser context (no session),
// is told when the address is not a post of their platform, records the relay with
// its views; the editor sees the campaign's totals change.
func TestBrowserRelayCampaign(t *testing.T) {
	t.Parallel()
	ctx, console := headless(t, 8*time.Minute) // generous: a busy machine
	m := boot(t)
	bg := context.Background()
	org, err := m.DB.CreateOrganization(bg, "Agence")
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
	acc := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Kind: passerelle.AccountManaged, Handle: "petitpalais"}
	if err := m.DB.CreateAccount(bg, org.ID, acc); err != nil {
		t.Fatal(err)
	}
	edit := editorial.New(editorial.Options{DB: m.DB, DataDir: m.Config.DataDir})
	str := func(s string) *string { return &s }
	if _, err := edit.CreatePost(bg, editor, &editorial.PostInput{InstitutionID: &inst.ID, Title: str("Les Nabis"), Theme: str("collection"), SourceLang: str("fr"),
		TextZH: str("纳比派的色彩。"), Publications: &[]editorial.PublicationInput{{AccountID: acc.ID}}}); err != nil {
		t.Fatal(err)
	}
	followers := int64(2_000_000)
	if err := m.Partners.CreatePartner(bg, editor, &passerelle.Partner{Name: "Shanghai Museum", NameZH: "上海博物馆", Kind: passerelle.PartnerMuseum,
		Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Weibo, Handle: "shbwg", Followers: &followers}}}); err != nil {
		t.Fatal(err)
	}
	base := m.URL()
	click := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.ScrollIntoView(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
	}
	step := func(ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		browserStep(t, ctx, what, actions...)
	}

	step(ctx, "invite",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), editor.Email),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		click(`form[action="/login"] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.mainnav`)),
		click(`.mainnav a[href="/partners"]`),
		chromedp.WaitVisible(chromedp.CSS(`#partners`)),
		click(`.page-actions a[href="/campaigns"]`),
		chromedp.WaitVisible(chromedp.CSS(`#campaign-form`)),
		click(`#campaign-form input[name=partner_id]`),
		click(`#campaign-create`),
		chromedp.WaitVisible(chromedp.CSS(`#links-once`)),
	)
	link, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#relays a.relay-link`), "href"))
	if err != nil || !link.Exists || !strings.Contains(link.Value, "/relay/") {
		t.Fatalf("partner link %+v %v", link, err)
	}
	campaignURL, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		t.Fatal(err)
	}
	// The page after the POST is the campaign made; its address is the list's. Find
	// the campaign's own page from the list.
	step(ctx, "campaign list",
		chromedp.Navigate(base+"/campaigns"),
		chromedp.WaitVisible(chromedp.CSS(`#campaigns a[href^="/campaigns/"]`)),
	)
	href, err := chromedp.Run(ctx, chromedp.AttributeValue(chromedp.CSS(`#campaigns a[href^="/campaigns/"]`), "href"))
	if err != nil || !href.Exists {
		t.Fatalf("campaign link %+v %v (after %s)", href, err, campaignURL)
	}
	campaign := base + href.Value
	step(ctx, "totals before", chromedp.Navigate(campaign), chromedp.WaitVisible(chromedp.CSS(`#total-views`)))
	before, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#total-views`)))
	if strings.TrimSpace(before) != "0" {
		t.Fatalf("views before the relay: %q", before)
	}
	console.check(t)

	// The partner, in a browser context of its own: no session, no cookie.
	pctx, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	// The first run on a context owns its tab: run it on pctx itself, not on a step's
	// shorter-lived context, so that the tab outlives the step.
	if err := chromedp.Do(pctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	step(pctx, "partner opens the link",
		chromedp.Navigate(link.Value),
		chromedp.WaitVisible(chromedp.CSS(`#answer`)),
		chromedp.SendKeys(chromedp.CSS(`#r-url`), "https://mp.weixin.qq.com/s/abcdefghijklmnop"),
		click(`#relay-relayed`),
		chromedp.WaitVisible(chromedp.CSS(`#url-error`)),
		chromedp.SetValue(chromedp.CSS(`#r-url`), "https://weibo.com/1234567890/NabisAbCd"),
		chromedp.SendKeys(chromedp.CSS(`#r-views`), "5000"),
		click(`#relay-relayed`),
		chromedp.WaitVisible(chromedp.CSS(`#relay-thanks`)),
	)
	if n, err := chromedp.Run(pctx, chromedp.Evaluate[int](`document.querySelectorAll('.mainnav').length`)); err != nil || n != 0 {
		t.Fatalf("the partner sees the signed-in shell (%d, %v)", n, err)
	}

	step(ctx, "totals after", chromedp.Navigate(campaign), chromedp.WaitVisible(chromedp.CSS(`#total-views`)))
	after, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#total-views`)))
	relayed, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#total-relayed`)))
	if strings.TrimSpace(after) != "5,000" || strings.TrimSpace(relayed) != "1 / 1" {
		t.Fatalf("totals after the relay: views %q, relayed %q", after, relayed)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#relays tr[data-status="relayed"] a[href="https://weibo.com/1234567890/NabisAbCd"]').length`)); err != nil || n != 1 {
		t.Fatalf("the relay's link on the campaign page: %d %v", n, err)
	}
	console.check(t)
}
