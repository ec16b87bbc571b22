package backup

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os/exec"
	"strconv"
	"strings"
	"sync"
)

// Apart writes backups in a process of its own: the passerelle binary's `backup
// --json` command, which lowers itself to the lowest processor and disk priority the
// system gives (LowerProcess).
//
// This is how serve writes its scheduled backups. The requests it answers meanwhile
// and the backup then share the machine through the kernel's scheduler alone, which
// gives the backup the processor time the requests leave. Inside the server's process, a backup on a thread of lower
// priority held one of the Go runtime's processors (Ps) whenever it ran, including
// while the kernel kept its thread waiting, and the requests' goroutines queued for
// the other; its hashing and buffers went through the server's scheduler and garbage
// collector too.
type Apart struct {
	// Program is the passerelle binary.
	Program string
	// Env is the process's environment, holding the settings the backup command
	// reads (PASSERELLE_DATA_DIR, PASSERELLE_DATABASE_URL, the media store's).
	Env []string
	// Stderr receives what the process logs; nil: discarded. The last lines are in
	// the error of a backup that failed either way.
	Stderr io.Writer
}

// WriteFile writes a backup archive to path, as WriteFile does, in a process of its
// own, paced at bytesPerSecond (Options.BytesPerSecond; the command's --rate counts
// whole MB/s, at least 1 when paced). Cancelling ctx stops the process; path is then
// absent.
func (a *Apart) WriteFile(ctx context.Context, path string, bytesPerSecond int64) (*Manifest, error) {
	args := []string{"backup", "--json", "--to", path}
	if bytesPerSecond > 0 {
		args = append(args, "--rate", strconv.FormatInt(max(bytesPerSecond>>20, 1), 10))
	}
	cmd := exec.CommandContext(ctx, a.Program, args...)
	cmd.Env = a.Env
	var out bytes.Buffer
	tail := &tailWriter{max: 4 << 10}
	cmd.Stdout = &out
	cmd.Stderr = tail
	if a.Stderr != nil {
		cmd.Stderr = io.MultiWriter(a.Stderr, tail)
	}
	apartAttrs(cmd)
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("backup: start %s: %w", a.Program, err)
	}
	if err := cmd.Wait(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("backup: %w", ctx.Err())
		}
		return nil, fmt.Errorf("backup: the backup process: %w: %s", err, tail.last())
	}
	var res struct {
		Manifest *Manifest `json:"manifest"`
	}
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res.Manifest == nil {
		return nil, fmt.Errorf("backup: the backup process wrote %s but no manifest (%v)", path, err)
	}
	return res.Manifest, nil
}

// tailWriter keeps the last bytes written to it.
type tailWriter struct {
	mu  sync.Mutex
	max int
	b   []byte
}

func (t *tailWriter) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.b = append(t.b, p...)
	if over := len(t.b) - t.max; over > 0 {
		t.b = append(t.b[:0], t.b[over:]...)
	}
	return len(p), nil
}

// last is the last non-empty line written.
func (t *tailWriter) last() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	s := strings.TrimSpace(string(t.b))
	if i := strings.LastIndexByte(s, '\n'); i >= 0 {
		s = s[i+1:]
	}
	if s == "" {
		return "it wrote nothing"
	}
	return s
}
