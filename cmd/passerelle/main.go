// Command passerelle runs Passerelle: `passerelle serve` starts the server; the other
// subcommands administer its data. Run `passerelle help`.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	// The time zone database is embedded: institutions' zones and their daylight-saving
	// rules must not depend on the host having tzdata installed.
	_ "time/tzdata"
)

func main() {
	if exe, err := os.Executable(); err == nil {
		selfBinary = exe
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv)
	stop()
	os.Exit(code)
}
