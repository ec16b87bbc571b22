package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/editorial"
	"github.com/passerelle-oss/passerelle/internal/i18n"
)

// runImportSchedule is `passerelle import schedule --data DIR --institution ID --as
// EMAIL [--dry-run] FILE`: the schedule CSV import of the calendar (the same service as
// the page and the API), run as a user whose rights it takes. Every row is listed; a
// file with a bad row creates nothing and exits non-zero.
func runImportSchedule(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "import schedule", "import schedule --data DIR --institution ID --as EMAIL [--dry-run] FILE")
	inst := fs.Int64("institution", 0, "the institution whose calendar the file fills (required)")
	as := fs.String("as", "", "e-mail of the user who imports: the drafts are theirs, and their rights apply (required)")
	dry := fs.Bool("dry-run", false, "check and list the rows, create nothing")
	data := dataFlags(fs, env)
	positional, err := parseInterleaved(fs, args)
	if err != nil {
		return err
	}
	if len(positional) != 1 || *inst <= 0 || *as == "" {
		fs.Usage()
		return errUsage
	}
	file := positional[0]
	st, err := os.Stat(file)
	if err != nil {
		return err
	}
	if st.Size() > editorial.MaxScheduleImportBytes {
		return fmt.Errorf("%s: the file is too large (%d MB at most)", file, editorial.MaxScheduleImportBytes>>20)
	}
	body, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	cfg, err := data.config()
	if err != nil {
		return err
	}
	db, err := data.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	u, _, err := db.UserByEmail(ctx, *as)
	if err != nil {
		if passerelle.ErrorCode(err) == passerelle.ENOTFOUND {
			return fmt.Errorf("--as: no user %s", *as)
		}
		return err
	}
	l := i18n.Shared().Localizer("en")
	res, err := editorial.New(editorial.Options{DB: db, DataDir: cfg.DataDir}).ImportSchedule(ctx, u, *inst, body, *dry)
	if err != nil {
		if passerelle.ErrorCode(err) != passerelle.EINTERNAL {
			return fmt.Errorf("%s: nothing imported: %s", file, l.Domain(passerelle.ErrorMessage(err)))
		}
		return err
	}
	for _, it := range res.Items {
		if len(it.Errors) > 0 {
			msgs := make([]string, len(it.Errors))
			for i, e := range it.Errors {
				msgs[i] = l.Domain(e)
			}
			fmt.Fprintf(env.Stdout, "line %d: %s\n", it.Line, strings.Join(msgs, " "))
			continue
		}
		fmt.Fprintf(env.Stdout, "line %d: %s (%s) Beijing %s, %s %s: %s\n", it.Line, it.Local, res.TimeZone, it.Beijing, it.PlatformID, it.AccountName, it.Title)
	}
	switch {
	case res.Errors > 0:
		return fmt.Errorf("%s: %d of %d rows are wrong: nothing imported", file, res.Errors, len(res.Items))
	case *dry:
		fmt.Fprintf(env.Stdout, "%s: %d rows are right; nothing created (--dry-run)\n", file, len(res.Items))
	default:
		fmt.Fprintf(env.Stdout, "%s: %d draft posts created with their publication times\n", file, len(res.Items))
	}
	return nil
}
