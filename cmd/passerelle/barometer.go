package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"text/tabwriter"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/api"
	"github.com/passerelle-oss/passerelle/internal/barometer"
	"github.com/passerelle-oss/passerelle/internal/csvout"
	"github.com/passerelle-oss/passerelle/internal/public"
	"github.com/passerelle-oss/passerelle/internal/server"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/tenancy"
)

const barometerUsage = `Usage: passerelle barometer SUBCOMMAND [flags]

Subcommands:
  import FILE        import follower counts from a CSV file
                     (date,institution,country,platform,followers); institutions and
                     watched accounts are created when unknown; any bad line refuses
                     the whole file
  snapshot           publish (freeze) the editions of a quarter: --quarter 2026Q4
  show               print the live barometer of a period
  editions           list the published editions
  publish            show the barometer on the public pages (/barometer?org=SLUG):
                     --slug SLUG (lower-case letters, digits, hyphens); off by
                     default, except for the demo
  unpublish          take it off the public pages

Run ` + "`passerelle barometer SUBCOMMAND -h`" + ` for its flags.`

// registerBarometer adds the barometer's API routes and public pages to a server.
func registerBarometer(srv *server.Server, t *tenancy.Service, db *store.DB) {
	svc := &barometer.Service{DB: db}
	api.RegisterBarometer(srv, t, svc)
	public.RegisterBarometer(srv, db, svc)
}

func runBarometer(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprintln(env.Stderr, barometerUsage)
		if len(args) > 0 {
			return nil
		}
		return errUsage
	}
	sub := args[0]
	fs := flags(env, "barometer "+sub, "barometer "+sub+" [flags]")
	orgID := fs.Int64("org-id", 0, "the organization, when several exist")
	quarter := fs.String("quarter", "", "snapshot, show: a quarter such as 2026Q4 (show: the current quarter by default)")
	from := fs.String("from", "", "show: first day YYYY-MM-DD (with --to)")
	to := fs.String("to", "", "show: last day YYYY-MM-DD, included")
	platform := fs.String("platform", "", "show: weibo, wechat, douyin, xiaohongshu or all (default all)")
	country := fs.String("country", "", "show: keep countries (FR,IT) or exclude them (!CN)")
	format := fs.String("format", "table", "show: table, csv or json")
	slug := fs.String("slug", "", "publish: the name of the public barometer in its address")
	data := dataFlags(fs, env)
	switch sub {
	case "import", "snapshot", "show", "editions", "publish", "unpublish":
	default:
		fmt.Fprintf(env.Stderr, "passerelle barometer: unknown subcommand %q\n\n%s\n", sub, barometerUsage)
		return errUsage
	}
	positional, err := parseInterleaved(fs, args[1:])
	if err != nil {
		return err
	}
	if (sub == "import") != (len(positional) == 1) || (sub != "import" && len(positional) > 0) {
		if sub == "import" {
			fmt.Fprintln(env.Stderr, "passerelle barometer import: give one CSV file")
		} else {
			fmt.Fprintf(env.Stderr, "passerelle barometer %s: unexpected argument %q\n", sub, positional[0])
		}
		return errUsage
	}
	if sub == "snapshot" && *quarter == "" {
		fmt.Fprintln(env.Stderr, "passerelle barometer snapshot: --quarter is required (such as 2026Q4)")
		return errUsage
	}
	db, err := data.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	org, err := organizationFor(ctx, db, *orgID, "My organization")
	if err != nil {
		return err
	}
	svc := &barometer.Service{DB: db}
	switch sub {
	case "import":
		f, err := os.Open(positional[0])
		if err != nil {
			return err
		}
		defer f.Close()
		res, err := svc.Import(ctx, org, f)
		var le barometer.LineErrors
		if errors.As(err, &le) {
			return le
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "imported %d lines: %d readings added, %d updated; %d institutions and %d watched accounts created\n",
			res.Lines, res.Inserted, res.Updated, res.InstitutionsCreated, res.AccountsCreated)
		return nil
	case "snapshot":
		p, err := barometer.ParseQuarter(*quarter)
		if err != nil {
			return userError(err)
		}
		es, err := svc.SnapshotQuarter(ctx, org, *quarter)
		if err != nil {
			return userError(err)
		}
		if p.End().After(svc.Clock()) {
			fmt.Fprintf(env.Stderr, "note: %s is not over; its editions freeze the figures known today\n", p.Label)
		}
		return printEditions(env, es)
	case "publish":
		if err := db.PublishBarometer(ctx, org, *slug); err != nil {
			return userError(err)
		}
		fmt.Fprintf(env.Stdout, "the barometer is public at /barometer?org=%s\n", *slug)
		return nil
	case "unpublish":
		if err := db.UnpublishBarometer(ctx, org); err != nil {
			return err
		}
		fmt.Fprintln(env.Stdout, "the barometer is no longer public")
		return nil
	case "editions":
		es, err := svc.Editions(ctx, org, "")
		if err != nil {
			return err
		}
		return printEditions(env, es)
	}
	// show
	var p barometer.Period
	switch {
	case *from != "" || *to != "":
		f, err1 := barometer.ParseDate(*from)
		t, err2 := barometer.ParseDate(*to)
		if err1 != nil || err2 != nil {
			return errors.New("--from and --to take dates YYYY-MM-DD")
		}
		p, err = barometer.NewPeriod(f, t)
	case *quarter != "":
		p, err = barometer.ParseQuarter(*quarter)
	default:
		p = barometer.Quarter(svc.Clock())
	}
	if err != nil {
		return userError(err)
	}
	keep, exclude, err := barometer.ParseCountries(*country)
	if err != nil {
		return fmt.Errorf("--country: %w", err)
	}
	t, err := svc.Compute(ctx, org, p, *platform, barometer.Filter{Countries: keep, ExcludeCountries: exclude})
	if err != nil {
		return userError(err)
	}
	switch *format {
	case "csv":
		return barometer.WriteTableCSV(env.Stdout, t, csvout.Options{})
	case "json":
		enc := json.NewEncoder(env.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(t)
	}
	fmt.Fprintf(env.Stdout, "%s (%s to %s), %s — %d followers in total\n\n", t.Period, t.From, t.To, t.Platform, t.TotalFollowers)
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "rank\tinstitution\tcountry\tfollowers\tshare %\tgrowth\tindex\tmove\t")
	for _, r := range t.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t\n", show(r.Rank), r.Institution, r.Country, show(r.Followers), show(r.Share), show(r.Growth), show(r.Index), show(r.Movement))
	}
	return tw.Flush()
}

// show prints a figure, "–" when unknown (no data is never printed as zero).
func show[T int | int64 | float64](p *T) string {
	if p == nil {
		return "–"
	}
	return fmt.Sprint(*p)
}

func printEditions(env *Env, es []barometer.Edition) error {
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tPERIOD\tFROM\tTO\tPLATFORM\tFOLLOWERS\tPUBLISHED")
	for _, e := range es {
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%d\t%s\n", e.ID, e.Period, e.From, e.To, e.Platform, e.TotalFollowers, e.PublishedAt.Format("2006-01-02 15:04 UTC"))
	}
	return tw.Flush()
}

// userError prints a domain error's message and fields rather than its code.
func userError(err error) error {
	fields := passerelle.ErrorFields(err)
	if passerelle.ErrorCode(err) == passerelle.EINTERNAL {
		return err
	}
	msg := passerelle.ErrorMessage(err)
	for k, v := range fields {
		msg += fmt.Sprintf(" %s: %s", k, v)
	}
	return errors.New(msg)
}

// parseInterleaved parses flags placed before or after positional arguments
// (import --data DIR FILE, or import FILE --data DIR).
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var positional []string
	for {
		if err := parse(fs, args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return positional, nil
		}
		positional = append(positional, args[0])
		args = args[1:]
	}
}
