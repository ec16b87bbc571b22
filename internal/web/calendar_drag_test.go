package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// TestBrowserCalendarDrag drags a publication onto another day of the week view in a
// real browser: it moves there at the same time of day.
func TestBrowserCalendarDrag(t *testing.T) {
	a := newApp(t, false)
	owner := a.org("Agence", "marie@agence.example", "marie-password-1")
	inst := a.institution(owner, "Musée d'Orsay")
	acc := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Kind: passerelle.AccountManaged, Handle: "museedorsay", DisplayName: "奥赛博物馆"}
	if err := a.Ten.CreateAccount(context.Background(), owner, acc); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	saved, err := a.Ed.CreatePost(ctx, owner, &editorial.PostInput{InstitutionID: &inst.ID, Title: ptr("Les Nymphéas"), Theme: ptr("collection"), SourceLang: ptr("fr"),
		SourceText: ptr("Les Nymphéas de Monet."), TextZH: ptr("莫奈的《睡莲》。"), Publications: &[]editorial.PublicationInput{{AccountID: acc.ID, Format: "photo_text"}}})
	if err != nil {
		t.Fatal(err)
	}
	paris, _ := time.LoadLocation("Europe/Paris")
	// A day at least three days ahead, and a neighbour in the same Monday–Sunday week.
	from := time.Now().In(paris).AddDate(0, 0, 3)
	to := from.AddDate(0, 0, 1)
	if from.Weekday() == time.Sunday {
		to = from.AddDate(0, 0, -1)
	}
	at := time.Date(from.Year(), from.Month(), from.Day(), 10, 30, 0, 0, paris)
	pubID := saved.Post.Publications[0].ID
	if _, err := a.Ed.Schedule(ctx, owner, pubID, &at); err != nil {
		t.Fatal(err)
	}
	bctx := browser(t, 60*time.Second)
	fromDay, toDay := from.Format("2006-01-02"), to.Format("2006-01-02")
	err = chromedp.Do(bctx,
		chromedp.Navigate(a.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`#f-email`)),
		chromedp.SendKeys(chromedp.CSS(`#f-email`), "marie@agence.example"),
		chromedp.SendKeys(chromedp.CSS(`#f-password`), "marie-password-1"),
		chromedp.Click(chromedp.CSS(`form[action="/login"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`.stats`)),
		chromedp.Navigate(a.URL+"/calendar?view=week&date="+fromDay),
		chromedp.WaitVisible(chromedp.CSS(`.cal-day[data-date="`+fromDay+`"] .cal-item[draggable=true]`)),
		// What a mouse drag does, as the browser's own events.
		chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`(function(){
			var item = document.querySelector('.cal-day[data-date="%s"] .cal-item[draggable=true]');
			var day = document.querySelector('.cal-day[data-date="%s"]');
			var dt = new DataTransfer();
			item.dispatchEvent(new DragEvent("dragstart", {bubbles: true, dataTransfer: dt}));
			day.dispatchEvent(new DragEvent("dragover", {bubbles: true, cancelable: true, dataTransfer: dt}));
			day.dispatchEvent(new DragEvent("drop", {bubbles: true, cancelable: true, dataTransfer: dt}));
		})()`, fromDay, toDay)),
		chromedp.WaitVisible(chromedp.CSS(`.cal-day[data-date="`+toDay+`"] .cal-item`)),
	)
	if err != nil {
		t.Fatal(err)
	}
	p, err := a.Ed.Post(ctx, owner, saved.Post.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := p.Publications[0].ScheduledAt
	want := time.Date(to.Year(), to.Month(), to.Day(), 10, 30, 0, 0, paris)
	if got == nil || !got.Equal(want) {
		t.Fatalf("after the drag: %v, want %v", got, want)
	}
}
