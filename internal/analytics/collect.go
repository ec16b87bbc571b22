package analytics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/clients"
	"github.com/passerelle-oss/passerelle/internal/platform"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
	"github.com/passerelle-oss/passerelle/internal/platform/weibo"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Collection of figures from the platforms (see docs/operations.md, "Audience collection").
//
// A periodic plan job finds what is due and enqueues one job per account: Weibo
// counts (statuses/count, up to 100 posts per call) whenever a publication reaches
// one of its slots (+1 h … +24 h, then daily to day 10) — and so does a partner's
// relayed Weibo post, counted from when its address was recorded and read through the
// Weibo account of its campaign's institution, in the same calls and budget — Weibo followers once a Beijing
// day (users/show), and for WeChat one job per account and Beijing day, run from 08:00
// the next morning and snoozed until the datacube has the day: followers
// (getusercumulate, getusersummary) and the articles' cumulated figures
// (getarticletotaldetail, or the older getarticletotal).
//
// Every call takes one unit of the account's budget first (Weibo reads per clock hour,
// WeChat calls per Beijing day); a rate-limit answer blocks the account until the
// reset and the job snoozes until then; an expired authorisation stops the account's
// collection until it is connected again (Collector.Resume). Readings are written with
// the slots they fill, all or nothing per batch: a job run twice, or a failed call, never
// writes a second reading for a slot nor loses an earlier one.

// JobInserter is what the collector needs of the job queue.
type JobInserter interface {
	Insert(ctx context.Context, args river.JobArgs, opts *river.InsertOpts) error
}

// Collector collects publications' and accounts' figures.
type Collector struct {
	DB      *store.DB
	Clients *clients.Factory
	Jobs    JobInserter
	Logger  *slog.Logger
	Now     func() time.Time
	// ReadyAt is when, after Beijing midnight, the WeChat job of the day before first
	// runs (8 h: the datacube is usually there between 08:00 and 10:00).
	ReadyAt time.Duration
	// RetryEvery is how long a WeChat job waits for a late datacube (30 min).
	RetryEvery time.Duration
	// GiveUpAfter is how long after the day's end a WeChat job still waits for its
	// data before recording what there is (48 h).
	GiveUpAfter time.Duration
}

func (c *Collector) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

func (c *Collector) log() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (c *Collector) readyAt() time.Duration {
	if c.ReadyAt > 0 {
		return c.ReadyAt
	}
	return 8 * time.Hour
}

func (c *Collector) retryEvery() time.Duration {
	if c.RetryEvery > 0 {
		return c.RetryEvery
	}
	return 30 * time.Minute
}

func (c *Collector) giveUpAfter() time.Duration {
	if c.GiveUpAfter > 0 {
		return c.GiveUpAfter
	}
	return 48 * time.Hour
}

// Job arguments.

// PlanArgs is the periodic job that enqueues what is due.
type PlanArgs struct{}

// Kind implements river.JobArgs.
func (PlanArgs) Kind() string { return "collect.plan" }

// PlanInsertOpts: one plan at a time.
func PlanInsertOpts() *river.InsertOpts {
	return &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByPeriod: time.Minute}}
}

// WeiboCountsArgs collects the due counts of an account's Weibo publications.
type WeiboCountsArgs struct {
	AccountID int64 `json:"account_id"`
}

// Kind implements river.JobArgs.
func (WeiboCountsArgs) Kind() string { return "collect.weibo_counts" }

// WeiboFollowersArgs reads an account's Weibo followers once a Beijing day.
type WeiboFollowersArgs struct {
	AccountID int64  `json:"account_id"`
	Day       string `json:"day"`
}

// Kind implements river.JobArgs.
func (WeiboFollowersArgs) Kind() string { return "collect.weibo_followers" }

// WeChatDayArgs reads a WeChat account's figures of one Beijing day from the datacube.
type WeChatDayArgs struct {
	AccountID int64  `json:"account_id"`
	Day       string `json:"day"`
}

// Kind implements river.JobArgs.
func (WeChatDayArgs) Kind() string { return "collect.wechat_day" }

// waiting: a job of the same arguments not yet finished blocks a second one.
var waiting = []rivertype.JobState{rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRunning, rivertype.JobStateScheduled, rivertype.JobStateRetryable}

// everState: once per arguments (a day's job is never run twice, even when done).
var everState = append(slices.Clone(waiting), rivertype.JobStateCompleted)

// Slots.

// weiboSlots are the minutes after publication of each Weibo reading.
func weiboSlots(s store.CollectionSettings) []int {
	var out []int
	for _, h := range s.Hours {
		out = append(out, h*60)
	}
	for d := 1; d <= s.WeiboDays; d++ {
		if m := d * 1440; !slices.Contains(out, m) && (len(out) == 0 || m > out[len(out)-1]) {
			out = append(out, m)
		}
	}
	return out
}

// dueSlots are the slots after last whose instant has come.
func dueSlots(slots []int, last int, published, now time.Time) []int {
	var out []int
	for _, m := range slots {
		if m > last && !published.Add(time.Duration(m)*time.Minute).After(now) {
			out = append(out, m)
		}
	}
	return out
}

// Plan enqueues the collection jobs that are due. It is cheap to run often: the jobs
// are unique per account (and day), and do nothing when nothing is due.
func (c *Collector) Plan(ctx context.Context) (int, error) {
	now := c.now()
	settings := map[int64]store.CollectionSettings{}
	settingsOf := func(org int64) (store.CollectionSettings, error) {
		if s, ok := settings[org]; ok {
			return s, nil
		}
		s, err := c.DB.CollectionSettings(ctx, org)
		settings[org] = s
		return s, err
	}
	n := 0
	insert := func(args river.JobArgs, opts *river.InsertOpts) error {
		n++
		return c.Jobs.Insert(ctx, args, opts)
	}
	blocked := map[int64]bool{}
	stopped := func(account int64) (bool, error) {
		if b, ok := blocked[account]; ok {
			return b, nil
		}
		st, err := c.DB.CollectionStateOf(ctx, account)
		blocked[account] = st.NeedsReauth
		return st.NeedsReauth, err
	}

	// Weibo counts: one job per account with a publication at one of its slots.
	cands, err := c.DB.CollectionCandidates(ctx, passerelle.Weibo, 0, now.Add(-61*24*time.Hour))
	if err != nil {
		return n, err
	}
	queued := map[int64]bool{}
	for _, p := range cands {
		if queued[p.AccountID] || weiboPostID(p) == "" {
			continue
		}
		s, err := settingsOf(p.OrgID)
		if err != nil {
			return n, err
		}
		if len(dueSlots(weiboSlots(s), p.LastSlot, p.PublishedAt, now)) == 0 {
			continue
		}
		if stop, err := stopped(p.AccountID); err != nil || stop {
			if err != nil {
				return n, err
			}
			continue
		}
		queued[p.AccountID] = true
		if err := insert(WeiboCountsArgs{AccountID: p.AccountID}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: waiting}}); err != nil {
			return n, err
		}
	}
	// Partners' relayed Weibo posts, through their campaign institution's account.
	relays, err := c.DB.RelayCandidates(ctx, 0, now.Add(-61*24*time.Hour))
	if err != nil {
		return n, err
	}
	for _, r := range relays {
		if queued[r.AccountID] {
			continue
		}
		s, err := settingsOf(r.OrgID)
		if err != nil {
			return n, err
		}
		if len(dueSlots(weiboSlots(s), r.LastSlot, r.URLAt, now)) == 0 {
			continue
		}
		if stop, err := stopped(r.AccountID); err != nil || stop {
			if err != nil {
				return n, err
			}
			continue
		}
		queued[r.AccountID] = true
		if err := insert(WeiboCountsArgs{AccountID: r.AccountID}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: waiting}}); err != nil {
			return n, err
		}
	}

	today := now.In(Beijing).Format(time.DateOnly)
	accounts, err := c.DB.CollectionAccounts(ctx, passerelle.Weibo)
	if err != nil {
		return n, err
	}
	for _, a := range accounts {
		if stop, err := stopped(a.ID); err != nil || stop {
			if err != nil {
				return n, err
			}
			continue
		}
		if err := insert(WeiboFollowersArgs{AccountID: a.ID, Day: today}, &river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: everState}}); err != nil {
			return n, err
		}
	}

	// WeChat: yesterday's figures, from the morning.
	midnight := beijingMidnight(now)
	yesterday := midnight.AddDate(0, 0, -1).Format(time.DateOnly)
	at := midnight.Add(c.readyAt())
	if at.Before(now) {
		at = now
	}
	if accounts, err = c.DB.CollectionAccounts(ctx, passerelle.WeChat); err != nil {
		return n, err
	}
	for _, a := range accounts {
		if stop, err := stopped(a.ID); err != nil || stop {
			if err != nil {
				return n, err
			}
			continue
		}
		if err := insert(WeChatDayArgs{AccountID: a.ID, Day: yesterday}, &river.InsertOpts{ScheduledAt: at, UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: everState}}); err != nil {
			return n, err
		}
	}
	return n, nil
}

func beijingMidnight(t time.Time) time.Time {
	b := t.In(Beijing)
	return time.Date(b.Year(), b.Month(), b.Day(), 0, 0, 0, 0, Beijing)
}

// weiboPostID is the numeric id statuses/count takes: the publication's id, or the
// one its base62 mid (weibo.com/UID/MID addresses) stands for.
func weiboPostID(p store.CollectionCandidate) string {
	return weibo.StatusID(p.PlatformPostID)
}

// failure turns a failed call into what the job does: a rate limit blocks the
// account until the reset and snoozes the job until then, an expired authorisation
// stops the account's collection until a reconnection, a permanent refusal blocks the
// account for an hour (and is logged), anything else is retried by River.
func (c *Collector) failure(ctx context.Context, accountID int64, err error, resetAt time.Time) error {
	now := c.now()
	var pe *passerelle.Error
	if errors.As(err, &pe) && pe.Code == passerelle.EINVALID {
		// Credentials missing: the same as an authorisation to give again.
		return c.DB.MarkCollectionReauth(ctx, accountID, pe.Message)
	}
	switch platform.KindOf(err) {
	case platform.RateLimited:
		until := resetAt
		var pl *platform.Error
		if errors.As(err, &pl) && !pl.ResumeAt.IsZero() && pl.ResumeAt.After(now) {
			if pl.ResumeAt.After(until) {
				until = pl.ResumeAt
			}
		}
		if err := c.DB.BlockCollection(ctx, accountID, until, err.Error()); err != nil {
			return err
		}
		c.log().InfoContext(ctx, "collection rate-limited", "account", accountID, "until", until)
		return river.JobSnooze(max(until.Sub(now), time.Second))
	case platform.AuthExpired:
		c.log().WarnContext(ctx, "collection stopped until the account is connected again", "account", accountID, "err", err)
		return c.DB.MarkCollectionReauth(ctx, accountID, err.Error())
	case platform.Permanent:
		c.log().WarnContext(ctx, "collection refused", "account", accountID, "err", err)
		if err := c.DB.BlockCollection(ctx, accountID, now.Add(time.Hour), err.Error()); err != nil {
			return err
		}
		return nil
	}
	return err
}

// Resume lets an account's collection go on after a reconnection (chained after the
// publishing engine's in connect's Resume hook).
func (c *Collector) Resume(ctx context.Context, accountID int64) error {
	ok, err := c.DB.ResumeCollection(ctx, accountID)
	if err != nil || !ok || c.Jobs == nil {
		return err
	}
	_, err = c.Plan(ctx)
	return err
}

// weiboClient is a client that tries every read once: each HTTP call is one unit of
// the budget, and River retries a failed job.
func (c *Collector) weiboClient(ctx context.Context, accountID int64) (*weibo.Client, string, string, error) {
	creds, err := c.Clients.WeiboCredentials(ctx, accountID)
	if err != nil {
		return nil, "", "", err
	}
	if creds.AppKey == "" || creds.AppSecret == "" || creds.AccessToken == "" {
		if _, _, err := c.Clients.Weibo(ctx, accountID); err != nil {
			return nil, "", "", err
		}
	}
	f := c.Clients
	wc, err := weibo.New(weibo.Config{BaseURL: f.WeiboAPI, ClientID: creds.AppKey, ClientSecret: creds.AppSecret, HTTPClient: f.HTTPClient,
		Timeout: f.Timeout, Now: f.Now, ReadAttempts: 1})
	if err != nil {
		return nil, "", "", err
	}
	var uid string
	if conn, err := c.DB.Connection(ctx, accountID); err == nil {
		uid = conn.PlatformUID
	}
	return wc, creds.AccessToken, uid, nil
}

func nextHour(t time.Time) time.Time { return t.UTC().Truncate(time.Hour).Add(time.Hour) }

// WeiboResult says what a Weibo counts job did.
type WeiboResult struct {
	Calls    int
	Readings int
	// RelayReadings counts the partners' relayed posts' readings.
	RelayReadings int
}

// CollectWeiboCounts collects the due counts of an account's publications, and of the
// partners' relayed Weibo posts of its institution's campaigns, up to weibo.MaxBatch
// posts per statuses/count call, within the account's hourly budget.
func (c *Collector) CollectWeiboCounts(ctx context.Context, accountID int64) (WeiboResult, error) {
	var res WeiboResult
	now := c.now()
	since := now.Add(-61 * 24 * time.Hour)
	cands, err := c.DB.CollectionCandidates(ctx, passerelle.Weibo, accountID, since)
	if err != nil {
		return res, err
	}
	relays, err := c.DB.RelayCandidates(ctx, accountID, since)
	if err != nil || len(cands)+len(relays) == 0 {
		return res, err
	}
	var org int64
	if len(cands) > 0 {
		org = cands[0].OrgID
	} else {
		org = relays[0].OrgID
	}
	s, err := c.DB.CollectionSettings(ctx, org)
	if err != nil {
		return res, err
	}
	slots := weiboSlots(s)
	type due struct {
		cand  store.CollectionCandidate
		relay *store.RelayCandidate
		slots []int
	}
	byID := map[string][]due{}
	var ids []string
	for _, p := range cands {
		id := weiboPostID(p)
		d := dueSlots(slots, p.LastSlot, p.PublishedAt, now)
		if id == "" || len(d) == 0 {
			continue
		}
		if _, ok := byID[id]; !ok {
			ids = append(ids, id)
		}
		byID[id] = append(byID[id], due{cand: p, slots: d})
	}
	for i := range relays {
		r := &relays[i]
		d := dueSlots(slots, r.LastSlot, r.URLAt, now)
		if len(d) == 0 {
			continue
		}
		if _, ok := byID[r.StatusID]; !ok {
			ids = append(ids, r.StatusID)
		}
		byID[r.StatusID] = append(byID[r.StatusID], due{relay: r, slots: d})
	}
	if len(ids) == 0 {
		return res, nil
	}
	st, err := c.DB.CollectionStateOf(ctx, accountID)
	if err != nil || st.NeedsReauth {
		return res, err
	}
	wc, token, _, err := c.weiboClient(ctx, accountID)
	if err != nil {
		return res, c.failure(ctx, accountID, err, nextHour(now))
	}
	for len(ids) > 0 {
		batch := ids[:min(len(ids), weibo.MaxBatch)]
		got, err := c.DB.TakeHourlyCalls(ctx, accountID, 1, s.WeiboReadsPerHour, c.now())
		if err != nil {
			return res, err
		}
		if got == 0 {
			st, err := c.DB.CollectionStateOf(ctx, accountID)
			if err != nil || st.NeedsReauth {
				return res, err
			}
			until := nextHour(c.now())
			if st.BlockedUntil != nil && st.BlockedUntil.After(c.now()) {
				until = *st.BlockedUntil
			}
			return res, river.JobSnooze(max(until.Sub(c.now()), time.Second))
		}
		res.Calls++
		counts, err := wc.StatusCounts(ctx, token, batch)
		if err != nil {
			return res, c.failure(ctx, accountID, err, nextHour(c.now()))
		}
		at := c.now()
		found := map[string]weibo.StatusCount{}
		for _, sc := range counts {
			found[sc.ID] = sc
		}
		var readings []store.CollectedReading
		var relayed []store.CollectedRelayReading
		for _, id := range batch {
			sc, ok := found[id]
			for _, d := range byID[id] {
				if d.relay != nil {
					r := store.CollectedRelayReading{RelayID: d.relay.RelayID, StatusID: id, Slots: d.slots, At: at}
					if ok {
						r.Counts = &passerelle.RelayFigures{Likes: ptr(sc.Attitudes), Comments: ptr(sc.Comments), Reposts: ptr(sc.Reposts)}
					}
					relayed = append(relayed, r)
					continue
				}
				r := store.CollectedReading{PublicationID: d.cand.PublicationID, Slots: d.slots}
				if ok {
					r.Snapshot = &store.PublicationSnapshot{TakenAt: at, Source: store.PubSourceAPI,
						Likes: ptr(sc.Attitudes), Comments: ptr(sc.Comments), Reposts: ptr(sc.Reposts)}
				}
				readings = append(readings, r)
			}
		}
		n, nr, err := c.DB.RecordCollections(ctx, readings, relayed)
		if err != nil {
			return res, err
		}
		res.Readings += n
		res.RelayReadings += nr
		ids = ids[len(batch):]
	}
	return res, nil
}

// CollectWeiboFollowers reads an account's followers (users/show) and stores the reading.
func (c *Collector) CollectWeiboFollowers(ctx context.Context, accountID int64) error {
	st, err := c.DB.CollectionStateOf(ctx, accountID)
	if err != nil || st.NeedsReauth {
		return err
	}
	org, err := c.DB.AccountOrg(ctx, accountID)
	if err != nil {
		return err
	}
	s, err := c.DB.CollectionSettings(ctx, org)
	if err != nil {
		return err
	}
	wc, token, uid, err := c.weiboClient(ctx, accountID)
	if err != nil {
		return c.failure(ctx, accountID, err, nextHour(c.now()))
	}
	take := func() error {
		got, err := c.DB.TakeHourlyCalls(ctx, accountID, 1, s.WeiboReadsPerHour, c.now())
		if err != nil || got > 0 {
			return err
		}
		until := nextHour(c.now())
		if st, err := c.DB.CollectionStateOf(ctx, accountID); err == nil && st.BlockedUntil != nil && st.BlockedUntil.After(c.now()) {
			until = *st.BlockedUntil
		}
		return river.JobSnooze(max(until.Sub(c.now()), time.Second))
	}
	if uid == "" {
		if err := take(); err != nil {
			return err
		}
		info, err := wc.TokenInfo(ctx, token)
		if err != nil {
			return c.failure(ctx, accountID, err, nextHour(c.now()))
		}
		uid = info.UID
	}
	if err := take(); err != nil {
		return err
	}
	u, err := wc.ShowUser(ctx, token, uid)
	if err != nil {
		return c.failure(ctx, accountID, err, nextHour(c.now()))
	}
	return c.DB.RecordAPIFollowers(ctx, accountID, c.now(), u.FollowersCount)
}

// WeChatResult says what a WeChat day job did.
type WeChatResult struct {
	Calls    int
	Readings int
	// Ready says whether the datacube had the day.
	Ready bool
}

// CollectWeChatDay reads a WeChat account's followers of day (YYYY-MM-DD, Beijing) and
// its articles' figures up to the end of that day. Until the datacube has the day it
// returns a snooze (after GiveUpAfter it records what there is).
func (c *Collector) CollectWeChatDay(ctx context.Context, accountID int64, day string) (WeChatResult, error) {
	var res WeChatResult
	d, err := time.ParseInLocation(time.DateOnly, day, Beijing)
	if err != nil {
		return res, river.JobCancel(fmt.Errorf("collect: bad day %q", day))
	}
	dayEnd := d.AddDate(0, 0, 1)
	if c.now().Before(dayEnd) {
		return res, river.JobSnooze(max(dayEnd.Add(c.readyAt()).Sub(c.now()), time.Second))
	}
	st, err := c.DB.CollectionStateOf(ctx, accountID)
	if err != nil || st.NeedsReauth {
		return res, err
	}
	org, err := c.DB.AccountOrg(ctx, accountID)
	if err != nil {
		return res, err
	}
	s, err := c.DB.CollectionSettings(ctx, org)
	if err != nil {
		return res, err
	}
	wc, err := c.Clients.WeChat(ctx, accountID)
	if err != nil {
		return res, c.failure(ctx, accountID, err, beijingMidnight(c.now()).AddDate(0, 0, 1))
	}
	giveUp := !c.now().Before(dayEnd.Add(c.giveUpAfter()))
	// call takes a unit of the daily budget, then calls; its error is the job's.
	call := func(fn func() error) error {
		now := c.now()
		got, err := c.DB.TakeDailyCalls(ctx, accountID, 1, s.WeChatCallsPerDay, now.In(Beijing).Format(time.DateOnly), now)
		if err != nil {
			return err
		}
		reset := beijingMidnight(now).AddDate(0, 0, 1).Add(5 * time.Minute)
		if got == 0 {
			st, err := c.DB.CollectionStateOf(ctx, accountID)
			if err != nil || st.NeedsReauth {
				return err
			}
			until := reset
			if st.BlockedUntil != nil && st.BlockedUntil.After(now) && st.BlockedUntil.Before(reset) {
				until = *st.BlockedUntil
			}
			return river.JobSnooze(max(until.Sub(now), time.Second))
		}
		res.Calls++
		if err := fn(); err != nil {
			return c.failure(ctx, accountID, err, reset)
		}
		return nil
	}

	// Followers.
	var cum []wechat.UserCumulate
	if err := call(func() (err error) { cum, err = wc.UserCumulates(ctx, day, day); return }); err != nil {
		return res, err
	}
	if len(cum) == 0 && !giveUp {
		return res, river.JobSnooze(c.retryEvery())
	}
	var sums []wechat.UserSummary
	if err := call(func() (err error) { sums, err = wc.UserSummaries(ctx, day, day); return }); err != nil {
		return res, err
	}

	// Articles: the cumulated figures of the articles of each publication day of the
	// window, up to the end of day.
	cands, err := c.DB.CollectionCandidates(ctx, passerelle.WeChat, accountID, d.AddDate(0, 0, -s.WeChatDays+1))
	if err != nil {
		return res, err
	}
	byDay := map[string][]store.CollectionCandidate{}
	var days []string
	for _, p := range cands {
		pd := p.PublishedAt.In(Beijing).Format(time.DateOnly)
		if pd > day || p.LastSlot >= dayNumber(pd, day)*1440 {
			continue
		}
		if _, ok := byDay[pd]; !ok {
			days = append(days, pd)
		}
		byDay[pd] = append(byDay[pd], p)
	}
	slices.Sort(days)
	var readings []store.CollectedReading
	for _, pd := range days {
		var stats []wechat.ArticleStat
		if err := call(func() (err error) { stats, err = wc.ArticleTotals(ctx, pd); return }); err != nil {
			return res, err
		}
		for _, p := range byDay[pd] {
			rs, matched, complete := articleReadings(p, pd, day, s.WeChatDays, stats)
			if !matched {
				// Deleted, or published under another msgid: nothing to wait for.
				c.log().InfoContext(ctx, "WeChat article not in the datacube", "publication", p.PublicationID, "day", pd)
			}
			if matched && !complete && !giveUp {
				return res, river.JobSnooze(c.retryEvery())
			}
			readings = append(readings, rs...)
		}
	}

	// Everything is there: write it all at once.
	if len(cum) > 0 {
		if err := c.DB.RecordAPIFollowers(ctx, accountID, dayEnd, cum[len(cum)-1].CumulateUser); err != nil {
			return res, err
		}
	}
	if len(sums) > 0 {
		fd := store.FollowerDay{AccountID: accountID, Day: day, Source: store.SourceAPI}
		for _, u := range sums {
			if u.RefDate == day {
				fd.New += u.NewUser
				fd.Lost += u.CancelUser
			}
		}
		if err := c.DB.RecordFollowerDays(ctx, []store.FollowerDay{fd}); err != nil {
			return res, err
		}
	}
	n, err := c.DB.RecordCollection(ctx, readings)
	res.Readings, res.Ready = n, len(cum) > 0
	return res, err
}

// dayNumber is the day number of day after the publication day pd (pd itself is 1).
func dayNumber(pd, day string) int {
	a, _ := time.Parse(time.DateOnly, pd)
	b, _ := time.Parse(time.DateOnly, day)
	return int(b.Sub(a).Hours()/24) + 1
}

// msgIDs are the datacube msgids a publication may have: its msg_data_id with the
// article index, or the mid and idx of its mp.weixin.qq.com address.
func msgIDs(p store.CollectionCandidate) []string {
	var out []string
	if p.MsgDataID != "" {
		out = append(out, p.MsgDataID+"_1")
	}
	if id := p.PlatformPostID; strings.Contains(id, "_") {
		out = append(out, id)
	}
	if u, err := url.Parse(p.URL); err == nil && u.Query().Get("mid") != "" {
		idx := u.Query().Get("idx")
		if idx == "" {
			idx = "1"
		}
		out = append(out, u.Query().Get("mid")+"_"+idx)
	}
	return out
}

// articleReadings turns the article totals of publication day pd into the readings of
// p up to the end of day (one per stat_date, taken at that day's end), and says whether
// the article was found and whether the day itself was there.
func articleReadings(p store.CollectionCandidate, pd, day string, maxDays int, stats []wechat.ArticleStat) (out []store.CollectedReading, matched, complete bool) {
	ids := msgIDs(p)
	match := func(st wechat.ArticleStat) bool {
		if st.MsgID != "" && slices.Contains(ids, st.MsgID) {
			return true
		}
		// A publication with no known msgid: its title on its day.
		return len(ids) == 0 && st.Title != "" && strings.TrimSpace(st.Title) == strings.TrimSpace(p.Title)
	}
	for _, st := range stats {
		if !match(st) {
			continue
		}
		matched = true
		if st.StatDate == "" || st.StatDate > day || st.StatDate < pd {
			continue
		}
		k := dayNumber(pd, st.StatDate)
		if k < 1 || k > maxDays || k*1440 <= p.LastSlot {
			if st.StatDate == day {
				complete = true
			}
			continue
		}
		end, err := time.ParseInLocation(time.DateOnly, st.StatDate, Beijing)
		if err != nil {
			continue
		}
		snap := &store.PublicationSnapshot{TakenAt: end.AddDate(0, 0, 1), Source: store.PubSourceAPI,
			Views: ptr(st.ReadCount), Reposts: ptr(st.ShareCount)}
		if st.Endpoint == wechat.EndpointArticleTotalDetail {
			snap.Likes, snap.Comments = ptr(st.LikeUser), ptr(st.CommentCount)
		}
		out = append(out, store.CollectedReading{PublicationID: p.PublicationID, Slots: []int{k * 1440}, Snapshot: snap})
		if st.StatDate == day {
			complete = true
		}
	}
	return out, matched, complete
}

// Workers.

// PlanWorker runs PlanArgs.
type PlanWorker struct {
	river.WorkerDefaults[PlanArgs]
	Collector *Collector
}

// Work implements river.Worker.
func (w *PlanWorker) Work(ctx context.Context, _ *river.Job[PlanArgs]) error {
	_, err := w.Collector.Plan(ctx)
	return err
}

// WeiboCountsWorker runs WeiboCountsArgs.
type WeiboCountsWorker struct {
	river.WorkerDefaults[WeiboCountsArgs]
	Collector *Collector
}

// Work implements river.Worker.
func (w *WeiboCountsWorker) Work(ctx context.Context, j *river.Job[WeiboCountsArgs]) error {
	_, err := w.Collector.CollectWeiboCounts(ctx, j.Args.AccountID)
	return err
}

// WeiboFollowersWorker runs WeiboFollowersArgs.
type WeiboFollowersWorker struct {
	river.WorkerDefaults[WeiboFollowersArgs]
	Collector *Collector
}

// Work implements river.Worker.
func (w *WeiboFollowersWorker) Work(ctx context.Context, j *river.Job[WeiboFollowersArgs]) error {
	return w.Collector.CollectWeiboFollowers(ctx, j.Args.AccountID)
}

// WeChatDayWorker runs WeChatDayArgs.
type WeChatDayWorker struct {
	river.WorkerDefaults[WeChatDayArgs]
	Collector *Collector
}

// Work implements river.Worker.
func (w *WeChatDayWorker) Work(ctx context.Context, j *river.Job[WeChatDayArgs]) error {
	_, err := w.Collector.CollectWeChatDay(ctx, j.Args.AccountID, j.Args.Day)
	return err
}

// AddWorkers registers the collection workers.
func (c *Collector) AddWorkers(w *river.Workers) {
	river.AddWorker(w, &PlanWorker{Collector: c})
	river.AddWorker(w, &WeiboCountsWorker{Collector: c})
	river.AddWorker(w, &WeiboFollowersWorker{Collector: c})
	river.AddWorker(w, &WeChatDayWorker{Collector: c})
}
