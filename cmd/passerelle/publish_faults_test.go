package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/demo"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// simAdmin sends a JSON body to a simulator admin endpoint and fails on an error.
func simAdmin(t *testing.T, method, url string, body any) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %d", method, url, resp.StatusCode)
	}
}

// weiboReady authorises the demo's managed Weibo account on the simulator, as the OAuth
// flow would: a token for the app's uid, stored sealed, and a connection that can publish.
func weiboReady(t *testing.T, m *Main, owner *passerelle.User, acc *passerelle.Account, uid string) {
	t.Helper()
	ctx := context.Background()
	// An app of its own that lets a test post several times a second.
	app := sim.WeiboApp{ClientID: "34900" + uid, ClientSecret: "secret-" + uid, SafeDomain: "127.0.0.1", MinShareIntervalSeconds: -1, SharesPerHour: -1}
	simAdmin(t, http.MethodPost, m.Config.WeiboAPI+"/_sim/weibo/apps", app)
	tok, err := m.Sim.IssueWeiboToken(app.ClientID, uid)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.DB.SetCredentials(ctx, owner.OrgID, acc.ID, map[string]string{"app_key": app.ClientID, "app_secret": app.ClientSecret, "access_token": tok.AccessToken}); err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(30 * 24 * time.Hour)
	if err := m.DB.SaveConnection(ctx, &store.Connection{AccountID: acc.ID, Status: "ok", DiagnosisKey: "ok", CanPublish: true, PlatformUID: uid, TokenExpiresAt: &exp}); err != nil {
		t.Fatal(err)
	}
}

// scheduleWeibo writes, approves and schedules n short Weibo link posts, each due lead
// after it is scheduled (a slow machine writes them slowly).
func scheduleWeibo(t *testing.T, m *Main, owner *passerelle.User, acc *passerelle.Account, n int, lead time.Duration, tag string) []int64 {
	t.Helper()
	edit := editorial.New(editorial.Options{DB: m.DB, DataDir: m.Config.DataDir})
	var ids []int64
	var posts []*passerelle.Post
	for i := range n {
		text := fmt.Sprintf("卢浮宫的船 %s%d %s/barometer", tag, i, m.URL())
		p := approvedPost(t, edit, owner, acc, editorial.PublicationInput{}, text)
		if b := p.Publications[0]; b.Mode != passerelle.ModeAPI {
			t.Fatalf("mode %s: %s", b.Mode, b.ModeReason)
		}
		posts = append(posts, p)
	}
	for _, p := range posts {
		scheduleIn(t, edit, owner, p, lead)
		ids = append(ids, p.Publications[0].ID)
	}
	return ids
}

// scheduleIn gives the post's one publication a time lead from now (truncated to the
// second, as Schedule does) and schedules the post; it returns that time. Under -race
// on a busy machine the two writes can outlast a short lead: the post is then refused
// as due in the past, and scheduled again at a new time rather than failing a test of
// what happens after.
func scheduleIn(t *testing.T, edit *editorial.Service, owner *passerelle.User, p *passerelle.Post, lead time.Duration) time.Time {
	t.Helper()
	ctx := context.Background()
	b := p.Publications[0]
	for try := 1; ; try++ {
		due := time.Now().Add(lead).Truncate(time.Second)
		_, err := edit.Schedule(ctx, owner, b.ID, &due)
		if err == nil {
			_, err = edit.Transition(ctx, owner, p.ID, passerelle.StatusScheduled, "")
		}
		if err == nil {
			return due
		}
		if try == 5 || !time.Now().After(due) {
			t.Fatal(err)
		}
		t.Logf("scheduling took more than %v (%v); again", lead, err)
	}
}

// TestPublishWeiboLostAnswerFoundOnce: the share is applied but its answer lost; the
// publication goes to needs_check, and the reconciler finds the post in the account's
// timeline instead of sending it again.
func TestPublishWeiboLostAnswerFoundOnce(t *testing.T) {
	t.Parallel()
	m := bootDemoWith(t, 2*time.Second)
	ctx := context.Background()
	owner, _, _ := m.DB.UserByEmail(ctx, demo.OwnerEmail)
	acc := demoAccount(t, m, owner, demoWeiboHandle(t, m, owner))
	const uid = "5012345678"
	weiboReady(t, m, owner, acc, uid)
	simAdmin(t, http.MethodPost, m.Config.WeiboAPI+"/_sim/faults", sim.Fault{Path: "/2/statuses/share.json", LostResponseRate: 1, Count: 1})
	ids := scheduleWeibo(t, m, owner, acc, 1, 2*time.Second, "lost")
	d := waitState(t, m, ids[0], passerelle.DeliveryPublished, 45*time.Second)
	if got := m.Sim.WeiboStatuses(uid); len(got) != 1 || got[0].IDStr != d.Publication.PlatformPostID {
		t.Fatalf("simulator has %+v, publication %+v", got, d.Publication)
	}
	attempts, _ := m.DB.Attempts(ctx, ids[0])
	if len(attempts) != 1 {
		t.Fatalf("attempts %+v", attempts)
	}
}

// TestPublishUnderFaults publishes a batch through error rates, lost answers, timeouts,
// a rate-limit burst and a token expiry mid-run. Every publication ends published
// exactly once at the simulator, failed, or in needs_check with its reason: nothing is
// lost, nothing is duplicated.
func TestPublishUnderFaults(t *testing.T) {
	t.Parallel()
	m := bootDemoWith(t, time.Second)
	ctx := context.Background()
	owner, _, _ := m.DB.UserByEmail(ctx, demo.OwnerEmail)
	acc := demoAccount(t, m, owner, demoWeiboHandle(t, m, owner))
	const uid = "5012345679"
	weiboReady(t, m, owner, acc, uid)
	simAdmin(t, http.MethodPost, m.Config.WeiboAPI+"/_sim/faults", []sim.Fault{
		{Path: "/2/statuses/share.json", ErrorRate: 0.15, LostResponseRate: 0.15, TimeoutRate: 0.1, ServerErrorRate: 0.1},
		{Path: "/2/statuses/user_timeline.json", ErrorRate: 0.2},
	})
	ids := scheduleWeibo(t, m, owner, acc, 10, 8*time.Second, "fault")

	// The authorisation ends mid-run: publications wait for it, then resume.
	time.Sleep(9 * time.Second)
	simAdmin(t, http.MethodPost, m.Config.WeiboAPI+"/_sim/weibo/expire", map[string]string{"uid": uid})
	time.Sleep(2 * time.Second)
	weiboReady(t, m, owner, acc, uid)
	if err := m.Publish.Resume(ctx, acc.ID); err != nil {
		t.Fatal(err)
	}

	deadline := time.Now().Add(90 * time.Second)
	var final map[int64]*store.Delivery
	for {
		final = map[int64]*store.Delivery{}
		for _, id := range ids {
			d, err := m.DB.Delivery(ctx, id)
			if err != nil {
				t.Fatal(err)
			}
			switch d.Publication.State {
			case passerelle.DeliveryPublished, passerelle.DeliveryFailed:
				final[id] = d
			case passerelle.DeliveryNeedsCheck, passerelle.DeliveryNeedsReauth:
				if d.Publication.LastError == "" {
					t.Fatalf("publication %d in %s without a reason", id, d.Publication.State)
				}
			}
		}
		if len(final) == len(ids) || time.Now().After(deadline) {
			break
		}
		// Resume what the expiry caught after the new token was stored.
		if err := m.Publish.Resume(ctx, acc.ID); err != nil {
			t.Fatal(err)
		}
		time.Sleep(200 * time.Millisecond)
	}
	statuses := m.Sim.WeiboStatuses(uid)
	seen := map[string]int{}
	for _, st := range statuses {
		seen[st.Text]++
		if seen[st.Text] > 1 {
			t.Fatalf("published twice: %q", st.Text)
		}
	}
	published := 0
	for _, id := range ids {
		d, _ := m.DB.Delivery(ctx, id)
		switch d.Publication.State {
		case passerelle.DeliveryPublished:
			published++
			found := false
			for _, st := range statuses {
				found = found || st.IDStr == d.Publication.PlatformPostID
			}
			if !found {
				t.Fatalf("publication %d says published as %s, which the simulator does not have", id, d.Publication.PlatformPostID)
			}
		case passerelle.DeliveryFailed, passerelle.DeliveryNeedsCheck:
			if d.Publication.LastError == "" {
				t.Fatalf("publication %d %s without a reason", id, d.Publication.State)
			}
		default:
			t.Fatalf("publication %d left in %s (%s)", id, d.Publication.State, d.Publication.LastError)
		}
	}
	if published != len(statuses) {
		t.Fatalf("%d publications published, the simulator has %d posts", published, len(statuses))
	}
	t.Logf("%d of %d published under faults", published, len(ids))
}

func bootDemoWith(t *testing.T, platformTimeout time.Duration) *Main {
	t.Helper()
	return bootDemoTuned(t, func(m *Main) { m.PlatformTimeout, m.RetryBase = platformTimeout, 300*time.Millisecond })
}

// TestPublishRateLimitedWaitsForReset: a rate-limit answer puts the publication back
// on the schedule at the platform's reset, with the reason; it is not hammered.
func TestPublishRateLimitedWaitsForReset(t *testing.T) {
	t.Parallel()
	m := bootDemoWith(t, time.Second)
	ctx := context.Background()
	owner, _, _ := m.DB.UserByEmail(ctx, demo.OwnerEmail)
	acc := demoAccount(t, m, owner, demoWeiboHandle(t, m, owner))
	const uid = "5012345680"
	weiboReady(t, m, owner, acc, uid)
	simAdmin(t, http.MethodPost, m.Config.WeiboAPI+"/_sim/faults", sim.Fault{Path: "/2/statuses/share.json", RateLimitBurst: 1})
	ids := scheduleWeibo(t, m, owner, acc, 1, 2*time.Second, "limit")
	deadline := time.Now().Add(20 * time.Second)
	for {
		d, err := m.DB.Delivery(ctx, ids[0])
		if err != nil {
			t.Fatal(err)
		}
		if d.Publication.Attempts == 1 && d.Publication.State == passerelle.DeliveryScheduled {
			if d.Publication.LastError == "" {
				t.Fatal("no reason kept")
			}
			time.Sleep(3 * time.Second)
			if d2, _ := m.DB.Delivery(ctx, ids[0]); d2.Publication.Attempts != 1 || d2.Publication.State != passerelle.DeliveryScheduled {
				t.Fatalf("tried again before the reset: %+v", d2.Publication)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("publication is %s after %d attempts (%s)", d.Publication.State, d.Publication.Attempts, d.Publication.LastError)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
