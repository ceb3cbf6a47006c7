package runtime

import (
	"strings"
	"testing"

	"github.com/fnkit/fnkit/internal/sds"
	"github.com/fnkit/fnkit/runtime/cmdtable"
)

// FuzzACLSetUser applies arbitrary ACL SETUSER rules: never a panic, and
// a user's ACL LIST description, applied to a new user, gives the same
// description and the same command bitmaps (what Redis asserts in
// ACLDescribeSelectorCommandRules).
func FuzzACLSetUser(f *testing.F) {
	for _, seed := range []string{
		"on >pw ~k* %R~r* %W~w* &ch -@all +@string -incr +select|0",
		"+@all -@dangerous -config|set +debug|x (~x +hget) (%RW~y &z +@read -@hash)",
		"reset nopass allkeys allchannels allcommands -get",
		"#" + strings.Repeat("ab", 32) + " !" + strings.Repeat("ab", 32),
		"(~a +get) clearselectors % %R %~a +config|get|x -get|x +|x ( )",
		"+client -client|kill +config|get +@admin -@slow resetkeys resetchannels",
	} {
		f.Add(seed)
	}
	cmdtable.NumIDs()
	f.Fuzz(func(t *testing.T, line string) {
		args, ok := sds.SplitArgs(line)
		if !ok || len(args) > 64 {
			return
		}
		a := newACL("")
		if msg := a.setUser("u", args); msg != "" {
			return
		}
		r := a.user("u").rules.Load()
		desc := r.describe()
		// a pattern with parentheses or quotes does not survive its own
		// description (in Redis either)
		for _, sel := range r.selectors {
			for _, p := range sel.patterns {
				if strings.ContainsAny(p.pattern, "()\"'") {
					return
				}
			}
			for _, c := range sel.channels {
				if strings.ContainsAny(c, "()\"'") {
					return
				}
			}
		}
		back, ok := sds.SplitArgs(desc)
		if !ok {
			t.Fatalf("description does not split: %q", desc)
		}
		if msg := a.setUser("v", append([]string{"reset"}, back...)); msg != "" {
			t.Fatalf("description %q does not apply: %s", desc, msg)
		}
		r2 := a.user("v").rules.Load()
		// reset adds sanitize-payload, which the first user may lack
		if got := r2.describe(); strings.Replace(got, "sanitize-payload ", "", 1) != strings.Replace(desc, "sanitize-payload ", "", 1) {
			t.Fatalf("description of %q:\n%q\napplied again:\n%q", line, desc, got)
		}
		if len(r.selectors) != len(r2.selectors) {
			t.Fatalf("%q: %d selectors, %d after", line, len(r.selectors), len(r2.selectors))
		}
		for i := range r.selectors {
			for w := range r.selectors[i].bits {
				if r.selectors[i].bits[w] != r2.selectors[i].bits[w] {
					t.Fatalf("%q: selector %d bitmap differs after describe", line, i)
				}
			}
		}
		argv := []string{"get", "k"}
		if x, y := r.check(cmdtable.LookupArgv(argv), argv); x < 0 || y < 0 {
			t.Fatal("check")
		}
	})
}
