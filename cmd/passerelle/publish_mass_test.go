package main

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/demo"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// massPost writes an approved WeChat article on the demo's verified Orsay account that
// asks for a mass send, and schedules it due in the given time (counted once the post is
// approved); it answers the publication, its instant and the scheduling's error.
func massPost(t *testing.T, m *Main, owner *passerelle.User, wx *passerelle.Account, title string, in time.Duration) (*passerelle.Publication, time.Time, error) {
	t.Helper()
	ctx := context.Background()
	edit := editorial.New(editorial.Options{DB: m.DB, DataDir: m.Config.DataDir})
	yes := true
	p := approvedPost(t, edit, owner, wx, editorial.PublicationInput{MassSend: &yes,
		WeChat: &editorial.ArticleInput{Title: title, Digest: "奥赛博物馆", BodyHTML: "<p>" + title + "</p>", CoverMediaID: demoImage(t, m, owner, wx)}}, title)
	b := p.Publications[0]
	if !b.MassSend || b.Mode != passerelle.ModeAPI {
		t.Fatalf("publication %+v", b)
	}
	due := time.Now().Add(in).Truncate(time.Second)
	if _, err := edit.Schedule(ctx, owner, b.ID, &due); err != nil {
		t.Fatal(err)
	}
	_, err := edit.Transition(ctx, owner, p.ID, passerelle.StatusScheduled, "")
	return b, due, err
}

func orsayReady(t *testing.T, m *Main) (*passerelle.User, *passerelle.Account, string) {
	t.Helper()
	ctx := context.Background()
	owner, _, _ := m.DB.UserByEmail(ctx, demo.OwnerEmail)
	wx := demoAccount(t, m, owner, "gh_orsay")
	if res, err := m.Connect.Test(ctx, owner, wx.ID, "en"); err != nil || !res.CanPublish {
		t.Fatalf("connection test: %+v %v", res, err)
	}
	creds, _ := m.DB.Credentials(ctx, wx.ID)
	return owner, wx, creds["appid"]
}

// TestPublishWeChatMassSend: an article that asks for a mass send goes out at its time
// by message/mass/sendall (not freepublish), once, under the publication's clientmsgid;
// its msg_id and msg_data_id are recorded; a second mass send the same Beijing day on a
// subscription account is refused when it is scheduled.
func TestPublishWeChatMassSend(t *testing.T) {
	t.Parallel()
	m := bootDemo(t)
	ctx := context.Background()
	owner, wx, appID := orsayReady(t, m)
	b, due, err := massPost(t, m, owner, wx, "莫奈的睡莲", 8*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	d := waitState(t, m, b.ID, passerelle.DeliveryPublished, 90*time.Second)
	sent, err := m.Sim.WeChatMassSends(appID)
	if err != nil || len(sent) != 1 {
		t.Fatalf("mass sends at the simulator: %+v %v", sent, err)
	}
	if sent[0].ClientMsgID != passerelle.MassClientMsgID(b.ID) || sent[0].SentAt.Before(due) {
		t.Fatalf("mass send %+v (due %v)", sent[0], due)
	}
	if d.Ref["msg_id"] != sent[0].MsgID || d.Ref["msg_data_id"] != sent[0].MsgDataID || d.Publication.PlatformPostID != sent[0].MsgDataID {
		t.Fatalf("publication %+v ref %v, simulator %+v", d.Publication, d.Ref, sent[0])
	}
	if arts, _ := m.Sim.WeChatArticles(appID); len(arts) != 0 {
		t.Fatalf("also published by freepublish: %+v", arts)
	}
	rec, err := m.DB.PublicationMassSend(ctx, b.ID)
	if err != nil || rec.State != store.MassSent || rec.MsgID != sent[0].MsgID {
		t.Fatalf("mass-send record %+v %v", rec, err)
	}
	u, err := m.DB.MassQuota(ctx, wx.ID, due, 0)
	if err != nil || u.Limit != 1 || u.Sent != 1 || u.Left() != 0 {
		t.Fatalf("quota %+v %v", u, err)
	}

	// The day's mass send is taken: another one that day is refused when scheduled.
	if time.Until(passerelle.MassQuota(passerelle.WeChatSubscription, time.Now()).To) < 15*time.Minute {
		t.Log("too close to midnight in Beijing to schedule a second send the same day")
		return
	}
	_, _, err = massPost(t, m, owner, wx, "德加的舞者", 10*time.Minute)
	if !errors.Is(err, store.ErrMassQuota) || passerelle.ErrorCode(err) != passerelle.ECONFLICT {
		t.Fatalf("a second mass send the same day: %v", err)
	}
}

// TestPublishWeChatMassSendLostAnswer: sendall is applied but its answer lost; the
// send is repeated under the same clientmsgid, WeChat answers 45065 with the first
// send's ids, and the publication ends published: one mass send, never two.
func TestPublishWeChatMassSendLostAnswer(t *testing.T) {
	t.Parallel()
	m := bootDemoWith(t, 2*time.Second)
	ctx := context.Background()
	owner, wx, appID := orsayReady(t, m)
	simAdmin(t, http.MethodPost, m.Config.WeChatAPI+"/_sim/faults", sim.Fault{Path: "/cgi-bin/message/mass/sendall", LostResponseRate: 1, Count: 1})
	b, _, err := massPost(t, m, owner, wx, "莫奈的睡莲", 8*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	d := waitState(t, m, b.ID, passerelle.DeliveryPublished, 90*time.Second)
	sent, _ := m.Sim.WeChatMassSends(appID)
	if len(sent) != 1 || d.Ref["msg_id"] != sent[0].MsgID || d.Ref["duplicate"] != "1" {
		t.Fatalf("simulator %+v, publication ref %v", sent, d.Ref)
	}
	attempts, _ := m.DB.Attempts(ctx, b.ID)
	if len(attempts) != 2 || attempts[0].Outcome != passerelle.OutcomeRetry || attempts[1].Ref["msg_id"] != sent[0].MsgID {
		for _, a := range attempts {
			t.Logf("attempt %+v", *a)
		}
		t.Fatalf("%d attempts", len(attempts))
	}
}

// TestPublishWeChatMassSendOverQuota: the day's mass send was made in the WeChat
// console; WeChat refuses the publication's with 45028, which fails with the reason
// (not retried the next day), and the reservation is released.
func TestPublishWeChatMassSendOverQuota(t *testing.T) {
	t.Parallel()
	m := bootDemo(t)
	ctx := context.Background()
	owner, wx, appID := orsayReady(t, m)
	if _, err := m.Sim.ConsoleMassSend(appID, "console"); err != nil {
		t.Fatal(err)
	}
	b, _, err := massPost(t, m, owner, wx, "莫奈的睡莲", 8*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	d := waitState(t, m, b.ID, passerelle.DeliveryFailed, 90*time.Second)
	if d.Publication.LastError == "" || d.Publication.Attempts != 1 {
		t.Fatalf("failed %+v", d.Publication)
	}
	if sent, _ := m.Sim.WeChatMassSends(appID); len(sent) != 1 || sent[0].ClientMsgID != "" {
		t.Fatalf("simulator %+v", sent)
	}
	if rec, err := m.DB.PublicationMassSend(ctx, b.ID); err != nil || rec.State != store.MassFailed {
		t.Fatalf("record %+v %v", rec, err)
	}
}
