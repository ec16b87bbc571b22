package analytics

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// Followers is the follower movement of a period. Start and End are readings (nil when
// none is known); New and Lost come from the platforms' daily figures (nil when the
// platform does not give them, as Weibo).
type Followers struct {
	Start *int64 `json:"start"`
	End   *int64 `json:"end"`
	Net   *int64 `json:"net"`
	New   *int64 `json:"new"`
	Lost  *int64 `json:"lost"`
}

// Group is the figures of one value of a dimension (a format, a theme, a platform).
type Group struct {
	Key          string  `json:"key"`
	Posts        int     `json:"posts"`
	Views        int64   `json:"views"`
	Interactions int64   `json:"interactions"`
	Mean         float64 `json:"mean_interactions"`
}

// Cell is one weekday × hour cell of the heatmap, in Beijing time (weekday 0 is
// Monday).
type Cell struct {
	Weekday      int     `json:"weekday"`
	Hour         int     `json:"hour"`
	Posts        int     `json:"posts"`
	Interactions int64   `json:"interactions"`
	Mean         float64 `json:"mean_interactions"`
}

// PostFigures is one publication in the top and bottom lists.
type PostFigures struct {
	PublicationID int64     `json:"publication_id"`
	PostID        int64     `json:"post_id"`
	Title         string    `json:"title"`
	Platform      string    `json:"platform"`
	Format        string    `json:"format"`
	Theme         string    `json:"theme"`
	PublishedAt   time.Time `json:"published_at"`
	URL           string    `json:"url"`
	Views         *int64    `json:"views"`
	LowerBound    bool      `json:"lower_bound"`
	Likes         int64     `json:"likes"`
	Comments      int64     `json:"comments"`
	Reposts       int64     `json:"reposts"`
	Interactions  int64     `json:"interactions"`
}

// Totals are a period's headline figures.
type Totals struct {
	From      string    `json:"from"`
	To        string    `json:"to"`
	Followers Followers `json:"followers"`
	Posts     int       `json:"posts"`
	// CadenceMin and CadenceMax are the posts the accounts' weekly targets ask for
	// over the period.
	CadenceMin int   `json:"cadence_min"`
	CadenceMax int   `json:"cadence_max"`
	Views      int64 `json:"views"`
	// ViewsLowerBound: some views are "at least" figures (10万+), so Views is too.
	ViewsLowerBound bool  `json:"views_lower_bound"`
	Likes           int64 `json:"likes"`
	Comments        int64 `json:"comments"`
	Reposts         int64 `json:"reposts"`
	Interactions    int64 `json:"interactions"`
	// EngagementRate is interactions per view over the posts whose views are known.
	EngagementRate *float64 `json:"engagement_rate"`
	// PerThousandFollowers is interactions per 1,000 followers (at the period's end).
	PerThousandFollowers *float64 `json:"engagement_per_1000_followers"`
}

// Summary is the analytics of a scope (an institution, an account, an organization)
// over a period, with the previous period of the same length.
type Summary struct {
	Totals
	ByFormat    []Group       `json:"by_format"`
	ByTheme     []Group       `json:"by_theme"`
	ByPlatform  []Group       `json:"by_platform"`
	ByWeekday   []Group       `json:"by_weekday"`
	Heatmap     []Cell        `json:"heatmap"`
	TopPosts    []PostFigures `json:"top_posts"`
	BottomPosts []PostFigures `json:"bottom_posts"`
	Findings    []Finding     `json:"findings"`
	Previous    Totals        `json:"previous"`
	// Live are the live visits that started in the period, reported next to the posts
	// (internal/analytics/live.go).
	Live       []LiveVisit `json:"live"`
	LiveTotals LiveTotals  `json:"live_totals"`
	// CoAuthored are the co-created posts first published in the period, each with
	// the institution's own views and its co-authors' (reported side by side, not
	// added to the posts' totals).
	CoAuthored []store.CoAuthoredPost `json:"coauthored"`
	// Daily is every day of the period: followers, and the posts published that day
	// with their figures (internal/analytics/series.go).
	Daily []Day `json:"daily"`
	// Institutions is the organization's portfolio, one row per institution (only in
	// an organization's summary).
	Institutions []InstitutionFigures `json:"institutions,omitempty"`
}

// topN is the length of the top and bottom lists.
const topN = 5

func interactions(r *store.AnalyticsRow) int64 {
	return val(r.Likes) + val(r.Comments) + val(r.Reposts)
}

func val(p *int64) int64 {
	if p == nil {
		return 0
	}
	return *p
}

func cellInteractions(c *store.AnalyticsCell) int64 { return c.Likes + c.Comments + c.Reposts }

// totals adds up cells; followers and cadence are the caller's.
func totals(p Period, cells []store.AnalyticsCell, f Followers) Totals {
	t := Totals{From: p.From.Format(time.DateOnly), To: p.Last().Format(time.DateOnly), Followers: f}
	var viewed, viewedInteractions int64
	for i := range cells {
		c := &cells[i]
		t.Posts += c.Posts
		t.Likes += c.Likes
		t.Comments += c.Comments
		t.Reposts += c.Reposts
		t.Views += c.Views
		t.ViewsLowerBound = t.ViewsLowerBound || c.LowerBound
		viewed += c.Views
		viewedInteractions += c.ViewedInteractions
	}
	t.Interactions = t.Likes + t.Comments + t.Reposts
	if viewed > 0 {
		t.EngagementRate = ptr(round4(float64(viewedInteractions) / float64(viewed)))
	}
	if f.End != nil && *f.End > 0 {
		t.PerThousandFollowers = ptr(round4(float64(t.Interactions) * 1000 / float64(*f.End)))
	}
	return t
}

func ptr[T any](v T) *T { return &v }

func round4(x float64) float64 { return math.Round(x*10000) / 10000 }

// weekdayIndex is a Beijing weekday's place in the week, Monday first.
func weekdayIndex(d time.Weekday) int { return (int(d) + 6) % 7 }

// compute builds the summary of a period from its breakdown and its top and bottom
// publications, around the totals.
func compute(b store.AnalyticsBreakdown, top, bottom []store.AnalyticsRow, t Totals) Summary {
	s := Summary{Totals: t}
	s.ByFormat = groupBy(b.Formats, func(c *store.AnalyticsCell) string { return c.Format })
	s.ByTheme = groupBy(b.Themes, func(c *store.AnalyticsCell) string { return c.Theme })
	s.ByPlatform = groupBy(b.Platforms, func(c *store.AnalyticsCell) string { return string(c.Platform) })
	s.ByWeekday = make([]Group, 7)
	heat := map[[2]int]*Cell{}
	for i := range b.Hours {
		c := &b.Hours[i]
		wd := weekdayIndex(c.Weekday)
		g := &s.ByWeekday[wd]
		g.Posts += c.Posts
		g.Interactions += cellInteractions(c)
		g.Views += c.Views
		k := [2]int{wd, c.Hour}
		h := heat[k]
		if h == nil {
			h = &Cell{Weekday: wd, Hour: c.Hour}
			heat[k] = h
		}
		h.Posts += c.Posts
		h.Interactions += cellInteractions(c)
	}
	for i := range s.ByWeekday {
		g := &s.ByWeekday[i]
		g.Key = time.Weekday((i + 1) % 7).String()
		if g.Posts > 0 {
			g.Mean = round4(float64(g.Interactions) / float64(g.Posts))
		}
	}
	s.Heatmap = make([]Cell, 0, len(heat))
	for _, c := range heat {
		c.Mean = round4(float64(c.Interactions) / float64(c.Posts))
		s.Heatmap = append(s.Heatmap, *c)
	}
	slices.SortFunc(s.Heatmap, func(a, b Cell) int { return cmp.Or(cmp.Compare(a.Weekday, b.Weekday), cmp.Compare(a.Hour, b.Hour)) })
	s.TopPosts = make([]PostFigures, 0, len(top))
	for i := range top {
		s.TopPosts = append(s.TopPosts, figures(&top[i]))
	}
	s.BottomPosts = make([]PostFigures, 0, len(bottom))
	for i := range bottom {
		s.BottomPosts = append(s.BottomPosts, figures(&bottom[i]))
	}
	s.Findings = findings(b)
	return s
}

func figures(r *store.AnalyticsRow) PostFigures {
	return PostFigures{PublicationID: r.PublicationID, PostID: r.PostID, Title: r.Title, Platform: string(r.Platform), Format: r.Format, Theme: r.Theme,
		PublishedAt: r.PublishedAt, URL: r.URL, Views: r.Views, LowerBound: r.LowerBound,
		Likes: val(r.Likes), Comments: val(r.Comments), Reposts: val(r.Reposts), Interactions: interactions(r)}
}

func groupBy(cells []store.AnalyticsCell, key func(*store.AnalyticsCell) string) []Group {
	idx := map[string]int{}
	out := []Group{}
	for i := range cells {
		c := &cells[i]
		k := key(c)
		j, ok := idx[k]
		if !ok {
			j = len(out)
			idx[k] = j
			out = append(out, Group{Key: k})
		}
		out[j].Posts += c.Posts
		out[j].Interactions += cellInteractions(c)
		out[j].Views += c.Views
	}
	for i := range out {
		out[i].Mean = round4(float64(out[i].Interactions) / float64(out[i].Posts))
	}
	slices.SortFunc(out, func(a, b Group) int {
		return cmp.Or(cmp.Compare(b.Interactions, a.Interactions), cmp.Compare(a.Key, b.Key))
	})
	return out
}

// Finding is a statement computed from the data, with its sample sizes. Kind and the
// subjects let the interface phrase it in the reader's language; Text is the English
// sentence.
type Finding struct {
	Kind string `json:"kind"`
	// Dimension is format, theme or weekday.
	Dimension string  `json:"dimension,omitempty"`
	Subject   string  `json:"subject,omitempty"`
	Baseline  string  `json:"baseline,omitempty"`
	Ratio     float64 `json:"ratio,omitempty"`
	N         int     `json:"n"`
	NBaseline int     `json:"n_baseline,omitempty"`
	// T is Welch's t statistic of the difference of means.
	T    float64 `json:"t,omitempty"`
	Text string  `json:"text"`
}

// Finding kinds.
const (
	FindingThin       = "thin"       // too few posts to conclude anything
	FindingDifference = "difference" // Subject drew Ratio× the interactions of Baseline
	FindingNoDiff     = "no_difference"
)

// Thresholds of the significance guard: at least minGroup posts on each side, and a
// Welch t of at least minT (about 95 % two-sided for the sample sizes involved).
const (
	minPosts = 10
	minGroup = 5
	minT     = 2.0
)

// sample is what the significance guard needs of a group of posts' interactions: their
// number, sum and sum of squares.
type sample struct {
	n       int
	sum     float64
	squares float64
}

func (a *sample) add(b sample) {
	a.n += b.n
	a.sum += b.sum
	a.squares += b.squares
}

func (a sample) mean() float64 {
	if a.n == 0 {
		return 0
	}
	return a.sum / float64(a.n)
}

// variance is the sample variance (n − 1), never negative for rounding's sake.
func (a sample) variance() float64 {
	if a.n < 2 {
		return 0
	}
	return max(0, (a.squares-a.sum*a.sum/float64(a.n))/float64(a.n-1))
}

// findings compares the mean interactions per post across formats, themes and
// weekdays: the best value against the worst (formats, themes) or against all other
// days (weekdays), stating it only when the guard passes.
func findings(b store.AnalyticsBreakdown) []Finding {
	out := []Finding{}
	posts := 0
	for i := range b.Platforms {
		posts += b.Platforms[i].Posts
	}
	if posts < minPosts {
		return append(out, Finding{Kind: FindingThin, N: posts,
			Text: fmt.Sprintf("Too few posts to conclude anything (n = %d; at least %d are needed).", posts, minPosts)})
	}
	dims := []struct {
		name  string
		cells []store.AnalyticsCell
		key   func(*store.AnalyticsCell) string
	}{
		{"format", b.Formats, func(c *store.AnalyticsCell) string { return c.Format }},
		{"theme", b.Themes, func(c *store.AnalyticsCell) string { return c.Theme }},
		{"weekday", b.Hours, func(c *store.AnalyticsCell) string { return c.Weekday.String() }},
	}
	for _, d := range dims {
		cells := d.cells
		samples := map[string]*sample{}
		for i := range cells {
			c := &cells[i]
			k := d.key(c)
			if samples[k] == nil {
				samples[k] = &sample{}
			}
			samples[k].add(sample{n: c.Posts, sum: float64(cellInteractions(c)), squares: c.InteractionsSquared})
		}
		var keys []string
		for k, v := range samples {
			if v.n >= minGroup {
				keys = append(keys, k)
			}
		}
		if len(keys) < 2 {
			continue
		}
		slices.SortFunc(keys, func(a, b string) int {
			return cmp.Or(cmp.Compare(samples[b].mean(), samples[a].mean()), cmp.Compare(a, b))
		})
		best, base := keys[0], keys[len(keys)-1]
		bs := *samples[base]
		if d.name == "weekday" {
			base = "other days"
			bs = sample{}
			for k, v := range samples {
				if k != best {
					bs.add(*v)
				}
			}
		}
		a := *samples[best]
		t := welch(a, bs)
		f := Finding{Dimension: d.name, Subject: best, Baseline: base, N: a.n, NBaseline: bs.n, T: round4(t)}
		mb := bs.mean()
		if t >= minT && mb > 0 {
			f.Kind, f.Ratio = FindingDifference, math.Round(a.mean()/mb*10)/10
			f.Text = fmt.Sprintf("%s posts drew %.1f× the interactions of %s posts (n = %d vs %d).", label(d.name, best), f.Ratio, label(d.name, base), f.N, f.NBaseline)
		} else {
			f.Kind = FindingNoDiff
			f.Text = fmt.Sprintf("No clear difference by %s yet: %s against %s is within chance (n = %d vs %d).", d.name, label(d.name, best), label(d.name, base), f.N, f.NBaseline)
		}
		out = append(out, f)
	}
	return out
}

// label is how a finding names a value: formats and themes are the stored keys.
func label(_, v string) string { return v }

// maxT stands for an infinite t (both samples constant and different): JSON has no
// infinity.
const maxT = 999

// welch is Welch's t statistic of mean(a) − mean(b).
func welch(a, b sample) float64 {
	d := a.mean() - b.mean()
	se := math.Sqrt(a.variance()/float64(a.n) + b.variance()/float64(b.n))
	if se == 0 {
		if d > 0 {
			return maxT
		}
		return 0
	}
	return max(-maxT, min(maxT, d/se))
}
