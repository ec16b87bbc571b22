package editorial

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/occasions"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// ShanghaiZone is the zone of the audience, shown beside the institution's.
const ShanghaiZone = "Asia/Shanghai"

// MaxCalendarDays bounds one calendar query (a year and a bit: the list view).
const MaxCalendarDays = 400

// CalendarQuery selects what the calendar shows. From and To are days (YYYY-MM-DD),
// both included, read in each institution's zone.
type CalendarQuery struct {
	// InstitutionID 0 means every institution the user sees.
	InstitutionID int64
	From, To      string
	AccountID     int64
	Platform      passerelle.Platform
	Statuses      []passerelle.Status
	Theme         string
	// Lang names the occasions.
	Lang string
}

// Calendar is the answer: publications by time, the occasions to suggest, and each
// account's weeks against its cadence target.
type Calendar struct {
	From      string                `json:"from"`
	To        string                `json:"to"`
	Items     []CalendarItem        `json:"items"`
	Occasions []occasions.Occasion  `json:"occasions"`
	Cadence   []CadenceWeek         `json:"cadence"`
	Zones     map[int64]string      `json:"zones"`
	Accounts  []*passerelle.Account `json:"accounts"`
}

// CalendarItem is a publication on the calendar, its time in the institution's zone
// and in Shanghai side by side.
type CalendarItem struct {
	PublicationID int64               `json:"publication_id"`
	PostID        int64               `json:"post_id"`
	InstitutionID int64               `json:"institution_id"`
	AccountID     int64               `json:"account_id"`
	Platform      passerelle.Platform `json:"platform"`
	Format        string              `json:"format"`
	Title         string              `json:"title"`
	Theme         string              `json:"theme"`
	Status        passerelle.Status   `json:"status"`
	ScheduledAt   time.Time           `json:"scheduled_at"`
	TimeZone      string              `json:"time_zone"`
	LocalTime     string              `json:"local_time"`
	LocalDate     string              `json:"local_date"`
	ShanghaiTime  string              `json:"shanghai_time"`
	ShanghaiDate  string              `json:"shanghai_date"`
}

// CadenceWeek is one account's week (Monday to Sunday in the institution's zone).
type CadenceWeek struct {
	AccountID  int64  `json:"account_id"`
	WeekStart  string `json:"week_start"`
	Count      int    `json:"count"`
	MinPerWeek int    `json:"min_per_week"`
	MaxPerWeek int    `json:"max_per_week"`
	// Flag is "below", "above" or "" when on target.
	Flag string `json:"flag"`
}

func invalidParam(field, msg string) error {
	return &passerelle.Error{Code: passerelle.EINVALID, Message: "Some parameters are invalid.", Fields: map[string]string{field: msg}}
}

// Calendar returns the calendar of one institution or of all the user sees.
func (s *Service) Calendar(ctx context.Context, u *passerelle.User, q CalendarQuery) (*Calendar, error) {
	from, err := occasions.ParseDate(q.From)
	if err != nil {
		return nil, invalidParam("from", "Use YYYY-MM-DD.")
	}
	to, err := occasions.ParseDate(q.To)
	if err != nil {
		return nil, invalidParam("to", "Use YYYY-MM-DD.")
	}
	if to.Before(from) {
		return nil, invalidParam("to", "The end is before the start.")
	}
	if from.AddDays(MaxCalendarDays).Before(to) {
		return nil, invalidParam("to", "Ask for at most 400 days.")
	}
	if from.Year < occasions.MinYear || to.Year > occasions.MaxYear {
		return nil, invalidParam("from", "Choose dates between 1583 and 9998.")
	}
	for _, st := range q.Statuses {
		if !st.Valid() {
			return nil, invalidParam("status", "Unknown status.")
		}
	}
	if q.Platform != "" && !q.Platform.Valid() {
		return nil, invalidParam("platform", "Unknown platform.")
	}
	ids := u.VisibleInstitutions()
	if q.InstitutionID > 0 {
		if !u.Can(q.InstitutionID, passerelle.PermView) {
			return nil, errNotFound
		}
		ids = []int64{q.InstitutionID}
	}
	if q.AccountID > 0 {
		// An account the user may not see is not found, as it is everywhere else,
		// rather than an empty calendar.
		a, err := s.db.Account(ctx, u.OrgID, q.AccountID)
		if err != nil {
			return nil, err
		}
		if !u.Can(a.InstitutionID, passerelle.PermView) {
			return nil, errNotFound
		}
	}
	insts, err := s.db.Institutions(ctx, store.InstitutionFilter{OrgID: u.OrgID, IDs: ids, IncludeArchived: q.InstitutionID > 0})
	if err != nil {
		return nil, err
	}
	if q.InstitutionID > 0 && len(insts) == 0 {
		return nil, errNotFound
	}
	shanghai, err := time.LoadLocation(ShanghaiZone)
	if err != nil {
		return nil, err
	}
	zones := map[int64]*time.Location{}
	cal := &Calendar{From: from.String(), To: to.String(), Items: []CalendarItem{}, Cadence: []CadenceWeek{}, Zones: map[int64]string{}}
	instIDs := make([]int64, 0, len(insts))
	for _, i := range insts {
		loc, err := time.LoadLocation(i.TimeZone)
		if err != nil {
			loc = time.UTC
		}
		zones[i.ID] = loc
		cal.Zones[i.ID] = loc.String()
		instIDs = append(instIDs, i.ID)
	}
	// Whole weeks around the range, so that a week's count is complete; days are
	// read in each institution's zone, so the UTC window is padded by a day.
	weekFrom := from.AddDays(-((int(from.Weekday()) + 6) % 7))
	weekTo := to.AddDays((7 - int(to.Weekday())) % 7)
	utcFrom := time.Date(weekFrom.Year, weekFrom.Month, weekFrom.Day, 0, 0, 0, 0, time.UTC).Add(-24 * time.Hour)
	utcTo := time.Date(weekTo.Year, weekTo.Month, weekTo.Day, 0, 0, 0, 0, time.UTC).Add(48 * time.Hour)
	rows, err := s.db.Calendar(ctx, store.CalendarFilter{OrgID: u.OrgID, InstitutionIDs: instIDs, From: utcFrom, To: utcTo,
		AccountID: q.AccountID, Platform: q.Platform, Statuses: q.Statuses, Theme: q.Theme})
	if err != nil {
		return nil, err
	}
	type weekKey struct {
		account int64
		start   string
	}
	counts := map[weekKey]int{}
	for _, r := range rows {
		loc := zones[r.InstitutionID]
		local := r.ScheduledAt.In(loc)
		day := occasions.DateOf(local)
		if !day.Before(weekFrom) && !day.After(weekTo) {
			counts[weekKey{r.AccountID, day.AddDays(-((int(day.Weekday()) + 6) % 7)).String()}]++
		}
		if day.Before(from) || day.After(to) {
			continue
		}
		sh := r.ScheduledAt.In(shanghai)
		cal.Items = append(cal.Items, CalendarItem{
			PublicationID: r.PublicationID, PostID: r.PostID, InstitutionID: r.InstitutionID, AccountID: r.AccountID, Platform: r.Platform,
			Format: r.Format, Title: r.Title, Theme: r.Theme, Status: r.Status, ScheduledAt: r.ScheduledAt.UTC(), TimeZone: loc.String(),
			LocalTime: local.Format(time.RFC3339), LocalDate: day.String(), ShanghaiTime: sh.Format(time.RFC3339), ShanghaiDate: occasions.DateOf(sh).String(),
		})
	}

	accounts, err := s.db.Accounts(ctx, store.AccountFilter{OrgID: u.OrgID})
	if err != nil {
		return nil, err
	}
	var accIDs []int64
	for _, a := range accounts {
		if slices.Contains(instIDs, a.InstitutionID) && a.Kind == passerelle.AccountManaged && passerelle.Formats[a.Platform] != nil &&
			(q.AccountID == 0 || a.ID == q.AccountID) && (q.Platform == "" || a.Platform == q.Platform) {
			cal.Accounts = append(cal.Accounts, a)
			accIDs = append(accIDs, a.ID)
		}
	}
	if cal.Accounts == nil {
		cal.Accounts = []*passerelle.Account{}
	}
	targets, err := s.db.Cadences(ctx, accIDs)
	if err != nil {
		return nil, err
	}
	for _, a := range cal.Accounts {
		target, ok := targets[a.ID]
		if !ok {
			target = store.DefaultCadence(a.Platform)
		}
		for w := weekFrom; !w.After(weekTo); w = w.AddDays(7) {
			n := counts[weekKey{a.ID, w.String()}]
			cw := CadenceWeek{AccountID: a.ID, WeekStart: w.String(), Count: n, MinPerWeek: target.MinPerWeek, MaxPerWeek: target.MaxPerWeek}
			switch {
			case n < target.MinPerWeek:
				cw.Flag = "below"
			case n > target.MaxPerWeek:
				cw.Flag = "above"
			}
			cal.Cadence = append(cal.Cadence, cw)
		}
	}

	people, err := s.people(ctx, u.OrgID, instIDs)
	if err != nil {
		return nil, err
	}
	occ, err := occasions.Between(from, to, people, q.Lang)
	if err != nil {
		return nil, err
	}
	if occ == nil {
		occ = []occasions.Occasion{}
	}
	cal.Occasions = occ
	return cal, nil
}

// people are the glossary's persons with dates: the organization's and the
// institutions' own.
func (s *Service) people(ctx context.Context, orgID int64, instIDs []int64) ([]occasions.Person, error) {
	if err := s.seedGlossary(ctx, orgID); err != nil {
		return nil, err
	}
	terms, err := s.db.Glossary(ctx, store.GlossaryFilter{OrgID: orgID, InstitutionID: -1})
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []occasions.Person
	for _, t := range terms {
		if t.BirthDate == "" && t.DeathDate == "" {
			continue
		}
		if t.InstitutionID != 0 && !slices.Contains(instIDs, t.InstitutionID) {
			continue
		}
		if seen[t.Source] {
			continue
		}
		seen[t.Source] = true
		out = append(out, occasions.Person{Name: t.Source, NameZH: t.ZH, Born: t.BirthDate, Died: t.DeathDate})
	}
	return out, nil
}

// SetCadence stores an account's weekly target; editors only.
func (s *Service) SetCadence(ctx context.Context, u *passerelle.User, c store.Cadence) error {
	a, err := s.db.Account(ctx, u.OrgID, c.AccountID)
	if err != nil {
		return err
	}
	if err := u.Allow(a.InstitutionID, passerelle.PermSchedule); err != nil {
		return err
	}
	if err := s.db.SetCadence(ctx, c); err != nil {
		return err
	}
	s.db.Audit(ctx, store.AuditEntry{OrgID: u.OrgID, ActorID: u.ID, Actor: u.Email, Action: store.AuditSettingsUpdate, Object: "account", ObjectID: store.ID(c.AccountID), Detail: fmt.Sprintf("cadence=%d-%d per week", c.MinPerWeek, c.MaxPerWeek)})
	return nil
}

// Themes returns the organization's post themes.
func (s *Service) Themes(ctx context.Context, u *passerelle.User) ([]string, error) {
	return s.db.Themes(ctx, u.OrgID)
}

// SetThemes replaces the organization's theme list; owners only.
func (s *Service) SetThemes(ctx context.Context, u *passerelle.User, themes []string) error {
	if !u.Owner {
		return errForbidden
	}
	if err := s.db.SetThemes(ctx, u.OrgID, themes); err != nil {
		return err
	}
	s.db.Audit(ctx, store.AuditEntry{OrgID: u.OrgID, ActorID: u.ID, Actor: u.Email, Action: store.AuditSettingsUpdate, Object: "organization", ObjectID: store.ID(u.OrgID), Detail: "themes: " + strings.Join(themes, ", ")})
	return nil
}

// SetTwoStepApproval turns an institution's two-step approval on or off; its managers
// only.
func (s *Service) SetTwoStepApproval(ctx context.Context, u *passerelle.User, institutionID int64, on bool) error {
	if err := u.Allow(institutionID, passerelle.PermManage); err != nil {
		return err
	}
	if err := s.db.SetTwoStepApproval(ctx, u.OrgID, institutionID, on); err != nil {
		return err
	}
	s.db.Audit(ctx, store.AuditEntry{OrgID: u.OrgID, ActorID: u.ID, Actor: u.Email, Action: store.AuditSettingsUpdate, Object: "institution", ObjectID: store.ID(institutionID), Detail: fmt.Sprintf("two_step_approval=%t", on)})
	return nil
}
