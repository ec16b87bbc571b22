package analytics

import (
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

// portfolio is each institution's totals over p and over the period before, from cur
// and prev, each period's publications added up per institution
// (AnalyticsInstitutionTotals), and figs and prevFigs, every account's follower and
// cadence figures of the two periods (the organization summary's).
func portfolio(sc Scope, insts []*passerelle.Institution, p Period, cur, prev map[int64]store.AnalyticsCell, figs, prevFigs accountFigures) []InstitutionFigures {
	prevP := p.Previous()
	cells := func(m map[int64]store.AnalyticsCell, id int64) []store.AnalyticsCell {
		if c, ok := m[id]; ok {
			return []store.AnalyticsCell{c}
		}
		return nil
	}
	accounts := map[int64][]*passerelle.Account{}
	for _, a := range sc.Accounts {
		accounts[a.InstitutionID] = append(accounts[a.InstitutionID], a)
	}
	out := make([]InstitutionFigures, 0, len(insts))
	for _, in := range insts {
		isc := Scope{OrgID: sc.OrgID, InstitutionIDs: []int64{in.ID}, Accounts: accounts[in.ID]}
		out = append(out, InstitutionFigures{InstitutionID: in.ID, Name: in.Name, Archived: in.ArchivedAt != nil,
			Totals: figs.totals(isc, p, cells(cur, in.ID)), Previous: prevFigs.totals(isc, prevP, cells(prev, in.ID))})
	}
	return out
}
