package aof

import (
	"strings"
	"testing"

	"github.com/fnkit/fnkit/library"
)

func setRefs(s *library.Set) string {
	var parts []string
	for _, l := range s.Libraries() {
		parts = append(parts, l.Name+"="+l.SHA1())
	}
	return strings.Join(parts, ",")
}

// TestReplayFixtures replays every AOF fixture of every server and checks
// the final library set against what a real server of the same version
// loaded from the directory (reload.state.library_set), and that the
// timeline has an event for every function command the files hold.
func TestReplayFixtures(t *testing.T) {
	for _, fx := range aofFixtures(t) {
		t.Run(fx.server+"/"+fx.name, func(t *testing.T) {
			a, err := Open(fx.dir)
			if err != nil {
				t.Fatal(err)
			}
			res, err := a.Replay(ReplayOptions{})
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, r := range fx.exp.Reload.State.LibrarySet {
				want = append(want, r.Name+"="+r.SHA1)
			}
			if got := setRefs(res.Libraries); got != strings.Join(want, ",") {
				t.Fatalf("final set\n got %s\nwant %s", got, strings.Join(want, ","))
			}
			// Every function command of the loaded files is in the
			// timeline, in order.
			type pos struct {
				file  string
				index int64
			}
			seen := map[pos]bool{}
			for _, e := range res.Events {
				if e.Index > 0 {
					seen[pos{e.File, e.Index}] = true
				}
			}
			for _, fi := range res.Scan.Files {
				for _, f := range fx.facts.Files {
					if f.Name != fi.Name || f.Commands == nil {
						continue
					}
					nFunc := 0
					for _, n := range f.Commands.Names {
						if strings.HasPrefix(n, "FUNCTION ") {
							nFunc++
						}
					}
					got := 0
					for i := fi.FirstIndex; i < fi.FirstIndex+fi.Commands; i++ {
						if seen[pos{fi.Name, i}] {
							got++
						}
					}
					if got != nFunc {
						t.Errorf("%s: %d function commands in the timeline, the file holds %d", fi.Name, got, nFunc)
					}
				}
			}
			// Every FUNCTION2 record of the base's RDB is a "loaded" event.
			rdbEvents := 0
			for _, e := range res.Events {
				if e.Command == "RDB" {
					rdbEvents++
				}
			}
			rdbRecords := 0
			for _, f := range fx.facts.Files {
				if f.Type == "b" && f.Format == "rdb" {
					rdbRecords = len(f.RDB.FunctionRecords)
				}
			}
			if rdbEvents != rdbRecords {
				t.Errorf("%d RDB events, the base has %d function records", rdbEvents, rdbRecords)
			}
			if fx.exp.Corruption != nil {
				tr := res.Scan.Truncated
				if tr == nil || tr.ValidUpTo != fx.facts.Files[len(fx.facts.Files)-1].Commands.Truncated.LastCompleteCommandEnd {
					t.Fatalf("truncation not reported as expected: %v", tr)
				}
			} else if res.Scan.Truncated != nil {
				t.Fatalf("unexpected truncation: %v", res.Scan.Truncated)
			}
			for _, e := range res.Events {
				t.Logf("%-9s %-12s %-24s %s@%d #%d %.8s→%.8s %s", e.Kind, e.Library, e.Command, e.File, e.Offset, e.Index, e.Before, e.After, e.Error)
			}
		})
	}
}
