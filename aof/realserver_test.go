package aof

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/library"
	"github.com/fnkit/fnkit/resp"
)

// serverState asks a real server for its libraries (name=sha1 of the code,
// sorted) and its keyspace (keys and expires per db from INFO keyspace).
func serverState(t testing.TB, r *fixtures.Redis) (libs, keyspace string) {
	t.Helper()
	var refs []string
	for name, code := range r.Libraries(t) {
		sum := sha1.Sum([]byte(code))
		refs = append(refs, name+"="+hex.EncodeToString(sum[:]))
	}
	sort.Strings(refs)
	info := r.Do(t, "INFO", "keyspace").Str
	var dbs []string
	for _, line := range strings.Split(info, "\n") {
		line = strings.TrimSpace(line)
		if !strings.HasPrefix(line, "db") {
			continue
		}
		name, rest, _ := strings.Cut(line, ":")
		fields := strings.Split(rest, ",")
		dbs = append(dbs, name+":"+fields[0]+","+fields[1])
	}
	return strings.Join(refs, ","), strings.Join(dbs, " ")
}

// loadInServer starts a real redis-server (appendonly yes) on a copy of the
// AOF directory dir, whose manifest is appendFileName.manifest, and
// returns its state.
func loadInServer(t testing.TB, dir, appendFileName string) (libs, keyspace string) {
	t.Helper()
	return loadInServerCut(t, dir, appendFileName, false)
}

// loadInServerCut is loadInServer that, with allowCut, accepts a server
// that cut a truncated tail (aof-load-truncated).
func loadInServerCut(t testing.TB, dir, appendFileName string, allowCut bool) (libs, keyspace string) {
	t.Helper()
	cfg := []string{"appendfilename " + appendFileName}
	r, err := fixtures.StartRedisWith(t, fixtures.Options{AOFDir: dir, Config: cfg, AllowLoadFailure: true})
	if err != nil {
		t.Fatalf("the real server did not load %s: %v", dir, err)
	}
	defer r.Stop()
	if log := r.Log(); !allowCut && (strings.Contains(log, "Truncating the AOF") || strings.Contains(log, "Revert incomplete MULTI")) {
		t.Fatalf("the real server had to cut %s:\n%s", dir, log)
	}
	return serverState(t, r)
}

// checkAOF runs the real redis-check-aof on a manifest or file and fails
// the test when it is not valid.
func checkAOF(t testing.TB, path string) string {
	t.Helper()
	tool := fixtures.RequireTool(t, "redis-check-aof")
	out, err := exec.Command(tool, path).CombinedOutput()
	if err != nil {
		t.Fatalf("redis-check-aof %s: %v\n%s", path, err, out)
	}
	return string(out)
}

func libsOf(t testing.TB, files ...string) *library.Set {
	t.Helper()
	s := &library.Set{}
	for _, f := range files {
		code, err := os.ReadFile(fixtures.LibPath(f))
		if err != nil {
			t.Fatal(err)
		}
		l, err := library.New(string(code), library.Origin{Path: f, Format: "lua", Offset: -1})
		if err != nil {
			t.Fatal(err)
		}
		s.Put(l)
	}
	return s
}

// TestRestoreIntoRealServer restores libraries into every 7.0.15 AOF
// directory with each policy; the output must pass redis-check-aof and a
// real server must load exactly the expected libraries and the input's
// keyspace.
func TestRestoreIntoRealServer(t *testing.T) {
	fixtures.RequireTool(t, "redis-server")
	incomingAll := libsOf(t, "ratelimit.lua", "sessions.lua")
	incomingNew := libsOf(t, "sessions.lua")
	for _, art := range []string{"aof-preamble", "aof-nopreamble", "aof-multi-incr"} {
		dir := fixtures.Path("redis-7.0.15", art)
		a, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		_, inKeys := loadInServer(t, dir, a.AppendFileName())
		for i, mode := range []library.RestoreMode{library.RestoreReplace, library.RestoreFlush, library.RestoreAppend, library.RestoreAppend} {
			incoming := incomingAll
			if i == 3 {
				incoming = incomingNew
			}
			t.Run(art+"/"+mode.String()+"/"+incoming.String(), func(t *testing.T) {
				out := filepath.Join(t.TempDir(), "appendonlydir")
				res, err := RestoreInto(a, incoming, out, RestoreOptions{Mode: mode})
				before, rerr := a.Replay(ReplayOptions{})
				if rerr != nil {
					t.Fatal(rerr)
				}
				want, werr := library.Restore(before.Libraries, incoming, mode)
				if werr != nil {
					// APPEND of a library the AOF already has: refused with
					// FUNCTION RESTORE's words, nothing written.
					if err == nil || !strings.Contains(err.Error(), "already exists") {
						t.Fatalf("err = %v, want %v", err, werr)
					}
					if _, serr := os.Stat(out); !os.IsNotExist(serr) {
						t.Fatalf("output written after a refused restore")
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if !res.After.Equal(want) {
					t.Fatalf("replayed output %s, want %s", res.After, want)
				}
				checkAOF(t, filepath.Join(out, a.AppendFileName()+ManifestSuffix))
				libs, keys := loadInServer(t, out, a.AppendFileName())
				if libs != setRefs(want) {
					t.Fatalf("real server loaded\n %s\nwant\n %s", libs, setRefs(want))
				}
				if keys != inKeys {
					t.Fatalf("keyspace %q, input had %q", keys, inKeys)
				}
				// The input files are copied byte for byte.
				for _, f := range a.Files {
					orig, _ := os.ReadFile(f.Path)
					got, _ := os.ReadFile(filepath.Join(out, f.Name))
					if !bytes.Equal(orig, got) {
						t.Fatalf("%s changed in the output", f.Name)
					}
				}
				if _, err := RestoreInto(a, incoming, out, RestoreOptions{Mode: mode}); err == nil {
					t.Fatal("restore wrote over an existing output")
				}
			})
		}
	}
}

// TestRestoreRefusesTruncated: adding a file after a truncated one would
// make Redis refuse the AOF.
func TestRestoreRefusesTruncated(t *testing.T) {
	a, err := Open(fixtures.Path("redis-7.0.15", "corrupt-aof-truncated"))
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "out")
	_, err = RestoreInto(a, libsOf(t, "wire.lua"), out, RestoreOptions{Mode: library.RestoreReplace})
	if err == nil || !strings.Contains(err.Error(), "offset 8045") {
		t.Fatalf("err = %v", err)
	}
}

// TestRestoreSingleFile restores into an old-style single AOF (an RDB
// preamble followed by commands, as Redis 4-6 wrote).
func TestRestoreSingleFile(t *testing.T) {
	fixtures.RequireTool(t, "redis-server")
	src := fixtures.Path("redis-7.0.15", "aof-preamble")
	base, _ := os.ReadFile(filepath.Join(src, "appendonly.aof.2.base.rdb"))
	incr, _ := os.ReadFile(filepath.Join(src, "appendonly.aof.2.incr.aof"))
	dir := t.TempDir()
	single := filepath.Join(dir, "appendonly.aof")
	if err := os.WriteFile(single, append(base, incr...), 0o644); err != nil {
		t.Fatal(err)
	}
	a, err := Open(single)
	if err != nil {
		t.Fatal(err)
	}
	if a.Layout != LayoutSingle {
		t.Fatalf("layout %s", a.Layout)
	}
	checkAOF(t, single)
	out := filepath.Join(dir, "restored.aof")
	res, err := RestoreInto(a, libsOf(t, "sessions.lua"), out, RestoreOptions{Mode: library.RestoreAppend})
	if err != nil {
		t.Fatal(err)
	}
	checkAOF(t, out)
	// Load it as Redis 7 loads an old single file: as the base of a
	// multi-part directory.
	loadDir := filepath.Join(dir, "load")
	os.Mkdir(loadDir, 0o755)
	data, _ := os.ReadFile(out)
	os.WriteFile(filepath.Join(loadDir, "appendonly.aof"), data, 0o644)
	os.WriteFile(filepath.Join(loadDir, "appendonly.aof.manifest"), []byte("file appendonly.aof seq 1 type b\n"), 0o644)
	libs, _ := loadInServer(t, loadDir, "appendonly.aof")
	if libs != setRefs(res.After) {
		t.Fatalf("server %s, want %s", libs, setRefs(res.After))
	}
}

// TestRepairTruncatedRealServer repairs the truncated fixtures: the cut
// file equals what redis-check-aof --fix makes of it, redis-check-aof
// accepts the output and a real server loads it without cutting anything.
func TestRepairTruncatedRealServer(t *testing.T) {
	tool := fixtures.RequireTool(t, "redis-check-aof")
	dir := fixtures.Path("redis-7.0.15", "corrupt-aof-truncated")
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "repaired")
	res, err := Repair(a, out, RepairOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Cut == nil || res.Cut.At != 8045 || res.Cut.Reason != "truncated" || res.Partial == nil || res.Partial.Command != "FUNCTION LOAD" {
		t.Fatalf("cut %+v partial %v", res.Cut, res.Partial)
	}
	if res.DroppedBytes != 30454-8045 || res.DroppedCommands != 0 {
		t.Fatalf("dropped %d bytes %d commands", res.DroppedBytes, res.DroppedCommands)
	}
	// redis-check-aof --fix on a copy of the input.
	fixed := filepath.Join(t.TempDir(), "fixed")
	os.Mkdir(fixed, 0o755)
	for _, f := range append(append([]*File{}, a.Files...), a.History...) {
		data, _ := os.ReadFile(f.Path)
		os.WriteFile(filepath.Join(fixed, f.Name), data, 0o644)
	}
	mdata, _ := os.ReadFile(a.ManifestPath)
	os.WriteFile(filepath.Join(fixed, filepath.Base(a.ManifestPath)), mdata, 0o644)
	cmd := exec.Command(tool, "--fix", filepath.Join(fixed, filepath.Base(a.ManifestPath)))
	cmd.Stdin = strings.NewReader("y\n")
	if o, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("redis-check-aof --fix: %v\n%s", err, o)
	}
	for _, f := range a.Files {
		want, _ := os.ReadFile(filepath.Join(fixed, f.Name))
		got, _ := os.ReadFile(filepath.Join(out, f.Name))
		if !bytes.Equal(want, got) {
			t.Fatalf("%s: fnkit repair gives %d bytes, redis-check-aof --fix %d", f.Name, len(got), len(want))
		}
	}
	checkAOF(t, filepath.Join(out, "appendonly.aof.manifest"))
	libs, keys := loadInServer(t, out, "appendonly.aof")
	_, wantKeys := loadInServerCut(t, dir, "appendonly.aof", true)
	if libs != setRefs(res.After) || keys != wantKeys {
		t.Fatalf("server loaded %s %s, want %s %s", libs, keys, setRefs(res.After), wantKeys)
	}
	exp, _ := fixtures.LoadExpected("redis-7.0.15", "corrupt-aof-truncated")
	var want []string
	for _, r := range exp.Reload.State.LibrarySet {
		want = append(want, r.Name+"="+r.SHA1)
	}
	if libs != strings.Join(want, ",") {
		t.Fatalf("libraries %s, the fixture's server recovered %s", libs, want)
	}
}

// genAOF runs steps against a fresh real server with appendonly yes and
// returns a copy of the AOF directory it wrote.
func genAOF(t testing.TB, config []string, steps func(c *resp.Conn)) string {
	t.Helper()
	r, err := fixtures.StartRedisWith(t, fixtures.Options{Config: append([]string{"appendonly yes"}, config...)})
	if err != nil {
		t.Fatal(err)
	}
	c := r.Conn(t)
	steps(c)
	r.Stop()
	out := filepath.Join(t.TempDir(), "appendonlydir")
	os.Mkdir(out, 0o755)
	entries, err := os.ReadDir(filepath.Join(r.Dir, "appendonlydir"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		data, _ := os.ReadFile(filepath.Join(r.Dir, "appendonlydir", e.Name()))
		os.WriteFile(filepath.Join(out, e.Name()), data, 0o644)
	}
	return out
}

func mustDo(t testing.TB, c *resp.Conn, args ...string) resp.Value {
	t.Helper()
	v, err := c.Do(args...)
	if err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	if v.Kind == resp.Error {
		t.Fatalf("%v: %s", args, v.Str)
	}
	return v
}

func libCode(t testing.TB, f string) string {
	code, err := os.ReadFile(fixtures.LibPath(f))
	if err != nil {
		t.Fatal(err)
	}
	return string(code)
}

// sleepToNextSecond waits until the wall clock is in a new second, so the
// next command gets a new #TS: annotation.
func sleepToNextSecond() int64 {
	now := time.Now()
	time.Sleep(time.Until(now.Truncate(time.Second).Add(time.Second + 50*time.Millisecond)))
	return time.Now().Unix()
}

// TestTruncateToTimestampAgainstRedis makes a real server write an AOF with
// aof-timestamp-enabled in timed phases, then cuts it at every phase with
// fnkit repair and with the real redis-check-aof --truncate-to-timestamp:
// the bytes must be identical, and the set must match Replay's set at that
// time and what a real server loads.
func TestTruncateToTimestampAgainstRedis(t *testing.T) {
	tool := fixtures.RequireTool(t, "redis-check-aof")
	var phases []int64
	dir := genAOF(t, []string{"aof-timestamp-enabled yes"}, func(c *resp.Conn) {
		phases = append(phases, sleepToNextSecond())
		mustDo(t, c, "FUNCTION", "LOAD", libCode(t, "ratelimit.lua"))
		mustDo(t, c, "SET", "a", "1")
		phases = append(phases, sleepToNextSecond())
		mustDo(t, c, "FUNCTION", "LOAD", libCode(t, "leaderboard.lua"))
		mustDo(t, c, "MULTI")
		mustDo(t, c, "FUNCTION", "DELETE", "ratelimit")
		mustDo(t, c, "SET", "b", "2")
		mustDo(t, c, "EXEC")
		phases = append(phases, sleepToNextSecond())
		mustDo(t, c, "FUNCTION", "LOAD", "REPLACE", libCode(t, "ratelimit_v2.lua"))
		mustDo(t, c, "SELECT", "2")
		mustDo(t, c, "SET", "c", "3")
	})
	a, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	full, err := a.Replay(ReplayOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if setRefs(full.Libraries) != setRefs(libsOf(t, "leaderboard.lua", "ratelimit_v2.lua")) {
		t.Fatalf("full replay: %s", full.Libraries)
	}
	cuts := 0
	for _, T := range []int64{phases[0], phases[1], phases[2], phases[0] - 1} {
		work := t.TempDir()
		// redis-check-aof cuts a copy in place.
		theirs := filepath.Join(work, "theirs")
		os.Mkdir(theirs, 0o755)
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			data, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			os.WriteFile(filepath.Join(theirs, e.Name()), data, 0o644)
		}
		tout, terr := exec.Command(tool, "--truncate-to-timestamp", strconv.FormatInt(T, 10), filepath.Join(theirs, "appendonly.aof.manifest")).CombinedOutput()
		ours := filepath.Join(work, "ours")
		res, err := Repair(a, ours, RepairOptions{ByTimestamp: true, ToTimestamp: T})
		if terr != nil {
			if err == nil {
				t.Fatalf("T=%d: redis-check-aof refused (%v):\n%s\nfnkit repaired: %+v", T, terr, tout, res.Cut)
			}
			continue
		}
		if err != nil {
			t.Fatalf("T=%d: %v\nredis-check-aof:\n%s", T, err, tout)
		}
		for _, f := range a.Files {
			want, _ := os.ReadFile(filepath.Join(theirs, f.Name))
			got, _ := os.ReadFile(filepath.Join(ours, f.Name))
			if !bytes.Equal(want, got) {
				t.Fatalf("T=%d: %s: fnkit %d bytes, redis-check-aof %d bytes\n%s", T, f.Name, len(got), len(want), tout)
			}
		}
		at, err := a.Replay(ReplayOptions{Stop: StopAtTime(T)})
		if err != nil {
			t.Fatal(err)
		}
		if !at.Libraries.Equal(res.After) {
			t.Fatalf("T=%d: Replay at time gives %s, the repaired AOF %s", T, at.Libraries, res.After)
		}
		checkAOF(t, filepath.Join(ours, "appendonly.aof.manifest"))
		libs, _ := loadInServer(t, ours, "appendonly.aof")
		if libs != setRefs(res.After) {
			t.Fatalf("T=%d: server %s, want %s", T, libs, setRefs(res.After))
		}
		if res.Cut != nil {
			cuts++
		}
	}
	if cuts < 2 {
		t.Fatalf("only %d timestamp cuts compared", cuts)
	}
}
