// Package backup makes and restores Passerelle backups: one archive holding a consistent
// copy of the database, the media it refers to at that instant, the credential key file,
// and a manifest with every file's SHA-256.
//
// The archive is a tar stream (readable by any tar tool) followed by a one-line trailer
// with the SHA-256 of every byte before it, so that a change of any single byte — data,
// tar header or padding — is detected before anything is restored.
package backup

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/store"
)

// Format names the archive layout; restore refuses any other.
const Format = "passerelle-backup/1"

// Paths inside the archive.
const (
	sqliteEntry   = "database/passerelle.db"
	pgdumpEntry   = "database/passerelle.pgdump"
	keyEntry      = "secret.key"
	manifestEntry = "manifest.json"
	mediaPrefix   = "media/"
)

// trailer is "\nPASSERELLE-BACKUP-SHA256 " + 64 hex digits + "\n".
const trailerPrefix = "\nPASSERELLE-BACKUP-SHA256 "

var trailerLen = len(trailerPrefix) + 64 + 1

// Manifest describes an archive. It is its last tar entry.
type Manifest struct {
	Format        string    `json:"format"`
	CreatedAt     time.Time `json:"created_at"`
	Version       string    `json:"passerelle_version"`
	Engine        string    `json:"engine"`
	SchemaVersion int       `json:"schema_version"`
	Files         []File    `json:"files"`
	// MissingMedia lists media keys the database referred to that the media store no
	// longer held when the backup was made.
	MissingMedia []string `json:"missing_media,omitempty"`
	Notes        []string `json:"notes,omitempty"`
}

// File is one archived file.
type File struct {
	Path   string `json:"path"`
	Bytes  int64  `json:"bytes"`
	SHA256 string `json:"sha256"`
}

// MediaBytes sums the archived media.
func (m *Manifest) MediaBytes() (n int64, files int) {
	for _, f := range m.Files {
		if strings.HasPrefix(f.Path, mediaPrefix) {
			n += f.Bytes
			files++
		}
	}
	return n, files
}

// Options say what to back up.
type Options struct {
	DB *store.DB
	// DataDir holds the key file (when the keys are not given by the environment).
	DataDir string
	// Media is the media store; nil: the disk store under DataDir/media.
	Media media.Store
	// Version is the binary's version, recorded in the manifest.
	Version string
	// TempDir receives the database copy while it is archived; empty: the system's.
	TempDir string
	// BytesPerSecond paces the backup, the SQLite database copy and the archive (0: as
	// fast as the disks go), so that it leaves CPU and disk to the requests the server
	// answers meanwhile. Paced or not, a backup yields the processor to waiting
	// goroutines after every chunk it copies.
	BytesPerSecond int64
	// SkipMedia leaves the media out (the backup before a migration: migrations never
	// touch media files).
	SkipMedia bool
	// PGDump is the pg_dump program; empty: looked up in PATH.
	PGDump string
	Logger *slog.Logger
	Now    func() time.Time
}

func (o *Options) defaults() {
	if o.Media == nil {
		o.Media = &media.DiskStore{Root: filepath.Join(o.DataDir, "media")}
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.PGDump == "" {
		o.PGDump = "pg_dump"
	}
}

// ErrNoPGDump says that PostgreSQL backups need pg_dump, which was not found.
var ErrNoPGDump = errors.New("backup: PostgreSQL backups drive pg_dump, which was not found in PATH: install the PostgreSQL client tools of the server's major version, or back up with PostgreSQL's own tools (pg_dump, pg_basebackup, PITR)")

// WriteFile writes a backup archive to path: to a temporary file beside it, flushed to
// disk, then renamed, so path is either absent or complete.
func WriteFile(ctx context.Context, path string, o Options) (*Manifest, error) {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	tmp, err := os.CreateTemp(dir, ".backup-*")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer RemoveFile(tmp.Name()) // on failure: renamed otherwise
	defer tmp.Close()
	if o.TempDir == "" {
		o.TempDir = dir
	}
	m, err := Write(ctx, newFlushWriter(tmp), o)
	if err != nil {
		return nil, err
	}
	if err := tmp.Sync(); err != nil {
		return nil, fmt.Errorf("backup: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o600); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	syncDir(dir)
	return m, nil
}

// Write writes a backup archive to w.
//
// It runs on an OS thread of its own at a lower priority (on Linux), so that the
// processor time it takes is what the server's requests leave.
func Write(ctx context.Context, w io.Writer, o Options) (*Manifest, error) {
	type result struct {
		m     *Manifest
		err   error
		panic any
	}
	done := make(chan result, 1)
	go func() {
		// Never unlocked: the thread, whose priority is lowered, ends with the goroutine.
		runtime.LockOSThread()
		lowerPriority()
		var r result
		defer func() {
			if p := recover(); p != nil {
				r.panic = p
			}
			done <- r
		}()
		r.m, r.err = write(ctx, w, o)
	}()
	r := <-done
	if r.panic != nil {
		panic(r.panic)
	}
	return r.m, r.err
}

func write(ctx context.Context, w io.Writer, o Options) (*Manifest, error) {
	o.defaults()
	work, err := os.MkdirTemp(o.TempDir, ".backup-work-*")
	if err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	defer os.RemoveAll(work)

	m := &Manifest{Format: Format, CreatedAt: o.Now().UTC().Truncate(time.Second), Version: o.Version, Engine: string(o.DB.Dialect())}
	if m.SchemaVersion, err = o.DB.SchemaVersion(ctx); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	var dbFile, dbEntry string
	var refs []store.MediaRef
	// One pace for the database copy and the archive.
	pace := newPacer(o.BytesPerSecond)
	switch o.DB.Dialect() {
	case store.SQLite:
		dbFile, dbEntry = filepath.Join(work, "passerelle.db"), sqliteEntry
		defer RemoveFile(dbFile) // gigabytes: before the directory goes
		t0 := time.Now()
		cf := newCopyFlusher(dbFile)
		err = o.DB.SnapshotSQLite(ctx, dbFile, func(n int64) { cf.copied(n); pace.wait(n) })
		cf.close()
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		logCopied(ctx, o.Logger, dbFile, t0)
		// The media referred to at the instant of the copy: read from the copy itself.
		if refs, err = store.CopyMediaRefs(ctx, dbFile); err != nil {
			return nil, fmt.Errorf("backup: read the copy: %w", err)
		}
	case store.Postgres:
		prog, err := exec.LookPath(o.PGDump)
		if err != nil {
			return nil, ErrNoPGDump
		}
		dbFile, dbEntry = filepath.Join(work, "passerelle.pgdump"), pgdumpEntry
		defer RemoveFile(dbFile) // gigabytes: before the directory goes
		t0 := time.Now()
		err = o.DB.ExportSnapshot(ctx, func(snapshot string, r []store.MediaRef) error {
			refs = r
			return pgDump(ctx, prog, o.DB.PostgresURL(), snapshot, dbFile)
		})
		if err != nil {
			return nil, fmt.Errorf("backup: %w", err)
		}
		logCopied(ctx, o.Logger, dbFile, t0)
		m.Notes = append(m.Notes, "database dumped with pg_dump --format=custom; restore with `passerelle restore --database-url`, which drives pg_restore")
	}

	hw := &hashWriter{w: w, h: sha256.New(), pace: pace}
	a := &archiver{tw: tar.NewWriter(hw), buf: make([]byte, chunk)}
	tw := a.tw
	if err := a.addFile(m, dbEntry, dbFile); err != nil {
		return nil, err
	}
	keyPath := filepath.Join(o.DataDir, "secret.key")
	if _, err := os.Stat(keyPath); err == nil && o.DataDir != "" {
		if err := a.addFile(m, keyEntry, keyPath); err != nil {
			return nil, err
		}
		m.Notes = append(m.Notes, "holds secret.key, which opens the sealed platform credentials: keep this archive as safe as the server")
	} else {
		m.Notes = append(m.Notes, "no secret.key in the data directory (keys given by PASSERELLE_SECRET_KEY?): keep those keys with this archive")
	}
	if o.SkipMedia {
		refs = nil
		m.Notes = append(m.Notes, "media files are not included: restore this archive, then copy the media directory of the live data directory beside it")
	}
	for _, ref := range refs {
		if err := a.addMedia(ctx, m, o.Media, ref); err != nil {
			return nil, err
		}
	}
	body, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	if err := tw.WriteHeader(&tar.Header{Name: manifestEntry, Mode: 0o600, Size: int64(len(body)), ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if _, err := tw.Write(body); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if err := tw.Close(); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	sum := hex.EncodeToString(hw.h.Sum(nil))
	if _, err := io.WriteString(w, trailerPrefix+sum+"\n"); err != nil {
		return nil, fmt.Errorf("backup: %w", err)
	}
	if len(m.MissingMedia) > 0 {
		o.Logger.WarnContext(ctx, "backup: media files referred to by the database are missing from the media store", slog.Int("missing", len(m.MissingMedia)))
	}
	return m, nil
}

// MsgDatabaseCopied is the message of the Debug record Write logs when the database copy
// is made, before the archiving starts (bench/backup splits its figures at it).
const MsgDatabaseCopied = "backup: database copied"

func logCopied(ctx context.Context, l *slog.Logger, file string, t0 time.Time) {
	if !l.Enabled(ctx, slog.LevelDebug) {
		return
	}
	var size int64
	if st, err := os.Stat(file); err == nil {
		size = st.Size()
	}
	l.DebugContext(ctx, MsgDatabaseCopied, slog.Duration("took", time.Since(t0)), slog.Int64("bytes", size))
}

func pgDump(ctx context.Context, prog, dbURL, snapshot, out string) error {
	conn, schema, err := libpqURL(dbURL)
	if err != nil {
		return err
	}
	args := []string{"--format=custom", "--no-owner", "--no-privileges", "--snapshot=" + snapshot, "--file=" + out}
	if schema != "" {
		args = append(args, "--schema="+schema)
	}
	cmd := exec.CommandContext(ctx, prog, append(args, conn)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pg_dump: %w: %s", err, firstLine(stderr.String()))
	}
	return nil
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// chunk is what the archiver reads and writes at a time: the pace is kept, and the
// processor yielded, between two chunks.
const chunk = 256 << 10

// archiver writes the tar entries.
type archiver struct {
	tw  *tar.Writer
	buf []byte
}

func (a *archiver) addFile(m *Manifest, name, src string) error {
	f, err := os.Open(src)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	return a.addReader(m, name, readOnce(f), st.Size())
}

func (a *archiver) addReader(m *Manifest, name string, r io.Reader, size int64) error {
	if err := a.tw.WriteHeader(&tar.Header{Name: name, Mode: 0o600, Size: size, ModTime: m.CreatedAt, Typeflag: tar.TypeReg}); err != nil {
		return fmt.Errorf("backup: %s: %w", name, err)
	}
	h := sha256.New()
	var n int64
	for {
		k, err := io.ReadFull(r, a.buf)
		if k > 0 {
			h.Write(a.buf[:k])
			if _, err := a.tw.Write(a.buf[:k]); err != nil {
				return fmt.Errorf("backup: %s: %w", name, err)
			}
			n += int64(k)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			return fmt.Errorf("backup: %s: %w", name, err)
		}
	}
	if n != size {
		return fmt.Errorf("backup: %s: read %d bytes, expected %d", name, n, size)
	}
	m.Files = append(m.Files, File{Path: name, Bytes: size, SHA256: hex.EncodeToString(h.Sum(nil))})
	return nil
}

func mediaPath(key string) string { return mediaPrefix + key[0:2] + "/" + key[2:4] + "/" + key }

// addMedia archives one media file, read through the media store. Its key is the
// SHA-256 of its content, which the copy checks.
func (a *archiver) addMedia(ctx context.Context, m *Manifest, st media.Store, ref store.MediaRef) error {
	if !media.ValidKey(ref.Key) {
		m.MissingMedia = append(m.MissingMedia, ref.Key)
		return nil
	}
	rc, err := st.Open(ctx, ref.Key)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) || isNotFound(err) {
			m.MissingMedia = append(m.MissingMedia, ref.Key)
			return nil
		}
		return fmt.Errorf("backup: media %s: %w", ref.Key, err)
	}
	defer rc.Close()
	size := ref.Bytes
	if s, ok := rc.(interface{ Stat() (fs.FileInfo, error) }); ok {
		if fi, err := s.Stat(); err == nil {
			size = fi.Size()
		}
	}
	if err := a.addReader(m, mediaPath(ref.Key), readOnce(rc), size); err != nil {
		return err
	}
	if got := m.Files[len(m.Files)-1].SHA256; got != ref.Key {
		return fmt.Errorf("backup: media %s: content does not match its key (damaged media store?)", ref.Key)
	}
	return nil
}

type hashWriter struct {
	w    io.Writer
	h    hash.Hash
	pace *pacer
}

func (hw *hashWriter) Write(p []byte) (int, error) {
	n, err := hw.w.Write(p)
	hw.h.Write(p[:n])
	hw.pace.wait(int64(n))
	return n, err
}

// pacer sleeps so that bytes pass at no more than rate per second (rate 0: no limit),
// and yields the processor after every chunk copied when it does not sleep.
//
// The yield bounds what the backup makes requests wait: a goroutine that computes or
// copies without blocking keeps its P until the scheduler preempts it, up to 10 ms
// later, while the goroutines of requests that became runnable on that P wait (on 2
// cores, the p99 of a request is a few milliseconds). runtime.Gosched puts the backup
// behind them after each chunk (about half a millisecond of hashing and copying).
type pacer struct {
	rate  int64
	start time.Time
	bytes int64
	since int64 // bytes since the last yield
}

func newPacer(rate int64) *pacer {
	return &pacer{rate: max(rate, 0), start: time.Now()}
}

func (p *pacer) wait(n int64) {
	p.bytes += n
	p.since += n
	if p.rate > 0 {
		due := time.Duration(float64(p.bytes) / float64(p.rate) * float64(time.Second))
		if ahead := due - time.Since(p.start); ahead > 0 {
			time.Sleep(ahead)
			p.since = 0
			return
		}
	}
	if p.since >= chunk {
		runtime.Gosched()
		p.since = 0
	}
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		d.Sync()
		d.Close()
	}
}

// Rotate deletes the oldest archives FileName named with label in dir beyond keep.
func Rotate(dir string, keep int, label string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil, err
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() && strings.HasPrefix(e.Name(), "passerelle-") && strings.HasSuffix(e.Name(), "-"+label+".tar") {
			names = append(names, e.Name())
		}
	}
	sort.Strings(names) // names carry a sortable UTC instant
	var removed []string
	for len(names) > keep {
		if err := RemoveFile(filepath.Join(dir, names[0])); err != nil {
			return removed, err
		}
		removed = append(removed, names[0])
		names = names[1:]
	}
	return removed, nil
}

// FileName is the name of a scheduled or automatic backup made at t.
func FileName(t time.Time, label string) string {
	name := "passerelle-" + t.UTC().Format("20060102T150405Z")
	if label != "" {
		name += "-" + label
	}
	return name + ".tar"
}

// cleanEntry reports whether name is a path this format writes.
func cleanEntry(name string) bool {
	switch name {
	case sqliteEntry, pgdumpEntry, keyEntry, manifestEntry:
		return true
	}
	if !strings.HasPrefix(name, mediaPrefix) || path.Clean(name) != name {
		return false
	}
	key := path.Base(name)
	return media.ValidKey(key) && name == mediaPath(key)
}
