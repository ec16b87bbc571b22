package store

import (
	"context"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// AnalyticsBreakdown is a period's publications added up along each dimension alone:
// each list covers every publication once, so each adds up to the same totals.
// Formats, Themes and Platforms are keyed by their field; Hours by Weekday and Hour
// (Beijing time).
type AnalyticsBreakdown struct {
	Formats, Themes, Platforms, Hours []AnalyticsCell
}

// Breakdown adds cells (AnalyticsCells: one per weekday, hour, platform, format and
// theme) up along each dimension.
func Breakdown(cells []AnalyticsCell) AnalyticsBreakdown {
	var b AnalyticsBreakdown
	type key struct {
		wd       time.Weekday
		hour     int
		platform passerelle.Platform
		format   string
		theme    string
	}
	add := func(list *[]AnalyticsCell, idx map[key]int, k key, c *AnalyticsCell) {
		i, ok := idx[k]
		if !ok {
			i = len(*list)
			idx[k] = i
			*list = append(*list, AnalyticsCell{Weekday: k.wd, Hour: k.hour, Platform: k.platform, Format: k.format, Theme: k.theme})
		}
		(*list)[i].Add(c)
	}
	formats, themes, platforms, hours := map[key]int{}, map[key]int{}, map[key]int{}, map[key]int{}
	for i := range cells {
		c := &cells[i]
		add(&b.Formats, formats, key{format: c.Format}, c)
		add(&b.Themes, themes, key{theme: c.Theme}, c)
		add(&b.Platforms, platforms, key{platform: c.Platform}, c)
		add(&b.Hours, hours, key{wd: c.Weekday, hour: c.Hour}, c)
	}
	return b
}

// Add adds o's publications to c's.
func (c *AnalyticsCell) Add(o *AnalyticsCell) {
	c.Posts += o.Posts
	c.Views += o.Views
	c.LowerBound = c.LowerBound || o.LowerBound
	c.Likes += o.Likes
	c.Comments += o.Comments
	c.Reposts += o.Reposts
	c.ViewedInteractions += o.ViewedInteractions
	c.InteractionsSquared += o.InteractionsSquared
}

// AnalyticsOrgBreakdown is the breakdown of an organization's publications (all its
// institutions) published in [from, to), read from the sums the triggers of
// migration 0075 keep: a few dozen rows a day, whatever the number of institutions.
// It says false when from and to are not Beijing midnights (the sums are per day);
// the caller then adds up the publications (AnalyticsCells).
func (db *DB) AnalyticsOrgBreakdown(ctx context.Context, orgID int64, from, to time.Time) (AnalyticsBreakdown, bool, error) {
	fromDay, toDay, ok := beijingDays(from, to)
	if !ok {
		return AnalyticsBreakdown{}, false, nil
	}
	weekday := "CAST(strftime('%w', day) AS INTEGER)"
	if db.dialect == Postgres {
		weekday = "EXTRACT(DOW FROM day::DATE)::INT"
	}
	sum := db.sumSQL
	query := `SELECT dim, CASE WHEN dim = 'hour' THEN ` + weekday + ` ELSE 0 END, key, ` + sum("posts") + `, ` + sum("views") + `,
		MAX(CASE WHEN lower_bounds > 0 THEN 1 ELSE 0 END), ` + sum("likes") + `, ` + sum("comments") + `, ` + sum("reposts") + `, ` + sum("viewed_interactions") + `,
		SUM(squares)
		FROM analytics_org_days WHERE org_id = ? AND day >= ? AND day < ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`
	var b AnalyticsBreakdown
	_, err := queryAll(ctx, db, db.r(), query, []any{orgID, fromDay, toDay}, func(sc interface{ Scan(...any) error }) (struct{}, error) {
		var c AnalyticsCell
		var dim, key string
		var wd, lower int
		if err := sc.Scan(&dim, &wd, &key, &c.Posts, &c.Views, &lower, &c.Likes, &c.Comments, &c.Reposts, &c.ViewedInteractions, &c.InteractionsSquared); err != nil {
			return struct{}{}, err
		}
		c.LowerBound = lower == 1
		switch dim {
		case "format":
			c.Format = key
			b.Formats = append(b.Formats, c)
		case "theme":
			c.Theme = key
			b.Themes = append(b.Themes, c)
		case "platform":
			c.Platform = passerelle.Platform(key)
			b.Platforms = append(b.Platforms, c)
		case "hour":
			c.Weekday = time.Weekday(wd)
			for _, ch := range key {
				c.Hour = c.Hour*10 + int(ch-'0')
			}
			b.Hours = append(b.Hours, c)
		}
		return struct{}{}, nil
	})
	return b, true, err
}

// AnalyticsOrgDays is AnalyticsDays for all the organization's institutions, from
// the sums of migration 0075 (a row per platform and day); false as
// AnalyticsOrgBreakdown.
func (db *DB) AnalyticsOrgDays(ctx context.Context, orgID int64, from, to time.Time) ([]AnalyticsDay, bool, error) {
	fromDay, toDay, ok := beijingDays(from, to)
	if !ok {
		return nil, false, nil
	}
	query := `SELECT day, ` + db.sumSQL("posts") + `, ` + db.sumSQL("views") + `, ` + db.sumSQL("likes + comments + reposts") +
		` FROM analytics_org_days WHERE org_id = ? AND day >= ? AND day < ? AND dim = 'platform' GROUP BY 1 ORDER BY 1`
	days, err := queryAll(ctx, db, db.r(), query, []any{orgID, fromDay, toDay}, func(sc interface{ Scan(...any) error }) (AnalyticsDay, error) {
		var d AnalyticsDay
		err := sc.Scan(&d.Day, &d.Posts, &d.Views, &d.Interactions)
		return d, err
	})
	return days, true, err
}

// OrgFollowerDay is how an organization's followers changed on a Beijing day: the
// change of the sum of its accounts' latest readings, and how many accounts were read
// for the first time.
type OrgFollowerDay struct {
	Day       string // YYYY-MM-DD
	Followers int64
	Readers   int64
}

// OrgFollowerDays returns an organization's follower changes (migration 0076) before
// from (added up into one) and on each day of [from, to) that has any, oldest first;
// false as AnalyticsOrgBreakdown. The followers at the end of a day are the changes
// added up to that day.
func (db *DB) OrgFollowerDays(ctx context.Context, orgID int64, from, to time.Time) (before OrgFollowerDay, days []OrgFollowerDay, ok bool, err error) {
	fromDay, toDay, ok := beijingDays(from, to)
	if !ok {
		return before, nil, false, nil
	}
	err = db.r().row(ctx, `SELECT `+db.sumSQL("followers")+`, `+db.sumSQL("readers")+` FROM analytics_org_followers WHERE org_id = ? AND day < ?`, orgID, fromDay).
		Scan(&before.Followers, &before.Readers)
	if err != nil {
		return before, nil, true, db.mapErr(err)
	}
	days, err = queryAll(ctx, db, db.r(), `SELECT day, followers, readers FROM analytics_org_followers WHERE org_id = ? AND day >= ? AND day < ? ORDER BY day`,
		[]any{orgID, fromDay, toDay}, func(sc interface{ Scan(...any) error }) (OrgFollowerDay, error) {
			var d OrgFollowerDay
			err := sc.Scan(&d.Day, &d.Followers, &d.Readers)
			return d, err
		})
	return before, days, true, err
}
