package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle/internal/backup"
	"github.com/passerelle-oss/passerelle/internal/config"
	"github.com/passerelle-oss/passerelle/internal/store"
)

func runBackup(ctx context.Context, env *Env, args []string) error {
	fs := flags(env, "backup", "backup --data DIR [--database-url URL] --to FILE")
	build := config.Flags(fs, env.Getenv, "data", "database-url", "backup-dir", "log-level", "log-format")
	to := fs.String("to", "", "archive to write (a .tar file); default: DIR/backups/passerelle-TIME.tar")
	rate := fs.Int64("rate", 0, "pace the archiving at this many MB/s, to leave the disk to serve (0: as fast as possible)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg, err := build()
	if err != nil {
		return err
	}
	if strings.HasPrefix(*to, "s3://") {
		return errors.New("backups to S3 are not available yet: write to a file and copy it (see docs/operations.md)")
	}
	db, err := openExisting(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	path := *to
	if path == "" {
		path = filepath.Join(backupDir(cfg), backup.FileName(time.Now(), ""))
	}
	m, err := backup.WriteFile(ctx, path, backup.Options{DB: db, DataDir: cfg.DataDir, Version: version(), BytesPerSecond: *rate << 20, Logger: newLogger(cfg, env.Stderr)})
	if err != nil {
		return err
	}
	mb, mf := m.MediaBytes()
	fmt.Fprintf(env.Stdout, "backup written to %s (%s database, schema %d, %d media files, %d bytes of media)\n", path, m.Engine, m.SchemaVersion, mf, mb)
	if len(m.MissingMedia) > 0 {
		fmt.Fprintf(env.Stdout, "warning: %d media files the database refers to were missing from the media store\n", len(m.MissingMedia))
	}
	return nil
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
	fs := flags(env, "restore", "restore --data NEWDIR [--database-url URL] FILE")
	build := config.Flags(fs, env.Getenv, "data", "database-url")
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
	if *check {
		m, err := backup.Verify(file)
		if err != nil {
			return err
		}
		fmt.Fprintf(env.Stdout, "%s is intact: %s backup of %s, schema %d, %d files\n", file, m.Engine, m.CreatedAt.Format("2006-01-02 15:04:05Z"), m.SchemaVersion, len(m.Files))
		return nil
	}
	m, err := backup.Restore(ctx, file, backup.RestoreOptions{DataDir: cfg.DataDir, DatabaseURL: cfg.DatabaseURL})
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

// backupDir is where scheduled and automatic backups go.
func backupDir(cfg *config.Config) string {
	if cfg.BackupDir != "" {
		return cfg.BackupDir
	}
	return filepath.Join(cfg.DataDir, "backups")
}

// scheduledBackupRate paces scheduled backups: 50 MB/s archives 12 GB in 4 minutes.
const scheduledBackupRate = 50 << 20
