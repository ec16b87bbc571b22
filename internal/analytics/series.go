package analytics

import (
	"context"
	"time"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// Day is one Beijing day of a period, for the charts over time.
type Day struct {
	Day string `json:"day"` // YYYY-MM-DD
	// Followers is the sum, over the accounts with a reading by the day's end, of
	// their latest reading; nil while no account has one.
	Followers *int64 `json:"followers"`
	// Posts, Views and Interactions are those of the publications published that day
	// (their newest figures, as everywhere in analytics).
	Posts        int   `json:"posts"`
	Views        int64 `json:"views"`
	Interactions int64 `json:"interactions"`
}

// daily builds the period's days from the figures the database adds up per day of
// publication (AnalyticsOrgDays for a whole organization, else AnalyticsDays) and the accounts' follower readings.
func (s *Service) daily(ctx context.Context, sc Scope, p Period) ([]Day, error) {
	n := p.Days()
	days := make([]Day, n)
	index := make(map[string]int, n)
	for i := range days {
		d := p.From.AddDate(0, 0, i).Format(time.DateOnly)
		days[i].Day, index[d] = d, i
	}
	var figures []store.AnalyticsDay
	var ok bool
	var err error
	if sc.WholeOrg {
		figures, ok, err = s.DB.AnalyticsOrgDays(ctx, sc.OrgID, p.From, p.To)
	}
	if !ok && err == nil {
		figures, err = s.DB.AnalyticsDays(ctx, sc.OrgID, sc.institutions(), p.From, p.To)
	}
	if err != nil {
		return nil, err
	}
	for _, f := range figures {
		k, ok := index[f.Day]
		if !ok {
			continue
		}
		days[k].Posts, days[k].Views, days[k].Interactions = f.Posts, f.Views, f.Interactions
	}
	if len(sc.Accounts) == 0 {
		return days, nil
	}
	if sc.WholeOrg {
		if before, changes, ok, err := s.DB.OrgFollowerDays(ctx, sc.OrgID, p.From, p.To); err != nil || ok {
			if err != nil {
				return nil, err
			}
			// The organization's changes per day (migration 0076), added up from the
			// first reading.
			total, readers := before.Followers, before.Readers
			next := 0
			for i := range days {
				for ; next < len(changes) && changes[next].Day <= days[i].Day; next++ {
					total += changes[next].Followers
					readers += changes[next].Readers
				}
				if readers > 0 {
					days[i].Followers = ptr(total)
				}
			}
			return days, nil
		}
	}
	// Each account's value carries forward from its reading before the period (if
	// any) through its readings in the period.
	ids := make([]int64, 0, len(sc.Accounts))
	for _, a := range sc.Accounts {
		ids = append(ids, a.ID)
	}
	latest, err := s.DB.FollowersBefore(ctx, ids, p.From)
	if err != nil {
		return nil, err
	}
	readings, err := s.DB.FollowerReadings(ctx, ids, p.From, p.To)
	if err != nil {
		return nil, err
	}
	next := 0
	for i := range days {
		end := p.From.AddDate(0, 0, i+1)
		for ; next < len(readings) && readings[next].TakenAt.Before(end); next++ {
			latest[readings[next].AccountID] = readings[next].Followers
		}
		if len(latest) == 0 {
			continue
		}
		var sum int64
		for _, v := range latest {
			sum += v
		}
		days[i].Followers = ptr(sum)
	}
	return days, nil
}
