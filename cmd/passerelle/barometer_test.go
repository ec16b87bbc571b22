package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"net/http"
	"strings"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/api/apitest"
	"github.com/passerelle-oss/passerelle/internal/config"
)

// TestBarometerImportThenAPI imports the 2016 file with the command line, then reads
// the barometer through the API of a server opened on the same data directory.
func TestBarometerImportThenAPI(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	run := func(args ...string) (int, string) {
		var out, errs bytes.Buffer
		code := Run(ctx, args, strings.NewReader(""), &out, &errs, func(string) string { return "" })
		return code, out.String() + errs.String()
	}
	if code, out := run("barometer", "import", "--data", dir, "../../internal/barometer/testdata/barometer-weibo-2016.csv"); code != 0 || !strings.Contains(out, "10 institutions and 11 watched accounts created") {
		t.Fatalf("import: %d %s", code, out)
	}
	if code, out := run("barometer", "import", "--data", dir, "../../internal/barometer/testdata/barometer-weibo-2016.csv"); code != 0 || !strings.Contains(out, "0 readings added, 14 updated; 0 institutions") {
		t.Fatalf("re-import: %d %s", code, out)
	}
	if code, out := run("barometer", "snapshot", "--data", dir, "--quarter", "2016Q3"); code != 0 || !strings.Contains(out, "2016Q3") {
		t.Fatalf("snapshot: %d %s", code, out)
	}
	// Public only once published, by its slug (issue 9, finding 8).
	if code, out := run("barometer", "publish", "--data", dir, "--slug", "12"); code == 0 {
		t.Fatalf("publish under a number: %s", out)
	}
	if code, out := run("barometer", "publish", "--data", dir, "--slug", "agence"); code != 0 || !strings.Contains(out, "?org=agence") {
		t.Fatalf("publish: %d %s", code, out)
	}

	fs := flag.NewFlagSet("test", flag.ContinueOnError)
	build := config.Flags(fs, func(string) string { return "" })
	if err := fs.Parse([]string{"--addr", "127.0.0.1:0", "--data", dir, "--log-level", "error"}); err != nil {
		t.Fatal(err)
	}
	cfg, err := build()
	if err != nil {
		t.Fatal(err)
	}
	m := &Main{Config: cfg}
	if err := m.Open(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	orgs, err := m.DB.Organizations(ctx)
	if err != nil || len(orgs) != 1 {
		t.Fatalf("organizations %v %v", orgs, err)
	}
	u := &passerelle.User{OrgID: orgs[0].ID, Email: "owner@example.org", Owner: true}
	if err := m.DB.CreateUser(ctx, u, "unused"); err != nil {
		t.Fatal(err)
	}
	token, _, err := m.Auth.CreateToken(ctx, u.ID, "test", nil)
	if err != nil {
		t.Fatal(err)
	}
	client := apitest.New(t).Client(t)
	get := func(path string, v any) int {
		t.Helper()
		req, _ := http.NewRequest("GET", m.URL()+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		if v != nil {
			if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
				t.Fatal(err)
			}
		}
		return resp.StatusCode
	}
	var tab struct {
		Rows []struct {
			Rank        *int     `json:"rank"`
			Institution string   `json:"institution"`
			Country     string   `json:"country"`
			Followers   *int64   `json:"followers"`
			Share       *float64 `json:"share"`
			Growth      *int64   `json:"growth"`
			Index       *float64 `json:"index"`
		} `json:"rows"`
		TotalFollowers int64 `json:"total_followers"`
	}
	if st := get("/api/v1/barometer?from=2016-08-28&to=2016-09-30&platform=weibo", &tab); st != 200 {
		t.Fatalf("status %d", st)
	}
	if len(tab.Rows) != 10 || tab.TotalFollowers != 215899 {
		t.Fatalf("%d rows, total %d", len(tab.Rows), tab.TotalFollowers)
	}
	first, last := tab.Rows[0], tab.Rows[9]
	if *first.Rank != 1 || first.Institution != "Musée du Louvre" || first.Country != "FR" || *first.Followers != 59519 || *first.Share != 27.57 || *first.Growth != 473 {
		t.Errorf("first row %+v", first)
	}
	if *last.Rank != 10 || last.Institution != "France Patrimoine Musées" || *last.Followers != 4059 || *last.Growth != 0 {
		t.Errorf("last row %+v", last)
	}
	// 2020: only the Louvre has figures; the others are listed as no data.
	if st := get("/api/v1/barometer?from=2020-04-01&to=2020-06-30", &tab); st != 200 || tab.TotalFollowers != 261000+48000 || *tab.Rows[0].Followers != 309000 || tab.Rows[1].Rank != nil || tab.Rows[1].Followers != nil {
		t.Errorf("2020 combined: %d %+v", st, tab)
	}
	for _, bad := range []string{"from=2016-13-01&to=2016-12-31", "from=2016-09-30&to=2016-07-01", "from=2016-07-01&to=2016-09-30&platform=myspace", "from=2016-07-01"} {
		if st := get("/api/v1/barometer?"+bad, nil); st != http.StatusUnprocessableEntity {
			t.Errorf("%s: status %d, want 422", bad, st)
		}
	}
	var eds struct {
		Items []struct {
			ID       int64  `json:"id"`
			Platform string `json:"platform"`
		} `json:"items"`
	}
	if st := get("/api/v1/barometer/editions", &eds); st != 200 || len(eds.Items) != 2 {
		t.Errorf("editions %d %+v", st, eds)
	}
}
