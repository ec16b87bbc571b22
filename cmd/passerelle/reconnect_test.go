package main

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/demo"
)

// TestReconnectResumesPublications: the Weibo authorisation expires at the simulator
// before a publication's time, so it waits in needs_reauth; once the account is
// authorised again and its connection test passes, it goes out by itself, once.
func TestReconnectResumesPublications(t *testing.T) {
	t.Parallel()
	m := bootDemoWith(t, 2*time.Second)
	ctx := context.Background()
	owner, _, _ := m.DB.UserByEmail(ctx, demo.OwnerEmail)
	acc := demoAccount(t, m, owner, demoWeiboHandle(t, m, owner))
	const uid = "5012345680"
	weiboReady(t, m, owner, acc, uid)
	simAdmin(t, http.MethodPost, m.Config.WeiboAPI+"/_sim/weibo/expire", map[string]string{"uid": uid})
	ids := scheduleWeibo(t, m, owner, acc, 1, 2*time.Second, "reauth")
	d := waitState(t, m, ids[0], passerelle.DeliveryNeedsReauth, 45*time.Second)
	if d.Publication.LastError == "" {
		t.Fatal("needs_reauth without a reason")
	}

	// A failed test (the token is still the expired one) resumes nothing.
	res, err := m.Connect.Test(ctx, owner, acc.ID, "en")
	if err != nil || res.OK || res.Resumed != 0 {
		t.Fatalf("test with the expired token: %+v %v", res, err)
	}
	time.Sleep(time.Second)
	if d, _ := m.DB.Delivery(ctx, ids[0]); d.Publication.State != passerelle.DeliveryNeedsReauth {
		t.Fatalf("resumed without a working token: %s", d.Publication.State)
	}

	// A new authorisation, then the test a person runs on the connection page.
	weiboReady(t, m, owner, acc, uid)
	res, err = m.Connect.Test(ctx, owner, acc.ID, "en")
	if err != nil || !res.OK || res.Resumed != 1 {
		t.Fatalf("test after reconnection: %+v %v", res, err)
	}
	d = waitState(t, m, ids[0], passerelle.DeliveryPublished, 45*time.Second)
	if got := m.Sim.WeiboStatuses(uid); len(got) != 1 || got[0].IDStr != d.Publication.PlatformPostID {
		t.Fatalf("simulator has %+v, publication %+v", got, d.Publication)
	}
}
