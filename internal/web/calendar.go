package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/occasions"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// The calendar: publications by month, week or as a list, for one institution or all,
// every time in the institution's zone and in Beijing time; cadence targets per
// account; occasions as suggestions. Rescheduling is a form per item, and drag and
// drop (static/app.js) posts the same form.

const dayLayout = "2006-01-02"

type calendarPage struct {
	View string
	// Label names the period shown; Prev, Next and Today are links.
	Label, Prev, Next, Today string
	Weeks                    [][]*calDay
	Days                     []*calDay
	Weekdays                 []int
	Occasions                []occasions.Occasion
	Cadence                  []*cadenceRow
	Institutions             []*passerelle.Institution
	Names                    map[int64]string
	Accounts                 []*passerelle.Account
	Themes                   []string
	Statuses                 []passerelle.Status
	Platforms                []passerelle.Platform
	Filter                   calendarFilter
	// Here is this page's path and query, where the forms come back to.
	Here  string
	Empty bool
	// Anchor is the date shown, kept when switching views.
	Anchor string
	// Grid is the hour grid of the week and day views.
	Grid *calGrid
}

type calendarFilter struct {
	InstitutionID, AccountID int64
	Platform, Status, Theme  string
}

// query is the filter as a query string, without view and date.
func (f calendarFilter) query() url.Values {
	q := url.Values{}
	if f.InstitutionID > 0 {
		q.Set("institution_id", strconv.FormatInt(f.InstitutionID, 10))
	}
	if f.AccountID > 0 {
		q.Set("account_id", strconv.FormatInt(f.AccountID, 10))
	}
	for k, v := range map[string]string{"platform": f.Platform, "status": f.Status, "theme": f.Theme} {
		if v != "" {
			q.Set(k, v)
		}
	}
	return q
}

type calDay struct {
	Date      string
	Day       int
	Weekday   int
	InMonth   bool
	Today     bool
	Items     []*calItem
	Occasions []occasions.Occasion
}

type calItem struct {
	editorial.CalendarItem
	Account *passerelle.Account
	// Clock and ShanghaiClock are the times of day; ShanghaiDate is set when Beijing
	// is already (or still) on another day.
	Clock, ShanghaiClock, ShanghaiDay, City string
	// Input is the datetime-local value of the reschedule form.
	Input       string
	CanSchedule bool
	// Quiet marks a time in the institution's quiet hours (the Beijing night).
	Quiet bool
}

type cadenceRow struct {
	Account     *passerelle.Account
	Weeks       []editorial.CadenceWeek
	Min, Max    int
	CanSchedule bool
}

// zoneCity names a zone as people do: "Europe/Paris" → "Paris".
func zoneCity(zone string) string {
	if i := strings.LastIndexByte(zone, '/'); i >= 0 {
		zone = zone[i+1:]
	}
	return strings.ReplaceAll(zone, "_", " ")
}

// calendarRange returns the days a view covers around the anchor and the links to
// the periods before and after.
func calendarRange(view string, anchor time.Time) (from, to, prev, next time.Time) {
	switch view {
	case "week":
		from = anchor.AddDate(0, 0, -((int(anchor.Weekday()) + 6) % 7))
		return from, from.AddDate(0, 0, 6), from.AddDate(0, 0, -7), from.AddDate(0, 0, 7)
	case "day":
		return anchor, anchor, anchor.AddDate(0, 0, -1), anchor.AddDate(0, 0, 1)
	case "list":
		first := time.Date(anchor.Year(), anchor.Month(), 1, 0, 0, 0, 0, time.UTC)
		return first, first.AddDate(0, 1, -1), first.AddDate(0, -1, 0), first.AddDate(0, 1, 0)
	}
	first := time.Date(anchor.Year(), anchor.Month(), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1)
	from = first.AddDate(0, 0, -((int(first.Weekday()) + 6) % 7))
	to = last.AddDate(0, 0, (7-int(last.Weekday()))%7)
	return from, to, first.AddDate(0, -1, 0), first.AddDate(0, 1, 0)
}

func (h *handler) calendar(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	u := server.User(ctx)
	l := h.localizer(r)
	q := r.URL.Query()
	p := &calendarPage{View: q.Get("view"), Names: map[int64]string{}, Statuses: passerelle.Statuses, Platforms: []passerelle.Platform{passerelle.Weibo, passerelle.WeChat},
		Filter:   calendarFilter{InstitutionID: queryID(r, "institution_id"), AccountID: queryID(r, "account_id"), Platform: q.Get("platform"), Status: q.Get("status"), Theme: q.Get("theme")},
		Weekdays: []int{1, 2, 3, 4, 5, 6, 0}, Here: r.URL.RequestURI()}
	if p.View != "week" && p.View != "day" && p.View != "list" {
		p.View = "month"
	}
	today := h.Now().In(loadZone(""))
	todayDate := time.Date(today.Year(), today.Month(), today.Day(), 0, 0, 0, 0, time.UTC)
	anchor := todayDate
	if d, err := time.Parse(dayLayout, q.Get("date")); err == nil && d.Year() >= 2000 && d.Year() <= 2100 {
		anchor = d
	}
	p.Anchor = anchor.Format(dayLayout)
	from, to, prev, next := calendarRange(p.View, anchor)
	link := func(d time.Time) string {
		v := p.Filter.query()
		v.Set("view", p.View)
		v.Set("date", d.Format(dayLayout))
		return "/calendar?" + v.Encode()
	}
	p.Prev, p.Next, p.Today = link(prev), link(next), link(todayDate)
	switch p.View {
	case "week":
		p.Label = l.T("calendar.week_of", l.Date(from, "UTC"))
	case "day":
		p.Label = l.T("weekday."+strconv.Itoa(int(from.Weekday()))) + " " + l.Date(from, "UTC")
	default:
		p.Label = l.T("calendar.month_label", l.T("month."+strconv.Itoa(int(anchor.Month()))), anchor.Year())
	}

	var err error
	if p.Institutions, err = h.Tenancy.Institutions(ctx, u, false, tenancy.Page{}); err != nil {
		h.fail(w, r, err)
		return
	}
	for _, i := range p.Institutions {
		p.Names[i.ID] = instName(i, l.Lang)
	}
	if p.Themes, err = h.Editorial.Themes(ctx, u); err != nil {
		h.fail(w, r, err)
		return
	}
	// The hour grid may be in another zone than an institution's (Beijing, when the
	// institutions shown are in several): a day more on each side covers its days.
	qFrom, qTo := from, to
	grid := p.View == "week" || p.View == "day"
	if grid {
		qFrom, qTo = from.AddDate(0, 0, -1), to.AddDate(0, 0, 1)
	}
	cq := editorial.CalendarQuery{InstitutionID: p.Filter.InstitutionID, From: qFrom.Format(dayLayout), To: qTo.Format(dayLayout), AccountID: p.Filter.AccountID,
		Platform: passerelle.Platform(p.Filter.Platform), Theme: p.Filter.Theme, Lang: l.Lang}
	if p.Filter.Status != "" {
		cq.Statuses = []passerelle.Status{passerelle.Status(p.Filter.Status)}
	}
	cal, err := h.Editorial.Calendar(ctx, u, cq)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	accounts := map[int64]*passerelle.Account{}
	all, err := h.Tenancy.AllAccounts(ctx, u)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	for _, a := range all {
		accounts[a.ID] = a
		if a.Kind == passerelle.AccountManaged && (a.Platform == passerelle.Weibo || a.Platform == passerelle.WeChat) &&
			(p.Filter.InstitutionID == 0 || a.InstitutionID == p.Filter.InstitutionID) {
			p.Accounts = append(p.Accounts, a)
		}
	}

	quiet, err := h.DB.QuietHours(ctx, u.OrgID, mapKeys(cal.Zones))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	days := map[string]*calDay{}
	for d := from; !d.After(to); d = d.AddDate(0, 0, 1) {
		cd := &calDay{Date: d.Format(dayLayout), Day: d.Day(), Weekday: int(d.Weekday()), InMonth: p.View != "month" || d.Month() == anchor.Month(), Today: d.Equal(todayDate)}
		days[cd.Date] = cd
		p.Days = append(p.Days, cd)
		if p.View == "month" {
			if len(p.Weeks) == 0 || len(p.Weeks[len(p.Weeks)-1]) == 7 {
				p.Weeks = append(p.Weeks, nil)
			}
			p.Weeks[len(p.Weeks)-1] = append(p.Weeks[len(p.Weeks)-1], cd)
		}
	}
	var items []*calItem
	for _, it := range cal.Items {
		d := days[it.LocalDate]
		if d == nil && !grid {
			continue
		}
		ci := &calItem{CalendarItem: it, Account: accounts[it.AccountID], City: zoneCity(it.TimeZone), CanSchedule: u.Can(it.InstitutionID, passerelle.PermSchedule),
			Quiet: quiet[it.InstitutionID].Contains(it.ScheduledAt)}
		// An archived institution or account, or a watched account, is read-only: its
		// publications stay on the calendar but do not move (AllAccounts and
		// Institutions leave the archived ones out).
		if a := accounts[it.AccountID]; a == nil || a.Kind != passerelle.AccountManaged || p.Names[it.InstitutionID] == "" {
			ci.CanSchedule = false
		}
		if t, err := time.Parse(time.RFC3339, it.LocalTime); err == nil {
			ci.Clock, ci.Input = t.Format("15:04"), t.Format("2006-01-02T15:04")
		}
		if t, err := time.Parse(time.RFC3339, it.ShanghaiTime); err == nil {
			ci.ShanghaiClock = t.Format("15:04")
		}
		if it.ShanghaiDate != it.LocalDate {
			if t, err := time.Parse(dayLayout, it.ShanghaiDate); err == nil {
				ci.ShanghaiDay = l.T("weekday."+strconv.Itoa(int(t.Weekday()))) + " " + strconv.Itoa(t.Day())
			}
		}
		items = append(items, ci)
		if d != nil {
			d.Items = append(d.Items, ci)
		}
	}
	fromDay, toDay := from.Format(dayLayout), to.Format(dayLayout)
	for _, o := range cal.Occasions {
		if d := days[o.Date]; d != nil {
			d.Occasions = append(d.Occasions, o)
		}
		end := o.EndDate
		if end == "" {
			end = o.Date
		}
		if o.Date <= toDay && end >= fromDay {
			p.Occasions = append(p.Occasions, o)
		}
	}
	p.Empty = true
	for _, d := range p.Days {
		if len(d.Items) > 0 {
			p.Empty = false
		}
	}
	if grid {
		if p.Grid, err = h.calendarGrid(ctx, u, p, cal, items); err != nil {
			h.fail(w, r, err)
			return
		}
		if !p.Grid.Local {
			p.Empty = len(items) == 0
		}
	}
	if p.View == "list" {
		kept := p.Days[:0]
		for _, d := range p.Days {
			if len(d.Items) > 0 || len(d.Occasions) > 0 {
				kept = append(kept, d)
			}
		}
		p.Days = kept
	}

	targets := map[int64]*cadenceRow{}
	for _, a := range cal.Accounts {
		row := &cadenceRow{Account: a, CanSchedule: u.Can(a.InstitutionID, passerelle.PermSchedule)}
		if acc := accounts[a.ID]; acc != nil {
			row.Account = acc
		}
		targets[a.ID] = row
		p.Cadence = append(p.Cadence, row)
	}
	weekFrom := from.AddDate(0, 0, -((int(from.Weekday()) + 6) % 7)).Format(dayLayout)
	for _, cw := range cal.Cadence {
		if cw.WeekStart < weekFrom || cw.WeekStart > toDay {
			continue
		}
		if row := targets[cw.AccountID]; row != nil {
			row.Weeks = append(row.Weeks, cw)
			row.Min, row.Max = cw.MinPerWeek, cw.MaxPerWeek
		}
	}
	h.render(w, r, view{name: "calendar", title: "calendar.title", nav: "calendar"}, p)
}

// cadenceSave stores an account's weekly target.
func (h *handler) cadenceSave(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	if err := parseForm(r); err != nil {
		h.fail(w, r, err)
		return
	}
	next := localPath(r.PostForm.Get("next"))
	if next == "/" {
		next = "/calendar"
	}
	lo, err1 := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("min")))
	hi, err2 := strconv.Atoi(strings.TrimSpace(r.PostForm.Get("max")))
	if err1 != nil || err2 != nil {
		// The account must still be visible before its form is judged.
		if _, err := h.Tenancy.Account(r.Context(), server.User(r.Context()), id); err != nil {
			h.fail(w, r, err)
			return
		}
		h.redirectError(w, r, next, &passerelle.Error{Code: passerelle.EINVALID, Message: "Enter a whole number."})
		return
	}
	if err := h.Editorial.SetCadence(r.Context(), server.User(r.Context()), store.Cadence{AccountID: id, MinPerWeek: lo, MaxPerWeek: hi}); err != nil {
		h.redirectError(w, r, next, cadenceError(err))
		return
	}
	h.redirect(w, r, next, "flash.cadence_saved")
}

func cadenceError(err error) error {
	for _, v := range passerelle.ErrorFields(err) {
		return &passerelle.Error{Code: passerelle.ErrorCode(err), Message: v}
	}
	return err
}
