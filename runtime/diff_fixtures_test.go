package runtime_test

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

// clockIDFunctions lists fixture functions that return stream IDs made of
// the clock (XADD *): their replies are compared with the milliseconds
// masked (dcase.clockIDs).
var clockIDFunctions = map[string]bool{"jq_enqueue": true}

// The hand-written fixture libraries, loaded on both servers and every
// function called with the same arguments in the same order.
func TestDiffFixtureLibraries(t *testing.T) {
	srv, real := startPair(t)
	files, err := filepath.Glob(fixtures.LibPath("*.lua"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixture libraries: %v", err)
	}
	sort.Strings(files)
	var setup [][]string
	var v2 string
	for _, f := range files {
		code, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if strings.HasSuffix(f, "ratelimit_v2.lua") {
			v2 = string(code)
			continue
		}
		setup = append(setup, cmd("FUNCTION", "LOAD", string(code)))
	}
	runCasesOn(t, srv, real, []dcase{
		{name: "load all", setup: setup, unordered: true, cmds: [][]string{cmd("FUNCTION", "LIST", "WITHCODE"), cmd("FUNCTION", "STATS")}},
		{name: "replace ratelimit", setup: setup, unordered: true, cmds: [][]string{cmd("FUNCTION", "LOAD", v2), cmd("FUNCTION", "LOAD", "REPLACE", v2), cmd("FUNCTION", "LIST", "LIBRARYNAME", "ratelimit")}},
		{name: "dump of one fixture library", cmds: [][]string{setup[0], cmd("FUNCTION", "DUMP")}},
	})

	// every function, called twice with a few argument shapes
	conn := dial(t, srv.Addr())
	reset(t, conn)
	for _, s := range setup {
		if v, err := conn.Do(s...); err != nil || v.IsError() {
			t.Fatalf("load: %v %v", v, err)
		}
	}
	list, err := conn.Do("FUNCTION", "LIST")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, l := range list.Elems {
		for i := 0; i+1 < len(l.Elems); i += 2 {
			if l.Elems[i].Str == "functions" {
				for _, f := range l.Elems[i+1].Elems {
					names = append(names, f.Elems[1].Str)
				}
			}
		}
	}
	sort.Strings(names)
	var calls [][]string
	for _, n := range names {
		calls = append(calls,
			cmd("FCALL", n, "0"),
			cmd("FCALL", n, "1", "fx:"+n, "3", "10", "1"),
			cmd("FCALL", n, "2", "fx:"+n, "fx2:"+n, "5", "member", "2", "x"),
			cmd("FCALL_RO", n, "1", "fx:"+n, "3"),
		)
	}
	var cases []dcase
	for _, c := range calls {
		cases = append(cases, dcase{name: strings.Join(c[:3], " "), setup: setup, cmds: [][]string{c}, clockIDs: clockIDFunctions[c[1]]})
	}
	runCasesOn(t, srv, real, cases)
}
