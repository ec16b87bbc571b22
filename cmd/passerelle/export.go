package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/orgexport"
	"github.com/passerelle-oss/passerelle/internal/store"
	"github.com/passerelle-oss/passerelle/internal/visit"
)

func runExport(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "site" {
		return runExportSite(ctx, env, args[1:])
	}
	if len(args) == 0 || args[0] != "org" {
		fmt.Fprintln(env.Stderr, "Usage: passerelle export org --data DIR --id N OUTDIR\n       passerelle export site --data DIR --institution ID [--base-url URL] OUTDIR")
		return errUsage
	}
	fs := flags(env, "export org", "export org --data DIR --id N OUTDIR")
	data := dataFlags(fs, env)
	id := fs.Int64("id", 0, "the organization's id (passerelle user list shows it)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 || *id <= 0 {
		fs.Usage()
		return errUsage
	}
	out := fs.Arg(0)
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty", out)
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
	m, err := orgexport.Export(ctx, db, &media.DiskStore{Root: filepath.Join(cfg.DataDir, "media")}, *id, version(), orgexport.Dir(out))
	if err != nil {
		return err
	}
	db.Audit(ctx, store.AuditEntry{OrgID: *id, Actor: "command line", Action: store.AuditOrgExport, Object: "organization", ObjectID: store.ID(*id)})
	fmt.Fprintf(env.Stdout, "exported %q to %s: %d institutions, %d accounts, %d posts, %d files\n", m.Organization.Name, out, m.Counts["institutions"], m.Counts["accounts"], m.Counts["posts"], len(m.Files))
	return nil
}

func runImport(ctx context.Context, env *Env, args []string) error {
	if len(args) > 0 && args[0] == "metrics" {
		return runImportMetrics(ctx, env, args[1:])
	}
	if len(args) > 0 && args[0] == "schedule" {
		return runImportSchedule(ctx, env, args[1:])
	}
	if len(args) == 0 || args[0] != "org" {
		fmt.Fprintln(env.Stderr, "Usage: passerelle import org --data DIR EXPORTDIR\n       passerelle import metrics --data DIR --account ID FILE\n       passerelle import schedule --data DIR --institution ID --as EMAIL [--dry-run] FILE")
		return errUsage
	}
	fs := flags(env, "import org", "import org --data DIR EXPORTDIR")
	data := dataFlags(fs, env)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
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
	m, err := orgexport.Import(ctx, db, &media.DiskStore{Root: filepath.Join(cfg.DataDir, "media")}, fs.Arg(0))
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "imported %q: %d institutions, %d users (set their passwords with passerelle user set-password), %d posts\n", m.Organization.Name, m.Counts["institutions"], m.Counts["users"], m.Counts["posts"])
	return nil
}

// runExportSite writes an institution's published tours and exhibitions as a static
// site (internal/visit.ExportSite).
func runExportSite(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "export site", "export site --data DIR --institution ID [--base-url URL] OUTDIR")
	data := dataFlags(fs, env)
	id := fs.Int64("institution", 0, "the institution's id")
	baseURL := fs.String("base-url", "", "the address where OUTDIR will be served (https://…); the index and stop labels get QR codes of the pages there")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *id <= 0 {
		fs.Usage()
		return errUsage
	}
	out := fs.Arg(0)
	if entries, err := os.ReadDir(out); err == nil && len(entries) > 0 {
		return fmt.Errorf("%s is not empty", out)
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
	vis := visit.New(db, &media.DiskStore{Root: filepath.Join(cfg.DataDir, "media")}, cfg.BaseURL, nil)
	rep, err := vis.ExportSiteWith(ctx, *id, out, visit.ExportOptions{BaseURL: *baseURL})
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "exported %d tours and %d exhibitions to %s: %d pages, %d media files\n", rep.Tours, rep.Exhibitions, out, rep.Pages, rep.Files)
	fmt.Fprintf(env.Stdout, "  %s\n", filepath.Join(out, "index.html"))
	for _, e := range rep.Entries {
		fmt.Fprintf(env.Stdout, "  %s\n", filepath.Join(out, e))
	}
	return nil
}
