package runtime_test

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/rdbfmt"
	"github.com/fnkit/fnkit/runtime"
)

// Differential tests of DUMP against a real redis-server 7.0.15: the same
// value built by the same commands dumps to the same bytes, for every type
// and encoding (around the thresholds, with default and changed
// configuration).

// encodingDefaults puts the configuration DUMP depends on back to Redis
// 7.0's defaults (the harness's reset does not touch it).
var encodingDefaults = [][]string{
	cmd("CONFIG", "SET", "hash-max-listpack-entries", "512"), cmd("CONFIG", "SET", "hash-max-listpack-value", "64"),
	cmd("CONFIG", "SET", "zset-max-listpack-entries", "128"), cmd("CONFIG", "SET", "zset-max-listpack-value", "64"),
	cmd("CONFIG", "SET", "set-max-intset-entries", "512"), cmd("CONFIG", "SET", "list-max-listpack-size", "-2"),
	cmd("CONFIG", "SET", "stream-node-max-bytes", "4096"), cmd("CONFIG", "SET", "stream-node-max-entries", "100"),
	cmd("CONFIG", "SET", "rdbcompression", "yes"),
}

// dumpValue is a value of key "k" and the commands that build it.
type dumpValue struct {
	name  string
	build [][]string
	// why says why fnkit's bytes cannot be Redis's ("": they are); the
	// cross-restore test covers the value either way.
	why string
	// noEncoding leaves OBJECT ENCODING out (APPEND makes a raw string of
	// an integer in Redis; fnkit reports "int": the dump is the same).
	noEncoding bool
	// dumpOnly leaves the value out of the cross-restore test, saying why.
	dumpOnly string
}

func conf(name, v string) []string { return cmd("CONFIG", "SET", name, v) }

// seq returns prefix0 … prefix(n-1).
func seq(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = prefix + strconv.Itoa(i)
	}
	return out
}

// pairs returns field/member, value/score pairs made by f.
func pairs(n int, f func(i int) (string, string)) []string {
	var out []string
	for i := 0; i < n; i++ {
		a, b := f(i)
		out = append(out, a, b)
	}
	return out
}

func streamAdds(n int, f func(i int) []string) [][]string {
	var out [][]string
	for i := 0; i < n; i++ {
		out = append(out, append([]string{"XADD", "k", strconv.Itoa(i+1) + "-" + strconv.Itoa(i%3)}, f(i)...))
	}
	return out
}

const hashOrder = "the keyspace does not keep a hash's insertion order: fnkit writes listpack fields sorted"

var dumpValues = []dumpValue{
	{name: "string int small", build: [][]string{cmd("SET", "k", "7")}},
	{name: "string int negative", build: [][]string{cmd("SET", "k", "-32769")}},
	{name: "string int 32-bit", build: [][]string{cmd("SET", "k", "2147483647")}},
	{name: "string int 64-bit", build: [][]string{cmd("SET", "k", "-9223372036854775808")}},
	{name: "string not canonical int", build: [][]string{cmd("SET", "k", "007")}},
	{name: "string embstr", build: [][]string{cmd("SET", "k", "hello world")}},
	{name: "string embstr 44", build: [][]string{cmd("SET", "k", strings.Repeat("q", 44))}},
	{name: "string raw incompressible", build: [][]string{cmd("SET", "k", "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGHIJKLM")}},
	{name: "string raw lzf", build: [][]string{cmd("SET", "k", strings.Repeat("abc", 400))}},
	{name: "string binary", build: [][]string{cmd("SET", "k", "a\x00b\xff\r\n")}},
	{name: "string empty", build: [][]string{cmd("SET", "k", "")}},
	{name: "string append", build: [][]string{cmd("SET", "k", "12"), cmd("APPEND", "k", "34")}, noEncoding: true},
	{name: "string incr", build: [][]string{cmd("INCRBY", "k", "123456789")}},
	{name: "string no compression", build: [][]string{conf("rdbcompression", "no"), cmd("SET", "k", strings.Repeat("abc", 400))}},
	{name: "list small", build: [][]string{cmd("RPUSH", "k", "a", "1", "", "-7", "4096", "-4097", "70000", "3000000000", strings.Repeat("x", 70), strings.Repeat("y", 5000))}},
	{name: "list one node limit", build: [][]string{rpushLike("RPUSH", seq("elem", 2000)...)}},
	{name: "list integers", build: [][]string{rpushLike("RPUSH", seq("", 5000)[1:]...)}},
	{name: "list large elements", build: [][]string{append([]string{"RPUSH", "k"}, func() []string {
		var out []string
		for i := 0; i < 300; i++ {
			out = append(out, strings.Repeat(fmt.Sprintf("v%d", i), i%300+1))
		}
		return out
	}()...)}},
	{name: "list element over 8kb", build: [][]string{cmd("RPUSH", "k", "a", strings.Repeat("z", 9000), "b", "c")}},
	{name: "list fill 5", build: [][]string{conf("list-max-listpack-size", "5"), rpushLike("RPUSH", seq("", 23)...)}},
	{name: "list fill 1", build: [][]string{conf("list-max-listpack-size", "1"), cmd("RPUSH", "k", "a", "b", "c")}},
	{name: "list fill 0", build: [][]string{conf("list-max-listpack-size", "0"), cmd("RPUSH", "k", "a", "b", "c")}},
	{name: "list fill -1", build: [][]string{conf("list-max-listpack-size", "-1"), rpushLike("RPUSH", seq("e", 3000)...)}},
	{name: "list fill -5", build: [][]string{conf("list-max-listpack-size", "-5"), rpushLike("RPUSH", seq("e", 30000)...)}},
	{name: "list fill -3 count 3000", build: [][]string{conf("list-max-listpack-size", "-3"), rpushLike("RPUSH", seq("abcdefgh", 3000)...)}},
	{name: "list fill 1000 small", build: [][]string{conf("list-max-listpack-size", "1000"), rpushLike("RPUSH", seq("", 2500)...)}},
	{name: "list no compression", build: [][]string{conf("rdbcompression", "no"), rpushLike("RPUSH", seq("elem", 50)...)}},
	{name: "set intset 16", build: [][]string{cmd("SADD", "k", "3", "1", "2", "-7", "32767", "-32768")}},
	{name: "set intset 32", build: [][]string{cmd("SADD", "k", "3", "100000", "-2147483648")}},
	{name: "set intset 64", build: [][]string{cmd("SADD", "k", "3", "10000000000", "-9223372036854775808")}},
	{name: "set intset at limit", build: [][]string{conf("set-max-intset-entries", "4"), cmd("SADD", "k", "4", "3", "2", "1")}},
	{name: "set intset 512", build: [][]string{rpushLike("SADD", seq("", 512)...)}},
	{name: "set hashtable one member", build: [][]string{cmd("SADD", "k", "only")}},
	{name: "hash listpack", build: [][]string{cmd("HSET", "k", "a", "1", "b", "hello", "c", strings.Repeat("x", 30), "d", "", "e", "-5000000")}},
	{name: "hash listpack 64-byte value", build: [][]string{cmd("HSET", "k", "f", strings.Repeat("v", 64))}},
	{name: "hash listpack lzf", build: [][]string{rpushLike("HSET", pairs(100, func(i int) (string, string) {
		return fmt.Sprintf("field:%03d", i), "value"
	})...)}},
	{name: "hash listpack lowered", build: [][]string{conf("hash-max-listpack-entries", "3"), cmd("HSET", "k", "x", "1", "y", "2", "z", "3")}},
	{name: "hash hashtable one field", build: [][]string{cmd("HSET", "k", "f", strings.Repeat("v", 65))}},
	{name: "hash listpack insertion order", build: [][]string{cmd("HSET", "k", "b", "1", "a", "2")}, why: hashOrder},
	{name: "zset listpack", build: [][]string{cmd("ZADD", "k", "1", "a", "2.5", "b", "0.1", "c", "-1", "d", "1e20", "e", "inf", "f", "-inf", "g", "100", strings.Repeat("x", 30),
		"4503599627370495", "h", "4503599627370496", "i", "-4503599627370494", "j", "1e-300", "l", "3.141592653589793", "m")}},
	{name: "zset listpack negative zero", build: [][]string{cmd("ZADD", "k", "-0", "a", "0", "b")}, dumpOnly: "Redis keeps -0 as 0 in a listpack (its digest too); the keyspace keeps -0"},
	{name: "zset listpack same scores", build: [][]string{cmd("ZADD", "k", "1", "b", "1", "a", "1", "c", "0", "z")}},
	{name: "zset listpack inexact", build: [][]string{cmd("ZADD", "k", "0.30000000000000004", "a", "1e-7", "b", "123456789.125", "c")}},
	{name: "zset listpack 128", build: [][]string{rpushLike("ZADD", pairs(128, func(i int) (string, string) {
		return strconv.Itoa(i * 7 % 128), "m" + strconv.Itoa(i)
	})...)}},
	{name: "zset skiplist entries", build: [][]string{rpushLike("ZADD", pairs(200, func(i int) (string, string) {
		return strconv.FormatFloat(float64(i)*1.5, 'g', -1, 64), "m" + strconv.Itoa(i)
	})...)}},
	{name: "zset skiplist value", build: [][]string{cmd("ZADD", "k", "1", strings.Repeat("m", 65), "2", "12", "0.5", "x")}},
	{name: "zset skiplist lowered", build: [][]string{conf("zset-max-listpack-entries", "2"), cmd("ZADD", "k", "1", "a", "2", "b", "3", "c")}},
	{name: "stream", build: [][]string{cmd("XADD", "k", "1-1", "a", "1", "b", "2"), cmd("XADD", "k", "1-2", "a", "3", "b", "4"), cmd("XADD", "k", "2-0", "c", "x")}},
	{name: "stream fields differ", build: [][]string{cmd("XADD", "k", "1-1", "a", "1"), cmd("XADD", "k", "1-2", "b", "1"), cmd("XADD", "k", "1-3", "a", "2"), cmd("XADD", "k", "5-0", "a", "2", "b", "3")}},
	{name: "stream many nodes", build: streamAdds(350, func(i int) []string { return []string{"f", "v" + strconv.Itoa(i), "g", strings.Repeat("x", i%50)} })},
	{name: "stream node entries", build: append([][]string{conf("stream-node-max-entries", "3")}, streamAdds(20, func(i int) []string { return []string{"f", strconv.Itoa(i)} })...)},
	{name: "stream node bytes", build: append([][]string{conf("stream-node-max-bytes", "100")}, streamAdds(20, func(i int) []string { return []string{"f", "v" + strconv.Itoa(i), "g", strings.Repeat("x", i)} })...)},
	{name: "stream node entries 0", build: append([][]string{conf("stream-node-max-entries", "0")}, streamAdds(150, func(i int) []string { return []string{"f", strconv.Itoa(i)} })...)},
	{name: "stream group at $", build: [][]string{cmd("XADD", "k", "1-1", "a", "1"), cmd("XADD", "k", "2-1", "a", "2"), cmd("XGROUP", "CREATE", "k", "g", "$")}},
	{name: "stream group at 0", build: [][]string{cmd("XADD", "k", "1-1", "a", "1"), cmd("XGROUP", "CREATE", "k", "g", "0")}},
	{name: "stream empty with group", build: [][]string{cmd("XGROUP", "CREATE", "k", "g", "$", "MKSTREAM")}},
	{name: "stream consumers", build: [][]string{cmd("XADD", "k", "1-1", "a", "1"), cmd("XADD", "k", "1-2", "a", "2"), cmd("XGROUP", "CREATE", "k", "g", "0"),
		cmd("XREADGROUP", "GROUP", "g", "alice", "COUNT", "1", "STREAMS", "k", ">")},
		why: "consumers' seen times and pending entries' delivery times are clock readings of each server"},
}

// dumpCase builds the value and compares DUMP and OBJECT ENCODING.
func dumpCase(v dumpValue) dcase {
	setup := append(append([][]string{}, encodingDefaults...), v.build...)
	cmds := [][]string{cmd("OBJECT", "ENCODING", "k"), cmd("DUMP", "k")}
	if v.noEncoding {
		cmds = cmds[1:]
	}
	return dcase{name: v.name, setup: setup, cmds: cmds, skip: v.why}
}

func TestDiffDump(t *testing.T) {
	var cases []dcase
	for _, v := range dumpValues {
		cases = append(cases, dumpCase(v))
	}
	cases = append(cases,
		dcase{name: "missing key", cmds: [][]string{cmd("DUMP", "nokey")}},
		dcase{name: "missing key resp3", resp3: true, cmds: [][]string{cmd("DUMP", "nokey"), cmd("SET", "k", "v"), cmd("DUMP", "k")}},
		dcase{name: "arity", cmds: [][]string{cmd("DUMP"), cmd("DUMP", "a", "b")}},
		dcase{name: "expired key", setup: [][]string{cmd("SET", "k", "v", "PX", "1")}, cmds: [][]string{cmd("DEBUG", "SLEEP", "0.01"), cmd("DUMP", "k")}},
		dcase{name: "ttl is not in the payload", setup: [][]string{cmd("SET", "k", "v", "EX", "1000")}, cmds: [][]string{cmd("DUMP", "k")}},
		dcase{name: "in a function", setup: [][]string{
			load(fn1("dumpit", "return redis.call('DUMP', keys[1])")),
			cmd("RPUSH", "k", "a", "1", "b"),
		}, cmds: [][]string{cmd("FCALL", "dumpit", "1", "k"), cmd("FCALL_RO", "dumpit", "1", "k"), cmd("FCALL", "dumpit", "1", "nokey")}},
		dcase{name: "in a read-only function", setup: [][]string{
			load(lib("ro", "redis.register_function{function_name='dumpro', callback=function(keys) return redis.call('DUMP', keys[1]) end, flags={'no-writes'}}")),
			cmd("ZADD", "k", "1", "a"),
		}, cmds: [][]string{cmd("FCALL_RO", "dumpro", "1", "k")}},
		dcase{name: "in a script", setup: [][]string{cmd("SADD", "k", "1", "2")}, cmds: [][]string{cmd("EVAL", "return redis.call('DUMP', KEYS[1])", "1", "k")}},
		dcase{name: "in a transaction", setup: [][]string{cmd("SET", "k", "12")}, cmds: [][]string{cmd("MULTI"), cmd("DUMP", "k"), cmd("INCR", "k"), cmd("DUMP", "k"), cmd("EXEC")}},
	)
	srv, real := startDebugPair(t, runtime.Config{}, "enable-debug-command yes")
	runCasesOn(t, srv, real, cases)
}

// seal appends a DUMP footer (RDB version, CRC-64) to a payload body.
func seal(body string, version uint16) string {
	b := binary.LittleEndian.AppendUint16([]byte(body), version)
	return string(binary.LittleEndian.AppendUint64(b, rdbfmt.CRC64(0, b)))
}

// rpushLike is the command name, "k", and args.
func rpushLike(name string, args ...string) []string {
	return append([]string{name, "k"}, args...)
}
