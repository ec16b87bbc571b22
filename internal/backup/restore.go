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
	"io"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/media"
)

func isNotFound(err error) bool { return passerelle.ErrorCode(err) == passerelle.ENOTFOUND }

// ErrDamaged marks an archive that fails verification.
var ErrDamaged = errors.New("backup archive is damaged or not a Passerelle backup")

func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
}

// Verify checks an archive completely without writing anything: the trailer's
// checksum of the whole file, then every entry against the manifest.
func Verify(path string) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	body, err := checkTrailer(f)
	if err != nil {
		return nil, err
	}
	return verifyEntries(body, nil)
}

// checkTrailer hashes the archive up to its trailer and returns a reader of that part.
func checkTrailer(f *os.File) (*io.SectionReader, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	size := st.Size() - int64(trailerLen)
	if size <= 0 {
		return nil, damaged("too short")
	}
	tr := make([]byte, trailerLen)
	if _, err := f.ReadAt(tr, size); err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(tr, []byte(trailerPrefix)) || tr[len(tr)-1] != '\n' {
		return nil, damaged("no checksum trailer")
	}
	want := string(tr[len(trailerPrefix) : len(tr)-1])
	h := sha256.New()
	if _, err := io.Copy(h, io.NewSectionReader(f, 0, size)); err != nil {
		return nil, err
	}
	if hex.EncodeToString(h.Sum(nil)) != want {
		return nil, damaged("checksum mismatch")
	}
	return io.NewSectionReader(f, 0, size), nil
}

// verifyEntries reads every entry, checks its name, its size and SHA-256 against the
// manifest; extract, when not nil, receives each verified-in-flight entry (it must not
// keep anything if the final result is an error).
func verifyEntries(r io.Reader, extract func(name string, r io.Reader) error) (*Manifest, error) {
	tr := tar.NewReader(r)
	seen := map[string]File{}
	var m *Manifest
	for {
		hdr, err := tr.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, damaged("%v", err)
		}
		if hdr.Typeflag != tar.TypeReg || !cleanEntry(hdr.Name) {
			return nil, damaged("unexpected entry %q", hdr.Name)
		}
		if m != nil {
			return nil, damaged("entry after the manifest")
		}
		if _, dup := seen[hdr.Name]; dup {
			return nil, damaged("duplicate entry %q", hdr.Name)
		}
		if hdr.Name == manifestEntry {
			body, err := io.ReadAll(io.LimitReader(tr, 64<<20))
			if err != nil {
				return nil, damaged("%v", err)
			}
			m = new(Manifest)
			if err := json.Unmarshal(body, m); err != nil {
				return nil, damaged("manifest: %v", err)
			}
			continue
		}
		h := sha256.New()
		var n int64
		src := io.TeeReader(tr, h)
		if extract != nil {
			cr := &countReader{r: src}
			if err := extract(hdr.Name, cr); err != nil {
				return nil, err
			}
			io.Copy(io.Discard, cr)
			n = cr.n
		} else if n, err = io.Copy(io.Discard, src); err != nil {
			return nil, damaged("%v", err)
		}
		seen[hdr.Name] = File{Path: hdr.Name, Bytes: n, SHA256: hex.EncodeToString(h.Sum(nil))}
	}
	if m == nil {
		return nil, damaged("no manifest")
	}
	if m.Format != Format {
		return nil, damaged("format %q, this binary reads %q", m.Format, Format)
	}
	if len(m.Files) != len(seen) {
		return nil, damaged("the manifest lists %d files, the archive holds %d", len(m.Files), len(seen))
	}
	hasDB := false
	for _, want := range m.Files {
		got, ok := seen[want.Path]
		if !ok || got != want {
			return nil, damaged("%s does not match the manifest", want.Path)
		}
		if want.Path == sqliteEntry || want.Path == pgdumpEntry {
			hasDB = true
		}
		if media.ValidKey(filepath.Base(want.Path)) && want.SHA256 != filepath.Base(want.Path) {
			return nil, damaged("%s does not match its key", want.Path)
		}
	}
	if !hasDB {
		return nil, damaged("no database")
	}
	return m, nil
}

type countReader struct {
	r io.Reader
	n int64
}

func (c *countReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

// RestoreOptions say where to restore.
type RestoreOptions struct {
	// DataDir receives the database (SQLite), the key file and the media. It must not
	// exist or be empty.
	DataDir string
	// DatabaseURL is the PostgreSQL database a PostgreSQL backup is restored into.
	DatabaseURL string
	// PGRestore is the pg_restore program; empty: looked up in PATH.
	PGRestore string
	// Media receives the media files; nil: DataDir/media. Files are put as the archive
	// is read (after it was verified once): a restore that fails later leaves in such
	// a store only content-addressed files nothing refers to.
	Media media.Store
}

// Restore verifies the archive at path completely, then restores it. A damaged archive
// is refused before anything is written; the data directory appears only once complete.
func Restore(ctx context.Context, path string, o RestoreOptions) (*Manifest, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	body, err := checkTrailer(f)
	if err != nil {
		return nil, err
	}
	m, err := verifyEntries(body, nil)
	if err != nil {
		return nil, err
	}
	if m.Engine == "postgres" && o.DatabaseURL == "" {
		return nil, errors.New("restore: this is a PostgreSQL backup: give the database to restore into with --database-url")
	}
	if m.Engine == "sqlite" && o.DatabaseURL != "" {
		return nil, errors.New("restore: this is a SQLite backup: restore it into a data directory, without --database-url")
	}
	if o.DataDir == "" {
		return nil, errors.New("restore: no data directory")
	}
	target, err := filepath.Abs(o.DataDir)
	if err != nil {
		return nil, err
	}
	if entries, err := os.ReadDir(target); err == nil && len(entries) > 0 {
		return nil, fmt.Errorf("restore: %s is not empty; restore into a new directory", target)
	}
	parent := filepath.Dir(target)
	if err := os.MkdirAll(parent, 0o750); err != nil {
		return nil, err
	}
	work, err := os.MkdirTemp(parent, "."+filepath.Base(target)+".restore-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(work)
	if err := os.Chmod(work, 0o750); err != nil {
		return nil, err
	}
	var ms media.Store = &media.DiskStore{Root: filepath.Join(work, "media")}
	if o.Media != nil {
		ms = o.Media
	}
	extract := func(name string, r io.Reader) error {
		switch {
		case name == sqliteEntry:
			return writeFile(filepath.Join(work, "passerelle.db"), r, 0o640)
		case name == pgdumpEntry:
			return writeFile(filepath.Join(work, "passerelle.pgdump"), r, 0o600)
		case name == keyEntry:
			return writeFile(filepath.Join(work, "secret.key"), r, 0o600)
		default:
			key, err := ms.Put(ctx, r)
			if err != nil {
				return err
			}
			if key != filepath.Base(name) {
				return damaged("%s does not match its key", name)
			}
			return nil
		}
	}
	// Second pass: the file was verified, but it is read again; check it again.
	if _, err := body.Seek(0, io.SeekStart); err != nil {
		return nil, err
	}
	if _, err := verifyEntries(body, extract); err != nil {
		return nil, err
	}
	if m.Engine == "postgres" {
		dump := filepath.Join(work, "passerelle.pgdump")
		if err := pgRestore(ctx, o.PGRestore, o.DatabaseURL, dump); err != nil {
			return nil, err
		}
		os.Remove(dump)
	}
	if err := os.Remove(target); err != nil && !errors.Is(err, os.ErrNotExist) {
		return nil, err
	}
	if err := os.Rename(work, target); err != nil {
		return nil, err
	}
	syncDir(parent)
	return m, nil
}

func writeFile(name string, r io.Reader, mode os.FileMode) error {
	f, err := os.OpenFile(name, os.O_WRONLY|os.O_CREATE|os.O_EXCL, mode)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func pgRestore(ctx context.Context, prog, dbURL, dump string) error {
	if prog == "" {
		prog = "pg_restore"
	}
	p, err := exec.LookPath(prog)
	if err != nil {
		return errors.New("restore: PostgreSQL restores drive pg_restore, which was not found in PATH")
	}
	conn, _, err := libpqURL(dbURL)
	if err != nil {
		return err
	}
	cmd := exec.CommandContext(ctx, p, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--single-transaction", "--exit-on-error", "--dbname="+conn, dump)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("pg_restore: %w: %s", err, firstLine(stderr.String()))
	}
	return nil
}

// libpqURL removes the search_path parameter (pgx's, unknown to libpq) from a URL and
// returns it apart: the dump is then limited to that schema.
func libpqURL(s string) (conn, schema string, err error) {
	u, err := url.Parse(s)
	if err != nil {
		return "", "", fmt.Errorf("database URL: %w", err)
	}
	q := u.Query()
	schema = q.Get("search_path")
	q.Del("search_path")
	u.RawQuery = q.Encode()
	return u.String(), schema, nil
}
