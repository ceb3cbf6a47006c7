package runtime_test

import (
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/runtime"
)

// Differential cases of DEBUG, OBJECT and CONFIG against a real
// redis-server 7.0.15 started with enable-debug-command yes (fnkit's
// default, "local", allows the test's loopback connections).

func startDebugPair(t *testing.T, cfg runtime.Config, redisConfig ...string) (*runtime.Server, *fixtures.Redis) {
	t.Helper()
	real, err := fixtures.StartRedisWith(t, fixtures.Options{Config: redisConfig})
	if err != nil {
		t.Fatal(err)
	}
	srv, err := runtime.Start(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	return srv, real
}

// many returns cmd followed by n generated arguments per item.
func many(cmd []string, n int, item func(i int) []string) []string {
	out := append([]string(nil), cmd...)
	for i := 0; i < n; i++ {
		out = append(out, item(i)...)
	}
	return out
}

// allTypes builds a keyspace of every type, some keys with a TTL, in db 0
// and db 3.
var allTypes = [][]string{
	cmd("SET", "s:int", "12345"), cmd("SET", "s:str", "hello"), cmd("SET", "s:long", strings.Repeat("abc", 100)),
	cmd("SET", "s:ttl", "v", "EX", "100000"), cmd("SET", "s:bin", "a\x00b\xff"),
	cmd("RPUSH", "l", "a", "1", "", "-7", strings.Repeat("x", 300)),
	cmd("SADD", "set:ints", "1", "2", "-3"), cmd("SADD", "set:mixed", "a", "1", "b"),
	cmd("HSET", "h", "f1", "v1", "f2", "2", "f3", ""), cmd("EXPIRE", "h", "200000"),
	cmd("ZADD", "z", "1", "a", "2.5", "b", "-inf", "c", "+inf", "d", "0.5", "e"),
	cmd("XADD", "x", "1-1", "f", "v", "g", "1"), cmd("XADD", "x", "1-2", "f", "w", "g", "2"), cmd("XADD", "x", "2-0", "other", "field"),
	cmd("XGROUP", "CREATE", "x", "g1", "0"), cmd("XGROUP", "CREATE", "x", "g2", "$"),
	cmd("SELECT", "3"), cmd("SET", "db3", "three"), cmd("HSET", "h3", "a", "b"), cmd("SELECT", "0"),
}

func TestDiffDebug(t *testing.T) {
	srv, real := startDebugPair(t, runtime.Config{}, "enable-debug-command yes")
	var cases []dcase
	cases = append(cases, inBothProtocols(
		dcase{name: "help and errors", cmds: [][]string{
			cmd("DEBUG"), cmd("DEBUG", "HELP"), cmd("DEBUG", "help", "x"), cmd("DEBUG", "nosuch"), cmd("DEBUG", "JMAP"), cmd("DEBUG", "jmap", "x"),
			cmd("DEBUG", "SLEEP"), cmd("DEBUG", "SLEEP", "0", "1"), cmd("DEBUG", "LOG"), cmd("DEBUG", "LOG", "a", "b"),
			cmd("DEBUG", "SET-ACTIVE-EXPIRE"), cmd("DEBUG", "OBJECT"), cmd("DEBUG", "DIGEST", "x"), cmd("DEBUG", "PROTOCOL"),
			cmd("DEBUG", "POPULATE"), cmd("DEBUG", "POPULATE", "1", "a", "1", "x"), cmd("DEBUG", "ERROR"),
		}},
		dcase{name: "settings", cmds: [][]string{
			cmd("DEBUG", "SLEEP", "0"), cmd("DEBUG", "SLEEP", "x"), cmd("DEBUG", "sleep", "0.01"), cmd("DEBUG", "LOG", "hello from the test"),
			cmd("DEBUG", "SET-ACTIVE-EXPIRE", "0"), cmd("DEBUG", "set-active-expire", "x"), cmd("DEBUG", "SET-ACTIVE-EXPIRE", "1"),
			cmd("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100"), cmd("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "x"), cmd("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "5gb"),
			cmd("DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"), cmd("DEBUG", "CHANGE-REPL-ID"), cmd("DEBUG", "SET-SKIP-CHECKSUM-VALIDATION", "0"),
			cmd("DEBUG", "PAUSE-CRON", "0"), cmd("DEBUG", "STRINGMATCH-TEST"), cmd("DEBUG", "CLIENT-EVICTION"),
			cmd("DEBUG", "REPLYBUFFER", "RESIZING", "1"), cmd("DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "never"), cmd("DEBUG", "REPLYBUFFER", "PEAK-RESET-TIME", "x"),
			cmd("DEBUG", "REPLYBUFFER", "nope", "1"), cmd("DEBUG", "CLUSTERLINK", "KILL", "to", "abc"),
			cmd("DEBUG", "DROP-CLUSTER-PACKET-FILTER", "-1"), cmd("DEBUG", "DROP-CLUSTER-PACKET-FILTER", "x"),
		}},
		dcase{name: "error", cmds: [][]string{
			cmd("DEBUG", "ERROR", "MYERR custom message"), cmd("DEBUG", "ERROR", "two\r\nlines"), cmd("DEBUG", "ERROR", ""),
		}},
		dcase{name: "protocol", cmds: [][]string{
			cmd("DEBUG", "PROTOCOL", "string"), cmd("DEBUG", "PROTOCOL", "integer"), cmd("DEBUG", "PROTOCOL", "double"),
			cmd("DEBUG", "PROTOCOL", "bignum"), cmd("DEBUG", "PROTOCOL", "null"), cmd("DEBUG", "PROTOCOL", "array"),
			cmd("DEBUG", "PROTOCOL", "set"), cmd("DEBUG", "PROTOCOL", "map"), cmd("DEBUG", "PROTOCOL", "attrib"),
			cmd("DEBUG", "PROTOCOL", "verbatim"), cmd("DEBUG", "PROTOCOL", "TRUE"), cmd("DEBUG", "PROTOCOL", "false"),
			cmd("DEBUG", "PROTOCOL", "nope"), cmd("DEBUG", "PROTOCOL", "push"),
		}},
		dcase{name: "digest", setup: allTypes, cmds: [][]string{
			cmd("DEBUG", "DIGEST"), cmd("DEBUG", "DIGEST-VALUE"), cmd("DEBUG", "DIGEST-VALUE", "s:int", "s:str", "s:long", "s:ttl", "s:bin", "l", "set:ints", "set:mixed", "h", "z", "x", "nokey"),
			cmd("SELECT", "3"), cmd("DEBUG", "DIGEST-VALUE", "db3", "h3", "s:int"), cmd("FLUSHALL"), cmd("DEBUG", "DIGEST"),
		}},
		dcase{name: "reload round trip", setup: append(append([][]string{}, allTypes...),
			load(fn1("f", "return redis.call('get', KEYS[1])")), load(lib("two", "redis.register_function{function_name='g', callback=function() return 2 end, flags={'no-writes'}, description='d'}"))),
			cmds: [][]string{
				cmd("DEBUG", "DIGEST"), cmd("DEBUG", "RELOAD"), cmd("DEBUG", "DIGEST"), cmd("DBSIZE"), cmd("FUNCTION", "LIST", "WITHCODE"),
				cmd("FCALL", "f", "1", "s:str"), cmd("FCALL_RO", "g", "0"), cmd("TTL", "s:ttl"), cmd("TTL", "h"), cmd("TTL", "l"),
				cmd("GET", "s:bin"), cmd("LRANGE", "l", "0", "-1"), cmd("HGETALL", "h"), cmd("ZRANGE", "z", "0", "-1", "WITHSCORES"),
				cmd("XRANGE", "x", "-", "+"), cmd("SELECT", "3"), cmd("DBSIZE"), cmd("GET", "db3"),
				cmd("FUNCTION", "STATS"),
			}, unordered: true},
		dcase{name: "reload options", setup: [][]string{cmd("SET", "a", "1"), load(fn1("f", "return 1"))}, cmds: [][]string{
			cmd("DEBUG", "RELOAD", "BOGUS"), cmd("DEBUG", "RELOAD", "nosave", "x"), cmd("DEBUG", "RELOAD"),
			cmd("DEBUG", "RELOAD", "NOFLUSH"), cmd("DEBUG", "RELOAD", "noflush", "merge"), cmd("FUNCTION", "LIST"), cmd("GET", "a"),
			cmd("SET", "b", "2"), cmd("DEBUG", "RELOAD", "NOSAVE"), cmd("GET", "b"), cmd("GET", "a"),
			cmd("SET", "b", "2"), cmd("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"), cmd("GET", "b"), cmd("GET", "a"),
		}},
		dcase{name: "reload after function changes", cmds: [][]string{
			load(fn1("test1", "return 'hello'")), cmd("DEBUG", "RELOAD"), load(fn1("test2", "return 'hello'")),
			cmd("DEBUG", "RELOAD", "NOSAVE", "NOFLUSH", "MERGE"), call("test1"), call("test2"), cmd("FUNCTION", "FLUSH"),
			cmd("DEBUG", "RELOAD"), cmd("FUNCTION", "LIST"),
		}},
		dcase{name: "populate", cmds: [][]string{
			cmd("DEBUG", "POPULATE", "x"), cmd("DEBUG", "POPULATE", "-1"), cmd("DEBUG", "POPULATE", "10"), cmd("DBSIZE"),
			cmd("GET", "key:0"), cmd("GET", "key:9"), cmd("DEBUG", "POPULATE", "3", "p"), cmd("GET", "p:2"),
			cmd("DEBUG", "POPULATE", "2", "sz", "3"), cmd("GET", "sz:1"), cmd("DEBUG", "POPULATE", "2", "big", "12"), cmd("GET", "big:1"),
			cmd("SET", "key:1", "mine"), cmd("DEBUG", "POPULATE", "3"), cmd("GET", "key:1"), cmd("DBSIZE"),
			cmd("DEBUG", "POPULATE", "1", "q", "x"), cmd("DEBUG", "POPULATE", "1", "q", "-5"), cmd("DEBUG", "DIGEST"),
		}},
		dcase{name: "object, listpack, quicklist, sdslen on missing keys and wrong encodings", setup: allTypes, cmds: [][]string{
			cmd("DEBUG", "OBJECT", "nokey"), cmd("DEBUG", "LISTPACK", "nokey"), cmd("DEBUG", "QUICKLIST", "nokey"), cmd("DEBUG", "SDSLEN", "nokey"),
			cmd("DEBUG", "LISTPACK", "l"), cmd("DEBUG", "LISTPACK", "h"), cmd("DEBUG", "QUICKLIST", "h"), cmd("DEBUG", "QUICKLIST", "l"),
			cmd("DEBUG", "QUICKLIST", "l", "1"), cmd("DEBUG", "SDSLEN", "s:int"), cmd("DEBUG", "SDSLEN", "h"),
		}},
		dcase{name: "debug from scripts", cmds: [][]string{
			load(fn1("dbg", "return redis.pcall('debug', 'protocol', 'string')")), call("dbg"),
			cmd("DEBUG", "SET-DISABLE-DENY-SCRIPTS", "1"), call("dbg"), cmd("DEBUG", "SET-DISABLE-DENY-SCRIPTS", "0"), call("dbg"),
		}},
		dcase{name: "multi", cmds: [][]string{
			cmd("MULTI"), cmd("DEBUG", "SLEEP", "0"), cmd("DEBUG", "nosuch"), cmd("EXEC"),
		}},
	)...)
	runCasesOn(t, srv, real, cases)
}

// TestDiffDebugNotAllowed checks the refusal of DEBUG under Redis's
// default enable-debug-command (no), and that the arity check comes first.
func TestDiffDebugNotAllowed(t *testing.T) {
	srv, real := startDebugPair(t, runtime.Config{EnableDebugCommand: "no"})
	runCasesOn(t, srv, real, []dcase{
		{name: "refused", cmds: [][]string{
			cmd("DEBUG"), cmd("DEBUG", "RELOAD"), cmd("DEBUG", "nosuch"), cmd("DEBUG", "HELP"),
			cmd("MULTI"), cmd("DEBUG", "SLEEP", "0"), cmd("EXEC"),
			cmd("CONFIG", "GET", "enable-debug-command"), cmd("CONFIG", "SET", "enable-debug-command", "yes"),
			cmd("INFO", "errorstats"),
		}},
	})
	if _, err := runtime.New(runtime.Config{EnableDebugCommand: "maybe"}); err == nil {
		t.Error("EnableDebugCommand maybe accepted")
	}
}

// TestDiffDebugLocal checks enable-debug-command local on both servers.
func TestDiffDebugLocal(t *testing.T) {
	srv, real := startDebugPair(t, runtime.Config{EnableDebugCommand: "local"}, "enable-debug-command local")
	runCasesOn(t, srv, real, []dcase{
		{name: "local connection", cmds: [][]string{cmd("DEBUG", "SLEEP", "0"), cmd("CONFIG", "GET", "enable-debug-command")}},
	})
}

var debugObjectFields = regexp.MustCompile(`^Value at:0x[0-9a-f]+ refcount:(\d+) encoding:(\S+) serializedlength:\d+ lru:\d+ lru_seconds_idle:\d+((?: ql_\w+:\S+)*)$`)

// TestDiffDebugObject compares DEBUG OBJECT's shape: the same fields in
// the same order, the same refcount and encoding (addresses, sizes and
// clocks differ by nature); for lists, the quicklist fields' names.
func TestDiffDebugObject(t *testing.T) {
	srv, real := startDebugPair(t, runtime.Config{}, "enable-debug-command yes")
	ours, theirs := dial(t, srv.Addr()), dial(t, real.Addr)
	for _, c := range []*rawConn{ours, theirs} {
		reset(t, c)
		for _, a := range allTypes {
			if v, err := c.Do(a...); err != nil || v.IsError() {
				t.Fatalf("%v: %v %v", a, v, err)
			}
		}
	}
	for _, key := range []string{"s:int", "s:str", "s:long", "s:ttl", "l", "set:ints", "set:mixed", "h", "z", "x"} {
		a, err := ours.Do("DEBUG", "OBJECT", key)
		if err != nil {
			t.Fatal(err)
		}
		b, err := theirs.Do("DEBUG", "OBJECT", key)
		if err != nil {
			t.Fatal(err)
		}
		ma, mb := debugObjectFields.FindStringSubmatch(a.Str), debugObjectFields.FindStringSubmatch(b.Str)
		if ma == nil || mb == nil {
			t.Fatalf("%s: shapes differ:\n redis %q\n fnkit %q", key, b.Str, a.Str)
		}
		names := regexp.MustCompile(`ql_\w+:`)
		if ma[1] != mb[1] || ma[2] != mb[2] || strings.Join(names.FindAllString(ma[3], -1), "") != strings.Join(names.FindAllString(mb[3], -1), "") {
			t.Errorf("%s:\n redis %q\n fnkit %q", key, b.Str, a.Str)
		}
	}
}

// TestDiffObject covers OBJECT's subcommands and OBJECT ENCODING of every
// type on both sides of each threshold, with the default thresholds and
// with lowered ones.
func TestDiffObject(t *testing.T) {
	ints := func(i int) []string { return []string{strconv.Itoa(i)} }
	fieldValue := func(i int) []string { return []string{"f" + strconv.Itoa(i), strconv.Itoa(i)} }
	scoreMember := func(i int) []string { return []string{strconv.Itoa(i), "m" + strconv.Itoa(i)} }
	enc := func(keys ...string) [][]string {
		var out [][]string
		for _, k := range keys {
			out = append(out, cmd("OBJECT", "ENCODING", k))
		}
		return out
	}
	var cases []dcase
	for _, resp3 := range []bool{false, true} {
		p := "resp2 "
		if resp3 {
			p = "resp3 "
		}
		cases = append(cases,
			dcase{name: p + "subcommands", resp3: resp3, setup: [][]string{cmd("SET", "k", "v")}, cmds: [][]string{
				cmd("OBJECT"), cmd("OBJECT", "HELP"), cmd("OBJECT", "help", "x"), cmd("OBJECT", "nosuch"), cmd("OBJECT", "nosuch", "k"),
				cmd("OBJECT", "ENCODING"), cmd("OBJECT", "ENCODING", "k", "x"), cmd("OBJECT", "ENCODING", "nokey"),
				cmd("OBJECT", "REFCOUNT", "nokey"), cmd("OBJECT", "IDLETIME", "nokey"), cmd("OBJECT", "FREQ", "nokey"),
				cmd("OBJECT", "IDLETIME", "k"), cmd("OBJECT", "FREQ", "k"),
				cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lfu"), cmd("OBJECT", "IDLETIME", "k"), cmd("OBJECT", "FREQ", "nokey"),
				cmd("SET", "n", "1"), cmd("OBJECT", "FREQ", "n"), cmd("CONFIG", "SET", "maxmemory-policy", "noeviction"),
			}},
			dcase{name: p + "refcount", resp3: resp3, setup: [][]string{
				cmd("SET", "small", "100"), cmd("SET", "zero", "0"), cmd("SET", "edge", "9999"), cmd("SET", "big", "10000"), cmd("SET", "neg", "-1"),
				cmd("SET", "str", "abc"), cmd("RPUSH", "l", "1"), cmd("INCR", "counter"),
			}, cmds: [][]string{
				cmd("OBJECT", "REFCOUNT", "small"), cmd("OBJECT", "REFCOUNT", "zero"), cmd("OBJECT", "REFCOUNT", "edge"), cmd("OBJECT", "REFCOUNT", "big"),
				cmd("OBJECT", "REFCOUNT", "neg"), cmd("OBJECT", "REFCOUNT", "str"), cmd("OBJECT", "REFCOUNT", "l"), cmd("OBJECT", "REFCOUNT", "counter"),
				cmd("CONFIG", "SET", "maxmemory", "1gb"), cmd("CONFIG", "SET", "maxmemory-policy", "allkeys-lru"), cmd("SET", "lru", "5"),
				cmd("OBJECT", "REFCOUNT", "lru"), cmd("CONFIG", "SET", "maxmemory-policy", "noeviction"), cmd("CONFIG", "SET", "maxmemory", "0"),
			}},
			dcase{name: p + "strings", resp3: resp3, setup: [][]string{
				cmd("SET", "int", "123"), cmd("SET", "negint", "-9223372036854775808"), cmd("SET", "maxint", "9223372036854775807"),
				cmd("SET", "overflow", "9223372036854775808"), cmd("SET", "lead0", "0123"), cmd("SET", "plus", "+1"), cmd("SET", "float", "1.5"),
				cmd("SET", "empty", ""), cmd("SET", "e44", strings.Repeat("e", 44)), cmd("SET", "e45", strings.Repeat("e", 45)),
				cmd("SET", "space", " 1"), cmd("SET", "zero", "0"), cmd("SET", "minus0", "-0"), cmd("INCR", "counter"),
				cmd("SET", "long21", "123456789012345678901"),
			}, cmds: enc("int", "negint", "maxint", "overflow", "lead0", "plus", "float", "empty", "e44", "e45", "space", "zero", "minus0", "counter", "long21")},
			dcase{name: p + "lists and streams", resp3: resp3, setup: [][]string{
				cmd("RPUSH", "one", "a"), many(cmd("RPUSH", "big"), 1000, ints), cmd("XADD", "x", "1-1", "f", "v"),
			}, cmds: enc("one", "big", "x")},
			dcase{name: p + "sets", resp3: resp3, setup: [][]string{
				many(cmd("SADD", "i512"), 512, ints), many(cmd("SADD", "i513"), 513, ints), cmd("SADD", "str", "a"), cmd("SADD", "mixed", "1", "x"),
				cmd("SADD", "neg", "-5", "9223372036854775807"), cmd("SADD", "ovf", "9223372036854775808"), cmd("SADD", "lead", "01"),
			}, cmds: append(enc("i512", "i513", "str", "mixed", "neg", "ovf", "lead"),
				cmd("CONFIG", "SET", "set-max-intset-entries", "3"), cmd("SADD", "s3", "1", "2", "3"), cmd("SADD", "s4", "1", "2", "3", "4"),
				cmd("OBJECT", "ENCODING", "s3"), cmd("OBJECT", "ENCODING", "s4"), cmd("CONFIG", "SET", "set-max-intset-entries", "512"))},
			dcase{name: p + "hashes", resp3: resp3, setup: [][]string{
				many(cmd("HSET", "h512"), 512, fieldValue), many(cmd("HSET", "h513"), 513, fieldValue),
				cmd("HSET", "v64", "f", strings.Repeat("v", 64)), cmd("HSET", "v65", "f", strings.Repeat("v", 65)),
				cmd("HSET", "f64", strings.Repeat("f", 64), "v"), cmd("HSET", "f65", strings.Repeat("f", 65), "v"),
			}, cmds: append(enc("h512", "h513", "v64", "v65", "f64", "f65"),
				cmd("CONFIG", "SET", "hash-max-listpack-entries", "2"), cmd("CONFIG", "SET", "hash-max-listpack-value", "3"),
				cmd("HSET", "two", "a", "1", "b", "2"), cmd("HSET", "three", "a", "1", "b", "2", "c", "3"), cmd("HSET", "long", "a", "1234"),
				cmd("OBJECT", "ENCODING", "two"), cmd("OBJECT", "ENCODING", "three"), cmd("OBJECT", "ENCODING", "long"),
				cmd("CONFIG", "SET", "hash-max-ziplist-entries", "512"), cmd("CONFIG", "SET", "hash-max-ziplist-value", "64"))},
			dcase{name: p + "sorted sets", resp3: resp3, setup: [][]string{
				many(cmd("ZADD", "z128"), 128, scoreMember), many(cmd("ZADD", "z129"), 129, scoreMember),
				cmd("ZADD", "m64", "1", strings.Repeat("m", 64)), cmd("ZADD", "m65", "1", strings.Repeat("m", 65)),
			}, cmds: append(enc("z128", "z129", "m64", "m65"),
				cmd("CONFIG", "SET", "zset-max-listpack-entries", "0"), cmd("ZADD", "zero", "1", "a"), cmd("OBJECT", "ENCODING", "zero"),
				cmd("CONFIG", "SET", "zset-max-listpack-entries", "128"), cmd("CONFIG", "SET", "zset-max-listpack-value", "2"),
				cmd("ZADD", "short", "1", "ab"), cmd("ZADD", "long", "1", "abc"), cmd("OBJECT", "ENCODING", "short"), cmd("OBJECT", "ENCODING", "long"),
				cmd("CONFIG", "SET", "zset-max-listpack-value", "64"))},
			dcase{name: p + "encodings after DEBUG RELOAD", resp3: resp3, setup: [][]string{
				many(cmd("HSET", "h"), 600, fieldValue), many(cmd("SADD", "s"), 600, ints), cmd("SADD", "sx", "a", "1"),
				many(cmd("ZADD", "z"), 200, scoreMember), cmd("APPEND", "str", "abc"),
			}, cmds: [][]string{
				cmd("HDEL", "h", "f1"), cmd("SREM", "sx", "a"), cmd("DEBUG", "RELOAD"),
				cmd("OBJECT", "ENCODING", "h"), cmd("OBJECT", "ENCODING", "s"), cmd("OBJECT", "ENCODING", "sx"), cmd("OBJECT", "ENCODING", "z"), cmd("OBJECT", "ENCODING", "str"),
			}},
			dcase{name: p + "encodings that Redis keeps after a value shrinks", resp3: resp3,
				skip:  "fnkit derives the encodings of sets, hashes and sorted sets from the current value: Redis keeps the large encoding after one shrinks, until DEBUG RELOAD or the key is rewritten (the string of this case, raw after APPEND, matches)",
				setup: [][]string{cmd("SADD", "sx", "a", "1"), cmd("HSET", "h", "f", strings.Repeat("v", 100)), cmd("APPEND", "str", "abc")},
				cmds:  [][]string{cmd("SREM", "sx", "a"), cmd("HSET", "h", "f", "short"), cmd("OBJECT", "ENCODING", "sx"), cmd("OBJECT", "ENCODING", "h"), cmd("OBJECT", "ENCODING", "str")}},
		)
	}
	srv, real := startDebugPair(t, runtime.Config{}, "enable-debug-command yes")
	runCasesOn(t, srv, real, cases)
}

// TestDiffConfigThresholds covers CONFIG GET and SET of the parameters
// OBJECT ENCODING, DEBUG and persistence use: values, aliases, units and
// Redis's errors.
func TestDiffConfigThresholds(t *testing.T) {
	names := []string{"hash-max-listpack-entries", "hash-max-listpack-value", "zset-max-listpack-entries", "zset-max-listpack-value",
		"set-max-intset-entries", "list-max-listpack-size", "list-compress-depth", "stream-node-max-bytes", "stream-node-max-entries",
		"hash-max-ziplist-entries", "hash-max-ziplist-value", "zset-max-ziplist-entries", "zset-max-ziplist-value", "list-max-ziplist-size",
		"lfu-log-factor", "lfu-decay-time", "enable-debug-command", "appendonly", "maxmemory-policy"}
	var gets [][]string
	for _, n := range names {
		gets = append(gets, cmd("CONFIG", "GET", n))
	}
	var cases []dcase
	for _, resp3 := range []bool{false, true} {
		p := "resp2 "
		if resp3 {
			p = "resp3 "
		}
		cases = append(cases,
			dcase{name: p + "get", resp3: resp3, cmds: append(gets, cmd("CONFIG", "GET", "*listpack*"), cmd("CONFIG", "GET", "*ziplist*"), cmd("CONFIG", "GET", "stream-node-*")), unordered: true},
			dcase{name: p + "set", resp3: resp3, cmds: [][]string{
				cmd("CONFIG", "SET", "hash-max-listpack-entries", "abc"), cmd("CONFIG", "SET", "hash-max-listpack-entries", "-1"),
				cmd("CONFIG", "SET", "hash-max-listpack-entries", "1kb"), cmd("CONFIG", "SET", "hash-max-listpack-entries", "64"),
				cmd("CONFIG", "GET", "hash-max-ziplist-entries"), cmd("CONFIG", "SET", "hash-max-ziplist-entries", "512"),
				cmd("CONFIG", "SET", "hash-max-listpack-value", "1kb"), cmd("CONFIG", "GET", "hash-max-listpack-value"),
				cmd("CONFIG", "SET", "hash-max-listpack-value", "-1"), cmd("CONFIG", "SET", "hash-max-listpack-value", "x"),
				cmd("CONFIG", "SET", "hash-max-listpack-value", "64"), cmd("CONFIG", "SET", "list-max-listpack-size", "-5"),
				cmd("CONFIG", "SET", "list-max-listpack-size", "3000000000"), cmd("CONFIG", "GET", "list-max-ziplist-size"),
				cmd("CONFIG", "SET", "list-max-listpack-size", "-2"), cmd("CONFIG", "SET", "stream-node-max-bytes", "8kb"),
				cmd("CONFIG", "GET", "stream-node-max-bytes"), cmd("CONFIG", "SET", "stream-node-max-bytes", "4096"),
				cmd("CONFIG", "SET", "list-compress-depth", "-1"), cmd("CONFIG", "SET", "set-max-intset-entries", "0"),
				cmd("CONFIG", "SET", "set-max-intset-entries", "512"), cmd("CONFIG", "SET", "enable-debug-command", "no"),
				cmd("CONFIG", "SET", "appendonly", "maybe"), cmd("CONFIG", "SET", "appendonly", "no"), cmd("CONFIG", "GET", "appendonly"),
				cmd("CONFIG", "SET", "zset-max-ziplist-value", "32"), cmd("CONFIG", "GET", "zset-max-listpack-value"), cmd("CONFIG", "SET", "zset-max-ziplist-value", "64"),
			}},
		)
	}
	srv, real := startDebugPair(t, runtime.Config{}, "enable-debug-command local")
	runCasesOn(t, srv, real, cases)
}
