// Package analytics is the audience side of Passerelle: the collection of every
// published publication's figures and of accounts' followers (River jobs against the
// platforms, within their quotas), the import of the figures the APIs do not give
// (Weibo data-centre and WeChat back-office exports, a documented CSV for the other
// platforms; CSV or XLSX), the analytics of an institution or an organization over a
// period (days in Beijing) and the reports built from them (HTML, XLSX, CSV).
//
// A publication's figures in a period are its newest readings, counted in the period
// in which it was published: readings are cumulative counters, so collecting or
// importing again never double-counts.
package analytics

import (
	"context"
	"runtime"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// Service computes analytics and records readings, applying the tenancy rules.
type Service struct {
	DB      *store.DB
	Tenancy *tenancy.Service
	Now     func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Scope names what a summary covers.
type Scope struct {
	OrgID          int64
	InstitutionIDs []int64
	Accounts       []*passerelle.Account
	// WholeOrg says that InstitutionIDs are all the organization's institutions:
	// the breakdown and the days are then read from the organization's sums
	// (AnalyticsOrgBreakdown, AnalyticsOrgDays).
	WholeOrg bool
}

// institutions is the scope's institutions as the store's analytics take them:
// store.AllInstitutions for a whole organization.
func (sc Scope) institutions() []int64 {
	if sc.WholeOrg {
		return store.AllInstitutions()
	}
	return sc.InstitutionIDs
}

// InstitutionScope is an institution the user may see, with its accounts.
func (s *Service) InstitutionScope(ctx context.Context, u *passerelle.User, id int64) (Scope, *passerelle.Institution, error) {
	inst, err := s.Tenancy.Institution(ctx, u, id)
	if err != nil {
		return Scope{}, nil, err
	}
	accounts, err := s.DB.Accounts(ctx, store.AccountFilter{OrgID: u.OrgID, InstitutionID: id, IncludeArchived: true})
	if err != nil {
		return Scope{}, nil, err
	}
	return Scope{OrgID: u.OrgID, InstitutionIDs: []int64{id}, Accounts: accounts}, inst, nil
}

// OrganizationScope is every institution the user may see.
func (s *Service) OrganizationScope(ctx context.Context, u *passerelle.User) (Scope, error) {
	sc, _, err := s.organizationScope(ctx, u)
	return sc, err
}

func (s *Service) organizationScope(ctx context.Context, u *passerelle.User) (Scope, []*passerelle.Institution, error) {
	// Archived accounts included, as in an institution's scope: their followers and
	// posts belong to the periods in which they were active. Both lists are read at
	// once.
	var all []*passerelle.Account
	var insts []*passerelle.Institution
	g, gctx := errgroup.WithContext(ctx)
	g.Go(func() (err error) {
		all, err = s.DB.Accounts(gctx, store.AccountFilter{OrgID: u.OrgID, IncludeArchived: true, Brief: true})
		return err
	})
	g.Go(func() (err error) { insts, err = s.Tenancy.Institutions(gctx, u, true, tenancy.Page{}); return err })
	if err := g.Wait(); err != nil {
		return Scope{}, nil, err
	}
	var accounts []*passerelle.Account
	for _, a := range all {
		if u.Can(a.InstitutionID, passerelle.PermView) {
			accounts = append(accounts, a)
		}
	}
	sc := Scope{OrgID: u.OrgID, Accounts: accounts, WholeOrg: u.VisibleInstitutions() == nil}
	for _, i := range insts {
		sc.InstitutionIDs = append(sc.InstitutionIDs, i.ID)
	}
	return sc, insts, nil
}

// Summary computes the scope's analytics over p, with the previous period's totals.
// The database adds up the period's publications (breakdown, AnalyticsDays) and
// ranks the top and bottom posts; only those are read one by one.
func (s *Service) Summary(ctx context.Context, sc Scope, p Period) (*Summary, error) {
	sum, _, _, err := s.summary(ctx, sc, p)
	return sum, err
}

// summary is Summary with the accounts' figures of the period and of the previous one,
// which a portfolio reuses.
//
// Its reads do not depend on one another: they are made in parallel (errgroup), each
// on a connection of its own, so that a page waits for less than their sum (on
// PostgreSQL each is served by a process of its own; on SQLite by the read pool's
// connections), a few at a time (parallelReads).
func (s *Service) summary(ctx context.Context, sc Scope, p Period) (sum *Summary, figs, prevFigs accountFigures, err error) {
	sum, figs, prevFigs, _, _, err = s.summaryOf(ctx, sc, p, false)
	return sum, figs, prevFigs, err
}

// summaryOf is summary, with the publications of both periods also added up per
// institution when byInstitution is set (a portfolio's cur and prev): the previous
// period's total is then their sum rather than a read of its own (on the scale
// dataset, 11 ms of an organization's year).
func (s *Service) summaryOf(ctx context.Context, sc Scope, p Period, byInstitution bool) (sum *Summary, figs, prevFigs accountFigures, cur, prevInst map[int64]store.AnalyticsCell, err error) {
	ids := sc.institutions()
	prev := p.Previous()
	var (
		b           store.AnalyticsBreakdown
		top, bottom []store.AnalyticsRow
		prevTotal   store.AnalyticsCell
		live        []LiveVisit
		liveTotals  LiveTotals
		coAuthored  []store.CoAuthoredPost
		daily       []Day
	)
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallelReads())
	g.Go(func() (err error) { b, err = s.breakdown(gctx, sc, p); return err })
	g.Go(func() (err error) {
		top, err = s.DB.AnalyticsRanked(gctx, sc.OrgID, ids, p.From, p.To, true, topN)
		return err
	})
	// The bottom posts are the topN with the fewest interactions; fewer below, where
	// they would be top posts too.
	g.Go(func() (err error) {
		bottom, err = s.DB.AnalyticsRanked(gctx, sc.OrgID, ids, p.From, p.To, false, topN)
		return err
	})
	g.Go(func() (err error) { figs, prevFigs, err = s.accountFigures(gctx, sc.Accounts, p); return err })
	if byInstitution {
		g.Go(func() (err error) {
			cur, err = s.DB.AnalyticsInstitutionTotals(gctx, sc.OrgID, ids, p.From, p.To)
			return err
		})
		g.Go(func() (err error) {
			prevInst, err = s.DB.AnalyticsInstitutionTotals(gctx, sc.OrgID, ids, prev.From, prev.To)
			return err
		})
	} else {
		g.Go(func() (err error) {
			prevTotal, err = s.DB.AnalyticsTotal(gctx, sc.OrgID, ids, prev.From, prev.To)
			return err
		})
	}
	g.Go(func() (err error) { live, liveTotals, err = s.live(gctx, sc, p); return err })
	g.Go(func() (err error) {
		coAuthored, err = s.DB.CoAuthoredPosts(gctx, sc.OrgID, sc.InstitutionIDs, p.From, p.To, maxLive)
		return err
	})
	g.Go(func() (err error) { daily, err = s.daily(gctx, sc, p); return err })
	if err := g.Wait(); err != nil {
		return nil, figs, prevFigs, nil, nil, err
	}
	for _, c := range prevInst {
		prevTotal.Add(&c)
	}
	posts := 0
	for i := range b.Platforms {
		posts += b.Platforms[i].Posts
	}
	// AnalyticsRanked's rows are in ranking order: the first k of the topN fewest are
	// the k fewest.
	bottom = bottom[:min(len(bottom), max(0, min(topN, posts-len(top))))]
	out := compute(b, top, bottom, figs.totals(sc, p, b.Platforms))
	sum = &out
	sum.Previous = prevFigs.totals(sc, prev, []store.AnalyticsCell{prevTotal})
	sum.Live, sum.LiveTotals, sum.CoAuthored, sum.Daily = live, liveTotals, coAuthored, daily
	return sum, figs, prevFigs, cur, prevInst, nil
}

// parallelReads is how many reads each step of a summary makes at once: as many as
// the machine has processors. More would not end sooner: on the scale dataset's
// machine (2 processors, PostgreSQL on the same machine), an organization's month
// took p50 113-119 ms and p95 190-204 ms two by two against 168-182 ms and 352-391 ms
// all at once, PostgreSQL's processes then waiting for each other's locks (and the
// summary's steps nest: a step's reads are made two by two too).
func parallelReads() int { return max(2, runtime.GOMAXPROCS(0)) }

// breakdown is the scope's publications of p added up along each dimension: from the
// organization's daily sums for a whole organization over whole days, else from the
// publications (AnalyticsCells).
func (s *Service) breakdown(ctx context.Context, sc Scope, p Period) (store.AnalyticsBreakdown, error) {
	if sc.WholeOrg {
		if b, ok, err := s.DB.AnalyticsOrgBreakdown(ctx, sc.OrgID, p.From, p.To); err != nil || ok {
			return b, err
		}
	}
	cells, err := s.DB.AnalyticsCells(ctx, sc.OrgID, sc.institutions(), p.From, p.To)
	return store.Breakdown(cells), err
}

// accountFigures are the per-account figures totals needs over a period, read for
// any number of accounts in a few queries: a portfolio reads them once for all its
// institutions.
type accountFigures struct {
	readings map[int64]store.FollowerReadings
	moves    map[int64]store.FollowerMove
	cadences map[int64]store.Cadence
}

// accountFigures reads the accounts' figures over p and over the period before it:
// both periods' follower readings at once (FollowersAround), the cadences, which do
// not depend on the period, once.
func (s *Service) accountFigures(ctx context.Context, accounts []*passerelle.Account, p Period) (cur, prev accountFigures, err error) {
	pp := p.Previous()
	ids := make([]int64, 0, len(accounts))
	for _, a := range accounts {
		ids = append(ids, a.ID)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(parallelReads())
	if len(ids) > 0 {
		g.Go(func() (err error) {
			prev.readings, cur.readings, err = s.DB.FollowersAround(gctx, ids, pp.From, p.From, p.To)
			return err
		})
		for _, x := range []struct {
			d *accountFigures
			p Period
		}{{&cur, p}, {&prev, pp}} {
			g.Go(func() (err error) {
				x.d.moves, err = s.DB.FollowerMovesEach(gctx, ids, x.p.From.Format(time.DateOnly), x.p.Last().Format(time.DateOnly))
				return err
			})
		}
	}
	g.Go(func() (err error) { cur.cadences, err = s.DB.Cadences(gctx, ids); return err })
	if err := g.Wait(); err != nil {
		return cur, prev, err
	}
	prev.cadences = cur.cadences
	return cur, prev, nil
}

// totals is the scope's totals from the figures of its accounts (d must hold them).
func (d accountFigures) totals(sc Scope, p Period, cells []store.AnalyticsCell) Totals {
	var f Followers
	var start, end, newF, lost int64
	var known, moved int
	for _, a := range sc.Accounts {
		if r := d.readings[a.ID]; r.Start != nil && r.End != nil {
			start += *r.Start
			end += *r.End
			known++
		}
		if m, ok := d.moves[a.ID]; ok {
			newF += m.New
			lost += m.Lost
			moved++
		}
	}
	if known > 0 {
		f.Start, f.End, f.Net = ptr(start), ptr(end), ptr(end-start)
	}
	if moved > 0 {
		f.New, f.Lost = ptr(newF), ptr(lost)
	}
	t := totals(p, cells, f)
	weeks := float64(p.Days()) / 7
	for _, a := range sc.Accounts {
		if a.Kind != passerelle.AccountManaged || a.ArchivedAt != nil {
			continue
		}
		c, ok := d.cadences[a.ID]
		if !ok {
			c = store.DefaultCadence(a.Platform)
		}
		t.CadenceMin += int(float64(c.MinPerWeek)*weeks + 0.5)
		t.CadenceMax += int(float64(c.MaxPerWeek)*weeks + 0.5)
	}
	return t
}

// InstitutionSummary is the analytics of an institution the user may see.
func (s *Service) InstitutionSummary(ctx context.Context, u *passerelle.User, id int64, p Period) (*Summary, *passerelle.Institution, error) {
	sc, inst, err := s.InstitutionScope(ctx, u, id)
	if err != nil {
		return nil, nil, err
	}
	sum, err := s.Summary(ctx, sc, p)
	return sum, inst, err
}

// OrganizationSummary is the analytics of every institution the user may see, with
// the portfolio: each institution's totals against its previous period.
func (s *Service) OrganizationSummary(ctx context.Context, u *passerelle.User, p Period) (*Summary, error) {
	sc, insts, err := s.organizationScope(ctx, u)
	if err != nil {
		return nil, err
	}
	// The portfolio's sums per institution are read with the summary's reads.
	sum, figs, prevFigs, cur, prev, err := s.summaryOf(ctx, sc, p, true)
	if err != nil {
		return nil, err
	}
	sum.Institutions = portfolio(sc, insts, p, cur, prev, figs, prevFigs)
	return sum, nil
}

// Snapshots lists the readings of a publication the user may see.
func (s *Service) Snapshots(ctx context.Context, u *passerelle.User, publicationID int64) ([]*store.PublicationSnapshot, error) {
	inst, err := s.DB.PublicationInstitution(ctx, u.OrgID, publicationID)
	if err != nil {
		return nil, err
	}
	if !u.Can(inst, passerelle.PermView) {
		return nil, passerelle.ErrNotFound
	}
	snaps, err := s.DB.PublicationSnapshots(ctx, u.OrgID, publicationID)
	if snaps == nil {
		snaps = []*store.PublicationSnapshot{}
	}
	return snaps, err
}

// RecordManual records figures a person read on the platform for a publication of an
// institution they may edit.
func (s *Service) RecordManual(ctx context.Context, u *passerelle.User, publicationID int64, snap store.PublicationSnapshot) error {
	inst, err := s.DB.PublicationInstitution(ctx, u.OrgID, publicationID)
	if err != nil {
		return err
	}
	if err := u.Allow(inst, passerelle.PermWrite); err != nil {
		return err
	}
	snap.PublicationID, snap.Source = publicationID, store.PubSourceManual
	if snap.TakenAt.IsZero() {
		snap.TakenAt = s.now()
	}
	_, err = s.DB.RecordPublicationSnapshots(ctx, u.OrgID, []*store.PublicationSnapshot{&snap})
	return err
}
