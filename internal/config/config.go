// Package config holds the one Config of a Passerelle process, read from command-line
// flags and PASSERELLE_* environment variables (a flag wins over its variable).
package config

import (
	"flag"
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// Config is everything a process is told from outside.
type Config struct {
	// Addr is the HTTP listen address.
	Addr string
	// DataDir holds the SQLite database, the secret key file and media.
	DataDir string
	// DatabaseURL selects PostgreSQL when set (postgres://…).
	DatabaseURL string
	// SecretKey holds the credential-sealing keys ("VERSION:BASE64,…"); when empty a key
	// file in DataDir is used (created on first start, mode 0600).
	SecretKey string
	// BaseURL is the public address of the server, used in links it prints or sends
	// (setup link, WeChat callback URL, OAuth redirect). Empty: derived from Addr.
	BaseURL string
	// Demo fills an empty data directory with demo data and starts the simulator.
	Demo bool
	// WeiboAPI and WeChatAPI are the platforms' base URLs (a simulator in tests).
	WeiboAPI  string
	WeChatAPI string
	// LogLevel is debug, info, warn or error; LogFormat is text or json.
	LogLevel  string
	LogFormat string
	// MaxBodyBytes limits request bodies (uploads have their own limit).
	MaxBodyBytes int64
	// ShutdownTimeout bounds graceful shutdown.
	ShutdownTimeout time.Duration
	// BackupInterval is how often the scheduled backup runs (0: never); BackupKeep how
	// many scheduled backups are kept; BackupDir where backups go (empty: DataDir/backups).
	BackupInterval time.Duration
	BackupKeep     int
	BackupDir      string
	// AuditRetention is how long audit entries are kept (at least 30 days).
	AuditRetention time.Duration
	// PushRetention is how long raw WeChat pushes are kept.
	PushRetention time.Duration
	// TrustProxy makes the server believe X-Forwarded-For/-Proto from a reverse proxy.
	TrustProxy bool
}

// Var describes one setting for help and the README.
type Var struct {
	Flag, Env, Default, Usage string
}

// Vars lists the settings, in the order of the README's configuration reference.
var Vars = []Var{
	{"addr", "PASSERELLE_ADDR", "127.0.0.1:8080", "HTTP listen address"},
	{"data", "PASSERELLE_DATA_DIR", "./passerelle-data", "data directory (SQLite database, secret key file, media)"},
	{"database-url", "PASSERELLE_DATABASE_URL", "", "PostgreSQL URL (postgres://user@host/db); empty: SQLite in the data directory"},
	{"secret-key", "PASSERELLE_SECRET_KEY", "", "credential-sealing keys, VERSION:BASE64[,VERSION:BASE64…]; empty: key file in the data directory"},
	{"base-url", "PASSERELLE_BASE_URL", "", "public URL of this server (https://passerelle.example.org); empty: http://ADDR"},
	{"demo", "PASSERELLE_DEMO", "false", "fill an empty data directory with demo data and run the platform simulator in-process"},
	{"weibo-api", "PASSERELLE_WEIBO_API", "https://api.weibo.com", "Weibo API base URL"},
	{"wechat-api", "PASSERELLE_WECHAT_API", "https://api.weixin.qq.com", "WeChat API base URL"},
	{"log-level", "PASSERELLE_LOG_LEVEL", "info", "debug, info, warn or error"},
	{"log-format", "PASSERELLE_LOG_FORMAT", "text", "text or json"},
	{"max-body", "PASSERELLE_MAX_BODY", "1048576", "largest request body in bytes (uploads have their own limit)"},
	{"shutdown-timeout", "PASSERELLE_SHUTDOWN_TIMEOUT", "15s", "how long graceful shutdown waits for requests in flight"},
	{"trust-proxy", "PASSERELLE_TRUST_PROXY", "false", "trust X-Forwarded-For and X-Forwarded-Proto from a reverse proxy"},
	{"backup-interval", "PASSERELLE_BACKUP_INTERVAL", "24h", "how often serve writes a scheduled backup (0: never)"},
	{"backup-keep", "PASSERELLE_BACKUP_KEEP", "7", "how many scheduled backups to keep"},
	{"backup-dir", "PASSERELLE_BACKUP_DIR", "", "where backups go; empty: DATA/backups"},
	{"audit-retention", "PASSERELLE_AUDIT_RETENTION", "17520h", "how long audit entries are kept (at least 720h)"},
	{"push-retention", "PASSERELLE_PUSH_RETENTION", "2160h", "how long raw WeChat pushes are kept"},
}

// Flags registers the settings named in names (all when names is empty) on fs, with
// defaults taken from the environment, and returns a function that builds the Config
// after fs.Parse. Settings not registered keep their environment value or default.
func Flags(fs *flag.FlagSet, getenv func(string) string, names ...string) func() (*Config, error) {
	want := map[string]bool{}
	for _, n := range names {
		want[n] = true
	}
	values := map[string]func() string{}
	for _, v := range Vars {
		def := v.Default
		if e := getenv(v.Env); e != "" {
			def = e
		}
		if len(want) > 0 && !want[v.Flag] {
			values[v.Flag] = func() string { return def }
			continue
		}
		usage := v.Usage + " (" + v.Env + ")"
		if v.Default == "false" {
			b := fs.Bool(v.Flag, parseBool(def), usage)
			values[v.Flag] = func() string { return fmt.Sprint(*b) }
			continue
		}
		s := fs.String(v.Flag, def, usage)
		values[v.Flag] = func() string { return *s }
	}
	return func() (*Config, error) {
		get := func(name string) string { return values[name]() }
		c := &Config{
			Addr:        get("addr"),
			DataDir:     get("data"),
			DatabaseURL: get("database-url"),
			SecretKey:   get("secret-key"),
			BaseURL:     strings.TrimRight(get("base-url"), "/"),
			Demo:        parseBool(get("demo")),
			WeiboAPI:    strings.TrimRight(get("weibo-api"), "/"),
			WeChatAPI:   strings.TrimRight(get("wechat-api"), "/"),
			LogLevel:    get("log-level"),
			LogFormat:   get("log-format"),
			TrustProxy:  parseBool(get("trust-proxy")),
			BackupDir:   get("backup-dir"),
		}
		var err error
		if c.MaxBodyBytes, err = strconv.ParseInt(get("max-body"), 10, 64); err != nil || c.MaxBodyBytes <= 0 {
			return nil, fmt.Errorf("config: max-body must be a positive number of bytes")
		}
		if c.ShutdownTimeout, err = time.ParseDuration(get("shutdown-timeout")); err != nil {
			return nil, fmt.Errorf("config: shutdown-timeout: %w", err)
		}
		durations := []struct {
			name string
			dst  *time.Duration
			min  time.Duration
		}{
			{"backup-interval", &c.BackupInterval, 0},
			{"audit-retention", &c.AuditRetention, 720 * time.Hour},
			{"push-retention", &c.PushRetention, time.Hour},
		}
		for _, d := range durations {
			if *d.dst, err = time.ParseDuration(get(d.name)); err != nil || *d.dst < d.min {
				return nil, fmt.Errorf("config: %s must be a duration of at least %s (like 24h)", d.name, d.min)
			}
		}
		if c.BackupKeep, err = strconv.Atoi(get("backup-keep")); err != nil || c.BackupKeep < 1 {
			return nil, fmt.Errorf("config: backup-keep must be a positive number")
		}
		return c, c.validate()
	}
}

func parseBool(s string) bool { b, _ := strconv.ParseBool(s); return b }

func (c *Config) validate() error {
	if c.DataDir == "" {
		return fmt.Errorf("config: the data directory cannot be empty")
	}
	abs, err := filepath.Abs(c.DataDir)
	if err != nil {
		return err
	}
	c.DataDir = abs
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		return fmt.Errorf("config: PASSERELLE_DATABASE_URL must start with postgres://")
	}
	for name, u := range map[string]string{"base-url": c.BaseURL, "weibo-api": c.WeiboAPI, "wechat-api": c.WeChatAPI} {
		if u == "" {
			continue
		}
		p, err := url.Parse(u)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" {
			return fmt.Errorf("config: %s must be an http(s) URL", name)
		}
	}
	switch c.LogLevel {
	case "debug", "info", "warn", "error":
	default:
		return fmt.Errorf("config: log-level must be debug, info, warn or error")
	}
	if c.LogFormat != "text" && c.LogFormat != "json" {
		return fmt.Errorf("config: log-format must be text or json")
	}
	return nil
}
