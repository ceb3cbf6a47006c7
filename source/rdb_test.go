package source

import (
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/fnkit/fnkit/fixtures"
	"github.com/fnkit/fnkit/rdbfmt"
)

// Every RDB fixture opens to exactly its ground truth, checked whole or read
// only as far as the libraries.
func TestOpenRDBFixtures(t *testing.T) {
	n := 0
	for _, server := range fixtures.Servers {
		for _, name := range fixtures.Artifacts(server, "rdb-") {
			n++
			path := fixtures.Path(server, name)
			exp, err := fixtures.LoadExpected(server, name)
			if err != nil {
				t.Fatal(err)
			}
			for _, noVerify := range []bool{false, true} {
				s, err := Open(path, Options{NoVerify: noVerify, Summary: true})
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				if s.Kind != KindRDB || s.RDB.Version != exp.RDB.Version || s.RDB.Magic != exp.RDB.Magic {
					t.Fatalf("%s: %v %s %d", path, s.Kind, s.RDB.Magic, s.RDB.Version)
				}
				want := exp.Producer.Functions.Libraries
				if s.Libraries.Len() != len(want) {
					t.Fatalf("%s: %d libraries, want %d", path, s.Libraries.Len(), len(want))
				}
				for _, wl := range want {
					l, ok := s.Libraries.Get(wl.Name)
					if !ok || l.Code != wl.Source() || l.Origin.Path != path || l.Origin.Format != "rdb" {
						t.Fatalf("%s: library %s differs", path, wl.Name)
					}
				}
				for i, wr := range exp.RDB.FunctionRecords {
					r := s.RDB.Functions[i]
					if r.Offset != wr.Offset || r.End != wr.End || r.Library != wr.LibraryName || r.Encoding != wr.Encoding {
						t.Fatalf("%s: record %d: %+v, want %+v", path, i, r, wr)
					}
				}
				if noVerify {
					if s.RDB.Complete || s.RDB.Summary != nil {
						t.Fatalf("%s: --no-verify read the whole file", path)
					}
					continue
				}
				if !s.RDB.Complete || s.Size != exp.Size {
					t.Fatalf("%s: not complete", path)
				}
				c := s.RDB.Checksum
				if c.Disabled != exp.RDB.Checksum.Disabled || (!c.Disabled && !c.Valid) {
					t.Fatalf("%s: checksum %+v, want %+v", path, c, exp.RDB.Checksum)
				}
				// keys per database as the producing server counted them
				got := map[string]int64{}
				for _, d := range s.RDB.Summary.Databases {
					if d.Keys > 0 {
						got[strconv.FormatUint(d.DB, 10)] = d.Keys
					}
				}
				if len(got) != len(exp.Producer.DBSize) {
					t.Fatalf("%s: dbs %v, want %v", path, got, exp.Producer.DBSize)
				}
				for db, k := range exp.Producer.DBSize {
					if got[db] != k {
						t.Fatalf("%s: db %s has %d keys, want %d", path, db, got[db], k)
					}
				}
				if exp.Producer.DBSize != nil && len(exp.Producer.DBSize) > 0 && len(s.RDB.Summary.Largest) == 0 {
					t.Fatalf("%s: summary lists no largest values", path)
				}
			}
		}
	}
	if n < 40 {
		t.Fatalf("only %d RDB fixtures", n)
	}
}

func TestOpenCorruptRDB(t *testing.T) {
	for _, server := range fixtures.Servers {
		for _, name := range fixtures.Artifacts(server, "corrupt-rdb") {
			_, err := Open(fixtures.Path(server, name), Options{})
			if !errors.Is(err, rdbfmt.ErrChecksum) {
				t.Fatalf("%s/%s: err = %v", server, name, err)
			}
		}
	}
	data, _ := os.ReadFile(fixtures.Path("redis-7.0.15", "rdb-functions-keyspace.rdb"))
	p := filepath.Join(t.TempDir(), "cut.rdb")
	for _, n := range []int{10, 100, 5000, 30000, len(data) - 1} {
		os.WriteFile(p, data[:n], 0o644)
		_, err := Open(p, Options{})
		var re *rdbfmt.Error
		if !errors.Is(err, rdbfmt.ErrTruncated) || !errors.As(err, &re) || re.File != p {
			t.Fatalf("cut at %d: err = %v", n, err)
		}
	}
}
