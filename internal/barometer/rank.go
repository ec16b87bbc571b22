package barometer

import (
	"math"
	"sort"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// Row is one institution in a barometer table. A nil figure is unknown; an institution
// without any reading in the period has nil Followers and no rank ("no data"), never a
// zero.
type Row struct {
	Rank          *int     `json:"rank"`
	InstitutionID int64    `json:"institution_id"`
	Institution   string   `json:"institution"`
	Country       string   `json:"country"`
	Kind          string   `json:"kind"`
	Followers     *int64   `json:"followers"`
	Share         *float64 `json:"share"`
	Growth        *int64   `json:"growth"`
	GrowthPct     *float64 `json:"growth_pct"`
	Posts         *int64   `json:"posts"`
	Views         *int64   `json:"views"`
	Interactions  *int64   `json:"interactions"`
	Index         *float64 `json:"index"`
	// AsOf is the day (in China) of the latest reading counted.
	AsOf              *string `json:"as_of"`
	PreviousFollowers *int64  `json:"previous_followers"`
	PreviousRank      *int    `json:"previous_rank"`
	// Movement is PreviousRank − Rank: positive means up; nil when either is unknown.
	Movement *int `json:"movement"`
	// Members are the member institutions of the row's network accounts, whose
	// audience the row counts once (network.go).
	Members []Member `json:"members,omitempty"`
}

// Index weights, published on the page and in docs/barometer.md.
const (
	weightFollowers    = 0.5
	weightViews        = 0.3
	weightInteractions = 0.2
)

// influenceIndex is the composite index of an institution over a period of days, in the
// spirit of the WCI/BCI indices: each component is log-scaled (ln(x+1)) so that a
// museum ten times larger does not score ten times higher, audience and interactions
// are taken per day so periods of different lengths compare, interactions count ten
// times (as WCI does for rarer actions), and the weighted mean is taken over the
// components that are known, scaled by 10.
func influenceIndex(followers int64, views, interactions *int64, days int) float64 {
	if days < 1 {
		days = 1
	}
	d := float64(days)
	sum := weightFollowers * math.Log1p(float64(max(followers, 0)))
	weights := weightFollowers
	if views != nil {
		sum += weightViews * math.Log1p(float64(max(*views, 0))/d)
		weights += weightViews
	}
	if interactions != nil {
		sum += weightInteractions * math.Log1p(10*float64(max(*interactions, 0))/d)
		weights += weightInteractions
	}
	return round(10*sum/weights, 1)
}

func round(x float64, digits int) float64 {
	p := math.Pow(10, float64(digits))
	return math.Round(x*p) / p
}

// account is one account's figures for a period, before they are summed per
// institution.
type account struct {
	store.Reading
	start *store.Reading // latest reading on or before the period's first day
	prev  *store.Reading // latest reading of the previous period
}

// aggregate is an institution's running sums.
type aggregate struct {
	row                                Row
	hasData                            bool
	followers, startFollowers          int64
	growthKnown                        bool
	posts, views, interactions         int64
	postsKnown, viewsKnown, interKnown bool
	prevFollowers                      int64
	hasPrev                            bool
	asOf                               time.Time
}

// diff returns end − start of a cumulative counter, nil when either is unknown.
func diff(end, start *int64) *int64 {
	if end == nil || start == nil {
		return nil
	}
	d := *end - *start
	return &d
}

// build sums the accounts per institution and ranks them. A sum over an institution's
// accounts is known only when every account contributing to its followers knows it,
// so a partial figure is never shown as a whole one.
func build(p Period, accounts []account) []Row {
	prev := p.Previous()
	byInst := map[int64]*aggregate{}
	var order []int64
	for _, a := range accounts {
		g, ok := byInst[a.InstitutionID]
		if !ok {
			g = &aggregate{row: Row{InstitutionID: a.InstitutionID, Institution: a.Institution, Country: a.Country, Kind: a.Kind},
				growthKnown: true, postsKnown: true, viewsKnown: true, interKnown: true}
			byInst[a.InstitutionID] = g
			order = append(order, a.InstitutionID)
		}
		if a.prev != nil && a.prev.TakenAt != nil && !a.prev.TakenAt.Before(prev.Start()) && a.prev.Followers != nil {
			g.prevFollowers += *a.prev.Followers
			g.hasPrev = true
		}
		if a.TakenAt == nil || a.TakenAt.Before(p.Start()) || a.Followers == nil {
			continue // no reading in the period: this account adds nothing
		}
		g.hasData = true
		g.followers += *a.Followers
		if a.TakenAt.After(g.asOf) {
			g.asOf = *a.TakenAt
		}
		var start store.Reading
		if a.start != nil {
			start = *a.start
		}
		if start.Followers != nil {
			g.startFollowers += *start.Followers
		} else {
			g.growthKnown = false
		}
		for _, m := range []struct {
			end, start *int64
			sum        *int64
			known      *bool
		}{
			{a.Posts, start.Posts, &g.posts, &g.postsKnown},
			{a.Views, start.Views, &g.views, &g.viewsKnown},
			{a.Interactions, start.Interactions, &g.interactions, &g.interKnown},
		} {
			if d := diff(m.end, m.start); d != nil {
				*m.sum += *d
			} else {
				*m.known = false
			}
		}
	}
	rows := make([]Row, 0, len(order))
	for _, id := range order {
		g := byInst[id]
		r := g.row
		if g.hasPrev {
			r.PreviousFollowers = ptr(g.prevFollowers)
		}
		if g.hasData {
			r.Followers = ptr(g.followers)
			asOf := g.asOf.In(china).Format(time.DateOnly)
			r.AsOf = &asOf
			if g.growthKnown {
				r.Growth = ptr(g.followers - g.startFollowers)
				if g.startFollowers > 0 {
					r.GrowthPct = ptr(round(float64(g.followers-g.startFollowers)*100/float64(g.startFollowers), 2))
				}
			}
			if g.postsKnown {
				r.Posts = ptr(g.posts)
			}
			if g.viewsKnown {
				r.Views = ptr(g.views)
			}
			if g.interKnown {
				r.Interactions = ptr(g.interactions)
			}
			r.Index = ptr(influenceIndex(g.followers, r.Views, r.Interactions, p.Days()))
		}
		rows = append(rows, r)
	}
	return rows
}

// Rank orders rows and fills Rank, Share, PreviousRank and Movement from Followers and
// PreviousFollowers. Ties share a rank (competition ranking: 1, 2, 2, 4); rows without
// data come last, unranked, by name. It returns the total followers of the rows with
// data, the base of the shares.
func Rank(rows []Row) int64 {
	sort.SliceStable(rows, func(i, j int) bool {
		a, b := rows[i], rows[j]
		if (a.Followers == nil) != (b.Followers == nil) {
			return a.Followers != nil
		}
		if a.Followers != nil && *a.Followers != *b.Followers {
			return *a.Followers > *b.Followers
		}
		if c := strings.Compare(strings.ToLower(a.Institution), strings.ToLower(b.Institution)); c != 0 {
			return c < 0
		}
		return a.InstitutionID < b.InstitutionID
	})
	var total int64
	for _, r := range rows {
		if r.Followers != nil {
			total += *r.Followers
		}
	}
	ranks := competition(rows, func(r Row) *int64 { return r.Followers })
	prevRanks := competition(rows, func(r Row) *int64 { return r.PreviousFollowers })
	for i := range rows {
		r := &rows[i]
		r.Rank, r.PreviousRank, r.Share, r.Movement = ranks[i], prevRanks[i], nil, nil
		if r.Followers != nil && total > 0 {
			r.Share = ptr(round(float64(*r.Followers)*100/float64(total), 2))
		}
		if r.Rank != nil && r.PreviousRank != nil {
			r.Movement = ptr(*r.PreviousRank - *r.Rank)
		}
	}
	return total
}

// competition returns the competition rank of each row by the value, nil where the
// value is nil.
func competition(rows []Row, value func(Row) *int64) []*int {
	type iv struct {
		i int
		v int64
	}
	var vals []iv
	for i, r := range rows {
		if v := value(r); v != nil {
			vals = append(vals, iv{i, *v})
		}
	}
	sort.SliceStable(vals, func(a, b int) bool { return vals[a].v > vals[b].v })
	out := make([]*int, len(rows))
	for k, x := range vals {
		rank := k + 1
		if k > 0 && vals[k-1].v == x.v {
			rank = *out[vals[k-1].i]
		}
		out[x.i] = ptr(rank)
	}
	return out
}

func ptr[T any](v T) *T { return &v }
