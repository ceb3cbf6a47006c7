package runtime

import (
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/resp"
	"github.com/fnkit/fnkit/runtime/cmdtable"
)

// TestACLKeysAgainstRedis compares the keys and key flags the ACL checks
// use with the real server's COMMAND GETKEYSANDFLAGS (the same
// getKeysFromCommandWithSpecs), including the commands whose key specs
// are incomplete or have variable flags.
func TestACLKeysAgainstRedis(t *testing.T) {
	real := fixtures.StartRedis(t)
	c, err := resp.Dial(real.Addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cases := []string{
		"get k", "set k v", "set k v GET", "set k v get ex 10", "set k v EX 10 KEEPTTL", "mset a 1 b 2 c 3", "del a b c",
		"fcall f 2 a b c", "fcall f 0 x", "fcall f 1abc k", "fcall_ro f 1 a", "eval s 1 a b", "evalsha s 3 a b", "fcall f -1 a",
		"zunionstore d 2 a b weights 1 2", "zunion 2 a b", "zinter 3 a b", "zdiffstore d 1 a", "zintercard 2 a b limit 1",
		"sintercard 2 a b", "lmpop 2 a b left", "blmpop 0 2 a b left", "zmpop 1 a min", "bzmpop 1 2 a b max",
		"sort k", "sort k store d", "sort k by w get g store d limit 0 1", "sort k limit 0 1 store d", "sort k store", "sort_ro k by x",
		"bitfield k get u8 0", "bitfield k set u8 0 1", "bitfield k overflow wrap get u8 0", "bitfield k incrby u8 0 1 get u8 0", "bitfield k bogus",
		"migrate h 6379 k 0 10", "migrate h 6379 \"\" 0 10 keys a b", "migrate h 6379 \"\" 0 10 copy replace auth pw keys a b", "migrate h 6379 k 0 10 keys a",
		"migrate h 6379 \"\" 0 10 auth2 u p keys a",
		"georadius k 0 0 1 km store d", "georadius k 0 0 1 km storedist d", "georadiusbymember k m 1 km store d storedist e", "georadius k 0 0 1 km store",
		"xread streams a b 0 0", "xread count 1 block 0 streams a 0", "xreadgroup group g c streams a b 0 0", "xread streams a 0 0",
		"rename a b", "copy a b", "lmove a b left right", "smove a b m", "getdel k", "getex k", "append k v", "incr k", "hset h f v",
		"pfmerge d a b", "pfcount a b", "bitop and d a b", "object encoding k", "memory usage k", "xinfo stream k", "xgroup create k g $",
		"publish ch m", "spublish ch m", "ping x", "time x", "touch a b", "unlink a", "exists a b", "renamenx a b", "lpos k v", "restore k 0 x",
		"xadd k * f v", "xclaim k g c 0 1", "xautoclaim k g c 0 0", "geosearchstore d s fromlonlat 0 0 byradius 1 km",
		"zrangestore d s 0 1", "lcs a b", "blpop a b 0", "brpoplpush a b 0", "expire k 10", "watch a b",
	}
	for _, line := range cases {
		argv := splitCase(line)
		want, err := c.Do(append([]string{"COMMAND", "GETKEYSANDFLAGS"}, argv...)...)
		if err != nil {
			t.Fatal(err)
		}
		cmd := cmdtable.LookupArgv(argv)
		if cmd == nil {
			t.Fatalf("%s: unknown command", line)
		}
		var wantKeys []string
		switch {
		case want.IsError() && strings.Contains(want.Str, "no key arguments"):
			if commandHasKeys(cmd) {
				t.Errorf("%s: has keys, redis: %s", line, want.Str)
			}
			continue
		case want.IsError():
			if !strings.Contains(want.Str, "Invalid arguments") {
				t.Fatalf("%s: %s", line, want.Str)
			}
		default:
			for _, e := range want.Elems {
				var fl []string
				for _, f := range e.Elems[1].Elems {
					fl = append(fl, f.Str)
				}
				wantKeys = append(wantKeys, e.Elems[0].Str+" "+strings.Join(fl, ","))
			}
		}
		var got []string
		for _, k := range commandKeys(cmd, argv) {
			var fl []string
			for _, f := range []string{"RO", "RW", "OW", "RM", "access", "update", "insert", "delete", "not_key", "incomplete", "variable_flags"} {
				if k.flags&keyFlagNames[f] != 0 {
					fl = append(fl, f)
				}
			}
			got = append(got, argv[k.pos]+" "+strings.Join(fl, ","))
		}
		if strings.Join(got, "|") != strings.Join(wantKeys, "|") {
			t.Errorf("%s:\n  redis: %q\n  fnkit: %q", line, wantKeys, got)
		}
	}
}

func splitCase(line string) []string {
	var out []string
	for _, w := range strings.Fields(line) {
		if w == `""` {
			w = ""
		}
		out = append(out, w)
	}
	return out
}
