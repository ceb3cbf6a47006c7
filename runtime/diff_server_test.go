package runtime_test

import "testing"

// Connection and server commands a client expects.
func TestDiffServer(t *testing.T) {
	var cases []dcase
	for _, resp3 := range []bool{false, true} {
		p := "resp2 "
		if resp3 {
			p = "resp3 "
		}
		cases = append(cases,
			dcase{name: p + "ping echo", resp3: resp3, cmds: [][]string{cmd("PING"), cmd("PING", "hi"), cmd("ECHO", "x"), cmd("PING", "a", "b")}},
			dcase{name: p + "unknown commands", resp3: resp3, cmds: [][]string{
				cmd("NOSUCH"), cmd("nosuch", "a", "b c"), cmd("FUNCTION", "INFO"), cmd("CLIENT", "nope", "x"), cmd("CONFIG", "nope"),
			}},
			dcase{name: p + "arity", resp3: resp3, cmds: [][]string{cmd("GET"), cmd("SET", "a"), cmd("CLIENT"), cmd("FCALL"), cmd("CONFIG", "GET")}},
			dcase{name: p + "select", resp3: resp3, cmds: [][]string{cmd("SELECT", "1"), cmd("SET", "k", "1"), cmd("SELECT", "0"), cmd("GET", "k"), cmd("SELECT", "16"), cmd("SELECT", "-1"), cmd("SELECT", "x"), cmd("SELECT", "1"), cmd("GET", "k")}},
			dcase{name: p + "dbsize flush", resp3: resp3, cmds: [][]string{cmd("SET", "a", "1"), cmd("SET", "b", "2"), cmd("DBSIZE"), cmd("FLUSHDB"), cmd("DBSIZE"), cmd("FLUSHALL", "NOPE"), cmd("FLUSHALL", "SYNC")}},
			dcase{name: p + "client name", resp3: resp3, cmds: [][]string{cmd("CLIENT", "GETNAME"), cmd("CLIENT", "SETNAME", "app1"), cmd("CLIENT", "GETNAME"), cmd("CLIENT", "SETNAME", "has space"), cmd("CLIENT", "SETNAME", "")}},
			dcase{name: p + "config get", resp3: resp3, cmds: [][]string{cmd("CONFIG", "GET", "maxmemory"), cmd("CONFIG", "GET", "busy-reply-threshold"), cmd("CONFIG", "GET", "lua-time-limit"), cmd("CONFIG", "GET", "nosuch"), cmd("CONFIG", "GET", "MaxMemory")}},
			dcase{name: p + "config set", resp3: resp3, cmds: [][]string{
				cmd("CONFIG", "SET", "maxmemory", "100mb"), cmd("CONFIG", "GET", "maxmemory"), cmd("CONFIG", "SET", "maxmemory", "abc"),
				cmd("CONFIG", "SET", "nosuch", "1"), cmd("CONFIG", "SET", "busy-reply-threshold", "x"), cmd("CONFIG", "SET", "lua-time-limit", "3000"),
				cmd("CONFIG", "GET", "busy-reply-threshold"), cmd("CONFIG", "SET", "maxmemory-policy", "bogus"), cmd("CONFIG", "SET", "maxmemory", "0"),
				cmd("CONFIG", "SET", "busy-reply-threshold", "5000"), cmd("CONFIG", "SET", "maxmemory"),
			}},
			dcase{name: p + "command info", resp3: resp3, cmds: [][]string{cmd("COMMAND", "INFO", "get", "fcall", "function|load", "nosuch"), cmd("COMMAND", "COUNT"), cmd("COMMAND", "DOCS", "fcall")}},
			dcase{name: p + "command getkeys", resp3: resp3, cmds: [][]string{
				cmd("COMMAND", "GETKEYS", "fcall", "f", "2", "a", "b", "c"), cmd("COMMAND", "GETKEYS", "set", "k", "v"), cmd("COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"),
				cmd("COMMAND", "GETKEYS", "ping"), cmd("COMMAND", "GETKEYS", "nosuch", "x"), cmd("COMMAND", "GETKEYS", "get"),
			}},
			dcase{name: p + "multi exec", resp3: resp3, cmds: [][]string{
				cmd("MULTI"), cmd("SET", "a", "1"), cmd("INCR", "a"), cmd("FUNCTION", "STATS"), cmd("EXEC"),
				cmd("EXEC"), cmd("DISCARD"), cmd("MULTI"), cmd("MULTI"), cmd("DISCARD"),
				cmd("MULTI"), cmd("NOSUCH"), cmd("SET", "b", "1"), cmd("EXEC"), cmd("GET", "b"),
				cmd("MULTI"), cmd("GET"), cmd("EXEC"),
			}},
			dcase{name: p + "multi fcall", resp3: resp3, setup: [][]string{load(fn1("f", "return redis.call('incr', 'n')"))}, cmds: [][]string{cmd("MULTI"), cmd("FCALL", "f", "0"), cmd("FCALL", "f", "0"), cmd("EXEC")}},
			dcase{name: p + "watch", resp3: resp3, cmds: [][]string{
				cmd("WATCH", "w"), cmd("MULTI"), cmd("WATCH", "x"), cmd("SET", "w", "1"), cmd("EXEC"),
				cmd("WATCH", "w"), cmd("SET", "w", "2"), cmd("MULTI"), cmd("GET", "w"), cmd("EXEC"),
				cmd("UNWATCH"),
			}},
			dcase{name: p + "auth without password", resp3: resp3, cmds: [][]string{cmd("AUTH", "x"), cmd("AUTH", "default", "x"), cmd("AUTH", "a", "b", "c")}},
			dcase{name: p + "hello errors", resp3: resp3, cmds: [][]string{cmd("HELLO", "4"), cmd("HELLO", "x"), cmd("HELLO", "3", "BOGUS")}},
			dcase{name: p + "keyspace basics", resp3: resp3, cmds: [][]string{
				cmd("SET", "s", "v", "EX", "100"), cmd("TTL", "s"), cmd("TYPE", "s"), cmd("HSET", "h", "a", "1", "b", "2"), cmd("HGETALL", "h"),
				cmd("LPUSH", "l", "1", "2"), cmd("LRANGE", "l", "0", "-1"), cmd("SADD", "st", "x"), cmd("SMEMBERS", "st"),
				cmd("ZADD", "z", "1.5", "m"), cmd("ZRANGE", "z", "0", "-1", "WITHSCORES"), cmd("ZSCORE", "z", "m"),
				cmd("INCRBYFLOAT", "f", "0.1"), cmd("GET", "h"), cmd("EXISTS", "s", "h", "nope"), cmd("DEL", "s"),
			}},
		)
	}
	runCases(t, cases)
}
