package migrate_test

import (
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/migrate"
)

func TestFunctionName(t *testing.T) {
	for in, want := range map[string]string{
		"scripts/rate-limit.lua":  "rate_limit",
		"lock.release.lua":        "lock_release",
		"/abs/path/Top_N.LUA":     "Top_N",
		"noext":                   "noext",
		".lua":                    "_lua",
		"dir/héllo wörld.lua":     "h__llo_w__rld",
		"scripts/":                "scripts",
		"a/b/c/2fa_check.tar.lua": "2fa_check_tar",
	} {
		if got := migrate.FunctionName(in); got != want {
			t.Errorf("FunctionName(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNames(t *testing.T) {
	one := []migrate.Script{{Path: "a.lua", Source: "return 1"}}
	if _, err := migrate.Migrate("bad-name", one); !errors.Is(err, migrate.ErrName) || !strings.Contains(err.Error(), "Library names can only contain") {
		t.Errorf("bad library name: %v", err)
	}
	if _, err := migrate.Migrate("lib", nil); !errors.Is(err, migrate.ErrName) {
		t.Errorf("no scripts: %v", err)
	}
	res, err := migrate.Migrate("lib", []migrate.Script{{Path: "x/Get.lua", Source: "return 1"}, {Path: "y/get.lua", Source: "return 2"}})
	if !errors.Is(err, migrate.ErrUnsafe) || len(res.Errors()) != 1 || res.Errors()[0].Code != migrate.CodeName || res.Errors()[0].File != "y/get.lua" {
		t.Errorf("duplicate function names: %v %v", err, res.Findings)
	}
	res, err = migrate.Migrate("lib", []migrate.Script{{Path: "x/get.lua", Source: "return 1", Function: "my-fn"}})
	if !errors.Is(err, migrate.ErrUnsafe) || len(res.Errors()) != 1 || res.Errors()[0].Code != migrate.CodeName {
		t.Errorf("invalid --function: %v %v", err, res.Findings)
	}
	res, err = migrate.Migrate("lib", []migrate.Script{{Path: "x/get.lua", Source: "return 1", Function: "fetch"}})
	if err != nil || res.Functions[0].Name != "fetch" || !strings.Contains(res.Code, "function_name='fetch'") {
		t.Errorf("--function: %v\n%s", err, res.Code)
	}
}

func TestFlags(t *testing.T) {
	for _, tc := range []struct {
		src, flags, from string
	}{
		{"return redis.call('GET', KEYS[1])", "no-writes", "read-only"},
		{"return redis.call('object', 'encoding', KEYS[1])", "no-writes", "read-only"},
		{"return redis.call('OBJECT', ARGV[1], KEYS[1])", "", "none"},
		{"return 42", "no-writes", "read-only"},
		{"return redis.call('SET', KEYS[1], 1)", "", "none"},
		{"return redis.pcall('PUBLISH', 'ch', 'x')", "", "none"}, // may-replicate: refused by no-writes
		{"return redis.call('PFCOUNT', KEYS[1])", "", "none"},    // may-replicate too
		{"return redis.call(ARGV[1], KEYS[1])", "", "none"},
		{"local c = redis.call return c('GET', 'x')", "", "none"},
		{"#!lua\nreturn redis.call('GET', KEYS[1])", "", "shebang"},
		{"#!lua flags=allow-oom,no-writes\nreturn 1", "no-writes,allow-oom", "shebang"},
		{"#!lua flags=\nreturn 1", "", "shebang"},
	} {
		res, err := migrate.Migrate("lib", []migrate.Script{{Path: "f.lua", Source: tc.src}})
		if err != nil {
			t.Errorf("%q: %v", tc.src, err)
			continue
		}
		f := res.Functions[0]
		if strings.Join(f.Flags, ",") != tc.flags || f.FlagsFrom != tc.from {
			t.Errorf("%q: flags %v from %s, want %q from %s", tc.src, f.Flags, f.FlagsFrom, tc.flags, tc.from)
		}
	}
}

// TestFlagsOnRealServer checks the read-only classification of commands
// that COMMAND does not describe fully against the real server: each script
// is run through EVAL_RO (a compatibility-mode script refuses writes and
// may-replicate commands exactly like a no-writes function) and must be
// refused exactly when the migrator did not give no-writes.
func TestFlagsOnRealServer(t *testing.T) {
	srv := fixtures.StartRedis(t)
	for _, src := range []string{
		"return redis.pcall('PUBLISH', 'ch', 'x')",
		"return redis.pcall('PFCOUNT', 'k')",
		"return redis.pcall('SPUBLISH', 'ch', 'x')",
		"return redis.pcall('GET', 'k')",
		"return redis.pcall('OBJECT', 'FREQ', 'k')",
		"return redis.pcall('XINFO', 'STREAM', 'k')",
		"return redis.pcall('TOUCH', 'k')",
		"return redis.pcall('PFADD', 'k', 'x')",
		"return redis.pcall('SORT', 'k')",
		"return redis.pcall('SORT_RO', 'k')",
		"return redis.pcall('EXPIRETIME', 'k')",
		"return redis.pcall('LCS', 'a', 'b')",
	} {
		res, err := migrate.Migrate("lib", []migrate.Script{{Path: "f.lua", Source: src}})
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		ro := len(res.Functions[0].Flags) == 1
		v := srv.Do(t, "EVAL_RO", src, "0")
		refused := v.IsError() && strings.Contains(v.Str, "Write commands are not allowed from read-only scripts")
		if ro == refused {
			t.Errorf("%q: migrator no-writes=%v, real EVAL_RO says %v", src, ro, v)
		}
	}
}

// TestSingleScriptLines migrates one script at a time and checks on a real
// server that the line an error names is exactly the script's line for a
// script with a shebang (offset 0) and the next line for one without.
func TestSingleScriptLines(t *testing.T) {
	srv := fixtures.StartRedis(t)
	lineRe := regexp.MustCompile(`@user_(?:script|function):(\d+)\.$`)
	for _, tc := range []struct {
		src    string
		offset int
	}{
		{"#!lua\nlocal x = 1\nreturn x + ARGV[1]\n", 0},
		{"local x = 1\n\nreturn x + ARGV[1]\n", 1},
		{"#!lua flags=no-writes\n\n\nerror('boom')", 0},
	} {
		res, err := migrate.Migrate("single", []migrate.Script{{Path: "f.lua", Source: tc.src}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Functions[0].LineOffset != tc.offset {
			t.Errorf("%q: offset %d, want %d", tc.src, res.Functions[0].LineOffset, tc.offset)
		}
		if v := srv.Do(t, "FUNCTION", "LOAD", "REPLACE", res.Code); v.IsError() {
			t.Fatal(v)
		}
		ev := srv.Do(t, "EVAL", tc.src, "0", "x")
		fv := srv.Do(t, "FCALL", "f", "0", "x")
		em, fm := lineRe.FindStringSubmatch(ev.Str), lineRe.FindStringSubmatch(fv.Str)
		if em == nil || fm == nil {
			t.Fatalf("%q: EVAL %v, FCALL %v", tc.src, ev, fv)
		}
		if tc.offset == 0 && em[1] != fm[1] {
			t.Errorf("%q: EVAL line %s, FCALL line %s", tc.src, em[1], fm[1])
		}
	}
}

func TestFindingString(t *testing.T) {
	f := migrate.Finding{File: "a.lua", Line: 3, Column: 7, Severity: migrate.SeverityError, Code: migrate.CodeGlobalWrite, Message: "m"}
	if got := f.String(); got != "a.lua:3:7: error: m [global-write]" {
		t.Error(got)
	}
	f.Line, f.Column = 0, 0
	if got := f.String(); got != "a.lua: error: m [global-write]" {
		t.Error(got)
	}
}

func TestParseErrorPosition(t *testing.T) {
	a := migrate.Analyze("p.lua", "local a = 1\nlocal b = = 2\n")
	if len(a.Findings) != 1 || a.Findings[0].Code != migrate.CodeParse || a.Findings[0].Line != 2 {
		t.Errorf("%v", a.Findings)
	}
}

// TestVerify loads migrated libraries in fnkit's runtime, and checks that a
// library the runtime refuses gets exactly the error a real redis-server
// gives to FUNCTION LOAD.
func TestVerify(t *testing.T) {
	res, err := migrate.Migrate("v", []migrate.Script{
		{Path: "a.lua", Source: "return redis.call('GET', KEYS[1])"},
		{Path: "b.lua", Source: "#!lua flags=allow-oom,no-cluster\nreturn redis.call('SET', KEYS[1], ARGV[1])"},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := res.Verify(); err != nil {
		t.Fatalf("Verify: %v", err)
	}
	srv := fixtures.StartRedis(t)
	for _, code := range []string{
		"#!lua name=v\nredis.register_function('f', 1)\n",
		"#!lua name=v\nredis.register_function('f', function() return 1 end)\nlocal x = = 1\n",
		"#!lua name=v\nlocal x = 1\n",
		"#!lua name=v\nredis.register_function{function_name='f', callback=function() end, flags={'no-writes', 'bogus'}}\n",
		"#!lua name=v\nredis.call('SET', 'k', 'v')\n",
	} {
		bad := &migrate.Result{Library: "v", Code: code}
		err := bad.Verify()
		want := srv.Do(t, "FUNCTION", "LOAD", "REPLACE", code)
		if !want.IsError() {
			t.Fatalf("real server accepts %q", code)
		}
		if !errors.Is(err, migrate.ErrLoad) || !strings.HasSuffix(err.Error(), ": -"+want.Str) {
			t.Errorf("%q: Verify says %v, real server -%s", code, err, want.Str)
		}
	}
}
