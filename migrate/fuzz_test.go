package migrate

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/library"
)

// FuzzMigrate feeds arbitrary text to the migrator: it must never panic, and
// whatever it accepts must be a library that parses, declares its name as
// Redis requires and holds the script's text between the callback's lines.
func FuzzMigrate(f *testing.F) {
	for _, dir := range []string{"testdata/scripts", "testdata/tricky", "testdata/unsafe"} {
		paths, _ := filepath.Glob(filepath.Join(dir, "*.lua"))
		for _, p := range paths {
			b, err := os.ReadFile(p)
			if err == nil {
				f.Add(string(b))
			}
		}
	}
	f.Add("")
	f.Add("#!lua\n")
	f.Add("#!lua flags=no-writes\nreturn KEYS[1]")
	f.Add("redis.debug(\"]]\") return ARGV")
	f.Add("return ...")
	f.Add("local keys, args, keys_ = KEYS, ARGV, 1 return {keys, args}")
	f.Fuzz(func(t *testing.T, src string) {
		a := Analyze("fuzz.lua", src)
		for _, fd := range a.Findings {
			if fd.Line < 0 || fd.Severity != SeverityError && fd.Severity != SeverityWarning || fd.Code == "" {
				t.Fatalf("bad finding %+v", fd)
			}
		}
		res, err := Migrate("fuzz", []Script{{Path: "fuzz.lua", Source: src}})
		if err != nil {
			if res.Code != "" {
				t.Fatal("code produced with an error")
			}
			return
		}
		if a.HasErrors() {
			t.Fatal("migrated a script with error findings")
		}
		md, err := library.ParseMetadata(res.Code)
		if err != nil || md.Name != "fuzz" {
			t.Fatalf("bad library header: %v", err)
		}
		if _, err := parseLua(md.Body); err != nil {
			t.Fatalf("library does not parse: %v\n%s", err, res.Code)
		}
		fn := res.Functions[0]
		starts := lineStarts(res.Code)
		if fn.FirstLine != 2 || fn.LastLine > len(starts) || fn.LastLine < fn.FirstLine {
			t.Fatalf("lines %d-%d of %d", fn.FirstLine, fn.LastLine, len(starts))
		}
		if !strings.HasPrefix(res.Code[starts[fn.FirstLine-1]:], "redis.register_function") ||
			!strings.HasPrefix(res.Code[starts[fn.LastLine-1]:], "end") {
			t.Fatalf("lines %d-%d do not hold the registration:\n%q", fn.FirstLine, fn.LastLine, res.Code)
		}
	})
}
