package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/config"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// One installation may host several agencies: each is an organization with its own
// institutions, users and settings, and none sees another's.

func runOrg(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "org", "Usage: passerelle org create|list|setup-link [flags]\n\nRun `passerelle org SUBCOMMAND -h` for its flags.", args,
		map[string]func(context.Context, *Env, []string) error{"create": orgCreate, "list": orgList, "setup-link": orgSetupLink})
}

// setupURL is the link a person opens to create an organization's first owner.
func setupURL(cfg *config.Config, token string) string {
	base := cfg.BaseURL
	if base == "" {
		base = "http://" + cfg.Addr
	}
	return base + "/setup?token=" + token
}

func orgCreate(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "org create", "org create --name NAME [flags]")
	name := fs.String("name", "", "name of the organization (required)")
	build := config.Flags(fs, env.Getenv, "data", "database-url", "secret-key", "log-level", "log-format", "base-url", "addr")
	if err := parse(fs, args); err != nil {
		return err
	}
	if strings.TrimSpace(*name) == "" {
		fmt.Fprintln(env.Stderr, "passerelle org create: --name is required")
		return errUsage
	}
	cfg, db, err := openData(ctx, env, build)
	if err != nil {
		return err
	}
	defer db.Close()
	o, token, err := auth.New(db, nil).NewOrganization(ctx, *name)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.Stdout, "created organization %d %q\n\nIts first owner signs up with this link (valid %s, usable once):\n\n    %s\n", o.ID, o.Name, auth.SetupTTL, setupURL(cfg, token))
	return nil
}

func orgSetupLink(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "org setup-link", "org setup-link --org-id ID [flags]")
	id := fs.Int64("org-id", 0, "organization without users yet (required)")
	build := config.Flags(fs, env.Getenv, "data", "database-url", "secret-key", "log-level", "log-format", "base-url", "addr")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *id <= 0 {
		fmt.Fprintln(env.Stderr, "passerelle org setup-link: --org-id is required")
		return errUsage
	}
	cfg, db, err := openData(ctx, env, build)
	if err != nil {
		return err
	}
	defer db.Close()
	token, err := auth.New(db, nil).NewOrganizationSetupLink(ctx, *id)
	if err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.Stdout, "setup link for the first owner of organization %d (valid %s, usable once):\n\n    %s\n", *id, auth.SetupTTL, setupURL(cfg, token))
	return nil
}

func orgList(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "org list", "org list [flags]")
	data := dataFlags(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := data.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	orgs, err := db.Organizations(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tINSTITUTIONS\tUSERS\tCREATED")
	for _, o := range orgs {
		users, err := db.Users(ctx, o.ID)
		if err != nil {
			return err
		}
		insts, err := db.Institutions(ctx, store.InstitutionFilter{OrgID: o.ID})
		if err != nil {
			return err
		}
		fmt.Fprintf(tw, "%d\t%s\t%d\t%d\t%s\n", o.ID, o.Name, len(insts), len(users), o.CreatedAt.Format(time.DateOnly))
	}
	return tw.Flush()
}

// openData builds the configuration and opens the data it names.
func openData(ctx context.Context, env *Env, build func() (*config.Config, error)) (*config.Config, *store.DB, error) {
	cfg, err := build()
	if err != nil {
		return nil, nil, err
	}
	db, err := openStore(ctx, cfg, newLogger(cfg, env.Stderr))
	return cfg, db, err
}
