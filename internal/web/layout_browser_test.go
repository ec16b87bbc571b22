package web_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// layoutProbe measures the page as laid out: how far it scrolls sideways, the
// elements that stick out of the window, and the pairs of header items that overlap.
const layoutProbe = `(function(){
  var W = document.documentElement.clientWidth;
  var out = {width: W, scroll: document.documentElement.scrollWidth, wide: [], overlaps: [], scrollers: []};
  var name = function(el){ var s = el.tagName.toLowerCase(); if (el.id) { s += "#" + el.id; } if (typeof el.className === "string" && el.className) { s += "." + el.className.trim().split(/\s+/).join("."); } return s; };
  document.querySelectorAll("body *").forEach(function(el){
    var r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) { return; }
    var cs = getComputedStyle(el);
    if (cs.position === "fixed" || el.closest(".visually-hidden,.skip-link")) { return; }
    // Inside a box that scrolls sideways by design (a wide table), the box counts.
    for (var p = el.parentElement; p && p !== document.body; p = p.parentElement) { var o = getComputedStyle(p).overflowX; if (o === "auto" || o === "scroll" || o === "hidden") { return; } }
    if (r.right > W + 1 && out.wide.length < 8) { out.wide.push(name(el) + " [" + el.textContent.trim().replace(/\s+/g," ").slice(0,30) + "] parent=" + name(el.parentElement) + " right=" + Math.round(r.right)); }
  });
  // Boxes that scroll sideways by design (a wide table): listed, for the pages that
  // must fit a phone without any.
  document.querySelectorAll(".table-wrap").forEach(function(el){
    if (el.getBoundingClientRect().width > 0 && el.scrollWidth > el.clientWidth + 1) { out.scrollers.push(name(el) + " (" + el.scrollWidth + " in " + el.clientWidth + " px)"); }
  });
  var head = Array.prototype.slice.call(document.querySelectorAll(".topbar .brand, .mainnav a, .topbar-end > *"));
  for (var i = 0; i < head.length; i++) { for (var j = i + 1; j < head.length; j++) {
    var a = head[i].getBoundingClientRect(), b = head[j].getBoundingClientRect();
    if (a.width && b.width && a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) {
      out.overlaps.push(name(head[i]) + " [" + head[i].textContent.trim().replace(/\s+/g," ").slice(0,24) + "] × " + name(head[j]) + " [" + head[j].textContent.trim().replace(/\s+/g," ").slice(0,24) + "]");
    }
  } }
  return JSON.stringify(out);
})()`

type layout struct {
	Width, Scroll int
	Wide          []string
	Overlaps      []string
	Scrollers     []string
}

func measure(t *testing.T, ctx context.Context, path string) layout {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](layoutProbe))
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	var l layout
	if err := json.Unmarshal([]byte(s), &l); err != nil {
		t.Fatal(err)
	}
	return l
}

// TestBrowserLayout opens the pages at phone and desktop widths in the three
// languages and fails on sideways scrolling or on overlapping navigation.
func TestBrowserLayout(t *testing.T) {
	a := newApp(t, true)
	ids := seedMuseums(t, a)
	post, day, token := editorialDemo(t, a, ids[0])
	ctx := browser(t, 900*time.Second)
	if err := chromedp.Do(ctx, signIn(a, "demo@passerelle.example", "passerelle-demo")...); err != nil {
		t.Fatal(err)
	}
	kit := publishingDemo(t, a, ids[0])
	pages := []string{"/", "/posts", "/posts/" + itoa(post), "/posts/" + itoa(post) + "/history", "/calendar?date=" + day, "/calendar?view=week&date=" + day, "/calendar?view=day&date=" + day, "/institutions/" + itoa(ids[0]) + "/schedule-import",
		"/institutions", "/institutions/" + itoa(ids[0]), "/institutions/" + itoa(ids[0]) + "/media", "/glossary", "/accounts/" + itoa(ids[1]) + "/connection",
		"/review/" + token, "/outbox", "/publications/" + itoa(kit) + "/kit", "/jobs", "/notifications",
		"/institutions/" + itoa(ids[0]) + "/analytics", "/analytics", "/accounts/" + itoa(louvreWeChat(t, a, ids[0])) + "/desk", "/partners", "/campaigns"}
	// The publishing pages are read on a phone: at phone width their tables fold into
	// cards instead of scrolling sideways inside their box.
	fits := map[string]bool{"/outbox": true, "/publications/" + itoa(kit) + "/kit": true, "/jobs": true, "/notifications": true}
	for _, lang := range layoutLangs {
		err := chromedp.Do(ctx, viewport(1280, 800, false), chromedp.Navigate(a.URL+"/settings"), chromedp.WaitVisible(chromedp.CSS(`.langswitch select`)),
			setSelect(`.langswitch select`, lang), chromedp.WaitVisible(chromedp.CSS(`html[lang="`+lang+`"] .mainnav`)))
		if err != nil {
			t.Fatal(err)
		}
		for _, w := range layoutWidths {
			for _, path := range pages {
				if err := chromedp.Do(ctx, viewport(w, 900, w < 500), chromedp.Navigate(a.URL+path), chromedp.WaitReady(chromedp.CSS(`body`))); err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				// The composer fills its phones, counts and glossary names after the
				// page loads: measure them too.
				if path == "/posts/"+itoa(post) {
					if err := chromedp.Do(ctx, chromedp.WaitVisible(chromedp.CSS(`form.editor[data-checked] .live-phone`))); err != nil {
						t.Fatalf("%s: the composer's live side: %v", path, err)
					}
				}
				l := measure(t, ctx, path)
				if l.Scroll > l.Width || len(l.Wide) > 0 {
					t.Errorf("%s at %d px in %s scrolls sideways (%d px wide): %s", path, w, lang, l.Scroll, strings.Join(l.Wide, ", "))
				}
				if w < 500 && fits[path] && len(l.Scrollers) > 0 {
					t.Errorf("%s at %d px in %s: a table scrolls sideways: %s", path, w, lang, strings.Join(l.Scrollers, ", "))
				}
				if len(l.Overlaps) > 0 {
					t.Errorf("%s at %d px in %s: navigation overlaps: %s", path, w, lang, strings.Join(l.Overlaps, "; "))
				}
			}
		}
	}
}

var (
	layoutLangs  = []string{"fr", "en", "zh-Hans"}
	layoutWidths = []int64{390, 1280, 1366, 1600}
)

// louvreWeChat is the id of the Louvre's WeChat account seeded by seedMuseums.
func louvreWeChat(t *testing.T, a *app, institutionID int64) int64 {
	t.Helper()
	ctx := context.Background()
	owner, _, err := a.DB.UserByEmail(ctx, "demo@passerelle.example")
	if err != nil {
		t.Fatal(err)
	}
	accs, err := a.Ten.Accounts(ctx, owner, institutionID, false, tenancy.Page{})
	if err != nil {
		t.Fatal(err)
	}
	for _, ac := range accs {
		if ac.Platform == passerelle.WeChat {
			return ac.ID
		}
	}
	t.Fatal("the Louvre has no WeChat account")
	return 0
}
