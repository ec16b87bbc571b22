package media_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"image"
	"image/color"
	"image/png"
	"io"
	"strings"
	"sync"
	"testing"

	"github.com/passerelle-oss/passerelle"
	"github.com/passerelle-oss/passerelle/internal/media"
	"github.com/passerelle-oss/passerelle/internal/media/mediatest"
)

// TestStoreSuite runs the Store contract on every store: a directory, and a bucket of
// a real S3-compatible server when PASSERELLE_TEST_S3_URL is set.
func TestStoreSuite(t *testing.T) {
	t.Parallel()
	mediatest.Stores(t, func(t *testing.T, st media.Store) {
		ctx := context.Background()
		t.Run("put open delete", func(t *testing.T) {
			content := []byte("le contenu d'une image " + t.Name())
			sum := sha256.Sum256(content)
			want := hex.EncodeToString(sum[:])
			key, err := st.Put(ctx, bytes.NewReader(content))
			if err != nil || key != want {
				t.Fatalf("Put = %s, %v; want %s", key, err, want)
			}
			if again, err := st.Put(ctx, bytes.NewReader(content)); err != nil || again != key {
				t.Fatalf("second put: %s, %v", again, err)
			}
			if got := read(t, st, key); !bytes.Equal(got, content) {
				t.Errorf("Open = %q", got)
			}
			if err := st.Delete(ctx, key); err != nil {
				t.Fatal(err)
			}
			if err := st.Delete(ctx, key); err != nil {
				t.Errorf("second delete: %v", err)
			}
			if _, err := st.Open(ctx, key); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
				t.Errorf("Open after delete: %v", err)
			}
		})
		t.Run("reader that cannot seek", func(t *testing.T) {
			content := bytes.Repeat([]byte("0123456789"), 30_000)
			key, err := st.Put(ctx, io.MultiReader(bytes.NewReader(content[:1000]), bytes.NewReader(content[1000:])))
			if err != nil {
				t.Fatal(err)
			}
			if got := read(t, st, key); !bytes.Equal(got, content) {
				t.Errorf("Open returned %d bytes, want %d", len(got), len(content))
			}
		})
		t.Run("missing key", func(t *testing.T) {
			if _, err := st.Open(ctx, strings.Repeat("ab", 32)); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
				t.Errorf("Open of a missing key: %v", err)
			}
		})
		t.Run("bad keys", func(t *testing.T) {
			for _, key := range []string{"", "../../../../etc/passwd", strings.Repeat("A", 64), strings.Repeat("a", 63), strings.Repeat("a", 62) + "/x", strings.Repeat("0", 65)} {
				if _, err := st.Open(ctx, key); passerelle.ErrorCode(err) != passerelle.EINVALID {
					t.Errorf("Open(%q): %v", key, err)
				}
				if err := st.Delete(ctx, key); passerelle.ErrorCode(err) != passerelle.EINVALID {
					t.Errorf("Delete(%q): %v", key, err)
				}
			}
		})
		t.Run("concurrent puts", func(t *testing.T) {
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
			if got := read(t, st, keys[0]); !bytes.Equal(got, content) {
				t.Error("content differs after concurrent puts")
			}
		})
		t.Run("cancelled put", func(t *testing.T) {
			cctx, cancel := context.WithCancel(ctx)
			cancel()
			content := []byte("never stored " + t.Name())
			if _, err := st.Put(cctx, bytes.NewReader(content)); err == nil {
				t.Fatal("put with a cancelled context succeeded")
			}
			sum := sha256.Sum256(content)
			if _, err := st.Open(ctx, hex.EncodeToString(sum[:])); passerelle.ErrorCode(err) != passerelle.ENOTFOUND {
				t.Errorf("a cancelled put left the content: %v", err)
			}
		})
		t.Run("ingest and render", func(t *testing.T) {
			img := image.NewRGBA(image.Rect(0, 0, 600, 400))
			for i := range img.Pix {
				img.Pix[i] = uint8(i * 7)
			}
			img.Set(0, 0, color.RGBA{1, 2, 3, 255})
			var buf bytes.Buffer
			if err := png.Encode(&buf, img); err != nil {
				t.Fatal(err)
			}
			asset, err := media.Ingest(ctx, st, bytes.NewReader(buf.Bytes()), media.Limits{})
			if err != nil {
				t.Fatal(err)
			}
			spec, _ := media.SpecByName(media.SpecWeChatCover11)
			rs, err := media.RenderStored(ctx, st, asset.Key, []media.RenditionSpec{spec}, media.Center(), media.Limits{Gate: media.NewGate(media.GateOptions{})})
			if err != nil {
				t.Fatal(err)
			}
			if rs[0].Width != 383 || rs[0].Height != 383 {
				t.Errorf("rendition %d × %d, want 383 × 383", rs[0].Width, rs[0].Height)
			}
		})
	})
}

func read(t *testing.T, st media.Store, key string) []byte {
	t.Helper()
	rc, err := st.Open(context.Background(), key)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
