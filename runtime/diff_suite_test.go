package runtime_test

import "testing"

// Cases from Redis 7.0.15's own test suite (tests/unit/scripting.tcl,
// run against fnkit by bench/redis-tests.sh) where fnkit once answered
// differently, compared here with the real server.
func TestDiffRedisSuite(t *testing.T) {
	runCases(t, []dcase{
		{name: "Binary code loading failed", cmds: [][]string{
			{"EVAL", "return loadstring(string.dump(function() return 1 end))()", "0"},
			{"EVAL", "return {pcall(function() return loadstring(string.dump(function() return 1 end))() end)}", "0"},
			{"EVAL", "local f, e = loadstring(string.dump(function() return 1 end)) return {type(f), e}", "0"},
			{"EVAL", "local s = string.dump(function() return 1 end) return {type(s), string.byte(s, 1, 12)}", "0"},
			{"EVAL", "return string.dump(string.len)", "0"},
			{"EVAL", "return string.dump(1)", "0"},
			{"FUNCTION", "LOAD", "REPLACE", "#!lua name=dumplib\nredis.register_function('dumpit', function() return loadstring(string.dump(function() return 1 end))() end)"},
			{"FCALL", "dumpit", "0"},
		}},
	})
}
