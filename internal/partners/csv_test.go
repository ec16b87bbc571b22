package partners_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/partners"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/store/storetest"
)

const goodCSV = "\ufeffname,name_zh,kind,topics,platform,handle,followers,consent\n" +
	"Shanghai Museum,上海博物馆,museum,bronzes;céramique,weibo,shbwg,\"2,000,000\",granted\n" +
	"Shanghai Museum,上海博物馆,museum,,wechat,shanghaimuseum,,\n" +
	"Lin,林,influencer,mode,xiaohongshu,lin,50000,\n" +
	"Press,,media,,,,,\n"

func TestParseCSV(t *testing.T) {
	t.Parallel()
	ps, err := partners.ParseCSV(strings.NewReader(goodCSV))
	if err != nil {
		t.Fatal(err)
	}
	if len(ps) != 3 || len(ps[0].Accounts) != 2 || *ps[0].Accounts[0].Followers != 2_000_000 || ps[0].Consent != "granted" || len(ps[0].Topics) != 2 || len(ps[2].Accounts) != 0 {
		t.Fatalf("partners %+v", ps)
	}
	for name, tc := range map[string]struct {
		file string
		line int
		msg  string
	}{
		"empty":             {"", 1, "empty"},
		"unknown column":    {"name,kind,colour\nA,museum,red\n", 1, `Unknown column "colour"`},
		"no kind column":    {"name\nA\n", 1, `Missing column "kind"`},
		"twice":             {"name,kind,kind\nA,museum,museum\n", 1, "appears twice"},
		"bad kind":          {"name,kind\nA,museum\nB,robot\n", 3, "kind:"},
		"negative":          {"name,kind,platform,handle,followers\nA,museum,weibo,a,-5\n", 2, "followers: Cannot be negative"},
		"absurd":            {"name,kind,platform,handle,followers\nA,museum,weibo,a,99999999999999\n", 2, "followers: Too large"},
		"not a number":      {"name,kind,platform,handle,followers\nA,museum,weibo,a,many\n", 2, "not a whole number"},
		"bad platform":      {"name,kind,platform,handle\nA,museum,myspace,a\n", 2, "platform:"},
		"followers alone":   {"name,kind,followers\nA,museum,10\n", 2, "give its platform and handle"},
		"duplicate account": {"name,kind,platform,handle\nA,museum,weibo,a\nA,museum,weibo,a\n", 3, "Duplicates the weibo account"},
		"no name":           {"name,kind\n,museum\n", 2, "name:"},
		"no line":           {"name,kind\n", 2, "no partner"},
		"not utf-8":         {"name,kind\n\xff,museum\n", 0, "UTF-8"},
		"bad quotes":        {"name,kind\n\"A,museum\n", 2, "Malformed CSV"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := partners.ParseCSV(strings.NewReader(tc.file))
			var le partners.LineErrors
			if !errors.As(err, &le) {
				t.Fatalf("error %v", err)
			}
			if le[0].Line != tc.line || !strings.Contains(le[0].Message, tc.msg) {
				t.Fatalf("got line %d %q, want line %d containing %q", le[0].Line, le[0].Message, tc.line, tc.msg)
			}
		})
	}
}

// TestImportAllOrNothing: a file with one bad line imports nothing; a good one all.
func TestImportAllOrNothing(t *testing.T) {
	storetest.Engines(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		b := setup(t, db)
		bad := goodCSV + "Broken,,museum,,weibo,x,-1,\n"
		_, err := b.svc.ImportPartners(ctx, b.owner, strings.NewReader(bad))
		code(t, err, passerelle.EINVALID)
		if f := passerelle.ErrorFields(err); f["line 6"] == "" {
			t.Fatalf("fields %v", f)
		}
		if ps, _ := b.svc.Partners(ctx, b.owner, partners.Search{}); len(ps) != 0 {
			t.Fatalf("a refused file left %d partners", len(ps))
		}
		n, err := b.svc.ImportPartners(ctx, b.owner, strings.NewReader(goodCSV))
		if err != nil || n != 3 {
			t.Fatalf("imported %d, %v", n, err)
		}
		ps, _ := b.svc.Partners(ctx, b.owner, partners.Search{Platform: passerelle.WeChat})
		if len(ps) != 1 || ps[0].NameZH != "上海博物馆" {
			t.Fatalf("search after import %+v", ps)
		}
		viewer := b.user(b.org, false, passerelle.Membership{InstitutionID: b.inst, Role: passerelle.RoleViewer})
		_, err = b.svc.ImportPartners(ctx, viewer, strings.NewReader(goodCSV))
		code(t, err, passerelle.EFORBIDDEN)
	})
}

// FuzzParseCSV: a directory file is outside input. Parsing never panics, and what it
// accepts is valid partners.
func FuzzParseCSV(f *testing.F) {
	for _, s := range []string{goodCSV, "name,kind\nA,museum\n", "name,kind,platform,handle,followers\nA,museum,weibo,a,1\nA,museum,wechat,b,2\n", "\"", "name,kind\n\"a\"\"b\",artist\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, file string) {
		ps, err := partners.ParseCSV(strings.NewReader(file))
		if err != nil {
			var le partners.LineErrors
			if !errors.As(err, &le) || len(le) == 0 {
				t.Fatalf("error %v is not a list of lines", err)
			}
			return
		}
		for _, p := range ps {
			if err := p.Validate(); err != nil {
				t.Fatalf("accepted an invalid partner %+v: %v", p, err)
			}
		}
	})
}
