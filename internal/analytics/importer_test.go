package analytics_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

func TestParseCount(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in    string
		n     int64
		lower bool
		ok    bool
		bad   bool
	}{
		{"12345", 12345, false, true, false},
		{"12,345", 12345, false, true, false},
		{"1.2万", 12000, false, true, false},
		{"1.25万", 12500, false, true, false},
		{"3亿", 300000000, false, true, false},
		{"2.1961亿", 219610000, false, true, false},
		{"10万+", 100000, true, true, false},
		{"1.5w", 15000, false, true, false},
		{" 7 ", 7, false, true, false},
		{"12.0", 12, false, true, false},
		{"", 0, false, false, false},
		{"--", 0, false, false, false},
		{"-5", 0, false, false, true},
		{"1.5", 0, false, false, true},
		{"abc", 0, false, false, true},
		{"1.2.3万", 0, false, false, true},
		{"999999999999999", 0, false, false, true},
		{"200亿", 0, false, false, true},
		{"万", 0, false, false, true},
	} {
		n, lower, ok, err := analytics.ParseCount(c.in)
		if (err != nil) != c.bad || n != c.n || lower != c.lower || ok != c.ok {
			t.Errorf("ParseCount(%q) = %d, %v, %v, %v", c.in, n, lower, ok, err)
		}
	}
	for _, c := range []struct {
		n     int64
		lower bool
		want  string
	}{{100000, true, "100k+"}, {21967000, false, "21,967,000"}, {3000000, true, "3M+"}, {0, false, "0"}, {1234, true, "1,234+"}} {
		if got := analytics.FormatCount(c.n, c.lower); got != c.want {
			t.Errorf("FormatCount(%d, %v) = %q, want %q", c.n, c.lower, got, c.want)
		}
	}
}

func readTestdata(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestParseExports reads real-looking exports: Chinese headers after a title line,
// 万/亿 units, 10万+, GBK, XLSX.
func TestParseExports(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		file, layout, encoding string
		rows                   int
		views                  []int64
		lower                  bool
	}{
		{"weibo_datacenter.csv", analytics.LayoutWeibo, "utf-8", 2, []int64{12000, 300000000}, false},
		{"weibo_datacenter_gbk.csv", analytics.LayoutWeibo, "gb18030", 2, []int64{12000, 300000000}, false},
		{"weibo_datacenter.xlsx", analytics.LayoutWeibo, "xlsx", 2, []int64{12000, 300000000}, false},
		{"wechat_backoffice.csv", analytics.LayoutWeChat, "utf-8", 1, []int64{100000}, true},
		{"generic.csv", analytics.LayoutGeneric, "utf-8", 1, []int64{25000}, false},
	} {
		t.Run(c.file, func(t *testing.T) {
			p, err := analytics.Parse(readTestdata(t, c.file))
			if err != nil {
				t.Fatal(err)
			}
			if p.Layout != c.layout || p.Encoding != c.encoding || len(p.Rows) != c.rows || len(p.Errors) != 0 {
				t.Fatalf("layout %s, encoding %s, %d rows, errors %v", p.Layout, p.Encoding, len(p.Rows), p.Errors)
			}
			for i, v := range c.views {
				if *p.Rows[i].Views != v || p.Rows[i].LowerBound != c.lower {
					t.Errorf("row %d views %d (lower %v), want %d", i, *p.Rows[i].Views, p.Rows[i].LowerBound, v)
				}
			}
			if c.file != "wechat_backoffice.csv" && c.file != "generic.csv" && (*p.Rows[0].Likes != 1056 || *p.Rows[0].Reposts != 12 || *p.Rows[0].Comments != 34 || p.Rows[0].Line != 3) {
				t.Errorf("first row = %+v", p.Rows[0])
			}
		})
	}
}

func TestParseRejects(t *testing.T) {
	t.Parallel()
	p, err := analytics.Parse(readTestdata(t, "bad_rows.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[int]string{2: "cannot be negative", 3: "not in a known form", 4: "not a number", 5: "no post id", 6: "absurdly large"}
	if len(p.Errors) != len(want) {
		t.Fatalf("errors = %v", p.Errors)
	}
	for _, e := range p.Errors {
		if !strings.Contains(e.Reason, want[e.Line]) {
			t.Errorf("line %d: %q, want %q", e.Line, e.Reason, want[e.Line])
		}
	}
	for name, data := range map[string][]byte{
		"no header":        []byte("a,b,c\n1,2,3\n"),
		"binary":           {0x81, 0x30, 0xff, 0xff, 0x00, 0xfe},
		"header only":      []byte("post_id,views\n"),
		"not a zip":        []byte("PK\x03\x04garbage"),
		"nul in utf-8":     []byte("post_id,views\x00\n1,2\n"),
		"invalid gb18030":  {0xff, 0xff, 0xff, '\n'},
		"unterminated csv": []byte("post_id,views\n\"1,2\n3"),
	} {
		p, err := analytics.Parse(data)
		var ie *analytics.ImportError
		if err == nil && len(p.Errors) == 0 || err != nil && !errors.As(err, &ie) {
			t.Errorf("%s: accepted", name)
		}
	}
}

// TestImport imports the exports into a world's publications: a bad file imports
// nothing, re-importing changes nothing, another organization's account is not
// found.
func TestImport(t *testing.T) {
	t.Parallel()
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		w := newWorld(t, db, "guimet")
		w.load(t)
		fileAt := time.Date(2026, 12, 2, 0, 0, 0, 0, time.UTC)
		count := func() int {
			n := 0
			for _, id := range []int64{w.weibo.ID, w.wechat.ID} {
				rows, _ := db.TrackedPublications(ctx, w.org.ID, id)
				for _, r := range rows {
					s, _ := db.PublicationSnapshots(ctx, w.org.ID, r.ID)
					n += len(s)
				}
			}
			return n
		}
		start := count()
		// A partly bad file imports nothing.
		_, err := w.svc.Import(ctx, w.org.ID, w.weibo.ID, readTestdata(t, "bad_rows.csv"), analytics.ImportOptions{At: fileAt})
		var ie *analytics.ImportError
		if !errors.As(err, &ie) || len(ie.Rows) != 5 || count() != start {
			t.Fatalf("bad file: %v, %d readings (want %d)", err, count(), start)
		}
		// Unless asked to skip bad rows: line 3 (5002, 02/11/2026) is bad; none is good.
		res, err := w.svc.Import(ctx, w.org.ID, w.weibo.ID, readTestdata(t, "bad_rows.csv"), analytics.ImportOptions{At: fileAt, SkipBad: true})
		if err != nil || res.Imported != 0 || len(res.Skipped) != 5 {
			t.Fatalf("skip bad: %+v, %v", res, err)
		}
		for range 2 {
			res, err = w.svc.Import(ctx, w.org.ID, w.weibo.ID, readTestdata(t, "weibo_datacenter_gbk.csv"), analytics.ImportOptions{At: fileAt})
			if err != nil || res.Imported != 2 {
				t.Fatalf("gbk import: %+v, %v", res, err)
			}
			if count() != start+2 {
				t.Fatalf("readings = %d, want %d", count(), start+2)
			}
		}
		p, _ := analytics.ParsePeriod("2026-11-01", "2026-11-30")
		s, _, err := w.svc.InstitutionSummary(ctx, w.owner, w.inst.ID, p)
		if err != nil {
			t.Fatal(err)
		}
		// Degas: views 12,000 and likes 1,056 now (newer than the API's 20).
		if s.Views != 100000+12000+300000000 || s.Likes != 1056+5+300+1 {
			t.Errorf("after import: views %d likes %d", s.Views, s.Likes)
		}
		// The WeChat export matches by URL only when the publication has it.
		if _, err := w.svc.Import(ctx, w.org.ID, w.wechat.ID, readTestdata(t, "wechat_backoffice.csv"), analytics.ImportOptions{At: fileAt}); !errors.As(err, &ie) || !strings.Contains(err.Error(), "line 2") {
			t.Errorf("unknown article: %v", err)
		}
		other := newWorld(t, db, "autre")
		if _, err := w.svc.Import(ctx, w.org.ID, other.weibo.ID, readTestdata(t, "weibo_datacenter.csv"), analytics.ImportOptions{At: fileAt}); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
			t.Errorf("other org's account: %v", err)
		}
	})
}

func FuzzParse(f *testing.F) {
	for _, name := range []string{"weibo_datacenter.csv", "weibo_datacenter_gbk.csv", "wechat_backoffice.csv", "generic.csv", "bad_rows.csv", "weibo_datacenter.xlsx"} {
		b, err := os.ReadFile("testdata/" + name)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := analytics.Parse(data)
		if err != nil {
			var ie *analytics.ImportError
			if !errors.As(err, &ie) {
				t.Fatalf("error of another kind: %v", err)
			}
			return
		}
		for _, r := range p.Rows {
			for _, v := range []*int64{r.Views, r.Likes, r.Comments, r.Reposts} {
				if v != nil && (*v < 0 || *v > 10_000_000_000) {
					t.Fatalf("figure out of range: %d", *v)
				}
			}
			if r.ID == "" && r.URL == "" {
				t.Fatal("a row without a post")
			}
		}
	})
}

func FuzzParseCount(f *testing.F) {
	for _, s := range []string{"1.2万", "3亿", "10万+", "12,345", "-1", "1.5w", "9999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, _, ok, err := analytics.ParseCount(s)
		if err == nil && ok && (n < 0 || n > 10_000_000_000) {
			t.Fatalf("ParseCount(%q) = %d", s, n)
		}
	})
}
