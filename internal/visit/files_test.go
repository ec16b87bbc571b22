package visit

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestIdleFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	open := func(t *testing.T) *os.File {
		t.Helper()
		f, err := os.Open(filepath.Join(dir, "a"))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	if err := os.WriteFile(filepath.Join(dir, "a"), []byte("audio"), 0o600); err != nil {
		t.Fatal(err)
	}
	t0 := time.Date(2026, 12, 6, 3, 0, 0, 0, time.UTC)

	t.Run("reused by one request at a time", func(t *testing.T) {
		fs := newFiles()
		if fs.get("k", t0) != nil {
			t.Fatal("an idle file before any was given back")
		}
		a, b := open(t), open(t)
		fs.put("k", a, t0)
		fs.put("k", b, t0)
		x, y := fs.get("k", t0), fs.get("k", t0)
		if x == nil || y == nil || x == y {
			t.Fatalf("two gets gave %p and %p: each request needs its own file", x, y)
		}
		if fs.get("k", t0) != nil || fs.get("other", t0) != nil {
			t.Fatal("a file handed out twice, or under another key")
		}
		fs.put("k", x, t0)
		fs.put("k", y, t0)
		if fs.count != 2 {
			t.Fatalf("count %d, want 2", fs.count)
		}
	})

	t.Run("idle files expire", func(t *testing.T) {
		fs := newFiles()
		f := open(t)
		fs.put("k", f, t0)
		if fs.get("k", t0.Add(fileIdle)) != nil {
			t.Fatal("a file idle for fileIdle was handed out")
		}
		if _, err := f.Stat(); err == nil {
			t.Error("the expired file is still open")
		}
		// The sweep on a later put closes the idle files of other keys.
		g := open(t)
		fs.put("old", g, t0)
		fs.put("new", open(t), t0.Add(2*fileIdle))
		if _, err := g.Stat(); err == nil || fs.count != 1 || fs.idle["old"] != nil {
			t.Errorf("after the sweep: old file open %v, count %d", err == nil, fs.count)
		}
	})

	t.Run("bounded", func(t *testing.T) {
		fs := newFiles()
		var extra *os.File
		for i := range maxIdlePerFile + 1 {
			f := open(t)
			if i == maxIdlePerFile {
				extra = f
			}
			fs.put("k", f, t0)
		}
		if len(fs.idle["k"]) != maxIdlePerFile {
			t.Fatalf("%d idle files of one key, bound %d", len(fs.idle["k"]), maxIdlePerFile)
		}
		if _, err := extra.Stat(); err == nil {
			t.Error("the file past the bound was kept open")
		}
		for i := 0; fs.count < maxIdleFiles; i++ {
			fs.put(string(rune('a'+i%26))+string(rune('a'+i/26)), open(t), t0)
		}
		last := open(t)
		fs.put("zz-last", last, t0)
		if fs.count != maxIdleFiles {
			t.Fatalf("%d idle files, bound %d", fs.count, maxIdleFiles)
		}
		if _, err := last.Stat(); err == nil {
			t.Error("the file past the total bound was kept open")
		}
	})
}
