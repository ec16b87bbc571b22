// Package config holds the one Config of a Passerelle process, read from command-line
// flags and PASSERELLE_* environment variables (a flag wins over its variable).
package config

import (
	"flag"
	"fmt"
	"net/netip"
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
	// ConversationRetention is how long a conversation of the WeChat inbox (followers'
	// messages and the replies) is kept after its last activity.
	ConversationRetention time.Duration
	// TrustProxy makes the server believe X-Forwarded-For/-Proto from a reverse proxy:
	// the client is the address the proxy appended (the rightmost).
	TrustProxy bool
	// PublishLead is how long before its instant a delivery job becomes available (the
	// worker waits the rest); PublishSettle is how long a platform has to apply a lost
	// request before its absence proves the post was not published.
	PublishLead, PublishSettle time.Duration
	// SMTPURL, when set, sends notification digests by e-mail
	// (smtp://user:password@host:587?from=address).
	SMTPURL string
	// TrustedProxies are the proxies' address ranges: when set, X-Forwarded-* are
	// believed only from them, and the client is the rightmost address of
	// X-Forwarded-For outside them (several hops).
	TrustedProxies []netip.Prefix
	// MetricsAddr serves /metrics on its own listen address (not on Addr).
	MetricsAddr string
	// MetricsToken, when set, is the bearer token /metrics asks for.
	MetricsToken string
	// LoginConcurrency bounds concurrent password checks (argon2id, 64 MiB each);
	// 0: one per processor, at most 4.
	LoginConcurrency int
	// MediaURL says where media live: empty for DataDir/media, s3://BUCKET[/PREFIX]
	// for an S3-compatible bucket reached with the S3 settings.
	MediaURL string
	S3       S3
	// MediaWorkers bounds the uploads and renditions held in memory at once (0: the
	// number of cores); MediaDecodeBytes the memory their decoded images may take.
	MediaWorkers     int
	MediaDecodeBytes int64
}

// S3 holds the settings of an S3-compatible media store.
type S3 struct {
	// Endpoint is the service's URL (https://s3.eu-west-3.amazonaws.com,
	// http://127.0.0.1:7070).
	Endpoint  string
	Region    string
	AccessKey string
	SecretKey string
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
	{"trust-proxy", "PASSERELLE_TRUST_PROXY", "false", "trust X-Forwarded-For and X-Forwarded-Proto from a reverse proxy (the client is the rightmost X-Forwarded-For address)"},
	{"trusted-proxies", "PASSERELLE_TRUSTED_PROXIES", "", "comma-separated address ranges of the reverse proxies (10.0.0.0/8,192.0.2.7/32); sets --trust-proxy, believes X-Forwarded-* only from them and skips them in X-Forwarded-For"},
	{"metrics-addr", "PASSERELLE_METRICS_ADDR", "", "serve /metrics on this listen address only (127.0.0.1:9090)"},
	{"metrics-token", "PASSERELLE_METRICS_TOKEN", "", "bearer token /metrics asks for; without it or --metrics-addr, /metrics is not served"},
	{"login-concurrency", "PASSERELLE_LOGIN_CONCURRENCY", "0", "password checks at once (64 MiB each); 0: one per processor, at most 4"},
	{"publish-lead", "PASSERELLE_PUBLISH_LEAD", "15s", "how early a publication's job wakes before its time (at least 7s: River promotes scheduled jobs every 5s)"},
	{"publish-settle", "PASSERELLE_PUBLISH_SETTLE", "2m", "how long a platform has to apply a lost request before the reconciler trusts that the post is absent"},
	{"smtp-url", "PASSERELLE_SMTP_URL", "", "SMTP server for notification digests, smtp://user:password@host:587?from=address; empty: no e-mail"},
	{"media-url", "PASSERELLE_MEDIA_URL", "", "where media live: s3://BUCKET[/PREFIX] for an S3-compatible bucket; empty: the media directory in the data directory"},
	{"s3-endpoint", "PASSERELLE_S3_ENDPOINT", "https://s3.amazonaws.com", "URL of the S3-compatible service"},
	{"s3-region", "PASSERELLE_S3_REGION", "us-east-1", "region of the bucket"},
	{"s3-access-key", "PASSERELLE_S3_ACCESS_KEY", "", "access key of the S3-compatible service"},
	{"s3-secret-key", "PASSERELLE_S3_SECRET_KEY", "", "secret key of the S3-compatible service (prefer the variable: a flag shows in the process list)"},
	{"media-workers", "PASSERELLE_MEDIA_WORKERS", "0", "uploads and renditions held in memory at once; 0: the number of cores"},
	{"media-decode-mb", "PASSERELLE_MEDIA_DECODE_MB", "320", "memory in MB that decoded images may take at once (one 50-megapixel image takes 250)"},
	{"backup-interval", "PASSERELLE_BACKUP_INTERVAL", "24h", "how often serve writes a scheduled backup (0: never)"},
	{"backup-keep", "PASSERELLE_BACKUP_KEEP", "7", "how many scheduled backups to keep"},
	{"backup-dir", "PASSERELLE_BACKUP_DIR", "", "where scheduled backups go: a directory, or s3://BUCKET/PREFIX (with the s3-* settings); empty: DATA/backups"},
	{"audit-retention", "PASSERELLE_AUDIT_RETENTION", "17520h", "how long audit entries are kept (at least 720h)"},
	{"push-retention", "PASSERELLE_PUSH_RETENTION", "2160h", "how long raw WeChat pushes are kept"},
	{"conversation-retention", "PASSERELLE_CONVERSATION_RETENTION", "8760h", "how long a WeChat inbox conversation (followers' messages) is kept after its last activity"},
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
			Addr:         get("addr"),
			DataDir:      get("data"),
			DatabaseURL:  get("database-url"),
			SecretKey:    get("secret-key"),
			BaseURL:      strings.TrimRight(get("base-url"), "/"),
			Demo:         parseBool(get("demo")),
			WeiboAPI:     strings.TrimRight(get("weibo-api"), "/"),
			WeChatAPI:    strings.TrimRight(get("wechat-api"), "/"),
			LogLevel:     get("log-level"),
			LogFormat:    get("log-format"),
			TrustProxy:   parseBool(get("trust-proxy")),
			MetricsAddr:  get("metrics-addr"),
			MetricsToken: get("metrics-token"),
			SMTPURL:      get("smtp-url"),
			MediaURL:     get("media-url"),
			S3: S3{
				Endpoint:  strings.TrimRight(get("s3-endpoint"), "/"),
				Region:    get("s3-region"),
				AccessKey: get("s3-access-key"),
				SecretKey: get("s3-secret-key"),
			},
			BackupDir: get("backup-dir"),
		}
		var err error
		for _, r := range strings.Split(get("trusted-proxies"), ",") {
			if r = strings.TrimSpace(r); r == "" {
				continue
			}
			p, err := netip.ParsePrefix(r)
			if err != nil {
				if a, aerr := netip.ParseAddr(r); aerr == nil {
					p, err = a.Prefix(a.BitLen())
				}
			}
			if err != nil {
				return nil, fmt.Errorf("config: trusted-proxies: %q is not an address range", r)
			}
			c.TrustedProxies = append(c.TrustedProxies, p.Masked())
			c.TrustProxy = true
		}
		if c.LoginConcurrency, err = strconv.Atoi(get("login-concurrency")); err != nil || c.LoginConcurrency < 0 {
			return nil, fmt.Errorf("config: login-concurrency must be 0 or a positive number")
		}
		if c.MediaWorkers, err = strconv.Atoi(get("media-workers")); err != nil || c.MediaWorkers < 0 {
			return nil, fmt.Errorf("config: media-workers must be a number, 0 for the number of cores")
		}
		decodeMB, err := strconv.ParseInt(get("media-decode-mb"), 10, 64)
		if err != nil || decodeMB <= 0 || decodeMB > 1<<20 {
			return nil, fmt.Errorf("config: media-decode-mb must be a positive number of megabytes")
		}
		c.MediaDecodeBytes = decodeMB << 20
		if c.MaxBodyBytes, err = strconv.ParseInt(get("max-body"), 10, 64); err != nil || c.MaxBodyBytes <= 0 {
			return nil, fmt.Errorf("config: max-body must be a positive number of bytes")
		}
		if c.ShutdownTimeout, err = time.ParseDuration(get("shutdown-timeout")); err != nil {
			return nil, fmt.Errorf("config: shutdown-timeout: %w", err)
		}
		if c.PublishLead, err = time.ParseDuration(get("publish-lead")); err != nil || c.PublishLead < 0 {
			return nil, fmt.Errorf("config: publish-lead must be a duration such as 15s")
		}
		if c.PublishSettle, err = time.ParseDuration(get("publish-settle")); err != nil || c.PublishSettle <= 0 {
			return nil, fmt.Errorf("config: publish-settle must be a positive duration such as 2m")
		}
		durations := []struct {
			name string
			dst  *time.Duration
			min  time.Duration
		}{
			{"backup-interval", &c.BackupInterval, 0},
			{"audit-retention", &c.AuditRetention, 720 * time.Hour},
			{"push-retention", &c.PushRetention, time.Hour},
			{"conversation-retention", &c.ConversationRetention, 48 * time.Hour},
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
	if c.MediaURL != "" {
		if _, _, err := c.MediaBucket(); err != nil {
			return err
		}
		p, err := url.Parse(c.S3.Endpoint)
		if err != nil || (p.Scheme != "http" && p.Scheme != "https") || p.Host == "" || (p.Path != "" && p.Path != "/") {
			return fmt.Errorf("config: s3-endpoint must be an http(s) URL without a path")
		}
		if c.S3.AccessKey == "" || c.S3.SecretKey == "" {
			return fmt.Errorf("config: an S3 media store needs PASSERELLE_S3_ACCESS_KEY and PASSERELLE_S3_SECRET_KEY")
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

// MediaBucket returns the bucket and key prefix of an s3:// MediaURL.
func (c *Config) MediaBucket() (bucket, prefix string, err error) {
	u, err := url.Parse(c.MediaURL)
	if err != nil || u.Scheme != "s3" || u.Host == "" || u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", "", fmt.Errorf("config: media-url must be s3://BUCKET or s3://BUCKET/PREFIX")
	}
	return u.Host, strings.Trim(u.Path, "/"), nil
}
