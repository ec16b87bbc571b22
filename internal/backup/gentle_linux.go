//go:build linux

package backup

import (
	"os"
	"os/exec"
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
	f       *os.File
	fd      int
	off     int64 // bytes written
	started int64 // writeback started up to here
	done    int64 // written back and dropped up to here
}

func newFlushWriter(f *os.File) *flushWriter {
	return &flushWriter{f: f, fd: int(f.Fd())}
}

func (w *flushWriter) Write(p []byte) (int, error) {
	n, err := w.f.Write(p)
	w.off += int64(n)
	if w.off-w.started >= flushAfter {
		unix.SyncFileRange(w.fd, w.started, w.off-w.started, unix.SYNC_FILE_RANGE_WRITE)
		if w.started > w.done {
			unix.SyncFileRange(w.fd, w.done, w.started-w.done, unix.SYNC_FILE_RANGE_WAIT_BEFORE|unix.SYNC_FILE_RANGE_WRITE|unix.SYNC_FILE_RANGE_WAIT_AFTER)
			unix.Fadvise(w.fd, w.done, w.started-w.done, unix.FADV_DONTNEED)
			w.done = w.started
		}
		w.started = w.off
	}
	return n, err
}

// readOnce advises the kernel that f is read once from start to end (a larger read-ahead).
func readOnce(f any) {
	if f, ok := f.(interface{ Fd() uintptr }); ok {
		unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_SEQUENTIAL)
	}
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

// apartAttrs starts the backup process in a process group of its own, so that
// lowerProcess reaches every thread it has (Linux's priorities are per thread).
func apartAttrs(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
}

// apartNice is the backup process's nice value, and apartIOPriority its best-effort
// I/O priority (0 highest … 7 lowest; the idle class could wait forever on a busy disk).
const (
	apartNice       = 19
	apartIOPriority = 7
)

// ioprio_set's arguments (linux/ioprio.h).
const (
	ioprioWhoPgrp  = 2
	ioprioClassBE  = 2
	ioprioClassOff = 13
)

// lowerProcess lowers the processor and disk priorities of the process group pgid
// (the process apartAttrs started, and every thread it has). New threads take their
// creator's. Advice: errors are ignored.
func lowerProcess(pgid int) {
	unix.Setpriority(unix.PRIO_PGRP, pgid, apartNice)
	unix.Syscall(unix.SYS_IOPRIO_SET, ioprioWhoPgrp, uintptr(pgid), ioprioClassBE<<ioprioClassOff|apartIOPriority)
}
