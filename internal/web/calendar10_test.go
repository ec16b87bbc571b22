package web_test

import (
	"context"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// gridCell returns the HTML of the hour-grid cell of date and hour ("09:00").
func gridCell(t *testing.T, body, date, hour string) string {
	t.Helper()
	start := strings.Index(body, `data-date="`+date+`" data-hour="`+hour+`"`)
	if start < 0 {
		t.Fatalf("no cell %s %s in the grid:\n%s", date, hour, excerpt(body))
	}
	cell := body[strings.LastIndex(body[:start], `<div class="cal-slot`):]
	if end := strings.Index(cell[1:], `<div class="cal-slot`); end > 0 {
		cell = cell[:end+1]
	}
	if end := strings.Index(cell, `</section>`); end > 0 {
		cell = cell[:end]
	}
	return cell
}

// schedulePost creates a post on the newsroom's Weibo account and schedules it at a
// wall-clock time of the institution (Paris).
func (n *newsroom) scheduled(t *testing.T, a *app, title, local string) int64 {
	t.Helper()
	p := n.post(t, a, title, "Claude Monet.", "莫奈。")
	at, err := passerelle.LocalInstant(local, mustZone(t, "Europe/Paris"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.Ed.Schedule(context.Background(), n.owner, p.Publications[0].ID, &at); err != nil {
		t.Fatal(err)
	}
	return p.Publications[0].ID
}

// TestCalendarHourGrid: the week and day views place each publication in its hour
// row, with the institution's hour and Beijing's side by side, right across
// daylight-saving time (Paris 09:00 is Beijing 16:00 in winter, 15:00 in summer).
func TestCalendarHourGrid(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	// Next year's dates: within the two years one may schedule ahead.
	y := strconv.Itoa(time.Now().Year() + 1)
	winter, summer := y+"-01-15", y+"-07-15"
	n.scheduled(t, a, "Hiver", winter+"T09:20")
	n.scheduled(t, a, "Été", summer+"T09:45")
	c := a.signedIn("viewer@example.org")

	r := c.get("/calendar?view=week&date=" + winter)
	if r.Status != http.StatusOK {
		t.Fatalf("week: %d %s", r.Status, excerpt(r.Body))
	}
	wantContains(t, r.Body, `class="cal-grid cal-grid-week"`, "Week of", "Paris", "Beijing &#43;7 h")
	cell := gridCell(t, r.Body, winter, "09:00")
	wantContains(t, cell, `data-beijing="16:00"`, "Hiver", "09:20", "16:20", "Weibo", "status-line-draft")
	if strings.Contains(gridCell(t, r.Body, winter, "10:00"), "Hiver") || strings.Contains(gridCell(t, r.Body, day(winter, -1), "09:00"), "Hiver") {
		t.Error("the publication is in another cell too")
	}
	// Quiet hours (23:00–07:00 Beijing, by default): Paris 17:00 in winter is
	// midnight in Beijing, shaded; 09:00 is not.
	if !strings.Contains(gridCell(t, r.Body, winter, "17:00"), "cg-quiet") || strings.Contains(cell, "cg-quiet") {
		t.Error("the Beijing night is not shaded where it should be")
	}

	r = c.get("/calendar?view=day&date=" + summer)
	if r.Status != http.StatusOK {
		t.Fatalf("day: %d %s", r.Status, excerpt(r.Body))
	}
	wantContains(t, r.Body, `class="cal-grid cal-grid-day"`, "15 Jul "+y, "Beijing &#43;6 h", `href="/calendar?date=`+day(summer, -1)+`&amp;view=day"`, `href="/calendar?date=`+day(summer, 1)+`&amp;view=day"`,
		// The other views stay on the same date.
		`href="/calendar?view=week&amp;date=`+summer+`"`)
	wantContains(t, gridCell(t, r.Body, summer, "09:00"), `data-beijing="15:00"`, "Été", "09:45", "15:45")
	if strings.Contains(r.Body, "Hiver") {
		t.Error("the day view shows another day's publication")
	}

	// The week of the change to summer time (the last Sunday of March) says so, and
	// the 09:00 row is 16:00 in Beijing until Saturday, 15:00 on Sunday.
	sunday := time.Date(time.Now().Year()+1, time.March, 31, 0, 0, 0, 0, time.UTC)
	for sunday.Weekday() != time.Sunday {
		sunday = sunday.AddDate(0, 0, -1)
	}
	sun := sunday.Format("2006-01-02")
	r = c.get("/calendar?view=week&date=" + day(sun, -3))
	wantContains(t, r.Body, "The clocks change in this period", "16:00 / 15:00")
	wantContains(t, gridCell(t, r.Body, sun, "09:00"), `data-beijing="15:00"`)
	wantContains(t, gridCell(t, r.Body, day(sun, -1), "09:00"), `data-beijing="16:00"`)

	// A bad date is today's week, never an error.
	if r := c.get("/calendar?view=day&date=garbage"); r.Status != http.StatusOK {
		t.Fatalf("bad date: %d", r.Status)
	}
}

// TestCalendarGridMixedZones: institutions in several zones share a grid in Beijing
// time; each publication is at its Beijing hour.
func TestCalendarGridMixedZones(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	winter := strconv.Itoa(time.Now().Year()+1) + "-01-15"
	n.scheduled(t, a, "Paris matin", winter+"T09:00")
	tokyo := &passerelle.Institution{Name: "Musée de Tokyo", TimeZone: "Asia/Tokyo"}
	tokyo.Normalize()
	if err := a.Ten.CreateInstitution(context.Background(), n.owner, tokyo); err != nil {
		t.Fatal(err)
	}
	c := a.signedIn("owner@example.org")
	r := c.get("/calendar?view=week&date=" + winter)
	wantContains(t, r.Body, "cg-bjonly", "several time zones", "Paris matin")
	if !strings.Contains(r.Body, `data-beijing="16:00">`) {
		t.Error("no Beijing 16:00 cell")
	}
	// One institution chosen: its own zone again.
	r = c.get("/calendar?view=week&date=" + winter + "&institution_id=" + itoa(n.inst.ID))
	wantContains(t, gridCell(t, r.Body, winter, "09:00"), "Paris matin")
}

// day adds n days to a YYYY-MM-DD date.
func day(date string, n int) string {
	d, err := time.Parse("2006-01-02", date)
	if err != nil {
		panic(err)
	}
	return d.AddDate(0, 0, n).Format("2006-01-02")
}

// postOf returns the post of a publication.
func (n *newsroom) postOf(t *testing.T, a *app, pubID int64) int64 {
	t.Helper()
	var id int64
	if err := a.DB.SQL().QueryRow(`SELECT post_id FROM publications WHERE id = ?`, pubID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}
