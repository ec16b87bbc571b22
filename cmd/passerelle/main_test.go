package main

import (
	"context"
	"os"
	"testing"
)

// asBinary, set in a process's environment, makes the test binary act as the
// passerelle binary: the tests of what serve starts (backup.Apart) run it as their
// program.
const asBinary = "GO_TEST_PASSERELLE_BINARY"

func TestMain(m *testing.M) {
	if os.Getenv(asBinary) == "1" {
		os.Exit(Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr, os.Getenv))
	}
	os.Exit(m.Run())
}
