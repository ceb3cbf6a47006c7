package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/fixtures"
)

// aofFixtureDirs lists every AOF fixture directory of every server.
func aofFixtureDirs(t *testing.T) [][2]string {
	var out [][2]string
	for _, server := range fixtures.Servers {
		for _, art := range append(fixtures.Artifacts(server, "aof-"), fixtures.Artifacts(server, "corrupt-aof")...) {
			out = append(out, [2]string{server, art})
		}
	}
	if len(out) == 0 {
		t.Fatal("no AOF fixtures")
	}
	return out
}

func reloadSet(t *testing.T, server, art string) string {
	exp, err := fixtures.LoadExpected(server, art)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, r := range exp.Reload.State.LibrarySet {
		want = append(want, r.Name+"="+r.SHA1)
	}
	return strings.Join(want, ",")
}

func refString(refs []libraryRef) string {
	var out []string
	for _, r := range refs {
		out = append(out, r.Name+"="+r.SHA1)
	}
	return strings.Join(out, ",")
}

// TestTimelineFixtures: for every AOF fixture of every server, the final
// set is what a real server of that version loaded, and the timeline has
// every FUNCTION command of the loaded files (the generator's recorded
// command names).
func TestTimelineFixtures(t *testing.T) {
	for _, sa := range aofFixtureDirs(t) {
		server, art := sa[0], sa[1]
		dir := fixtures.Path(server, art)
		r := want(t, 0, "timeline", "--json", dir)
		var rep timelineReport
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("%s/%s: %v\n%s", server, art, err, r.stdout)
		}
		if got, w := refString(rep.Libraries), reloadSet(t, server, art); got != w {
			t.Fatalf("%s/%s: libraries %s, the real server loaded %s", server, art, got, w)
		}
		exp, _ := fixtures.LoadExpected(server, art)
		var facts struct {
			Files []struct {
				Name     string `json:"name"`
				Type     string `json:"type"`
				Commands *struct {
					Names []string `json:"names"`
				} `json:"commands"`
			} `json:"files"`
		}
		json.Unmarshal(exp.AOF, &facts)
		// Each loaded RESP file: the FUNCTION commands by position.
		for _, f := range rep.Files {
			var names []string
			for _, ff := range facts.Files {
				if ff.Name == f.Name && ff.Commands != nil {
					names = ff.Commands.Names
				}
			}
			for i, n := range names {
				if !strings.HasPrefix(n, "FUNCTION ") {
					continue
				}
				idx := f.FirstIndex + int64(i)
				found := false
				for _, e := range rep.Events {
					if e.File == f.Name && e.Index == idx && strings.HasPrefix(e.Command, n) {
						found = true
					}
				}
				if !found && int64(i) < f.Commands {
					t.Errorf("%s/%s: %s command %d (%s) not in the timeline", server, art, f.Name, idx, n)
				}
			}
		}
		// The person's form has one line per event.
		h := want(t, 0, "timeline", dir)
		for _, e := range rep.Events {
			if !strings.Contains(h.stdout, e.File) || !strings.Contains(h.stdout, string(e.Kind)) {
				t.Fatalf("%s/%s: text timeline lacks %+v:\n%s", server, art, e, h.stdout)
			}
		}
		if lines := strings.Count(h.stdout, "\n"); lines < len(rep.Events)+2 {
			t.Fatalf("%s/%s: %d lines for %d events", server, art, lines, len(rep.Events))
		}
	}
}

func TestTimelineStops(t *testing.T) {
	dir := fixtures.Path("redis-7.0.15", "aof-multi-incr")
	r := want(t, 0, "timeline", "--json", "--at-command", "30", dir)
	var rep timelineReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Stopped || refString(rep.Libraries) == "" || strings.Contains(refString(rep.Libraries), "sessions") || strings.Contains(refString(rep.Libraries), "kvtools") {
		t.Fatalf("after command 30 (FUNCTION DELETE sessions; kvtools comes at 35): %s", refString(rep.Libraries))
	}
	for _, e := range rep.Events {
		if e.Index > 30 {
			t.Fatalf("event after the stop: %+v", e)
		}
	}
	// inspect and extract agree with the timeline at the same point.
	ins := want(t, 0, "inspect", "--json", "--at-command", "30", dir)
	var ir inspectReport
	if err := json.Unmarshal([]byte(ins.stdout), &ir); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range ir.Libraries {
		got = append(got, l.Name+"="+l.SHA1)
	}
	if strings.Join(got, ",") != refString(rep.Libraries) || ir.AOF == nil || !ir.AOF.Stopped {
		t.Fatalf("inspect --at-command 30: %s; timeline %s", got, refString(rep.Libraries))
	}
	out := filepath.Join(t.TempDir(), "libs")
	want(t, 0, "extract", "--at-command", "30", dir, "-o", out)
	files := dirFiles(t, out)
	if len(files) != len(rep.Libraries) {
		t.Fatalf("extract wrote %v, want %d libraries", files, len(rep.Libraries))
	}
	for _, l := range rep.Libraries {
		code, err := os.ReadFile(filepath.Join(out, l.Name+".lua"))
		sum := sha1.Sum(code)
		if err != nil || hex.EncodeToString(sum[:]) != l.SHA1 {
			t.Fatalf("%s: %v", l.Name, err)
		}
	}
	// Usage errors.
	for _, args := range [][]string{
		{"timeline", "--at", "x", dir},
		{"timeline", "--at", "1", "--at-command", "2", dir},
		{"inspect", "--at-command", "3", fixtures.Path("redis-7.0.15", "dump-one.bin")},
		{"repair", dir},
		{"timeline"},
	} {
		want(t, 2, args...)
	}
	want(t, 1, "timeline", fixtures.Path("redis-7.0.15", "dump-one.bin"))
}

// TestRepairCLI repairs the truncated fixture; redis-check-aof accepts the
// output and a real server loads it without cutting.
func TestRepairCLI(t *testing.T) {
	tool := fixtures.RequireTool(t, "redis-check-aof")
	dir := fixtures.Path("redis-7.0.15", "corrupt-aof-truncated")
	out := filepath.Join(t.TempDir(), "appendonlydir")
	r := want(t, 0, "repair", "--json", dir, "-o", out)
	var rep repairReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if !rep.Repaired || rep.Cut.At != 8045 || rep.DroppedBytes != 22409 || len(rep.LostEvents) != 1 || rep.LostEvents[0].Library != "i18n" {
		t.Fatalf("report: %+v", rep)
	}
	if o, err := exec.Command(tool, filepath.Join(out, "appendonly.aof.manifest")).CombinedOutput(); err != nil {
		t.Fatalf("redis-check-aof: %v\n%s", err, o)
	}
	srv, err := fixtures.StartRedisWith(t, fixtures.Options{AOFDir: out, AllowLoadFailure: true})
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(srv.Log(), "Truncating") {
		t.Fatalf("the server still had to cut:\n%s", srv.Log())
	}
	got := listWithCode(t, srv)
	var gotRefs []string
	for _, n := range names(got) {
		sum := sha1.Sum([]byte(got[n]))
		gotRefs = append(gotRefs, n+"="+hex.EncodeToString(sum[:]))
	}
	if strings.Join(gotRefs, ",") != reloadSet(t, "redis-7.0.15", "corrupt-aof-truncated") || strings.Join(gotRefs, ",") != refString(rep.After) {
		t.Fatalf("server %v, report %v", gotRefs, rep.After)
	}
	// Text form, and the output is never overwritten.
	h := want(t, 1, "repair", dir, "-o", out)
	if !hasErrorLine(h.stderr, "output already exists") {
		t.Fatalf("stderr %q", h.stderr)
	}
	h = want(t, 0, "repair", dir, "-o", filepath.Join(t.TempDir(), "x"))
	if !strings.Contains(h.stdout, "cut at offset 8045 of 30454") || !strings.Contains(h.stdout, "discarded i18n") {
		t.Fatalf("text report:\n%s", h.stdout)
	}
}

// TestRestoreIntoAOFCLI restores into a 7.0.15 AOF directory; the real
// redis-check-aof accepts the output and a real server loads exactly the
// expected libraries and the input's keyspace.
func TestRestoreIntoAOFCLI(t *testing.T) {
	tool := fixtures.RequireTool(t, "redis-check-aof")
	dir := fixtures.Path("redis-7.0.15", "aof-nopreamble")
	in, err := fixtures.StartRedisWith(t, fixtures.Options{AOFDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	inKeys := aofKeyspaceOf(t, in)
	in.Stop()
	out := filepath.Join(t.TempDir(), "appendonlydir")
	payload := fixtures.Path("redis-7.0.15", "dump-wire.bin")
	want(t, 0, "restore", "--into", dir, payload, fixtures.LibPath("sessions.lua"), "--mode", "flush", "-o", out)
	if o, err := exec.Command(tool, filepath.Join(out, "appendonly.aof.manifest")).CombinedOutput(); err != nil {
		t.Fatalf("redis-check-aof: %v\n%s", err, o)
	}
	srv, err := fixtures.StartRedisWith(t, fixtures.Options{AOFDir: out})
	if err != nil {
		t.Fatal(err)
	}
	got := listWithCode(t, srv)
	if strings.Join(names(got), ",") != "sessions,wire" {
		t.Fatalf("server holds %v", names(got))
	}
	if k := aofKeyspaceOf(t, srv); k != inKeys {
		t.Fatalf("keyspace %q, input %q", k, inKeys)
	}
	// APPEND of a library the AOF has: refused with Redis's words, nothing
	// written.
	out2 := filepath.Join(t.TempDir(), "x")
	r := want(t, 1, "restore", "--into", dir, fixtures.LibPath("ratelimit.lua"), "-o", out2)
	if !hasErrorLine(r.stderr, "Library ratelimit already exists") {
		t.Fatalf("stderr %q", r.stderr)
	}
	if _, err := os.Stat(out2); !os.IsNotExist(err) {
		t.Fatal("output written after a refusal")
	}
	// A library whose function names collide with one the AOF has: Redis
	// would refuse the FUNCTION RESTORE (and skip it in an AOF); fnkit
	// refuses to write.
	clash := filepath.Join(t.TempDir(), "clash.lua")
	os.WriteFile(clash, []byte("#!lua name=clash\nredis.register_function('lb_top', function() return 1 end)"), 0o644)
	r = want(t, 1, "restore", "--into", dir, clash, "-o", out2)
	if !hasErrorLine(r.stderr, "Function lb_top already exists") {
		t.Fatalf("stderr %q", r.stderr)
	}
	// Without the check the restore is written, and the real server does
	// what the check said: it skips the FUNCTION RESTORE.
	want(t, 0, "restore", "--into", dir, clash, "--no-function-check", "-o", out2)
	srv2, err := fixtures.StartRedisWith(t, fixtures.Options{AOFDir: out2})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := listWithCode(t, srv2)["clash"]; ok {
		t.Fatal("the real server loaded the clashing library")
	}
}

func aofKeyspaceOf(t *testing.T, r *fixtures.Redis) string {
	info := r.Do(t, "INFO", "keyspace").Str
	var dbs []string
	for _, line := range strings.Split(info, "\n") {
		line = strings.TrimSpace(line)
		if strings.HasPrefix(line, "db") {
			f := strings.Split(line, ",")
			dbs = append(dbs, f[0]+","+f[1])
		}
	}
	sort.Strings(dbs)
	return strings.Join(dbs, " ")
}

// TestInspectAOF shows the layout and the libraries with where they come
// from.
func TestInspectAOF(t *testing.T) {
	dir := fixtures.Path("redis-7.0.15", "aof-preamble")
	r := want(t, 0, "inspect", "--json", dir)
	var rep inspectReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Format != "aof" || rep.AOF == nil || len(rep.AOF.Files) != 2 || len(rep.AOF.History) != 2 || rep.AOF.Files[0].RDBLibraries != 4 {
		t.Fatalf("report %+v", rep.AOF)
	}
	var got []string
	for _, l := range rep.Libraries {
		got = append(got, l.Name+"="+l.SHA1)
		if l.File == "" || l.Offset == nil || l.By == "" {
			t.Fatalf("library without its place: %+v", l)
		}
	}
	if strings.Join(got, ",") != reloadSet(t, "redis-7.0.15", "aof-preamble") {
		t.Fatalf("libraries %v", got)
	}
	h := want(t, 0, "inspect", filepath.Join(dir, "appendonly.aof.manifest"))
	if !strings.Contains(h.stdout, "AOF, multi-part") || !strings.Contains(h.stdout, "not loaded by Redis") {
		t.Fatalf("text:\n%s", h.stdout)
	}
	// The same libraries through a single old-style file (RDB preamble +
	// commands).
	base, _ := os.ReadFile(filepath.Join(dir, "appendonly.aof.2.base.rdb"))
	incr, _ := os.ReadFile(filepath.Join(dir, "appendonly.aof.2.incr.aof"))
	single := filepath.Join(t.TempDir(), "appendonly.aof")
	os.WriteFile(single, append(bytes.Clone(base), incr...), 0o644)
	s := want(t, 0, "inspect", "--json", single)
	var srep inspectReport
	json.Unmarshal([]byte(s.stdout), &srep)
	if srep.AOF == nil || srep.AOF.Layout != "single" || len(srep.Libraries) != len(rep.Libraries) {
		t.Fatalf("single file: %+v", srep.AOF)
	}
}

// TestTimelineCheckFunctions: with --check-functions the replay refuses what
// the Lua engine refuses (a library that does not compile, one that
// registers nothing, a function name another library has), as Redis does;
// a real server loading the same hand-written AOF ends with the same set.
func TestTimelineCheckFunctions(t *testing.T) {
	fixtures.RequireTool(t, "redis-server")
	dir := filepath.Join(t.TempDir(), "appendonlydir")
	os.Mkdir(dir, 0o755)
	var buf bytes.Buffer
	w := aof.NewWriter(&buf)
	lb, _ := os.ReadFile(fixtures.LibPath("leaderboard.lua"))
	w.CommandStrings("FUNCTION", "LOAD", string(lb))
	w.CommandStrings("FUNCTION", "LOAD", "#!lua name=broken\nredis.register_function('x', function() return 1 end")
	w.CommandStrings("FUNCTION", "LOAD", "#!lua name=empty\nlocal x = 1")
	w.CommandStrings("FUNCTION", "LOAD", "#!lua name=clash\nredis.register_function('lb_top', function() return 1 end)")
	w.CommandStrings("FUNCTION", "LOAD", "#!lua name=fine\nredis.register_function('fine', function() return 1 end)")
	w.Flush()
	os.WriteFile(filepath.Join(dir, "appendonly.aof.1.incr.aof"), buf.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "appendonly.aof.manifest"), []byte("file appendonly.aof.1.incr.aof seq 1 type i\n"), 0o644)

	srv, err := fixtures.StartRedisWith(t, fixtures.Options{AOFDir: dir})
	if err != nil {
		t.Fatal(err)
	}
	real := strings.Join(names(listWithCode(t, srv)), ",")

	r := want(t, 0, "timeline", "--json", "--check-functions", dir)
	var rep timelineReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, l := range rep.Libraries {
		got = append(got, l.Name)
	}
	if strings.Join(got, ",") != real {
		t.Fatalf("--check-functions: %v, real server %s", got, real)
	}
	wantErrs := []string{"Error compiling function", "No functions registered", "Function lb_top already exists"}
	for i, e := range rep.Events[1:4] {
		if e.Kind != "failed" || !strings.Contains(e.Error, wantErrs[i]) {
			t.Fatalf("event %d: %+v, want a failure with %q", i+2, e, wantErrs[i])
		}
	}
	// Without the check the replay only knows the library names.
	r = want(t, 0, "timeline", "--json", dir)
	json.Unmarshal([]byte(r.stdout), &rep)
	if len(rep.Libraries) != 5 {
		t.Fatalf("without --check-functions: %v", rep.Libraries)
	}
}
