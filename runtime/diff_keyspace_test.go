package runtime_test

import (
	"strings"
	"testing"
)

// Keyspace commands functions commonly use, from a function and directly.
func TestDiffKeyspace(t *testing.T) {
	setup := [][]string{
		cmd("SET", "s", "10"), cmd("HSET", "h", "a", "1", "b", "2"), cmd("RPUSH", "l", "x", "y", "z"),
		cmd("SADD", "set", "m1"), cmd("ZADD", "z", "1", "a", "2.5", "b"), cmd("XADD", "st", "1-1", "f", "v"),
		runLib,
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
	runCases(t, bothWays("", setup, cmds))
}

// GET, SET, INCR and DECR take a shorter way through the keyspace than
// other commands (keyspace's direct path): every case of theirs, on every
// type, from a client and from a function, in both protocols.
func TestDiffDirectStrings(t *testing.T) {
	setup := [][]string{
		cmd("SET", "s", "abc"), cmd("SET", "n", "41"), cmd("SET", "big", "9223372036854775807"),
		cmd("SET", "small", "-9223372036854775808"), cmd("SET", "plus", "+1"), cmd("SET", "space", " 1"),
		cmd("SET", "float", "1.5"), cmd("SET", "empty", ""), cmd("SET", "ttl", "1", "EX", "100"),
		cmd("HSET", "h", "a", "1"), cmd("RPUSH", "l", "x"), cmd("SADD", "set", "m"),
		cmd("ZADD", "z", "1", "a"), cmd("XADD", "st", "1-1", "f", "v"), cmd("PFADD", "hll", "a"),
		runLib,
	}
	var cmds [][]string
	for _, k := range []string{"s", "n", "big", "small", "plus", "space", "float", "empty", "nope", "h", "l", "set", "z", "st"} {
		cmds = append(cmds, cmd("GET", k), cmd("INCR", k), cmd("DECR", k), cmd("GET", k), cmd("INCRBY", k, "2"), cmd("DECRBY", k, "3"))
	}
	cmds = append(cmds,
		cmd("TTL", "ttl"), cmd("SET", "ttl", "2"), cmd("TTL", "ttl"), cmd("get", "ttl"), cmd("incr", "ttl"), cmd("Decr", "ttl"),
		cmd("SET", "h", "now a string"), cmd("TYPE", "h"), cmd("GET", "h"), cmd("SET", "l", "5"), cmd("INCR", "l"),
		cmd("SET", "st", ""), cmd("GET", "st"), cmd("SET", "new", "v"), cmd("GET", "new"),
		cmd("GET"), cmd("GET", "a", "b"), cmd("SET", "a"), cmd("INCR", "a", "b"), cmd("DECR"),
		cmd("INCRBY", "n", "+5"), cmd("INCRBY", "n", "05"), cmd("INCRBY", "n", "-0"), cmd("INCRBY", "h", "x"), cmd("INCRBY", "nope", "x"),
		cmd("DECRBY", "n", "-9223372036854775808"), cmd("DECRBY", "n", "9223372036854775807"), cmd("INCRBY", "n", "9223372036854775807"),
		cmd("INCRBY", "hll", "1"), cmd("INCR", "hll"), cmd("DECR", "hll"), cmd("INCRBY", "hll", "x"),
	)
	cases := bothWays("", setup, cmds)
	cases = append(cases, dcase{name: "HyperLogLog", setup: setup, cmds: [][]string{cmd("PFCOUNT", "hll"), cmd("PFADD", "hll", "b", "c"), cmd("PFCOUNT", "hll"), cmd("TYPE", "hll"), cmd("GET", "hll"), cmd("FCALL", "run", "0", "GET", "hll"), cmd("APPEND", "hll", "x"), cmd("DUMP", "hll")},
		skip: "a HyperLogLog is a string in Redis and its own type in the keyspace (README: Where it differs)"})
	// in another database, and under WATCH: a SET, INCR or DECR touches the
	// key (EXEC fails), a GET does not
	cases = append(cases, dcase{name: "other database and WATCH", setup: setup, cmds: [][]string{
		cmd("SELECT", "3"), cmd("SET", "s", "db3"), cmd("GET", "s"), cmd("INCR", "s"), cmd("INCR", "c3"),
		cmd("FCALL", "run", "0", "GET", "s"), cmd("FCALL", "run", "0", "INCR", "c3"), cmd("SELECT", "0"), cmd("GET", "s"), cmd("GET", "c3"),
		cmd("WATCH", "n"), cmd("GET", "n"), cmd("MULTI"), cmd("GET", "n"), cmd("EXEC"),
		cmd("WATCH", "n"), cmd("FCALL", "run", "0", "INCR", "n"), cmd("MULTI"), cmd("GET", "n"), cmd("EXEC"),
		cmd("WATCH", "s"), cmd("SET", "s", "x"), cmd("MULTI"), cmd("GET", "s"), cmd("EXEC"),
		cmd("WATCH", "n"), cmd("DECR", "n"), cmd("MULTI"), cmd("GET", "n"), cmd("EXEC"),
		cmd("MULTI"), cmd("SET", "q", "1"), cmd("INCR", "q"), cmd("GET", "q"), cmd("DECR", "q"), cmd("EXEC"),
	}})
	runCases(t, cases)
}

// A function's commands read the clock as they run (the keyspace's clock
// is set for each): TIME moves within one call, as it does in Redis,
// while keys' expiry stands at the time the call began.
func TestDiffTimeMovesInAFunction(t *testing.T) {
	runCases(t, []dcase{{name: "TIME", setup: [][]string{
		load(fn1("ticks", `local t0 = redis.call('TIME')
for i = 1, 1000000 do
  local t1 = redis.call('TIME')
  if t1[1] ~= t0[1] or t1[2] ~= t0[2] then return 'moved' end
end
return 'stood still'`)),
		load(fn1("outlive", `redis.call('SET', 'k', 'v', 'PX', '50')
local t0 = redis.call('TIME')
for i = 1, 5000000 do
  local t1 = redis.call('TIME')
  if (t1[1] - t0[1]) * 1000000 + (t1[2] - t0[2]) > 100000 then return redis.call('EXISTS', 'k') end
end
return 'stood still'`)),
		// SET … PXAT reads the clock: after a stretch of Lua without any
		// command, the key's TTL is what is left until its time, not what
		// was left at the previous command
		load(fn1("pxat", `local t1 = redis.call('TIME')
local at = t1[1] * 1000 + math.floor(t1[2] / 1000) + 1000
local x = 0
for i = 1, 3000000 do x = x + i end
redis.call('SET', 'p', 'v', 'PXAT', tostring(at))
local ttl = redis.call('PTTL', 'p')
local t2 = redis.call('TIME')
local left = at - (t2[1] * 1000 + math.floor(t2[2] / 1000))
if ttl - left > 5 then return 'stale clock: TTL ' .. ttl .. ', ' .. left .. ' ms left' end
return 'ok'`)),
	}, cmds: [][]string{call("ticks"), call("outlive"), cmd("EXISTS", "k"), call("pxat")}}})
}

// The count of SRANDMEMBER, ZRANDMEMBER and HRANDFIELD is checked as Redis
// 7.0 checks it (range, WITHVALUES/WITHSCORES halving it, syntax, in that
// order, before the key); one-element values make the replies of negative
// counts deterministic. miniredis crashed or ran out of memory on some of
// these.
func TestDiffRandomCounts(t *testing.T) {
	setup := [][]string{
		cmd("SADD", "s", "a"), cmd("HSET", "h", "f", "v"), cmd("ZADD", "z", "1", "m"), cmd("SET", "str", "x"),
		runLib,
	}
	var cmds [][]string
	for _, c := range [][]string{{"SRANDMEMBER", "s"}, {"ZRANDMEMBER", "z"}, {"HRANDFIELD", "h"}} {
		with := map[string]string{"ZRANDMEMBER": "WITHSCORES", "HRANDFIELD": "WITHVALUES"}[c[0]]
		for _, key := range []string{c[1], "nokey", "str"} {
			for _, n := range []string{"-9223372036854775808", "-9223372036854775807", "9223372036854775807", "-4611686018427387904",
				"-4611686018427387903", "4611686018427387904", "x", "+1", "01", "-3", "0", "3"} {
				// Redis builds a reply of -n elements for a key of the
				// command's type: only errors and small ones are sent
				huge := n != "-9223372036854775808" && (strings.HasPrefix(n, "-4") || strings.HasPrefix(n, "-9"))
				if !(huge && key == c[1]) {
					cmds = append(cmds, cmd(c[0], key, n))
				}
				if with != "" {
					if !(n == "-4611686018427387903" && key == c[1]) {
						cmds = append(cmds, cmd(c[0], key, n, with))
					}
					cmds = append(cmds, cmd(c[0], key, n, "nope"), cmd(c[0], key, n, with, "extra"))
				}
			}
		}
	}
	runCases(t, []dcase{
		{name: "direct", setup: setup, cmds: cmds},
		{name: "from a function", setup: setup, cmds: viaRun(cmds)},
	})
}
