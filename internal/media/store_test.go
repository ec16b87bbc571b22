package media

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/passerelle-oss/passerelle"
)

func TestDiskStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := &DiskStore{Root: filepath.Join(t.TempDir(), "media")}
	content := []byte("le contenu d'une image")
	sum := sha256.Sum256(content)
	want := hex.EncodeToString(sum[:])

	key, err := st.Put(ctx, bytes.NewReader(content))
	if err != nil {
		t.Fatal(err)
	}
	if key != want {
		t.Fatalf("key %s, want %s", key, want)
	}
	path := filepath.Join(st.Root, key[:2], key[2:4], key)
	if got, err := os.ReadFile(path); err != nil || !bytes.Equal(got, content) {
		t.Fatalf("file at %s: %q, %v", path, got, err)
	}
	again, err := st.Put(ctx, bytes.NewReader(content))
	if err != nil || again != key {
		t.Fatalf("second put: %s, %v", again, err)
	}
	if n := countFiles(t, st.Root); n != 1 {
		t.Errorf("%d files after two puts of the same content (temporary files left?)", n)
	}

	rc, err := st.Open(ctx, key)
	if err != nil {
		t.Fatal(err)
	}
	if got := drain(t, rc); !bytes.Equal(got, content) {
		t.Errorf("Open = %q", got)
	}
	rc.Close()

	if err := st.Delete(ctx, key); err != nil {
		t.Fatal(err)
	}
	if err := st.Delete(ctx, key); err != nil {
		t.Errorf("second delete: %v", err)
	}
	if _, err := st.Open(ctx, key); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
		t.Errorf("Open after delete: %v", err)
	}
}

func TestDiskStoreRefusesBadKeys(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := &DiskStore{Root: t.TempDir()}
	for _, key := range []string{
		"",
		"../../../../etc/passwd",
		strings.Repeat("A", 64),
		strings.Repeat("a", 63),
		strings.Repeat("a", 62) + "/x",
		strings.Repeat("0", 65),
	} {
		if _, err := st.Open(ctx, key); passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Errorf("Open(%q): %v", key, err)
		}
		if err := st.Delete(ctx, key); passerelle.ErrorCode(err) != passerelle.EINVALID {
			t.Errorf("Delete(%q): %v", key, err)
		}
	}
}

func TestDiskStoreConcurrentPuts(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := &DiskStore{Root: t.TempDir()}
	content := bytes.Repeat([]byte("x"), 100_000)
	var wg sync.WaitGroup
	keys := make([]string, 8)
	errs := make([]error, 8)
	for i := range keys {
		wg.Go(func() { keys[i], errs[i] = st.Put(ctx, bytes.NewReader(content)) })
	}
	wg.Wait()
	for i := range keys {
		if errs[i] != nil || keys[i] != keys[0] {
			t.Errorf("put %d: %s, %v", i, keys[i], errs[i])
		}
	}
	if n := countFiles(t, st.Root); n != 1 {
		t.Errorf("%d files after concurrent puts", n)
	}
}

func TestDiskStorePutCancelled(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	st := &DiskStore{Root: t.TempDir()}
	if _, err := st.Put(ctx, bytes.NewReader([]byte("x"))); err == nil {
		t.Fatal("put with a cancelled context succeeded")
	}
	if n := countFiles(t, st.Root); n != 0 {
		t.Errorf("%d files left", n)
	}
}
