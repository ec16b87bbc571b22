package media

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/passerelle-oss/passerelle"
)

// Store keeps files by the SHA-256 of their content. It is the seam between the media
// library and where bytes live: local disk now, an S3-compatible bucket later.
type Store interface {
	// Put stores the content of r and returns its key, the lower-case hex SHA-256.
	// Putting the same content twice stores it once and returns the same key.
	Put(ctx context.Context, r io.Reader) (key string, err error)
	// Open returns the content of key, or an error with code ENOTFOUND.
	Open(ctx context.Context, key string) (io.ReadCloser, error)
	// Delete removes key; deleting a missing key is not an error.
	Delete(ctx context.Context, key string) error
}

// DiskStore stores files under Root as ab/cd/abcdef…, two levels of 256 directories
// so that no directory grows past a few thousand entries.
type DiskStore struct {
	Root string
}

var _ Store = (*DiskStore)(nil)

// ValidKey reports whether key is a lower-case hex SHA-256: the only keys a store
// accepts, which also keeps a crafted key from naming a path outside the root.
func ValidKey(key string) bool {
	if len(key) != 64 {
		return false
	}
	for i := range len(key) {
		c := key[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

func (s *DiskStore) path(key string) string {
	return filepath.Join(s.Root, key[0:2], key[2:4], key)
}

func badKey(key string) error {
	return passerelle.Errorf(passerelle.EINVALID, "%q is not a media key.", key)
}

// Put writes r to a temporary file in the root while hashing it, flushes it to disk,
// then renames it into place: readers never see a partial file, and a crash leaves at
// worst a stray temporary file.
func (s *DiskStore) Put(ctx context.Context, r io.Reader) (key string, err error) {
	if err := os.MkdirAll(s.Root, 0o750); err != nil {
		return "", fmt.Errorf("media store: %w", err)
	}
	tmp, err := os.CreateTemp(s.Root, ".put-*")
	if err != nil {
		return "", fmt.Errorf("media store: %w", err)
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	h := sha256.New()
	if _, err := io.Copy(io.MultiWriter(tmp, h), ctxReader{ctx, r}); err != nil {
		return "", fmt.Errorf("media store: write: %w", err)
	}
	if err := tmp.Sync(); err != nil {
		return "", fmt.Errorf("media store: sync: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("media store: close: %w", err)
	}
	key = hex.EncodeToString(h.Sum(nil))
	dst := s.path(key)
	if _, statErr := os.Stat(dst); statErr == nil {
		// Same content already stored: nothing to replace.
		os.Remove(tmp.Name())
		return key, nil
	}
	dir := filepath.Dir(dst)
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", fmt.Errorf("media store: %w", err)
	}
	if err := os.Chmod(tmp.Name(), 0o640); err != nil {
		return "", fmt.Errorf("media store: %w", err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", fmt.Errorf("media store: rename: %w", err)
	}
	// The rename is durable only once the directory entry is.
	if d, err := os.Open(dir); err == nil {
		err = d.Sync()
		d.Close()
		if err != nil {
			return "", fmt.Errorf("media store: sync dir: %w", err)
		}
	}
	return key, nil
}

// Open opens the file of key.
func (s *DiskStore) Open(ctx context.Context, key string) (io.ReadCloser, error) {
	if !ValidKey(key) {
		return nil, badKey(key)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f, err := os.Open(s.path(key))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, passerelle.ErrNotFound
	}
	if err != nil {
		return nil, fmt.Errorf("media store: %w", err)
	}
	return f, nil
}

// Delete removes the file of key. The two directory levels are left: they are shared
// and cost nothing.
func (s *DiskStore) Delete(ctx context.Context, key string) error {
	if !ValidKey(key) {
		return badKey(key)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := os.Remove(s.path(key)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("media store: %w", err)
	}
	return nil
}

// ctxReader stops a long copy when the request is cancelled.
type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
