//go:build linux

package backup

import (
	"bytes"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"
)

// TestFlushWriter writes several flushAfter ranges in uneven pieces: the file holds
// exactly what was written, whatever was flushed and dropped from the page cache.
func TestFlushWriter(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(1, 2))
	want := randomBytes(r, 3*flushAfter+12345)
	path := filepath.Join(t.TempDir(), "out")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	w := newFlushWriter(f)
	for rest := want; len(rest) > 0; {
		n := min(len(rest), 1+r.IntN(3<<20))
		if k, err := w.Write(rest[:n]); k != n || err != nil {
			t.Fatalf("Write: %d of %d, %v", k, n, err)
		}
		rest = rest[n:]
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("file differs from what was written (%d bytes, want %d)", len(got), len(want))
	}
}

// TestLowerPriority lowers the priority of the calling thread only.
func TestLowerPriority(t *testing.T) {
	t.Parallel()
	nice := func() int {
		raw, err := unix.Getpriority(unix.PRIO_PROCESS, unix.Gettid())
		if err != nil {
			t.Error(err)
		}
		return 20 - raw
	}
	runtime.LockOSThread()
	before := nice()
	runtime.UnlockOSThread()
	lowered, release := make(chan int), make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread ends with the goroutine
		lowerPriority()
		lowered <- nice()
		<-release
	}()
	if got, want := <-lowered, max(before, backupNice); got != want {
		t.Errorf("backup thread's nice: %d, want %d", got, want)
	}
	// Another thread, while the backup's is held by its goroutine.
	other := make(chan int)
	go func() {
		runtime.LockOSThread()
		defer runtime.UnlockOSThread()
		other <- nice()
	}()
	if got := <-other; got != before {
		t.Errorf("another thread's nice: %d, want %d (unchanged)", got, before)
	}
	close(release)
}

// TestLowerProcess runs itself in a process of its own (LowerProcess lowers the whole
// process), where every thread, and one started afterwards, must have the SCHED_IDLE
// policy and the lowest best-effort disk priority.
func TestLowerProcess(t *testing.T) {
	const inChild = "GO_TEST_LOWER_PROCESS"
	if os.Getenv(inChild) != "1" {
		t.Parallel()
		cmd := exec.Command(os.Args[0], "-test.run=^TestLowerProcess$", "-test.v")
		cmd.Env = append(os.Environ(), inChild+"=1")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("the lowered process: %v\n%s", err, out)
		}
		return
	}
	if err := LowerProcess(); err != nil {
		t.Fatal(err)
	}
	// A thread started after it: a goroutine locked to a new thread while this one
	// holds its own.
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	release := make(chan struct{})
	defer close(release)
	started := make(chan int)
	go func() {
		runtime.LockOSThread()
		started <- unix.Gettid()
		<-release
	}()
	fresh := <-started
	entries, err := os.ReadDir("/proc/self/task")
	if err != nil {
		t.Fatal(err)
	}
	seen := false
	for _, e := range entries {
		tid, _ := strconv.Atoi(e.Name())
		seen = seen || tid == fresh
		attr, err := unix.SchedGetAttr(tid, 0)
		if err != nil {
			t.Fatalf("thread %d: %v", tid, err)
		}
		if attr.Policy != unix.SCHED_IDLE {
			t.Errorf("thread %d: policy %d, want SCHED_IDLE", tid, attr.Policy)
		}
		prio, _, errno := unix.Syscall(unix.SYS_IOPRIO_GET, ioprioWhoProcess, uintptr(tid), 0)
		if errno != 0 || prio != ioprioLowest {
			t.Errorf("thread %d: I/O priority %#x (%v), want %#x", tid, prio, errno, ioprioLowest)
		}
	}
	if !seen {
		t.Errorf("the thread started afterwards (%d) is not among the process's", fresh)
	}
}

// TestReadOnce reads a file of several flushAfter ranges through readOnce in uneven
// pieces: it reads exactly the file, whatever was dropped from the page cache meanwhile.
func TestReadOnce(t *testing.T) {
	t.Parallel()
	r := rand.New(rand.NewPCG(3, 4))
	want := randomBytes(r, 2*flushAfter+4321)
	path := filepath.Join(t.TempDir(), "in")
	if err := os.WriteFile(path, want, 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	ro := readOnce(f)
	if _, ok := ro.(*dropBehind); !ok {
		t.Fatalf("readOnce of a file: %T, want *dropBehind", ro)
	}
	var got []byte
	buf := make([]byte, 3<<20)
	for {
		n, err := ro.Read(buf[:1+r.IntN(len(buf))])
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("read %d bytes that differ from the file's %d", len(got), len(want))
	}
	if d := ro.(*dropBehind); d.dropped != int64(len(want)) {
		t.Errorf("dropped up to %d, want the whole file (%d)", d.dropped, len(want))
	}
	if r := bytes.NewReader(want); readOnce(r) != io.Reader(r) {
		t.Error("readOnce of a reader that is not a file: not the reader itself")
	}
}

// randomBytes is n bytes drawn from r.
func randomBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// TestRemoveFile: a file only this program has open is unlinked, then cut (inotify
// reports the modification; it merges the steps' identical events); a file with another
// link, another reader or reached through a symbolic link is only unlinked, and what
// the others see is intact.
func TestRemoveFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	content := randomBytes(rand.New(rand.NewPCG(3, 4)), 1<<20)
	// Files of several steps: content, then a hole (no disk needed).
	size := int64(2*removeStep + len(content))
	write := func(name string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, content, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, size); err != nil {
			t.Fatal(err)
		}
		return path
	}
	intact := func(what string, r io.Reader) {
		t.Helper()
		head := make([]byte, len(content))
		n, err := io.ReadFull(r, head)
		rest, err2 := io.Copy(io.Discard, r)
		if err != nil || err2 != nil || !bytes.Equal(head, content) || int64(n)+rest != size {
			t.Errorf("%s reads %d bytes (%v, %v), want the %d written", what, int64(n)+rest, err, err2, size)
		}
	}
	gone := func(path string) {
		t.Helper()
		if _, err := os.Lstat(path); !os.IsNotExist(err) {
			t.Errorf("%s is still there: %v", filepath.Base(path), err)
		}
	}

	t.Run("alone", func(t *testing.T) {
		path := filepath.Join(dir, "alone.tar")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := f.Truncate(3*removeStep + 100); err != nil { // sparse: no disk needed
			t.Fatal(err)
		}
		f.Close()
		in, err := unix.InotifyInit1(unix.IN_NONBLOCK | unix.IN_CLOEXEC)
		if err != nil {
			t.Fatal(err)
		}
		defer unix.Close(in)
		if _, err := unix.InotifyAddWatch(in, path, unix.IN_MODIFY); err != nil {
			t.Fatal(err)
		}
		if err := RemoveFile(path); err != nil {
			t.Fatal(err)
		}
		gone(path)
		buf := make([]byte, 64<<10)
		n, err := unix.Read(in, buf)
		if err != nil {
			t.Fatal(err)
		}
		modified := 0
		for off := 0; off < n; {
			ev := (*unix.InotifyEvent)(unsafe.Pointer(&buf[off]))
			if ev.Mask&unix.IN_MODIFY != 0 {
				modified++
			}
			off += unix.SizeofInotifyEvent + int(ev.Len)
		}
		if modified == 0 {
			t.Error("the file was not cut before it was freed")
		}
	})
	// Another hard link to the file (its name removed), a symbolic link (removed) to
	// it: the other name reads the whole file.
	for _, c := range []struct {
		name       string
		link       func(oldname, newname string) error
		removeLink bool
	}{{"linked", os.Link, false}, {"symlink", os.Symlink, true}} {
		t.Run(c.name, func(t *testing.T) {
			file, link := write(c.name+".tar"), filepath.Join(dir, c.name+"-link")
			if err := c.link(file, link); err != nil {
				t.Fatal(err)
			}
			removed, kept := file, link
			if c.removeLink {
				removed, kept = link, file
			}
			if err := RemoveFile(removed); err != nil {
				t.Fatal(err)
			}
			gone(removed)
			f, err := os.Open(kept)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			intact(filepath.Base(kept), f)
		})
	}
	t.Run("open elsewhere", func(t *testing.T) {
		path := write("open.tar")
		r, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		defer r.Close()
		if err := RemoveFile(path); err != nil {
			t.Fatal(err)
		}
		gone(path)
		intact("its reader", r)
	})
	t.Run("missing", func(t *testing.T) {
		if err := RemoveFile(filepath.Join(dir, "missing.tar")); !os.IsNotExist(err) {
			t.Errorf("RemoveFile(missing) = %v, want not exist", err)
		}
	})
}
