// Package proc builds the passerelle binary and runs it as a child process for the
// benchmark programs under bench/. Servers listen on 127.0.0.1 only.
package proc

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// Build compiles ./cmd/passerelle of the module containing the working directory into
// dir and returns the binary's path.
func Build(ctx context.Context, dir string) (string, error) {
	out, err := exec.CommandContext(ctx, "go", "env", "GOMOD").Output()
	if err != nil {
		return "", fmt.Errorf("go env GOMOD: %w", err)
	}
	root := filepath.Dir(strings.TrimSpace(string(out)))
	bin := filepath.Join(dir, "passerelle")
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/passerelle")
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("go build: %w", err)
	}
	return bin, nil
}

// FreeAddr returns a loopback address with a port that was free a moment ago.
func FreeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// Server is a running `passerelle serve`.
type Server struct {
	Cmd  *exec.Cmd
	Addr string
	// Started is when the process was started.
	Started time.Time
}

// Serve starts `bin serve` on addr over the data directory dir, with extra flags.
// Its output goes to w (discarded when nil).
func Serve(bin, addr, dir string, w io.Writer, extra ...string) (*Server, error) {
	args := append([]string{"serve", "--addr", addr, "--data", dir}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), "PASSERELLE_DATABASE_URL=")
	cmd.Stdout, cmd.Stderr = w, w
	s := &Server{Cmd: cmd, Addr: addr, Started: time.Now()}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	return s, nil
}

// WaitReady polls /readyz every millisecond until it answers 200 and returns the time
// since the process started.
func (s *Server) WaitReady(timeout time.Duration) (time.Duration, error) {
	c := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		resp, err := c.Get("http://" + s.Addr + "/readyz")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return time.Since(s.Started), nil
			}
		}
		time.Sleep(time.Millisecond)
	}
	return 0, fmt.Errorf("%s not ready after %s", s.Addr, timeout)
}

// Stop sends SIGTERM and waits for the process to exit.
func (s *Server) Stop() error {
	if err := s.Cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return err
	}
	done := make(chan error, 1)
	go func() { done <- s.Cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(20 * time.Second):
		s.Cmd.Process.Kill()
		return fmt.Errorf("pid %d did not stop on SIGTERM", s.Cmd.Process.Pid)
	}
}

// RSS returns the resident memory of process pid in bytes, from /proc.
func RSS(pid int) (int64, error) { return status(pid, "VmRSS:") }

// PeakRSS returns the largest resident memory process pid has had (VmHWM), in bytes.
func PeakRSS(pid int) (int64, error) { return status(pid, "VmHWM:") }

func status(pid int, field string) (int64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, err
	}
	for _, line := range strings.Split(string(b), "\n") {
		if rest, ok := strings.CutPrefix(line, field); ok {
			var kb int64
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err != nil {
				return 0, err
			}
			return kb * 1024, nil
		}
	}
	return 0, fmt.Errorf("no %s in /proc/%d/status", field, pid)
}

// OwnerEmail is the owner OwnerToken creates.
const OwnerEmail = "owner@example.org"

// OwnerToken creates, through the CLI and before a server opens the data directory, an
// owner (OwnerEmail) and an API token of theirs called name, and returns the token.
func OwnerToken(bin, data, name string) (string, error) {
	cli := func(stdin string, args ...string) (string, error) {
		cmd := exec.Command(bin, append(args, "--data", data)...)
		cmd.Env = append(os.Environ(), "PASSERELLE_DATABASE_URL=")
		cmd.Stdin = strings.NewReader(stdin)
		out, err := cmd.CombinedOutput()
		if err != nil {
			return "", fmt.Errorf("passerelle %s: %v: %s", strings.Join(args, " "), err, out)
		}
		return string(out), nil
	}
	if _, err := cli("bench-password-123\n", "user", "create", "--email", OwnerEmail, "--role", "owner"); err != nil {
		return "", err
	}
	out, err := cli("", "token", "create", "--email", OwnerEmail, "--name", name)
	if err != nil {
		return "", err
	}
	fields := strings.Fields(out)
	if len(fields) == 0 {
		return "", fmt.Errorf("passerelle token create printed nothing")
	}
	return fields[len(fields)-1], nil
}
