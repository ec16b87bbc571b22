package sim

import (
	"hash/fnv"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"time"
)

// datacubeSpans is the longest date range, in days, of each analytics endpoint.
var datacubeSpans = map[string]int{
	"getusersummary":        7,
	"getusercumulate":       7,
	"getarticlesummary":     1,
	"getarticletotal":       1,
	"getuserread":           3,
	"getarticleread":        1,
	"getarticletotaldetail": 1,
}

func (s *Simulator) wxDatacube(name string, span int) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			BeginDate string `json:"begin_date"`
			EndDate   string `json:"end_date"`
		}
		if !decodeWeChatBody(w, r, 64<<10, &req) {
			return
		}
		begin, err1 := time.ParseInLocation(time.DateOnly, req.BeginDate, beijing)
		end, err2 := time.ParseInLocation(time.DateOnly, req.EndDate, beijing)
		now := s.Now()
		s.mu.Lock()
		defer s.mu.Unlock()
		acct, ok := s.wxAuth(w, r, now, true)
		if !ok {
			return
		}
		today, _ := time.ParseInLocation(time.DateOnly, fmtDate(now), beijing)
		switch {
		case err1 != nil || err2 != nil:
			writeWeChatError(w, 61500, "date format error")
			return
		case end.Before(begin) || !end.Before(today) || int(end.Sub(begin).Hours()/24)+1 > span:
			// end_date must be yesterday at the latest.
			writeWeChatError(w, 61501, "date range error")
			return
		}
		// A day's figures exist once the day is over and the delay has passed.
		ready := now.Add(-s.cubeDelay)
		var list []map[string]any
		for d := begin; !d.After(end); d = d.AddDate(0, 0, 1) {
			if fmtDate(d) >= fmtDate(ready) {
				continue
			}
			list = append(list, s.datacubeRows(acct, name, d, ready)...)
		}
		if list == nil {
			list = []map[string]any{}
		}
		writeJSON(w, http.StatusOK, map[string]any{"list": list})
	}
}

// SetDatacubeDelay sets how long after Beijing midnight a day's analytics appear
// (Config.DatacubeDelay), from 0 to 24 h.
func (s *Simulator) SetDatacubeDelay(d time.Duration) error {
	if d < 0 || d > 24*time.Hour {
		return errorf("the datacube delay must be between 0 and 24 h")
	}
	s.mu.Lock()
	s.cubeDelay = d
	s.mu.Unlock()
	return nil
}

// dayRand is the deterministic randomness of one account's day.
func dayRand(seed uint64, appID, date string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(appID))
	h.Write([]byte(date))
	return rand.New(rand.NewPCG(seed, h.Sum64()))
}

// organic is the modelled new and lost followers of a day (weekends a little busier).
func organic(seed uint64, a *wxAccount, date string) (gained, lost int64) {
	r := dayRand(seed, a.AppID, date)
	rate := 0.002 * (0.5 + r.Float64())
	if t, err := time.Parse(time.DateOnly, date); err == nil && (t.Weekday() == time.Saturday || t.Weekday() == time.Sunday) {
		rate *= 1.4
	}
	gained = int64(float64(a.baseFollowers) * rate)
	lost = int64(float64(gained) * 0.35 * r.Float64())
	return gained, lost
}

// historyDays is how far back the modelled audience goes before the account was added.
const historyDays = 365

// cumulate is the follower count at the end of date (callers hold s.mu). The modelled
// part is computed once per date: it walks the whole history, and publishing asks for
// it on every submit.
func (a *wxAccount) cumulate(seed uint64, date string) int64 {
	n, ok := a.organicTo[date]
	if !ok {
		start := a.created.In(beijing).AddDate(0, 0, -historyDays)
		n = a.baseFollowers
		for d := start; fmtDate(d) <= date; d = d.AddDate(0, 0, 1) {
			g, l := organic(seed, a, fmtDate(d))
			n += g - l
		}
		if a.organicTo == nil {
			a.organicTo = map[string]int64{}
		}
		a.organicTo[date] = n
	}
	// Scans happen after the account was added, inside the modelled history.
	for d, subs := range a.scanSubs {
		if d <= date {
			n += int64(subs)
		}
	}
	return n
}

// reads is how many reads an article has had by t: a deterministic total (from the
// seed, the article and its audience) reached along 1 − e^(−age/18h).
func (s *Simulator) reads(a *wxArticle, t time.Time) int64 {
	if t.Before(a.published) {
		return 0
	}
	r := rand.New(rand.NewPCG(s.seed, uint64(a.msgDataID)*16+uint64(a.idx)))
	total := float64(a.followers) * math.Exp(math.Log(0.05)+0.6*r.NormFloat64())
	if a.idx > 1 {
		total /= float64(a.idx + 1) // secondary articles are read less
	}
	return int64(total * (1 - math.Exp(-t.Sub(a.published).Hours()/18)))
}

func (s *Simulator) datacubeRows(a *wxAccount, name string, day, now time.Time) []map[string]any {
	date := fmtDate(day)
	dayEnd := day.AddDate(0, 0, 1)
	switch name {
	case "getusersummary":
		g, l := organic(s.seed, a, date)
		rows := []map[string]any{{"ref_date": date, "user_source": 0, "new_user": g, "cancel_user": l}}
		if n := a.scanSubs[date]; n > 0 {
			rows = append(rows, map[string]any{"ref_date": date, "user_source": 30, "new_user": n, "cancel_user": 0})
		}
		return rows
	case "getusercumulate":
		return []map[string]any{{"ref_date": date, "cumulate_user": a.cumulate(s.seed, date)}}
	case "getuserread":
		var users int64
		for _, art := range a.articles {
			users += s.reads(art, dayEnd) - s.reads(art, day)
		}
		return []map[string]any{{
			"ref_date": date, "user_source": 99999999, "int_page_read_user": users,
			"int_page_read_count": users * 6 / 5, "ori_page_read_user": users / 20, "ori_page_read_count": users / 18,
			"share_user": users * 3 / 100, "share_count": users * 4 / 100,
			"add_to_fav_user": users / 100, "add_to_fav_count": users / 90,
		}}
	}
	var rows []map[string]any
	for _, art := range a.articles {
		msgid := strconv.FormatInt(art.msgDataID, 10) + "_" + strconv.Itoa(art.idx)
		switch name {
		case "getarticlesummary", "getarticleread":
			n := s.reads(art, dayEnd) - s.reads(art, day)
			if n <= 0 {
				continue
			}
			row := map[string]any{"ref_date": date, "msgid": msgid, "title": art.title}
			if name == "getarticlesummary" {
				fillOlder(row, n)
			} else {
				fillNewer(row, n)
			}
			rows = append(rows, row)
		case "getarticletotal", "getarticletotaldetail":
			if fmtDate(art.published) != date {
				continue
			}
			var details []map[string]any
			for d := day; d.Before(now) && d.Before(day.AddDate(0, 0, 7)); d = d.AddDate(0, 0, 1) {
				if fmtDate(d) >= fmtDate(now) {
					break
				}
				n := s.reads(art, d.AddDate(0, 0, 1))
				detail := map[string]any{"stat_date": fmtDate(d), "target_user": art.followers}
				if name == "getarticletotal" {
					fillOlder(detail, n)
				} else {
					fillNewer(detail, n)
				}
				details = append(details, detail)
			}
			row := map[string]any{"ref_date": date, "msgid": msgid, "title": art.title}
			if name == "getarticletotal" {
				row["details"] = details
			} else {
				row["detail_list"] = details
			}
			rows = append(rows, row)
		}
	}
	return rows
}

// fillOlder writes the figures of the older article endpoints for n readers.
func fillOlder(row map[string]any, n int64) {
	row["int_page_read_user"] = n
	row["int_page_read_count"] = n * 6 / 5
	row["ori_page_read_user"] = n / 20
	row["ori_page_read_count"] = n / 18
	row["share_user"] = n * 3 / 100
	row["share_count"] = n * 4 / 100
	row["add_to_fav_user"] = n / 100
	row["add_to_fav_count"] = n / 90
}

// fillNewer writes the figures of the newer article endpoints (getarticleread,
// getarticletotaldetail) for n readers. Their full shape is unconfirmed; these are the
// fields their documentation names.
func fillNewer(row map[string]any, n int64) {
	row["read_user"] = n
	row["read_count"] = n * 6 / 5
	row["share_user"] = n * 3 / 100
	row["share_count"] = n * 4 / 100
	row["collection_user"] = n / 100
	row["like_user"] = n / 40
	row["zaikan_user"] = n / 120
	row["comment_count"] = n / 200
}
