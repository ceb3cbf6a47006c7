package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

const scriptsDir = "../../migrate/testdata/scripts"

func TestMigrateCLI(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "locks.lua")
	acquire := filepath.Join(scriptsDir, "lock_acquire.lua")
	release := filepath.Join(scriptsDir, "lock_release.lua")
	top := filepath.Join(scriptsDir, "leaderboard_top_n.lua")
	legacy := filepath.Join(scriptsDir, "legacy_counter.lua")
	r := want(t, 0, "migrate", acquire, release, top, legacy, "--library", "locks", "-o", out)
	for _, s := range []string{"wrote " + out + ": library locks, 4 function(s), 1 warning(s) above", "lock_acquire", "leaderboard_top_n  no-writes"} {
		if !strings.Contains(r.stdout, s) {
			t.Errorf("stdout lacks %q:\n%s", s, r.stdout)
		}
	}
	if !strings.Contains(r.stderr, "legacy_counter.lua:2:1: warning: redis.replicate_commands") {
		t.Errorf("stderr lacks the warning:\n%s", r.stderr)
	}
	code, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	srv := fixtures.StartRedis(t)
	if v := srv.Do(t, "FUNCTION", "LOAD", string(code)); v.IsError() || v.Str != "locks" {
		t.Fatalf("real server: %v", v)
	}
	if v := srv.Do(t, "FCALL", "lock_acquire", "1", "lock:1", "me", "10000"); v.Int != 1 {
		t.Errorf("FCALL lock_acquire: %v", v)
	}
	if v := srv.Do(t, "FCALL", "lock_release", "1", "lock:1", "me"); v.Int != 1 {
		t.Errorf("FCALL lock_release: %v", v)
	}
	if v := srv.Do(t, "FCALL_RO", "leaderboard_top_n", "1", "lb", "3"); v.IsError() {
		t.Errorf("FCALL_RO leaderboard_top_n: %v", v)
	}

	// --function, and -o - to standard output.
	r = want(t, 0, "migrate", release, "--library", "one", "--function", "unlock", "-o", "-")
	if !strings.HasPrefix(r.stdout, "#!lua name=one\nredis.register_function('unlock', function(keys, args)") {
		t.Errorf("stdout:\n%s", r.stdout)
	}
	if !strings.Contains(r.stderr, "wrote the library to standard output") {
		t.Errorf("stderr:\n%s", r.stderr)
	}

	// JSON report.
	r = want(t, 0, "migrate", top, "--library", "lb", "-o", filepath.Join(dir, "lb.lua"), "--json")
	var rep struct {
		Written   bool `json:"written"`
		Verified  bool `json:"verified"`
		Functions []struct {
			Name       string   `json:"name"`
			Flags      []string `json:"flags"`
			FlagsFrom  string   `json:"flags_from"`
			LineOffset int      `json:"line_offset"`
		} `json:"functions"`
		Findings []json.RawMessage `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if !rep.Written || !rep.Verified || len(rep.Functions) != 1 || rep.Functions[0].FlagsFrom != "shebang" ||
		strings.Join(rep.Functions[0].Flags, ",") != "no-writes" || rep.Functions[0].LineOffset != 0 || rep.Findings == nil {
		t.Errorf("report: %+v", rep)
	}
}

func TestMigrateCLIUnsafe(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "x.lua")
	bad := "../../migrate/testdata/unsafe/global_read.lua"
	r := want(t, 1, "migrate", filepath.Join(scriptsDir, "lock_release.lua"), bad, "--library", "x", "-o", out)
	if !strings.Contains(r.stderr, bad+":3:15: error: reads the undefined global variable 'default_limit'") ||
		!strings.Contains(r.stderr, "nothing written") {
		t.Errorf("stderr:\n%s", r.stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("output written despite errors: %v", err)
	}
	r = want(t, 1, "migrate", bad, "--library", "x", "-o", out, "--json")
	var rep struct {
		Written  bool   `json:"written"`
		Error    string `json:"error"`
		Findings []struct {
			File     string `json:"file"`
			Line     int    `json:"line"`
			Severity string `json:"severity"`
			Code     string `json:"code"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("%v\n%s", err, r.stdout)
	}
	if rep.Written || rep.Error == "" || len(rep.Findings) != 1 || rep.Findings[0].Line != 3 || rep.Findings[0].Code != "global-read" || rep.Findings[0].File != bad {
		t.Errorf("report: %+v", rep)
	}
}

func TestMigrateCLIUsage(t *testing.T) {
	dir := t.TempDir()
	s := filepath.Join(scriptsDir, "lock_release.lua")
	want(t, 2, "migrate", s, "-o", filepath.Join(dir, "a.lua"))
	want(t, 2, "migrate", s, "--library", "x")
	want(t, 2, "migrate", "--library", "x", "-o", filepath.Join(dir, "a.lua"))
	want(t, 2, "migrate", s, s, "--library", "x", "--function", "f", "-o", filepath.Join(dir, "a.lua"))
	want(t, 2, "migrate", s, "--library", "x", "--json", "-o", "-")
	r := want(t, 1, "migrate", filepath.Join(dir, "missing.lua"), "--library", "x", "-o", filepath.Join(dir, "a.lua"))
	if !strings.Contains(r.stderr, "missing.lua") {
		t.Errorf("stderr: %s", r.stderr)
	}
	// The output may not replace an input.
	cp := filepath.Join(dir, "in.lua")
	src, _ := os.ReadFile(s)
	if err := os.WriteFile(cp, src, 0o644); err != nil {
		t.Fatal(err)
	}
	want(t, 1, "migrate", cp, "--library", "x", "-o", cp)
	if got, _ := os.ReadFile(cp); string(got) != string(src) {
		t.Error("input overwritten")
	}
	// An invalid library name is a bad flag value (exit 2), in Redis's words.
	r = want(t, 2, "migrate", s, "--library", "bad-name", "-o", filepath.Join(dir, "a.lua"))
	if !strings.Contains(r.stderr, "Library names can only contain letters, numbers, or underscores(_)") {
		t.Errorf("stderr: %s", r.stderr)
	}
	r = want(t, 0, "migrate", "--help")
	if !strings.Contains(r.stdout, "fnkit migrate scripts/lock_acquire.lua") {
		t.Errorf("help lacks the example:\n%s", r.stdout)
	}
}
