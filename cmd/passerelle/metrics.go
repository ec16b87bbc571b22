package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/analytics"
)

// runImportMetrics is `passerelle import metrics --data DIR --account ID FILE`: a
// post-figures export (CSV or XLSX, any supported layout) for an account.
func runImportMetrics(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "import metrics", "import metrics --data DIR --account ID [--skip-bad-rows] [--at RFC3339] FILE")
	account := fs.Int64("account", 0, "the account whose posts the file describes (required)")
	skip := fs.Bool("skip-bad-rows", false, "import the good rows of a partly bad file")
	at := fs.String("at", "", "the instant of rows without a date (default: the file's modification time)")
	data := dataFlags(fs, env)
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 || *account <= 0 {
		fs.Usage()
		return errUsage
	}
	file := positional[0]
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	if st.Size() > analytics.MaxImportBytes {
		return fmt.Errorf("%s: the file is too large (64 MB at most)", file)
	}
	body, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	o := analytics.ImportOptions{At: st.ModTime().Truncate(time.Second), SkipBad: *skip}
	if *at != "" {
		if o.At, err = time.Parse(time.RFC3339, *at); err != nil {
			return fmt.Errorf("--at: use an RFC 3339 instant such as 2026-12-01T10:00:00+08:00")
		}
	}
	o.Progress = func(done, total int) {
		const width = 30
		filled := done * width / max(total, 1)
		fmt.Fprintf(env.Stderr, "\r[%s%s] %d/%d", strings.Repeat("#", filled), strings.Repeat(".", width-filled), done, total)
		if done == total {
			fmt.Fprintln(env.Stderr)
		}
	}
	db, err := data.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	org, err := db.AccountOrg(ctx, *account)
	if err != nil {
		if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
			return fmt.Errorf("account %d not found", *account)
		}
		return err
	}
	svc := &analytics.Service{DB: db}
	res, err := svc.Import(ctx, org, *account, body, o)
	var ie *analytics.ImportError
	if errors.As(err, &ie) {
		return fmt.Errorf("%s: nothing imported:\n%s", file, ie.Error())
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s: %s layout (%s), %d rows, %d readings imported, %d rows skipped\n", file, res.Layout, res.Encoding, res.Rows, res.Imported, len(res.Skipped))
	for _, s := range res.Skipped {
		fmt.Fprintf(env.Stdout, "  skipped line %d: %s\n", s.Line, s.Reason)
	}
	return nil
}
