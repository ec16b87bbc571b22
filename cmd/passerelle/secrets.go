package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/passerelle-oss/passerelle/internal/secret"
)

func runSecrets(ctx context.Context, env *Env, args []string) error {
	if len(args) == 0 || args[0] != "rotate" {
		fmt.Fprintln(env.Stderr, `Usage: passerelle secrets rotate [flags]

With the key file (the default), adds a new key version to it and re-seals every
credential under it. With PASSERELLE_SECRET_KEY, first add the new key to the variable
("1:OLD,2:NEW"), then run rotate to re-seal under the highest version; remove the old
key afterwards.`)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errUsage
	}
	fs := flags(env, "secrets rotate", "secrets rotate [flags]")
	data := dataFlags(fs, env)
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	cfg, err := data.config()
	if err != nil {
		return err
	}
	if cfg.SecretKey == "" {
		// Write the new key first: a crash before re-sealing leaves the old key in the
		// file, so nothing becomes unreadable.
		keys, err := secret.LoadOrCreateFile(keyFile(cfg))
		if err != nil {
			return err
		}
		next := 0
		for v := range keys {
			next = max(next, v)
		}
		keys[next+1] = secret.NewKey()
		if err := secret.WriteFile(keyFile(cfg), keys); err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "added key version %d to %s\n", next+1, keyFile(cfg))
	} else if !strings.Contains(cfg.SecretKey, ":") {
		fmt.Fprintln(env.Stderr, "PASSERELLE_SECRET_KEY holds one key: add a new version (\"1:OLD,2:NEW\") before rotating.")
	}
	db, err := data.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	n, err := db.RotateSecrets(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "re-sealed %d credential values under the current key\n", n)
	return nil
}
