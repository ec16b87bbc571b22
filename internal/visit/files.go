package visit

import (
	"os"
	"sync"
	"time"
)

// Open files of published media are kept for the next request of the same file: a
// stream of range requests on a stop's audio then costs no open and close each. A file
// is used by one request at a time (sendfile moves the file's offset), so each key has
// a small stack of idle files rather than one shared file.
//
// Keeping a file open is safe because media are stored by the hash of their content:
// the bytes under a key never change. Whether the file may still be served is decided
// on every request before a handle is taken, by the published-media lookup; a file
// deleted from the store is served by no handle opened after, and the idle handles
// are closed after fileIdle.
const (
	fileIdle       = 30 * time.Second
	maxIdlePerFile = 16
	maxIdleFiles   = 256
)

type idleFile struct {
	f     *os.File
	since time.Time
}

type files struct {
	mu    sync.Mutex
	idle  map[string][]idleFile
	count int
	swept time.Time
}

func newFiles() *files { return &files{idle: map[string][]idleFile{}} }

// get returns an idle open file of key, or nil.
func (fs *files) get(key string, now time.Time) *os.File {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	stack := fs.idle[key]
	for len(stack) > 0 {
		last := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		fs.count--
		if now.Sub(last.since) < fileIdle {
			fs.store(key, stack)
			return last.f
		}
		last.f.Close()
	}
	fs.store(key, stack)
	return nil
}

func (fs *files) store(key string, stack []idleFile) {
	if len(stack) == 0 {
		delete(fs.idle, key)
		return
	}
	fs.idle[key] = stack
}

// put gives back a file a request has finished with; it is closed when the bounds
// are reached.
func (fs *files) put(key string, f *os.File, now time.Time) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	if now.Sub(fs.swept) > fileIdle {
		fs.sweep(now)
	}
	if len(fs.idle[key]) >= maxIdlePerFile || fs.count >= maxIdleFiles {
		f.Close()
		return
	}
	fs.idle[key] = append(fs.idle[key], idleFile{f: f, since: now})
	fs.count++
}

// sweep closes the files idle for longer than fileIdle.
func (fs *files) sweep(now time.Time) {
	fs.swept = now
	for key, stack := range fs.idle {
		kept := stack[:0]
		for _, x := range stack {
			if now.Sub(x.since) < fileIdle {
				kept = append(kept, x)
			} else {
				x.f.Close()
				fs.count--
			}
		}
		fs.store(key, kept)
	}
}
