package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/resp"
)

// keyspaceOf returns the state of every key of every database of a real
// server (see keyState), plus DBSIZE per database.
func keyspaceOf(t *testing.T, r *fixtures.Redis) (map[string]string, map[int]int64) {
	t.Helper()
	c := r.Conn(t)
	keys := map[string]string{}
	sizes := map[int]int64{}
	for db := 0; db < 16; db++ {
		if v, err := c.Do("SELECT", strconv.Itoa(db)); err != nil || v.IsError() {
			t.Fatalf("SELECT %d: %v %v", db, v, err)
		}
		n, _ := c.Do("DBSIZE")
		if n.Int == 0 {
			continue
		}
		sizes[db] = n.Int
		cursor := "0"
		for {
			v, err := c.Do("SCAN", cursor, "COUNT", "1000")
			if err != nil || v.Kind != resp.Array {
				t.Fatalf("SCAN: %v %v", v, err)
			}
			cursor = v.Elems[0].Str
			for _, k := range v.Elems[1].Elems {
				keys[strconv.Itoa(db)+"\x00"+k.Str] = keyState(t, c, k.Str)
			}
			if cursor == "0" {
				break
			}
		}
	}
	return keys, sizes
}

// keyState is a key's DUMP bytes and PEXPIRETIME. DUMP of a hashtable-encoded
// set or hash follows the server's dict order, which depends on a hash seed
// each process draws at random, so for those the sorted members (fields and
// values) stand in for the bytes.
func keyState(t *testing.T, c *resp.Conn, key string) string {
	t.Helper()
	do := func(args ...string) resp.Value {
		v, err := c.Do(args...)
		if err != nil || v.IsError() {
			t.Fatalf("%v: %v %v", args, v, err)
		}
		return v
	}
	e := do("PEXPIRETIME", key)
	state := "expire " + strconv.FormatInt(e.Int, 10) + "\x00"
	typ := do("TYPE", key).Str
	enc := do("OBJECT", "ENCODING", key).Str
	if enc != "hashtable" {
		return state + "dump " + do("DUMP", key).Str
	}
	var items []string
	switch typ {
	case "set":
		for _, m := range do("SMEMBERS", key).Elems {
			items = append(items, m.Str)
		}
	case "hash":
		all := do("HGETALL", key).Elems
		for i := 0; i+1 < len(all); i += 2 {
			items = append(items, all[i].Str+"\x00"+all[i+1].Str)
		}
	default:
		t.Fatalf("%s: hashtable encoding of a %s", key, typ)
	}
	sort.Strings(items)
	return state + typ + " " + strings.Join(items, "\x01")
}

func writeLua(t *testing.T, dir, name, code string) string {
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(code), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// restore's output is judged by the real thing: FUNCTION RESTORE with the
// same mode on a real server that loaded the input gives the expected
// libraries; the output passes redis-check-rdb, and a real server started on
// it lists exactly those libraries and has the input's keys with identical
// DUMP bytes and expiry times.
func TestRestoreAgainstRealServer(t *testing.T) {
	checkRDB := fixtures.RequireTool(t, "redis-check-rdb")
	dir := t.TempDir()
	extra := writeLua(t, dir, "extra.lua", "#!lua name=extra\nredis.register_function('extra_ping', function() return 'pong' end)\n")
	v2 := fixtures.LibPath("ratelimit_v2.lua")
	wire := fixtures.LibPath("wire.lua")
	payload := filepath.Join(dir, "sources.payload")

	type tc struct {
		in      string
		mode    string
		sources []string
	}
	var cases []tc
	for _, name := range fixtures.Artifacts("redis-7.0.15", "rdb-") {
		in := fixtures.Path("redis-7.0.15", name)
		cases = append(cases,
			tc{in, "append", []string{extra}},
			tc{in, "replace", []string{v2, extra}},
			tc{in, "flush", []string{wire}},
		)
	}
	cases = append(cases, tc{fixtures.Path("redis-7.0.15", "rdb-keyspace-only.rdb"), "append", []string{fixtures.Path("redis-7.0.15", "dump-all.bin"), extra}})

	for i, c := range cases {
		name := filepath.Base(c.in) + "/" + c.mode
		t.Run(name, func(t *testing.T) {
			// the oracle: a real server with the input loaded, FUNCTION RESTORE
			a, err := fixtures.StartRedisWith(t, fixtures.Options{RDB: c.in})
			if err != nil {
				t.Fatal(err)
			}
			want(t, 0, append(append([]string{"dump"}, c.sources...), "-o", payload)...)
			pl, _ := os.ReadFile(payload)
			v := a.Do(t, "FUNCTION", "RESTORE", string(pl), strings.ToUpper(c.mode))
			if v.IsError() {
				t.Fatalf("real FUNCTION RESTORE: %s", v.Str)
			}
			wantLibs := listWithCode(t, a)
			wantKeys, wantSizes := keyspaceOf(t, a)

			out := filepath.Join(dir, "out"+strconv.Itoa(i)+".rdb")
			args := append([]string{"restore", "--into", c.in}, c.sources...)
			r := want(t, 0, append(args, "--mode", c.mode, "-o", out)...)
			if !strings.Contains(r.stdout, "wrote "+out+": FUNCTION RESTORE "+strings.ToUpper(c.mode)) {
				t.Fatalf("stdout %q", r.stdout)
			}
			chk := exec.Command(checkRDB, out)
			if msg, err := chk.CombinedOutput(); err != nil || !bytes.Contains(msg, []byte("RDB looks OK")) {
				t.Fatalf("redis-check-rdb: %v\n%s", err, msg)
			}
			b, err := fixtures.StartRedisWith(t, fixtures.Options{RDB: out})
			if err != nil {
				t.Fatal(err)
			}
			if got := listWithCode(t, b); !sameCodes(got, wantLibs) {
				t.Fatalf("server on the output lists %v, FUNCTION RESTORE gave %v", names(got), names(wantLibs))
			}
			gotKeys, gotSizes := keyspaceOf(t, b)
			if len(gotSizes) != len(wantSizes) {
				t.Fatalf("DBSIZE per db %v, want %v", gotSizes, wantSizes)
			}
			for db, n := range wantSizes {
				if gotSizes[db] != n {
					t.Fatalf("DBSIZE db%d = %d, want %d", db, gotSizes[db], n)
				}
			}
			for k, v := range wantKeys {
				if gotKeys[k] != v {
					t.Fatalf("key %q: DUMP/PEXPIRETIME differ", k)
				}
			}
			// inspect agrees
			var rep inspectReport
			json.Unmarshal([]byte(want(t, 0, "inspect", "--json", out).stdout), &rep)
			if rep.RDB == nil || rep.RDB.Checksum.Status == "mismatch" || len(rep.Libraries) != len(wantLibs) {
				t.Fatalf("inspect: %+v", rep)
			}
		})
	}
}

// APPEND of a library that exists fails with the words of the real server.
func TestRestoreAppendConflictMatchesRedis(t *testing.T) {
	in := fixtures.Path("redis-7.0.15", "rdb-functions-keyspace.rdb")
	v2 := fixtures.LibPath("ratelimit_v2.lua")
	dir := t.TempDir()
	payload := filepath.Join(dir, "v2.payload")
	want(t, 0, "dump", v2, "-o", payload)
	pl, _ := os.ReadFile(payload)
	a, err := fixtures.StartRedisWith(t, fixtures.Options{RDB: in})
	if err != nil {
		t.Fatal(err)
	}
	v := a.Do(t, "FUNCTION", "RESTORE", string(pl), "APPEND")
	if !v.IsError() {
		t.Fatal("the real server accepted the APPEND")
	}
	redisWords := strings.TrimPrefix(v.Str, "ERR ")
	out := filepath.Join(dir, "out.rdb")
	r := want(t, 1, "restore", "--into", in, v2, "-o", out)
	if !hasErrorLine(r.stderr, ": "+redisWords+" (") {
		t.Fatalf("stderr %q, want Redis's words %q", r.stderr, redisWords)
	}
	if files := dirFiles(t, dir); len(files) != 1 {
		t.Fatalf("left behind: %v", files)
	}
}

func TestRestoreRefusals(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.rdb")
	orig, _ := os.ReadFile(fixtures.Path("redis-7.0.15", "rdb-functions-keyspace.rdb"))
	os.WriteFile(in, orig, 0o644)
	wire := filepath.Join(dir, "wire.lua")
	code, _ := os.ReadFile(fixtures.LibPath("wire.lua"))
	os.WriteFile(wire, code, 0o644)

	for _, out := range []string{in, wire, "./" + filepath.Base(in)} {
		cmd := exec.Command(binary, "restore", "--into", in, wire, "--mode", "replace", "-o", out)
		cmd.Dir = dir
		msg, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(msg), "output would overwrite an input") {
			t.Fatalf("-o %s: %v %s", out, err, msg)
		}
	}
	if got, _ := os.ReadFile(in); !bytes.Equal(got, orig) {
		t.Fatal("input changed")
	}
	// usage errors
	for _, args := range [][]string{
		{"restore", wire, "-o", "x.rdb"},
		{"restore", "--into", in, wire},
		{"restore", "--into", in, "-o", "x.rdb"},
		{"restore", "--into", in, wire, "-o", "x.rdb", "--mode", "merge"},
	} {
		want(t, 2, args...)
	}
	r := want(t, 2, "restore", "--into", in, wire, "-o", "x.rdb", "--mode", "merge")
	if !hasErrorLine(r.stderr, "Wrong restore policy given, value should be either FLUSH, APPEND or REPLACE.") {
		t.Fatalf("stderr %q", r.stderr)
	}
	// --into must be an RDB
	r = want(t, 1, "restore", "--into", fixtures.Path("redis-7.0.15", "dump-one.bin"), wire, "-o", filepath.Join(dir, "x.rdb"))
	if !hasErrorLine(r.stderr, "--into must be an RDB file") {
		t.Fatalf("stderr %q", r.stderr)
	}
	// a damaged input: refused, nothing written
	bad := filepath.Join(dir, "bad.rdb")
	damaged := append([]byte(nil), orig...)
	damaged[len(damaged)/2] ^= 0x40
	os.WriteFile(bad, damaged, 0o644)
	r = want(t, 1, "restore", "--into", bad, wire, "--mode", "replace", "-o", filepath.Join(dir, "y.rdb"))
	if !hasErrorLine(r.stderr, bad) {
		t.Fatalf("stderr %q", r.stderr)
	}
	// a write that fails half-way leaves nothing behind
	cmd := exec.Command("bash", "-c", "ulimit -f 16; exec \"$0\" \"$@\"", binary, "restore", "--into", in, wire, "--mode", "replace", "-o", filepath.Join(dir, "z.rdb"))
	msg, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(msg), "file too large") {
		t.Fatalf("err %v: %s", err, msg)
	}
	if files := dirFiles(t, dir); len(files) != 3 {
		t.Fatalf("left behind: %v", files)
	}
}

// A library under a new name that registers functions another library
// already has: the real FUNCTION RESTORE refuses it ("Function f already
// exists") in every mode but FLUSH, and so does restore, before writing.
func TestRestoreFunctionCollisionMatchesRedis(t *testing.T) {
	in := fixtures.Path("redis-7.0.15", "rdb-functions-keyspace.rdb")
	dir := t.TempDir()
	code, err := os.ReadFile(fixtures.LibPath("ratelimit.lua"))
	if err != nil {
		t.Fatal(err)
	}
	clash := writeLua(t, dir, "ratelimit_copy.lua", strings.Replace(string(code), "name=ratelimit", "name=ratelimit_copy", 1))
	payload := filepath.Join(dir, "clash.payload")
	want(t, 0, "dump", clash, "-o", payload)
	pl, _ := os.ReadFile(payload)
	srv, err := fixtures.StartRedisWith(t, fixtures.Options{RDB: in})
	if err != nil {
		t.Fatal(err)
	}
	for _, mode := range []string{"append", "replace", "flush"} {
		v := srv.Do(t, "FUNCTION", "RESTORE", string(pl), strings.ToUpper(mode))
		out := filepath.Join(dir, mode+".rdb")
		if mode == "flush" {
			if v.IsError() {
				t.Fatalf("FLUSH: the real server refused: %v", v)
			}
			want(t, 0, "restore", "--into", in, clash, "--mode", mode, "-o", out)
			continue
		}
		// Redis names the first colliding function of its dict order, which
		// is seeded per process: compare the shape, and that it is one of
		// ratelimit's functions.
		fn, ok := strings.CutPrefix(v.Str, "ERR Function ")
		if !v.IsError() || !ok || !strings.HasSuffix(fn, " already exists") {
			t.Fatalf("%s: the real server said %v", mode, v)
		}
		r := want(t, 1, "restore", "--into", in, clash, "--mode", mode, "-o", out)
		i := strings.Index(r.stderr, ": Function ")
		if i < 0 || !strings.HasSuffix(strings.TrimSpace(r.stderr), " already exists") {
			t.Fatalf("%s: stderr %q", mode, r.stderr)
		}
		ours := strings.TrimSuffix(strings.TrimSpace(r.stderr[i+len(": Function "):]), " already exists")
		if !strings.HasPrefix(ours, "rl_") {
			t.Fatalf("%s: we name function %q, not one of ratelimit's", mode, ours)
		}
		if _, err := os.Stat(out); err == nil {
			t.Fatalf("%s: %s written despite the collision", mode, out)
		}
		// with the check off the RDB is written (and Redis would refuse to load it)
		want(t, 0, "restore", "--into", in, clash, "--mode", mode, "--no-function-check", "-o", out)
	}
}
