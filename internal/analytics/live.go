package analytics

import (
	"cmp"
	"context"
	"slices"
	"time"

	"github.com/passerelle-oss/passerelle/internal/store"
)

// LiveVisit is a live visit that started in a period, with its figures (typed or
// imported after the event; nil while unknown). Live visits are reported next to
// posts, not added to the posts' totals: a viewer of a stream is not a post's view.
type LiveVisit struct {
	ID            int64     `json:"id"`
	InstitutionID int64     `json:"institution_id"`
	Title         string    `json:"title"`
	Platform      string    `json:"platform"`
	StartsAt      time.Time `json:"starts_at"`
	PeakViewers   *int64    `json:"peak_viewers"`
	TotalViewers  *int64    `json:"total_viewers"`
	Likes         *int64    `json:"likes"`
	Comments      *int64    `json:"comments"`
	NewFollowers  *int64    `json:"new_followers"`
}

// LiveTotals add up the live visits of a period. WithFigures counts the visits whose
// figures are known; PeakViewers is the highest peak.
type LiveTotals struct {
	Visits       int   `json:"visits"`
	WithFigures  int   `json:"with_figures"`
	TotalViewers int64 `json:"total_viewers"`
	PeakViewers  int64 `json:"peak_viewers"`
	Likes        int64 `json:"likes"`
	Comments     int64 `json:"comments"`
	NewFollowers int64 `json:"new_followers"`
}

// maxLive bounds the visits listed in a summary (a period of at most a few years).
const maxLive = 1000

// live lists the scope's live visits that started in p, in order, with their totals.
func (s *Service) live(ctx context.Context, sc Scope, p Period) ([]LiveVisit, LiveTotals, error) {
	out := []LiveVisit{}
	var t LiveTotals
	if len(sc.InstitutionIDs) == 0 {
		return out, t, nil
	}
	events, err := s.DB.LiveEvents(ctx, store.LiveEventFilter{OrgID: sc.OrgID, InstitutionIDs: sc.InstitutionIDs, From: p.From, To: p.To, Limit: maxLive})
	if err != nil {
		return nil, t, err
	}
	for _, e := range events {
		title := e.TitleZH
		if title == "" {
			title = e.Title
		}
		v := LiveVisit{ID: e.ID, InstitutionID: e.InstitutionID, Title: title, Platform: string(e.Platform), StartsAt: e.StartsAt,
			PeakViewers: e.PeakViewers, TotalViewers: e.TotalViewers, Likes: e.Likes, Comments: e.Comments, NewFollowers: e.NewFollowers}
		out = append(out, v)
		t.Visits++
		if e.FiguresAt != nil {
			t.WithFigures++
		}
		t.TotalViewers += val(e.TotalViewers)
		t.PeakViewers = max(t.PeakViewers, val(e.PeakViewers))
		t.Likes += val(e.Likes)
		t.Comments += val(e.Comments)
		t.NewFollowers += val(e.NewFollowers)
	}
	sortLive(out)
	return out, t, nil
}

func sortLive(v []LiveVisit) {
	slices.SortStableFunc(v, func(a, b LiveVisit) int { return cmp.Or(a.StartsAt.Compare(b.StartsAt), cmp.Compare(a.ID, b.ID)) })
}

// liveSection is the report's table of live visits; nil when the period has none.
func (r *Report) liveSection() *section {
	s := r.Summary
	if len(s.Live) == 0 {
		return nil
	}
	t := r.t
	sec := &section{Name: t("analytics.live.title"), Header: []string{t("analytics.live.visit"), t("analytics.dimension.platform"), t("analytics.live.starts_at"),
		t("analytics.live.peak_viewers"), t("analytics.live.total_viewers"), t("analytics.likes"), t("analytics.comments"), t("analytics.live.new_followers")}}
	for _, v := range s.Live {
		sec.Rows = append(sec.Rows, []string{v.Title, r.key("platform", v.Platform), v.StartsAt.In(Beijing).Format("2006-01-02 15:04"),
			optInt(v.PeakViewers), optInt(v.TotalViewers), optInt(v.Likes), optInt(v.Comments), optInt(v.NewFollowers)})
	}
	lt := s.LiveTotals
	sec.Rows = append(sec.Rows, []string{t("analytics.live.total"), "", "", itoa(lt.PeakViewers), itoa(lt.TotalViewers), itoa(lt.Likes), itoa(lt.Comments), itoa(lt.NewFollowers)})
	return sec
}

// coAuthoredSection is the report's table of co-created posts, own reach beside the
// co-authors'; nil when the period has none.
func (r *Report) coAuthoredSection() *section {
	s := r.Summary
	if len(s.CoAuthored) == 0 {
		return nil
	}
	t := r.t
	sec := &section{Name: t("analytics.coauthored.title"), Header: []string{t("analytics.coauthored.post"), t("analytics.published_at"), t("analytics.coauthored.coauthors"),
		t("analytics.coauthored.own_views"), t("analytics.coauthored.partner_views"), t("analytics.reposts"), t("analytics.likes")}}
	var own, partner int64
	var ownLB, partnerLB bool
	for _, c := range s.CoAuthored {
		sec.Rows = append(sec.Rows, []string{c.Title, c.PublishedAt.In(Beijing).Format("2006-01-02 15:04"), itoa(int64(c.CoAuthors)),
			FormatCount(c.OwnViews, c.OwnLowerBound), FormatCount(c.PartnerViews, c.PartnerLowerBound), itoa(c.PartnerReposts), itoa(c.PartnerLikes)})
		own, partner = own+c.OwnViews, partner+c.PartnerViews
		ownLB, partnerLB = ownLB || c.OwnLowerBound, partnerLB || c.PartnerLowerBound
	}
	sec.Rows = append(sec.Rows, []string{t("analytics.coauthored.total"), "", "", FormatCount(own, ownLB), FormatCount(partner, partnerLB), "", ""})
	return sec
}
