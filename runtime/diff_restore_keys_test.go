package runtime_test

import (
	"bytes"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fnkit/fnkit/runtime"
)

// RESTORE against a real redis-server 7.0.15: payloads dumped by each
// server restored by the other (the restored value has the same DEBUG
// DIGEST-VALUE as the original, and dumps back to the same bytes where
// DUMP is byte-identical), and RESTORE's checks, errors and TTL rules
// compared reply for reply.

// crossValues are values whose dumps cannot be byte-identical (hashtable
// iteration order, insertion order, clock readings) on top of dumpValues.
var crossValues = []dumpValue{
	{name: "set hashtable", build: [][]string{rpushLike("SADD", seq("member:", 300)...)}, why: "dict order"},
	{name: "set hashtable mixed", build: [][]string{cmd("SADD", "k", "1", "a", "-2", "")}, why: "dict order"},
	{name: "set hashtable over intset limit", build: [][]string{rpushLike("SADD", seq("", 600)...)}, why: "dict order"},
	{name: "hash hashtable", build: [][]string{rpushLike("HSET", pairs(600, func(i int) (string, string) { return "f" + strconv.Itoa(i), strconv.Itoa(i * i) })...)}, why: "dict order"},
	{name: "hash hashtable long value", build: [][]string{cmd("HSET", "k", "a", "1", "b", strings.Repeat("v", 100), "c", "3")}, why: "dict order"},
	{name: "hash listpack unsorted", build: [][]string{cmd("HSET", "k", "z", "1", "y", "2", "x", "3"), cmd("HDEL", "k", "y"), cmd("HSET", "k", "a", "4")}, why: hashOrder},
	{name: "stream pending", build: [][]string{
		cmd("XADD", "k", "1-1", "a", "1"), cmd("XADD", "k", "1-2", "a", "2"), cmd("XADD", "k", "1-3", "b", "3"),
		cmd("XGROUP", "CREATE", "k", "g1", "0"), cmd("XGROUP", "CREATE", "k", "g2", "$"),
		cmd("XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "k", ">"),
		cmd("XREADGROUP", "GROUP", "g1", "bob", "STREAMS", "k", ">"), cmd("XACK", "k", "g1", "1-1"),
		cmd("XGROUP", "CREATECONSUMER", "k", "g2", "carol"),
	}, why: "clock readings"},
}

// digestOf is DEBUG DIGEST-VALUE of one key.
func digestOf(t *testing.T, c *rawConn, key string) string {
	t.Helper()
	v, err := c.Do("DEBUG", "DIGEST-VALUE", key)
	if err != nil || v.IsError() || len(v.Elems) != 1 {
		t.Fatalf("DEBUG DIGEST-VALUE %s: %v %v", key, v, err)
	}
	return v.Elems[0].Str
}

func mustOK(t *testing.T, who string, c *rawConn, args ...string) string {
	t.Helper()
	v, err := c.Do(args...)
	if err != nil || v.IsError() {
		t.Fatalf("%s %s: %v %v", who, show(args), v, err)
	}
	return v.Str
}

func TestDiffRestoreCrossServer(t *testing.T) {
	srv, real := startDebugPair(t, runtime.Config{}, "enable-debug-command yes")
	for _, v := range append(append([]dumpValue{}, dumpValues...), crossValues...) {
		v := v
		if v.dumpOnly != "" {
			continue
		}
		t.Run(v.name, func(t *testing.T) {
			ours, theirs := dial(t, srv.Addr()), dial(t, real.Addr)
			for _, c := range []*rawConn{ours, theirs} {
				reset(t, c)
				for _, a := range append(append([][]string{}, encodingDefaults...), v.build...) {
					mustOK(t, "build", c, a...)
				}
			}
			pf := mustOK(t, "fnkit", ours, "DUMP", "k")
			pr := mustOK(t, "redis", theirs, "DUMP", "k")
			want := digestOf(t, theirs, "k")
			if got := digestOf(t, ours, "k"); got != want {
				t.Fatalf("the values differ before any RESTORE: digests %s (redis) and %s (fnkit)", want, got)
			}

			// the real server restores fnkit's payload to an equal value, in
			// the encoding it gives the original
			if r := mustOK(t, "redis", theirs, "RESTORE", "r", "0", pf); r != "OK" {
				t.Fatalf("redis RESTORE of fnkit's payload: %q", r)
			}
			if got := digestOf(t, theirs, "r"); got != want {
				t.Errorf("redis restored fnkit's payload to a different value: digest %s, original %s", got, want)
			}
			encK := mustOK(t, "redis", theirs, "OBJECT", "ENCODING", "k")
			if encR := mustOK(t, "redis", theirs, "OBJECT", "ENCODING", "r"); encR != encK && !v.noEncoding {
				t.Errorf("redis restored fnkit's payload as %s, the original is %s", encR, encK)
			}

			// fnkit restores the real server's payload to an equal value
			if r := mustOK(t, "fnkit", ours, "RESTORE", "r", "0", pr); r != "OK" {
				t.Fatalf("fnkit RESTORE of redis's payload: %q", r)
			}
			if got := digestOf(t, ours, "r"); got != want {
				t.Errorf("fnkit restored redis's payload to a different value: digest %s, original %s", got, want)
			}
			if v.why == "" {
				if again := mustOK(t, "fnkit", ours, "DUMP", "r"); again != pr {
					t.Errorf("fnkit's DUMP of redis's restored payload differs from it:\n  redis %q\n  fnkit %q", pr, again)
				}
			}
			if strings.HasPrefix(v.name, "stream") {
				for _, g := range []string{"g", "g1", "g2"} {
					want, _ := theirs.DoRaw("XPENDING", "k", g)
					got, _ := ours.DoRaw("XPENDING", "r", g)
					if !bytes.Equal(bytes.Replace(got, []byte("'r'"), []byte("'k'"), 1), want) {
						t.Errorf("XPENDING of group %s after RESTORE:\n  redis %q\n  fnkit %q", g, want, got)
					}
				}
			}
		})
	}
}

// realPayload builds a value on the real server and returns its DUMP.
func realPayload(t *testing.T, addr string, build ...[]string) string {
	t.Helper()
	c := dial(t, addr)
	reset(t, c)
	for _, a := range build {
		mustOK(t, "build", c, a...)
	}
	p := mustOK(t, "redis", c, "DUMP", "k")
	reset(t, c)
	return p
}

func TestDiffRestoreKey(t *testing.T) {
	srv, real := startDebugPair(t, runtime.Config{}, "enable-debug-command yes")
	str := realPayload(t, real.Addr, cmd("SET", "k", "hello"))
	list := realPayload(t, real.Addr, cmd("RPUSH", "k", "a", "1", "b"))
	zset := realPayload(t, real.Addr, cmd("ZADD", "k", "1", "a", "2.5", "b"))
	hash := realPayload(t, real.Addr, cmd("HSET", "k", "f", "v", "g", "w"))
	set := realPayload(t, real.Addr, cmd("SADD", "k", "1", "2", "3"))
	stream := realPayload(t, real.Addr, cmd("XADD", "k", "1-1", "f", "v"), cmd("XGROUP", "CREATE", "k", "g", "0"))
	body := str[:len(str)-10]
	flipped := []byte(str)
	flipped[2] ^= 1
	now := time.Now().UnixMilli()
	past, future := strconv.FormatInt(now-100000, 10), strconv.FormatInt(now+100000, 10)
	fnRestore := lib("rest", `
redis.register_function('rest', function(keys, args) return redis.call('RESTORE', keys[1], args[1], args[2], unpack(args, 3)) end)
redis.register_function{function_name='rest_ro', callback=function(keys, args) return redis.call('RESTORE', keys[1], 0, args[1]) end, flags={'no-writes'}}
redis.register_function('rest_pcall', function(keys, args) local r = redis.pcall('RESTORE', keys[1], 0, args[1]); return r end)`)
	runCasesOn(t, srv, real, []dcase{
		{name: "every type", cmds: [][]string{
			cmd("RESTORE", "s", "0", str), cmd("GET", "s"), cmd("OBJECT", "ENCODING", "s"),
			cmd("RESTORE", "l", "0", list), cmd("LRANGE", "l", "0", "-1"), cmd("OBJECT", "ENCODING", "l"),
			cmd("RESTORE", "z", "0", zset), cmd("ZRANGE", "z", "0", "-1", "WITHSCORES"), cmd("OBJECT", "ENCODING", "z"),
			cmd("RESTORE", "h", "0", hash), cmd("HGETALL", "h"), cmd("OBJECT", "ENCODING", "h"),
			cmd("RESTORE", "set", "0", set), cmd("SMEMBERS", "set"), cmd("OBJECT", "ENCODING", "set"),
			cmd("RESTORE", "x", "0", stream), cmd("XRANGE", "x", "-", "+"), cmd("XINFO", "GROUPS", "x"),
			cmd("TTL", "s"), cmd("DBSIZE"),
		}},
		{name: "every type resp3", resp3: true, cmds: [][]string{
			cmd("RESTORE", "h", "0", hash), cmd("HGETALL", "h"), cmd("RESTORE", "z", "0", zset), cmd("ZRANGE", "z", "0", "-1", "WITHSCORES"),
		}},
		{name: "busy key", setup: [][]string{cmd("SET", "s", "x")}, cmds: [][]string{
			cmd("RESTORE", "s", "0", str), cmd("GET", "s"), cmd("RESTORE", "s", "0", list, "REPLACE"), cmd("LRANGE", "s", "0", "-1"),
			cmd("RESTORE", "s", "0", list, "replace", "REPLACE"), cmd("TYPE", "s"),
		}},
		{name: "busy key before the ttl and payload checks", setup: [][]string{cmd("SET", "s", "x")}, cmds: [][]string{
			cmd("RESTORE", "s", "x", "garbage"), cmd("RESTORE", "s", "-1", "garbage"),
		}},
		{name: "ttl", cmds: [][]string{
			cmd("RESTORE", "a", "100000", str), cmd("TTL", "a"),
			cmd("RESTORE", "b", future, str, "ABSTTL"), cmd("TTL", "b"),
			cmd("RESTORE", "c", "0", str, "ABSTTL"), cmd("TTL", "c"),
			cmd("RESTORE", "d", "2569591800", str), cmd("TTL", "d"),
		}},
		{name: "ttl errors", cmds: [][]string{
			cmd("RESTORE", "a", "-1", str), cmd("RESTORE", "a", "x", str), cmd("RESTORE", "a", "1.5", str),
			cmd("RESTORE", "a", "+1", str), cmd("RESTORE", "a", "99999999999999999999", str), cmd("EXISTS", "a"),
		}},
		{name: "absttl in the past", setup: [][]string{cmd("SET", "old", "x")}, cmds: [][]string{
			cmd("RESTORE", "new", past, str, "ABSTTL"), cmd("EXISTS", "new"),
			cmd("RESTORE", "old", past, str, "ABSTTL"), cmd("GET", "old"),
			cmd("RESTORE", "old", past, str, "ABSTTL", "REPLACE"), cmd("EXISTS", "old"),
			cmd("RESTORE", "new", "1", str, "ABSTTL"), cmd("EXISTS", "new"),
		}},
		{name: "checksum and version", cmds: [][]string{
			cmd("RESTORE", "a", "0", ""), cmd("RESTORE", "a", "0", "short"), cmd("RESTORE", "a", "0", "0123456789"),
			cmd("RESTORE", "a", "0", string(flipped)),
			cmd("RESTORE", "a", "0", seal(body, 11)), cmd("RESTORE", "a", "0", seal(body, 65535)),
			cmd("RESTORE", "a", "0", seal(body, 9)), cmd("GET", "a"),
			cmd("RESTORE", "b", "0", seal(body, 0)), cmd("GET", "b"),
			cmd("RESTORE", "c", "0", body+"\x0a\x00"+strings.Repeat("\x00", 8)),
			cmd("EXISTS", "c"),
		}},
		{name: "bad data format", cmds: [][]string{
			cmd("RESTORE", "a", "0", seal("", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x63abc", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x08\x00", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x07\x00", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x14\x00", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x15\x00", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x00", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x00\x05abc", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x00\xc3\x05\x0aabc", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x01\x00", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x02\x00", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x02\x02\x01a\x01a", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x03\x00", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x04\x00", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x05\x00", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x05\x02\x01a\x00\x00\x00\x00\x00\x00\xf0\x3f\x01a\x00\x00\x00\x00\x00\x00\xf0\x3f", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x12\x00", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x0b\x08\x02\x00\x00\x00\x00\x00\x00\x00", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x10\x07\x00\x00\x00\x00\x00\xff", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal(list[:len(list)-14], 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x0b\x0a\x03\x00\x00\x00\x01\x00\x00\x00\x01\x00", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x0b\x0a\x02\x00\x00\x00\x02\x00\x00\x00\x01\x00", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x0b\x0a\x02\x00\x00\x00\x01\x00\x00\x00\x01\x00", 10), "REPLACE"), cmd("SMEMBERS", "a"),
			cmd("RESTORE", "a", "0", seal("\x10\x0b\x0b\x00\x00\x00\x02\x00\x81f\x02\x01\x01\xfe", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x10\x0b\x0c\x00\x00\x00\x02\x00\x81f\x02\x01\x01\xff", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x10\x0b\x0b\x00\x00\x00\x02\x00\x81f\x02\x01\x01\xff", 10), "REPLACE"), cmd("HGETALL", "a"),
			cmd("RESTORE", "a", "0", seal("\x12\x01\x03\x07\x07\x00\x00\x00\x00\x00\xff", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x13"+stream[2:17]+stream[18:len(stream)-10], 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x0a\x0b\x0b\x00\x00\x00\x0a\x00\x00\x00\x00\x00\xff", 10), "REPLACE"),
			cmd("RESTORE", "a", "0", seal("\x0a\x0b\x0b\x00\x00\x00\x0b\x00\x00\x00\x00\x00\xff", 10), "REPLACE"),
			cmd("GET", "a"), cmd("DBSIZE"),
		}},
		{name: "bytes after the value are ignored", cmds: [][]string{
			cmd("RESTORE", "a", "0", seal(body+"trailing", 10)), cmd("GET", "a"),
			cmd("RESTORE", "b", "0", seal(list[:len(list)-10]+"\x00\x00", 10)), cmd("LRANGE", "b", "0", "-1"),
		}},
		{name: "plain encodings", cmds: [][]string{
			cmd("RESTORE", "l", "0", seal("\x01\x03\x01a\xc0\x05\x01b", 10)), cmd("LRANGE", "l", "0", "-1"), cmd("OBJECT", "ENCODING", "l"),
			cmd("RESTORE", "s", "0", seal("\x02\x02\x01a\xc0\x05", 10)), cmd("SCARD", "s"), cmd("SISMEMBER", "s", "5"), cmd("SISMEMBER", "s", "a"), cmd("OBJECT", "ENCODING", "s"),
			cmd("RESTORE", "h", "0", seal("\x04\x01\x01f\x01v", 10)), cmd("HGETALL", "h"), cmd("OBJECT", "ENCODING", "h"),
			cmd("RESTORE", "z", "0", seal("\x03\x02\x01a\x031.5\x01b\xfe", 10)), cmd("ZRANGE", "z", "0", "-1", "WITHSCORES"),
			cmd("RESTORE", "z2", "0", seal("\x05\x01\x01a\x00\x00\x00\x00\x00\x00\xf8\x3f", 10)), cmd("ZRANGE", "z2", "0", "-1", "WITHSCORES"),
			cmd("RESTORE", "n", "0", seal("\x00\xc2\x01\x00\x01\x00", 10)), cmd("GET", "n"), cmd("OBJECT", "ENCODING", "n"),
		}},
		{name: "options", cmds: [][]string{
			cmd("RESTORE", "a", "0", str, "IDLETIME", "-1"), cmd("RESTORE", "a", "0", str, "IDLETIME", "x"),
			cmd("RESTORE", "a", "0", str, "IDLETIME"), cmd("RESTORE", "a", "0", str, "FREQ", "256"),
			cmd("RESTORE", "a", "0", str, "FREQ", "-1"), cmd("RESTORE", "a", "0", str, "FREQ", "1.5"),
			cmd("RESTORE", "a", "0", str, "FREQ", "1", "IDLETIME", "1"), cmd("RESTORE", "a", "0", str, "IDLETIME", "1", "FREQ", "1"),
			cmd("RESTORE", "a", "0", str, "bogus"), cmd("RESTORE", "a", "0", str, "REPLACE", "ABSTTL", "bogus"),
			cmd("RESTORE", "a", "0", "garbage", "bogus"), cmd("RESTORE", "a", "x", str, "bogus"),
			cmd("EXISTS", "a"),
			cmd("RESTORE", "a", "0", str, "IDLETIME", "100"), cmd("RESTORE", "b", "0", str, "freq", "7", "replace", "absttl"),
			cmd("RESTORE", "c", "0", str, "IDLETIME", "5", "IDLETIME", "6"),
			cmd("MGET", "a", "b", "c"),
		}},
		{name: "arity", cmds: [][]string{cmd("RESTORE", "a", "0"), cmd("RESTORE"), cmd("RESTORE-ASKING", "a", "0")}},
		{name: "restore-asking", cmds: [][]string{cmd("RESTORE-ASKING", "a", "0", str), cmd("GET", "a"), cmd("RESTORE-ASKING", "a", "0", str)}},
		{name: "dump and restore on one server", setup: [][]string{cmd("RPUSH", "k", "x", "y")}, cmds: [][]string{
			cmd("DEL", "k"), cmd("RESTORE", "k", "0", list), cmd("LRANGE", "k", "0", "-1"),
		}},
		{name: "in a transaction", cmds: [][]string{
			cmd("MULTI"), cmd("RESTORE", "a", "0", str), cmd("RESTORE", "a", "0", str), cmd("GET", "a"), cmd("EXEC"),
		}},
		{name: "in a function", setup: [][]string{load(fnRestore)}, cmds: [][]string{
			cmd("FCALL", "rest", "1", "a", "0", str), cmd("GET", "a"),
			cmd("FCALL", "rest", "1", "a", "0", str), cmd("FCALL", "rest", "1", "a", "0", list, "REPLACE"), cmd("LRANGE", "a", "0", "-1"),
			cmd("FCALL", "rest", "1", "b", "-1", str), cmd("FCALL", "rest", "1", "b", "0", "garbage"),
			cmd("FCALL", "rest", "1", "b", "0", seal("\x63", 10)),
			cmd("FCALL", "rest_pcall", "1", "b", "garbage"),
			cmd("FCALL", "rest_ro", "1", "c", str), cmd("FCALL_RO", "rest", "1", "c", "0", str), cmd("EXISTS", "c"),
		}},
		{name: "in a script", cmds: [][]string{
			cmd("EVAL", "return redis.call('RESTORE', KEYS[1], 0, ARGV[1])", "1", "a", str), cmd("GET", "a"),
			cmd("EVAL_RO", "return redis.call('RESTORE', KEYS[1], 0, ARGV[1])", "1", "b", str),
			cmd("EVAL", "return redis.call('RESTORE', KEYS[1], 0, redis.call('DUMP', KEYS[2]))", "2", "c", "a"), cmd("GET", "c"),
		}},
	})
}
