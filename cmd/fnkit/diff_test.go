package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

// diffJSON is the documented shape of "fnkit diff --json".
type diffJSON struct {
	A, B struct {
		Source     string `json:"source"`
		Format     string `json:"format"`
		RDBVersion int    `json:"rdb_version"`
		Server     string `json:"server"`
		At         string `json:"at"`
		Libraries  int    `json:"libraries"`
	}
	Equal     bool     `json:"equal"`
	Added     []string `json:"added"`
	Removed   []string `json:"removed"`
	Changed   []string `json:"changed"`
	Same      []string `json:"same"`
	Libraries []struct {
		Name   string `json:"name"`
		Status string `json:"status"`
		A, B   *struct {
			SHA1   string `json:"sha1"`
			Size   int    `json:"size"`
			Origin string `json:"origin"`
		}
		Unified string `json:"unified"`
	} `json:"libraries"`
}

func parseDiff(t *testing.T, out string) diffJSON {
	t.Helper()
	var d diffJSON
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("diff --json: %v\n%s", err, out)
	}
	return d
}

// The same libraries in every format and from every server version compare
// equal (exit 0); every pair of fixtures that differ exits 1.
func TestDiffAcrossFormatsAndServers(t *testing.T) {
	base := fixtures.Path("redis-7.0.15", "rdb-functions-only.rdb")
	for _, server := range fixtures.Servers {
		for _, name := range []string{"rdb-functions-only.rdb", "rdb-functions-keyspace.rdb", "dump-all.bin", "rdb-functions-only-nocompress.rdb", "dump-all-nocompress.bin"} {
			p := fixtures.Path(server, name)
			r := want(t, 0, "diff", base, p)
			if !strings.Contains(r.stdout, "same libraries, same code") {
				t.Errorf("%s: %s", p, r.stdout)
			}
			d := parseDiff(t, want(t, 0, "diff", p, base, "--json").stdout)
			if !d.Equal || len(d.Same) != 8 || len(d.Added)+len(d.Removed)+len(d.Changed) != 0 || d.A.Libraries != 8 {
				t.Errorf("%s: %+v", p, d)
			}
			if exp := expectedLibs(t, server, name); len(exp) != 8 {
				t.Fatalf("%s: ground truth has %d libraries", p, len(exp))
			}
		}
		// one library against eight: seven removed
		one := fixtures.Path(server, "dump-one.bin")
		d := parseDiff(t, want(t, 1, "diff", base, one, "--json").stdout)
		exp := expectedLibs(t, server, "dump-one.bin")
		if d.Equal || len(d.Removed) != 8-len(exp) || len(d.Same) != len(exp) || d.B.Format != "dump" {
			t.Errorf("%s: %+v", one, d)
		}
		// a keyspace-only RDB holds no library
		d = parseDiff(t, want(t, 1, "diff", fixtures.Path(server, "rdb-keyspace-only.rdb"), base, "--json").stdout)
		if len(d.Added) != 8 || d.A.Libraries != 0 {
			t.Errorf("keyspace-only: %+v", d)
		}
	}
}

// A backup against the live server it came from, then after someone
// changed the server: the diff shows what changed, and the code diff applies
// with patch(1) to what fnkit extract writes.
func TestDiffLiveServerAgainstBackup(t *testing.T) {
	backup := fixtures.Path("redis-7.0.15", "rdb-functions-keyspace.rdb")
	srv, err := fixtures.StartRedisWith(t, fixtures.Options{RDB: backup})
	if err != nil {
		t.Fatal(err)
	}
	url := "redis://" + srv.Addr
	r := want(t, 0, "diff", backup, url)
	if !strings.Contains(r.stdout, "B "+url+" (server, redis 7.0.15): 8 libraries") {
		t.Errorf("%s", r.stdout)
	}

	v2 := libCode(t, "ratelimit_v2.lua")
	for _, cmd := range [][]string{
		{"FUNCTION", "LOAD", "REPLACE", v2},
		{"FUNCTION", "DELETE", "wire"},
	} {
		if v := srv.Do(t, cmd...); v.IsError() {
			t.Fatal(v.Str)
		}
	}
	dir := t.TempDir()
	renamed := renamedCopy(t, dir, "leaderboard.lua", "board2")
	code, _ := os.ReadFile(renamed)
	// board2 registers leaderboard's function names: load it with them renamed
	code = []byte(strings.ReplaceAll(string(code), "'lb_", "'b2_"))
	if v := srv.Do(t, "FUNCTION", "LOAD", string(code)); v.IsError() {
		t.Fatal(v.Str)
	}

	r = want(t, 1, "diff", backup, url)
	for _, line := range []string{
		"  board2       added    -             " + sha1hex(string(code))[:12],
		"  ratelimit    changed  7b045261e59e  2de235ce7f69",
		"  wire         removed  3c96557805fe  -",
		"1 added, 1 removed, 1 changed, 6 same",
		"--- a/ratelimit.lua\t" + backup + "@",
		"+++ b/ratelimit.lua\t" + srv.Addr,
		"+local VERSION = '2.0.0'",
	} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("diff output lacks %q:\n%s", line, r.stdout)
		}
	}
	if strings.Contains(r.stdout, "b/board2.lua") {
		t.Error("added library shown without --new-file")
	}

	d := parseDiff(t, want(t, 1, "diff", backup, url, "--json", "-U", "0", "--new-file").stdout)
	if d.B.Format != "server" || d.B.Server != "redis 7.0.15" || d.A.RDBVersion != 10 ||
		strings.Join(d.Added, ",") != "board2" || strings.Join(d.Removed, ",") != "wire" || strings.Join(d.Changed, ",") != "ratelimit" || len(d.Same) != 6 {
		t.Fatalf("%+v", d)
	}
	for _, l := range d.Libraries {
		switch l.Status {
		case "added":
			if l.A != nil || l.B == nil || !strings.HasPrefix(l.Unified, "--- /dev/null\n+++ b/board2.lua\t") {
				t.Errorf("added: %+v", l)
			}
		case "removed":
			if l.B != nil || !strings.Contains(l.Unified, "+++ /dev/null\n") {
				t.Errorf("removed: %+v", l)
			}
		case "changed":
			if l.A.SHA1 == l.B.SHA1 || strings.Contains(l.Unified, "\n local") { // -U 0: no context lines
				t.Errorf("changed: %+v", l)
			}
		case "same":
			if l.Unified != "" || l.A.SHA1 != l.B.SHA1 {
				t.Errorf("same: %+v", l)
			}
		}
	}

	// The text diff, fed to patch(1) in a directory written by fnkit
	// extract, turns the backup's libraries into the server's.
	patchBin, err := exec.LookPath("patch")
	if err != nil {
		t.Skip("patch(1) is not installed")
	}
	libs := filepath.Join(dir, "libs")
	want(t, 0, "extract", backup, "-o", libs)
	r = want(t, 1, "diff", backup, url, "--new-file")
	cmd := exec.Command(patchBin, "-p1", "--quiet")
	cmd.Dir = libs
	cmd.Stdin = strings.NewReader(r.stdout[strings.Index(r.stdout, "\n--- ")+1:])
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("patch: %v\n%s", err, out)
	}
	got, _ := os.ReadFile(filepath.Join(libs, "ratelimit.lua"))
	if string(got) != v2 {
		t.Error("patched ratelimit.lua is not the server's")
	}
	if b, _ := os.ReadFile(filepath.Join(libs, "board2.lua")); string(b) != string(code) {
		t.Error("patch did not create board2.lua")
	}
	if _, err := os.Stat(filepath.Join(libs, "wire.lua")); err == nil {
		if b, _ := os.ReadFile(filepath.Join(libs, "wire.lua")); len(b) != 0 {
			t.Error("patch did not empty wire.lua")
		}
	}
}

func TestDiffExitCodes(t *testing.T) {
	dir := t.TempDir()
	a := fixtures.LibPath("ratelimit.lua")
	b := fixtures.LibPath("ratelimit_v2.lua")
	if r := want(t, 0, "diff", a, a, "--quiet"); r.stdout != "" || r.stderr != "" {
		t.Errorf("--quiet printed %q %q", r.stdout, r.stderr)
	}
	if r := want(t, 1, "diff", a, b, "-q"); r.stdout != "" || r.stderr != "" {
		t.Errorf("-q printed %q %q", r.stdout, r.stderr)
	}
	r := want(t, 1, "diff", a, b)
	if r.stderr != "" || !strings.Contains(r.stdout, "@@ ") {
		t.Errorf("differ: %q %q", r.stdout, r.stderr)
	}
	// trouble: 2
	r = want(t, 2, "diff", a, filepath.Join(dir, "missing.rdb"))
	if !hasErrorLine(r.stderr, "missing.rdb") {
		t.Errorf("missing file: %s", r.stderr)
	}
	bad := filepath.Join(dir, "bad.bin")
	os.WriteFile(bad, []byte("not a payload at all"), 0o644)
	r = want(t, 2, "diff", bad, a)
	if !hasErrorLine(r.stderr, "bad.bin") {
		t.Errorf("bad input: %s", r.stderr)
	}
	want(t, 2, "diff", a)
	want(t, 2, "diff", a, b, a)
	want(t, 2, "diff", a, b, "--unified", "-1")
	want(t, 2, "diff", a, b, "--bogus")
	r = want(t, 2, "diff", a, "redis://127.0.0.1:1")
	if !hasErrorLine(r.stderr, "127.0.0.1:1") {
		t.Errorf("server down: %s", r.stderr)
	}
}

// An AOF compares as its replay ends (the library set a real server
// reloaded from it, in the ground truth), or at a point of its history with
// --at-command-a/-b and --at-a/-b.
func TestDiffAOFAtPoints(t *testing.T) {
	for _, server := range fixtures.Servers {
		for _, name := range []string{"aof-multi-incr", "aof-preamble", "aof-nopreamble"} {
			aofDir := fixtures.Path(server, name)
			if _, err := os.Stat(aofDir); err != nil {
				continue
			}
			exp, err := fixtures.LoadExpected(server, name)
			if err != nil {
				t.Fatal(err)
			}
			// a payload of the reloaded set's libraries, taken from the
			// fixture libraries by SHA-1
			bySHA := map[string]string{}
			for _, f := range []string{"i18n.lua", "inventory.lua", "jobqueue.lua", "kvtools.lua", "leaderboard.lua", "ratelimit.lua", "ratelimit_v2.lua", "sessions.lua", "wire.lua"} {
				code := libCode(t, f)
				bySHA[sha1hex(code)] = fixtures.LibPath(f)
			}
			var files []string
			for _, l := range exp.Reload.State.LibrarySet {
				p, ok := bySHA[l.SHA1]
				if !ok {
					t.Fatalf("%s/%s: library %s %s is no fixture library", server, name, l.Name, l.SHA1)
				}
				files = append(files, p)
			}
			final := filepath.Join(t.TempDir(), "final.payload")
			want(t, 0, append(append([]string{"merge"}, files...), "-o", final)...)
			d := parseDiff(t, want(t, 0, "diff", aofDir, final, "--json").stdout)
			if !d.Equal || d.A.Format != "aof" || d.A.At != "" || d.A.Libraries != len(files) {
				t.Errorf("%s/%s at the end: %+v", server, name, d)
			}
			// before any command: only the base's libraries
			d = parseDiff(t, want(t, 1, "diff", aofDir, final, "--json", "--at-command-a", "0").stdout)
			if d.A.At != "after command 0" || len(d.Added) == 0 {
				t.Errorf("%s/%s after command 0: %+v", server, name, d)
			}
		}
	}

	aofDir := fixtures.Path("redis-7.0.15", "aof-multi-incr")
	// commands 29 and 30 of this AOF are FUNCTION LOAD REPLACE ratelimit and
	// FUNCTION DELETE sessions (fixtures/redis-7.0.15/expected: scenario)
	r := want(t, 1, "diff", aofDir, aofDir, "--at-command-a", "29", "--at-command-b", "30")
	for _, line := range []string{
		"A " + aofDir + " (aof, after command 29): 4 libraries",
		"B " + aofDir + " (aof, after command 30): 3 libraries",
		"  sessions     removed  35a6549d4bbe  -",
		"0 added, 1 removed, 0 changed, 3 same",
	} {
		if !strings.Contains(r.stdout, line) {
			t.Errorf("lacks %q:\n%s", line, r.stdout)
		}
	}
	want(t, 0, "diff", aofDir, aofDir, "--at-command-a", "30", "--at-command-b", "31")
	d := parseDiff(t, want(t, 1, "diff", aofDir, aofDir, "--at-command-a", "28", "--at-command-b", "29", "--json").stdout)
	if strings.Join(d.Changed, ",") != "ratelimit" {
		t.Errorf("28 → 29: %+v", d)
	}
	d = parseDiff(t, want(t, 0, "diff", aofDir, aofDir, "--at-a", "2024-01-01", "--json").stdout)
	if d.A.At != "at time 1704067200 (2024-01-01T00:00:00Z)" {
		t.Errorf("--at-a: %+v", d.A)
	}
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{aofDir, fixtures.LibPath("wire.lua"), "--at-command-b", "3"}, "wire.lua is lua, not an AOF"},
		{[]string{aofDir, aofDir, "--at-a", "1", "--at-command-a", "2"}, "exclude each other"},
		{[]string{aofDir, aofDir, "--at-command-b", "-2"}, "want 0 or more"},
		{[]string{aofDir, aofDir, "--at-a", "yesterday"}, `--at-a "yesterday"`},
	} {
		r := want(t, 2, append([]string{"diff"}, tc.args...)...)
		if !hasErrorLine(r.stderr, tc.msg) {
			t.Errorf("%v: %s", tc.args, r.stderr)
		}
	}
}
