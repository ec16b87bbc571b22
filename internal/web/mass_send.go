package web

import (
	"context"
	"time"

	"github.com/passerelle-oss/passerelle"
)

// massQuotaView is what the post form says under a WeChat publication's mass-send
// option: how many mass sends the account has left in the quota window of the
// publication's time (its own not counted), of how many, and when the quota renews
// (Beijing time, as WeChat counts).
type massQuotaView struct {
	Limit, Left int
	Service     bool
	Renews      string
}

// massQuotas computes the view for each WeChat account of the form; an account whose
// quota cannot be read shows none.
func (h *handler) massQuotas(ctx context.Context, p *postPage) map[int64]massQuotaView {
	out := map[int64]massQuotaView{}
	now := h.Now()
	for _, a := range p.Accounts {
		if a.Platform != passerelle.WeChat {
			continue
		}
		at, except := now, int64(0)
		if p.Post != nil {
			for _, b := range p.Post.Publications {
				if b.AccountID == a.ID {
					except = b.ID
					if b.ScheduledAt != nil && b.ScheduledAt.After(now) {
						at = *b.ScheduledAt
					}
				}
			}
		}
		u, err := h.Publish.MassQuotaOf(ctx, a.ID, at, except)
		if err != nil {
			continue
		}
		out[a.ID] = massQuotaView{Limit: u.Limit, Left: u.Left(), Service: u.Limit > 1,
			Renews: u.To.In(beijingTime).Format("2006-01-02 15:04")}
	}
	return out
}

var beijingTime = time.FixedZone("CST", 8*60*60)
