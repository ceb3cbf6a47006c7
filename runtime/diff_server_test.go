package runtime_test

import "testing"

// Connection and server commands a client expects.
func TestDiffServer(t *testing.T) {
	var cases []dcase
	cases = append(cases, inBothProtocols(
		dcase{name: "ping echo", cmds: [][]string{cmd("PING"), cmd("PING", "hi"), cmd("ECHO", "x"), cmd("PING", "a", "b")}},
		dcase{name: "unknown commands", cmds: [][]string{
			cmd("NOSUCH"), cmd("nosuch", "a", "b c"), cmd("FUNCTION", "INFO"), cmd("CLIENT", "nope", "x"), cmd("CONFIG", "nope"),
		}},
		dcase{name: "arity", cmds: [][]string{cmd("GET"), cmd("SET", "a"), cmd("CLIENT"), cmd("FCALL"), cmd("CONFIG", "GET")}},
		dcase{name: "select", cmds: [][]string{cmd("SELECT", "1"), cmd("SET", "k", "1"), cmd("SELECT", "0"), cmd("GET", "k"), cmd("SELECT", "16"), cmd("SELECT", "-1"), cmd("SELECT", "x"), cmd("SELECT", "1"), cmd("GET", "k")}},
		dcase{name: "dbsize flush", cmds: [][]string{cmd("SET", "a", "1"), cmd("SET", "b", "2"), cmd("DBSIZE"), cmd("FLUSHDB"), cmd("DBSIZE"), cmd("FLUSHALL", "NOPE"), cmd("FLUSHALL", "SYNC")}},
		dcase{name: "client name", cmds: [][]string{cmd("CLIENT", "GETNAME"), cmd("CLIENT", "SETNAME", "app1"), cmd("CLIENT", "GETNAME"), cmd("CLIENT", "SETNAME", "has space"), cmd("CLIENT", "SETNAME", "")}},
		dcase{name: "config get", cmds: [][]string{cmd("CONFIG", "GET", "maxmemory"), cmd("CONFIG", "GET", "busy-reply-threshold"), cmd("CONFIG", "GET", "lua-time-limit"), cmd("CONFIG", "GET", "nosuch"), cmd("CONFIG", "GET", "MaxMemory")}},
		dcase{name: "config set", cmds: [][]string{
			cmd("CONFIG", "SET", "maxmemory", "100mb"), cmd("CONFIG", "GET", "maxmemory"), cmd("CONFIG", "SET", "maxmemory", "abc"),
			cmd("CONFIG", "SET", "nosuch", "1"), cmd("CONFIG", "SET", "busy-reply-threshold", "x"), cmd("CONFIG", "SET", "lua-time-limit", "3000"),
			cmd("CONFIG", "GET", "busy-reply-threshold"), cmd("CONFIG", "SET", "maxmemory-policy", "bogus"), cmd("CONFIG", "SET", "maxmemory", "0"),
			cmd("CONFIG", "SET", "busy-reply-threshold", "5000"), cmd("CONFIG", "SET", "maxmemory"),
		}},
		dcase{name: "command info", cmds: [][]string{cmd("COMMAND", "INFO", "get", "fcall", "function|load", "nosuch"), cmd("COMMAND", "COUNT"), cmd("COMMAND", "DOCS", "fcall")}},
		dcase{name: "command getkeys", cmds: [][]string{
			cmd("COMMAND", "GETKEYS", "fcall", "f", "2", "a", "b", "c"), cmd("COMMAND", "GETKEYS", "set", "k", "v"), cmd("COMMAND", "GETKEYS", "mset", "a", "1", "b", "2"),
			cmd("COMMAND", "GETKEYS", "ping"), cmd("COMMAND", "GETKEYS", "nosuch", "x"), cmd("COMMAND", "GETKEYS", "get"),
		}},
		dcase{name: "multi exec", cmds: [][]string{
			cmd("MULTI"), cmd("SET", "a", "1"), cmd("INCR", "a"), cmd("FUNCTION", "STATS"), cmd("EXEC"),
			cmd("EXEC"), cmd("DISCARD"), cmd("MULTI"), cmd("MULTI"), cmd("DISCARD"),
			cmd("MULTI"), cmd("NOSUCH"), cmd("SET", "b", "1"), cmd("EXEC"), cmd("GET", "b"),
			cmd("MULTI"), cmd("GET"), cmd("EXEC"),
		}},
		dcase{name: "multi fcall", setup: [][]string{load(fn1("f", "return redis.call('incr', 'n')"))}, cmds: [][]string{cmd("MULTI"), cmd("FCALL", "f", "0"), cmd("FCALL", "f", "0"), cmd("EXEC")}},
		dcase{name: "watch", cmds: [][]string{
			cmd("WATCH", "w"), cmd("MULTI"), cmd("WATCH", "x"), cmd("SET", "w", "1"), cmd("EXEC"),
			cmd("WATCH", "w"), cmd("SET", "w", "2"), cmd("MULTI"), cmd("GET", "w"), cmd("EXEC"),
			cmd("UNWATCH"),
		}},
		dcase{name: "auth without password", cmds: [][]string{cmd("AUTH", "x"), cmd("AUTH", "default", "x"), cmd("AUTH", "a", "b", "c")}},
		dcase{name: "hello errors", cmds: [][]string{cmd("HELLO", "4"), cmd("HELLO", "x"), cmd("HELLO", "3", "BOGUS")}},
		dcase{name: "keyspace basics", cmds: [][]string{
			cmd("SET", "s", "v", "EX", "100"), cmd("TTL", "s"), cmd("TYPE", "s"), cmd("HSET", "h", "a", "1", "b", "2"), cmd("HGETALL", "h"),
			cmd("LPUSH", "l", "1", "2"), cmd("LRANGE", "l", "0", "-1"), cmd("SADD", "st", "x"), cmd("SMEMBERS", "st"),
			cmd("ZADD", "z", "1.5", "m"), cmd("ZRANGE", "z", "0", "-1", "WITHSCORES"), cmd("ZSCORE", "z", "m"),
			cmd("INCRBYFLOAT", "f", "0.1"), cmd("GET", "h"), cmd("EXISTS", "s", "h", "nope"), cmd("DEL", "s"),
		}},
	)...)
	runCases(t, cases)
}
