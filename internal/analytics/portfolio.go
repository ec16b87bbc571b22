package analytics

import (
	"context"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// InstitutionFigures is one institution of an organization's portfolio: its totals
// over the period and over the previous one, computed as the institution's own
// summary computes them.
type InstitutionFigures struct {
	InstitutionID int64  `json:"institution_id"`
	Name          string `json:"name"`
	Archived      bool   `json:"archived"`
	Totals
	Previous Totals `json:"previous"`
}

// portfolio splits an organization's rows by institution. rows and prevRows are the
// scope's rows of p and of the period before.
func (s *Service) portfolio(ctx context.Context, sc Scope, insts []*passerelle.Institution, p Period, rows, prevRows []store.AnalyticsRow) ([]InstitutionFigures, error) {
	byInst := func(rs []store.AnalyticsRow) map[int64][]store.AnalyticsRow {
		m := map[int64][]store.AnalyticsRow{}
		for _, r := range rs {
			m[r.InstitutionID] = append(m[r.InstitutionID], r)
		}
		return m
	}
	cur, prev := byInst(rows), byInst(prevRows)
	accounts := map[int64][]*passerelle.Account{}
	for _, a := range sc.Accounts {
		accounts[a.InstitutionID] = append(accounts[a.InstitutionID], a)
	}
	out := make([]InstitutionFigures, 0, len(insts))
	for _, in := range insts {
		isc := Scope{OrgID: sc.OrgID, InstitutionIDs: []int64{in.ID}, Accounts: accounts[in.ID]}
		t, err := s.totals(ctx, isc, p, cur[in.ID])
		if err != nil {
			return nil, err
		}
		pt, err := s.totals(ctx, isc, p.Previous(), prev[in.ID])
		if err != nil {
			return nil, err
		}
		out = append(out, InstitutionFigures{InstitutionID: in.ID, Name: in.Name, Archived: in.ArchivedAt != nil, Totals: t, Previous: pt})
	}
	return out, nil
}
