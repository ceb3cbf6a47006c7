package main

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/dumpfmt"
	"github.com/fnkit/fnkit/fixtures"
)

func TestInspectPayloadJSON(t *testing.T) {
	dir := t.TempDir()
	for _, server := range fixtures.Servers {
		for _, name := range fixtures.Artifacts(server, "dump-") {
			exp, err := fixtures.LoadExpected(server, name)
			if err != nil {
				t.Fatal(err)
			}
			raw, _ := os.ReadFile(fixtures.Path(server, name))
			hexed, _ := dumpfmt.Format(raw, dumpfmt.FormHex)
			hexPath := filepath.Join(dir, server+"-"+name+".hex")
			os.WriteFile(hexPath, hexed, 0o644)
			for path, form := range map[string]string{fixtures.Path(server, name): "raw", hexPath: "hex"} {
				r := want(t, 0, "inspect", "--json", path)
				var rep inspectReport
				if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
					t.Fatalf("%s: --json: %v\n%s", path, err, r.stdout)
				}
				if rep.Format != "dump" || rep.Dump == nil || rep.Dump.SavedForm != form || rep.Dump.RDBVersion != exp.Dump.PayloadRDBVersion || rep.Dump.PayloadSize != int(exp.Size) || !rep.Verified {
					t.Fatalf("%s: %+v %+v", path, rep, rep.Dump)
				}
				if len(rep.Libraries) != len(exp.Dump.FunctionRecords) {
					t.Fatalf("%s: %d libraries", path, len(rep.Libraries))
				}
				for _, rec := range exp.Dump.FunctionRecords {
					found := false
					for _, l := range rep.Libraries {
						if l.Name == rec.LibraryName {
							found = true
							if l.SHA1 != rec.CodeSHA1 || l.Size != rec.CodeBytes || l.Offset == nil || *l.Offset != rec.Offset || l.Encoding != rec.Encoding || l.StoredBytes != rec.StoredBytes || l.Engine != "LUA" {
								t.Fatalf("%s: library %+v, want %+v", path, l, rec)
							}
						}
					}
					if !found {
						t.Fatalf("%s: library %s missing", path, rec.LibraryName)
					}
				}
				// the table for people says the same
				h := want(t, 0, "inspect", path)
				if !strings.Contains(h.stdout, "saved as "+form) || !strings.Contains(h.stdout, "libraries: "+strconv.Itoa(len(rep.Libraries))) {
					t.Fatalf("%s: table:\n%s", path, h.stdout)
				}
				for _, l := range rep.Libraries {
					if !strings.Contains(h.stdout, l.SHA1) {
						t.Fatalf("%s: table lacks %s", path, l.Name)
					}
				}
			}
		}
	}
}

func TestInspectLua(t *testing.T) {
	path := fixtures.LibPath("wire.lua")
	code, _ := os.ReadFile(path)
	sum := sha1.Sum(code)
	var rep inspectReport
	r := want(t, 0, "inspect", "--json", path)
	if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Format != "lua" || len(rep.Libraries) != 1 || rep.Libraries[0].Name != "wire" || rep.Libraries[0].SHA1 != hex.EncodeToString(sum[:]) || rep.Libraries[0].Offset != nil {
		t.Fatalf("%+v", rep)
	}
	bad := filepath.Join(t.TempDir(), "bad.lua")
	os.WriteFile(bad, []byte("#!lua name=ok engine=x\nreturn 1\n"), 0o644)
	e := want(t, 1, "inspect", bad)
	if !hasErrorLine(e.stderr, bad) || !hasErrorLine(e.stderr, "Invalid metadata value given: engine=x") {
		t.Fatalf("stderr %q", e.stderr)
	}
}

func TestInspectBadInput(t *testing.T) {
	dir := t.TempDir()
	raw, _ := os.ReadFile(fixtures.Path("redis-7.0.15", "dump-one.bin"))
	raw[300] ^= 4
	corrupt := filepath.Join(dir, "corrupt.bin")
	os.WriteFile(corrupt, raw, 0o644)
	r := want(t, 1, "inspect", corrupt)
	if !hasErrorLine(r.stderr, corrupt+": offset 967: DUMP payload version or checksum are wrong") || r.stdout != "" {
		t.Fatalf("stderr %q stdout %q", r.stderr, r.stdout)
	}
	r = want(t, 1, "inspect", filepath.Join(dir, "missing.rdb"))
	if !hasErrorLine(r.stderr, "no such file or directory") {
		t.Fatalf("stderr %q", r.stderr)
	}
	text := filepath.Join(dir, "notes.txt")
	os.WriteFile(text, []byte("just some notes\n"), 0o644)
	r = want(t, 1, "inspect", text)
	if !hasErrorLine(r.stderr, "unknown input format") {
		t.Fatalf("stderr %q", r.stderr)
	}
}

func TestExtract(t *testing.T) {
	for _, server := range fixtures.Servers {
		dir := filepath.Join(t.TempDir(), "nested", "out")
		in := fixtures.Path(server, "dump-all.bin")
		r := want(t, 0, "extract", in, "-o", dir)
		wantLibs := expectedLibs(t, server, "dump-all.bin")
		files := dirFiles(t, dir)
		if len(files) != len(wantLibs) {
			t.Fatalf("%s: wrote %v", server, files)
		}
		for name, code := range wantLibs {
			got, err := os.ReadFile(filepath.Join(dir, name+".lua"))
			if err != nil || string(got) != code {
				t.Fatalf("%s: %s.lua differs (%v)", server, name, err)
			}
			if !strings.Contains(r.stdout, filepath.Join(dir, name+".lua")) {
				t.Fatalf("stdout %q", r.stdout)
			}
		}
		// again: refused, nothing changed
		os.WriteFile(filepath.Join(dir, "wire.lua"), []byte("local edit"), 0o644)
		r = want(t, 1, "extract", in, "-o", dir)
		if !hasErrorLine(r.stderr, "file exists (use --force to overwrite)") {
			t.Fatalf("stderr %q", r.stderr)
		}
		if got, _ := os.ReadFile(filepath.Join(dir, "wire.lua")); string(got) != "local edit" {
			t.Fatal("refused extract changed a file")
		}
		want(t, 0, "extract", "--force", in, "-o", dir)
		if got, _ := os.ReadFile(filepath.Join(dir, "wire.lua")); string(got) != wantLibs["wire"] {
			t.Fatal("--force did not overwrite")
		}
		if files := dirFiles(t, dir); len(files) != len(wantLibs) {
			t.Fatalf("left behind: %v", files)
		}
	}
}

func TestExtractNeverOverInput(t *testing.T) {
	dir := t.TempDir()
	lib := filepath.Join(dir, "wire.lua")
	code, _ := os.ReadFile(fixtures.LibPath("wire.lua"))
	os.WriteFile(lib, code, 0o644)
	r := want(t, 1, "extract", lib, "-o", dir, "--force")
	if !hasErrorLine(r.stderr, "output would overwrite an input") {
		t.Fatalf("stderr %q", r.stderr)
	}
}

// restoreWithCLI restores a payload file with the real redis-cli, the way a
// person would (redis-cli -x appends standard input as the last argument).
func restoreWithCLI(t *testing.T, srv *fixtures.Redis, shellPipe string) string {
	t.Helper()
	cli := fixtures.RequireTool(t, "redis-cli")
	cmd := exec.Command("bash", "-c", "set -o pipefail; "+shellPipe+" | "+cli+" -p "+strconv.Itoa(srv.Port)+" -x FUNCTION RESTORE")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", shellPipe, err, out)
	}
	return strings.TrimSpace(string(out))
}

func TestDumpRestoresOnRealServer(t *testing.T) {
	srv := fixtures.StartRedis(t)
	dir := t.TempDir()
	var libs []string
	wantCodes := map[string]string{}
	for _, f := range []string{"i18n", "inventory", "jobqueue", "kvtools", "leaderboard", "ratelimit", "sessions", "wire"} {
		p := fixtures.LibPath(f + ".lua")
		libs = append(libs, p)
		b, _ := os.ReadFile(p)
		wantCodes[f] = string(b)
	}
	for _, tc := range []struct{ format, decode string }{
		{"raw", "cat"},
		{"hex", "xxd -r -p"},
		{"base64", "base64 -d"},
	} {
		for _, v := range []string{"10"} {
			out := filepath.Join(dir, "functions."+tc.format)
			args := append([]string{"dump"}, libs...)
			args = append(args, "-o", out, "--format", tc.format, "--target-version", v)
			r := want(t, 0, args...)
			if !strings.Contains(r.stdout, "wrote "+out+": 8 libraries, RDB version "+v) {
				t.Fatalf("stdout %q", r.stdout)
			}
			srv.Do(t, "FUNCTION", "FLUSH")
			if reply := restoreWithCLI(t, srv, tc.decode+" "+out); reply != "OK" {
				t.Fatalf("%s: FUNCTION RESTORE: %s", tc.format, reply)
			}
			if got := listWithCode(t, srv); !sameCodes(got, wantCodes) {
				t.Fatalf("%s: server has %v", tc.format, names(got))
			}
			// inspect reads it back in its form
			var rep inspectReport
			json.Unmarshal([]byte(want(t, 0, "inspect", "--json", out).stdout), &rep)
			if rep.Dump == nil || rep.Dump.SavedForm != tc.format || len(rep.Libraries) != 8 {
				t.Fatalf("inspect of %s: %+v", out, rep)
			}
		}
	}
	// -o - writes the payload to standard output
	r := want(t, 0, "dump", fixtures.LibPath("wire.lua"), "-o", "-")
	p, err := dumpfmt.Decode([]byte(r.stdout), "stdout")
	if err != nil || p.Libraries.Len() != 1 {
		t.Fatalf("stdout payload: %v", err)
	}
}

func TestDumpMergePolicies(t *testing.T) {
	srv := fixtures.StartRedis(t)
	dir := t.TempDir()
	v1dump := fixtures.Path("redis-7.0.15", "dump-one.bin") // ratelimit v1
	v2 := fixtures.LibPath("ratelimit_v2.lua")
	wire := fixtures.LibPath("wire.lua")
	v1code := expectedLibs(t, "redis-7.0.15", "dump-one.bin")["ratelimit"]
	v2code, _ := os.ReadFile(v2)
	wirecode, _ := os.ReadFile(wire)
	out := filepath.Join(dir, "merged.bin")

	r := want(t, 1, "dump", v1dump, wire, v2, "-o", out)
	if !hasErrorLine(r.stderr, `library "ratelimit" differs between `+v1dump+"@0") || !hasErrorLine(r.stderr, v2) {
		t.Fatalf("stderr %q", r.stderr)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Fatal("a failed dump left a file")
	}
	for policy, rl := range map[string]string{"replace": string(v2code), "keep": v1code} {
		want(t, 0, "dump", v1dump, wire, v2, "-o", out, "--policy", policy)
		srv.Do(t, "FUNCTION", "FLUSH")
		if reply := restoreWithCLI(t, srv, "cat "+out); reply != "OK" {
			t.Fatalf("restore: %s", reply)
		}
		if got := listWithCode(t, srv); !sameCodes(got, map[string]string{"ratelimit": rl, "wire": string(wirecode)}) {
			t.Fatalf("%s: server has the wrong libraries %v", policy, names(got))
		}
	}
}

func TestDumpNeverOverInputNorPartial(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.bin")
	orig, _ := os.ReadFile(fixtures.Path("redis-7.0.15", "dump-all.bin"))
	os.WriteFile(in, orig, 0o644)
	r := want(t, 1, "dump", in, "-o", in)
	if !hasErrorLine(r.stderr, "output would overwrite an input") {
		t.Fatalf("stderr %q", r.stderr)
	}
	if got, _ := os.ReadFile(in); !bytes.Equal(got, orig) {
		t.Fatal("input changed")
	}
	// a write that fails half-way (file size limit) leaves nothing behind
	out := filepath.Join(dir, "out.hex")
	cmd := exec.Command("bash", "-c", "ulimit -f 8; exec \"$0\" \"$@\"", binary, "dump", in, "-o", out, "--format", "hex")
	msg, err := cmd.CombinedOutput()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 || !strings.Contains(string(msg), "file too large") {
		t.Fatalf("err %v: %s", err, msg)
	}
	if files := dirFiles(t, dir); len(files) != 1 {
		t.Fatalf("left behind: %v", files)
	}
}
