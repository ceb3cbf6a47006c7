package library_test

import (
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/library"
)

// TestScriptShebangMatchesRealServer sends scripts with a range of shebangs to a
// real server's EVAL and checks that ParseScriptShebang accepts exactly the ones
// Redis accepts, with Redis's error text for the others.
func TestScriptShebangMatchesRealServer(t *testing.T) {
	srv := fixtures.StartRedis(t)
	c := srv.Conn(t)
	shebangs := []string{
		"#!lua", "#!lua ", "#!lua\r", "#!lua flags=no-writes", "#!lua  flags=no-writes,allow-oom",
		"#!lua flags=", "#!lua flags=no-writes,", "#!lua flags=NO-WRITES", "#!lua Flags=no-writes",
		"#!lua flags=no-writes flags=allow-stale", "#!lua flags=allow-oom,allow-stale,no-cluster,allow-cross-slot-keys",
		"#!lua flags=no-writes,no-writes", "#!Lua", "#!LUA flags=no-writes", "#! lua", "#!", "#!python",
		"#!lua name=x", "#!lua flags=read-only", `#!lua "flags=no-writes"`, `#!lua flags="no-writes"`,
		`#!lua "unbalanced`, "#!lua flags=no-writes\t", "#!lua\tflags=allow-oom", "#!lua flags=no-cluster extra",
		"#!lua flags=no-writes\x00x", "#!lua\x00 flags=bogus", `#!lua "flags=no-writes\x00junk"`, `#!lua flags="allow-oom\x00,bogus"`, `#!lua "bo\x00gus"`,
	}
	for _, sb := range shebangs {
		for _, tail := range []string{"\nreturn 1", ""} {
			src := sb + tail
			v, err := c.Do("EVAL", src, "0")
			if err != nil {
				t.Fatal(err)
			}
			_, perr := library.ParseScriptShebang(src)
			switch {
			case v.IsError() && perr == nil:
				t.Errorf("%q: Redis refuses (%s), ParseScriptShebang accepts", src, v.Str)
			case !v.IsError() && perr != nil:
				t.Errorf("%q: Redis accepts, ParseScriptShebang refuses: %v", src, perr)
			case perr != nil && v.Str != "ERR "+perr.Error():
				t.Errorf("%q: Redis says %q, ParseScriptShebang %q", src, v.Str, perr.Error())
			}
		}
	}
	// Accepted flags are the function flags: check by loading them.
	sb, err := library.ParseScriptShebang("#!lua flags=allow-cross-slot-keys,no-writes,allow-oom\n")
	if err != nil || strings.Join(sb.Flags, ",") != "no-writes,allow-oom,allow-cross-slot-keys" {
		t.Errorf("flags %v %v", sb.Flags, err)
	}
}
