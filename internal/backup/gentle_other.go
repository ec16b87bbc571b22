//go:build !linux

package backup

import (
	"io"
	"os"
	"os/exec"
)

// flushWriter writes the archive file; stepwise writeback is Linux-only.
type flushWriter struct{ f *os.File }

func newFlushWriter(f *os.File) *flushWriter { return &flushWriter{f: f} }

func (w *flushWriter) Write(p []byte) (int, error) { return w.f.Write(p) }

func readOnce(r io.Reader) io.Reader { return r }

func lowerPriority() {}

func apartAttrs(*exec.Cmd) {}

// LowerProcess does nothing outside Linux.
func LowerProcess() error { return nil }

type copyFlusher struct{}

func newCopyFlusher(string) *copyFlusher { return &copyFlusher{} }
func (*copyFlusher) copied(int64)        {}
func (*copyFlusher) close()              {}

// RemoveFile removes a file (stepwise freeing is Linux-only).
func RemoveFile(path string) error { return os.Remove(path) }
