package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"golang.org/x/term"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/auth"
	"github.com/passerelle-oss/passerelle/internal/store"
)

func runUser(ctx context.Context, env *Env, args []string) error {
	return subcommand(ctx, env, "user", "Usage: passerelle user create|set-password|list|disable|enable [flags]\n\nRun `passerelle user SUBCOMMAND -h` for its flags.", args,
		map[string]func(context.Context, *Env, []string) error{
			"create": userCreate, "set-password": userSetPassword, "list": userList,
			"disable": func(ctx context.Context, env *Env, args []string) error { return userDisable(ctx, env, args, true) },
			"enable":  func(ctx context.Context, env *Env, args []string) error { return userDisable(ctx, env, args, false) },
		})
}

// readPassword reads a password: prompted twice without echo on a terminal, else the
// first line of standard input.
func readPassword(env *Env, prompt string) (string, error) {
	if f, ok := env.Stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(env.Stderr, prompt)
		p1, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(env.Stderr, "Repeat: ")
		p2, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(env.Stderr)
		if err != nil {
			return "", err
		}
		if string(p1) != string(p2) {
			return "", errors.New("the passwords differ")
		}
		return string(p1), nil
	}
	line, err := bufio.NewReader(io.LimitReader(env.Stdin, 4096)).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return "", errors.New("no password on standard input")
	}
	return line, nil
}

// describe turns a domain error into one line for the terminal.
func describe(err error) error {
	var e *passerelle.Error
	if !errors.As(err, &e) || e.Code == passerelle.EINTERNAL {
		return err
	}
	msg := e.Message
	for k, v := range e.Fields {
		msg += fmt.Sprintf(" %s: %s", k, v)
	}
	return errors.New(msg)
}

// organizationFor picks the organization a new user joins: the only one, the one
// named by id, or a new one when none exists.
func organizationFor(ctx context.Context, db *store.DB, id int64, name string) (int64, error) {
	orgs, err := db.Organizations(ctx)
	if err != nil {
		return 0, err
	}
	switch {
	case id != 0:
		for _, o := range orgs {
			if o.ID == id {
				return id, nil
			}
		}
		return 0, fmt.Errorf("no organization %d", id)
	case len(orgs) == 1:
		return orgs[0].ID, nil
	case len(orgs) == 0:
		o, err := db.CreateOrganization(ctx, name)
		if err != nil {
			return 0, err
		}
		return o.ID, nil
	}
	return 0, errors.New("several organizations exist: choose one with --org-id")
}

func userCreate(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "user create", "user create --email EMAIL --role ROLE [--institution ID] [flags] < password")
	email := fs.String("email", "", "e-mail address (required)")
	name := fs.String("name", "", "full name")
	role := fs.String("role", "owner", "owner (organization-wide), or admin, editor, translator, reviewer, viewer with --institution")
	institution := fs.Int64("institution", 0, "institution id the role applies to (not for owner)")
	orgID := fs.Int64("org-id", 0, "organization to join when several exist")
	orgName := fs.String("org", "My organization", "name of the organization created when none exists yet")
	data := dataFlags(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	if *email == "" {
		fmt.Fprintln(env.Stderr, "passerelle user create: --email is required")
		return errUsage
	}
	r := passerelle.Role(*role)
	if !r.Valid() {
		return fmt.Errorf("unknown role %q", *role)
	}
	if r != passerelle.RoleOwner && *institution == 0 {
		return errors.New("--institution is required for an institution role")
	}
	// A bad setting is reported before the password is asked for.
	if _, err := data.config(); err != nil {
		return err
	}
	password, err := readPassword(env, "Password: ")
	if err != nil {
		return err
	}
	db, err := data.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	org, err := organizationFor(ctx, db, *orgID, *orgName)
	if err != nil {
		return err
	}
	u := &passerelle.User{OrgID: org, Email: *email, Name: *name, Owner: r == passerelle.RoleOwner, Memberships: []passerelle.Membership{}}
	if !u.Owner {
		u.Memberships = append(u.Memberships, passerelle.Membership{InstitutionID: *institution, Role: r})
	}
	if err := auth.New(db, nil).CreateUser(ctx, u, password); err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.Stdout, "created user %d <%s> (%s)\n", u.ID, u.Email, r)
	return nil
}

func userSetPassword(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "user set-password", "user set-password --email EMAIL [flags] < password")
	email := fs.String("email", "", "e-mail address (required)")
	data := dataFlags(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	if _, err := data.config(); err != nil {
		return err
	}
	password, err := readPassword(env, "New password: ")
	if err != nil {
		return err
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
	if err := auth.New(db, nil).SetPassword(ctx, u.ID, password, ""); err != nil {
		return describe(err)
	}
	fmt.Fprintf(env.Stdout, "password changed for <%s>; their sessions were ended\n", u.Email)
	return nil
}

func userList(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "user list", "user list [flags]")
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
	fmt.Fprintln(tw, "ID\tORG\tEMAIL\tNAME\tROLES\tSTATUS\tLAST SIGN-IN")
	for _, o := range orgs {
		users, err := db.Users(ctx, o.ID)
		if err != nil {
			return err
		}
		for _, u := range users {
			roles := []string{}
			if u.Owner {
				roles = append(roles, "owner")
			}
			for _, m := range u.Memberships {
				roles = append(roles, fmt.Sprintf("%s@%d", m.Role, m.InstitutionID))
			}
			status, last := "active", "never"
			if u.DisabledAt != nil {
				status = "disabled"
			}
			if u.LastLoginAt != nil {
				last = u.LastLoginAt.Format(time.DateTime)
			}
			fmt.Fprintf(tw, "%d\t%d\t%s\t%s\t%s\t%s\t%s\n", u.ID, o.ID, u.Email, u.Name, strings.Join(roles, ","), status, last)
		}
	}
	return tw.Flush()
}

func userDisable(ctx context.Context, env *Env, args []string, disable bool) error {
	verb := "disable"
	if !disable {
		verb = "enable"
	}
	fs := flags(env, "user "+verb, "user "+verb+" --email EMAIL [flags]")
	email := fs.String("email", "", "e-mail address (required)")
	data := dataFlags(fs, env)
	if err := parse(fs, args); err != nil {
		return err
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
	_, err = db.UpdateUser(ctx, u.OrgID, u.ID, func(u *passerelle.User) error {
		if disable {
			now := time.Now().UTC()
			u.DisabledAt = &now
		} else {
			u.DisabledAt = nil
		}
		return nil
	})
	if err != nil {
		return describe(err)
	}
	db.Audit(ctx, store.AuditEntry{OrgID: u.OrgID, Actor: "command line", Action: store.AuditUserUpdate, Object: "user", ObjectID: store.ID(u.ID), Detail: fmt.Sprintf("%s: disabled=%t", u.Email, disable)})
	if disable {
		fmt.Fprintf(env.Stdout, "disabled <%s>; their sessions and API tokens stopped working\n", u.Email)
	} else {
		fmt.Fprintf(env.Stdout, "enabled <%s>\n", u.Email)
	}
	return nil
}
