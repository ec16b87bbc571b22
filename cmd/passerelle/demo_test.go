package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/config"
	"github.com/passerelle-oss/passerelle/internal/demo"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/platform/sim"
	"github.com/passerelle-oss/passerelle/internal/platform/wechat"
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
	if err != nil {
		t.Fatal(err)
	}
	// The editorial week (five posts, two on the network account) and four months of
	// published history.
	history := 0
	for _, p := range posts {
		if slices.Contains(demo.HistoryTitles, p.Title) {
			history++
		}
	}
	if len(posts)-history != 5 || history < 300 {
		t.Fatalf("demo posts: %d of the week, %d of the history", len(posts)-history, history)
	}
	// The Paris Museum Pass's Weibo account speaks for three member institutions; its
	// scheduled post features the Louvre, and Orsay's reviewer reviews the post that
	// features Orsay.
	var network int64
	for _, a := range accounts0(t, m, owner.OrgID) {
		if a.Handle == "parismuseumpass" {
			network = a.ID
		}
	}
	if members, err := m.Partners.Members(ctx, owner, network); err != nil || len(members) != 3 {
		t.Fatalf("network members: %v %v", members, err)
	}
	rep, err := m.Partners.Network(ctx, owner, network, time.Now(), time.Now().AddDate(0, 0, 7))
	if err != nil || rep.Posts != 1 {
		t.Fatalf("network report: %+v %v", rep, err)
	}
	for _, mb := range rep.Members {
		if want := map[bool]int{true: 1, false: 0}[mb.Name == "Musée du Louvre"]; mb.Posts != want {
			t.Errorf("network member %s: %d posts this week, want %d", mb.Name, mb.Posts, want)
		}
	}
	reviewer, _, _ := m.DB.UserByEmail(ctx, "reviewer@orsay.example")
	reviews, err := editorial.New(editorial.Options{DB: m.DB, DataDir: cfg.DataDir}).Posts(ctx, reviewer, editorial.PostQuery{})
	if err != nil {
		t.Fatal(err)
	}
	var titles []string
	for _, p := range reviews {
		titles = append(titles, p.Title)
	}
	if !slices.Contains(titles, "Du Penseur aux Nymphéas avec le pass") || slices.Contains(titles, "Le Louvre avec le Paris Museum Pass") {
		t.Errorf("Orsay's reviewer sees %q", titles)
	}
	eds, err := m.DB.Editions(ctx, store.EditionFilter{OrgID: owner.OrgID})
	if err != nil || len(eds) == 0 {
		t.Fatalf("barometer editions: %d %v", len(eds), err)
	}

	// The Louvre's audioguide (four stops with silent recordings) and exhibition are
	// published: their pages answer, a stop's recording answers a range.
	var louvre int64
	for _, a := range accounts0(t, m, owner.OrgID) {
		if a.Handle == "gh_louvre" {
			louvre = a.InstitutionID
		}
	}
	// The history makes the analytics pages alive: the Louvre's last 30 days have
	// posts, views, interactions, followers and findings, and the 30 days before too.
	to := time.Now().In(analytics.Beijing)
	period, err := analytics.ParsePeriod(to.AddDate(0, 0, -29).Format(time.DateOnly), to.Format(time.DateOnly))
	if err != nil {
		t.Fatal(err)
	}
	sum, _, err := (&analytics.Service{DB: m.DB, Tenancy: m.Tenancy}).InstitutionSummary(ctx, owner, louvre, period)
	if err != nil || sum.Posts < 10 || sum.Views == 0 || sum.Likes == 0 || sum.Followers.End == nil || *sum.Followers.End == 0 || len(sum.TopPosts) == 0 || sum.Previous.Posts == 0 {
		t.Fatalf("the demo's analytics are not alive: %+v %v", sum, err)
	}
	tours, err := m.Visit.Tours(ctx, owner, louvre)
	if err != nil || len(tours) != 1 || tours[0].Stops != 4 || tours[0].PublishedAt == nil {
		t.Fatalf("demo tours: %v %v", tours, err)
	}
	if exs, err := m.Visit.Exhibitions(ctx, owner, louvre); err != nil || len(exs) != 1 || exs[0].PublishedAt == nil {
		t.Fatalf("demo exhibitions: %v %v", exs, err)
	}
	tourPage := getBody(t, m.URL()+"/v/t/"+tours[0].PublicToken+"?lang=fr")
	if !strings.Contains(tourPage, "La Joconde") || !strings.Contains(tourPage, "Vénus de Milo") {
		t.Fatalf("demo tour page: %s", tourPage)
	}
	stopPage := getBody(t, m.URL()+"/v/t/"+tours[0].PublicToken+"/1")
	audio := regexp.MustCompile(`src="(/v/audio/[0-9a-f]+\.mp3)"`).FindStringSubmatch(stopPage)
	if audio == nil {
		t.Fatalf("demo stop without audio: %s", stopPage)
	}
	req, _ := http.NewRequest("GET", m.URL()+audio[1], nil)
	req.Header.Set("Range", "bytes=0-99")
	if res, err := http.DefaultClient.Do(req); err != nil || res.StatusCode != http.StatusPartialContent || res.ContentLength != 100 {
		t.Fatalf("demo audio range: %v %v", res, err)
	} else {
		res.Body.Close()
	}

	// The command line exports them as a static site.
	site := t.TempDir()
	if code, stdout, errOut := run(t, "", nil, "export", "site", "--data", cfg.DataDir, "--institution", fmt.Sprint(louvre), site); code != 0 || !strings.Contains(stdout, "exported 1 tours and 1 exhibitions") {
		t.Fatalf("export site: %d %q %q", code, stdout, errOut)
	}
	if _, err := os.Stat(filepath.Join(site, "tour-"+tours[0].PublicToken, "4.fr.html")); err != nil {
		t.Fatalf("exported stop 4: %v", err)
	}
	// With --base-url the stop labels' QR codes point at the exported pages there; a
	// bad address is refused and writes nothing.
	hosted := t.TempDir()
	if code, stdout, errOut := run(t, "", nil, "export", "site", "--data", cfg.DataDir, "--institution", fmt.Sprint(louvre), "--base-url", "https://visite.example.cn/louvre", hosted); code != 0 {
		t.Fatalf("export site --base-url: %d %q %q", code, stdout, errOut)
	}
	if labels, err := os.ReadFile(filepath.Join(hosted, "tour-"+tours[0].PublicToken, "labels.html")); err != nil || !strings.Contains(string(labels), "https://visite.example.cn/louvre/tour-"+tours[0].PublicToken+"/4.html") {
		t.Fatalf("exported labels: %v", err)
	}
	badDir := t.TempDir()
	if code, _, _ := run(t, "", nil, "export", "site", "--data", cfg.DataDir, "--institution", fmt.Sprint(louvre), "--base-url", "visite.example.cn", badDir); code != 1 {
		t.Errorf("export with a relative base URL: %d", code)
	}
	if entries, _ := os.ReadDir(badDir); len(entries) != 0 {
		t.Errorf("a refused export wrote %d files", len(entries))
	}
	if code, _, _ := run(t, "", nil, "export", "site", "--data", cfg.DataDir, "--institution", "99999", filepath.Join(t.TempDir(), "x")); code != 1 {
		t.Errorf("export of an institution with nothing published: %d", code)
	}

	// The Orsay WeChat account is connected to the simulator.
	accounts, _ := m.DB.Accounts(ctx, store.AccountFilter{OrgID: owner.OrgID})
	var wx int64
	for _, a := range accounts {
		if a.Handle == "gh_orsay" {
			wx = a.ID
		}
	}
	// Its service desk is not empty: placements with a week of follows, keyword
	// replies that answer, canned answers, and conversations in each state.
	var orsay int64
	for _, a := range accounts {
		if a.ID == wx {
			orsay = a.InstitutionID
		}
	}
	placements, err := m.Desk.Placements(ctx, owner, orsay)
	if err != nil || len(placements) != 3 {
		t.Fatalf("demo placements: %d %v", len(placements), err)
	}
	beijing := time.FixedZone("CST", 8*3600)
	stats, err := m.Desk.Stats(ctx, owner, orsay, time.Now().In(beijing).AddDate(0, 0, -7).Format(time.DateOnly), time.Now().In(beijing).Format(time.DateOnly))
	if err != nil || len(stats) != 3 {
		t.Fatalf("demo placement figures: %d %v", len(stats), err)
	}
	for _, s := range stats {
		if s.NewFollows == 0 || s.ReturningScans == 0 {
			t.Errorf("placement %v: %d follows, %d scans in a week", *s.Key, s.NewFollows, s.ReturningScans)
		}
	}
	if rules, err := m.Desk.Rules(ctx, owner, wx); err != nil || len(rules) != 5 {
		t.Fatalf("demo keyword replies: %d %v", len(rules), err)
	}
	if reply := m.Desk.PassiveReply(ctx, wx, &wechat.Message{MsgType: wechat.MsgTypeText, Content: "请问门票多少钱？"}); !strings.Contains(reply, "16 欧元") {
		t.Errorf("demo keyword reply to 门票: %q", reply)
	}
	if answers, err := m.Desk.CannedAnswers(ctx, owner, wx); err != nil || len(answers) != 3 {
		t.Fatalf("demo canned answers: %d %v", len(answers), err)
	}
	if menu, err := m.Desk.GetMenu(ctx, owner, wx); err != nil || !strings.Contains(string(menu.Menu), "参观信息") {
		t.Fatalf("demo menu: %v", err)
	}
	convs, err := m.Desk.Conversations(ctx, owner, wx, "")
	if err != nil {
		t.Fatal(err)
	}
	states := map[string]int{}
	for _, c := range convs {
		k := c.Status
		if c.Status == store.ConversationOpen && c.WindowRemainingS > 0 {
			k += " within 48 h"
			// The simulated WeChat knows the follower: the answer goes out.
			if _, err := m.Desk.Reply(ctx, owner, c.ID, "您好！每周四博物馆开放至 21:45。"); err != nil {
				t.Errorf("answer within the window: %v", err)
			}
		}
		if c.Status == store.ConversationOpen && c.WindowRemainingS == 0 {
			if _, err := m.Desk.Reply(ctx, owner, c.ID, "您好！"); passerelle.ErrorCode(err) != passerelle.ECONFLICT {
				t.Errorf("answer past the window: %v", err)
			}
		}
		states[k]++
	}
	if states["open within 48 h"] != 2 || states["open"] != 1 || states["answered"] != 1 || states["closed"] != 1 {
		t.Errorf("demo conversations: %v", states)
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

func accounts0(t *testing.T, m *Main, orgID int64) []*passerelle.Account {
	t.Helper()
	as, err := m.DB.Accounts(context.Background(), store.AccountFilter{OrgID: orgID})
	if err != nil {
		t.Fatal(err)
	}
	return as
}

func getBody(t *testing.T, u string) string {
	t.Helper()
	res, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", u, res.StatusCode)
	}
	return string(b)
}
