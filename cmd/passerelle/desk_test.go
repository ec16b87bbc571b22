package main

import (
	"bytes"
	"context"
	"fmt"
	"image/png"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/api/apitest"
	"github.com/passerelle-oss/passerelle/internal/demo"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// deskDemo is the service desk of the demo: its verified WeChat account in safe mode
// (pushing to the server), and an API client with a token of the owner's.
type deskDemo struct {
	m     *Main
	owner *passerelle.User
	wx    *passerelle.Account
	c     *apitest.API
	appID string // the account's in the simulator
	inst  string // the API path of the account's institution
	acct  string // the API path of the account
}

// bootDesk boots the demo and creates the owner's API token named token.
func bootDesk(t *testing.T, token string) *deskDemo {
	t.Helper()
	// The loop builds the desk from nothing (the demo seeds one otherwise).
	m := bootDemoTuned(t, func(m *Main) { m.EmptyDemoDesk = true })
	ctx := context.Background()
	owner, _, err := m.DB.UserByEmail(ctx, demo.OwnerEmail)
	if err != nil {
		t.Fatal(err)
	}
	wx := demoAccount(t, m, owner, "gh_orsay")
	secret, _, err := m.Auth.CreateToken(ctx, owner.ID, token, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &deskDemo{m: m, owner: owner, wx: wx, c: apitest.New(t).API(t, m.URL(), secret), appID: sim.DemoWeChatAccount("").AppID,
		inst: fmt.Sprintf("/api/v1/institutions/%d", wx.InstitutionID), acct: fmt.Sprintf("/api/v1/accounts/%d", wx.ID)}
}

// TestServiceDeskLoop drives the service desk through the API on the demo (its
// verified WeChat account in safe mode, pushing to the server): a placement and its
// QR code, visitors scanning it in the simulator, the follows counted, a keyword
// reply answered as an encrypted passive reply, a menu pushed and its click answered,
// the visitor's message in the inbox answered through the customer-service API, and
// refused after the 48-hour window. Every exchange is checked against the OpenAPI
// document.
func TestServiceDeskLoop(t *testing.T) {
	t.Parallel()
	d := bootDesk(t, "desk")
	m, owner, wx, c, appID, inst, acct := d.m, d.owner, d.wx, d.c, d.appID, d.inst, d.acct
	ctx := context.Background()

	// A placement: its permanent code is created through the connector.
	var p struct {
		ID    int64  `json:"id"`
		Key   string `json:"key"`
		Scene string `json:"scene"`
		QRURL string `json:"qr_url"`
	}
	c.Do("POST", inst+"/placements", map[string]any{"account_id": wx.ID, "name": "Entrance hall", "key": "entrance", "welcome_text": "欢迎！"}).Want(t, http.StatusCreated).JSON(t, &p)
	if p.Key != "entrance" || p.Scene != "entrance" || !strings.HasPrefix(p.QRURL, "http://weixin.qq.com/q/") {
		t.Fatalf("placement %+v", p)
	}
	// Bad input names the field and changes nothing.
	for body, field := range map[string]string{
		`{"account_id": %d, "name": "Again", "key": "entrance"}`:                       "key",
		`{"account_id": %d, "name": "Bad", "key": "hall 1"}`:                           "key",
		`{"account_id": %d, "name": "Long", "key": "` + strings.Repeat("k", 65) + `"}`: "key",
		`{"account_id": %d, "name": "", "key": "desk"}`:                                "name",
		`{"account_id": 999999%d, "name": "Desk", "key": "desk"}`:                      "account_id",
	} {
		e := c.Do("POST", inst+"/placements", fmt.Sprintf(body, wx.ID)).Want(t, http.StatusUnprocessableEntity).Err(t)
		if e.Error.Fields[field] == "" {
			t.Errorf("%s: fields %v, want %s", body, e.Error.Fields, field)
		}
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	c.Do("GET", inst+"/placements", nil).Want(t, http.StatusOK).JSON(t, &list)
	if len(list.Items) != 1 {
		t.Fatalf("placements %v", list.Items)
	}
	// The printable codes.
	r := c.Do("GET", fmt.Sprintf("/api/v1/placements/%d/qr.png", p.ID), nil).Want(t, http.StatusOK)
	if _, err := png.Decode(bytes.NewReader(r.Body)); err != nil || r.Header.Get("Content-Type") != "image/png" {
		t.Fatalf("qr.png: %v %s", err, r.Header.Get("Content-Type"))
	}
	r = c.Do("GET", fmt.Sprintf("/api/v1/placements/%d/qr.svg", p.ID), nil).Want(t, http.StatusOK)
	if !bytes.HasPrefix(r.Body, []byte("<svg")) {
		t.Fatalf("qr.svg: %.80s", r.Body)
	}
	// The printable sheets: one PDF page of the asked size, its texts in the standard
	// Chinese font (internal/desk's tests read the document in full).
	for query, box := range map[string]string{"": "/MediaBox [0 0 595.28 841.89]", "?size=a4": "/MediaBox [0 0 595.28 841.89]", "?size=a6": "/MediaBox [0 0 297.64 419.53]"} {
		r = c.Do("GET", fmt.Sprintf("/api/v1/placements/%d/sheet.pdf%s", p.ID, query), nil).Want(t, http.StatusOK)
		if !bytes.HasPrefix(r.Body, []byte("%PDF-1.")) || !bytes.Contains(r.Body, []byte(box)) || !bytes.Contains(r.Body, []byte("/STSong-Light")) || r.Header.Get("Content-Type") != "application/pdf" {
			t.Fatalf("sheet.pdf%s: %s %.200q", query, r.Header.Get("Content-Type"), r.Body)
		}
	}
	if e := c.Do("GET", fmt.Sprintf("/api/v1/placements/%d/sheet.pdf?size=letter", p.ID), nil).Want(t, http.StatusUnprocessableEntity).Err(t); e.Error.Fields["size"] == "" {
		t.Fatalf("sheet.pdf?size=letter: fields %v", e.Error.Fields)
	}

	// Visitors scan the code: three follow, two already followed.
	res, err := m.Sim.Scan(sim.ScanRequest{AppID: appID, Scene: "entrance", NewVisitors: 3, ReturningVisitors: 2})
	if err != nil {
		t.Fatal(err)
	}
	today := time.Now().In(time.FixedZone("CST", 8*3600)).Format(time.DateOnly)
	var stats struct {
		Items []struct {
			PlacementID    *int64  `json:"placement_id"`
			Key            *string `json:"key"`
			Scans          int64   `json:"scans"`
			NewFollows     int64   `json:"new_follows"`
			ReturningScans int64   `json:"returning_scans"`
		} `json:"items"`
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		c.Do("GET", inst+"/placements/stats?from="+today+"&to="+today, nil).Want(t, http.StatusOK).JSON(t, &stats)
		if len(stats.Items) == 1 && stats.Items[0].NewFollows == 3 && stats.Items[0].ReturningScans == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("stats %+v", stats)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if s := stats.Items[0]; s.Scans != 5 || *s.Key != "entrance" || *s.PlacementID != p.ID {
		t.Fatalf("stats %+v", s)
	}
	c.Do("GET", inst+"/placements/stats?from=2026-13-01&to="+today, nil).Want(t, http.StatusUnprocessableEntity)

	// A keyword reply, answered to the visitor's message as an encrypted passive reply
	// (the simulator verifies and decrypts it as WeChat does).
	const answer = "奥赛博物馆开放时间：周二至周日 9:30–18:00，周四延长至 21:45。"
	c.Do("POST", acct+"/replies", map[string]any{"keywords": []string{"开放时间"}, "match": "contains", "text": answer}).Want(t, http.StatusCreated)
	e := c.Do("POST", acct+"/replies", map[string]any{"keywords": []string{"x"}, "text": strings.Repeat("长", 700)}).Want(t, http.StatusUnprocessableEntity).Err(t)
	if e.Error.Fields["text"] == "" {
		t.Fatalf("long reply: %+v", e)
	}
	visitor := res.Subscribed[0]
	msg, err := m.Sim.Message(ctx, sim.MessageRequest{AppID: appID, OpenID: visitor, Text: "请问<b>开放时间</b>？"})
	if err != nil || msg.Reply != answer {
		t.Fatalf("passive reply: %+v %v", msg, err)
	}

	// The custom menu: validated, pushed, read back; a click answered like a keyword.
	menu := `{"button": [{"type": "click", "name": "开放时间", "key": "开放时间"}, {"name": "参观", "sub_button": [{"type": "view", "name": "语音导览", "url": "https://example.org/audio"}]}]}`
	c.Do("PUT", acct+"/menu", menu).Want(t, http.StatusOK)
	var got map[string]any
	c.Do("GET", acct+"/menu", nil).Want(t, http.StatusOK).JSON(t, &got)
	if b, _ := got["button"].([]any); len(b) != 2 {
		t.Fatalf("menu %v", got)
	}
	client, err := m.Desk.Clients.WeChat(ctx, wx.ID)
	if err != nil {
		t.Fatal(err)
	}
	if pushed, err := client.GetMenu(ctx); err != nil || !strings.Contains(string(pushed), "语音导览") {
		t.Fatalf("menu/get: %s %v", pushed, err)
	}
	for body, field := range map[string]string{
		`{"button": [{"type": "click", "name": "a", "key": "a"}, {"type": "click", "name": "b", "key": "b"}, {"type": "click", "name": "c", "key": "c"}, {"type": "click", "name": "d", "key": "d"}]}`: "button",
		`{"button": [{"type": "click", "name": "开放时间开放", "key": "a"}]}`:                                            "button[0].name",
		`{"button": [{"name": "x", "sub_button": [{"type": "view", "name": "y", "url": "javascript:alert(1)"}]}]}`: "button[0].sub_button[0].url",
		`{"button": [{"type": "teleport", "name": "x"}]}`:                                                          "button[0].type",
	} {
		e := c.Do("PUT", acct+"/menu", body).Want(t, http.StatusUnprocessableEntity).Err(t)
		if e.Error.Fields[field] == "" {
			t.Errorf("%s: fields %v, want %s", body, e.Error.Fields, field)
		}
	}
	c.Do("GET", acct+"/menu", nil).Want(t, http.StatusOK).JSON(t, &got)
	if b, _ := got["button"].([]any); len(b) != 2 {
		t.Fatalf("a refused menu changed the stored one: %v", got)
	}
	if msg, err := m.Sim.Message(ctx, sim.MessageRequest{AppID: appID, OpenID: visitor, Key: "开放时间"}); err != nil || msg.Reply != answer {
		t.Fatalf("click: %+v %v", msg, err)
	}

	// The inbox: the visitor's message, never their OpenID; staff answer in the window.
	var convs struct {
		Items []struct {
			ID        int64  `json:"id"`
			Status    string `json:"status"`
			Preview   string `json:"preview"`
			Remaining int64  `json:"window_remaining_seconds"`
		} `json:"items"`
	}
	deadline = time.Now().Add(20 * time.Second)
	for {
		r := c.Do("GET", acct+"/conversations", nil).Want(t, http.StatusOK)
		if bytes.Contains(r.Body, []byte(visitor)) {
			t.Fatal("the inbox shows a follower's OpenID")
		}
		r.JSON(t, &convs)
		if len(convs.Items) == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("conversations %+v", convs)
		}
		time.Sleep(100 * time.Millisecond)
	}
	cv := convs.Items[0]
	if cv.Preview != "请问<b>开放时间</b>？" || cv.Status != "open" || cv.Remaining < 47*3600 {
		t.Fatalf("conversation %+v", cv)
	}
	cp := fmt.Sprintf("/api/v1/conversations/%d", cv.ID)
	c.Do("POST", cp+"/replies", map[string]any{"text": "您好，周一闭馆。"}).Want(t, http.StatusCreated)
	if sent := m.Sim.CustomMessages(appID); len(sent) != 1 || sent[0].OpenID != visitor || sent[0].Text != "您好，周一闭馆。" {
		t.Fatalf("customer-service messages %+v", sent)
	}
	var one struct {
		Status   string `json:"status"`
		Messages []struct {
			Direction string `json:"direction"`
		} `json:"messages"`
	}
	c.Do("GET", cp, nil).Want(t, http.StatusOK).JSON(t, &one)
	if one.Status != "answered" || len(one.Messages) != 2 || one.Messages[1].Direction != "out" {
		t.Fatalf("conversation %+v", one)
	}
	c.Do("PATCH", cp, map[string]any{"status": "closed", "assignee_id": owner.ID}).Want(t, http.StatusOK)
	c.Do("PATCH", cp, map[string]any{"status": "lost"}).Want(t, http.StatusUnprocessableEntity)

	// 49 hours later: the window is closed, the reply refused, nothing sent. The
	// follower's pushes are all applied first: one applied after the clock is moved
	// (the menu click, drained late under -race) would open the window again.
	deadline = time.Now().Add(30 * time.Second)
	for {
		var pending int
		if err := m.DB.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM wechat_events WHERE processed_at IS NULL AND failed_at IS NULL`).Scan(&pending); err != nil {
			t.Fatal(err)
		}
		if pending == 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d pushes still to apply", pending)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if _, err := m.DB.SQL().ExecContext(ctx, `UPDATE conversations SET interacted_at = ? WHERE id = ?`,
		time.Now().UTC().Add(-49*time.Hour).Format("2006-01-02T15:04:05.000000Z"), cv.ID); err != nil {
		t.Fatal(err)
	}
	c.Do("POST", cp+"/replies", map[string]any{"text": "还在吗？"}).Want(t, http.StatusConflict)
	if sent := m.Sim.CustomMessages(appID); len(sent) != 1 {
		t.Fatalf("sent after the window: %+v", sent)
	}
	// Erasing the follower empties the inbox.
	c.Do("POST", "/api/v1/followers/erase", map[string]any{"openid": visitor}).Want(t, http.StatusOK)
	c.Do("GET", acct+"/conversations", nil).Want(t, http.StatusOK).JSON(t, &convs)
	if len(convs.Items) != 0 {
		t.Fatalf("after erasure: %+v", convs)
	}
	_ = store.ConversationOpen
}
