package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// RelayedOnWeibo makes the demo's relayed Weibo post one the running collector reads,
// on every start of the demo (the simulator forgets everything when it stops): the
// partner's post is published in the simulator, the relay points at it, and the
// campaign institution's Weibo account is authorised on the demo's Weibo app, whose
// level lets statuses/count read other accounts' posts (sim's counts_any_account). The
// relay's address is dated 90 minutes back at the first start so that its first
// collection slot (1 h) is due when the collection runs at start: the campaign page
// then says its reposts, comments and likes were collected from Weibo, views typed.
// Nothing waits here; the collection is the job's.
func RelayedOnWeibo(ctx context.Context, db *store.DB, s *sim.Simulator, app sim.WeiboApp, orgID int64) error {
	owner, _, err := db.UserByEmail(ctx, OwnerEmail)
	if err != nil {
		return err
	}
	cs, err := db.Campaigns(ctx, store.CampaignFilter{OrgID: orgID, Limit: 1})
	if err != nil || len(cs) == 0 {
		return err
	}
	c, err := db.Campaign(ctx, orgID, cs[0].ID)
	if err != nil {
		return err
	}
	var relay *passerelle.Relay
	for i := range c.Relays {
		if c.Relays[i].Status == passerelle.RelayRelayed && c.Relays[i].PartnerName == "微博艺术" {
			relay = &c.Relays[i]
		}
	}
	if relay == nil {
		return nil // changed by someone trying the demo
	}
	accounts, err := db.Accounts(ctx, store.AccountFilter{OrgID: orgID})
	if err != nil {
		return err
	}
	var acc *passerelle.Account
	for _, a := range accounts {
		if a.InstitutionID == c.InstitutionID && a.Platform == passerelle.Weibo && a.Kind == passerelle.AccountManaged && a.ArchivedAt == nil {
			acc = a
			break
		}
	}
	if acc == nil {
		return nil
	}
	uid, err := s.AddWeiboAccount(acc.DisplayName)
	if err != nil {
		return fmt.Errorf("demo relay: %w", err)
	}
	tok, err := s.IssueWeiboToken(app.ClientID, uid)
	if err != nil {
		return fmt.Errorf("demo relay: %w", err)
	}
	if err := db.SetCredentials(ctx, orgID, acc.ID, map[string]string{"app_key": app.ClientID, "app_secret": app.ClientSecret, "safe_domain": app.SafeDomain, "access_token": tok.AccessToken}); err != nil {
		return fmt.Errorf("demo relay: %w", err)
	}
	partner, err := s.AddWeiboAccount(relay.PartnerName)
	if err != nil {
		return fmt.Errorf("demo relay: %w", err)
	}
	id, err := s.AddWeiboStatusAt(partner, "转发：凡尔赛宫的镜厅，光影与历史。", s.Now().Add(-26*time.Hour))
	if err != nil {
		return fmt.Errorf("demo relay: %w", err)
	}
	back := time.Now().Add(-90 * time.Minute)
	svc := partners.New(partners.Options{DB: db, Now: func() time.Time { return back }})
	url := "https://m.weibo.cn/status/" + id
	if _, err := svc.UpdateRelay(ctx, owner, c.ID, relay.PartnerID, partners.RelayInput{URL: &url}); err != nil {
		return fmt.Errorf("demo relay: %w", err)
	}
	return nil
}
