// Package barometer ranks the institutions an organization tracks by their following on
// Chinese networks: the barometer of a period (followers at its end, growth, share of the
// tracked set, activity, a composite influence index, movement against the previous
// period), the import of public follower counts from CSV, and editions — a period's
// table frozen so that later corrections never rewrite a published ranking.
package barometer

import (
	"bytes"
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Combined names the table that sums every platform per institution.
const Combined = "all"

// Service computes, imports and publishes barometers over the store.
type Service struct {
	DB *store.DB
	// Now is the clock; time.Now when nil.
	Now func() time.Time
}

// Clock returns the service's time.
func (s *Service) Clock() time.Time { return s.now() }

func (s *Service) now() time.Time {
	if s.Now == nil {
		return time.Now()
	}
	return s.Now()
}

// Filter narrows the tracked set. Empty lists select everything.
type Filter struct {
	// Countries keeps institutions of these ISO codes; ExcludeCountries drops them
	// ("non-Chinese institutions": ExcludeCountries = [CN]).
	Countries        []string
	ExcludeCountries []string
	Kinds            []string
}

// ParseCountries reads a country filter: "FR,IT" keeps those, "!CN" (or "!CN,HK")
// excludes them.
func ParseCountries(s string) (keep, exclude []string, err error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil, nil
	}
	neg := strings.HasPrefix(s, "!")
	for _, c := range strings.Split(strings.TrimPrefix(s, "!"), ",") {
		c = strings.ToUpper(strings.TrimSpace(c))
		if !isCountryCode(c) {
			return nil, nil, fmt.Errorf("%q is not a two-letter country code", c)
		}
		if neg {
			exclude = append(exclude, c)
		} else {
			keep = append(keep, c)
		}
	}
	return keep, exclude, nil
}

func (f Filter) keep(country, kind string) bool {
	if len(f.Countries) > 0 && !slices.Contains(f.Countries, country) {
		return false
	}
	if slices.Contains(f.ExcludeCountries, country) {
		return false
	}
	return len(f.Kinds) == 0 || slices.Contains(f.Kinds, kind)
}

// Empty reports whether the filter selects everything.
func (f Filter) Empty() bool {
	return len(f.Countries) == 0 && len(f.ExcludeCountries) == 0 && len(f.Kinds) == 0
}

// Table is a barometer: the ranked institutions of a period on a platform (or all).
type Table struct {
	Period   string `json:"period"`
	From     string `json:"from"`
	To       string `json:"to"`
	Platform string `json:"platform"`
	// PreviousFrom and PreviousTo bound the period movement is measured against.
	PreviousFrom   string `json:"previous_from"`
	PreviousTo     string `json:"previous_to"`
	Rows           []Row  `json:"rows"`
	TotalFollowers int64  `json:"total_followers"`
	// EditionID and PublishedAt are set when the table is a published edition.
	EditionID   *int64     `json:"edition_id"`
	PublishedAt *time.Time `json:"published_at"`
}

// ValidPlatform reports whether s names a platform or the combined table.
func ValidPlatform(s string) bool { return s == Combined || passerelle.Platform(s).Valid() }

// Compute builds the live barometer of the organization's tracked set for a period and
// platform ("" or "all" for the combined table).
func (s *Service) Compute(ctx context.Context, orgID int64, p Period, platform string, f Filter) (*Table, error) {
	if platform == "" {
		platform = Combined
	}
	if !ValidPlatform(platform) {
		return nil, &passerelle.Error{Code: passerelle.EINVALID, Message: "Some parameters are invalid.", Fields: map[string]string{"platform": "Choose weibo, wechat, douyin, xiaohongshu or all."}}
	}
	pf := passerelle.Platform(platform)
	if platform == Combined {
		pf = ""
	}
	prev := p.Previous()
	end, err := s.DB.LatestReadings(ctx, orgID, pf, p.End())
	if err != nil {
		return nil, fmt.Errorf("barometer: readings at period end: %w", err)
	}
	start, err := s.DB.LatestReadings(ctx, orgID, pf, p.Start().AddDate(0, 0, 1))
	if err != nil {
		return nil, fmt.Errorf("barometer: readings at period start: %w", err)
	}
	before, err := s.DB.LatestReadings(ctx, orgID, pf, prev.End())
	if err != nil {
		return nil, fmt.Errorf("barometer: readings of the previous period: %w", err)
	}
	networks, err := s.DB.NetworkMembers(ctx, orgID)
	if err != nil {
		return nil, fmt.Errorf("barometer: network members: %w", err)
	}
	end, members := networked(end, networks)
	startBy := make(map[int64]*store.Reading, len(start))
	for i := range start {
		if start[i].TakenAt != nil {
			startBy[start[i].AccountID] = &start[i]
		}
	}
	prevBy := make(map[int64]*store.Reading, len(before))
	for i := range before {
		if before[i].TakenAt != nil {
			prevBy[before[i].AccountID] = &before[i]
		}
	}
	accounts := make([]account, 0, len(end))
	for _, r := range end {
		if !f.keep(r.Country, r.Kind) {
			continue
		}
		accounts = append(accounts, account{Reading: r, start: startBy[r.AccountID], prev: prevBy[r.AccountID]})
	}
	t := &Table{Period: p.Label, From: p.From.Format(time.DateOnly), To: p.To.Format(time.DateOnly), Platform: platform,
		PreviousFrom: prev.From.Format(time.DateOnly), PreviousTo: prev.To.Format(time.DateOnly), Rows: build(p, accounts)}
	for i := range t.Rows {
		t.Rows[i].Members = members[t.Rows[i].InstitutionID]
	}
	t.TotalFollowers = Rank(t.Rows)
	return t, nil
}

// ImportResult says what an import did.
type ImportResult struct {
	Lines int `json:"lines"`
	store.ImportCounts
}

// Import reads a barometer CSV file (see ParseCSV) and records its readings for the
// organization, creating institutions and watched accounts when unknown: every line, or
// none when any line is invalid (an EINVALID *passerelle.Error naming each line, which
// wraps LineErrors).
func (s *Service) Import(ctx context.Context, orgID int64, r io.Reader) (ImportResult, error) {
	lines, err := ParseCSV(r, s.now())
	if le, ok := err.(LineErrors); ok {
		return ImportResult{}, le.DomainError()
	}
	if err != nil {
		return ImportResult{}, err
	}
	rows := make([]*store.ImportReading, len(lines))
	for i, l := range lines {
		rows[i] = &store.ImportReading{Institution: l.Institution, Country: l.Country, Kind: l.Kind, Platform: l.Platform, TakenAt: l.Date,
			Followers: l.Followers, Posts: l.Posts, Views: l.Views, Interactions: l.Interactions, Source: store.SourceCSV, Note: l.Note}
	}
	c, err := s.DB.ImportReadings(ctx, orgID, rows)
	if err != nil {
		return ImportResult{}, fmt.Errorf("barometer: import: %w", err)
	}
	return ImportResult{Lines: len(lines), ImportCounts: c}, nil
}

//go:embed seed/barometer-weibo-2016.csv
var seedCSV []byte

// SeedQuarter is the quarter of the seed's published barometer (Sinapses Conseils,
// 2016-09-15), which ImportSeed publishes as an edition.
const SeedQuarter = "2016Q3"

// ImportSeed imports the embedded 2016 figures (Weibo followers of non-Chinese museums,
// and a 2020 Louvre figure) into the organization and publishes the 2016Q3 edition, for
// the demo. Running it again changes nothing.
func ImportSeed(ctx context.Context, db *store.DB, orgID int64) error {
	s := &Service{DB: db}
	if _, err := s.Import(ctx, orgID, bytes.NewReader(seedCSV)); err != nil {
		return fmt.Errorf("barometer: seed: %w", err)
	}
	if _, err := s.SnapshotQuarter(ctx, orgID, SeedQuarter); err != nil {
		return fmt.Errorf("barometer: seed edition: %w", err)
	}
	return nil
}

// Edition is a published table with its identity.
type Edition struct {
	ID             int64     `json:"id"`
	Period         string    `json:"period"`
	From           string    `json:"from"`
	To             string    `json:"to"`
	Platform       string    `json:"platform"`
	TotalFollowers int64     `json:"total_followers"`
	PublishedAt    time.Time `json:"published_at"`
}

func editionOf(e *store.Edition) Edition {
	return Edition{ID: e.ID, Period: e.Period, From: e.From, To: e.To, Platform: e.Platform, TotalFollowers: e.TotalFollowers, PublishedAt: e.CreatedAt}
}

// frozen is what an edition stores: the rows and the previous period as published.
type frozen struct {
	PreviousFrom string `json:"previous_from"`
	PreviousTo   string `json:"previous_to"`
	Rows         []Row  `json:"rows"`
}

// SnapshotQuarter publishes the quarter's editions of the organization: the combined
// table and one per platform with figures in the quarter. Editions already published
// are kept as they are and returned, so the quarter-end job may run it more than once.
// The quarter may still be running (its figures are then those known today).
func (s *Service) SnapshotQuarter(ctx context.Context, orgID int64, quarter string) ([]Edition, error) {
	p, err := ParseQuarter(quarter)
	if err != nil {
		return nil, err
	}
	return s.Snapshot(ctx, orgID, p)
}

// Snapshot publishes the editions of any period (see SnapshotQuarter).
func (s *Service) Snapshot(ctx context.Context, orgID int64, p Period) ([]Edition, error) {
	var out []Edition
	for _, platform := range append([]string{Combined}, platformNames()...) {
		existing, err := s.DB.Editions(ctx, store.EditionFilter{OrgID: orgID, Platform: platform, Period: p.Label, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(existing) > 0 {
			out = append(out, editionOf(existing[0]))
			continue
		}
		t, err := s.Compute(ctx, orgID, p, platform, Filter{})
		if err != nil {
			return nil, err
		}
		if t.TotalFollowers == 0 && !hasData(t.Rows) {
			continue
		}
		rows, err := json.Marshal(frozen{PreviousFrom: t.PreviousFrom, PreviousTo: t.PreviousTo, Rows: t.Rows})
		if err != nil {
			return nil, err
		}
		e := &store.Edition{OrgID: orgID, Period: p.Label, From: t.From, To: t.To, Platform: platform, Rows: rows, TotalFollowers: t.TotalFollowers}
		if err := s.DB.CreateEdition(ctx, e); err != nil {
			if passerelle.ErrorCode(err) == passerelle.ECONFLICT {
				// Another instance published it meanwhile: theirs stands.
				again, err2 := s.DB.Editions(ctx, store.EditionFilter{OrgID: orgID, Platform: platform, Period: p.Label, Limit: 1})
				if err2 == nil && len(again) > 0 {
					out = append(out, editionOf(again[0]))
					continue
				}
			}
			return nil, err
		}
		out = append(out, editionOf(e))
	}
	if len(out) == 0 {
		return nil, passerelle.Errorf(passerelle.EINVALID, "No tracked account has a follower count in %s; nothing to publish.", p.Label)
	}
	return out, nil
}

func hasData(rows []Row) bool {
	for _, r := range rows {
		if r.Followers != nil {
			return true
		}
	}
	return false
}

func platformNames() []string {
	out := make([]string, len(passerelle.Platforms))
	for i, p := range passerelle.Platforms {
		out[i] = string(p)
	}
	return out
}

// Editions lists the organization's editions, latest period first; platform "" lists
// every platform.
func (s *Service) Editions(ctx context.Context, orgID int64, platform string) ([]Edition, error) {
	es, err := s.DB.Editions(ctx, store.EditionFilter{OrgID: orgID, Platform: platform})
	if err != nil {
		return nil, err
	}
	out := make([]Edition, len(es))
	for i, e := range es {
		out[i] = editionOf(e)
	}
	return out, nil
}

// EditionTable returns a published edition as a table. A filter re-ranks the frozen
// rows within the subset (and recomputes shares); the frozen figures never change.
func (s *Service) EditionTable(ctx context.Context, orgID, id int64, f Filter) (*Table, error) {
	e, err := s.DB.Edition(ctx, orgID, id)
	if err != nil {
		return nil, err
	}
	return tableOf(e, f)
}

// LatestTable returns the latest published edition of the platform, or, while none is
// published, the live table of the quarter of the latest reading (EditionID nil), so a
// public page shows figures as soon as there are some. ENOTFOUND when there is no
// reading at all.
func (s *Service) LatestTable(ctx context.Context, orgID int64, platform string, f Filter) (*Table, error) {
	t, err := s.LatestEdition(ctx, orgID, platform, f)
	if passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
		return t, err
	}
	pf := passerelle.Platform(platform)
	if platform == "" || platform == Combined {
		pf = ""
	}
	at, ok, err := s.DB.LatestReadingAt(ctx, orgID, pf)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, passerelle.Errorf(passerelle.ENOTFOUND, "No barometer is published yet.")
	}
	return s.Compute(ctx, orgID, Quarter(at.In(china)), platform, f)
}

// LatestEdition returns the latest published edition of the platform ("" for the
// combined table) as a table; ENOTFOUND when none is published.
func (s *Service) LatestEdition(ctx context.Context, orgID int64, platform string, f Filter) (*Table, error) {
	if platform == "" {
		platform = Combined
	}
	es, err := s.DB.Editions(ctx, store.EditionFilter{OrgID: orgID, Platform: platform, Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(es) == 0 {
		return nil, passerelle.Errorf(passerelle.ENOTFOUND, "No barometer is published yet.")
	}
	return tableOf(es[0], f)
}

func tableOf(e *store.Edition, f Filter) (*Table, error) {
	var fr frozen
	if err := json.Unmarshal(e.Rows, &fr); err != nil {
		return nil, fmt.Errorf("barometer: edition %d: %w", e.ID, err)
	}
	t := &Table{Period: e.Period, From: e.From, To: e.To, Platform: e.Platform, PreviousFrom: fr.PreviousFrom, PreviousTo: fr.PreviousTo,
		Rows: fr.Rows, TotalFollowers: e.TotalFollowers, EditionID: &e.ID, PublishedAt: &e.CreatedAt}
	if t.Rows == nil {
		t.Rows = []Row{}
	}
	if !f.Empty() {
		kept := t.Rows[:0]
		for _, r := range t.Rows {
			if f.keep(r.Country, r.Kind) {
				kept = append(kept, r)
			}
		}
		t.Rows = kept
		t.TotalFollowers = Rank(t.Rows)
	}
	return t, nil
}

// Comparison sets two editions side by side, per institution.
type Comparison struct {
	A    Edition         `json:"a"`
	B    Edition         `json:"b"`
	Rows []ComparisonRow `json:"rows"`
}

// ComparisonRow is one institution in both editions; nil where it is absent or has no
// data.
type ComparisonRow struct {
	InstitutionID int64    `json:"institution_id"`
	Institution   string   `json:"institution"`
	Country       string   `json:"country"`
	RankA         *int     `json:"rank_a"`
	RankB         *int     `json:"rank_b"`
	FollowersA    *int64   `json:"followers_a"`
	FollowersB    *int64   `json:"followers_b"`
	ShareA        *float64 `json:"share_a"`
	ShareB        *float64 `json:"share_b"`
	// Change is FollowersB − FollowersA; RankChange is RankA − RankB (positive: up in B).
	Change     *int64 `json:"change"`
	RankChange *int   `json:"rank_change"`
}

// Compare sets edition a beside edition b, ordered by b's ranking then a's.
func (s *Service) Compare(ctx context.Context, orgID, a, b int64) (*Comparison, error) {
	ea, err := s.DB.Edition(ctx, orgID, a)
	if err != nil {
		return nil, err
	}
	eb, err := s.DB.Edition(ctx, orgID, b)
	if err != nil {
		return nil, err
	}
	ta, err := tableOf(ea, Filter{})
	if err != nil {
		return nil, err
	}
	tb, err := tableOf(eb, Filter{})
	if err != nil {
		return nil, err
	}
	c := &Comparison{A: editionOf(ea), B: editionOf(eb), Rows: []ComparisonRow{}}
	index := map[int64]int{}
	for _, r := range tb.Rows {
		index[r.InstitutionID] = len(c.Rows)
		c.Rows = append(c.Rows, ComparisonRow{InstitutionID: r.InstitutionID, Institution: r.Institution, Country: r.Country, RankB: r.Rank, FollowersB: r.Followers, ShareB: r.Share})
	}
	for _, r := range ta.Rows {
		i, ok := index[r.InstitutionID]
		if !ok {
			i = len(c.Rows)
			c.Rows = append(c.Rows, ComparisonRow{InstitutionID: r.InstitutionID, Institution: r.Institution, Country: r.Country})
		}
		c.Rows[i].RankA, c.Rows[i].FollowersA, c.Rows[i].ShareA = r.Rank, r.Followers, r.Share
	}
	for i := range c.Rows {
		r := &c.Rows[i]
		if r.FollowersA != nil && r.FollowersB != nil {
			r.Change = ptr(*r.FollowersB - *r.FollowersA)
		}
		if r.RankA != nil && r.RankB != nil {
			r.RankChange = ptr(*r.RankA - *r.RankB)
		}
	}
	return c, nil
}

// Reading is a figure entered by hand (or pushed by a collector) for one account.
type Reading struct {
	AccountID    int64
	Date         time.Time
	Followers    *int64
	Posts        *int64
	Views        *int64
	Interactions *int64
	Source       string
	Note         string
}

// Record stores readings of the organization's accounts, all or nothing. A reading
// dated by a day is taken at the start of that day in China.
func (s *Service) Record(ctx context.Context, orgID int64, readings []Reading) (store.SnapshotCounts, error) {
	snaps := make([]*store.AccountSnapshot, len(readings))
	for i, r := range readings {
		src := r.Source
		if src == "" {
			src = store.SourceManual
		}
		snaps[i] = &store.AccountSnapshot{AccountID: r.AccountID, TakenAt: r.Date, Followers: r.Followers, Posts: r.Posts, Views: r.Views, Interactions: r.Interactions, Source: src, Note: r.Note}
	}
	return s.DB.RecordSnapshots(ctx, orgID, snaps)
}
