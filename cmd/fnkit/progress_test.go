package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/internal/progress"
	"github.com/fnkit/fnkit/internal/ptytest"
)

// Commands that read a large input draw a progress bar on standard error
// when it is a terminal (a real pseudo-terminal here), and nothing when it
// is not. The input is an AOF of a little over 64 MiB.
func TestProgressBarOnATerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 64 MiB AOF")
	}
	dir := t.TempDir()
	big := filepath.Join(dir, "appendonly.aof")
	writeBigAOF(t, big, progress.Threshold+1<<20)
	st, err := os.Stat(big)
	if err != nil {
		t.Fatal(err)
	}
	total := "/" + progress.Bytes(st.Size()) + " " // "64.0 KiB/65.8 MiB "
	r := startRemote(t, "")
	cases := [][]string{
		{"timeline", big},
		{"repair", big, "-o", filepath.Join(dir, "repaired.aof")},
		{"restore", "--into", big, lib("leaderboard.lua"), "-o", filepath.Join(dir, "restored.aof")},
		{"push", big, "--to", r.url(), "--dry-run"},
		{"inspect", big},
	}
	for _, args := range cases {
		master, slave := ptytest.Open(t)
		got := make(chan string)
		go func() {
			var b bytes.Buffer
			io.Copy(&b, master) // ends with EIO when the slave closes
			got <- b.String()
		}()
		cmd := exec.Command(binary, args...)
		var stdout bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, slave
		err := cmd.Run()
		slave.Close()
		tty := <-got
		master.Close()
		if err != nil {
			t.Errorf("fnkit %s: %v\n%s", strings.Join(args, " "), err, tty)
			continue
		}
		if !strings.Contains(tty, "\rappendonly.aof [") || !strings.Contains(tty, total) {
			t.Errorf("fnkit %s: no progress bar on the terminal:\n%q", args[0], tail(tty, 400))
		}
		if strings.Contains(stdout.String(), "\r") {
			t.Errorf("fnkit %s: the bar went to standard output", args[0])
		}
		// Not a terminal: nothing but the command's own output.
		os.RemoveAll(filepath.Join(dir, "repaired.aof"))
		os.RemoveAll(filepath.Join(dir, "restored.aof"))
		res := fnkit(t, args...)
		if res.code != 0 || strings.Contains(res.stderr, "\r") || strings.Contains(res.stderr, "MiB") {
			t.Errorf("fnkit %s, stderr a pipe: exit %d, stderr %q", args[0], res.code, tail(res.stderr, 400))
		}
		os.RemoveAll(filepath.Join(dir, "repaired.aof"))
		os.RemoveAll(filepath.Join(dir, "restored.aof"))
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return "…" + s[len(s)-n:]
	}
	return s
}

// writeBigAOF writes a single-file AOF of at least size bytes: a FUNCTION
// LOAD, then SETs of 1 KiB values.
func writeBigAOF(t *testing.T, path string, size int64) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriterSize(f, 1<<20)
	cmd := func(args ...string) {
		fmt.Fprintf(w, "*%d\r\n", len(args))
		for _, a := range args {
			fmt.Fprintf(w, "$%d\r\n%s\r\n", len(a), a)
		}
	}
	code, err := os.ReadFile(lib("wire.lua"))
	if err != nil {
		t.Fatal(err)
	}
	cmd("SELECT", "0")
	cmd("FUNCTION", "LOAD", string(code))
	value := strings.Repeat("v", 1024)
	for i := 0; ; i++ {
		cmd("SET", fmt.Sprintf("key:%d", i), value)
		if i%1000 == 0 {
			w.Flush()
			if st, _ := f.Stat(); st.Size() >= size {
				break
			}
		}
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	f.Close()
}
