package runtime_test

import (
	"testing"
)

// Differential tests of SORT and SORT_RO against a real redis-server
// 7.0.15: every option, orderings, lookups through patterns and hash
// fields, STORE, errors, and calls from functions and scripts.

// sortData is a keyspace to sort: lists, sets, a sorted set, and the
// strings and hashes BY and GET patterns reach.
var sortData = [][]string{
	cmd("RPUSH", "l", "3", "1", "2", "10", "-5", "2.5"),
	cmd("RPUSH", "w", "b", "a", "c", "B", "10", "2"),
	cmd("SADD", "s", "5", "3", "9", "1"),
	cmd("SADD", "sa", "x", "b", "a"),
	cmd("ZADD", "z", "1", "c", "2", "a", "3", "b"),
	cmd("MSET", "w_1", "30", "w_2", "20", "w_3", "10", "w_10", "5", "w_-5", "100", "w_2.5", "7"),
	cmd("HSET", "h_1", "f", "30", "g", "one"), cmd("HSET", "h_2", "f", "20", "g", "two"), cmd("HSET", "h_3", "f", "10", "g", "three"),
	cmd("HSET", "h_10", "f", "5", "g", "ten"), cmd("HSET", "h_-5", "f", "100", "g", "minus five"), cmd("HSET", "h_2.5", "f", "7", "g", "two and a half"),
	cmd("SET", "h_1x", "string, not a hash"), cmd("HSET", "w_x", "f", "hash, not a string"), cmd("RPUSH", "lx", "1", "x"),
	cmd("RPUSH", "floats", "1.5", "-0.5", "1e3", "+2", " 4", "0x10", ".25", "inf", "-inf", "", "7"),
}

func TestDiffSort(t *testing.T) {
	with := func(cmds ...[]string) [][]string { return append(append([][]string{}, sortData...), cmds...) }
	var cases []dcase
	cases = append(cases, inBothProtocols(
		dcase{name: "numeric and alpha", setup: sortData, cmds: [][]string{
			cmd("SORT", "l"), cmd("SORT", "l", "DESC"), cmd("SORT", "l", "ASC"), cmd("SORT", "w", "ALPHA"), cmd("SORT", "w", "alpha", "desc"),
			cmd("SORT", "s"), cmd("SORT", "sa", "ALPHA"), cmd("SORT", "z"), cmd("SORT", "z", "ALPHA", "DESC"),
			cmd("SORT", "floats"), cmd("SORT", "floats", "DESC"), cmd("SORT_RO", "l"),
		}},
		dcase{name: "limit", setup: sortData, cmds: [][]string{
			cmd("SORT", "l", "LIMIT", "1", "2"), cmd("SORT", "l", "LIMIT", "-1", "2"), cmd("SORT", "l", "LIMIT", "2", "-1"),
			cmd("SORT", "l", "LIMIT", "10", "2"), cmd("SORT", "l", "LIMIT", "0", "0"), cmd("SORT", "l", "LIMIT", "5", "100"),
			cmd("SORT", "w", "ALPHA", "DESC", "LIMIT", "1", "3"), cmd("SORT", "l", "LIMIT", "0", "2", "LIMIT", "3", "1"),
		}},
		dcase{name: "by nosort", setup: sortData, cmds: [][]string{
			cmd("SORT", "l", "BY", "nosort"), cmd("SORT", "l", "BY", "nosort", "DESC"), cmd("SORT", "l", "BY", "nosort", "LIMIT", "1", "2"),
			cmd("SORT", "l", "BY", "nosort", "DESC", "LIMIT", "1", "2"), cmd("SORT", "l", "BY", "nosort", "LIMIT", "9", "2"),
			cmd("SORT", "z", "BY", "nosort"), cmd("SORT", "z", "BY", "nosort", "DESC"), cmd("SORT", "z", "BY", "nosort", "LIMIT", "1", "1"),
			cmd("SORT", "z", "BY", "nosort", "DESC", "LIMIT", "1", "5"), cmd("SORT", "s", "BY", "nosort"), cmd("SORT", "l", "BY", "nosort", "ALPHA"),
			cmd("SORT", "l", "BY", "nosort", "GET", "#", "GET", "w_*"), cmd("LRANGE", "l", "0", "-1"),
		}},
		dcase{name: "by patterns", setup: sortData, cmds: [][]string{
			cmd("SORT", "l", "BY", "w_*"), cmd("SORT", "l", "BY", "w_*", "DESC"), cmd("SORT", "l", "BY", "h_*->f"),
			cmd("SORT", "l", "BY", "h_*->g", "ALPHA"), cmd("SORT", "l", "BY", "h_*->g", "ALPHA", "DESC", "LIMIT", "1", "2"),
			cmd("SORT", "l", "BY", "missing_*"), cmd("SORT", "l", "BY", "missing_*", "ALPHA"), cmd("SORT", "l", "BY", "h_*->nofield"),
			cmd("SORT", "l", "BY", "h_*x"), cmd("SORT", "l", "BY", "w_*->f"), cmd("SORT", "z", "BY", "w_*"),
			cmd("SORT", "l", "BY", "w_*", "LIMIT", "1", "3"), cmd("SORT", "l", "BY", "h_*->"),
		}},
		dcase{name: "get", setup: sortData, cmds: [][]string{
			cmd("SORT", "l", "BY", "w_*", "GET", "#", "GET", "w_*", "GET", "h_*->g", "GET", "nokey_*", "GET", "nofield", "GET", "h_*->"),
			cmd("SORT", "l", "GET", "h_*x->f"), cmd("SORT", "l", "GET", "w_*->f", "GET", "h_*x"), cmd("SORT", "l", "GET", "#", "LIMIT", "0", "2"),
			cmd("SORT", "sa", "ALPHA", "GET", "#"), cmd("SORT", "l", "BY", "h_*->f", "GET", "w_*", "DESC", "LIMIT", "0", "3", "ALPHA"),
			cmd("SORT_RO", "l", "BY", "w_*", "GET", "#", "GET", "h_*->g"),
		}},
		dcase{name: "store", setup: with(cmd("SET", "dst", "old", "EX", "100")), cmds: [][]string{
			cmd("SORT", "l", "STORE", "dst"), cmd("TYPE", "dst"), cmd("TTL", "dst"), cmd("LRANGE", "dst", "0", "-1"),
			cmd("SORT", "l", "GET", "#", "GET", "nokey_*", "STORE", "dst"), cmd("LRANGE", "dst", "0", "-1"),
			cmd("SORT", "s", "BY", "nosort", "STORE", "dst"), cmd("LRANGE", "dst", "0", "-1"),
			cmd("SORT", "l", "LIMIT", "0", "0", "STORE", "dst"), cmd("EXISTS", "dst"),
			cmd("SORT", "nokey", "STORE", "dst"), cmd("SORT", "l", "STORE", "l"), cmd("LRANGE", "l", "0", "-1"),
			cmd("SORT", "w", "ALPHA", "STORE", "d1", "STORE", "d2"), cmd("EXISTS", "d1", "d2"),
		}},
		dcase{name: "errors", setup: sortData, cmds: [][]string{
			cmd("SORT", "nokey"), cmd("SORT", "w_1"), cmd("SORT", "h_1"), cmd("SORT", "w"), cmd("SORT", "lx"),
			cmd("SORT", "lx", "STORE", "dst"), cmd("EXISTS", "dst"), cmd("SORT", "lx", "ALPHA"), cmd("SORT", "l", "BY", "h_*->g"),
			cmd("SORT", "l", "LIMIT", "x", "1"), cmd("SORT", "l", "LIMIT", "1"), cmd("SORT", "l", "LIMIT", "1", "1.5"),
			cmd("SORT", "l", "foo"), cmd("SORT", "l", "STORE"), cmd("SORT", "l", "BY"), cmd("SORT", "l", "GET"),
			cmd("SORT_RO", "l", "STORE", "x"), cmd("SORT", "w_1", "foo"), cmd("SORT", "w_1", "LIMIT", "a", "b"),
			cmd("SORT"), cmd("SORT_RO"),
		}},
	)...)
	cases = append(cases,
		dcase{name: "set by nosort", setup: with(cmd("SADD", "big", "a", "b", "c", "d", "e", "f")), unordered: true, cmds: [][]string{cmd("SORT", "big", "BY", "nosort")}},
		dcase{name: "in a function", setup: with(
			load(lib("sorts", `
redis.register_function('sort_w', function(keys, args) return redis.call('SORT', keys[1], unpack(args)) end)
redis.register_function{function_name='sort_r', callback=function(keys, args) return redis.call('SORT_RO', keys[1], unpack(args)) end, flags={'no-writes'}}
redis.register_function{function_name='sort_rw', callback=function(keys, args) return redis.call('SORT', keys[1], unpack(args)) end, flags={'no-writes'}}`)),
			cmd("SADD", "big", "a", "b", "c", "d", "e", "f")), cmds: [][]string{
			cmd("FCALL", "sort_w", "1", "l"), cmd("FCALL", "sort_w", "1", "big", "BY", "nosort"), cmd("FCALL", "sort_w", "1", "s", "BY", "nosort", "DESC"),
			cmd("FCALL", "sort_w", "1", "l", "BY", "w_*", "GET", "#", "GET", "h_*->g"), cmd("FCALL", "sort_w", "1", "l", "STORE", "dst"),
			cmd("LRANGE", "dst", "0", "-1"), cmd("FCALL", "sort_w", "1", "lx"), cmd("FCALL", "sort_w", "1", "l", "bogus"),
			cmd("FCALL_RO", "sort_r", "1", "l", "DESC"), cmd("FCALL_RO", "sort_r", "1", "big", "BY", "nosort"),
			cmd("FCALL", "sort_rw", "1", "l"), cmd("FCALL", "sort_rw", "1", "l", "STORE", "dst"),
		}},
		dcase{name: "in a script", setup: with(cmd("SADD", "big", "a", "b", "c", "d", "e", "f")), cmds: [][]string{
			cmd("EVAL", "return redis.call('SORT', KEYS[1], 'BY', 'nosort')", "1", "big"),
			cmd("EVAL_RO", "return redis.call('SORT', KEYS[1], 'STORE', KEYS[2])", "2", "l", "dst"),
			cmd("EVAL_RO", "return redis.call('SORT', KEYS[1], 'DESC')", "1", "l"),
		}},
		dcase{name: "acl", setup: with(cmd("ACL", "SETUSER", "lim", "on", "nopass", "~l", "~w_*", "+@all"), cmd("ACL", "SETUSER", "all", "on", "nopass", "allkeys", "+@all")), cmds: [][]string{
			cmd("AUTH", "lim", "x"), cmd("SORT", "l"), cmd("SORT", "l", "BY", "w_*"), cmd("SORT", "l", "GET", "#"), cmd("SORT", "l", "BY", "nosort"),
			cmd("AUTH", "all", "x"), cmd("SORT", "l", "BY", "w_*", "GET", "#"), cmd("AUTH", "default", "x"), cmd("ACL", "DELUSER", "lim", "all"),
		}},
		dcase{name: "in a transaction", setup: sortData, cmds: [][]string{
			cmd("MULTI"), cmd("SORT", "l", "STORE", "dst"), cmd("SORT", "dst", "DESC"), cmd("SORT", "lx"), cmd("EXEC"),
		}},
	)
	runCases(t, cases)
}

// Redis 7.0.15's SORT does not clear errno before strtod: once a score
// overflows (ERANGE), every later non-integer score fails on that server
// until something resets errno. fnkit judges each score by itself, so the
// overflow cases run on a server of their own, and last.
func TestDiffSortRange(t *testing.T) {
	runCases(t, []dcase{
		{name: "overflow and underflow", setup: [][]string{cmd("RPUSH", "a", "1", "1e400"), cmd("RPUSH", "b", "1", "-1e400"), cmd("RPUSH", "c", "1", "1e-400"), cmd("RPUSH", "d", "1", "4e-320")}, cmds: [][]string{
			cmd("SORT", "a"), cmd("SORT", "b"), cmd("SORT", "c"), cmd("SORT", "d"), cmd("SORT", "a", "ALPHA"),
		}},
	})
}
