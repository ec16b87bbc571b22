package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle/internal/backup"
	"github.com/passerelle-oss/passerelle/internal/config"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store"
)

func runBackup(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "backup", "backup --data DIR [--database-url URL] [--media-url s3://…] --to FILE|s3://BUCKET/PATH")
	build := config.Flags(fs, env.Getenv, "data", "database-url", "backup-dir", "media-url", "s3-endpoint", "s3-region", "s3-access-key", "s3-secret-key", "log-level", "log-format")
	to := fs.String("to", "", "archive to write: a .tar file, or s3://BUCKET/PATH (a PATH ending in / gets the default name); default: DIR/backups/passerelle-TIME.tar")
	rate := fs.Int64("rate", 0, "pace the backup (the SQLite copy, then the archive) at this many MB/s, to leave CPU and disk to serve (0: as fast as possible)")
	asJSON := fs.Bool("json", false, `print {"file": WHERE, "manifest": MANIFEST} as JSON instead of a sentence (what serve reads from the backups it starts)`)
	priority := fs.String("priority", "low", "low: on Linux, take only the processor time and disk the server's requests leave (as fast as any program on an idle machine); normal: compete with the server as any program")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *priority != "low" && *priority != "normal" {
		return fmt.Errorf("--priority: %q is neither low nor normal", *priority)
	}
	cfg, err := build()
	if err != nil {
		return err
	}
	logger := newLogger(cfg, env.Stderr)
	// Only in a process of its own: a test's Run shares its process with the tests, and
	// the test binary acting as passerelle (TestMain) would crawl beside the other
	// packages' tests at this priority.
	if *priority == "low" && selfBinary != "" {
		if err := backup.LowerProcess(); err != nil {
			logger.WarnContext(ctx, "backup: runs at normal priority", slog.Any("error", err))
		} else {
			logger.DebugContext(ctx, "backup: the process runs at the lowest priority")
		}
	}
	var remote *backup.Remote
	var name string
	if strings.HasPrefix(*to, "s3://") {
		bucket, key, err := backup.ParseS3URL(*to)
		if err != nil {
			return err
		}
		prefix, base := path.Split(key)
		if base == "" {
			base = backup.FileName(time.Now(), "")
		}
		if remote, err = backup.NewRemote(ctx, s3Options(cfg), bucket, prefix); err != nil {
			return err
		}
		name = base
	}
	db, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	ms, err := openMediaStore(ctx, cfg)
	if err != nil {
		return err
	}
	file := *to
	switch {
	case remote != nil:
		// Written and checksummed on the local disk first, then uploaded.
		file = filepath.Join(backupDir(cfg), name+".part")
		defer backup.RemoveFile(file)
	case file == "":
		file = filepath.Join(backupDir(cfg), backup.FileName(time.Now(), ""))
	}
	m, err := backup.WriteFile(ctx, file, backup.Options{DB: db, DataDir: cfg.DataDir, Media: ms, Version: version(), BytesPerSecond: *rate << 20, Logger: logger})
	if err != nil {
		return err
	}
	where := file
	if remote != nil {
		if err := remote.Upload(ctx, file, name); err != nil {
			return err
		}
		where = remote.String() + "/" + name
	}
	if *asJSON {
		return json.NewEncoder(env.Stdout).Encode(struct {
			File     string           `json:"file"`
			Manifest *backup.Manifest `json:"manifest"`
		}{where, m})
	}
	mb, mf := m.MediaBytes()
	fmt.Fprintf(env.Stdout, "backup written to %s (%s database, schema %d, %d media files, %d bytes of media)\n", where, m.Engine, m.SchemaVersion, mf, mb)
	if len(m.MissingMedia) > 0 {
		fmt.Fprintf(env.Stdout, "warning: %d media files the database refers to were missing from the media store\n", len(m.MissingMedia))
	}
	return nil
}

// s3Options are the S3-compatible service's settings, shared by the media store and
// the backups.
func s3Options(cfg *config.Config) media.S3Options {
	return media.S3Options{Endpoint: cfg.S3.Endpoint, Region: cfg.S3.Region, AccessKey: cfg.S3.AccessKey, SecretKey: cfg.S3.SecretKey}
}

// openExisting opens the database of cfg without migrating or creating it.
func openExisting(ctx context.Context, cfg *config.Config) (*store.DB, error) {
	if cfg.DatabaseURL == "" {
		if _, err := os.Stat(filepath.Join(cfg.DataDir, "passerelle.db")); err != nil {
			return nil, fmt.Errorf("no database in %s", cfg.DataDir)
		}
	}
	return store.Open(ctx, store.Options{URL: cfg.DatabaseURL, DataDir: cfg.DataDir})
}

func runRestore(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "restore", "restore --data NEWDIR [--database-url URL] [--media-url s3://…] FILE|s3://BUCKET/PATH")
	build := config.Flags(fs, env.Getenv, "data", "database-url", "media-url", "s3-endpoint", "s3-region", "s3-access-key", "s3-secret-key")
	check := fs.Bool("check", false, "only verify the archive; write nothing")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		fs.Usage()
		return errUsage
	}
	cfg, err := build()
	if err != nil {
		return err
	}
	file := fs.Arg(0)
	if strings.HasPrefix(file, "s3://") {
		bucket, key, err := backup.ParseS3URL(file)
		if err != nil {
			return err
		}
		prefix, name := path.Split(key)
		if name == "" {
			return fmt.Errorf("restore: %s names no archive", file)
		}
		remote, err := backup.NewRemote(ctx, s3Options(cfg), bucket, prefix)
		if err != nil {
			return err
		}
		// Downloaded beside the target directory (an archive can be larger than /tmp),
		// then verified like any file.
		dir, err := filepath.Abs(filepath.Dir(filepath.Clean(cfg.DataDir)))
		if err != nil {
			return err
		}
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return err
		}
		tmp, err := os.CreateTemp(dir, ".passerelle-restore-*.tar")
		if err != nil {
			return err
		}
		tmp.Close()
		defer os.Remove(tmp.Name())
		if err := remote.Download(ctx, name, tmp.Name()); err != nil {
			return err
		}
		file = tmp.Name()
	}
	if *check {
		m, err := backup.Verify(file)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s is intact: %s backup of %s, schema %d, %d files\n", fs.Arg(0), m.Engine, m.CreatedAt.Format("2006-01-02 15:04:05Z"), m.SchemaVersion, len(m.Files))
		return nil
	}
	var ms media.Store
	if cfg.MediaURL != "" {
		if ms, err = openMediaStore(ctx, cfg); err != nil {
			return err
		}
	}
	m, err := backup.Restore(ctx, file, backup.RestoreOptions{DataDir: cfg.DataDir, DatabaseURL: cfg.DatabaseURL, Media: ms})
	if err != nil {
		return err
	}
	mb, mf := m.MediaBytes()
	fmt.Fprintf(env.Stdout, "restored the %s backup of %s into %s (schema %d, %d media files, %d bytes of media)\n", m.Engine, m.CreatedAt.Format("2006-01-02 15:04:05Z"), cfg.DataDir, m.SchemaVersion, mf, mb)
	if len(m.MissingMedia) > 0 {
		fmt.Fprintf(env.Stdout, "warning: %d media files were already missing when the backup was made\n", len(m.MissingMedia))
	}
	return nil
}

// backupBeforeMigration writes a backup of the database and the key file (not the
// media, which migrations never touch) before migrations change the schema. On
// PostgreSQL without pg_dump it warns and lets the upgrade go on: the migration is one
// transaction, so a failure still changes nothing.
func backupBeforeMigration(ctx context.Context, cfg *config.Config, db *store.DB, logger *slog.Logger, from, to int) error {
	path := filepath.Join(backupDir(cfg), backup.FileName(time.Now(), fmt.Sprintf("before-schema-%d", to)))
	_, err := backup.WriteFile(ctx, path, backup.Options{DB: db, DataDir: cfg.DataDir, Version: version(), SkipMedia: true, Logger: logger})
	if errors.Is(err, backup.ErrNoPGDump) {
		logger.WarnContext(ctx, "upgrading the schema without an automatic backup: pg_dump not found", slog.Int("from", from), slog.Int("to", to))
		return nil
	}
	if err != nil {
		return err
	}
	logger.InfoContext(ctx, "backup before upgrading the schema", slog.String("file", path), slog.Int("from", from), slog.Int("to", to))
	return nil
}

// backupDir is where scheduled and automatic backups go on the local disk (a scheduled
// backup bound for a bucket is written there first).
func backupDir(cfg *config.Config) string {
	if cfg.BackupDir != "" && !strings.HasPrefix(cfg.BackupDir, "s3://") {
		return cfg.BackupDir
	}
	return filepath.Join(cfg.DataDir, "backups")
}

// selfBinary is this binary, which serve starts to write its scheduled backups in a process
// of their own (Main.BackupProgram); set by main. Empty when tests call Run: a command
// may then change nothing that is the whole process's (the backup's priority).
var selfBinary string

// backupEnv is the environment of a backup process started by serve: this process's
// environ without its PASSERELLE_* variables, and the settings of cfg that the backup
// command reads (those given as flags included). The credential keys are left out:
// a backup copies the key file and does not open the sealed credentials.
func backupEnv(cfg *config.Config, environ []string) []string {
	out := make([]string, 0, len(environ)+12)
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "PASSERELLE_") {
			out = append(out, kv)
		}
	}
	set := func(name, value string) {
		if value != "" {
			out = append(out, name+"="+value)
		}
	}
	set("PASSERELLE_DATA_DIR", cfg.DataDir)
	set("PASSERELLE_DATABASE_URL", cfg.DatabaseURL)
	set("PASSERELLE_MEDIA_URL", cfg.MediaURL)
	set("PASSERELLE_S3_ENDPOINT", cfg.S3.Endpoint)
	set("PASSERELLE_S3_REGION", cfg.S3.Region)
	set("PASSERELLE_S3_ACCESS_KEY", cfg.S3.AccessKey)
	set("PASSERELLE_S3_SECRET_KEY", cfg.S3.SecretKey)
	set("PASSERELLE_LOG_LEVEL", cfg.LogLevel)
	set("PASSERELLE_LOG_FORMAT", cfg.LogFormat)
	return out
}

// scheduledBackupRate paces scheduled backups: at 50 MB/s, a 2 GB SQLite database and
// 12 GB of archive take under 5 minutes.
const scheduledBackupRate = 50 << 20

// backupRemote is the bucket scheduled backups go to when --backup-dir is an s3://
// address, else nil.
func backupRemote(ctx context.Context, cfg *config.Config) (*backup.Remote, error) {
	if !strings.HasPrefix(cfg.BackupDir, "s3://") {
		return nil, nil
	}
	bucket, prefix, err := backup.ParseS3URL(cfg.BackupDir)
	if err != nil {
		return nil, err
	}
	cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	return backup.NewRemote(cctx, s3Options(cfg), bucket, prefix)
}
