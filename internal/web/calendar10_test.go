package web_test

import (
	"context"
	"net/http"
	"net/url"
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

// TestQuietHours: an institution's manager sets its quiet hours (Beijing time) on
// its page; a publication scheduled inside them gets a warning on the post page, next
// to its time, and a "Beijing night" mark on the calendar, whose grid shades them.
func TestQuietHours(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	y := strconv.Itoa(time.Now().Year() + 1)
	// 15:30 in Paris in January is 22:30 in Beijing: outside the default 23:00–07:00.
	pubID := n.scheduled(t, a, "Soirée", y+"-01-15T15:30")
	postPath := "/posts/" + itoa(n.postOf(t, a, pubID))
	owner := a.signedIn("owner@example.org")
	inst := "/institutions/" + itoa(n.inst.ID)

	wantContains(t, owner.get(inst).Body, "Quiet hours (Beijing time)", "between 23:00 and 07:00", `action="`+inst+`/quiet-hours"`)
	if strings.Contains(owner.get(postPath).Body, "quiet hours") {
		t.Fatal("a warning outside the quiet hours")
	}

	// Bad times are refused with the reason, and nothing changes.
	for _, bad := range []url.Values{{"quiet_on": {"on"}, "quiet_start": {"25:00"}, "quiet_end": {"07:00"}}, {"quiet_on": {"on"}, "quiet_start": {"07:00"}, "quiet_end": {"07:00"}}} {
		r := owner.post(inst+"/quiet-hours", bad)
		if r.Status != http.StatusSeeOther {
			t.Fatalf("bad times: %d", r.Status)
		}
		wantContains(t, owner.follow(r).Body, "flash-error", "between 23:00 and 07:00")
	}
	// Editors and viewers may not change them.
	for _, who := range []string{"editor@example.org", "viewer@example.org"} {
		if r := a.signedIn(who).post(inst+"/quiet-hours", url.Values{"quiet_on": {"on"}, "quiet_start": {"22:00"}, "quiet_end": {"08:00"}}); r.Status != http.StatusForbidden {
			t.Errorf("%s: %d", who, r.Status)
		}
	}

	r := owner.post(inst+"/quiet-hours", url.Values{"quiet_on": {"on"}, "quiet_start": {"22:00"}, "quiet_end": {"08:00"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.Status, excerpt(r.Body))
	}
	wantContains(t, owner.follow(r).Body, "Quiet hours saved.", "between 22:00 and 08:00")

	// The post page: the warning is by the publication's time, and in the list of
	// findings with where it is.
	body := owner.get(postPath).Body
	sched := body[strings.Index(body, `id="f-pub_`+itoa(n.weibo.ID)+`.scheduled_at"`):]
	sched = sched[:strings.Index(sched, "</div>")]
	wantContains(t, sched, "Scheduled at 22:30 Beijing time, inside the quiet hours (22:00–08:00)")
	wantContains(t, body, `href="#f-pub_`+itoa(n.weibo.ID)+`.scheduled_at"`)
	// In French too.
	fr := a.client()
	fr.header.Set("Accept-Language", "fr")
	fr.login("owner@example.org", pw)
	wantContains(t, fr.get(postPath).Body, "Programmé à 22:30 heure de Pékin, pendant les heures calmes (22:00–08:00)")

	// The calendar marks it and shades the new window.
	cal := owner.get("/calendar?view=week&date=" + y + "-01-15").Body
	wantContains(t, gridCell(t, cal, y+"-01-15", "15:00"), "cg-quiet", "Beijing night", "Soirée")
	if strings.Contains(gridCell(t, cal, y+"-01-15", "14:00"), "cg-quiet") {
		t.Error("14:00 Paris (21:00 Beijing) is shaded")
	}
	wantContains(t, owner.get("/calendar?view=list&date="+y+"-01-15").Body, "Beijing night")

	// Turned off: no warning, no shading.
	owner.post(inst+"/quiet-hours", url.Values{"quiet_start": {"22:00"}, "quiet_end": {"08:00"}})
	wantContains(t, owner.get(inst).Body, "No warning for publications in the Beijing night.")
	if body := owner.get(postPath).Body; strings.Contains(body, "quiet hours (") {
		t.Error("a warning after the quiet hours were turned off")
	}
	if strings.Contains(owner.get("/calendar?view=week&date="+y+"-01-15").Body, "cg-quiet") {
		t.Error("shading after the quiet hours were turned off")
	}
}
