package web_test

import (
	"context"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

func (c *client) uploadPage(path, filename string, data []byte, fields map[string]string) resp {
	c.t.Helper()
	ct, body := multipartBody(c.t, filename, data, fields)
	req, _ := http.NewRequest("POST", c.base+path, body)
	req.Header.Set("Content-Type", ct)
	req.Header.Set("Accept-Language", "en")
	res, err := c.hc.Do(req)
	if err != nil {
		c.t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return resp{Status: res.StatusCode, Body: string(b), Location: res.Header.Get("Location"), Header: res.Header}
}

// TestScheduleImport: an editor uploads a CSV of planned publications, sees each row
// with its Paris and Beijing times or its problems, and creates them all as drafts,
// or none when a row is wrong. GBK and semicolons, as a Chinese Excel saves them.
func TestScheduleImport(t *testing.T) {
	t.Parallel()
	a := newApp(t, false)
	n := seedNewsroom(t, a)
	ed := a.signedIn("editor@example.org")
	path := "/institutions/" + itoa(n.inst.ID) + "/schedule-import"
	y := strconv.Itoa(time.Now().Year() + 1)
	count := func() int {
		ps, err := a.Ed.Posts(context.Background(), n.owner, editorial.PostQuery{InstitutionID: n.inst.ID})
		if err != nil {
			t.Fatal(err)
		}
		return len(ps)
	}

	wantContains(t, ed.get("/calendar?institution_id="+itoa(n.inst.ID)).Body, `href="`+path+`"`)
	wantContains(t, ed.get(path).Body, "Import a schedule", "CSV file", "Europe/Paris"[7:])

	// One good row and three bad ones: the problems by line, nothing created.
	bad := "date,time,account,platform,title,text\n" +
		y + "-03-08,10:00,orsay,weibo,Bon,好的。\n" +
		"2001-01-01,10:00,orsay,weibo,Passé,过去。\n" +
		y + "-03-09,10:00,inconnu,weibo,Inconnu,未知。\n" +
		y + "-03-10,10:00,orsay,weibo,,没有标题。\n"
	r := ed.uploadPage(path, "plan.csv", []byte(bad), map[string]string{"action": "preview"})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("bad file: %d %s", r.Status, excerpt(r.Body))
	}
	wantContains(t, r.Body, "3 rows have a problem", "The time is in the past.", "No managed account of the institution on this platform has this name.", "The title is missing.")
	if strings.Contains(r.Body, `value="create"`) {
		t.Error("a file with errors offers to create")
	}
	if count() != 0 {
		t.Fatal("posts created from a file with errors")
	}
	// A file that is not a schedule.
	r = ed.uploadPage(path, "x.csv", []byte("name,value\na,b\n"), map[string]string{"action": "preview"})
	wantContains(t, r.Body, "The first line must name the columns")

	// GBK, semicolons, Chinese headers; a row in Paris time, one with a Beijing offset.
	plan := "日期;时间;账号;平台;标题;中文\n" +
		y + "-03-08;10:00;orsay;微博;Journée des femmes;三八妇女节：奥赛博物馆的女性艺术家。\n" +
		y + "-03-08T20:00+08:00;;奥赛博物馆;微信;Berthe Morisot;贝尔特·莫里索的画作。\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(plan)
	if err != nil {
		t.Fatal(err)
	}
	r = ed.uploadPage(path, "plan.csv", []byte(gbk), map[string]string{"action": "preview"})
	if r.Status != http.StatusOK {
		t.Fatalf("preview: %d %s", r.Status, excerpt(r.Body))
	}
	wantContains(t, r.Body, "2 rows are ready.", y+"-03-08 10:00", y+"-03-08 17:00", y+"-03-08 13:00", y+"-03-08 20:00", "Journée des femmes", "Create 2 drafts")
	if count() != 0 {
		t.Fatal("the preview created posts")
	}
	m := regexp.MustCompile(`name="csv" value="([^"]*)"`).FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatal("no file in the create form")
	}
	r = ed.post(path, url.Values{"action": {"create"}, "csv": {html.UnescapeString(m[1])}})
	if r.Status != http.StatusSeeOther || !strings.Contains(r.Location, "date="+y+"-03-08") {
		t.Fatalf("create: %d %s", r.Status, r.Location)
	}
	wantContains(t, ed.follow(r).Body, "The schedule is imported", "Journée des femmes", "Berthe Morisot")
	ps, _ := a.Ed.Posts(context.Background(), n.owner, editorial.PostQuery{InstitutionID: n.inst.ID})
	if len(ps) != 2 {
		t.Fatalf("%d posts", len(ps))
	}
	for _, p := range ps {
		full, _ := a.Ed.Post(context.Background(), n.owner, p.ID)
		b := full.Publications[0]
		var want time.Time
		switch full.Title {
		case "Journée des femmes":
			want = time.Date(time.Now().Year()+1, 3, 8, 9, 0, 0, 0, time.UTC) // 10:00 Paris (winter)
			if b.AccountID != n.weibo.ID || full.TextZH != "三八妇女节：奥赛博物馆的女性艺术家。" {
				t.Errorf("weibo post: %+v", full)
			}
		case "Berthe Morisot":
			want = time.Date(time.Now().Year()+1, 3, 8, 12, 0, 0, 0, time.UTC) // 20:00 Beijing
			if b.AccountID != n.wechat.ID || b.WeChat == nil || b.WeChat.Title != "Berthe Morisot" || !strings.Contains(b.WeChat.BodyHTML, "<p>贝尔特·莫里索的画作。</p>") {
				t.Errorf("wechat post: %+v %+v", full, b.WeChat)
			}
		}
		if full.Status != passerelle.StatusDraft || b.ScheduledAt == nil || !b.ScheduledAt.Equal(want) {
			t.Errorf("%s: %s at %v, want %v", full.Title, full.Status, b.ScheduledAt, want)
		}
	}

	// Translators and viewers may not import.
	for _, who := range []string{"viewer@example.org"} {
		if r := a.signedIn(who).get(path); r.Status != http.StatusForbidden {
			t.Errorf("%s: %d", who, r.Status)
		}
	}
}
