package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/partners"
)

// navProbe lists the main navigation's items that a person cannot see whole: beyond
// the navigation's box or the window, or covered at their centre by something else
// (a row that scrolls sideways hides its last items).
const navProbe = `(function(){
  var nav = document.querySelector(".mainnav"), W = document.documentElement.clientWidth;
  var nr = nav.getBoundingClientRect(), out = {items: 0, hidden: [], scrolls: nav.scrollWidth > nav.clientWidth + 1};
  nav.querySelectorAll("a").forEach(function(a){
    out.items++;
    var r = a.getBoundingClientRect();
    var hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    if (r.left < nr.left - 1 || r.right > nr.right + 1 || r.right > W || !hit || !a.contains(hit)) { out.hidden.push(a.textContent.trim()); }
  });
  return JSON.stringify(out);
})()`

// phoneProbe measures the page's width and the tables' boxes that scroll sideways.
const phoneProbe = `(function(){
  var out = {width: document.documentElement.clientWidth, scroll: document.documentElement.scrollWidth, scrollers: []};
  document.querySelectorAll("#live-events, #portfolio-table, #network-shares").forEach(function(t){
    var box = t.closest(".table-wrap") || t;
    if (box.scrollWidth > box.clientWidth + 1) { out.scrollers.push(t.id + " (" + box.scrollWidth + " in " + box.clientWidth + " px)"); }
    if (t.getBoundingClientRect().right > out.width + 1) { out.scrollers.push(t.id + " sticks out"); }
  });
  return JSON.stringify(out);
})()`

// TestBrowserNavFitsAndPhoneTables: at 1280 and 1366 px an owner sees every item of
// the main navigation whole in the three languages (French labels are the longest)
// and reaches the last one by a click; on a 390 px phone the live-visit list, the
// organization's portfolio and a network account's shares fold into cards, and the
// home page's accounts shorten their long names: neither the pages nor their tables
// scroll sideways.
func TestBrowserNavFitsAndPhoneTables(t *testing.T) {
	a := newApp(t, true)
	ids := seedMuseums(t, a)
	bg := context.Background()
	owner, _, err := a.DB.UserByEmail(bg, "demo@passerelle.example")
	if err != nil {
		t.Fatal(err)
	}
	ps := partners.New(partners.Options{DB: a.DB, BaseURL: a.URL})
	viewers := int64(70_000)
	for _, e := range []*passerelle.LiveEvent{
		{Platform: passerelle.Weibo, StartsAt: time.Now().Add(-72 * time.Hour).Truncate(time.Hour), Title: "Visite en direct des Nymphéas", TitleZH: "睡莲直播参观", Host: "Claire", TotalViewers: &viewers},
		{Platform: passerelle.WeChat, StartsAt: time.Now().Add(96 * time.Hour).Truncate(time.Hour), Title: "La galerie des Glaces en direct", TitleZH: "镜厅直播", Host: "Claire"},
	} {
		if err := ps.CreateLiveEvent(bg, owner, ids[0], e); err != nil {
			t.Fatal(err)
		}
	}
	// A network account with a member, and a watched account with a long name on the
	// home page's institution card.
	zadkine := a.institution(owner, "Musée Zadkine")
	if _, err := ps.SetMembers(bg, owner, ids[1], []int64{ids[0], zadkine.ID}); err != nil {
		t.Fatal(err)
	}
	followers := int64(31_100)
	if err := a.DB.CreateAccount(bg, owner.OrgID, &passerelle.Account{InstitutionID: ids[0], Platform: passerelle.Weibo, Kind: passerelle.AccountWatched,
		Handle: "metmuseum", DisplayName: "Metropolitan Museum of Art", Followers: &followers}); err != nil {
		t.Fatal(err)
	}
	ctx := browser(t, 300*time.Second)
	if err := chromedp.Do(ctx, signIn(a, "demo@passerelle.example", "passerelle-demo")...); err != nil {
		t.Fatal(err)
	}
	for _, lang := range layoutLangs {
		err := chromedp.Do(ctx, viewport(1366, 800, false), chromedp.Navigate(a.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`.langswitch select`)),
			setSelect(`.langswitch select`, lang), chromedp.WaitVisible(chromedp.CSS(`html[lang="`+lang+`"] .mainnav`)))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range []int64{1366, 1280} {
			if err := chromedp.Do(ctx, viewport(w, 800, false), chromedp.Navigate(a.URL+"/"), chromedp.WaitVisible(chromedp.CSS(`.mainnav`))); err != nil {
				t.Fatal(err)
			}
			s, err := chromedp.Run(ctx, chromedp.Evaluate[string](navProbe))
			if err != nil {
				t.Fatal(err)
			}
			var nav struct {
				Items   int
				Hidden  []string
				Scrolls bool
			}
			if err := json.Unmarshal([]byte(s), &nav); err != nil {
				t.Fatal(err)
			}
			if nav.Items < 12 || len(nav.Hidden) > 0 || nav.Scrolls {
				t.Errorf("navigation at %d px in %s: %d items, hidden %q, scrolls %v", w, lang, nav.Items, nav.Hidden, nav.Scrolls)
			}
			// The last item answers a click where it is drawn.
			if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`.mainnav a[href="/settings"]`)), chromedp.WaitVisible(chromedp.CSS(`.mainnav a[href="/settings"][aria-current=page]`))); err != nil {
				t.Fatalf("settings by the navigation at %d px in %s: %v", w, lang, err)
			}
		}
		for _, path := range []string{"/live-events", "/analytics", "/accounts/" + itoa(ids[1]) + "/network", "/"} {
			if err := chromedp.Do(ctx, viewport(390, 844, true), chromedp.Navigate(a.URL+path), chromedp.WaitVisible(chromedp.CSS(`#live-events, #portfolio-table, #network-shares, .stats`))); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			s, err := chromedp.Run(ctx, chromedp.Evaluate[string](phoneProbe))
			if err != nil {
				t.Fatal(err)
			}
			var l struct {
				Width, Scroll int
				Scrollers     []string
			}
			if err := json.Unmarshal([]byte(s), &l); err != nil {
				t.Fatal(err)
			}
			if l.Scroll > l.Width || len(l.Scrollers) > 0 {
				t.Errorf("%s at 390 px in %s: page %d px in %d, %s", path, lang, l.Scroll, l.Width, strings.Join(l.Scrollers, ", "))
			}
			// Each card names its figures.
			if path == "/analytics" {
				label, err := chromedp.Run(ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector("#portfolio-table td[data-label]"), "::before").content`))
				if err != nil || label == "" || label == "none" {
					t.Errorf("portfolio card without its column names in %s: %q %v", lang, label, err)
				}
			}
		}
	}
}
