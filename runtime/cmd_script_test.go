package runtime

import (
	"strings"
	"testing"

	"github.com/fnkit/fnkit/runtime/cmdtable"
)

// EVAL and SCRIPT FLUSH reached from inside a running script (possible only
// after DEBUG SET-DISABLE-DENY-SCRIPTS 1) refuse to run instead of nesting
// runs or freeing the running Lua state.
func TestScriptNestedRefused(t *testing.T) {
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if v := s.Do("EVAL", "return 1", "0"); v.IsError() {
		t.Fatal(v)
	}
	s.running = &scriptRun{eval: true}
	defer func() { s.running = nil }()
	for _, argv := range [][]string{{"EVAL", "return 1", "0"}, {"EVALSHA", "e0e1f9fabfc9d4800c877a703b823ac0578ff8db", "0"}, {"SCRIPT", "FLUSH"}} {
		sc := s.scriptClnt
		sc.out = sc.out[:0]
		s.dispatchFor(cmdtable.LookupArgv(argv))(s, sc, argv)
		if got := string(sc.out); !strings.HasPrefix(got, "-ERR fnkit: ") || !strings.Contains(got, "cannot run inside a script") {
			t.Errorf("%v from a script: %q", argv, got)
		}
	}
	if s.scripts.lookup("e0e1f9fabfc9d4800c877a703b823ac0578ff8db") == nil {
		t.Error("the script cache was flushed")
	}
}
