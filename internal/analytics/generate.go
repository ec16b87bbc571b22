package analytics

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// GenerateOptions shape a scale dataset.
type GenerateOptions struct {
	OrgID        int64
	Institutions int
	Years        float64
	Seed         uint64
	// End is the last instant of the history (now by default).
	End time.Time
	// Workers is how many institutions are written at once (PostgreSQL takes
	// several writers; SQLite has one). At least one.
	Workers int
	// Progress is told after each institution.
	Progress func(done, total int)
	// Into, when set, are existing institutions to write a history for, instead of
	// creating Institutions new ones (the demo's museums).
	Into []GenerateTarget
	// Titles, when set, are the posts' titles, picked at random, instead of numbered
	// ones.
	Titles []string
}

// GenerateTarget is an existing institution and its two accounts.
type GenerateTarget struct {
	Institution   *passerelle.Institution
	Weibo, WeChat *passerelle.Account
	// Followers is the Weibo audience at the start of the history (WeChat: 40 % of
	// it); zero draws one.
	Followers float64
}

// GenerateResult counts what was written.
type GenerateResult struct {
	Institutions, Publications, Snapshots int
}

// weiboReadings is the default Weibo collection schedule: +1 h, +3 h, +6 h, +12 h,
// +24 h, then daily to day 10.
var weiboReadings = func() []time.Duration {
	out := []time.Duration{time.Hour, 3 * time.Hour, 6 * time.Hour, 12 * time.Hour}
	for d := 1; d <= 10; d++ {
		out = append(out, time.Duration(d)*24*time.Hour)
	}
	return out
}()

// Formats and how much each draws, relative to photo and text: the data hides a
// finding for the "what works" panel to find.
var generatedFormats = []struct {
	format string
	weight float64
	pull   float64
}{{passerelle.FormatPhotoText, 0.55, 1.0}, {passerelle.FormatVideo, 0.2, 1.5}, {passerelle.FormatText, 0.15, 0.45}, {passerelle.FormatRepost, 0.1, 0.3}}

// seasonal is the audience's mood on a Beijing day: weekends, summer holidays, the
// Spring Festival, the Golden Week and International Museum Day draw more.
func seasonal(d time.Time) float64 {
	f := 1.0
	switch d.Weekday() {
	case time.Saturday, time.Sunday:
		f *= 1.25
	case time.Monday:
		f *= 0.85
	}
	if m := d.Month(); m == time.July || m == time.August {
		f *= 1.2
	}
	md := d.Format("01-02")
	switch {
	case md >= "10-01" && md <= "10-07":
		f *= 1.6
	case md == "05-18":
		f *= 2.0
	case md >= "01-25" && md <= "02-10":
		f *= 1.4
	}
	return f
}

// Generate writes a realistic history: per institution a Weibo and a WeChat account,
// about four Weibo posts and one or two WeChat articles a week (more at weekends,
// in summer and at the festivals), readings at the collection schedule, daily followers growing with the posts' success.
func Generate(ctx context.Context, db *store.DB, o GenerateOptions) (GenerateResult, error) {
	var res GenerateResult
	if o.End.IsZero() {
		o.End = time.Now()
	}
	end := o.End.In(Beijing)
	days := int(o.Years * 365)
	start := time.Date(end.Year(), end.Month(), end.Day(), 0, 0, 0, 0, Beijing).AddDate(0, 0, -days)
	type museum struct {
		inst      *passerelle.Institution
		wb, wx    *passerelle.Account
		followers float64
	}
	var museums []museum
	for _, t := range o.Into {
		museums = append(museums, museum{t.Institution, t.Weibo, t.WeChat, t.Followers})
	}
	if len(o.Into) == 0 {
		museums = make([]museum, o.Institutions)
	}
	o.Institutions = len(museums)
	for n := range museums {
		if len(o.Into) > 0 {
			break
		}
		inst := &passerelle.Institution{OrgID: o.OrgID, Name: fmt.Sprintf("Musée %d", n+1)}
		if err := db.CreateInstitution(ctx, inst); err != nil {
			return res, err
		}
		wb := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Handle: "museum_" + strconv.Itoa(n+1)}
		wx := &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.WeChat, Handle: "gh_museum" + strconv.Itoa(n+1)}
		for _, a := range []*passerelle.Account{wb, wx} {
			if err := db.CreateAccount(ctx, o.OrgID, a); err != nil {
				return res, err
			}
		}
		museums[n] = museum{inst, wb, wx, 0}
	}
	// Each institution's history depends only on the seed and its rank, so workers
	// write the same data in any order.
	workers := max(1, min(o.Workers, o.Institutions))
	var mu sync.Mutex
	next := 0
	var firstErr error
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				mu.Lock()
				n := next
				next++
				if n >= len(museums) || firstErr != nil {
					mu.Unlock()
					return
				}
				mu.Unlock()
				m := museums[n]
				got, err := generateInstitution(ctx, db, o, n, m.inst, m.wb, m.wx, m.followers, start, end, days)
				mu.Lock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				res.Publications += got.Publications
				res.Snapshots += got.Snapshots
				if err == nil {
					res.Institutions++
					if o.Progress != nil {
						o.Progress(res.Institutions, o.Institutions)
					}
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return res, firstErr
}

// generateInstitution writes the n-th institution's history.
func generateInstitution(ctx context.Context, db *store.DB, o GenerateOptions, n int, inst *passerelle.Institution, wb, wx *passerelle.Account, followers float64, start, end time.Time, days int) (GenerateResult, error) {
	var res GenerateResult
	r := rand.New(rand.NewPCG(o.Seed, uint64(n)))
	themes := passerelle.DefaultThemes
	local := 0
	err := func() error {
		size := math.Exp(8 + 2.5*r.Float64()) // 3,000 to 36,000 followers to start
		if followers > 0 {
			size = followers
		}
		wbFollowers, wxFollowers := size, size*0.4
		var batch store.AudienceLoad
		flush := func() error {
			if err := db.LoadAudience(ctx, o.OrgID, batch); err != nil {
				return err
			}
			batch = store.AudienceLoad{}
			return nil
		}
		for d := 0; d < days; d++ {
			day := start.AddDate(0, 0, d)
			mood := seasonal(day)
			// Weibo: about four a week, more on good days.
			for k := 0; k < poisson(r, 0.7*mood); k++ {
				f := pick(r)
				at := day.Add(time.Duration(8+r.IntN(14))*time.Hour + time.Duration(r.IntN(60))*time.Minute)
				if !at.Before(end) {
					continue
				}
				reach := wbFollowers * mood * f.pull * math.Exp(r.NormFloat64()*0.7) * 0.02
				id := strconv.FormatUint(4_000_000_000_000_000+uint64(n)*10_000_000+uint64(local), 10)
				var snaps []*store.PublicationSnapshot
				for _, off := range weiboReadings {
					t := at.Add(off)
					if t.After(end) {
						break
					}
					g := 1 - math.Exp(-off.Hours()/6)
					snaps = append(snaps, &store.PublicationSnapshot{TakenAt: t, Source: store.PubSourceAPI,
						Likes: ptr(int64(reach * 0.3 * g)), Comments: ptr(int64(reach * 0.05 * g)), Reposts: ptr(int64(reach * 0.04 * g))})
				}
				// The read counts come from the data centre's export, after the last reading.
				if t := at.Add(11 * 24 * time.Hour); t.Before(end) {
					snaps = append(snaps, &store.PublicationSnapshot{TakenAt: t, Source: store.PubSourceImport, Views: ptr(int64(reach * 40))})
				}
				batch.Posts = append(batch.Posts, store.AudiencePost{InstitutionID: inst.ID, Title: o.title(r, "微博 "+id), Theme: themes[r.IntN(len(themes))], PublishedAt: at,
					Publications: []store.AudiencePublication{{AccountID: wb.ID, Format: f.format, PlatformPostID: id, URL: "https://m.weibo.cn/status/" + id, Snapshots: snaps}}})
				res.Publications++
				local++
				res.Snapshots += len(snaps)
				wbFollowers += reach * 0.01
			}
			// WeChat: one or two articles a week, read from the datacube each of the
			// next seven mornings (Beijing time).
			if r.Float64() < 0.2*mood {
				at := day.Add(time.Duration(18+r.IntN(4)) * time.Hour)
				if at.Before(end) {
					reads := wxFollowers * mood * math.Exp(r.NormFloat64()*0.5) * 0.08
					id := strconv.Itoa(2_000_000_000+n*100_000+local) + "_1"
					var snaps []*store.PublicationSnapshot
					for d := 1; d <= 7; d++ {
						t := day.AddDate(0, 0, d).Add(9 * time.Hour)
						if t.After(end) {
							break
						}
						g := 1 - math.Exp(-t.Sub(at).Hours()/24)
						views, lower := int64(reads*g), false
						if views >= 100000 {
							views, lower = 100000, true
						}
						snaps = append(snaps, &store.PublicationSnapshot{TakenAt: t, Source: store.PubSourceAPI, Views: ptr(views), LowerBound: lower,
							Likes: ptr(int64(reads * 0.02 * g)), Comments: ptr(int64(reads * 0.004 * g)), Reposts: ptr(int64(reads * 0.01 * g))})
					}
					batch.Posts = append(batch.Posts, store.AudiencePost{InstitutionID: inst.ID, Title: o.title(r, "文章 "+id), Theme: themes[r.IntN(len(themes))], PublishedAt: at,
						Publications: []store.AudiencePublication{{AccountID: wx.ID, Format: passerelle.FormatArticle, PlatformPostID: id, URL: "https://mp.weixin.qq.com/s/" + id, Snapshots: snaps}}})
					res.Publications++
					local++
					res.Snapshots += len(snaps)
					wxFollowers += reads * 0.005
				}
			}
			wbFollowers *= 1 + 0.0004*mood
			newF := int64(wxFollowers * 0.002 * mood)
			lost := int64(wxFollowers * 0.0012)
			wxFollowers += float64(newF - lost)
			noon := day.Add(12 * time.Hour)
			if noon.Before(end) {
				batch.Followers = append(batch.Followers, store.AccountSnapshot{AccountID: wb.ID, TakenAt: noon, Followers: ptr(int64(wbFollowers))},
					store.AccountSnapshot{AccountID: wx.ID, TakenAt: noon, Followers: ptr(int64(wxFollowers))})
				batch.Days = append(batch.Days, store.FollowerDay{AccountID: wx.ID, Day: day.Format(time.DateOnly), New: newF, Lost: lost, Source: "api"})
			}
			if len(batch.Posts) >= 2000 {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := flush(); err != nil {
			return err
		}
		return nil
	}()
	return res, err
}

// title is one of o.Titles when there are some, numbered otherwise (drawing nothing
// then, so that a seed writes the same dataset as before titles existed).
func (o GenerateOptions) title(r *rand.Rand, numbered string) string {
	if len(o.Titles) == 0 {
		return numbered
	}
	return o.Titles[r.IntN(len(o.Titles))]
}

func pick(r *rand.Rand) struct {
	format string
	weight float64
	pull   float64
} {
	x := r.Float64()
	for _, f := range generatedFormats {
		if x < f.weight {
			return f
		}
		x -= f.weight
	}
	return generatedFormats[0]
}

func poisson(r *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= r.Float64()
		if p < l {
			return k
		}
		k++
	}
}
