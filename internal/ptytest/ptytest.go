//go:build linux

// Package ptytest opens real pseudo-terminals for tests of what fnkit
// draws only on a terminal (the progress bar).
package ptytest

import (
	"fmt"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

// Open returns a new pseudo-terminal pair (Linux /dev/ptmx), closed when
// the test ends. Where the machine has none, the test is skipped — except
// in CI (CI=true), where that is a failure.
func Open(t testing.TB) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		unavailable(t, "open /dev/ptmx", err)
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		m.Close()
		unavailable(t, "unlock the pseudo-terminal", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		m.Close()
		unavailable(t, "get the pseudo-terminal's number", err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		m.Close()
		unavailable(t, "open the pseudo-terminal's slave", err)
	}
	t.Cleanup(func() {
		s.Close()
		m.Close()
	})
	return m, s
}

func unavailable(t testing.TB, what string, err error) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("no pseudo-terminals here (%s: %v); CI needs them", what, err)
	}
	t.Skipf("no pseudo-terminals here (%s: %v)", what, err)
}
