package main

import (
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/source"
)

// mergeJSON is the documented shape of "fnkit merge --json".
type mergeJSON struct {
	OK      bool   `json:"ok"`
	Error   string `json:"error"`
	Policy  string `json:"policy"`
	Sources []struct {
		Source    string   `json:"source"`
		Format    string   `json:"format"`
		Libraries []string `json:"libraries"`
	} `json:"sources"`
	Libraries []struct {
		Name      string `json:"name"`
		SHA1      string `json:"sha1"`
		Size      int    `json:"size"`
		Origin    string `json:"origin"`
		Functions []struct {
			Name  string   `json:"name"`
			Flags []string `json:"flags"`
		} `json:"functions"`
	} `json:"libraries"`
	Dropped []struct {
		Name, SHA1, Origin, Kept string
	} `json:"dropped"`
	Output     string   `json:"output"`
	Format     string   `json:"format"`
	RDBVersion int      `json:"rdb_version"`
	Bytes      int64    `json:"bytes"`
	Files      []string `json:"files"`
}

func parseMerge(t *testing.T, out string) mergeJSON {
	t.Helper()
	var m mergeJSON
	dec := json.NewDecoder(strings.NewReader(out))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("merge --json: %v\n%s", err, out)
	}
	return m
}

// readLibs re-reads an output with fnkit's own reader.
func readLibs(t *testing.T, path string) map[string]string {
	t.Helper()
	src, err := source.Open(path, source.Options{})
	if err != nil {
		t.Fatalf("re-read %s: %v", path, err)
	}
	return setCodes(src.Libraries)
}

func libCode(t *testing.T, file string) string {
	t.Helper()
	b, err := os.ReadFile(fixtures.LibPath(file))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// checkServerHolds compares FUNCTION LIST WITHCODE of a real server with want.
func checkServerHolds(t *testing.T, what string, r *fixtures.Redis, want map[string]string) {
	t.Helper()
	if got := listWithCode(t, r); !sameCodes(got, want) {
		t.Errorf("%s: the real server holds %v, want %v", what, names(got), names(want))
	}
}

// TestMergeEveryFormatEveryServer merges, for the fixtures of every server
// version, an RDB, a payload and a .lua file (one conflict, settled by
// --policy replace) into every output format; each output is re-read by
// fnkit and accepted by the real thing: redis-check-rdb and a server loading
// the RDB, FUNCTION RESTORE of the payload, redis-check-aof and a server
// with appendonly yes on the AOF, FUNCTION LOAD of each .lua file.
func TestMergeEveryFormatEveryServer(t *testing.T) {
	checkRDB := fixtures.RequireTool(t, "redis-check-rdb")
	checkAOF := fixtures.RequireTool(t, "redis-check-aof")
	live := fixtures.StartRedis(t)
	for _, server := range fixtures.Servers {
		t.Run(server, func(t *testing.T) {
			exp := expectedLibs(t, server, "rdb-functions-only.rdb")
			exp["ratelimit"] = libCode(t, "ratelimit_v2.lua")
			srcs := []string{
				fixtures.Path(server, "rdb-functions-only.rdb"),
				fixtures.Path(server, "dump-all.bin"), // the same libraries: identical code is no conflict
				fixtures.LibPath("ratelimit_v2.lua"),
			}
			dropped := 2
			if aofDir := fixtures.Path(server, "aof-multi-incr"); exists(aofDir) {
				// an AOF directory whose replay ends with six of the
				// libraries, ratelimit among them: identical code again
				srcs = append([]string{aofDir}, srcs...)
				dropped++
			}
			dir := t.TempDir()
			run := func(out string, extra ...string) mergeJSON {
				args := append(append([]string{"merge"}, srcs...), "--policy", "replace", "-o", out, "--json")
				m := parseMerge(t, want(t, 0, append(args, extra...)...).stdout)
				if !m.OK || len(m.Libraries) != len(exp) || len(m.Dropped) != dropped {
					t.Fatalf("merge -o %s: %+v", out, m)
				}
				return m
			}

			// RDB
			rdb := filepath.Join(dir, "merged.rdb")
			if m := run(rdb); m.Format != "rdb" || m.RDBVersion != 10 {
				t.Errorf("rdb: format %s version %d", m.Format, m.RDBVersion)
			}
			if got := readLibs(t, rdb); !sameCodes(got, exp) {
				t.Errorf("rdb re-read: %v", names(got))
			}
			if out, err := exec.Command(checkRDB, rdb).CombinedOutput(); err != nil || !strings.Contains(string(out), "RDB looks OK") {
				t.Errorf("redis-check-rdb: %v\n%s", err, out)
			}
			srv, err := fixtures.StartRedisWith(t, fixtures.Options{RDB: rdb})
			if err != nil {
				t.Fatal(err)
			}
			checkServerHolds(t, "rdb", srv, exp)
			if n := srv.Do(t, "DBSIZE"); n.Int != 0 {
				t.Errorf("a functions-only RDB loaded %d keys", n.Int)
			}
			srv.Stop()

			// payload
			bin := filepath.Join(dir, "merged.bin")
			run(bin)
			if got := readLibs(t, bin); !sameCodes(got, exp) {
				t.Errorf("payload re-read: %v", names(got))
			}
			payload, err := os.ReadFile(bin)
			if err != nil {
				t.Fatal(err)
			}
			if v := live.Do(t, "FUNCTION", "RESTORE", string(payload), "FLUSH"); v.IsError() {
				t.Fatalf("FUNCTION RESTORE: %s", v.Str)
			}
			checkServerHolds(t, "payload", live, exp)

			// AOF directory
			aofDir := filepath.Join(dir, "appendonlydir")
			run(aofDir)
			if got := readLibs(t, aofDir); !sameCodes(got, exp) {
				t.Errorf("aof dir re-read: %v", names(got))
			}
			if out, err := exec.Command(checkAOF, filepath.Join(aofDir, "appendonly.aof.manifest")).CombinedOutput(); err != nil || !strings.Contains(string(out), "All AOF files and manifest are valid") {
				t.Errorf("redis-check-aof: %v\n%s", err, out)
			}
			srv, err = fixtures.StartRedisWith(t, fixtures.Options{AOFDir: aofDir})
			if err != nil {
				t.Fatal(err)
			}
			checkServerHolds(t, "aof dir", srv, exp)
			srv.Stop()

			// single AOF file, as an old server's appendonly.aof that Redis 7
			// upgrades at startup
			oldDir := t.TempDir()
			aofFile := filepath.Join(oldDir, "appendonly.aof")
			if m := run(filepath.Join(dir, "merged.aof"), "--format", "aof"); m.Format != "aof" {
				t.Errorf("--format aof: %s", m.Format)
			}
			if got := readLibs(t, filepath.Join(dir, "merged.aof")); !sameCodes(got, exp) {
				t.Errorf("aof file re-read: %v", names(got))
			}
			if b, err := os.ReadFile(filepath.Join(dir, "merged.aof")); err != nil {
				t.Fatal(err)
			} else if err := os.WriteFile(aofFile, b, 0o644); err != nil {
				t.Fatal(err)
			}
			if out, err := exec.Command(checkAOF, aofFile).CombinedOutput(); err != nil || !strings.Contains(string(out), "is valid") {
				t.Errorf("redis-check-aof %s: %v\n%s", aofFile, err, out)
			}
			srv, err = fixtures.StartRedisWith(t, fixtures.Options{Config: []string{"dir " + oldDir, "appendonly yes"}})
			if err != nil {
				t.Fatal(err)
			}
			checkServerHolds(t, "aof file", srv, exp)
			srv.Stop()

			// .lua files
			luaDir := filepath.Join(dir, "libs") + "/"
			if m := run(luaDir); m.Format != "lua" || len(m.Files) != len(exp) {
				t.Errorf("lua: %+v", m)
			}
			live.Do(t, "FUNCTION", "FLUSH")
			for name, code := range exp {
				b, err := os.ReadFile(filepath.Join(luaDir, name+".lua"))
				if err != nil || string(b) != code {
					t.Fatalf("%s.lua: %v (%d bytes, want %d)", name, err, len(b), len(code))
				}
				if v := live.Do(t, "FUNCTION", "LOAD", string(b)); v.IsError() || v.Str != name {
					t.Errorf("FUNCTION LOAD %s.lua: %v", name, v)
				}
			}
			checkServerHolds(t, "lua", live, exp)
			live.Do(t, "FUNCTION", "FLUSH")
		})
	}
}

// An RDB or payload for a newer server: fnkit reads it back at the version
// asked for, and the real 7.0.15 refuses it as Redis refuses any newer
// version.
func TestMergeTargetVersion(t *testing.T) {
	live := fixtures.StartRedis(t)
	dir := t.TempDir()
	lib := fixtures.LibPath("leaderboard.lua")
	for _, v := range []string{"10", "11", "12"} {
		bin := filepath.Join(dir, "v"+v+".payload")
		m := parseMerge(t, want(t, 0, "merge", lib, "-o", bin, "--target-version", v, "--json").stdout)
		if m.RDBVersion != atoi(t, v) {
			t.Errorf("payload version %d, want %s", m.RDBVersion, v)
		}
		src, err := source.Open(bin, source.Options{})
		if err != nil || src.Dump.Version != atoi(t, v) {
			t.Fatalf("re-read %s: %v", bin, err)
		}
		payload, _ := os.ReadFile(bin)
		r := live.Do(t, "FUNCTION", "RESTORE", string(payload), "REPLACE")
		if v == "10" && r.IsError() {
			t.Errorf("7.0.15 refused a version 10 payload: %s", r.Str)
		}
		if v != "10" && (!r.IsError() || r.Str != "ERR DUMP payload version or checksum are wrong") {
			t.Errorf("7.0.15 on a version %s payload: %v", v, r)
		}
		rdb := filepath.Join(dir, "v"+v+".rdb")
		want(t, 0, "merge", lib, "-o", rdb, "--target-version", v)
		src, err = source.Open(rdb, source.Options{})
		if err != nil || src.RDB.Version != atoi(t, v) || src.Libraries.Len() != 1 {
			t.Fatalf("re-read %s: %v", rdb, err)
		}
	}
	r := want(t, 2, "merge", lib, "-o", filepath.Join(dir, "x.lua"), "--target-version", "11")
	if !hasErrorLine(r.stderr, "--target-version applies to rdb and dump outputs") {
		t.Errorf("stderr: %s", r.stderr)
	}
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func sha1hex(s string) string {
	sum := sha1.Sum([]byte(s))
	return hex.EncodeToString(sum[:])
}

// Conflicts under each policy: a library name in two sources with
// different code. fail names both sources; replace keeps the later, keep the
// earlier — checked on a real server that restores the output.
func TestMergePolicies(t *testing.T) {
	live := fixtures.StartRedis(t)
	dir := t.TempDir()
	for _, server := range fixtures.Servers {
		rdb := fixtures.Path(server, "rdb-functions-only.rdb")
		v2 := fixtures.LibPath("ratelimit_v2.lua")
		out := filepath.Join(dir, server+".payload")

		r := want(t, 1, "merge", rdb, v2, "-o", out)
		if !hasErrorLine(r.stderr, `library "ratelimit" differs between `+rdb+"@") || !strings.Contains(r.stderr, "and "+v2+" (sha1 2de235ce7f69)") {
			t.Errorf("%s: --policy fail: %s", server, r.stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("%s: a failed merge left %s", server, out)
		}
		j := parseMerge(t, want(t, 1, "merge", rdb, v2, "-o", out, "--json").stdout)
		if j.OK || !strings.Contains(j.Error, `library "ratelimit" differs`) {
			t.Errorf("%s: --json on a conflict: %+v", server, j)
		}

		for _, tc := range []struct{ policy, winner string }{{"replace", "ratelimit_v2.lua"}, {"keep", "ratelimit.lua"}} {
			want(t, 0, "merge", rdb, v2, "-o", out, "--policy", tc.policy)
			payload, _ := os.ReadFile(out)
			if v := live.Do(t, "FUNCTION", "RESTORE", string(payload), "FLUSH"); v.IsError() {
				t.Fatalf("%s: RESTORE: %s", server, v.Str)
			}
			exp := expectedLibs(t, server, "rdb-functions-only.rdb")
			exp["ratelimit"] = libCode(t, tc.winner)
			checkServerHolds(t, server+" --policy "+tc.policy, live, exp)
		}
	}
}

// renamedCopy writes a copy of a fixture library under another library name:
// the same function names, so a server refuses to hold both.
func renamedCopy(t *testing.T, dir, file, newName string) string {
	t.Helper()
	code := libCode(t, file)
	oldName := strings.TrimSuffix(file, ".lua")
	code = strings.Replace(code, "name="+oldName, "name="+newName, 1)
	p := filepath.Join(dir, newName+".lua")
	if err := os.WriteFile(p, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Two libraries registering the same function name: the merge stops before
// writing, with the real server's words for the same two FUNCTION LOADs.
//
// Which name Redis reports when several collide depends on the order of
// the new library's function dictionary, which Redis seeds at random per
// process: for the renamed copy (three shared names) the message is
// compared modulo the name; a library sharing exactly one name is compared
// byte for byte.
func TestMergeFunctionCollision(t *testing.T) {
	live := fixtures.StartRedis(t)
	dir := t.TempDir()
	orig := fixtures.LibPath("ratelimit.lua")
	copyPath := renamedCopy(t, dir, "ratelimit.lua", "ratelimit_copy")
	copyCode, _ := os.ReadFile(copyPath)
	oneCode := "#!lua name=other\nredis.register_function('mine', function() return 1 end)\nredis.register_function('rl_token_bucket', function() return 2 end)\n"
	onePath := filepath.Join(dir, "other.lua")
	os.WriteFile(onePath, []byte(oneCode), 0o644)

	redisError := func(code string) string {
		t.Helper()
		live.Do(t, "FUNCTION", "FLUSH")
		if v := live.Do(t, "FUNCTION", "LOAD", libCode(t, "ratelimit.lua")); v.IsError() {
			t.Fatal(v.Str)
		}
		v := live.Do(t, "FUNCTION", "LOAD", code)
		if !v.IsError() {
			t.Fatalf("the real server loaded both: %v", v)
		}
		return strings.TrimPrefix(v.Str, "ERR ")
	}
	collision := regexp.MustCompile(`^Function (rl_fixed_window|rl_token_bucket|rl_remaining) already exists$`)
	copyMsg := redisError(string(copyCode))
	if !collision.MatchString(copyMsg) {
		t.Fatalf("real server: %q", copyMsg)
	}
	oneMsg := redisError(oneCode)

	for _, format := range []string{"x.rdb", "x.bin", "appendonlydir", "x.aof", "libs/"} {
		out := filepath.Join(dir, format)
		if strings.HasSuffix(format, "/") {
			out += "/"
		}
		prefix := "fnkit: merge stopped, nothing written: library ratelimit_copy (from " + copyPath + ") cannot be loaded next to library ratelimit (from " + orig + "): "
		r := want(t, 1, "merge", orig, copyPath, "-o", out)
		line := strings.TrimSuffix(r.stderr, "\n")
		if !strings.HasPrefix(line, prefix) || !collision.MatchString(strings.TrimPrefix(line, prefix)) {
			t.Errorf("-o %s: stderr %q, want %q + a message like the real server's %q", format, r.stderr, prefix, copyMsg)
		}
		r = want(t, 1, "merge", orig, onePath, "-o", out)
		wantMsg := "library other (from " + onePath + ") cannot be loaded next to library ratelimit (from " + orig + "): " + oneMsg
		if !hasErrorLine(r.stderr, wantMsg) {
			t.Errorf("-o %s: stderr %q, want %q", format, r.stderr, wantMsg)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("-o %s: written although the merge stopped", format)
		}
	}
	// The same stop when the copies come from an RDB and a payload.
	bin := filepath.Join(dir, "copy.bin")
	want(t, 0, "merge", copyPath, "-o", bin)
	r := want(t, 1, "merge", fixtures.Path("redis-7.4.1", "rdb-functions-only.rdb"), bin, "-o", filepath.Join(dir, "y.rdb"))
	if !hasErrorLine(r.stderr, "library ratelimit_copy (from "+bin+"@") || !strings.Contains(r.stderr, " already exists") {
		t.Errorf("rdb + payload: %s", r.stderr)
	}
}

// A library that Redis refuses on its own stops the merge with Redis's
// words.
func TestMergeRejectedLibrary(t *testing.T) {
	live := fixtures.StartRedis(t)
	dir := t.TempDir()
	for _, tc := range []struct{ name, code string }{
		{"nofn", "#!lua name=nofn\nlocal x = 1\n"},
		{"dupfn", "#!lua name=dupfn\nredis.register_function('f', function() return 1 end)\nredis.register_function('f', function() return 2 end)\n"},
		{"badflag", "#!lua name=badflag\nredis.register_function{function_name='f', callback=function() return 1 end, flags={'no-such-flag'}}\n"},
		{"callatload", "#!lua name=callatload\nredis.call('SET', 'x', 1)\nredis.register_function('f', function() return 1 end)\n"},
	} {
		p := filepath.Join(dir, tc.name+".lua")
		os.WriteFile(p, []byte(tc.code), 0o644)
		v := live.Do(t, "FUNCTION", "LOAD", tc.code)
		if !v.IsError() {
			t.Fatalf("%s: the real server loaded it", tc.name)
		}
		r := want(t, 1, "merge", p, "-o", filepath.Join(dir, tc.name+".bin"))
		wantMsg := "library " + tc.name + " (from " + p + ") does not load: " + strings.TrimPrefix(v.Str, "ERR ")
		if !hasErrorLine(r.stderr, wantMsg) {
			t.Errorf("%s: stderr %q\nwant %q", tc.name, r.stderr, wantMsg)
		}
	}
}

// merge from a live server, and the --json document.
func TestMergeLiveServerJSON(t *testing.T) {
	s := startRemote(t, "s3cret")
	s.loadFixtures(t, "sessions.lua", "wire.lua")
	dir := t.TempDir()
	out := filepath.Join(dir, "all.rdb")
	r := want(t, 0, "merge", s.url(), fixtures.LibPath("inventory.lua"), "-o", out, "--json")
	m := parseMerge(t, r.stdout)
	if !m.OK || m.Policy != "fail" || m.Format != "rdb" || m.Output != out || len(m.Files) != 1 || m.Bytes <= 0 {
		t.Fatalf("%+v", m)
	}
	if len(m.Sources) != 2 || m.Sources[0].Format != "server" || strings.Contains(m.Sources[0].Source, "s3cret") ||
		strings.Join(m.Sources[0].Libraries, ",") != "sessions,wire" || m.Sources[1].Format != "lua" {
		t.Errorf("sources: %+v", m.Sources)
	}
	counts, _ := s.functionCounts(t)
	counts["inventory"] = 6
	for _, l := range m.Libraries {
		if len(l.Functions) != counts[l.Name] || len(l.SHA1) != 40 {
			t.Errorf("%s: %d functions, want %d", l.Name, len(l.Functions), counts[l.Name])
		}
		if l.Name == "inventory" {
			for _, f := range l.Functions {
				if f.Name == "inv_noop" && len(f.Flags) != 0 {
					t.Errorf("inv_noop flags %v", f.Flags)
				}
			}
		}
	}
	got := readLibs(t, out)
	if len(got) != 3 || got["inventory"] != libCode(t, "inventory.lua") || got["wire"] != libCode(t, "wire.lua") {
		t.Errorf("re-read: %v", names(got))
	}
	// text output names the sources without the password
	r = want(t, 0, "merge", s.url(), "-o", filepath.Join(dir, "one.payload"))
	if strings.Contains(r.stdout, "s3cret") || !strings.Contains(r.stdout, "wrote "+filepath.Join(dir, "one.payload")+": FUNCTION DUMP payload, RDB version 10") {
		t.Errorf("text: %s", r.stdout)
	}
}

func TestMergeUsageAndSafety(t *testing.T) {
	dir := t.TempDir()
	lib := fixtures.LibPath("leaderboard.lua")
	for _, tc := range []struct {
		args []string
		msg  string
	}{
		{[]string{"merge", "-o", "x.rdb"}, "at least one SOURCE"},
		{[]string{"merge", lib}, "missing -o OUT"},
		{[]string{"merge", lib, "-o", filepath.Join(dir, "x.txt")}, "cannot tell the format"},
		{[]string{"merge", lib, "-o", "x.rdb", "--format", "json"}, `--format "json"`},
		{[]string{"merge", lib, "-o", "x.rdb", "--policy", "newest"}, `unknown merge policy "newest"`},
		{[]string{"merge", lib, "-o", "x.rdb", "--target-version", "9"}, "--target-version 9"},
	} {
		r := want(t, 2, tc.args...)
		if !hasErrorLine(r.stderr, tc.msg) {
			t.Errorf("%v: %s", tc.args, r.stderr)
		}
	}
	// one .lua file holds one library
	r := want(t, 1, "merge", lib, fixtures.LibPath("wire.lua"), "-o", filepath.Join(dir, "both.lua"))
	if !hasErrorLine(r.stderr, "a .lua file holds one library, the merge has 2 (leaderboard, wire)") {
		t.Errorf("%s", r.stderr)
	}
	want(t, 0, "merge", lib, "-o", filepath.Join(dir, "one.lua"))
	if b, _ := os.ReadFile(filepath.Join(dir, "one.lua")); string(b) != libCode(t, "leaderboard.lua") {
		t.Error("one.lua differs from its source")
	}
	// never over an input
	in := filepath.Join(dir, "in.rdb")
	want(t, 0, "merge", lib, "-o", in)
	before, _ := os.ReadFile(in)
	r = want(t, 1, "merge", in, fixtures.LibPath("wire.lua"), "-o", in)
	if !hasErrorLine(r.stderr, "output would overwrite an input") {
		t.Errorf("%s", r.stderr)
	}
	if after, _ := os.ReadFile(in); string(after) != string(before) {
		t.Error("the input changed")
	}
	// an existing AOF directory is not replaced
	aofDir := filepath.Join(dir, "appendonlydir")
	want(t, 0, "merge", lib, "-o", aofDir)
	r = want(t, 1, "merge", lib, "-o", aofDir)
	if !hasErrorLine(r.stderr, "file exists") {
		t.Errorf("%s", r.stderr)
	}
	// an unreadable source fails with status 1 and names it
	r = want(t, 1, "merge", filepath.Join(dir, "missing.rdb"), "-o", filepath.Join(dir, "m.rdb"))
	if !hasErrorLine(r.stderr, "missing.rdb") {
		t.Errorf("%s", r.stderr)
	}
	if es, _ := os.ReadDir(dir); len(es) != 3 {
		var n []string
		for _, e := range es {
			n = append(n, e.Name())
		}
		t.Errorf("left in the directory: %v", n)
	}
}
