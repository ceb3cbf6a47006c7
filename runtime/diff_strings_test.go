package runtime_test

import (
	"strings"
	"testing"
)

// String commands where miniredis answers differently from Redis 7.0
// (keyspace/strings.go) and LCS (cmd_lcs.go), against a real
// redis-server: the edge cases of Redis's unit/type/string and
// unit/type/incr and their neighbours, in RESP2 and RESP3, from a client
// and from a function.

// stringCases returns, for each protocol, a case running cmds directly
// and a case running each through FCALL run 0 (a function that returns
// redis.call(unpack(args))).
func stringCases(name string, setup, cmds [][]string) []dcase {
	return bothWays(name+" ", append([][]string{runLib}, setup...), cmds)
}

var stringSetup = [][]string{
	cmd("SET", "s", "foo"), cmd("SET", "i", "1234"), cmd("SET", "e", ""), cmd("SET", "t", "hello", "EX", "100"),
	cmd("RPUSH", "l", "x"), cmd("HSET", "h", "f", "v"), cmd("SADD", "set", "m"), cmd("ZADD", "z", "1", "a"),
}

func TestDiffSetRange(t *testing.T) {
	cmds := [][]string{
		// against a missing key: "" makes no key
		cmd("SETRANGE", "new", "0", "foo"), cmd("GET", "new"),
		cmd("SETRANGE", "none", "0", ""), cmd("EXISTS", "none"),
		cmd("SETRANGE", "none", "100", ""), cmd("EXISTS", "none"),
		cmd("SETRANGE", "none", "536870912", ""), cmd("EXISTS", "none"),
		cmd("SETRANGE", "pad", "1", "foo"), cmd("GET", "pad"),
		// against a string and an integer
		cmd("SETRANGE", "s", "0", "b"), cmd("GET", "s"),
		cmd("SETRANGE", "s", "0", ""), cmd("SETRANGE", "s", "10", ""), cmd("SETRANGE", "s", "536870912", ""), cmd("GET", "s"),
		cmd("SETRANGE", "s", "5", "bar"), cmd("GET", "s"),
		cmd("SETRANGE", "i", "0", "2"), cmd("GET", "i"), cmd("SETRANGE", "i", "5", "2"), cmd("GET", "i"),
		cmd("SETRANGE", "e", "0", ""), cmd("EXISTS", "e"), cmd("SETRANGE", "e", "2", "x"), cmd("GET", "e"),
		// the TTL stays
		cmd("SETRANGE", "t", "0", "j"), cmd("GET", "t"), cmd("TTL", "t"),
		// errors, in Redis's order (offset, type, size)
		cmd("SETRANGE", "s", "-1", "world"), cmd("SETRANGE", "s", "+1", "x"), cmd("SETRANGE", "s", "01", "x"),
		cmd("SETRANGE", "s", "x", "x"), cmd("SETRANGE", "s", "1.5", "x"), cmd("SETRANGE", "s", "", "x"),
		cmd("SETRANGE", "s", "99999999999999999999", "x"),
		cmd("SETRANGE", "new2", "536870908", "world"), cmd("SETRANGE", "s", "536870908", "world"),
		cmd("SETRANGE", "s", "536870912", "x"),
		cmd("SETRANGE", "K", "9223372036854775807", "A"), cmd("SETRANGE", "K", "2147483647", "A"), cmd("EXISTS", "K"),
		cmd("SETRANGE", "l", "0", "bar"), cmd("SETRANGE", "l", "0", ""), cmd("SETRANGE", "l", "-1", "bar"),
		cmd("SETRANGE", "l", "536870912", "x"), cmd("SETRANGE", "h", "0", "x"),
		cmd("SETRANGE", "s", "0"), cmd("SETRANGE", "s", "0", "a", "b"),
	}
	runCases(t, stringCases("SETRANGE", stringSetup, cmds))
}

func TestDiffBits(t *testing.T) {
	cmds := [][]string{
		cmd("SETBIT", "b", "1", "1"), cmd("SETBIT", "b", "7", "1"), cmd("GET", "b"), cmd("SETBIT", "b", "7", "0"),
		cmd("SETBIT", "b", "23", "1"), cmd("GET", "b"), cmd("SETBIT", "b", "1", "1"),
		cmd("SETBIT", "i", "2", "0"), cmd("GET", "i"), cmd("SETBIT", "t", "0", "1"), cmd("GET", "t"), cmd("TTL", "t"),
		cmd("SETBIT", "e", "0", "0"), cmd("GET", "e"),
		// offsets: a byte past 512 MB is out of range; Redis's integers
		cmd("SETBIT", "b", "4294967296", "1"), cmd("SETBIT", "b", "-1", "1"), cmd("SETBIT", "b", "+1", "1"),
		cmd("SETBIT", "b", "01", "1"), cmd("SETBIT", "b", "x", "1"), cmd("SETBIT", "b", "9223372036854775807", "1"),
		cmd("SETBIT", "b", "99999999999999999999", "1"), cmd("SETBIT", "b", "", "1"),
		// values
		cmd("SETBIT", "b", "0", "-1"), cmd("SETBIT", "b", "0", "2"), cmd("SETBIT", "b", "0", "10"), cmd("SETBIT", "b", "0", "20"),
		cmd("SETBIT", "b", "0", "+1"), cmd("SETBIT", "b", "0", "01"), cmd("SETBIT", "b", "0", "x"), cmd("SETBIT", "b", "0", ""),
		cmd("SETBIT", "b", "4294967296", "2"),
		// types, after the arguments
		cmd("SETBIT", "l", "0", "1"), cmd("SETBIT", "l", "-1", "1"), cmd("SETBIT", "l", "0", "2"), cmd("SETBIT", "z", "0", "1"),
		cmd("EXISTS", "none"), cmd("SETBIT", "none", "4294967296", "1"), cmd("EXISTS", "none"),
		// GETBIT
		cmd("GETBIT", "none", "0"), cmd("GETBIT", "b", "1"), cmd("GETBIT", "b", "2"), cmd("GETBIT", "b", "23"),
		cmd("GETBIT", "b", "24"), cmd("GETBIT", "b", "10000"), cmd("GETBIT", "b", "4294967295"),
		cmd("GETBIT", "i", "2"), cmd("GETBIT", "i", "3"), cmd("GETBIT", "i", "100"),
		cmd("GETBIT", "b", "4294967296"), cmd("GETBIT", "b", "-1"), cmd("GETBIT", "b", "+1"), cmd("GETBIT", "b", "01"),
		cmd("GETBIT", "b", "x"), cmd("GETBIT", "none", "4294967296"), cmd("GETBIT", "l", "0"), cmd("GETBIT", "l", "-1"),
		cmd("GETBIT", "b"),
	}
	runCases(t, stringCases("bits", stringSetup, cmds))
}

func TestDiffGetRangeAppend(t *testing.T) {
	setup := append([][]string{cmd("SET", "hw", "Hello World")}, stringSetup...)
	var cmds [][]string
	for _, r := range [][2]string{
		{"0", "3"}, {"0", "-1"}, {"-4", "-1"}, {"5", "3"}, {"5", "5000"}, {"-5000", "10000"}, {"0", "4294967297"},
		{"-1", "-5"}, {"-5", "-1"}, {"-100", "-50"}, {"-100", "-1"}, {"0", "-100"}, {"3", "-100"}, {"11", "11"},
		{"10", "10"}, {"9223372036854775807", "9223372036854775807"}, {"-9223372036854775808", "9223372036854775807"},
		{"-9223372036854775808", "-9223372036854775808"}, {"0", "0"},
	} {
		cmds = append(cmds, cmd("GETRANGE", "hw", r[0], r[1]), cmd("GETRANGE", "i", r[0], r[1]), cmd("GETRANGE", "e", r[0], r[1]),
			cmd("GETRANGE", "none", r[0], r[1]))
	}
	cmds = append(cmds,
		cmd("GETRANGE", "hw", "+1", "2"), cmd("GETRANGE", "hw", "01", "2"), cmd("GETRANGE", "hw", "1", "x"),
		cmd("GETRANGE", "hw", "99999999999999999999", "1"), cmd("GETRANGE", "l", "0", "1"), cmd("GETRANGE", "l", "x", "1"),
		cmd("GETRANGE", "none", "x", "1"), cmd("GETRANGE", "hw", "0"),
		// APPEND
		cmd("APPEND", "new", "foo"), cmd("APPEND", "new", "bar"), cmd("GET", "new"), cmd("APPEND", "new", ""),
		cmd("APPEND", "empty", ""), cmd("EXISTS", "empty"), cmd("GET", "empty"),
		cmd("APPEND", "i", "5"), cmd("GET", "i"), cmd("INCR", "i"), cmd("APPEND", "t", " you"), cmd("GET", "t"), cmd("TTL", "t"),
		cmd("APPEND", "l", "x"), cmd("APPEND", "l", ""), cmd("APPEND", "h", "x"), cmd("STRLEN", "new"), cmd("STRLEN", "l"),
		cmd("APPEND", "new"),
	)
	runCases(t, stringCases("GETRANGE APPEND", setup, cmds))
}

func TestDiffIncrByFloat(t *testing.T) {
	setup := append([][]string{
		cmd("SET", "n", "10.5"), cmd("SET", "word", "abc"), cmd("SET", "inf", "inf"), cmd("SET", "big", "1e4932"),
		cmd("SET", "nul", "1\x002"), cmd("SET", "sp", " 1"), cmd("SET", "hex", "0x10"), cmd("PFADD", "hll", "a"),
	}, stringSetup...)
	cmds := [][]string{
		// incr.tcl
		cmd("INCRBYFLOAT", "novar", "1"), cmd("INCRBYFLOAT", "novar", "0.25"), cmd("INCRBYFLOAT", "n", "0.1"),
		cmd("SET", "foo", "5.0e3"), cmd("INCRBYFLOAT", "foo", "2.0e2"), cmd("SET", "foo", "0"),
		cmd("INCRBYFLOAT", "foo", "+inf"), cmd("INCRBYFLOAT", "foo", "-inf"), cmd("INCRBYFLOAT", "foo", "inf"),
		cmd("INCRBYFLOAT", "foo", "Infinity"), cmd("INCRBYFLOAT", "foo", "infinit"), cmd("INCRBYFLOAT", "foo", "nan"),
		cmd("INCRBYFLOAT", "foo", "-NaN"), cmd("GET", "foo"),
		cmd("SET", "foo", "1"), cmd("INCRBYFLOAT", "foo", "-1.1"),
		cmd("DEL", "foo"), cmd("INCRBYFLOAT", "foo", "0.024390243902439025"), cmd("INCRBYFLOAT", "foo", "-0.024390243902439025"),
		cmd("GET", "foo"),
		cmd("SET", "foo", "1"), cmd("INCRBYFLOAT", "foo", "-1"), cmd("INCRBYFLOAT", "foo", "-0"), cmd("INCRBYFLOAT", "foo", "-1e-30"),
		// the number forms strtold reads, and what it refuses
		cmd("INCRBYFLOAT", "x1", "1e400"), cmd("INCRBYFLOAT", "x2", "1e5000"), cmd("INCRBYFLOAT", "x3", "1e-5000"),
		cmd("INCRBYFLOAT", "x4", "0e-99999"), cmd("INCRBYFLOAT", "x5", "0x10"), cmd("INCRBYFLOAT", "x6", "0x1p3"),
		cmd("INCRBYFLOAT", "x7", "0x1.8p1"), cmd("INCRBYFLOAT", "x8", "0X.8"), cmd("INCRBYFLOAT", "x9", "0x"),
		cmd("INCRBYFLOAT", "x10", " 1"), cmd("INCRBYFLOAT", "x11", "1 "), cmd("INCRBYFLOAT", "x12", ""),
		cmd("INCRBYFLOAT", "x13", "1e"), cmd("INCRBYFLOAT", "x14", "1."), cmd("INCRBYFLOAT", "x15", ".5"),
		cmd("INCRBYFLOAT", "x16", "-.5"), cmd("INCRBYFLOAT", "x17", "+5"), cmd("INCRBYFLOAT", "x18", "1e+2"),
		cmd("INCRBYFLOAT", "x19", "1E2"), cmd("INCRBYFLOAT", "x20", "00012"), cmd("INCRBYFLOAT", "x21", "."),
		cmd("INCRBYFLOAT", "x22", "1e-4951"), cmd("INCRBYFLOAT", "x23", "2e-4951"), cmd("INCRBYFLOAT", "x24", "1.18e4932"),
		cmd("INCRBYFLOAT", "x25", "1.19e4932"), cmd("INCRBYFLOAT", "x26", "1.2e4932"), cmd("INCRBYFLOAT", "x27", "0x1p16383"),
		cmd("INCRBYFLOAT", "x28", "0x1p16384"), cmd("INCRBYFLOAT", "x29", "0x1p-16445"), cmd("INCRBYFLOAT", "x30", "0x1p-16446"),
		cmd("INCRBYFLOAT", "x32", "1\x00"),
		cmd("INCRBYFLOAT", "x33", "123456789012345678901234567890.123456789"), cmd("INCRBYFLOAT", "x34", "3.0000000000000000000000001"),
		cmd("INCRBYFLOAT", "x35", "1.00000000000000000000"), cmd("INCRBYFLOAT", "x36", "0.1"), cmd("INCRBYFLOAT", "x36", "0.2"),
		cmd("INCRBYFLOAT", "x37", "1.7976931348623157e308"), cmd("INCRBYFLOAT", "x37", "1.7976931348623157e308"),
		cmd("INCRBYFLOAT", "x38", "0.000003814697265625"), cmd("INCRBYFLOAT", "x39", "0.000011444091796875"),
		cmd("INCRBYFLOAT", "x40", "-0.000003814697265625"), cmd("INCRBYFLOAT", "x41", "1e-17"), cmd("INCRBYFLOAT", "x42", "5e-18"),
		cmd("INCRBYFLOAT", "x43", "9223372036854775807"), cmd("INCRBYFLOAT", "x43", "1"), cmd("INCRBYFLOAT", "x44", strings.Repeat("1", 5119)),
		cmd("INCRBYFLOAT", "x45", strings.Repeat("1", 5120)), cmd("INCRBYFLOAT", "x46", "0."+strings.Repeat("0", 5000)+"1"),
		cmd("INCRBYFLOAT", "x47", "1e-0"), cmd("INCRBYFLOAT", "x48", "1e99999999999999999999"), cmd("INCRBYFLOAT", "x49", "1e-99999999999999999999"),
		cmd("INCRBYFLOAT", "x50", "1.5e-10"), cmd("INCRBYFLOAT", "x51", "-3.3333333333333333333333"),
		// the stored value
		cmd("INCRBYFLOAT", "big", "1e4932"), cmd("INCRBYFLOAT", "big", "-1e4932"), cmd("INCRBYFLOAT", "inf", "1"),
		cmd("INCRBYFLOAT", "word", "1"), cmd("INCRBYFLOAT", "nul", "1"), cmd("INCRBYFLOAT", "sp", "1"), cmd("INCRBYFLOAT", "hex", "1"),
		cmd("INCRBYFLOAT", "e", "1"), cmd("INCRBYFLOAT", "i", "1.5"), cmd("INCRBYFLOAT", "hll", "1"),
		// type first, then the value, then the increment; the TTL stays
		cmd("INCRBYFLOAT", "l", "x"), cmd("INCRBYFLOAT", "word", "x"), cmd("INCRBYFLOAT", "t", "x"), cmd("INCRBYFLOAT", "h", "1"),
		cmd("SET", "t", "1.5", "KEEPTTL"), cmd("INCRBYFLOAT", "t", "1"), cmd("TTL", "t"),
		cmd("INCRBYFLOAT", "foo"),
	}
	cases := stringCases("INCRBYFLOAT", setup, cmds)
	cases = append(cases, dcase{name: "INCRBYFLOAT just above half the smallest subnormal", cmds: [][]string{
		cmd("INCRBYFLOAT", "x", "0x1.0000000000000001p-16446"), cmd("INCRBYFLOAT", "x", "0x1.00000000000000000001p-16446"),
	}, skip: "glibc's strtold refuses these (ERANGE, zero) though they round to the smallest subnormal; fnkit takes them"})
	runCases(t, cases)
}

// The encodings Redis gives strings written in place (raw) or by
// INCRBYFLOAT (never int).
func TestDiffStringEncodings(t *testing.T) {
	runCases(t, []dcase{{name: "OBJECT ENCODING", setup: stringSetup, cmds: [][]string{
		cmd("OBJECT", "ENCODING", "i"), cmd("SETRANGE", "i", "0", ""), cmd("OBJECT", "ENCODING", "i"),
		cmd("SETRANGE", "i", "0", "2"), cmd("OBJECT", "ENCODING", "i"), cmd("GET", "i"), cmd("SET", "i", "2234"), cmd("OBJECT", "ENCODING", "i"),
		cmd("SETRANGE", "new", "0", "foo"), cmd("OBJECT", "ENCODING", "new"),
		cmd("SETBIT", "i", "0", "0"), cmd("OBJECT", "ENCODING", "i"), cmd("SETBIT", "b", "0", "0"), cmd("OBJECT", "ENCODING", "b"),
		cmd("APPEND", "a", "12"), cmd("OBJECT", "ENCODING", "a"), cmd("APPEND", "a", "3"), cmd("OBJECT", "ENCODING", "a"),
		cmd("APPEND", "s", ""), cmd("OBJECT", "ENCODING", "s"), cmd("INCR", "a"), cmd("OBJECT", "ENCODING", "a"),
		cmd("INCRBYFLOAT", "f", "1"), cmd("OBJECT", "ENCODING", "f"), cmd("INCRBYFLOAT", "f", "1e30"), cmd("OBJECT", "ENCODING", "f"),
		cmd("INCRBYFLOAT", "f", "1e40"), cmd("OBJECT", "ENCODING", "f"), cmd("INCR", "f"), cmd("SET", "f", "7"), cmd("OBJECT", "ENCODING", "f"),
		cmd("SETRANGE", "i", "0", "3"), cmd("RENAME", "i", "j"), cmd("OBJECT", "ENCODING", "j"), cmd("DEL", "j"), cmd("SET", "j", "3234"),
		cmd("OBJECT", "ENCODING", "j"), cmd("SETRANGE", "j", "0", "4"), cmd("MOVE", "j", "2"), cmd("SELECT", "2"), cmd("OBJECT", "ENCODING", "j"),
		cmd("COPY", "j", "k", "DB", "3"), cmd("COPY", "j", "k2"), cmd("OBJECT", "ENCODING", "k2"), cmd("RENAMENX", "k2", "k3"), cmd("OBJECT", "ENCODING", "k3"),
		cmd("SELECT", "3"), cmd("OBJECT", "ENCODING", "k"), cmd("SELECT", "0"),
	}}})
}

func TestDiffLCS(t *testing.T) {
	rna1 := "CACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTTCGTCCGGGTGTG"
	rna2 := "ATTAAAGGTTTATACCTTCCCAGGTAACAAACCAACCAACTTTCGATCTCTTGTAGATCTGTTCTCTAAACGAACTTTAAAATCTGTGTGGCTGTCACTCGGCTGCATGCTTAGTGCACTCACGCAGTATAATTAATAACTAATTACTGTCGTTGACAGGACACGAGTAACTCGTCTATCTTCTGCAGGCTGCTTACGGTTTCGTCCGTGTTGCAGCCGATCATCAGCACATCTAGGTTT"
	setup := append([][]string{
		cmd("SET", "v1", rna1), cmd("SET", "v2", rna2), cmd("SET", "a", "ohmytext"), cmd("SET", "b", "mynewtext"),
		cmd("SET", "x", "abc"), cmd("SET", "y", "xyz"), cmd("SET", "n", "12345"), cmd("SET", "m", "2x4y5"),
		cmd("SET", "big1", strings.Repeat("ab", 6000)), cmd("SET", "big2", strings.Repeat("ba", 6000)), cmd("PFADD", "hll", "a"),
		load(fn1("lcs3", "redis.setresp(3)\nreturn redis.call('LCS', keys[1], keys[2], unpack(args))")),
	}, stringSetup...)
	var cmds, viaMap [][]string
	for _, k := range [][2]string{{"v1", "v2"}, {"a", "b"}, {"b", "a"}, {"x", "y"}, {"n", "m"}, {"a", "none"}, {"none", "a"}, {"none", "none2"}, {"e", "a"}, {"a", "a"}} {
		cmds = append(cmds,
			cmd("LCS", k[0], k[1]), cmd("LCS", k[0], k[1], "LEN"), cmd("LCS", k[0], k[1], "IDX"),
			cmd("LCS", k[0], k[1], "IDX", "WITHMATCHLEN"), cmd("LCS", k[0], k[1], "IDX", "WITHMATCHLEN", "MINMATCHLEN", "5"),
			cmd("LCS", k[0], k[1], "idx", "minmatchlen", "2"), cmd("LCS", k[0], k[1], "withmatchlen"),
		)
		viaMap = append(viaMap, cmd("FCALL", "lcs3", "2", k[0], k[1], "IDX", "WITHMATCHLEN"), cmd("FCALL", "lcs3", "2", k[0], k[1], "LEN"),
			cmd("FCALL", "lcs3", "2", k[0], k[1]))
	}
	cmds = append(cmds,
		cmd("LCS", "a", "b", "MINMATCHLEN", "-1", "IDX"), cmd("LCS", "a", "b", "MINMATCHLEN", "x"), cmd("LCS", "a", "b", "MINMATCHLEN"),
		cmd("LCS", "a", "b", "MINMATCHLEN", "+1"), cmd("LCS", "a", "b", "LEN", "IDX"), cmd("LCS", "a", "b", "IDX", "LEN", "bogus"),
		cmd("LCS", "a", "b", "bogus"), cmd("LCS", "a", "b", "LEN", "LEN"), cmd("LCS", "a"), cmd("LCS", "a", "b", "MINMATCHLEN", "99999999999999999999"),
		// types first, before the options; a HyperLogLog is a string in
		// Redis (README: Where it differs), not compared here
		cmd("LCS", "l", "a"), cmd("LCS", "a", "h"), cmd("LCS", "l", "a", "bogus"), cmd("LCS", "l", "none", "LEN", "IDX"),
		// the table's size against proto-max-bulk-len (12001² × 4 bytes)
		cmd("LCS", "big1", "big2", "LEN"), cmd("LCS", "big1", "big2", "bogus"), cmd("LCS", "big1", "a", "LEN"),
	)
	cases := stringCases("LCS", setup, cmds)
	// IDX's map through a function under redis.setresp(3): the function
	// returns a Lua table, whose keys gopher-lua lists in insertion order
	// and PUC-Lua in hash order (README: iteration order); compared as
	// multisets
	for _, resp3 := range []bool{false, true} {
		cases = append(cases, dcase{name: "LCS map through a function", resp3: resp3, setup: setup, cmds: viaMap, unordered: true})
	}
	runCases(t, cases)
}
