package main

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/demo"
	"github.com/passerelle-oss/passerelle/internal/partners"
)

// TestDemoRelayCollected: the demo's relayed Weibo post is a post of the simulator,
// read by the collection that runs at start through the campaign institution's Weibo
// account (the demo's app reads other accounts' posts): its reposts, comments and likes
// are collected from Weibo, its typed views stay. (That the start does not wait for it
// is by construction: demo.RelayedOnWeibo only prepares; bench/startup times starts.)
func TestDemoRelayCollected(t *testing.T) {
	t.Parallel()
	m := bootDemo(t)
	ctx := context.Background()
	owner, _, err := m.DB.UserByEmail(ctx, demo.OwnerEmail)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := m.Partners.Campaigns(ctx, owner, partners.CampaignQuery{})
	if err != nil || len(cs) != 1 {
		t.Fatalf("demo campaigns %d %v", len(cs), err)
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := m.Partners.Campaign(ctx, owner, cs[0].ID)
		if err != nil {
			t.Fatal(err)
		}
		var r passerelle.Relay
		for _, x := range c.Relays {
			if x.Status == passerelle.RelayRelayed {
				r = x
			}
		}
		if r.CollectedAt != nil {
			if r.FiguresSource != passerelle.FiguresAPI || r.Reposts == nil || r.Likes == nil || r.Comments == nil || r.Views == nil || *r.Views != 184_000 ||
				!strings.HasPrefix(r.URL, "https://m.weibo.cn/status/") || r.MissedAt != nil {
				t.Fatalf("collected relay %+v", r)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the demo's relay was not collected: %+v", r)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
