package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/config"
	"github.com/passerelle-oss/passerelle/internal/demo"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// TestDemo boots `serve --demo` and walks the loop a newcomer sees: the demo owner signs
// in, the editorial week is there, the barometer has its 2016 edition, and the
// simulated WeChat account connects and pushes QR code scans that the server stores.
func TestDemo(t *testing.T) {
	t.Parallel()
	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	build := config.Flags(fs, func(string) string { return "" })
	if err := fs.Parse([]string{"--addr", "127.0.0.1:0", "--data", t.TempDir(), "--demo", "--log-level", "error"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := build()
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	m := &Main{Config: cfg, Out: &out}
	ctx := context.Background()
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	if !strings.Contains(out.String(), demo.OwnerEmail) || !strings.Contains(out.String(), demo.Password) {
		t.Fatalf("the demo does not say how to sign in:\n%s", out.String())
	}
	if _, _, _, err := m.Auth.Login(ctx, demo.OwnerEmail, demo.Password, "127.0.0.1", "test"); err != nil {
		t.Fatalf("demo sign-in: %v", err)
	}
	owner, _, _ := m.DB.UserByEmail(ctx, demo.OwnerEmail)
	posts, err := editorial.New(editorial.Options{DB: m.DB, DataDir: cfg.DataDir}).Posts(ctx, owner, editorial.PostQuery{})
	if err != nil || len(posts) != 3 {
		t.Fatalf("demo posts: %d, %v", len(posts), err)
	}
	eds, err := m.DB.Editions(ctx, store.EditionFilter{OrgID: owner.OrgID})
	if err != nil || len(eds) == 0 {
		t.Fatalf("barometer editions: %d %v", len(eds), err)
	}

	// The Orsay WeChat account is connected to the simulator.
	accounts, _ := m.DB.Accounts(ctx, store.AccountFilter{OrgID: owner.OrgID})
	var wx int64
	for _, a := range accounts {
		if a.Handle == "gh_orsay" {
			wx = a.ID
		}
	}
	res, err := m.Connect.Test(ctx, owner, wx, "en")
	if err != nil || !res.OK || !res.CanPublish {
		t.Fatalf("connection test: %+v %v", res, err)
	}
	// A QR code, then three visitors scan it: the pushes reach the callback.
	acc := sim.DemoWeChatAccount("")
	tok := simPost(t, m.Config.WeChatAPI+"/cgi-bin/stable_token", map[string]any{"grant_type": "client_credential", "appid": acc.AppID, "secret": acc.Secret})
	simPost(t, m.Config.WeChatAPI+"/cgi-bin/qrcode/create?access_token="+tok["access_token"].(string), map[string]any{"action_name": "QR_LIMIT_STR_SCENE", "action_info": map[string]any{"scene": map[string]any{"scene_str": "entrance"}}})
	simPost(t, m.Config.WeChatAPI+"/_sim/wechat/scan", map[string]any{"appid": acc.AppID, "scene": "entrance", "new_visitors": 3})
	deadline := time.Now().Add(10 * time.Second)
	for {
		n, err := m.DB.CountWeChatEvents(ctx, wx)
		if err != nil {
			t.Fatal(err)
		}
		if n == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d events stored, want 3", n)
		}
		time.Sleep(50 * time.Millisecond)
	}
	events, _ := m.DB.WeChatEvents(ctx, store.EventFilter{AccountID: wx})
	for _, e := range events {
		if e.Event != "subscribe" || e.Scene != "entrance" {
			t.Fatalf("event %+v", e)
		}
	}
}

func simPost(t *testing.T, url string, body any) map[string]any {
	t.Helper()
	b, _ := json.Marshal(body)
	resp, err := http.Post(url, "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out map[string]any
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
		t.Fatalf("%s: %d %v %v", url, resp.StatusCode, out, err)
	}
	return out
}
