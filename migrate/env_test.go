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
