package main

import (
	"flag"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
)

// TestCLIImportSchedule: `passerelle import schedule` plans drafts from a CSV as the
// calendar's import does: a bad row lists every problem by line and creates nothing
// (exit 1); --dry-run lists and creates nothing; then every row becomes a draft.
func TestCLIImportSchedule(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	if code, _, errOut := run(t, "correct horse battery\n", nil, "user", "create", "--data", dir, "--email", "owner@example.org", "--role", "owner"); code != 0 {
		t.Fatal(errOut)
	}
	fs := flag.NewFlagSet("t", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	data := dataFlags(fs, &Env{Stderr: io.Discard, Getenv: func(string) string { return "" }})
	if err := fs.Parse([]string{"--data", dir}); err != nil {
		t.Fatal(err)
	}
	db, err := data.open(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	owner, _, err := db.UserByEmail(t.Context(), "owner@example.org")
	if err != nil {
		t.Fatal(err)
	}
	inst := &passerelle.Institution{OrgID: owner.OrgID, Name: "Musée d'Orsay", TimeZone: "Europe/Paris"}
	if err := db.CreateInstitution(t.Context(), inst); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateAccount(t.Context(), owner.OrgID, &passerelle.Account{InstitutionID: inst.ID, Platform: passerelle.Weibo, Kind: passerelle.AccountManaged, Handle: "orsay"}); err != nil {
		t.Fatal(err)
	}
	posts := func() int {
		ps, err := editorial.New(editorial.Options{DB: db, DataDir: dir}).Posts(t.Context(), owner, editorial.PostQuery{InstitutionID: inst.ID})
		if err != nil {
			t.Fatal(err)
		}
		return len(ps)
	}
	y := strconv.Itoa(time.Now().Year() + 1)
	write := func(name, body string) string {
		p := filepath.Join(t.TempDir(), name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	id := strconv.FormatInt(inst.ID, 10)
	good := write("good.csv", "date,time,account,platform,title,text\n"+y+"-03-08,10:00,orsay,weibo,Bon,好的。\n"+y+"-03-09,11:30,@orsay,微博,Encore,再来。\n")
	bad := write("bad.csv", "date,time,account,platform,title,text\n"+y+"-03-08,10:00,orsay,weibo,Bon,好的。\n2001-01-01,10:00,orsay,weibo,Passé,过去。\n"+y+"-03-10,10:00,louvre,weibo,Qui,谁。\n")

	code, out, errOut := run(t, "", nil, "import", "schedule", "--data", dir, "--institution", id, "--as", "owner@example.org", bad)
	if code != 1 || !strings.Contains(out, "line 3:") || !strings.Contains(out, "line 4:") || !strings.Contains(errOut, "2 of 3 rows are wrong: nothing imported") || posts() != 0 {
		t.Fatalf("bad file: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = run(t, "", nil, "import", "schedule", "--data", dir, "--institution", id, "--as", "owner@example.org", "--dry-run", good)
	if code != 0 || !strings.Contains(out, "line 2: "+y+"-03-08 10:00 (Europe/Paris) Beijing "+y+"-03-08 17:00") || !strings.Contains(out, "nothing created") || posts() != 0 {
		t.Fatalf("dry run: exit %d\n%s\n%s", code, out, errOut)
	}
	code, out, errOut = run(t, "", nil, "import", "schedule", "--data", dir, "--institution", id, "--as", "owner@example.org", good)
	if code != 0 || !strings.Contains(out, "2 draft posts created") || posts() != 2 {
		t.Fatalf("import: exit %d\n%s\n%s", code, out, errOut)
	}
	for _, c := range [][]string{
		{"--institution", id, "--as", "nobody@example.org", good},
		{"--institution", "999", "--as", "owner@example.org", good},
		{"--institution", id, "--as", "owner@example.org", filepath.Join(dir, "absent.csv")},
	} {
		if code, out, errOut := run(t, "", nil, append([]string{"import", "schedule", "--data", dir}, c...)...); code != 1 {
			t.Errorf("%v: exit %d %q %q", c, code, out, errOut)
		}
	}
	if code, _, _ := run(t, "", nil, "import", "schedule", "--data", dir, good); code != 2 {
		t.Errorf("no --institution: exit %d", code)
	}
	if posts() != 2 {
		t.Errorf("posts after the refusals: %d", posts())
	}
}
