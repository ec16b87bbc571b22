package api_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/api"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

// The organization's analytics carry the portfolio (each institution against its
// previous period) and the days of the period; an institution's carry the days only.
// Both answers are checked against the OpenAPI document by the client.
func TestOrganizationAnalyticsPortfolio(t *testing.T) {
	engines(t, func(t *testing.T, b *bundle) {
		db := b.db
		api.RegisterAnalytics(b.srv, &analytics.Service{DB: db, Tenancy: &tenancy.Service{DB: db}}, nil)
		ctx := context.Background()
		louvre, orsay := b.institution(b.org, "Louvre"), b.institution(b.org, "Orsay")
		wb := b.account(b.org, louvre.ID, passerelle.Weibo, passerelle.AccountManaged)
		b.account(b.org, orsay.ID, passerelle.Weibo, passerelle.AccountManaged)
		bj := analytics.Beijing
		likes, views, followers := int64(40), int64(900), int64(5000)
		err := db.LoadAudience(ctx, b.org, store.AudienceLoad{
			Posts: []store.AudiencePost{{InstitutionID: louvre.ID, Title: "Nefertiti", Theme: "collection", PublishedAt: time.Date(2026, 11, 3, 10, 0, 0, 0, bj),
				Publications: []store.AudiencePublication{{AccountID: wb.ID, Format: passerelle.FormatPhotoText, PlatformPostID: "9001", URL: "https://weibo.com/1/9001",
					Snapshots: []*store.PublicationSnapshot{{TakenAt: time.Date(2026, 11, 4, 10, 0, 0, 0, bj), Source: store.PubSourceAPI, Views: &views, Likes: &likes}}}}}},
			Followers: []store.AccountSnapshot{{AccountID: wb.ID, TakenAt: time.Date(2026, 11, 2, 0, 0, 0, 0, bj), Followers: &followers}},
		})
		if err != nil {
			t.Fatal(err)
		}
		var org analytics.Summary
		b.api.Do("GET", "/api/v1/analytics/organization?from=2026-11-01&to=2026-11-30", nil).Want(t, 200).JSON(t, &org)
		if len(org.Daily) != 30 || org.Daily[2].Interactions != 40 || org.Daily[0].Followers != nil || org.Daily[1].Followers == nil || *org.Daily[1].Followers != 5000 {
			t.Errorf("daily: %+v", org.Daily[:3])
		}
		by := map[int64]analytics.InstitutionFigures{}
		for _, in := range org.Institutions {
			by[in.InstitutionID] = in
		}
		l, o := by[louvre.ID], by[orsay.ID]
		if len(org.Institutions) != 2 || l.Name != "Louvre" || l.Posts != 1 || l.Interactions != 40 || l.Views != 900 || *l.Followers.End != 5000 || o.Posts != 0 || o.Previous.Posts != 0 {
			t.Errorf("portfolio: %+v", org.Institutions)
		}
		var inst analytics.Summary
		b.api.Do("GET", "/api/v1/analytics/institutions/"+strconv.FormatInt(louvre.ID, 10)+"?from=2026-11-01&to=2026-11-30", nil).Want(t, 200).JSON(t, &inst)
		if inst.Institutions != nil || len(inst.Daily) != 30 {
			t.Errorf("institution: %d days, portfolio %v", len(inst.Daily), inst.Institutions)
		}
	})
}
