package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"

	"github.com/passerelle-oss/passerelle/internal/config"
	"github.com/passerelle-oss/passerelle/internal/jobs"
	"github.com/passerelle-oss/passerelle/internal/secret"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Env is what a command receives from its process.
type Env struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
	Getenv         func(string) string
}

// command is one subcommand.
type command struct {
	name, summary string
	run           func(ctx context.Context, env *Env, args []string) error
}

func commands() []command {
	return []command{
		{"serve", "start the server (HTTP UI, JSON API, WeChat callbacks)", runServe},
		{"migrate", "create or upgrade the database schema", runMigrate},
		{"org", "manage organizations (agencies) of this installation: create, list, setup-link", runOrg},
		{"backup", "write a consistent backup archive (database, media, key file) while serve runs", runBackup},
		{"restore", "verify a backup archive and restore it into a new data directory", runRestore},
		{"export", "export org: write an organization's data as JSON documents and media files; export site: an institution's published tours and exhibitions as a static site", runExport},
		{"import", "import org: load an organization's export into an empty installation; import metrics: post figures (CSV/XLSX exports); import schedule: plan drafts from a CSV", runImport},
		{"user", "manage users: create, set-password, list, disable", runUser},
		{"token", "manage personal API tokens: create, list, revoke", runToken},
		{"secrets", "rotate the key that seals platform credentials", runSecrets},
		{"sim", "run the Weibo and WeChat API simulator", runSim},
		{"barometer", "barometer: import follower counts, publish quarterly editions, show rankings", runBarometer},
		{"demo", "demo generate: write a large, realistic audience history (benchmarks, trying the UI at scale)", runDemo},
		{"version", "print the version", runVersion},
	}
}

// errUsage marks an error whose usage text was already printed.
var errUsage = errors.New("usage")

// Run runs the subcommand named by args[0] and returns the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	env := &Env{Stdin: stdin, Stdout: stdout, Stderr: stderr, Getenv: getenv}
	if len(args) == 0 || args[0] == "help" || args[0] == "-h" || args[0] == "--help" {
		if len(args) > 1 {
			return Run(ctx, []string{args[1], "-h"}, stdin, stdout, stderr, getenv)
		}
		usage(stdout)
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			err := c.run(ctx, env, args[1:])
			switch {
			case err == nil, errors.Is(err, flag.ErrHelp):
				return 0
			case errors.Is(err, errUsage):
				return 2
			}
			fmt.Fprintf(stderr, "passerelle %s: %v\n", c.name, err)
			return 1
		}
	}
	fmt.Fprintf(stderr, "passerelle: unknown command %q\n\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintf(w, "Passerelle — museums on Chinese social networks.\n\nUsage: passerelle COMMAND [flags]\n\nCommands:\n")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, "  %-10s %s\n\nRun `passerelle COMMAND -h` for a command's flags.\n", "help", "show this help")
}

// flags returns a FlagSet for a subcommand, writing its help to env.Stderr.
func flags(env *Env, name, synopsis string) *flag.FlagSet {
	fs := flag.NewFlagSet("passerelle "+name, flag.ContinueOnError)
	fs.SetOutput(env.Stderr)
	fs.Usage = func() {
		fmt.Fprintf(env.Stderr, "Usage: passerelle %s\n\nFlags:\n", synopsis)
		fs.PrintDefaults()
	}
	return fs
}

// subcommand runs the subcommand of command that args[0] names in subs. Without one
// it prints usage, and succeeds only for -h or --help; an unknown one is named.
func subcommand(ctx context.Context, env *Env, command, usage string, args []string, subs map[string]func(context.Context, *Env, []string) error) error {
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		fmt.Fprintln(env.Stderr, usage)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
			return nil
		}
		return errUsage
	}
	if run, ok := subs[args[0]]; ok {
		return run(ctx, env, args[1:])
	}
	fmt.Fprintf(env.Stderr, "passerelle %s: unknown subcommand %q\n", command, args[0])
	return errUsage
}

// parse parses args, mapping a bad flag to errUsage.
func parse(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	return nil
}

// newLogger builds the process logger.
func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	level.UnmarshalText([]byte(cfg.LogLevel))
	opts := &slog.HandlerOptions{Level: level}
	if cfg.LogFormat == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// keyring loads the credential-sealing keys from the configuration or the key file.
func keyring(cfg *config.Config) (*secret.Keyring, error) {
	var keys map[int][]byte
	var err error
	if cfg.SecretKey != "" {
		keys, err = secret.ParseKeys(cfg.SecretKey)
	} else {
		if err := os.MkdirAll(cfg.DataDir, 0o750); err != nil {
			return nil, fmt.Errorf("create data directory: %w", err)
		}
		keys, err = secret.LoadOrCreateFile(keyFile(cfg))
	}
	if err != nil {
		return nil, err
	}
	return secret.NewKeyring(keys)
}

func keyFile(cfg *config.Config) string { return filepath.Join(cfg.DataDir, "secret.key") }

// openStore opens and migrates the database named by the configuration.
func openStore(ctx context.Context, cfg *config.Config, logger *slog.Logger) (*store.DB, error) {
	keys, err := keyring(cfg)
	if err != nil {
		return nil, err
	}
	db, err := store.Open(ctx, store.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir, Keys: keys, Logger: logger})
	if err != nil {
		return nil, err
	}
	err = db.MigrateWith(ctx, store.MigrateOptions{BeforeChange: func(ctx context.Context, from, to int) error {
		return backupBeforeMigration(ctx, cfg, db, logger, from, to)
	}})
	if err != nil {
		db.Close()
		return nil, err
	}
	if err := jobs.Migrate(ctx, db, logger); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// dataFlags registers the flags every data command takes; once they are parsed, the
// result builds the configuration and opens the data.
func dataFlags(fs *flag.FlagSet, env *Env) *dataOpener {
	return &dataOpener{env: env, build: config.Flags(fs, env.Getenv, "data", "database-url", "secret-key", "log-level", "log-format")}
}

type dataOpener struct {
	env   *Env
	build func() (*config.Config, error)
}

func (d *dataOpener) config() (*config.Config, error) { return d.build() }

// open opens and migrates the database the flags name.
func (d *dataOpener) open(ctx context.Context) (*store.DB, error) {
	cfg, err := d.build()
	if err != nil {
		return nil, err
	}
	return openStore(ctx, cfg, newLogger(cfg, d.env.Stderr))
}

// Version, Commit and Date are set at build time (GoReleaser's ldflags:
// -X main.Version=… -X main.Commit=… -X main.Date=…); otherwise they are read from the
// module's build information.
var (
	Version = ""
	Commit  = ""
	Date    = ""
)

// buildInfo returns the version, commit and build date of this binary.
func buildInfo() (v, commit, date string) {
	v, commit, date = Version, Commit, Date
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v == "" && bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			switch {
			case s.Key == "vcs.revision" && commit == "":
				commit = s.Value
			case s.Key == "vcs.time" && date == "":
				date = s.Value
			}
		}
	}
	if v == "" {
		v = "(devel)"
	}
	return v, commit, date
}

// version is the version with a short commit, for logs and headers.
func version() string {
	v, commit, _ := buildInfo()
	if len(commit) >= 12 && Version == "" {
		v += " " + commit[:12]
	}
	return v
}

func runVersion(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "version", "version")
	if err := parse(fs, args); err != nil {
		return err
	}
	v, commit, date := buildInfo()
	if commit == "" {
		commit = "unknown"
	}
	if date == "" {
		date = "unknown"
	}
	fmt.Fprintf(env.Stdout, "passerelle %s\ncommit %s\nbuilt %s\n%s %s/%s\n", v, commit, date, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return nil
}

func runMigrate(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "migrate", "migrate [--data DIR | --database-url URL]")
	data := dataFlags(fs, env)
	if err := parse(fs, args); err != nil {
		return err
	}
	db, err := data.open(ctx)
	if err != nil {
		return err
	}
	defer db.Close()
	fmt.Fprintln(env.Stdout, "database is up to date")
	return nil
}
