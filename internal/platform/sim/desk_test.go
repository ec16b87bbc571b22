package sim

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
)

// TestMenuAndCustomMessages: menu/create checks WeChat's limits and menu/get reads it
// back; message/custom/send is accepted within 48 hours of the follower's last
// interaction and answered 45015 after.
func TestMenuAndCustomMessages(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	tok := b.wxToken(t, testAppID, testWxSecret)
	if code := b.wxErr(t, "/cgi-bin/menu/get", tok, nil); code != 46003 {
		t.Fatalf("menu/get before any menu: %d", code)
	}
	for body, want := range map[string]int{
		`{"button": [{"type": "click", "name": "开放时间", "key": "hours"}]}`: 0,
		`{"button": []}`: 40016,
		`{"button": [{"type": "click", "name": "开放时间开放", "key": "k"}]}`:             40018,
		`{"button": [{"type": "teleport", "name": "a"}]}`:                           40017,
		`{"button": [{"type": "view", "name": "a", "url": "javascript:alert(1)"}]}`: 40054,
	} {
		var r struct {
			ErrCode int `json:"errcode"`
		}
		b.wxCall(t, "/cgi-bin/menu/create", map[string][]string{"access_token": {tok}}, json.RawMessage(body), &r)
		if r.ErrCode != want {
			t.Errorf("%s: %d, want %d", body, r.ErrCode, want)
		}
	}
	var menu struct {
		Menu struct {
			Button []struct {
				Name string `json:"name"`
			} `json:"button"`
		} `json:"menu"`
	}
	b.wxCall(t, "/cgi-bin/menu/get", map[string][]string{"access_token": {tok}}, nil, &menu)
	if len(menu.Menu.Button) != 1 || menu.Menu.Button[0].Name != "开放时间" {
		t.Fatalf("menu/get %+v", menu)
	}
	// menu/delete removes it; a second delete is ok as well.
	for range 2 {
		if code := b.wxErr(t, "/cgi-bin/menu/delete", tok, nil); code != 0 {
			t.Fatalf("menu/delete: %d", code)
		}
		if code := b.wxErr(t, "/cgi-bin/menu/get", tok, nil); code != 46003 {
			t.Fatalf("menu/get after menu/delete: %d", code)
		}
	}

	res, err := b.sim.Scan(ScanRequest{AppID: testAppID, Scene: "x", NewVisitors: 1})
	if err == nil || res.Subscribed != nil {
		// No code with this scene: scanning needs one.
		t.Fatalf("scan without a code: %v", err)
	}
	// A follower who wrote (simulated through a callback that answers success).
	cb := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, "success")
	}))
	t.Cleanup(cb.Close)
	acct := DemoWeChatAccount(cb.URL)
	if err := b.sim.AddWeChatAccount(acct); err != nil {
		t.Fatal(err)
	}
	dtok := b.wxToken(t, acct.AppID, acct.Secret)
	if _, err := b.sim.Message(context.Background(), MessageRequest{AppID: acct.AppID, OpenID: "oWriter", Text: "你好"}); err != nil {
		t.Fatal(err)
	}
	send := map[string]any{"touser": "oWriter", "msgtype": "text", "text": map[string]string{"content": "您好"}}
	if code := b.wxErr(t, "/cgi-bin/message/custom/send", dtok, send); code != 0 {
		t.Fatalf("within the window: %d", code)
	}
	b.clock.Advance(48*time.Hour + time.Minute)
	dtok = b.wxToken(t, acct.AppID, acct.Secret)
	if code := b.wxErr(t, "/cgi-bin/message/custom/send", dtok, send); code != wechat.CodeReplyWindow {
		t.Fatalf("after the window: %d, want 45015", code)
	}
	if code := b.wxErr(t, "/cgi-bin/message/custom/send", dtok, map[string]any{"touser": "oStranger", "msgtype": "text", "text": map[string]string{"content": "x"}}); code != 40003 {
		t.Fatalf("unknown follower: %d", code)
	}
	if got := b.sim.CustomMessages(acct.AppID); len(got) != 1 || got[0].Text != "您好" {
		t.Fatalf("accepted %+v", got)
	}
}

// TestFollowerBeforeTheSimulation: a follower the demo seeds is known to WeChat from
// their last interaction: message/custom/send accepts them within 48 hours of it,
// not after, and a bad call changes nothing.
func TestFollowerBeforeTheSimulation(t *testing.T) {
	t.Parallel()
	b := setup(t, nil)
	acct := DemoWeChatAccount("http://127.0.0.1:1/callback")
	if err := b.sim.AddWeChatAccount(acct); err != nil {
		t.Fatal(err)
	}
	now := b.sim.Now()
	if err := b.sim.Follower("wxunknown", "oRecent", now); err == nil {
		t.Fatal("a follower of an unknown account")
	}
	if err := b.sim.Follower(acct.AppID, "", now); err == nil {
		t.Fatal("a follower without an openid")
	}
	if err := b.sim.Follower(acct.AppID, "oRecent", now.Add(-3*time.Hour)); err != nil {
		t.Fatal(err)
	}
	// An older interaction does not move the window back.
	if err := b.sim.Follower(acct.AppID, "oRecent", now.Add(-100*time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := b.sim.Follower(acct.AppID, "oOld", now.Add(-72*time.Hour)); err != nil {
		t.Fatal(err)
	}
	tok := b.wxToken(t, acct.AppID, acct.Secret)
	for openID, want := range map[string]int{"oRecent": 0, "oOld": wechat.CodeReplyWindow, "oStranger": 40003} {
		send := map[string]any{"touser": openID, "msgtype": "text", "text": map[string]string{"content": "您好"}}
		if code := b.wxErr(t, "/cgi-bin/message/custom/send", tok, send); code != want {
			t.Errorf("%s: %d, want %d", openID, code, want)
		}
	}
}
