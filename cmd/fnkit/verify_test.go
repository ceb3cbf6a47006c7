package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

// fnkit verify on every fixture library: all load, and the functions,
// flags and descriptions are those a real server lists.
func TestVerifyFixtureLibraries(t *testing.T) {
	files, _ := filepath.Glob(fixtures.LibPath("*.lua"))
	sort.Strings(files)
	r := want(t, 0, append([]string{"verify", "--json"}, files...)...)
	var rep verifyReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatalf("verify --json: %v\n%s", err, r.stdout)
	}
	if !rep.OK || len(rep.Sources) != len(files) {
		t.Fatalf("verify: ok=%v, %d sources", rep.OK, len(rep.Sources))
	}
	real := fixtures.StartRedis(t)
	for _, s := range rep.Sources {
		code, err := os.ReadFile(s.Path)
		if err != nil {
			t.Fatal(err)
		}
		real.Do(t, "FUNCTION", "FLUSH")
		if v := real.Do(t, "FUNCTION", "LOAD", string(code)); v.IsError() {
			t.Fatalf("real server refuses %s: %v", s.Path, v)
		}
		list := real.Do(t, "FUNCTION", "LIST")
		got := map[string]string{}
		for _, f := range s.Libraries[0].Functions {
			d := "<nil>"
			if f.Description != nil {
				d = *f.Description
			}
			got[f.Name] = d + "|" + strings.Join(f.Flags, ",")
		}
		for _, l := range list.Elems {
			for i := 0; i+1 < len(l.Elems); i += 2 {
				if l.Elems[i].Str != "functions" {
					continue
				}
				for _, f := range l.Elems[i+1].Elems {
					name, desc := f.Elems[1].Str, "<nil>"
					if f.Elems[3].Str != "" || f.Elems[3].Kind == '$' {
						desc = f.Elems[3].Str
					}
					var flags []string
					for _, x := range f.Elems[5].Elems {
						flags = append(flags, x.Str)
					}
					if w := desc + "|" + strings.Join(flags, ","); got[name] != w {
						t.Errorf("%s: function %s: fnkit %q, redis %q", s.Path, name, got[name], w)
					}
					delete(got, name)
				}
			}
		}
		for n := range got {
			t.Errorf("%s: fnkit lists %s, redis does not", s.Path, n)
		}
	}
}

// Libraries Redis refuses: fnkit verify reports the same error and exits 1.
func TestVerifyReportsRedisErrors(t *testing.T) {
	real := fixtures.StartRedis(t)
	dir := t.TempDir()
	bad := map[string]string{
		"nofunc.lua":   "#!lua name=nofunc\nlocal x = 1\n",
		"badcb.lua":    "#!lua name=badcb\nredis.register_function('f', 1)\n",
		"global.lua":   "#!lua name=global\nlocal s = string.rep('x', 2)\nredis.register_function('f', function() end)\n",
		"badflag.lua":  "#!lua name=badflag\nredis.register_function{function_name='f', callback=function() end, flags={'nope'}}\n",
		"loop.lua":     "#!lua name=loop\nwhile true do end\n",
		"dup.lua":      "#!lua name=dup\nredis.register_function('f', function() end)\nredis.register_function('f', function() end)\n",
		"badname.lua":  "#!lua name=badname\nredis.register_function('a-b', function() end)\n",
		"readonly.lua": "#!lua name=readonly\nx = 1\n",
	}
	for file, code := range bad {
		path := filepath.Join(dir, file)
		if err := os.WriteFile(path, []byte(code), 0o644); err != nil {
			t.Fatal(err)
		}
		r := want(t, 1, "verify", "--json", path)
		var rep verifyReport
		if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
			t.Fatalf("%s: %v\n%s", file, err, r.stdout)
		}
		v := real.Do(t, "FUNCTION", "LOAD", code)
		if !v.IsError() {
			t.Fatalf("%s: the real server loads it", file)
		}
		lib := rep.Sources[0].Libraries[0]
		if lib.OK || "ERR "+lib.Error != v.Str {
			t.Errorf("%s: fnkit %q, redis %q", file, "ERR "+lib.Error, v.Str)
		}
		if !hasErrorLine(r.stderr, "would not load in Redis 7") {
			t.Errorf("%s: stderr %q", file, r.stderr)
		}
		text := want(t, 1, "verify", path)
		if !strings.Contains(text.stdout, "FAILS: "+v.Str) {
			t.Errorf("%s: text output %q does not show %q", file, text.stdout, v.Str)
		}
	}
}

func TestVerifyRDB(t *testing.T) {
	path := fixtures.Path("redis-7.0.15", "rdb-functions-keyspace.rdb")
	r := want(t, 0, "verify", path)
	for _, name := range []string{"ratelimit", "leaderboard", "kvtools", "wire", "i18n"} {
		if !strings.Contains(r.stdout, "  "+name+"  ok, ") {
			t.Errorf("verify %s: %s not reported ok:\n%s", path, name, r.stdout)
		}
	}
}
