package main

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// TestBrowserCoAuthoredPost: an editor names a partner as co-author in the composer
// and sends them a review link bound to them; the partner opens it in a fresh browser
// context and approves; the editor sees the post approved by every co-author,
// records the partner's publication, and the post page shows both sides' reach.
func TestBrowserCoAuthoredPost(t *testing.T) {
	t.Parallel()
	ctx, console := headless(t, 8*time.Minute)
	m := boot(t)
	bg := context.Background()
	org, err := m.DB.CreateOrganization(bg, "Agence")
	if err != nil {
		t.Fatal(err)
	}
	inst := &passerelle.Institution{OrgID: org.ID, Name: "Musée d'Orsay"}
	if err := m.DB.CreateInstitution(bg, inst); err != nil {
		t.Fatal(err)
	}
	const password = "correct-horse-battery"
	editor := &passerelle.User{OrgID: org.ID, Email: "editor@example.org", Name: "Claire", Memberships: []passerelle.Membership{{InstitutionID: inst.ID, Role: passerelle.RoleEditor}}}
	reviewer := &passerelle.User{OrgID: org.ID, Email: "reviewer@example.org", Name: "Mme Martin", Memberships: []passerelle.Membership{{InstitutionID: inst.ID, Role: passerelle.RoleReviewer}}}
	for _, u := range []*passerelle.User{editor, reviewer} {
		if err := m.Auth.CreateUser(bg, u, password); err != nil {
			t.Fatal(err)
		}
	}
	acc := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Kind: passerelle.AccountManaged, Handle: "museeorsay"}
	if err := m.DB.CreateAccount(bg, org.ID, acc); err != nil {
		t.Fatal(err)
	}
	edit := editorial.New(editorial.Options{DB: m.DB, DataDir: m.Config.DataDir})
	str := func(s string) *string { return &s }
	saved, err := edit.CreatePost(bg, editor, &editorial.PostInput{InstitutionID: &inst.ID, Title: str("Les coups de cœur de Xu Bing"), Theme: str("collection"), SourceLang: str("fr"),
		SourceText: str("Les œuvres préférées de Xu Bing."), TextZH: str("徐冰的心头好。"), Publications: &[]editorial.PublicationInput{{AccountID: acc.ID}}})
	if err != nil {
		t.Fatal(err)
	}
	artist := &passerelle.Partner{Name: "Xu Bing", NameZH: "徐冰", Kind: passerelle.PartnerArtist,
		Accounts: []passerelle.PartnerAccount{{Platform: passerelle.Weibo, Handle: "xubing"}}}
	if err := m.Partners.CreatePartner(bg, editor, artist); err != nil {
		t.Fatal(err)
	}
	base := m.URL()
	post := fmt.Sprintf("%s/posts/%d", base, saved.Post.ID)
	click := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.ScrollIntoView(chromedp.CSS(sel)), chromedp.Click(chromedp.CSS(sel)))
	}
	// A click that navigates: the old document is marked before it.
	navigates := func(sel string) chromedp.Action[chromedp.Void] {
		return chromedp.Steps(chromedp.Evaluate[chromedp.Void](`document.body.dataset.old = "1"`), click(sel))
	}
	// arrived waits for the new document (not the marked one) holding want.
	arrived := func(ctx context.Context, what, want string) {
		t.Helper()
		cond := fmt.Sprintf(`document.readyState === "complete" && !document.body.dataset.old && document.querySelector(%q) !== null`, want)
		for deadline := time.Now().Add(time.Minute); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
			if ok, err := chromedp.Run(ctx, chromedp.Evaluate[bool](cond)); err == nil && ok {
				return
			}
		}
		loc, _ := chromedp.Run(ctx, chromedp.Location())
		main, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`main`)))
		t.Fatalf("%s: no new page with %s\n%s\n%s", what, want, loc, main)
	}
	step := func(ctx context.Context, what string, actions ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		browserStep(t, ctx, what, actions...)
	}

	step(ctx, "name the co-author",
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), editor.Email),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), password),
		click(`form[action="/login"] button[type=submit]`),
		chromedp.WaitVisible(chromedp.CSS(`.mainnav`)),
		chromedp.Navigate(post),
		chromedp.WaitVisible(chromedp.CSS(`#coauthor-choice`)),
		click(fmt.Sprintf(`#coauthor-choice input[value="%d"] + span`, artist.ID)),
		navigates(`#save-post`),
	)
	arrived(ctx, "saved", `#coauthors`)
	waiting, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#coauthors-waiting`)))
	if !strings.Contains(waiting, "Xu Bing") && !strings.Contains(waiting, "徐冰") {
		t.Fatalf("the post page does not say it waits for the co-author: %q", waiting)
	}
	console.check(t)

	// The museum approves (its own review is tested elsewhere).
	if _, err := edit.Transition(bg, editor, saved.Post.ID, passerelle.StatusReview, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := edit.Transition(bg, reviewer, saved.Post.ID, passerelle.StatusApproved, ""); err != nil {
		t.Fatal(err)
	}
	step(ctx, "send the co-author's link",
		chromedp.Navigate(post),
		chromedp.WaitVisible(chromedp.CSS(`#link-partner`)),
		chromedp.SetValue(chromedp.CSS(`#link-partner`), fmt.Sprint(artist.ID)),
		navigates(`#create-link`),
	)
	arrived(ctx, "link made", `#new-link`)
	link, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(`#new-link`)))
	if err != nil || !strings.Contains(link, "/review/") {
		t.Fatalf("co-author link %q %v", link, err)
	}

	// The partner, in a browser context of its own.
	pctx, cancel := chromedp.NewContext(ctx, chromedp.WithNewBrowserContext())
	defer cancel()
	if err := chromedp.Do(pctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatal(err)
	}
	step(pctx, "the partner approves",
		chromedp.Navigate(link),
		chromedp.WaitVisible(chromedp.CSS(`#coauthor-intro`)),
		chromedp.WaitVisible(chromedp.CSS(`#approve`)),
		navigates(`#approve`),
	)
	arrived(pctx, "approved", `#decided`)
	if n, err := chromedp.Run(pctx, chromedp.Evaluate[int](`document.querySelectorAll('#approve, .mainnav').length`)); err != nil || n != 0 {
		t.Fatalf("after approving, the partner still sees the buttons or the signed-in shell (%d, %v)", n, err)
	}

	partnerURL := "https://weibo.com/1234567890/XuBingAbCd"
	step(ctx, "the editor sees the approval and records the partner's post",
		chromedp.Navigate(post),
		chromedp.WaitVisible(chromedp.CSS(`#coauthors-approved`)),
		chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`#ca-url-%d`, artist.ID)), "https://mp.weixin.qq.com/s/abcdefghijklmnop"),
		navigates(fmt.Sprintf(`#ca-save-%d`, artist.ID)),
	)
	// Another platform's address is refused: the page says so and records nothing.
	arrived(ctx, "refused", `#coauthors`)
	if n, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('.coauthor-publication').length`)); n != 0 {
		t.Fatal("a WeChat address was recorded as the partner's Weibo post")
	}
	step(ctx, "record the partner's post",
		chromedp.SetValue(chromedp.CSS(fmt.Sprintf(`#ca-url-%d`, artist.ID)), partnerURL),
		chromedp.SendKeys(chromedp.CSS(fmt.Sprintf(`#ca-views-%d`, artist.ID)), "120000"),
		navigates(fmt.Sprintf(`#ca-save-%d`, artist.ID)),
	)
	arrived(ctx, "recorded", `.coauthor-publication`)
	reach, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#partner-reach`)))
	own, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#own-reach`)))
	if strings.TrimSpace(reach) != "120,000" || strings.TrimSpace(own) != "0" {
		t.Fatalf("reach on the post page: partner %q, own %q", reach, own)
	}
	if n, err := chromedp.Run(ctx, chromedp.Evaluate[int](fmt.Sprintf(`document.querySelectorAll('.coauthor-publication a[href=%q]').length`, partnerURL))); err != nil || n != 1 {
		t.Fatalf("the partner's post on the post page: %d %v", n, err)
	}
	console.check(t)
}
