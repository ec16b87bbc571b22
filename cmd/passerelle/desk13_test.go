package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle/internal/platform/sim"
)

// TestDeskInboxTools drives the inbox's tools through the API on the demo, every
// exchange checked against the OpenAPI document: conversations assigned and filtered
// by assignee, canned answers kept (bad input names the field), the glossary's
// renderings suggested for the follower's message and the draft (a French name, a
// wrong Chinese rendering), followers listed by how much they wrote with the
// placement they came through and staff's tags, filtered by tag, exported as CSV with
// a byte order mark and their openids (which the JSON never shows), and the menu
// deleted on WeChat.
func TestDeskInboxTools(t *testing.T) {
	t.Parallel()
	d := bootDesk(t, "desk13")
	m, owner, wx, c, appID, inst, acct := d.m, d.owner, d.wx, d.c, d.appID, d.inst, d.acct
	ctx := context.Background()

	// A placement; two visitors follow through it, a third writes without a code.
	c.Do("POST", inst+"/placements", map[string]any{"account_id": wx.ID, "name": "Hall", "key": "hall13"}).Want(t, http.StatusCreated)
	res, err := m.Sim.Scan(sim.ScanRequest{AppID: appID, Scene: "hall13", NewVisitors: 2})
	if err != nil {
		t.Fatal(err)
	}
	fan, quiet := res.Subscribed[0], res.Subscribed[1]
	// A term with a wrong rendering, in the organization's glossary.
	c.Do("POST", "/api/v1/glossary", map[string]any{"source": "Grand Palais", "zh": "大皇宫", "variants": []string{"大宫殿"}}).Want(t, http.StatusCreated)
	for _, text := range []string{"Musée d'Orsay 几点开门？", "大宫殿也开门吗？", "谢谢"} {
		if _, err := m.Sim.Message(ctx, sim.MessageRequest{AppID: appID, OpenID: fan, Text: text}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := m.Sim.Message(ctx, sim.MessageRequest{AppID: appID, OpenID: quiet, Text: "你好"}); err != nil {
		t.Fatal(err)
	}
	type conv struct {
		ID         int64  `json:"id"`
		AssigneeID *int64 `json:"assignee_id"`
	}
	var convs struct{ Items []conv }
	deadline := time.Now().Add(30 * time.Second)
	for {
		c.Do("GET", acct+"/conversations", nil).Want(t, http.StatusOK).JSON(t, &convs)
		var fl struct {
			Items []struct {
				Messages int64 `json:"messages"`
			} `json:"items"`
		}
		c.Do("GET", acct+"/followers", nil).Want(t, http.StatusOK).JSON(t, &fl)
		if len(convs.Items) == 2 && len(fl.Items) == 2 && fl.Items[0].Messages == 3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("conversations %+v followers %+v", convs, fl)
		}
		time.Sleep(100 * time.Millisecond)
	}

	// Followers: the one who wrote most first, with the placement; no openid.
	type follower struct {
		ConversationID int64    `json:"conversation_id"`
		Messages       int64    `json:"messages"`
		PlacementKey   *string  `json:"placement_key"`
		Tags           []string `json:"tags"`
	}
	var fl struct{ Items []follower }
	r := c.Do("GET", acct+"/followers", nil).Want(t, http.StatusOK)
	if bytes.Contains(r.Body, []byte(fan)) || bytes.Contains(r.Body, []byte(quiet)) {
		t.Fatal("the followers' list shows an openid")
	}
	r.JSON(t, &fl)
	if fl.Items[0].Messages != 3 || fl.Items[0].PlacementKey == nil || *fl.Items[0].PlacementKey != "hall13" || fl.Items[1].Messages != 1 {
		t.Fatalf("followers %+v", fl.Items)
	}
	fanConv, quietConv := fl.Items[0].ConversationID, fl.Items[1].ConversationID
	cp := fmt.Sprintf("/api/v1/conversations/%d", fanConv)

	// Assignment: to a member who sees the institution; the filters follow.
	var members struct {
		Items []struct {
			ID int64 `json:"id"`
		} `json:"items"`
	}
	c.Do("GET", acct+"/assignees", nil).Want(t, http.StatusOK).JSON(t, &members)
	if len(members.Items) == 0 {
		t.Fatal("no assignee")
	}
	c.Do("PATCH", cp, map[string]any{"assignee_id": owner.ID}).Want(t, http.StatusOK)
	e := c.Do("PATCH", cp, map[string]any{"assignee_id": 987654321}).Want(t, http.StatusUnprocessableEntity).Err(t)
	if e.Error.Fields["assignee_id"] == "" {
		t.Fatalf("unknown assignee: %+v", e)
	}
	c.Do("GET", acct+"/conversations?assignee=me", nil).Want(t, http.StatusOK).JSON(t, &convs)
	if len(convs.Items) != 1 || convs.Items[0].ID != fanConv || convs.Items[0].AssigneeID == nil || *convs.Items[0].AssigneeID != owner.ID {
		t.Fatalf("assigned to me: %+v", convs.Items)
	}
	c.Do("GET", acct+"/conversations?assignee=none", nil).Want(t, http.StatusOK).JSON(t, &convs)
	if len(convs.Items) != 1 || convs.Items[0].ID != quietConv {
		t.Fatalf("unassigned: %+v", convs.Items)
	}
	c.Do("GET", acct+"/conversations?assignee=someone", nil).Want(t, http.StatusUnprocessableEntity)
	c.Do("PATCH", cp, map[string]any{"assignee_id": 0}).Want(t, http.StatusOK)
	c.Do("GET", acct+"/conversations?assignee=none", nil).Want(t, http.StatusOK).JSON(t, &convs)
	if len(convs.Items) != 2 {
		t.Fatalf("unassigned after taking it back: %+v", convs.Items)
	}

	// Canned answers.
	var answer struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	}
	c.Do("POST", acct+"/answers", map[string]any{"name": " Horaires ", "text": "周二至周日 9:30–18:00，周四至 21:45。"}).Want(t, http.StatusCreated).JSON(t, &answer)
	if answer.Name != "Horaires" {
		t.Fatalf("answer %+v", answer)
	}
	for body, field := range map[string]string{
		`{"name": "Horaires", "text": "x"}`:                                        "name",
		`{"name": "", "text": "x"}`:                                                "name",
		`{"name": "` + strings.Repeat("n", 61) + `", "text": "x"}`:                 "name",
		`{"name": "Vide", "text": "  "}`:                                           "text",
		`{"name": "Long", "text": "` + strings.Repeat("长", 700) + `"}`:             "text",
		`{"name": "Bell", "text": "\u0007"}`:                                       "text",
		`{"name": "Deux lignes\nici", "text": "x"}`:                                "name",
		`{"name": "Horaires 2", "text": "x", "extra": 1}`:                          "",
		`{"name": "Horaires 3", "text": "` + strings.Repeat("x", 2048) + `"}`:      "-",
		`{"name": "Horaires 4", "text": "` + strings.Repeat("x", 2049) + `"}`:      "text",
		`{"name": "` + strings.Repeat("名", 60) + `", "text": "` + "字" + `"}`:       "-",
		`{"name": "` + strings.Repeat("名", 60) + `x", "text": "` + "字" + `"}`:      "name",
		`{"name": "Horaires 5", "text": "<script>alert(1)</script> 开放"}`:           "-",
		`{"name": "Horaires 6", "text": "` + strings.Repeat("é", 1024) + `"}`:      "-",
		`{"name": "Horaires 7", "text": "` + strings.Repeat("é", 1024) + `é"}`:     "text",
		`{"name": "Horaires 8", "text": "ok", "name2": "x"}`:                       "",
		`{"name": "Horaires 9"}`:                                                   "text",
		`{"text": "x"}`:                                                            "name",
		`{"name": 12, "text": "x"}`:                                                "",
		`["Horaires"]`:                                                             "",
		`{"name": "Horaires 10", "text": "` + strings.Repeat("x", 10) + `\r\nok"}`: "-",
	} {
		switch field {
		case "-":
			c.Do("POST", acct+"/answers", body).Want(t, http.StatusCreated)
		case "":
			if r := c.Do("POST", acct+"/answers", body); r.Status != http.StatusBadRequest && r.Status != http.StatusUnprocessableEntity {
				t.Errorf("%.60s: %d", body, r.Status)
			}
		default:
			e := c.Do("POST", acct+"/answers", body).Want(t, http.StatusUnprocessableEntity).Err(t)
			if e.Error.Fields[field] == "" {
				t.Errorf("%.60s: fields %v, want %s", body, e.Error.Fields, field)
			}
		}
	}
	var answers struct {
		Items []struct {
			ID   int64  `json:"id"`
			Name string `json:"name"`
		} `json:"items"`
	}
	c.Do("GET", acct+"/answers", nil).Want(t, http.StatusOK).JSON(t, &answers)
	if len(answers.Items) != 6 || answers.Items[0].Name != "Horaires" {
		t.Fatalf("answers %+v", answers.Items)
	}
	c.Do("DELETE", fmt.Sprintf("%s/answers/%d", acct, answers.Items[1].ID), nil).Want(t, http.StatusNoContent)
	c.Do("DELETE", fmt.Sprintf("%s/answers/%d", acct, answers.Items[1].ID), nil).Want(t, http.StatusNotFound)

	// Glossary suggestions: the French name and the wrong rendering in the follower's
	// messages, the English name in the draft; a rendering the draft has is not offered.
	type suggestion struct {
		Found   string `json:"found"`
		ZH      string `json:"zh"`
		Variant bool   `json:"variant"`
		In      string `json:"in"`
	}
	var sg struct{ Items []suggestion }
	c.Do("POST", cp+"/suggestions", map[string]any{"text": "Claude Monet 的画在五楼。"}).Want(t, http.StatusOK).JSON(t, &sg)
	want := map[string]suggestion{
		"莫奈":    {Found: "Claude Monet", ZH: "莫奈", In: "draft"},
		"奥赛博物馆": {Found: "Musée d'Orsay", ZH: "奥赛博物馆", In: "messages"},
		"大皇宫":   {Found: "大宫殿", ZH: "大皇宫", Variant: true, In: "messages"},
	}
	if len(sg.Items) != len(want) || sg.Items[0].ZH != "莫奈" {
		t.Fatalf("suggestions %+v", sg.Items)
	}
	for _, s := range sg.Items {
		if w, ok := want[s.ZH]; !ok || w != s {
			t.Errorf("suggestion %+v, want %+v", s, w)
		}
	}
	c.Do("POST", cp+"/suggestions", map[string]any{"text": "奥赛博物馆和大皇宫都开门。"}).Want(t, http.StatusOK).JSON(t, &sg)
	if len(sg.Items) != 0 {
		t.Fatalf("suggestions for a draft that has the renderings: %+v", sg.Items)
	}

	// Tags: cleaned, replaced; bad tags name the field and change nothing.
	var tags struct {
		Tags []string `json:"tags"`
	}
	c.Do("PUT", cp+"/tags", map[string]any{"tags": []string{" Ambassador ", "press", "ambassador", ""}}).Want(t, http.StatusOK).JSON(t, &tags)
	if strings.Join(tags.Tags, ",") != "ambassador,press" {
		t.Fatalf("tags %v", tags.Tags)
	}
	for _, bad := range [][]string{{"a,b"}, {strings.Repeat("t", 33)}, {"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"}, {"tab\there"}} {
		e := c.Do("PUT", cp+"/tags", map[string]any{"tags": bad}).Want(t, http.StatusUnprocessableEntity).Err(t)
		if e.Error.Fields["tags"] == "" {
			t.Errorf("%q: %+v", bad, e)
		}
	}
	c.Do("GET", cp+"/tags", nil).Want(t, http.StatusOK).JSON(t, &tags)
	if strings.Join(tags.Tags, ",") != "ambassador,press" {
		t.Fatalf("tags after refusals %v", tags.Tags)
	}
	c.Do("PUT", fmt.Sprintf("/api/v1/conversations/%d/tags", quietConv), map[string]any{"tags": []string{"teacher", "老师"}}).Want(t, http.StatusOK)
	c.Do("GET", acct+"/followers?tag=Ambassador", nil).Want(t, http.StatusOK).JSON(t, &fl)
	if len(fl.Items) != 1 || fl.Items[0].ConversationID != fanConv || len(fl.Items[0].Tags) != 2 {
		t.Fatalf("ambassadors %+v", fl.Items)
	}
	c.Do("GET", acct+"/followers?tag=老师", nil).Want(t, http.StatusOK).JSON(t, &fl)
	if len(fl.Items) != 1 || fl.Items[0].ConversationID != quietConv {
		t.Fatalf("teachers %+v", fl.Items)
	}

	// The CSV: BOM, the account's own openids, the placement and the tags.
	r = c.Do("GET", acct+"/followers.csv", nil).Want(t, http.StatusOK)
	if !bytes.HasPrefix(r.Body, []byte("\xef\xbb\xbf")) || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv %q %s", r.Body[:min(len(r.Body), 20)], r.Header.Get("Content-Type"))
	}
	rows, err := csv.NewReader(bytes.NewReader(r.Body[3:])).ReadAll()
	if err != nil || len(rows) != 3 {
		t.Fatalf("csv rows %v %v", rows, err)
	}
	if strings.Join(rows[0], ",") != "openid,messages,first_message_at,last_message_at,placement_key,placement_name,tags" ||
		rows[1][0] != fan || rows[1][1] != "3" || rows[1][4] != "hall13" || rows[1][5] != "Hall" || rows[1][6] != "ambassador, press" || rows[2][0] != quiet {
		t.Fatalf("csv %v", rows)
	}
	r = c.Do("GET", acct+"/followers.csv?tag=teacher&sep=semicolon", nil).Want(t, http.StatusOK)
	if lines := strings.Split(strings.TrimSpace(string(r.Body[3:])), "\n"); len(lines) != 2 || !strings.HasPrefix(lines[1], quiet+";1;") {
		t.Fatalf("teachers' csv %q", lines)
	}

	// The menu: pushed, then deleted on WeChat and here.
	c.Do("PUT", acct+"/menu", `{"button": [{"type": "click", "name": "开放时间", "key": "hours"}]}`).Want(t, http.StatusOK)
	c.Do("DELETE", acct+"/menu", nil).Want(t, http.StatusNoContent)
	c.Do("GET", acct+"/menu", nil).Want(t, http.StatusNotFound)
	client, err := m.Desk.Clients.WeChat(ctx, wx.ID)
	if err != nil {
		t.Fatal(err)
	}
	if menu, err := client.GetMenu(ctx); err == nil {
		t.Fatalf("menu/get after the delete: %s", menu)
	}
	c.Do("DELETE", acct+"/menu", nil).Want(t, http.StatusNoContent)

	// Erasing the follower takes their tags.
	c.Do("POST", "/api/v1/followers/erase", map[string]any{"openid": fan}).Want(t, http.StatusOK)
	c.Do("GET", acct+"/followers?tag=ambassador", nil).Want(t, http.StatusOK).JSON(t, &fl)
	if len(fl.Items) != 0 {
		t.Fatalf("ambassadors after erasure %+v", fl.Items)
	}
	var n int
	if err := m.DB.SQL().QueryRowContext(ctx, `SELECT COUNT(*) FROM follower_tags WHERE openid = ?`, fan).Scan(&n); err != nil || n != 0 {
		t.Fatalf("tags left after erasure: %d %v", n, err)
	}
}
