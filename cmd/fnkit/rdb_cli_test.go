package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
)

// inspect --json of every RDB fixture says what the ground truth says.
func TestInspectRDBJSON(t *testing.T) {
	for _, server := range fixtures.Servers {
		for _, name := range append(fixtures.Artifacts(server, "rdb-"), fixtures.Artifacts(server, "aof-")...) {
			if strings.HasPrefix(name, "aof-") {
				continue
			}
			path := fixtures.Path(server, name)
			exp, err := fixtures.LoadExpected(server, name)
			if err != nil {
				t.Fatal(err)
			}
			var rep inspectReport
			r := want(t, 0, "inspect", "--json", path)
			if err := json.Unmarshal([]byte(r.stdout), &rep); err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			if rep.Format != "rdb" || rep.RDB == nil || rep.RDB.Version != exp.RDB.Version || rep.RDB.Magic != exp.RDB.Magic || rep.Size != exp.Size || !rep.Verified || !rep.RDB.Complete {
				t.Fatalf("%s: %+v", path, rep)
			}
			wantStatus := "ok"
			if exp.RDB.Checksum.Disabled {
				wantStatus = "disabled"
			}
			if rep.RDB.Checksum.Status != wantStatus || (wantStatus == "ok" && rep.RDB.Checksum.Stored != exp.RDB.Checksum.Stored) {
				t.Fatalf("%s: checksum %+v, want %+v", path, rep.RDB.Checksum, exp.RDB.Checksum)
			}
			if len(rep.RDB.Aux) != len(exp.RDB.Aux) {
				t.Fatalf("%s: %d aux fields, want %d", path, len(rep.RDB.Aux), len(exp.RDB.Aux))
			}
			for i, a := range exp.RDB.Aux {
				g := rep.RDB.Aux[i]
				if g.Key != a.Key || g.Value != a.Value || g.Encoding != a.ValueEncoding {
					t.Fatalf("%s: aux %d: %+v, want %+v", path, i, g, a)
				}
				if a.Key == "ctime" {
					sec, _ := strconv.ParseInt(a.Value, 10, 64)
					if rep.RDB.Ctime == "" || !strings.HasPrefix(rep.RDB.Ctime, "20") || sec == 0 {
						t.Fatalf("%s: ctime %q", path, rep.RDB.Ctime)
					}
				}
			}
			if len(rep.Libraries) != len(exp.RDB.FunctionRecords) {
				t.Fatalf("%s: %d libraries", path, len(rep.Libraries))
			}
			for _, rec := range exp.RDB.FunctionRecords {
				ok := false
				for _, l := range rep.Libraries {
					if l.Name == rec.LibraryName && l.SHA1 == rec.CodeSHA1 && l.Size == rec.CodeBytes && *l.Offset == rec.Offset && l.Encoding == rec.Encoding && l.StoredBytes == rec.StoredBytes {
						ok = true
					}
				}
				if !ok {
					t.Fatalf("%s: record %+v not reported", path, rec)
				}
			}
			if rep.Keyspace == nil {
				t.Fatalf("%s: no keyspace", path)
			}
			total := int64(0)
			for db, n := range exp.Producer.DBSize {
				total += n
				found := false
				for _, d := range rep.Keyspace.Databases {
					if strconv.FormatUint(d.DB, 10) == db && d.Keys == n {
						found = true
					}
				}
				if !found {
					t.Fatalf("%s: db %s should have %d keys: %+v", path, db, n, rep.Keyspace.Databases)
				}
			}
			if rep.Keyspace.Keys != total || (total > 0 && len(rep.Keyspace.Largest) == 0) {
				t.Fatalf("%s: %d keys, want %d", path, rep.Keyspace.Keys, total)
			}
			// --no-verify: same libraries, nothing else checked
			var nv inspectReport
			json.Unmarshal([]byte(want(t, 0, "inspect", "--json", "--no-verify", path).stdout), &nv)
			if nv.Verified || nv.RDB.Checksum.Status != "not-checked" || nv.Keyspace != nil || len(nv.Libraries) != len(rep.Libraries) {
				t.Fatalf("%s --no-verify: %+v", path, nv)
			}
		}
	}
}

func TestInspectRDBTable(t *testing.T) {
	path := fixtures.Path("redis-7.0.15", "rdb-functions-keyspace.rdb")
	r := want(t, 0, "inspect", path)
	for _, s := range []string{"RDB (REDIS0010)", "checksum        ok (crc64 ", "aux redis-ver   7.0.15", "UTC)", "libraries: 8", "keyspace: 55 keys", "largest values:", "hash:large"} {
		if !strings.Contains(r.stdout, s) {
			t.Fatalf("table lacks %q:\n%s", s, r.stdout)
		}
	}
}

func TestInspectCorruptRDB(t *testing.T) {
	for _, server := range fixtures.Servers {
		for _, name := range fixtures.Artifacts(server, "corrupt-rdb") {
			path := fixtures.Path(server, name)
			r := want(t, 1, "inspect", path)
			if !hasErrorLine(r.stderr, path+": offset ") || !hasErrorLine(r.stderr, "checksum") {
				t.Fatalf("stderr %q", r.stderr)
			}
			// --no-verify reads only the libraries and checks nothing: the
			// damage (inside a library's raw code) goes unnoticed, and the
			// output says the checksum was not checked
			nv := want(t, 0, "inspect", "--no-verify", path)
			if !strings.Contains(nv.stdout, "checksum        not checked") {
				t.Fatalf("stdout %q", nv.stdout)
			}
		}
	}
	data, _ := os.ReadFile(fixtures.Path("redis-7.0.15", "rdb-functions-keyspace.rdb"))
	cut := filepath.Join(t.TempDir(), "cut.rdb")
	os.WriteFile(cut, data[:30000], 0o644)
	r := want(t, 1, "inspect", cut)
	if !hasErrorLine(r.stderr, cut+": offset 30000:") {
		t.Fatalf("stderr %q", r.stderr)
	}
	// the libraries come first, so --no-verify still lists them
	want(t, 0, "inspect", "--no-verify", cut)
}

func TestExtractAndDumpFromRDB(t *testing.T) {
	srv := fixtures.StartRedis(t)
	for _, server := range fixtures.Servers {
		in := fixtures.Path(server, "rdb-functions-keyspace.rdb")
		wantLibs := expectedLibs(t, server, "rdb-functions-keyspace.rdb")
		dir := t.TempDir()
		want(t, 0, "extract", in, "-o", dir)
		for n, code := range wantLibs {
			got, err := os.ReadFile(filepath.Join(dir, n+".lua"))
			if err != nil || string(got) != code {
				t.Fatalf("%s: %s.lua differs", server, n)
			}
		}
		if len(dirFiles(t, dir)) != len(wantLibs) {
			t.Fatalf("%s: %v", server, dirFiles(t, dir))
		}
		// extracted files and the RDB hold the same code: no conflict
		payload := filepath.Join(t.TempDir(), "p.bin")
		want(t, 0, append([]string{"dump", in, "-o", payload}, filepath.Join(dir, "wire.lua"))...)
		pl, _ := os.ReadFile(payload)
		srv.Do(t, "FUNCTION", "FLUSH")
		if v := srv.Do(t, "FUNCTION", "RESTORE", string(pl)); v.IsError() {
			t.Fatalf("%s: FUNCTION RESTORE: %s", server, v.Str)
		}
		if got := listWithCode(t, srv); !sameCodes(got, wantLibs) {
			t.Fatalf("%s: server has %v", server, names(got))
		}
	}
}
