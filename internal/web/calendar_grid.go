package web

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// The hour grid of the week and day views: one row per hour of the grid's zone (the
// institution's), a column of institution hours beside a column of Beijing hours, and
// a column per day. Beijing hours are worked out per day, so a week across a
// daylight-saving change shows both ("16:00 / 15:00") and a day view is exact. The
// Beijing night (the institution's quiet hours) is shaded.

type calGrid struct {
	// City names the grid's zone; Local is false when the institutions shown are in
	// several zones: the grid is then in Beijing time alone.
	City  string
	Local bool
	Days  []*gridDay
	Hours []*gridHour
	// Quiet is the shaded window, nil when none applies to every institution shown.
	Quiet *passerelle.QuietHours
	// Shift is set when Beijing's offset from the grid's zone changes within the view.
	Shift bool
}

type gridDay struct {
	*calDay
	Col   int
	Cells []*gridCell
	// Offset is Beijing's lead over the zone that day, as "+7 h".
	Offset string
	Empty  bool
}

type gridHour struct {
	Hour  int
	Label string
	// Beijing is the Beijing time of the row, "16:00 / 15:00" when it differs within
	// the view; NextDay marks a row that is already the next day in Beijing.
	Beijing string
	// DayShift is "+1" when the row is already the next day in Beijing, "−1" when
	// still the day before.
	DayShift string
	Quiet    bool
	Row      int
}

type gridCell struct {
	Row, Col int
	Date     string
	Hour     int
	Label    string
	Beijing  string
	Items    []*calItem
	Quiet    bool
	Now      bool
}

// buildGrid lays out days (in loc) hour by hour and places items at their instant.
func buildGrid(days []*calDay, items []*calItem, loc *time.Location, local bool, quiet *passerelle.QuietHours, now time.Time) *calGrid {
	bj := loadZone(passerelle.BeijingZone)
	g := &calGrid{City: zoneCity(loc.String()), Local: local, Quiet: quiet}
	byCell := map[string]*gridCell{}
	labels := make([][]string, 24)
	shift := make([]string, 24)
	quietRow := make([]bool, 24)
	offsets := map[int]bool{}
	nowKey := now.In(loc).Format(dayLayout) + "/" + strconv.Itoa(now.In(loc).Hour())
	for i, d := range days {
		gd := &gridDay{calDay: d, Col: i + 3, Empty: true}
		dd, _ := time.ParseInLocation(dayLayout, d.Date, loc)
		noon := time.Date(dd.Year(), dd.Month(), dd.Day(), 12, 0, 0, 0, loc)
		_, zo := noon.Zone()
		_, bo := noon.In(bj).Zone()
		offsets[bo-zo] = true
		gd.Offset = signedHours(bo - zo)
		for h := 0; h < 24; h++ {
			c := &gridCell{Row: h + 2, Col: i + 3, Date: d.Date, Hour: h, Label: passerelle.Clock(h * 60)}
			wall := time.Date(dd.Year(), dd.Month(), dd.Day(), h, 0, 0, 0, loc)
			if wall.Hour() == h { // the hour exists that day (not skipped by a DST change)
				b := wall.In(bj)
				c.Beijing = b.Format("15:04")
				if !containsStr(labels[h], c.Beijing) {
					labels[h] = append(labels[h], c.Beijing)
				}
				switch bd := b.Format(dayLayout); {
				case bd > d.Date:
					shift[h] = "+1"
				case bd < d.Date:
					shift[h] = "−1"
				}
				if quiet != nil && quiet.Contains(wall) {
					c.Quiet, quietRow[h] = true, true
				}
			}
			c.Now = d.Date+"/"+strconv.Itoa(h) == nowKey
			byCell[d.Date+"/"+strconv.Itoa(h)] = c
			gd.Cells = append(gd.Cells, c)
		}
		g.Days = append(g.Days, gd)
	}
	g.Shift = len(offsets) > 1
	for h := 0; h < 24; h++ {
		g.Hours = append(g.Hours, &gridHour{Hour: h, Label: passerelle.Clock(h * 60), Beijing: strings.Join(labels[h], " / "), DayShift: shift[h], Quiet: quietRow[h], Row: h + 2})
	}
	for _, it := range items {
		t := it.ScheduledAt.In(loc)
		c := byCell[t.Format(dayLayout)+"/"+strconv.Itoa(t.Hour())]
		if c == nil {
			continue
		}
		c.Items = append(c.Items, it)
	}
	for _, d := range g.Days {
		for _, c := range d.Cells {
			if len(c.Items) > 0 {
				d.Empty = false
			}
		}
	}
	return g
}

func signedHours(sec int) string {
	sign := "+"
	if sec < 0 {
		sign, sec = "−", -sec
	}
	s := sign + strconv.Itoa(sec/3600)
	if m := sec % 3600 / 60; m != 0 {
		s += ":" + strconv.Itoa(m)
	}
	return s
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// calendarGrid builds the grid of a week or day view: in the zone of the institutions
// shown (Beijing when they are in several), shaded with their quiet hours when they
// share them.
func (h *handler) calendarGrid(ctx context.Context, u *passerelle.User, p *calendarPage, cal *editorial.Calendar, items []*calItem) (*calGrid, error) {
	zones := map[string]bool{}
	for _, z := range cal.Zones {
		zones[z] = true
	}
	ids := mapKeys(cal.Zones)
	loc, local := loadZone(""), true
	switch {
	case p.Filter.InstitutionID > 0 && cal.Zones[p.Filter.InstitutionID] != "":
		loc = loadZone(cal.Zones[p.Filter.InstitutionID])
	case len(zones) == 1:
		for z := range zones {
			loc = loadZone(z)
		}
	case len(zones) > 1:
		loc, local = loadZone(passerelle.BeijingZone), false
	}
	qs, err := h.DB.QuietHours(ctx, u.OrgID, ids)
	if err != nil {
		return nil, err
	}
	var quiet *passerelle.QuietHours
	for _, q := range qs {
		if quiet == nil {
			q := q
			quiet = &q
		} else if *quiet != q {
			quiet = nil
			break
		}
	}
	if quiet == nil && len(qs) == 0 {
		d := passerelle.DefaultQuietHours
		quiet = &d
	}
	if quiet != nil && quiet.Off() {
		quiet = nil
	}
	days := p.Days
	return buildGrid(days, items, loc, local, quiet, h.Now()), nil
}

// mapKeys returns the keys of m, in no order.
func mapKeys[V any](m map[int64]V) []int64 {
	out := make([]int64, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
