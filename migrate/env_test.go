package migrate

import (
	"sort"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

func names(m map[string]bool) string {
	var out []string
	for n := range m {
		out = append(out, n)
	}
	sort.Strings(out)
	return strings.Join(out, " ")
}

func union(ms ...map[string]bool) map[string]bool {
	out := map[string]bool{}
	for _, m := range ms {
		for k := range m {
			out[k] = true
		}
	}
	return out
}

// TestEnvironmentsMatchRealServer checks the global and redis.* tables the
// analysis relies on against what a real redis-server lists with pairs() in
// an EVAL script and in a function.
func TestEnvironmentsMatchRealServer(t *testing.T) {
	srv := fixtures.StartRedis(t)
	const listG = "local t={} for k in pairs(_G) do t[#t+1]=k end table.sort(t) return t"
	const listRedis = "local t={} for k in pairs(redis) do t[#t+1]=k end table.sort(t) return t"
	list := func(args ...string) map[string]bool {
		v := srv.Do(t, args...)
		if v.IsError() {
			t.Fatalf("%v: %v", args, v)
		}
		m := map[string]bool{}
		for _, e := range v.Elems {
			m[e.Str] = true
		}
		return m
	}
	lib := "#!lua name=envlist\n" +
		"redis.register_function('g', function() " + listG + " end)\n" +
		"redis.register_function('r', function() " + listRedis + " end)\n"
	if v := srv.Do(t, "FUNCTION", "LOAD", lib); v.IsError() {
		t.Fatal(v)
	}
	fnG, fnRedis := list("FCALL", "g", "0"), list("FCALL", "r", "0")
	evalG, evalRedis := list("EVAL", listG, "0"), list("EVAL", listRedis, "0")
	if got, want := names(functionGlobals), names(fnG); got != want {
		t.Errorf("function globals:\n got %s\nwant %s", got, want)
	}
	if got, want := names(union(functionGlobals, evalOnlyGlobals)), names(evalG); got != want {
		t.Errorf("EVAL globals:\n got %s\nwant %s", got, want)
	}
	if got, want := names(redisMembers), names(fnRedis); got != want {
		t.Errorf("function redis members:\n got %s\nwant %s", got, want)
	}
	if got, want := names(union(redisMembers, redisEvalOnly)), names(evalRedis); got != want {
		t.Errorf("EVAL redis members:\n got %s\nwant %s", got, want)
	}
	for n := range builtinTables {
		if n != "os" && !fnG[n] {
			t.Errorf("built-in table %s is not a global of functions", n)
		}
	}
}

// TestShebangMatchesRealServer sends scripts with a range of shebangs to a
// real server's EVAL and checks that ParseShebang accepts exactly the ones
// Redis accepts, with Redis's error text for the others.
func TestShebangMatchesRealServer(t *testing.T) {
	srv := fixtures.StartRedis(t)
	c := srv.Conn(t)
	shebangs := []string{
		"#!lua", "#!lua ", "#!lua\r", "#!lua flags=no-writes", "#!lua  flags=no-writes,allow-oom",
		"#!lua flags=", "#!lua flags=no-writes,", "#!lua flags=NO-WRITES", "#!lua Flags=no-writes",
		"#!lua flags=no-writes flags=allow-stale", "#!lua flags=allow-oom,allow-stale,no-cluster,allow-cross-slot-keys",
		"#!lua flags=no-writes,no-writes", "#!Lua", "#!LUA flags=no-writes", "#! lua", "#!", "#!python",
		"#!lua name=x", "#!lua flags=read-only", `#!lua "flags=no-writes"`, `#!lua flags="no-writes"`,
		`#!lua "unbalanced`, "#!lua flags=no-writes\t", "#!lua\tflags=allow-oom", "#!lua flags=no-cluster extra",
	}
	for _, sb := range shebangs {
		for _, tail := range []string{"\nreturn 1", ""} {
			src := sb + tail
			v, err := c.Do("EVAL", src, "0")
			if err != nil {
				t.Fatal(err)
			}
			_, perr := ParseShebang(src)
			switch {
			case v.IsError() && perr == nil:
				t.Errorf("%q: Redis refuses (%s), ParseShebang accepts", src, v.Str)
			case !v.IsError() && perr != nil:
				t.Errorf("%q: Redis accepts, ParseShebang refuses: %v", src, perr)
			case perr != nil && v.Str != "ERR "+perr.Error():
				t.Errorf("%q: Redis says %q, ParseShebang %q", src, v.Str, perr.Error())
			}
		}
	}
	// Accepted flags are the function flags: check by loading them.
	sb, err := ParseShebang("#!lua flags=allow-cross-slot-keys,no-writes,allow-oom\n")
	if err != nil || strings.Join(sb.Flags, ",") != "no-writes,allow-oom,allow-cross-slot-keys" {
		t.Errorf("flags %v %v", sb.Flags, err)
	}
}
