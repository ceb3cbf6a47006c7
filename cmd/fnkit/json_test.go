package main

import (
	"bufio"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fnkit/fnkit/fixtures"
)

// readmeJSONFields reads the README's "JSON output" table: for each
// command, the top-level fields always present and those present when
// relevant.
func readmeJSONFields(t *testing.T) (always, sometimes map[string][]string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	always, sometimes = map[string][]string{}, map[string][]string{}
	in := false
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "## "):
			in = line == "## JSON output"
		case in && strings.HasPrefix(line, "| `"):
			cells := strings.Split(line, "|")
			if len(cells) < 4 {
				t.Fatalf("README JSON table row %q", line)
			}
			cmd := strings.Trim(strings.TrimSpace(cells[1]), "`")
			always[cmd] = backquoted(cells[2])
			sometimes[cmd] = backquoted(cells[3])
		}
	}
	if len(always) == 0 {
		t.Fatal("README has no JSON output table")
	}
	return always, sometimes
}

// backquoted returns the `words` of s.
func backquoted(s string) []string {
	var out []string
	parts := strings.Split(s, "`")
	for i := 1; i < len(parts); i += 2 {
		out = append(out, parts[i])
	}
	return out
}

// Every command whose output is a report has --json, and prints one JSON
// object whose top-level fields are those the README documents: every
// always-present field is there, and no field is undocumented.
func TestJSONOutputOfEveryCommand(t *testing.T) {
	always, sometimes := readmeJSONFields(t)
	dir := t.TempDir()
	r := startRemote(t, "")
	r.loadFixtures(t, "ratelimit.lua")
	scripts := filepath.Join("..", "..", "migrate", "testdata", "scripts")
	cases := map[string]struct {
		code int
		args []string
	}{
		"inspect":  {0, []string{"inspect", "--json", fixtures.Path("redis-7.0.15", "rdb-functions-keyspace.rdb")}},
		"extract":  {0, []string{"extract", "--json", fixtures.Path("redis-7.0.15", "dump-one.bin"), "-o", filepath.Join(dir, "libs")}},
		"dump":     {0, []string{"dump", "--json", lib("wire.lua"), "-o", filepath.Join(dir, "wire.payload")}},
		"migrate":  {0, []string{"migrate", "--json", filepath.Join(scripts, "lock_release.lua"), "--library", "locks", "-o", filepath.Join(dir, "locks.lua")}},
		"pull":     {0, []string{"pull", "--json", "--from", r.url(), "-o", filepath.Join(dir, "pulled.payload")}},
		"push":     {0, []string{"push", "--json", lib("wire.lua"), "--to", r.url(), "--dry-run"}},
		"restore":  {0, []string{"restore", "--json", "--into", fixtures.Path("redis-7.0.15", "rdb-functions-keyspace.rdb"), lib("ratelimit_v2.lua"), "--mode", "replace", "-o", filepath.Join(dir, "restored.rdb")}},
		"timeline": {0, []string{"timeline", "--json", fixtures.Path("redis-7.0.15", "aof-preamble")}},
		"repair":   {0, []string{"repair", "--json", fixtures.Path("redis-7.0.15", "corrupt-aof-truncated"), "-o", filepath.Join(dir, "repaired")}},
		"merge":    {0, []string{"merge", "--json", lib("leaderboard.lua"), "-o", filepath.Join(dir, "lb.payload")}},
		"diff":     {1, []string{"diff", "--json", lib("ratelimit.lua"), lib("ratelimit_v2.lua")}},
		"verify":   {0, []string{"verify", "--json", lib("inventory.lua")}},
	}
	check := func(name, out string) {
		t.Helper()
		var obj map[string]json.RawMessage
		if err := json.Unmarshal([]byte(out), &obj); err != nil {
			t.Errorf("%s --json: %v\n%s", name, err, out)
			return
		}
		documented := map[string]bool{}
		for _, f := range append(append([]string{}, always[name]...), sometimes[name]...) {
			documented[f] = true
		}
		for _, f := range always[name] {
			if _, ok := obj[f]; !ok {
				t.Errorf("%s --json: no field %q (the README says it is always there)", name, f)
			}
		}
		var keys []string
		for k := range obj {
			keys = append(keys, k)
			if !documented[k] {
				t.Errorf("%s --json: field %q is not in the README's JSON output table", name, k)
			}
		}
		sort.Strings(keys)
		t.Logf("%s: %s", name, strings.Join(keys, ", "))
	}
	for _, cmd := range commands() {
		if cmd.Name == "completion" {
			continue // prints a shell script, not a report
		}
		hasJSON := false
		for _, f := range cmd.Flags {
			if f.Names()[0] == "json" {
				hasJSON = true
			}
		}
		if !hasJSON {
			t.Errorf("%s has no --json", cmd.Name)
		}
		if _, ok := always[cmd.Name]; !ok {
			t.Errorf("the README's JSON output table has no row for %s", cmd.Name)
		}
		if cmd.Name == "serve" {
			check("serve", serveJSONLine(t, lib("ratelimit.lua")))
			continue
		}
		c, ok := cases[cmd.Name]
		if !ok {
			t.Errorf("no --json case for %s", cmd.Name)
			continue
		}
		res := want(t, c.code, c.args...)
		check(cmd.Name, res.stdout)
	}
}

// serveJSONLine starts "fnkit serve --json" on a free port and returns the
// line it prints on standard output once it listens; then stops it.
func serveJSONLine(t *testing.T, sources ...string) string {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--json", "--quiet", "--addr", "127.0.0.1:0"}, sources...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		cmd.Process.Signal(syscall.SIGTERM)
		cmd.Wait()
	}()
	line := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(nil, 1<<20)
		sc.Scan()
		line <- sc.Text()
	}()
	select {
	case l := <-line:
		return l
	case <-time.After(30 * time.Second):
		t.Fatal("fnkit serve --json printed nothing")
	}
	return ""
}
