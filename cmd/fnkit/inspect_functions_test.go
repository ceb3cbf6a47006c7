package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

// inspect lists every function of every library with its flags and
// description exactly as the server that wrote the fixture listed them
// (producer_state: FUNCTION LIST on that server), for the RDB, payload and
// AOF fixtures of every server version.
func TestInspectFunctionsMatchFixtures(t *testing.T) {
	checked := 0
	for _, server := range fixtures.Servers {
		var arts []string
		for _, prefix := range []string{"rdb-", "dump-", "aof-"} {
			arts = append(arts, fixtures.Artifacts(server, prefix)...)
		}
		for _, name := range arts {
			exp, err := fixtures.LoadExpected(server, name)
			if err != nil {
				t.Fatal(err)
			}
			r := want(t, 0, "inspect", "--json", fixtures.Path(server, name))
			var rep inspectReport
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("%s/%s: %v", server, name, err)
			}
			if !rep.FunctionsLoaded {
				t.Errorf("%s/%s: functions_loaded is false", server, name)
			}
			got := map[string][]functionReport{}
			for _, l := range rep.Libraries {
				if l.Error != "" {
					t.Errorf("%s/%s: library %s: %s", server, name, l.Name, l.Error)
				}
				got[l.Name] = l.Functions
			}
			if len(got) != len(exp.Producer.Functions.Libraries) {
				t.Errorf("%s/%s: %d libraries, the server listed %d", server, name, len(got), len(exp.Producer.Functions.Libraries))
			}
			for _, el := range exp.Producer.Functions.Libraries {
				var want []functionReport
				for _, f := range el.Functions {
					flags := f.Flags
					if flags == nil {
						flags = []string{}
					}
					want = append(want, functionReport{Name: f.Name, Description: f.Description, Flags: flags})
				}
				sort.Slice(want, func(i, j int) bool { return want[i].Name < want[j].Name })
				g := append([]functionReport{}, got[el.Name]...)
				sort.Slice(g, func(i, j int) bool { return g[i].Name < g[j].Name })
				if !reflect.DeepEqual(g, want) {
					t.Errorf("%s/%s: library %s:\n got  %s\n want %s", server, name, el.Name, jsonString(g), jsonString(want))
				}
				checked += len(want)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no function checked")
	}
	t.Logf("%d functions checked", checked)
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// A library Redis would refuse is shown with Redis's error, and inspect
// still succeeds (it is for forensics); --no-functions runs no Lua.
func TestInspectFunctionsBrokenLibrary(t *testing.T) {
	dir := t.TempDir()
	broken := filepath.Join(dir, "broken.lua")
	os.WriteFile(broken, []byte("#!lua name=broken\nlocal x = call('x')\n"), 0o644)
	r := want(t, 0, "inspect", broken)
	if !strings.Contains(r.stdout, "broken   -         -      does not load: ERR Error registering functions") ||
		!strings.Contains(r.stdout, "Script attempted to access nonexistent global variable 'call'") {
		t.Errorf("table:\n%s", r.stdout)
	}
	r = want(t, 0, "inspect", "--json", broken)
	var rep inspectReport
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if l := rep.Libraries[0]; l.Functions == nil || len(l.Functions) != 0 || !strings.Contains(l.Error, "nonexistent global variable 'call'") {
		t.Errorf("json: %+v", l)
	}

	// Two libraries registering one function: the RDB can be inspected,
	// the later library in name order carries Redis's error.
	clash := filepath.Join(dir, "ratelimit_copy.lua")
	code, _ := os.ReadFile(fixtures.LibPath("ratelimit.lua"))
	os.WriteFile(clash, []byte(strings.Replace(string(code), "name=ratelimit", "name=ratelimit_copy", 1)), 0o644)
	rdb := filepath.Join(dir, "clash.rdb")
	want(t, 0, "restore", "--into", fixtures.Path("redis-7.0.15", "rdb-functions-keyspace.rdb"), clash, "--no-function-check", "-o", rdb)
	r = want(t, 0, "inspect", "--json", rdb)
	rep = inspectReport{}
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	for _, l := range rep.Libraries {
		switch l.Name {
		case "ratelimit_copy":
			if l.Error != "Function rl_fixed_window already exists" {
				t.Errorf("ratelimit_copy: error %q", l.Error)
			}
		default:
			if l.Error != "" || len(l.Functions) == 0 {
				t.Errorf("%s: %+v", l.Name, l)
			}
		}
	}

	r = want(t, 0, "inspect", "--no-functions", broken)
	if strings.Contains(r.stdout, "functions:") {
		t.Errorf("--no-functions printed functions:\n%s", r.stdout)
	}
	r = want(t, 0, "inspect", "--json", "--no-functions", broken)
	if !strings.Contains(r.stdout, `"functions": null`) || !strings.Contains(r.stdout, `"functions_loaded": false`) {
		t.Errorf("--no-functions --json:\n%s", r.stdout)
	}
}
