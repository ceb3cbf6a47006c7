package runtime_test

import "testing"

// Keyspace commands functions commonly use, from a function and directly.
func TestDiffKeyspace(t *testing.T) {
	setup := [][]string{
		cmd("SET", "s", "10"), cmd("HSET", "h", "a", "1", "b", "2"), cmd("RPUSH", "l", "x", "y", "z"),
		cmd("SADD", "set", "m1"), cmd("ZADD", "z", "1", "a", "2.5", "b"), cmd("XADD", "st", "1-1", "f", "v"),
		load(fn1("run", "return redis.call(unpack(args))")),
	}
	cmds := [][]string{
		{"INCRBYFLOAT", "s", "0.5"}, {"INCRBY", "s", "x"}, {"INCR", "h"}, {"GETSET", "s", "1"}, {"GETDEL", "s"},
		{"HINCRBY", "h", "a", "5"}, {"HINCRBYFLOAT", "h", "a", "1.5"}, {"HMGET", "h", "a", "nope"}, {"HEXISTS", "h", "b"}, {"HLEN", "h"},
		{"LPOP", "l"}, {"RPOP", "l", "2"}, {"LLEN", "l"}, {"LINDEX", "l", "0"}, {"LPOS", "l", "x"},
		{"SISMEMBER", "set", "m1"}, {"SCARD", "set"}, {"SREM", "set", "m1", "m2"},
		{"ZSCORE", "z", "a"}, {"ZINCRBY", "z", "1", "a"}, {"ZRANK", "z", "b"}, {"ZCARD", "z"}, {"ZRANGEBYSCORE", "z", "-inf", "+inf", "WITHSCORES"}, {"ZREM", "z", "a"},
		{"XLEN", "st"}, {"XRANGE", "st", "-", "+"}, {"TYPE", "st"},
		{"EXPIRE", "h", "100"}, {"TTL", "h"}, {"PERSIST", "h"}, {"TTL", "h"}, {"EXISTS", "h", "l", "nope"},
		{"SETNX", "n", "1"}, {"SET", "n", "2", "NX"}, {"SET", "n", "3", "XX", "GET"}, {"STRLEN", "n"}, {"APPEND", "n", "abc"}, {"GETRANGE", "n", "0", "1"},
		{"XGROUP", "CREATE", "st", "g", "0", "ENTRIESREAD", "-2"}, {"XGROUP", "CREATE", "st", "g", "0", "ENTRIESREAD", "x"},
		{"XGROUP", "CREATE", "st", "g", "0", "FOO"}, {"XGROUP", "CREATE", "st", "g", "0", "ENTRIESREAD"}, {"XGROUP", "CREATE", "st", "g", "0", "ENTRIESREAD", "5"},
		{"XGROUP", "CREATE", "st2", "g", "$", "MKSTREAM", "ENTRIESREAD", "-1"},
		{"XINFO", "GROUPS", "st2"}, {"XSETID", "st", "0-1"}, {"XSETID", "st", "5-0", "ENTRIESADDED", "10", "MAXDELETEDID", "2-0"}, {"XSETID", "st", "5-0", "MAXDELETEDID", "6-0"},
		{"XSETID", "nope", "1-0"}, {"XSETID", "s", "1-0"}, {"XADD", "st", "5-1", "f", "v"},
		{"MSET", "m1", "1", "m2", "2"}, {"MGET", "m1", "m2", "m3"}, {"DEL", "m1", "m2", "m3"}, {"UNLINK", "n"},
	}
	var cases []dcase
	for _, resp3 := range []bool{false, true} {
		p := "resp2 "
		if resp3 {
			p = "resp3 "
		}
		var direct, viaFn [][]string
		for _, c := range cmds {
			direct = append(direct, c)
			viaFn = append(viaFn, append([]string{"FCALL", "run", "0"}, c...))
		}
		cases = append(cases,
			dcase{name: p + "direct", resp3: resp3, setup: setup, cmds: direct},
			dcase{name: p + "from a function", resp3: resp3, setup: setup, cmds: viaFn},
		)
	}
	runCases(t, cases)
}
