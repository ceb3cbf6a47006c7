package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

// Exit status, the same for every command: 2 for a command line that
// cannot run (no arguments, an unknown flag, a bad flag value), 1 when an
// input cannot be read (a missing file, a damaged one) or the operation
// fails. diff follows diff(1): 0 same, 1 different, 2 trouble, so a source
// that cannot be read is 2 there.
func TestExitStatusOfEveryCommand(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing")
	flipped := fixtures.Path("redis-7.2.6", "corrupt-rdb-flipped.rdb")
	badAOF := filepath.Join(dir, "appendonly.aof")
	os.WriteFile(badAOF, []byte("*1\r\n$4\r\nPING\r\n!garbage\r\n*1\r\n$4\r\nPING\r\n"), 0o644)
	badLua := filepath.Join(dir, "bad.lua")
	os.WriteFile(badLua, []byte("local x = \n"), 0o644)
	wire := lib("wire.lua")
	r := startRemote(t, "")
	out := func(name string) string { return filepath.Join(dir, "out", name) }
	os.Mkdir(filepath.Join(dir, "out"), 0o755)

	type row struct {
		what string
		code int
		args []string
	}
	table := map[string][]row{
		"inspect": {
			{"no args", 2, nil},
			{"bad value", 2, []string{"--at-command", "-5", flipped}},
			{"missing file", 1, []string{missing}},
			{"damaged input", 1, []string{flipped}},
		},
		"extract": {
			{"no args", 2, nil},
			{"bad value", 2, []string{"--at", "garbage", wire, "-o", out("x")}},
			{"missing file", 1, []string{missing, "-o", out("x")}},
			{"damaged input", 1, []string{flipped, "-o", out("x")}},
		},
		"dump": {
			{"no args", 2, nil},
			{"bad value", 2, []string{wire, "-o", out("d"), "--target-version", "13"}},
			{"missing file", 1, []string{missing, "-o", out("d")}},
			{"damaged input", 1, []string{flipped, "-o", out("d")}},
		},
		"migrate": {
			{"no args", 2, nil},
			{"bad value", 2, []string{wire, "--library", "a b", "-o", out("m.lua")}},
			{"missing file", 1, []string{missing, "--library", "x", "-o", out("m.lua")}},
			{"damaged input", 1, []string{badLua, "--library", "x", "-o", out("m.lua")}},
		},
		"pull": {
			{"no args", 2, nil},
			{"bad value", 2, []string{"--from", r.url(), "--format", "bogus", "-o", out("p")}},
			{"missing file", 1, []string{"--from", r.url(), "-o", filepath.Join(missing, "p.payload")}},
		},
		"push": {
			{"no args", 2, nil},
			{"bad value", 2, []string{wire, "--to", r.url(), "--mode", "bogus"}},
			{"missing file", 1, []string{missing, "--to", r.url()}},
			{"damaged input", 1, []string{flipped, "--to", r.url(), "--dry-run"}},
		},
		"restore": {
			{"no args", 2, nil},
			{"bad value", 2, []string{"--into", flipped, wire, "--mode", "bogus", "-o", out("r.rdb")}},
			{"missing file", 1, []string{"--into", missing, wire, "-o", out("r.rdb")}},
			{"damaged input", 1, []string{"--into", flipped, wire, "--mode", "replace", "-o", out("r.rdb")}},
		},
		"timeline": {
			{"no args", 2, nil},
			{"bad value", 2, []string{"--at", "garbage", badAOF}},
			{"missing file", 1, []string{missing}},
			{"damaged input", 1, []string{badAOF}},
		},
		"repair": {
			{"no args", 2, nil},
			{"bad value", 2, []string{"--truncate-to-timestamp", "garbage", badAOF, "-o", out("rep")}},
			{"missing file", 1, []string{missing, "-o", out("rep")}},
			{"damaged input", 1, []string{badAOF, "-o", out("rep")}},
		},
		"merge": {
			{"no args", 2, nil},
			{"bad value", 2, []string{"--policy", "bogus", wire, "-o", out("m.payload")}},
			{"missing file", 1, []string{missing, "-o", out("m.payload")}},
			{"damaged input", 1, []string{flipped, "-o", out("m.payload")}},
		},
		"diff": {
			{"no args", 2, nil},
			{"bad value", 2, []string{"--unified", "-1", wire, wire}},
			{"missing file (diff(1): trouble)", 2, []string{missing, wire}},
			{"damaged input (diff(1): trouble)", 2, []string{flipped, wire}},
		},
		"verify": {
			{"no args", 2, nil},
			{"bad value", 2, []string{"--json=maybe", wire}},
			{"missing file", 1, []string{missing}},
			{"damaged input", 1, []string{flipped}},
		},
		"serve": {
			// No SOURCE is an empty server; a port that cannot be
			// listened on is its failure.
			{"no sources, bad address", 1, []string{"--addr", "127.0.0.1:99999"}},
			{"bad value", 2, []string{"--script-memory-limit", "abc", wire}},
			{"missing file", 1, []string{"--addr", "127.0.0.1:0", missing}},
			{"damaged input", 1, []string{"--addr", "127.0.0.1:0", flipped}},
		},
		"completion": {
			{"no args", 2, nil},
			{"bad value", 2, []string{"ksh"}},
		},
	}
	for _, cmd := range commands() {
		rows, ok := table[cmd.Name]
		if !ok {
			t.Errorf("no exit status cases for %s", cmd.Name)
			continue
		}
		// An unknown flag, for every command.
		rows = append(rows, row{"unknown flag", 2, []string{"--no-such-flag", "x"}})
		for _, rw := range rows {
			args := append([]string{cmd.Name}, rw.args...)
			res := fnkit(t, args...)
			if res.code != rw.code {
				t.Errorf("%s, %s: fnkit %s: exit %d, want %d\n%s", cmd.Name, rw.what, strings.Join(args, " "), res.code, rw.code, res.stderr)
				continue
			}
			if !strings.HasPrefix(res.stderr, "fnkit: ") && !strings.Contains(res.stderr, "\nfnkit: ") {
				t.Errorf("%s, %s: no \"fnkit: \" error line:\n%s", cmd.Name, rw.what, res.stderr)
			}
			if rw.code == 2 && !strings.Contains(res.stderr, "--help' for usage.") && !strings.Contains(rw.what, "diff(1)") {
				t.Errorf("%s, %s: a usage error without the --help hint:\n%s", cmd.Name, rw.what, res.stderr)
			}
		}
	}
}
