package main

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/passerelle-oss/passerelle/internal/auth"
)

func runToken(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(env.Stderr, "Usage: passerelle token create|list|revoke --email EMAIL [flags]")
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errUsage
	}
	sub := args[0]
	fs := flags(env, "token "+sub, "token "+sub+" --email EMAIL [flags]")
	email := fs.String("email", "", "the token owner's e-mail address (required)")
	name := fs.String("name", "command line", "create: a name to recognise the token")
	ttl := fs.Duration("expires-in", 0, "create: lifetime such as 720h (0: never expires)")
	id := fs.Int64("id", 0, "revoke: the token id (see token list)")
	data := dataFlags(fs, env)
	if sub != "create" && sub != "list" && sub != "revoke" {
		fmt.Fprintf(env.Stderr, "passerelle token: unknown subcommand %q\n", sub)
		return errUsage
	}
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *email == "" {
		fmt.Fprintln(env.Stderr, "passerelle token: --email is required")
		return errUsage
	}
	db, err := data.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	u, _, err := db.UserByEmail(ctx, *email)
	if err != nil {
		return fmt.Errorf("no user <%s>", *email)
	}
	switch sub {
	case "create":
		var expires *time.Time
		if *ttl > 0 {
			t := time.Now().Add(*ttl).UTC()
			expires = &t
		}
		secret, t, err := auth.New(db, nil).CreateToken(ctx, u.ID, *name, expires)
		if err != nil {
			return describe(err)
		}
		fmt.Fprintf(env.Stdout, "Token %d %q for <%s>; it is shown once, keep it safe:\n%s\n", t.ID, t.Name, u.Email, secret)
	case "list":
		tokens, err := db.APITokens(ctx, u.ID)
		if err != nil {
			return err
		}
		tw := tabwriter.NewWriter(env.Stdout, 2, 4, 2, ' ', 0)
		fmt.Fprintln(tw, "ID\tNAME\tPREFIX\tCREATED\tLAST USED\tSTATUS")
		for _, t := range tokens {
			last, status := "never", "active"
			if t.LastUsedAt != nil {
				last = t.LastUsedAt.Format(time.DateTime)
			}
			if t.RevokedAt != nil {
				status = "revoked"
			} else if t.ExpiresAt != nil && t.ExpiresAt.Before(time.Now()) {
				status = "expired"
			}
			fmt.Fprintf(tw, "%d\t%s\t%s…\t%s\t%s\t%s\n", t.ID, t.Name, t.Prefix, t.CreatedAt.Format(time.DateTime), last, status)
		}
		return tw.Flush()
	case "revoke":
		if *id == 0 {
			return errors.New("--id is required")
		}
		if err := auth.New(db, nil).RevokeToken(ctx, u.ID, *id); err != nil {
			return fmt.Errorf("no active token %d for <%s>", *id, u.Email)
		}
		fmt.Fprintf(env.Stdout, "revoked token %d\n", *id)
	}
	return nil
}
