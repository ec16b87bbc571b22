package visit

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Play counts and completion rates, without personal data: the player posts an
// anonymous beacon (no cookie, no identifier, nothing about the visitor is kept) that
// adds one to a stop's or an exhibition's count of the Beijing day. Counts gather in
// memory and reach the database at most every flushEvery, in one transaction, so a
// spike of visitors costs few writes; the memory is bounded (maxPendingKeys) and a
// beacon that names nothing published is answered like any other and counted nowhere.

const (
	beaconPath     = "/v/b"
	beaconLimit    = 1 << 10
	flushEvery     = 2 * time.Second
	maxPendingKeys = 10_000
	// maxPerKey bounds what one stop or exhibition can gain between two flushes: a
	// script posting in a loop inflates a count by at most this much every flushEvery.
	maxPerKey = 2_000
)

var beijing = time.FixedZone("Asia/Shanghai", 8*3600)

type counter struct {
	mu          sync.Mutex
	flushing    sync.Mutex
	day         string
	stops       map[int64]store.PlayCount
	exhibitions map[int64]store.PlayCount
	last        time.Time
	// ids caches what a token resolves to (published tour: number→stop id).
	ids map[string]resolved
}

type resolved struct {
	exhibition int64
	stops      map[int]int64
	expires    time.Time
}

func (s *Service) counts() *counter {
	s.countOnce.Do(func() {
		s.counter = &counter{stops: map[int64]store.PlayCount{}, exhibitions: map[int64]store.PlayCount{}, ids: map[string]resolved{}}
	})
	return s.counter
}

// resolve returns what a token names while it is published (cached for cacheTTL).
func (s *Service) resolve(ctx context.Context, kind, token string) (resolved, error) {
	c := s.counts()
	now := s.now()
	key := kind + token
	c.mu.Lock()
	r, ok := c.ids[key]
	c.mu.Unlock()
	if ok && now.Before(r.expires) {
		return r, nil
	}
	r = resolved{expires: now.Add(cacheTTL)}
	if kind == "t" {
		t, err := s.DB.PublishedTour(ctx, token)
		if err != nil && passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			return r, err
		}
		if err == nil {
			stops, err := s.DB.Stops(ctx, t.ID)
			if err != nil {
				return r, err
			}
			r.stops = map[int]int64{}
			for _, st := range stops {
				r.stops[st.Number] = st.ID
			}
		}
	} else {
		e, err := s.DB.PublishedExhibition(ctx, token)
		if err != nil && passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			return r, err
		}
		if err == nil {
			r.exhibition = e.ID
		}
	}
	c.mu.Lock()
	if len(c.ids) >= maxPendingKeys {
		c.ids = map[string]resolved{}
	}
	c.ids[key] = r
	c.mu.Unlock()
	return r, nil
}

// beacon counts a play ("k=t&t=TOKEN&n=NUMBER&e=start|end") or an exhibition view
// ("k=e&t=TOKEN&e=view|end"). A malformed beacon is 400; one naming nothing
// published is 204 like a counted one, so the answer tells nothing.
func (h *public) beacon(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "no-store")
	if err := r.ParseForm(); err != nil {
		http.Error(w, "Bad beacon.", http.StatusBadRequest)
		return
	}
	f := r.PostForm
	kind, token, event := f.Get("k"), f.Get("t"), f.Get("e")
	n, nerr := strconv.Atoi(f.Get("n"))
	ok := len(token) == 20 && ((kind == "t" && (event == "start" || event == "end") && nerr == nil && n >= 1 && n <= passerelle.MaxStopNumber) ||
		(kind == "e" && (event == "view" || event == "end")))
	if !ok {
		http.Error(w, "Bad beacon.", http.StatusBadRequest)
		return
	}
	res, err := h.resolve(r.Context(), kind, token)
	if err != nil {
		h.srv.LogError(r, err)
		w.WriteHeader(http.StatusNoContent)
		return
	}
	var id int64
	if kind == "t" {
		id = res.stops[n]
	} else {
		id = res.exhibition
	}
	if id != 0 {
		h.add(kind, id, event != "end")
	}
	h.maybeFlush()
	w.WriteHeader(http.StatusNoContent)
}

// add counts one event in memory.
func (s *Service) add(kind string, id int64, start bool) {
	c := s.counts()
	day := s.now().In(beijing).Format(time.DateOnly)
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.day != "" && c.day != day {
		// A new day: what is pending belongs to the previous one.
		prev, stops, exhibitions := c.day, c.stops, c.exhibitions
		c.stops, c.exhibitions, c.day = map[int64]store.PlayCount{}, map[int64]store.PlayCount{}, ""
		s.background.Go(func() {
			if err := s.DB.AddVisitCounts(context.Background(), prev, stops, exhibitions); err != nil {
				s.Logger.Error("visit: counts not recorded", "err", err)
			}
		})
	}
	m := c.stops
	if kind == "e" {
		m = c.exhibitions
	}
	p, ok := m[id]
	if !ok && len(c.stops)+len(c.exhibitions) >= maxPendingKeys {
		return
	}
	if start && p.Starts < maxPerKey {
		p.Starts++
	} else if !start && p.Completes < maxPerKey {
		p.Completes++
	}
	m[id] = p
	if c.day == "" {
		c.day = day
	}
}

func (s *Service) maybeFlush() {
	c := s.counts()
	c.mu.Lock()
	due := s.now().Sub(c.last) >= flushEvery && (len(c.stops) > 0 || len(c.exhibitions) > 0)
	if due {
		c.last = s.now() // one background flush per period, not one per beacon
	}
	c.mu.Unlock()
	if due {
		s.background.Go(func() { s.Flush(context.Background()) })
	}
}

// Flush writes the counts gathered in memory. The editors' screens call it before
// reading counts, so what they show is current.
func (s *Service) Flush(ctx context.Context) error {
	c := s.counts()
	// One flush at a time, so counts taken by one are written before the next
	// reads; a caller waiting here then writes what came in meanwhile.
	c.flushing.Lock()
	defer c.flushing.Unlock()
	c.mu.Lock()
	day, stops, exhibitions := c.day, c.stops, c.exhibitions
	c.stops, c.exhibitions, c.day, c.last = map[int64]store.PlayCount{}, map[int64]store.PlayCount{}, "", s.now()
	c.mu.Unlock()
	if len(stops) == 0 && len(exhibitions) == 0 {
		return nil
	}
	if err := s.DB.AddVisitCounts(ctx, day, stops, exhibitions); err != nil {
		s.Logger.Error("visit: counts not recorded", "err", err, "stops", len(stops), "exhibitions", len(exhibitions))
		return err
	}
	return nil
}

// StopStat is a stop's plays over a period and its completion rate.
type StopStat struct {
	Starts, Completes int64
	// Rate is completes / starts in percent, at most 100 (0 without plays).
	Rate int
}

func stat(c store.PlayCount) StopStat {
	st := StopStat{Starts: c.Starts, Completes: c.Completes}
	if c.Starts > 0 {
		st.Rate = int(min(100, c.Completes*100/c.Starts))
	}
	return st
}

// StatsDays is the period the editors' screens show: the last 30 Beijing days.
const StatsDays = 30

func (s *Service) statsPeriod() (string, string) {
	today := s.now().In(beijing)
	return today.AddDate(0, 0, -(StatsDays - 1)).Format(time.DateOnly), today.Format(time.DateOnly)
}

// StopStats returns a tour's counts per stop id over the last StatsDays days.
func (s *Service) StopStats(ctx context.Context, u *passerelle.User, tourID int64) (map[int64]StopStat, StopStat, error) {
	t, err := s.DB.Tour(ctx, u.OrgID, tourID)
	if err != nil {
		return nil, StopStat{}, err
	}
	if err := u.Allow(t.InstitutionID, passerelle.PermView); err != nil {
		return nil, StopStat{}, err
	}
	if err := s.Flush(ctx); err != nil {
		return nil, StopStat{}, err
	}
	from, to := s.statsPeriod()
	counts, err := s.DB.StopCounts(ctx, tourID, from, to)
	if err != nil {
		return nil, StopStat{}, err
	}
	out := map[int64]StopStat{}
	var total store.PlayCount
	for id, c := range counts {
		out[id] = stat(c)
		total.Starts += c.Starts
		total.Completes += c.Completes
	}
	return out, stat(total), nil
}

// ExhibitionStats returns an exhibition's views and completion over the last
// StatsDays days.
func (s *Service) ExhibitionStats(ctx context.Context, u *passerelle.User, id int64) (StopStat, error) {
	e, err := s.DB.Exhibition(ctx, u.OrgID, id)
	if err != nil {
		return StopStat{}, err
	}
	if err := u.Allow(e.InstitutionID, passerelle.PermView); err != nil {
		return StopStat{}, err
	}
	if err := s.Flush(ctx); err != nil {
		return StopStat{}, err
	}
	from, to := s.statsPeriod()
	c, err := s.DB.ExhibitionCounts(ctx, id, from, to)
	return stat(c), err
}
