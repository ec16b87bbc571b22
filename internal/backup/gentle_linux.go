//go:build linux

package backup

import (
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// flushAfter is how much of the archive may be written and not yet handed to the disk.
const flushAfter = 8 << 20

// flushWriter writes the archive file with stepwise writeback, as PostgreSQL's
// *_flush_after settings do: every flushAfter bytes it starts the writeback of what was
// just written, waits for the range started the time before, and drops that range from
// the page cache. Without it the archive, many gigabytes read only by a later restore,
// fills the page cache with dirty pages that the kernel writes back in bursts (stalling
// the server's reads and writes behind them) and evicts the pages the server uses.
// The calls are advice: their errors are ignored, and the archive is still fsynced at
// the end.
type flushWriter struct {
	f   *os.File
	off int64 // bytes written
	fl  flusher
}

func newFlushWriter(f *os.File) *flushWriter {
	return &flushWriter{f: f, fl: flusher{fd: int(f.Fd())}}
}

func (w *flushWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.off += int64(n)
	w.fl.written(w.off)
	return n, err
}

// flusher hands a file written from its start to the disk step by step (flushWriter).
type flusher struct {
	fd      int
	started int64 // writeback started up to here
	done    int64 // written back and dropped up to here
}

// written says that the file is written up to off.
func (w *flusher) written(off int64) {
	if off-w.started < flushAfter {
		return
	}
	unix.SyncFileRange(w.fd, w.started, off-w.started, unix.SYNC_FILE_RANGE_WRITE)
	if w.started > w.done {
		unix.SyncFileRange(w.fd, w.done, w.started-w.done, unix.SYNC_FILE_RANGE_WAIT_BEFORE|unix.SYNC_FILE_RANGE_WRITE|unix.SYNC_FILE_RANGE_WAIT_AFTER)
		unix.Fadvise(w.fd, w.done, w.started-w.done, unix.FADV_DONTNEED)
		w.done = w.started
	}
	w.started = off
}

// copyFlusher hands the database copy that SQLite writes to path to the disk as it
// grows, as flushWriter does for the archive. The backup API copies the pages in order
// and its destination's page cache (a few MB) spills them to the file in order, so
// after n bytes copied the file is written up to about n; the ranges flushAfter behind
// are complete when they are waited for and dropped. Without it the copy's gigabytes of
// dirty pages are written back by the kernel's flusher threads, at the priority of the
// server's threads rather than the backup's, and evict the pages the server reads.
type copyFlusher struct {
	path string
	f    *os.File
	off  int64
	fl   flusher
}

func newCopyFlusher(path string) *copyFlusher { return &copyFlusher{path: path} }

func (c *copyFlusher) copied(n int64) {
	if c.f == nil {
		f, err := os.Open(c.path) // created by SQLite at the first step
		if err != nil {
			return
		}
		c.f, c.fl.fd = f, int(f.Fd())
	}
	c.off += n
	c.fl.written(c.off)
}

func (c *copyFlusher) close() {
	if c.f != nil {
		c.f.Close()
	}
}

// readOnce returns a reader of r that, when r is a file, advises the kernel that it is
// read once from start to end (a larger read-ahead) and drops what was read from the
// page cache every flushAfter bytes and at its end. A backup reads gigabytes of media
// and its database copy once: left in the page cache, they evict the pages the server
// uses, and the kernel reclaims them in bursts, in the server's own allocations too.
func readOnce(r io.Reader) io.Reader {
	f, ok := r.(interface{ Fd() uintptr })
	if !ok {
		return r
	}
	fd := int(f.Fd())
	unix.Fadvise(fd, 0, 0, unix.FADV_SEQUENTIAL)
	return &dropBehind{r: r, fd: fd}
}

type dropBehind struct {
	r       io.Reader
	fd      int
	off     int64 // bytes read
	dropped int64 // dropped from the page cache up to here
}

func (d *dropBehind) Read(p []byte) (int, error) {
	n, err := d.r.Read(p)
	d.off += int64(n)
	if d.off-d.dropped >= flushAfter || (err != nil && d.off > d.dropped) {
		unix.Fadvise(d.fd, d.dropped, d.off-d.dropped, unix.FADV_DONTNEED)
		d.dropped = d.off
	}
	return n, err
}

// backupNice is the nice value of the thread a backup runs on: a backup that waits for
// the processor is better than requests that wait for it. At 10, Linux gives the thread
// about a tenth of the share of a thread at 0 when they compete, and all of what is idle.
const backupNice = 10

// lowerPriority lowers the calling thread's priority to backupNice (Linux's nice is per
// thread); the caller has locked its goroutine to the thread and never unlocks it, so
// the thread ends with the goroutine instead of returning to the runtime's pool.
func lowerPriority() {
	tid := unix.Gettid()
	raw, err := unix.Getpriority(unix.PRIO_PROCESS, tid) // the kernel's 20 - nice
	if err != nil || 20-raw >= backupNice {
		return
	}
	unix.Setpriority(unix.PRIO_PROCESS, tid, backupNice)
}

// apartAttrs starts the backup process in a process group of its own: a signal to
// serve's group (^C in a terminal) does not reach it; serve stops it by cancelling.
func apartAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// ioprio_set's arguments (linux/ioprio.h): the lowest best-effort priority (the idle
// class could wait forever on a busy disk).
const (
	ioprioWhoProcess = 1
	ioprioClassBE    = 2
	ioprioClassShift = 13
	ioprioLowest     = ioprioClassBE<<ioprioClassShift | 7
)

// LowerProcess gives every thread of this process Linux's SCHED_IDLE scheduling
// policy and the lowest best-effort disk priority. Threads started afterwards take
// them from the thread that starts them, so the whole process keeps them.
//
// A SCHED_IDLE thread runs on a processor that nothing else wants, and any other
// thread that wakes up takes the processor from it at once. Nice 19 is not enough
// beside a busy server: a thread at nice 19 gets a smaller share, but once picked it
// keeps the processor for its time slice (a few milliseconds) while the server's
// threads wait, which is the whole p99 of a request on 2 cores.
func LowerProcess() error {
	for range 100 {
		entries, err := os.ReadDir("/proc/self/task")
		if err != nil {
			return fmt.Errorf("backup: lower the process: %w", err)
		}
		changed := false
		for _, e := range entries {
			tid, err := strconv.Atoi(e.Name())
			if err != nil {
				continue
			}
			attr, err := unix.SchedGetAttr(tid, 0)
			if err != nil || attr.Policy == unix.SCHED_IDLE {
				continue // gone, or done
			}
			if err := unix.SchedSetAttr(tid, &unix.SchedAttr{Policy: unix.SCHED_IDLE}, 0); err != nil {
				if errors.Is(err, unix.ESRCH) {
					continue
				}
				return fmt.Errorf("backup: lower thread %d: %w", tid, err)
			}
			unix.Syscall(unix.SYS_IOPRIO_SET, ioprioWhoProcess, uintptr(tid), ioprioLowest)
			changed = true
		}
		if !changed {
			return nil
		}
	}
	return errors.New("backup: lower the process: new threads kept appearing")
}

// removeStep is how much of a file RemoveFile frees at a time.
const removeStep = 32 << 20

// RemoveFile removes a file (a backup, a database copy), then frees its blocks from its
// end removeStep at a time when only this program had it open. Where the file system
// discards freed blocks at once (ext4 mounted with discard, as cloud disks often are),
// freeing a file is synchronous disk work: one unlink of a 12 GB archive kept the disk
// busy 5.5 s, and the server's fsyncs queued behind it; in steps, they pass between
// them. The name goes first, so that a crash never leaves a cut archive under it. A
// file that is not a regular file, has other links, or that another program has open
// (a write lease cannot be taken) is only unlinked: cutting it would change what they
// read.
func RemoveFile(path string) error {
	f, err := os.OpenFile(path, os.O_WRONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK, 0)
	if err != nil {
		return os.Remove(path)
	}
	defer f.Close() // frees what is left
	fd := int(f.Fd())
	var st unix.Stat_t
	alone := unix.Fstat(fd, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFREG && st.Nlink == 1 &&
		setLease(fd, unix.F_WRLCK) == nil
	if alone {
		// The lease only proves that nobody else has the file open; released before
		// the unlink, after which nobody can open it by name.
		setLease(fd, unix.F_UNLCK)
	}
	if err := os.Remove(path); err != nil {
		return err
	}
	for size := st.Size; alone && size > removeStep; {
		size -= removeStep
		if unix.Ftruncate(fd, size) != nil {
			break
		}
	}
	return nil
}

func setLease(fd, kind int) error {
	_, err := unix.FcntlInt(uintptr(fd), unix.F_SETLEASE, kind)
	return err
}
