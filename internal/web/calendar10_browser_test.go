package web_test

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestBrowserCalendarWeekGrid: from the month, a person clicks "Week", finds the
// publication in its hour row with the Paris and Beijing times, drags it to another
// hour (1366 px), then on a phone (390 px) moves it with its Reschedule form. No page
// scrolls sideways and nothing is written to the console.
func TestBrowserCalendarWeekGrid(t *testing.T) {
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	winter := strconv.Itoa(time.Now().Year()+1) + "-01-15"
	pubID := n.scheduled(t, a, "Les Nymphéas", winter+"T09:20")
	slot := func(date, hour string) string {
		return `.cal-slot[data-date="` + date + `"][data-hour="` + hour + `"]`
	}
	paris := mustZone(t, "Europe/Paris")
	at := func() string {
		p, err := a.Ed.Post(context.Background(), n.owner, n.postOf(t, a, pubID))
		if err != nil || p.Publications[0].ScheduledAt == nil {
			t.Fatalf("post: %v", err)
		}
		return p.Publications[0].ScheduledAt.In(paris).Format("2006-01-02T15:04")
	}

	ctx := browser(t, 90*time.Second)
	var text string
	err := chromedp.Do(ctx, append(signIn(a, "owner@example.org", pw),
		viewport(1366, 900, false),
		chromedp.Navigate(a.URL+"/calendar?date="+winter),
		chromedp.WaitVisible(chromedp.CSS(`.cal-month`)),
		chromedp.Click(chromedp.CSS(`nav.seg a[href^="/calendar?view=week"]`)),
		chromedp.WaitVisible(chromedp.CSS(slot(winter, "09:00")+` .cal-item[draggable=true]`)),
	)...)
	if err != nil {
		t.Fatal(err)
	}
	if text, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(slot(winter, "09:00")+` .cal-item`))); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Les Nymphéas", "09:20", "Paris", "16:20", "Beijing", "Weibo", "Draft"} {
		if !strings.Contains(text, want) {
			t.Errorf("the week's 09:00 row shows %q, without %q", text, want)
		}
	}
	if l := measure(t, ctx, "week 1366"); l.Scroll > l.Width || len(l.Wide) > 0 {
		t.Errorf("the week at 1366 px scrolls sideways: %v", l.Wide)
	}

	// Drag it to 14:00 the next day, as a mouse does.
	next := day(winter, 1)
	err = chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(function(){
			var item = document.querySelector('%s .cal-item[draggable=true]');
			var to = document.querySelector('%s');
			var dt = new DataTransfer();
			item.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
			to.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
			to.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
		})()`, slot(winter, "09:00"), slot(next, "14:00"))),
		chromedp.WaitVisible(chromedp.CSS(slot(next, "14:00")+` .cal-item`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := at(); got != next+"T14:20" {
		t.Fatalf("after the drag: %s, want %sT14:20 Paris time", got, next)
	}

	// A phone: the week is a list of days with their busy hours, both times shown;
	// the Reschedule form moves the publication.
	var when string
	err = chromedp.Do(ctx,
		viewport(390, 800, true),
		chromedp.Navigate(a.URL+"/calendar?view=week&date="+winter),
		chromedp.WaitVisible(chromedp.CSS(slot(next, "14:00")+` .cg-when`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if when, err = chromedp.Run(ctx, chromedp.Text(chromedp.CSS(slot(next, "14:00")+` .cg-when`))); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(when, "14:00") || !strings.Contains(when, "Beijing 21:00") {
		t.Errorf("on a phone the hour reads %q", when)
	}
	if l := measure(t, ctx, "week 390"); l.Scroll > l.Width || len(l.Wide) > 0 {
		t.Errorf("the week at 390 px scrolls sideways (%d px): %v", l.Scroll, l.Wide)
	}
	err = chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(slot(next, "14:00")+` .cal-move summary`)),
		chromedp.WaitVisible(chromedp.CSS(`#mv-`+itoa(pubID))),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#mv-`+itoa(pubID)+`').value = '`+next+`T16:05'`),
		chromedp.Click(chromedp.CSS(slot(next, "14:00")+` .cal-move button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(slot(next, "16:00")+` .cal-item`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	if got := at(); got != next+"T16:05" {
		t.Fatalf("after the form: %s, want %sT16:05 Paris time", got, next)
	}
	if l := measure(t, ctx, "day 390"); l.Scroll > l.Width {
		t.Errorf("the week at 390 px scrolls sideways after the move: %v", l.Wide)
	}
	err = chromedp.Do(ctx, chromedp.Navigate(a.URL+"/calendar?view=day&date="+next), chromedp.WaitVisible(chromedp.CSS(slot(next, "16:00")+` .cal-item`)))
	if err != nil {
		t.Fatal(err)
	}
	if l := measure(t, ctx, "day 390"); l.Scroll > l.Width || len(l.Wide) > 0 {
		t.Errorf("the day at 390 px scrolls sideways (%d px): %v", l.Scroll, l.Wide)
	}
}
