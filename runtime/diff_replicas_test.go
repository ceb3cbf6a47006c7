package runtime_test

import "testing"

// min-replicas-to-write without replicas: every write is refused with
// NOREPLICAS, up front for write commands, functions and flagged scripts
// that may write, transactions that queued one, and inside compatibility-
// mode scripts at their first write (Redis's suite: "not enough good
// replicas").
func TestDiffMinReplicas(t *testing.T) {
	setup := [][]string{
		cmd("SET", "x", "some value"),
		load(lib("rep", "redis.register_function('w', function(k, a) return redis.call('set', k[1], a[1]) end)\n"+
			"redis.register_function{function_name='r', callback=function(k) return redis.call('get', k[1]) end, flags={'no-writes'}}\n"+
			"redis.register_function{function_name='g', callback=function(k) return redis.call('get', k[1]) end}")),
		cmd("CONFIG", "SET", "min-replicas-to-write", "1"),
	}
	cmds := [][]string{
		{"CONFIG", "GET", "min-replicas-to-write"}, {"CONFIG", "GET", "min-slaves-to-write"}, {"CONFIG", "GET", "min-replicas-max-lag"},
		eval("#!lua flags=no-writes\nreturn redis.call('get','x')", "1", "x"),
		eval("return redis.call('get','x')", "1", "x"),
		eval("#!lua\nreturn redis.call('get','x')", "1", "x"),
		eval("return redis.call('set','x', 1)", "1", "x"),
		eval("return redis.pcall('set','x', 1)", "1", "x"),
		eval("return redis.call('del','x')", "1", "x"),
		{"EVAL_RO", "return redis.call('get','x')", "1", "x"},
		{"FCALL", "w", "1", "x", "v"}, {"FCALL", "r", "1", "x"}, {"FCALL", "g", "1", "x"}, {"FCALL_RO", "r", "1", "x"}, {"FCALL_RO", "g", "1", "x"},
		{"FCALL", "nosuch", "0"},
		{"SET", "x", "1"}, {"GET", "x"}, {"INCR", "n"}, {"DEL", "x"}, {"PING"},
		{"MULTI"}, {"GET", "x"}, {"SET", "x", "2"}, {"EXEC"},
		{"MULTI"}, {"GET", "x"}, {"FCALL", "r", "1", "x"}, {"EXEC"},
		{"CONFIG", "SET", "min-replicas-max-lag", "0"},
		{"SET", "x", "3"}, {"FCALL", "w", "1", "x", "v"},
		{"CONFIG", "SET", "min-replicas-max-lag", "10"},
		{"CONFIG", "SET", "min-replicas-to-write", "-1"}, {"CONFIG", "SET", "min-replicas-to-write", "x"},
		{"CONFIG", "SET", "min-slaves-to-write", "2147483648"},
		{"CONFIG", "SET", "min-slaves-to-write", "0"},
		{"SET", "x", "4"},
	}
	runCases(t, []dcase{
		{name: "resp2", setup: setup, cmds: cmds},
		{name: "resp3", resp3: true, setup: setup, cmds: cmds},
	})
}
