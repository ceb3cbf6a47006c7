package source

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/aof"
	"github.com/fnkit/fnkit/fixtures"
)

func refs(s *Source) string {
	var out []string
	for _, l := range s.Libraries.Libraries() {
		out = append(out, l.Name+"="+l.SHA1())
	}
	return strings.Join(out, ",")
}

// TestOpenAOFFixtures opens every AOF fixture as a directory and through its
// manifest: the libraries are what a real server of the same version
// loaded from it.
func TestOpenAOFFixtures(t *testing.T) {
	n := 0
	for _, server := range fixtures.Servers {
		for _, art := range append(fixtures.Artifacts(server, "aof-"), fixtures.Artifacts(server, "corrupt-aof")...) {
			exp, err := fixtures.LoadExpected(server, art)
			if err != nil {
				t.Fatal(err)
			}
			var want []string
			for _, r := range exp.Reload.State.LibrarySet {
				want = append(want, r.Name+"="+r.SHA1)
			}
			dir := fixtures.Path(server, art)
			for _, p := range []string{dir, filepath.Join(dir, "appendonly.aof.manifest")} {
				src, err := Open(p, Options{})
				if err != nil {
					t.Fatalf("%s: %v", p, err)
				}
				if src.Kind != KindAOF || src.AOF == nil || refs(src) != strings.Join(want, ",") {
					t.Fatalf("%s: kind %s libraries %s, want %s", p, src.Kind, refs(src), strings.Join(want, ","))
				}
				for _, l := range src.Libraries.Libraries() {
					if l.Origin.Format != "aof" || l.Origin.Offset < 0 || !strings.HasPrefix(l.Origin.Path, dir) {
						t.Fatalf("%s: origin %+v", p, l.Origin)
					}
				}
			}
			n++
		}
	}
	if n == 0 {
		t.Fatal("no AOF fixtures")
	}
}

func TestOpenAOFKinds(t *testing.T) {
	dir := fixtures.Path("redis-7.0.15", "aof-preamble")
	// A base RDB of a directory is an RDB.
	src, err := Open(filepath.Join(dir, "appendonly.aof.2.base.rdb"), Options{})
	if err != nil || src.Kind != KindRDB {
		t.Fatalf("base.rdb: %v %v", src, err)
	}
	// An incr file alone is a single AOF.
	src, err = Open(filepath.Join(dir, "appendonly.aof.2.incr.aof"), Options{})
	if err != nil || src.Kind != KindAOF || src.AOF.AOF.Layout != aof.LayoutSingle {
		t.Fatalf("incr: %v %v", src, err)
	}
	// An old-style single file: RDB preamble + commands, named *.aof.
	base, _ := os.ReadFile(filepath.Join(dir, "appendonly.aof.2.base.rdb"))
	incr, _ := os.ReadFile(filepath.Join(dir, "appendonly.aof.2.incr.aof"))
	single := filepath.Join(t.TempDir(), "appendonly.aof")
	os.WriteFile(single, append(base, incr...), 0o644)
	src, err = Open(single, Options{})
	if err != nil || src.Kind != KindAOF {
		t.Fatalf("single: %v %v", src, err)
	}
	whole, _ := Open(dir, Options{})
	if refs(src) != refs(whole) {
		t.Fatalf("single file %s, directory %s", refs(src), refs(whole))
	}
	// A stop point.
	at, err := Open(dir, Options{AOFStop: aof.StopAtCommand(2)})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(at.Libraries.Names(), ","); got != "inventory,kvtools,leaderboard,ratelimit,wire" {
		t.Fatalf("after command 2: %s", got)
	}
	// A directory that is not an AOF.
	if _, err := Open(t.TempDir(), Options{}); err == nil {
		t.Fatal("empty directory opened")
	}
	if !IsAOF(dir) || IsAOF(filepath.Join(dir, "appendonly.aof.2.base.rdb")) || !IsAOF(single) {
		t.Fatal("IsAOF")
	}
}
