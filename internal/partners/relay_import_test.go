package partners_test

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// figures is a relay's figures as text, "-" for an unknown one.
func figures(r passerelle.Relay) string {
	var out []string
	for _, v := range []*int64{r.Views, r.Reposts, r.Likes, r.Comments} {
		if v == nil {
			out = append(out, "-")
			continue
		}
		out = append(out, strconv.FormatInt(*v, 10))
	}
	return strings.Join(out, " ")
}

func TestRelayFiguresImport(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		shanghai := b.partner("Shanghai Museum", passerelle.PartnerAccount{Platform: passerelle.Weibo, Handle: "上海博物馆"})
		suzhou := b.partner("Suzhou Museum", passerelle.PartnerAccount{Platform: passerelle.WeChat, Handle: "szmuseum"})
		b.partner("Beijing Art", passerelle.PartnerAccount{Platform: passerelle.Weibo, Handle: "bjart"})
		c, err := b.svc.CreateCampaign(ctx, b.owner, partners.CampaignInput{PostID: b.post.ID, PartnerIDs: []int64{shanghai.ID, suzhou.ID}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.svc.UpdateRelay(ctx, b.owner, c.ID, shanghai.ID, partners.RelayInput{Status: status(passerelle.RelayRelayed),
			URL: str("https://weibo.com/1234567890/Nabis1234"), Views: i64(120_000)}); err != nil {
			t.Fatal(err)
		}
		snapshots := func() (n int) {
			t.Helper()
			got, err := b.svc.Campaign(ctx, b.owner, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			for _, r := range got.Relays {
				rs, err := db.RelaySnapshots(ctx, b.org, r.ID)
				if err != nil {
					t.Fatal(err)
				}
				n += len(rs)
			}
			return n
		}
		relays := func() (sh, sz passerelle.Relay) {
			t.Helper()
			got, err := b.svc.Campaign(ctx, b.owner, c.ID)
			if err != nil {
				t.Fatal(err)
			}
			return got.Relays[0], got.Relays[1]
		}

		// The preview says what each row does and writes nothing.
		b.clock.add(time.Hour)
		utf8CSV := readFile(t, "relay_figures_utf8.csv")
		before := snapshots()
		res, err := b.svc.ImportRelayFigures(ctx, b.owner, c.ID, utf8CSV, true)
		if err != nil {
			t.Fatal(err)
		}
		if res.Errors != 0 || res.Imported != 2 || res.Encoding != "utf-8" || len(res.Rows) != 2 || res.Rows[0].PartnerID != shanghai.ID ||
			!res.Rows[1].Relayed || !res.Rows[1].ViewsLowerBound || *res.Rows[1].Views != 100_000 {
			t.Fatalf("preview %+v", res)
		}
		if snapshots() != before {
			t.Fatal("the preview wrote readings")
		}
		if _, sz := relays(); sz.Status != passerelle.RelayInvited {
			t.Fatalf("the preview moved the relay: %+v", sz)
		}

		// The import: the newest reading wins per figure; the WeChat partner is
		// recorded as relayed with their post.
		if res, err = b.svc.ImportRelayFigures(ctx, b.owner, c.ID, utf8CSV, false); err != nil || res.Imported != 2 {
			t.Fatalf("import %+v %v", res, err)
		}
		sh, sz := relays()
		if figures(sh) != "12000 340 2100 85" || sh.FiguresSource != passerelle.FiguresImport || !sh.FiguresAt.Equal(b.clock.now()) {
			t.Fatalf("shanghai %s %+v", figures(sh), sh)
		}
		if sz.Status != passerelle.RelayRelayed || sz.URL != "https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOp" || figures(sz) != "100000 - 1203 56" || !sz.ViewsLowerBound || sh.ViewsLowerBound {
			t.Fatalf("suzhou %s %+v", figures(sz), sz)
		}
		after := snapshots()
		if after != before+2 {
			t.Fatalf("%d readings, want %d", after, before+2)
		}

		// Importing the same file again changes nothing.
		b.clock.add(time.Minute)
		if res, err = b.svc.ImportRelayFigures(ctx, b.owner, c.ID, utf8CSV, false); err != nil || res.Imported != 0 || res.Unchanged != 2 {
			t.Fatalf("second import %+v %v", res, err)
		}
		if sh2, _ := relays(); snapshots() != after || !sh2.FiguresAt.Equal(*sh.FiguresAt) {
			t.Fatal("a second import of the same file changed something")
		}

		// The Weibo data centre's headers in GBK, rows naming the post only.
		b.clock.add(time.Hour)
		if res, err = b.svc.ImportRelayFigures(ctx, b.owner, c.ID, readFile(t, "relay_figures_gbk.csv"), false); err != nil || res.Encoding != "gb18030" || res.Imported != 1 {
			t.Fatalf("GBK import %+v %v", res, err)
		}
		if sh, _ = relays(); figures(sh) != "15000 410 2300 97" {
			t.Fatalf("shanghai after GBK %s", figures(sh))
		}
		// An XLSX with English headers naming partners by name and handle.
		b.clock.add(time.Hour)
		if res, err = b.svc.ImportRelayFigures(ctx, b.owner, c.ID, readFile(t, "relay_figures.xlsx"), false); err != nil || res.Encoding != "xlsx" || res.Imported != 2 {
			t.Fatalf("XLSX import %+v %v", res, err)
		}
		if sh, sz = relays(); figures(sh) != "18000 520 2600 120" || figures(sz) != "100000 - 1500 70" || !sz.ViewsLowerBound {
			t.Fatalf("after XLSX %s / %s", figures(sh), figures(sz))
		}

		// A file with bad rows writes nothing and names every one.
		b.clock.add(time.Hour)
		after = snapshots()
		bad := "partner,url,views,reposts\n" +
			"Beijing Art,,10,1\n" + // not in the campaign
			"Shanghai Museum,https://mp.weixin.qq.com/s/AbCdEfGhIjKlMnOp,10,1\n" + // not of the partner's platform
			"Suzhou Museum,,-5,1\n" + // negative
			"szmuseum,,99999999999999,1\n" + // absurd
			",https://weibo.com/9999999999/Other1234,10,1\n" + // no relay has this post
			"Shanghai Museum,,200,3\n" +
			"上海博物馆,,300,4\n" // the same relay twice
		res, err = b.svc.ImportRelayFigures(ctx, b.owner, c.ID, []byte(bad), false)
		code(t, err, passerelle.EINVALID)
		if res == nil || res.Errors != 6 || res.Rows[5].Error != "" {
			t.Fatalf("bad file %+v", res)
		}
		for i, want := range []string{"no partner of this campaign", "not a post of the partner's platforms", "a figure cannot be negative", "absurdly large", "no relay of this campaign has this post", "", "the same relay as line 7"} {
			if !strings.Contains(res.Rows[i].Error, want) {
				t.Fatalf("line %d: %q, want %q", res.Rows[i].Line, res.Rows[i].Error, want)
			}
		}
		if sh2, _ := relays(); snapshots() != after || figures(sh2) != figures(sh) {
			t.Fatal("a refused file wrote something")
		}
		// Files that cannot be read as a whole.
		for name, data := range map[string]string{"no header": "a,b\n1,2\n", "empty": "url,views\n", "binary": "\x00\x01\x02"} {
			_, err := b.svc.ImportRelayFigures(ctx, b.owner, c.ID, []byte(data), true)
			if passerelle.ErrorCode(err) != passerelle.EINVALID {
				t.Fatalf("%s: %v", name, err)
			}
		}
		// Another organization's campaign does not exist for them; a viewer may not import.
		_, err = b.svc.ImportRelayFigures(ctx, b.foreign, c.ID, utf8CSV, true)
		code(t, err, passerelle.ENOTFOUND)
		viewer := b.user(b.org, false, passerelle.Membership{InstitutionID: b.inst, Role: passerelle.RoleViewer})
		_, err = b.svc.ImportRelayFigures(ctx, viewer, c.ID, utf8CSV, true)
		code(t, err, passerelle.EFORBIDDEN)
	})
}

func FuzzParseRelayFigures(f *testing.F) {
	for _, s := range []string{"合作方,链接,阅读数\n上海博物馆,https://weibo.com/1/Abc,10万+\n", "partner,views\na,-1\n", "url;views;likes\nx;1.2万;3\n", "\"", "id,reposts\n'123,1e9\n"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		rows, _, err := partners.ParseRelayFigures(data)
		if err != nil {
			if passerelle.ErrorCode(err) != passerelle.EINVALID {
				t.Fatalf("error %v is not invalid", err)
			}
			return
		}
		for _, r := range rows {
			if r.Error != "" {
				continue
			}
			if err := r.RelayFigures.Validate(); err != nil || r.Empty() || (r.Partner == "" && r.URL == "" && r.PostID == "") {
				t.Fatalf("row %+v accepted: %v", r, err)
			}
		}
	})
}
